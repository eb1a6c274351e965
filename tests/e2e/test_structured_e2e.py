"""Structured output and the tool loop against the reference server over loopback HTTP, both
families, sync and async: ``parse`` natively and in tool mode, the re-ask after an invalid
answer, the typed error after two, a refusal, and ``run_tools`` over three turns with two
tools.

The server answers a ``response_format`` (or a forced tool) with the minimal instance of the
schema sent: here ``{"city": "city", "temp_c": 0, "conditions": [], "note": null}`` for
:class:`Weather` (a string is its property's name, a number 0, an array empty, an optional
field null). ``x-sdkforge-fault: invalid-output`` gives ``city`` a number instead, so the
first issue is at ``/city``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

import chatsdk
from chatsdk import OutputValidationError, ParsedResponse, ToolRunResult

from .conftest import RunningServer
from .families import CHAT, MESSAGES, client_options

INVALID_ONCE = {"x-sdkforge-fault": "invalid-output; times=1"}
INVALID = {"x-sdkforge-fault": "invalid-output"}
REFUSAL = {"x-sdkforge-fault": "refusal"}
THREE_TURNS = {"x-sdkforge-tool-calls": "get_weather, get_time; get_weather"}
FAMILY_PARAMS = {
    CHAT: {"model": "gpt-4o"},
    MESSAGES: {"model": "claude-sonnet-4-5", "max_tokens": 256},
}


class Weather(BaseModel):
    """The weather of a city."""

    city: str
    temp_c: float
    conditions: list[str]
    note: str | None = None


EXPECTED = Weather(city="city", temp_c=0, conditions=[], note=None)


def resource(client: Any, family: str) -> Any:
    return client.chat.completions if family == CHAT else client.messages


def ask(text: str = "Weather in Paris, as JSON") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def usage_counts(family: str, usage: Any) -> tuple[int, int]:
    if family == CHAT:
        return usage.prompt_tokens, usage.completion_tokens
    return usage.input_tokens, usage.output_tokens


def parse(
    server: RunningServer, family: str, mode: str, structured: str, **kwargs: Any
) -> ParsedResponse[Any, Any]:
    """One ``parse`` with a fresh client; raises what it raised."""
    params = {**FAMILY_PARAMS[family], "messages": ask(), "structured_output": structured}
    params.update(kwargs)
    settings = client_options(server.url, max_retries=0)
    if mode == "sync":
        with chatsdk.Client(**settings) as client:
            result: ParsedResponse[Any, Any] = resource(client, family).parse(**params)
            return result

    async def main() -> ParsedResponse[Any, Any]:
        async with chatsdk.AsyncClient(**settings) as client:
            done: ParsedResponse[Any, Any] = await resource(client, family).parse(**params)
            return done

    return asyncio.run(main())


def one_answer_usage(server: RunningServer, family: str, structured: str) -> tuple[int, int]:
    """The usage of one structured answer (a first attempt that is valid)."""
    result = parse(server, family, "sync", structured, response_format=Weather)
    assert len(result.attempts) == 1
    return usage_counts(family, result.usage)


FAMILIES = [CHAT, MESSAGES]
MODES = ["sync", "async"]
STRUCTURED = ["native", "tool"]


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_parse_gives_the_model_instance(
    server: RunningServer, family: str, mode: str, structured: str
) -> None:
    result = parse(server, family, mode, structured, response_format=Weather)
    assert isinstance(result.parsed, Weather)
    assert result.parsed == EXPECTED
    assert result.refusal is None
    assert [a.issues for a in result.attempts] == [()]
    raw = result.attempts[0].raw
    assert raw is not None and json.loads(raw) == EXPECTED.model_dump(mode="json")
    if structured == "tool":  # the forced tool's call carries the answer, not the text
        data = result.response.to_dict()
        calls = (
            data["choices"][0]["message"]["tool_calls"]
            if family == CHAT
            else [b for b in data["content"] if b["type"] == "tool_use"]
        )
        assert [c["function"]["name"] if family == CHAT else c["name"] for c in calls] == [
            "Weather"
        ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_plain_json_schema_is_parsed_to_json(
    server: RunningServer, family: str, mode: str
) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "integer", "minimum": 42}},
        "required": ["answer"],
    }
    result = parse(server, family, mode, "auto", response_format=schema)
    assert result.parsed == {"answer": 42}


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_an_invalid_answer_is_re_asked_and_the_usage_summed(
    server: RunningServer, family: str, mode: str, structured: str
) -> None:
    single = one_answer_usage(server, family, structured)
    result = parse(
        server, family, mode, structured, response_format=Weather, extra_headers=INVALID_ONCE
    )
    assert result.parsed == EXPECTED
    first, second = result.attempts
    assert [issue.location for issue in first.issues] == ["/city"]
    assert first.raw is not None and json.loads(first.raw)["city"] != "city"
    assert second.issues == ()
    assert len(result.responses) == 2
    assert usage_counts(family, result.usage) == (2 * single[0], 2 * single[1])


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_an_answer_invalid_twice_raises_with_both_attempts(
    server: RunningServer, family: str, mode: str, structured: str
) -> None:
    single = one_answer_usage(server, family, structured)
    with pytest.raises(OutputValidationError) as caught:
        parse(server, family, mode, structured, response_format=Weather, extra_headers=INVALID)
    error = caught.value
    assert len(error.attempts) == 2
    assert all([i.location for i in a.issues] == ["/city"] for a in error.attempts)
    assert "/city" in str(error)
    assert usage_counts(family, error.usage) == (2 * single[0], 2 * single[1])


def test_more_retries_mean_more_attempts(server: RunningServer) -> None:
    result = parse(
        server,
        MESSAGES,
        "sync",
        "native",
        response_format=Weather,
        max_output_retries=3,
        extra_headers={"x-sdkforge-fault": "invalid-output; times=3"},
    )
    assert result.parsed == EXPECTED
    assert [bool(a.issues) for a in result.attempts] == [True, True, True, False]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("family", "reason"),
    [
        (MESSAGES, "This request was refused due to policy."),  # the schema's StopDetails example
        (CHAT, "I'm sorry, I can't help with that."),
    ],
)
def test_a_refusal_gives_no_parsed_value_and_the_reason(
    server: RunningServer, family: str, reason: str, mode: str
) -> None:
    result = parse(server, family, mode, "native", response_format=Weather, extra_headers=REFUSAL)
    assert result.parsed is None
    assert result.refusal == reason
    assert len(result.attempts) == 1


# --- streamed answers: the same answers as events ---------------------------------------------


def stream_final(server: RunningServer, family: str, **params: Any) -> tuple[Any, Any, list[str]]:
    """(the plain answer, the streamed answer accumulated, the kinds of delta streamed).

    A ``response_format`` goes in ``extra_body``: the raw request, whatever ``.stream``
    makes of a ``response_format`` argument."""
    params = {**FAMILY_PARAMS[family], "messages": ask(), **params}
    with chatsdk.Client(**client_options(server.url, max_retries=0)) as client:
        plain = resource(client, family).create(**params)
        if family == CHAT:
            params["stream_options"] = {"include_usage": True}
        kinds: list[str] = []
        with resource(client, family).stream(**params) as events:
            for event in events:
                kinds.extend(delta_kinds(family, event))
            final = events.get_final()
    return plain, final, kinds


def delta_kinds(family: str, event: Any) -> Iterator[str]:
    data = event.to_dict()
    if family == MESSAGES:
        if data.get("type") == "content_block_delta":
            yield data["delta"]["type"]
        return
    for choice in data.get("choices") or []:
        delta = choice.get("delta") or {}
        if delta.get("content"):
            yield "content"
        for call in delta.get("tool_calls") or []:
            if (call.get("function") or {}).get("arguments"):
                yield "arguments"


def weather_format(family: str) -> dict[str, Any]:
    schema = chatsdk._structured.strict_schema(Weather.model_json_schema())
    spec = {"name": "Weather", "schema": schema, "strict": True}
    return spec if family == MESSAGES else {"type": "json_schema", "json_schema": spec}


def forced_tool(family: str) -> dict[str, Any]:
    schema = chatsdk._structured.strict_schema(Weather.model_json_schema())
    if family == MESSAGES:
        tool = {"name": "Weather", "description": "Answer.", "input_schema": schema}
        return {"tools": [tool], "tool_choice": {"type": "tool", "name": "Weather"}}
    tool = {"type": "function", "function": {"name": "Weather", "parameters": schema}}
    return {"tools": [tool], "tool_choice": {"type": "function", "function": {"name": "Weather"}}}


@pytest.mark.parametrize("family", FAMILIES)
def test_a_streamed_structured_answer_is_the_plain_one_in_text_deltas(
    server: RunningServer, family: str
) -> None:
    body = {"response_format": weather_format(family)}
    plain, final, kinds = stream_final(server, family, extra_body=body)
    text = final.choices[0].message.content if family == CHAT else final.first_text()
    assert Weather.model_validate_json(text) == EXPECTED
    assert final.to_dict() == plain.to_dict()
    assert kinds and set(kinds) == {"content" if family == CHAT else "text_delta"}


@pytest.mark.parametrize("family", FAMILIES)
def test_a_streamed_forced_tool_call_is_the_plain_one_in_argument_deltas(
    server: RunningServer, family: str
) -> None:
    plain, final, kinds = stream_final(server, family, **forced_tool(family))
    plain_data, data = plain.to_dict(), final.to_dict()
    if family == CHAT:
        for answer in (plain_data, data):  # call ids are fresh on every answer
            answer["id"] = None
            for call in answer["choices"][0]["message"]["tool_calls"]:
                call["id"] = None
        arguments = data["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    else:
        for answer in (plain_data, data):
            for block in answer["content"]:
                block["id"] = None
        arguments = json.dumps(final.tool_uses()[0].input)
    assert Weather.model_validate_json(arguments) == EXPECTED
    assert data == plain_data
    assert len(kinds) > 1 and set(kinds) == {"arguments" if family == CHAT else "input_json_delta"}


# --- the tool loop ------------------------------------------------------------------------------


class Calls:
    """The tool functions, recording every call."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def weather(self) -> Callable[..., Any]:
        def get_weather(city: str, unit: str = "celsius") -> dict[str, object]:
            """Current weather of a city."""
            self.seen.append(("get_weather", city))
            return {"city": city, "temp": 18, "unit": unit}

        return get_weather

    def time(self, run_async: bool) -> Callable[..., Any]:
        def get_time(city: str) -> str:
            """Local time of a city."""
            self.seen.append(("get_time", city))
            return "12:00"

        async def get_time_async(city: str) -> str:
            """Local time of a city."""
            await asyncio.sleep(0)
            self.seen.append(("get_time", city))
            return "12:00"

        if run_async:
            get_time_async.__name__ = "get_time"
            return get_time_async
        return get_time


