"""run_tools, both families: Python functions described from their hints and docstrings,
every call of a turn run (concurrently when async), results and errors sent back, the
final answer, max_turns, the turns observed and the usage summed."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pytest
from mock_api import CHAT_BODY, MESSAGE_BODY, MockAPI, async_client, json_response, sync_client
from pydantic import BaseModel

from chatsdk import MaxTurnsExceededError, OutputValidationError
from chatsdk._tool_runner import ParsedToolRunResult, Turn, function_tool


def get_weather(city: str, unit: str = "celsius") -> dict[str, Any]:
    """Current weather of a city.

    Longer notes that are not part of the description.
    """
    if city == "Atlantis":
        raise LookupError("no such city: Atlantis")
    return {"city": city, "temp": 18, "unit": unit}


def get_time(city: str) -> str:
    """Local time of a city."""
    return f"12:00 in {city}"


def msg(content: list[dict[str, Any]], stop: str, tokens: int = 10) -> dict[str, Any]:
    body = copy.deepcopy(MESSAGE_BODY)
    body.update(content=content, stop_reason=stop)
    body["usage"] = {"input_tokens": tokens, "output_tokens": 1}
    return body


def use(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": arguments}


def chat(
    tool_calls: list[tuple[str, str, dict[str, Any]]], text: str | None = None
) -> dict[str, Any]:
    body = copy.deepcopy(CHAT_BODY)
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    if tool_calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for i, n, a in tool_calls
        ]
    body["choices"][0].update(message=message, finish_reason="tool_calls" if tool_calls else "stop")
    body["usage"] = {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
    return body


MESSAGES_SCRIPT = [
    msg([use("t1", "get_weather", city="Paris"), use("t2", "get_time", city="Paris")], "tool_use"),
    msg([use("t3", "get_weather", city="Atlantis")], "tool_use"),
    msg([{"type": "text", "text": "Paris: 18 degrees at noon."}], "end_turn"),
]


def test_a_function_becomes_a_described_tool() -> None:
    tool = function_tool(get_weather)
    assert tool.name == "get_weather" and tool.description == "Current weather of a city."
    assert tool.schema["required"] == ["city"]
    assert tool.schema["properties"]["city"] == {"type": "string"}
    assert tool.schema["properties"]["unit"]["default"] == "celsius"


def test_messages_three_turn_loop_with_two_tools() -> None:
    api = MockAPI(*(json_response(200, b) for b in MESSAGES_SCRIPT))
    seen: list[Turn[Any]] = []
    result = sync_client(api).messages.run_tools(
        model="claude",
        messages=[{"role": "user", "content": "Weather and time in Paris?"}],
        max_tokens=256,
        tools=[get_weather, get_time],
        on_turn=seen.append,
    )
    assert result.response.first_text() == "Paris: 18 degrees at noon."
    assert [len(t.calls) for t in seen] == [2, 1, 0] and seen == result.turns
    first = api.bodies()[0]
    assert [t["name"] for t in first["tools"]] == ["get_weather", "get_time"]
    assert first["tools"][0]["input_schema"]["required"] == ["city"]
    second = api.bodies()[1]["messages"]
    assert second[1] == {"role": "assistant", "content": MESSAGES_SCRIPT[0]["content"]}
    assert second[2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": json.dumps(
                    {"city": "Paris", "temp": 18, "unit": "celsius"}, separators=(",", ":")
                ),
            },
            {"type": "tool_result", "tool_use_id": "t2", "content": "12:00 in Paris"},
        ],
    }
    third = api.bodies()[2]["messages"]
    assert third[4]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "t3",
            "content": "no such city: Atlantis",
            "is_error": True,
        }
    ]
    assert result.turns[1].calls[0].is_error
    assert isinstance(result.turns[1].calls[0].error, LookupError)
    assert len(result.messages) == 6 and result.messages[-1]["role"] == "assistant"
    assert result.usage.input_tokens == 30


def test_chat_three_turn_loop_async_runs_a_turns_calls_concurrently() -> None:
    started: list[str] = []
    both = asyncio.Event()

    async def slow_weather(city: str) -> str:
        """Weather, slowly."""
        started.append(city)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), 2)  # only returns if the other call runs too
        return f"sunny in {city}"

    async def slow_time(city: str) -> str:
        """Time, slowly."""
        return await slow_weather(city)

    script = [
        chat([("c1", "slow_weather", {"city": "Rome"}), ("c2", "slow_time", {"city": "Oslo"})]),
        chat([("c3", "slow_weather", {"city": 5})]),
        chat([], "Done."),
    ]
    api = MockAPI(*(json_response(200, b) for b in script))

    async def run() -> Any:
        return await async_client(api).chat.completions.run_tools(
            model="gpt-4o",
            messages=[{"role": "user", "content": "?"}],
            tools=[slow_weather, slow_time],
        )

    result = asyncio.run(run())
    assert result.response.choices[0].message.content == "Done."
    second = api.bodies()[1]["messages"]
    assert second[1]["tool_calls"][0]["id"] == "c1"
    assert second[2:] == [
        {"role": "tool", "tool_call_id": "c1", "content": "sunny in Rome"},
        {"role": "tool", "tool_call_id": "c2", "content": "sunny in Oslo"},
    ]
    bad = api.bodies()[2]["messages"][5]
    assert bad["tool_call_id"] == "c3" and bad["content"].startswith("Error: ")
    assert "city" in bad["content"]  # the validation error names the argument
    assert result.usage.total_tokens == 36


def test_max_turns_raises_with_the_turns_so_far() -> None:
    api = MockAPI(json_response(200, MESSAGES_SCRIPT[0]))
    with pytest.raises(MaxTurnsExceededError) as caught:
        sync_client(api).messages.run_tools(
            model="claude",
            messages=[{"role": "user", "content": "?"}],
            max_tokens=64,
            tools=[get_weather, get_time],
            max_turns=2,
        )
    assert len(caught.value.turns) == 2 and len(api.requests) == 2
    assert caught.value.usage.input_tokens == 20


def test_an_unknown_tool_is_answered_with_an_error_and_async_messages_loop() -> None:
    script = [
        msg([use("t1", "launch", target="moon")], "tool_use"),
        msg([{"type": "text", "text": "ok"}], "end_turn"),
    ]
    api = MockAPI(*(json_response(200, b) for b in script))

    async def run() -> Any:
        return await async_client(api).messages.run_tools(
            model="claude",
            messages=[{"role": "user", "content": "?"}],
            max_tokens=64,
            tools=[get_time],
        )

    result = asyncio.run(run())
    assert result.response.first_text() == "ok"
    [block] = api.bodies()[1]["messages"][2]["content"]
    assert block["is_error"] is True and "launch" in block["content"]


def test_sync_client_refuses_async_functions() -> None:
    async def nap() -> str:
        """Sleep."""
        return "z"

    script = [
        msg([use("t1", "nap")], "tool_use"),
        msg([{"type": "text", "text": "ok"}], "end_turn"),
    ]
    api = MockAPI(*(json_response(200, b) for b in script))
    result = sync_client(api).messages.run_tools(
        model="claude", messages=[{"role": "user", "content": "?"}], max_tokens=64, tools=[nap]
    )
    assert result.turns[0].calls[0].is_error
    assert "async client" in result.turns[0].calls[0].content


class Forecast(BaseModel):
    city: str
    temp: int


def test_messages_loop_with_a_response_format_reasks_a_bad_final_answer() -> None:
    script = [
        msg([use("t1", "get_weather", city="Paris")], "tool_use"),
        msg([{"type": "text", "text": '{"city": "Paris", "temp": "warm"}'}], "end_turn"),
        msg([{"type": "text", "text": '{"city": "Paris", "temp": 18}'}], "end_turn"),
    ]
    api = MockAPI(*(json_response(200, b) for b in script))
    result = sync_client(api).messages.run_tools(
        model="claude",
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        max_tokens=256,
        tools=[get_weather],
        response_format=Forecast,
    )
    assert isinstance(result, ParsedToolRunResult)
    assert result.parsed == Forecast(city="Paris", temp=18) and result.refusal is None
    first = api.bodies()[0]
    assert first["response_format"]["name"] == "Forecast"
    assert [t["name"] for t in first["tools"]] == ["get_weather"]
    reask = api.bodies()[2]["messages"][-1]
    assert reask["role"] == "user" and "at /temp:" in json.dumps(reask["content"])
    assert [bool(a.issues) for a in result.attempts] == [True, False]
    assert len(result.turns) == 3 and result.usage.input_tokens == 30


def test_chat_loop_in_tool_mode_ends_on_the_format_tool_async() -> None:
    script = [
        chat([("c1", "get_weather", {"city": "Rome"})]),
        chat([("c2", "Forecast", {"city": "Rome", "temp": 18})]),
    ]
    api = MockAPI(*(json_response(200, b) for b in script))

    async def run() -> Any:
        return await async_client(api).chat.completions.run_tools(
            model="gpt-4o",
            messages=[{"role": "user", "content": "Weather in Rome?"}],
            tools=[get_weather],
            response_format=Forecast,
            structured_output="tool",
        )

    result = asyncio.run(run())
    assert result.parsed == Forecast(city="Rome", temp=18)
    first = api.bodies()[0]
    assert first["tool_choice"] == "required"
    assert {t["function"]["name"] for t in first["tools"]} == {"Forecast", "get_weather"}
    assert "response_format" not in first
    assert len(api.requests) == 2 and result.usage.total_tokens == 24


def test_a_loop_whose_final_answer_stays_invalid_raises_with_every_attempt() -> None:
    bad = msg([{"type": "text", "text": '{"city": 5}'}], "end_turn")
    api = MockAPI(
        json_response(200, MESSAGES_SCRIPT[1]), json_response(200, bad), json_response(200, bad)
    )
    with pytest.raises(OutputValidationError) as caught:
        sync_client(api).messages.run_tools(
            model="claude",
            messages=[{"role": "user", "content": "?"}],
            max_tokens=64,
            tools=[get_weather],
            response_format=Forecast,
        )
    assert len(caught.value.attempts) == 2
    assert all(a.issues for a in caught.value.attempts)
    assert len(caught.value.responses) == 3  # the tool turn counts in the usage too
    assert caught.value.usage.input_tokens == 30
