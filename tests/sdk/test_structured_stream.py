"""Structured output while streaming, both families, sync and async: the request asks for
the format (or forces its tool), the partial answer grows as events arrive, the final answer
is validated as the model class, an invalid one raises with its one attempt (no re-ask), a
refusal gives ``None`` with the reason. Chat streams are recorded real traffic."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any, Literal

import pytest
from mock_api import MockAPI, async_client, fixture, sse_response, sync_client
from pydantic import BaseModel

from chatsdk import OutputValidationError
from chatsdk.chat_completions import ChatCompletionResponse
from chatsdk.messages import ChatResponse

CHAT = "openai/chat_completion_streams/"


class Item(BaseModel):
    product_name: str
    price: float
    quantity: int


class Receipt(BaseModel):
    items: list[Item]
    total: float


class Location(BaseModel):
    city: str
    temperature: float
    units: Literal["c", "f"]


class GetWeatherArgs(BaseModel):
    city: str
    country: str
    units: Literal["c", "f"] = "c"


GOOD = {"items": [{"product_name": "Tea", "price": 5.5, "quantity": 2}], "total": 11.0}


def pieces(value: Any, size: int = 7) -> list[str]:
    text = json.dumps(value)
    return [text[i : i + size] for i in range(0, len(text), size)]


def sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def message_stream(deltas: list[str], *, tool: str | None = None, stop: str = "end_turn") -> bytes:
    """A messages stream with one content block: text deltas, or (``tool``) a tool_use
    block whose input arrives as partial JSON."""
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": "m",
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 30, "output_tokens": 1},
    }
    if tool is None:
        block: dict[str, Any] = {"type": "text", "text": ""}
        delta = [{"type": "text_delta", "text": d} for d in deltas]
    else:
        block = {"type": "tool_use", "id": "toolu_1", "name": tool, "input": {}}
        delta = [{"type": "input_json_delta", "partial_json": d} for d in deltas]
    return sse(
        [
            {"type": "message_start", "message": message},
            {"type": "content_block_start", "index": 0, "content_block": block},
            *({"type": "content_block_delta", "index": 0, "delta": d} for d in delta),
            {"type": "content_block_stop", "index": 0},
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop if tool is None else "tool_use"},
                "usage": {"output_tokens": 12},
            },
            {"type": "message_stop"},
        ]
    )


def ask(text: str = "Read the receipt") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_messages_native_stream_grows_the_partial_answer_then_validates_it() -> None:
    api = MockAPI(sse_response(message_stream(pieces(GOOD))))
    client = sync_client(api)
    seen: list[Any] = []
    with client.messages.stream(
        model="m", system="s", messages=ask(), response_format=Receipt
    ) as stream:
        assert stream.current_parsed() is None
        for value in stream.parsed_stream:
            seen.append(value)
            assert value == stream.current_parsed()
        final = stream.get_final_parsed()
    body = api.bodies()[0]
    assert body["stream"] is True
    assert body["response_format"]["name"] == "Receipt"
    assert body["response_format"]["strict"] is True
    assert body["response_format"]["schema"]["additionalProperties"] is False
    assert "tools" not in body
    # Partial values arrive in order, each a prefix-built dict, never the same twice.
    assert len(seen) >= 3
    assert all(a != b for a, b in itertools.pairwise(seen))
    assert seen[-1] == GOOD
    assert any(isinstance(v, dict) and "total" not in v for v in seen)
    assert isinstance(final.parsed, Receipt)
    assert final.parsed.items[0].quantity == 2
    assert final.refusal is None
    assert isinstance(final.response, ChatResponse)
    assert len(final.attempts) == 1 and not final.attempts[0].issues
    assert final.usage.output_tokens == 12


def test_messages_tool_mode_stream_reads_the_forced_tools_partial_input_async() -> None:
    api = MockAPI(sse_response(message_stream(pieces(GOOD, 5), tool="Receipt")))

    async def run() -> tuple[list[Any], Any]:
        client = async_client(api)
        seen: list[Any] = []
        async with client.messages.stream(
            model="m",
            system="s",
            messages=ask(),
            response_format=Receipt,
            structured_output="tool",
        ) as stream:
            async for value in stream.parsed_stream:
                seen.append(value)
            return seen, await stream.get_final_parsed()

    seen, final = asyncio.run(run())
    body = api.bodies()[0]
    assert body["tool_choice"] == {"type": "tool", "name": "Receipt"}
    assert [t["name"] for t in body["tools"]] == ["Receipt"]
    assert "response_format" not in body
    assert len(seen) >= 3 and seen[-1] == GOOD
    assert isinstance(final.parsed, Receipt) and final.parsed.total == 11.0


def test_chat_native_stream_on_real_traffic() -> None:
    raw = fixture(CHAT + "test_parse_pydantic_model.sse")
    api = MockAPI(sse_response(raw))
    with sync_client(api).chat.completions.stream(
        model="m", messages=ask("Weather in SF?"), response_format=Location
    ) as stream:
        chunks = list(stream)
        partial = stream.current_parsed()
        final = stream.get_final_parsed()
    body = api.bodies()[0]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "Location"
    assert body["stream"] is True
    assert len(chunks) == raw.count(b"data: {")
    assert partial == {"city": "San Francisco", "temperature": 61, "units": "f"}
    assert final.parsed == Location(city="San Francisco", temperature=61, units="f")
    assert isinstance(final.response, ChatCompletionResponse)


def test_chat_tool_mode_stream_on_real_traffic_async() -> None:
    raw = fixture(CHAT + "test_parse_pydantic_tool.sse")
    api = MockAPI(sse_response(raw))

    async def run() -> tuple[list[Any], Any]:
        seen: list[Any] = []
        async with async_client(api).chat.completions.stream(
            model="m",
            messages=ask("Weather in Edinburgh?"),
            response_format=GetWeatherArgs,
            structured_output="tool",
        ) as stream:
            async for value in stream.parsed_stream:
                seen.append(value)
            return seen, await stream.get_final_parsed()

    seen, final = asyncio.run(run())
    body = api.bodies()[0]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "GetWeatherArgs"}}
    assert "response_format" not in body
    assert seen[-1] == {"city": "Edinburgh", "country": "UK", "units": "c"}
    assert len(seen) >= 2
    assert final.parsed == GetWeatherArgs(city="Edinburgh", country="UK", units="c")


def test_an_invalid_final_answer_raises_with_its_one_attempt_and_is_not_reasked() -> None:
    bad = {"items": [{"product_name": "Tea", "price": "cheap"}], "total": 11.0}
    api = MockAPI(sse_response(message_stream(pieces(bad))))
    with sync_client(api).messages.stream(
        model="m", system="s", messages=ask(), response_format=Receipt
    ) as stream:
        assert stream.current_parsed() is None
        with pytest.raises(OutputValidationError) as caught:
            stream.get_final_parsed()
        assert stream.current_parsed() == bad  # the partial answer stays readable
    assert len(api.bodies()) == 1
    (attempt,) = caught.value.attempts
    assert attempt.raw is not None and json.loads(attempt.raw) == bad
    locations = {issue.location for issue in attempt.issues}
    assert {"/items/0/price", "/items/0/quantity"} <= locations
    assert caught.value.usage.output_tokens == 12
    assert len(caught.value.responses) == 1


def test_refusals_while_streaming_give_none_and_the_reason() -> None:
    api = MockAPI(
        sse_response(fixture(CHAT + "test_parse_pydantic_model_refusal.sse")),
        sse_response(fixture("anthropic/message_streams/refusal_response.sse")),
    )
    client = sync_client(api)
    with client.chat.completions.stream(
        model="m", messages=ask(), response_format=Location
    ) as chat:
        assert list(chat.parsed_stream) == []
        refused = chat.get_final_parsed()
    assert refused.parsed is None
    assert refused.refusal == "I'm sorry, I can't assist with that request."
    with client.messages.stream(
        model="m", system="s", messages=ask(), response_format=Receipt
    ) as messages:
        declined = messages.get_final_parsed()
    assert declined.parsed is None
    assert declined.refusal
    assert len(api.bodies()) == 2


def test_a_format_dict_needs_structured_output_and_parses_as_json() -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "integer"}},
        "required": ["answer"],
    }
    api = MockAPI(
        sse_response(message_stream(['{"ans', 'wer": 4', "2}"])),
        sse_response(message_stream(["hello"])),
    )
    client = sync_client(api)
    with client.messages.stream(
        model="m",
        system="s",
        messages=ask(),
        response_format={"name": "Answer", "schema": schema, "strict": True},
        structured_output="native",
    ) as stream:
        assert stream.get_final_parsed().parsed == {"answer": 42}
    assert api.bodies()[0]["response_format"]["name"] == "Answer"
    # Without a model class or structured_output, stream() is the plain stream.
    with client.messages.stream(model="m", system="s", messages=ask()) as plain:
        assert not hasattr(plain, "get_final_parsed")
        assert plain.get_final_text() == "hello"
    assert "response_format" not in api.bodies()[1]


def test_the_partial_answer_keeps_a_string_cut_short_and_follows_each_event() -> None:
    class Weather(BaseModel):
        city: str
        temp_c: float

    deltas = ['{"city": "Par', 'is", "temp_c": 1', "8.5}"]
    api = MockAPI(sse_response(message_stream(deltas)))
    with sync_client(api).messages.stream(
        model="m", system="s", messages=ask(), response_format=Weather
    ) as stream:
        after = [stream.current_parsed() for _ in stream]
    assert {"city": "Par"} in after
    assert {"city": "Paris", "temp_c": 1} in after
    assert after[-1] == {"city": "Paris", "temp_c": 18.5}