def run_tools(
    server: RunningServer,
    family: str,
    mode: str,
    tools: list[Callable[..., Any]],
    headers: dict[str, str],
    **kwargs: Any,
) -> tuple[ToolRunResult[Any], list[Any]]:
    observed: list[Any] = []
    params = {**FAMILY_PARAMS[family], "messages": ask("Weather and time in Paris?")}
    params.update(tools=tools, on_turn=observed.append, extra_headers=headers, **kwargs)
    settings = client_options(server.url, max_retries=0)
    if mode == "sync":
        with chatsdk.Client(**settings) as client:
            return resource(client, family).run_tools(**params), observed

    async def main() -> ToolRunResult[Any]:
        async with chatsdk.AsyncClient(**settings) as client:
            done: ToolRunResult[Any] = await resource(client, family).run_tools(**params)
            return done

    return asyncio.run(main()), observed


def final_text(family: str, response: Any) -> str | None:
    if family == CHAT:
        text: str | None = response.choices[0].message.content
        return text
    text = response.first_text()
    return text


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_three_turn_tool_loop_with_two_tools(
    server: RunningServer, family: str, mode: str
) -> None:
    calls = Calls()
    tools = [calls.weather(), calls.time(run_async=mode == "async")]
    run, observed = run_tools(server, family, mode, tools, THREE_TURNS)
    assert [[c.name for c in turn.calls] for turn in run.turns] == [
        ["get_weather", "get_time"],
        ["get_weather"],
        [],
    ]
    assert observed == run.turns
    seen = [("get_weather", "city"), ("get_time", "city"), ("get_weather", "city")]
    assert sorted(calls.seen) == sorted(seen)
    first = run.turns[0].calls
    assert json.loads(first[0].content) == {"city": "city", "temp": 18, "unit": "celsius"}
    assert first[1].content == "12:00" and not any(c.is_error for c in first)
    assert final_text(family, run.response)  # the schema's final example, after the loop
    # the transcript: the question, then (assistant turn, results) per turn, the final turn
    results_per_turn = 2 if family == CHAT else 1  # chat answers each call in its own message
    assert len(run.messages) == 1 + (1 + results_per_turn) + (1 + 1) + 1
    each = [usage_counts(family, turn.response.usage) for turn in run.turns]
    assert usage_counts(family, run.usage) == tuple(map(sum, zip(*each, strict=True)))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_scripted_inputs_and_a_failing_tool(server: RunningServer, family: str, mode: str) -> None:
    calls = Calls()

    def get_time(city: str) -> str:
        """Local time of a city."""
        raise LookupError(f"no clock in {city}")

    script = json.dumps([[{"name": "get_weather", "input": {"city": "Oslo"}}, "get_time"]])
    run, _ = run_tools(
        server, family, mode, [calls.weather(), get_time], {"x-sdkforge-tool-calls": script}
    )
    weather, clock = run.turns[0].calls
    assert weather.arguments == {"city": "Oslo"} and calls.seen == [("get_weather", "Oslo")]
    assert clock.is_error and clock.content == "no clock in city"
    assert len(run.turns) == 2 and not run.turns[1].calls


@pytest.mark.parametrize("family", FAMILIES)
def test_a_script_longer_than_max_turns_raises(server: RunningServer, family: str) -> None:
    calls = Calls()
    with pytest.raises(chatsdk.MaxTurnsExceededError) as caught:
        run_tools(
            server, family, "sync", [calls.weather(), calls.time(False)], THREE_TURNS, max_turns=2
        )
    assert [[c.name for c in turn.calls] for turn in caught.value.turns] == [
        ["get_weather", "get_time"],
        ["get_weather"],
    ]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_tool_the_request_lacks_is_refused_by_the_server(
    server: RunningServer, family: str
) -> None:
    calls = Calls()
    with pytest.raises(chatsdk.InvalidRequestError) as caught:
        run_tools(server, family, "sync", [calls.weather()], THREE_TURNS)
    assert "'get_time'" in str(caught.value) and "get_weather" in str(caught.value)
