"""Structured output, both families: the schema sent, the answer parsed and validated, the
re-ask with the errors named, the typed error after the retries, refusals, tool mode."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pytest
from mock_api import CHAT_BODY, MESSAGE_BODY, MockAPI, async_client, json_response, sync_client
from pydantic import BaseModel

from chatsdk import OutputValidationError
from chatsdk._structured import strict_schema
from chatsdk.messages import ChatResponse, ResponseFormat


class Item(BaseModel):
    product_name: str
    price: float
    quantity: int


class Receipt(BaseModel):
    """A receipt's lines and total."""

    items: list[Item]
    total: float
    note: str | None = None


GOOD = {"items": [{"product_name": "Tea", "price": 5.5, "quantity": 2}], "total": 11.0}
BAD = {"items": [{"product_name": "Tea", "price": "cheap"}], "total": 11.0}


def message_text(text: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(MESSAGE_BODY)
    body["content"] = [{"type": "text", "text": text}]
    body["usage"] = {"input_tokens": 100, "output_tokens": 10}
    body.update(changes)
    return body


def message_tool(name: str, value: Any, call_id: str = "toolu_1") -> dict[str, Any]:
    body = message_text("")
    body["content"] = [{"type": "tool_use", "id": call_id, "name": name, "input": value}]
    body["stop_reason"] = "tool_use"
    return body


def chat_text(text: str | None, refusal: str | None = None) -> dict[str, Any]:
    body = copy.deepcopy(CHAT_BODY)
    body["choices"][0]["message"] = {"role": "assistant", "content": text, "refusal": refusal}
    body["usage"] = {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}
    return body


def chat_tool(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    body = chat_text(None)
    body["choices"][0]["message"]["tool_calls"] = [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    ]
    body["choices"][0]["finish_reason"] = "tool_calls"
    return body


def ask(text: str = "Read the receipt") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_the_schema_sent_is_strict() -> None:
    schema = strict_schema(Receipt.model_json_schema())
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["items", "total", "note"]
    assert {"type": "null"} in schema["properties"]["note"]["anyOf"]
    assert "default" not in schema["properties"]["note"]
    item = schema["$defs"]["Item"]
    assert item["additionalProperties"] is False
    assert item["required"] == ["product_name", "price", "quantity"]
    # a property that was optional without null becomes nullable
    loose = strict_schema({"type": "object", "properties": {"a": {"type": "integer"}}})
    assert loose["properties"]["a"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert loose["required"] == ["a"]


def test_messages_parse_native_sends_the_format_and_parses_the_model() -> None:
    api = MockAPI(json_response(200, message_text(json.dumps(GOOD))))
    result = sync_client(api).messages.parse(
        model="claude", messages=ask(), max_tokens=256, response_format=Receipt
    )
    assert isinstance(result.parsed, Receipt)
    assert result.parsed.items[0].quantity == 2 and result.parsed.note is None
    assert isinstance(result.response, ChatResponse)
    sent = api.bodies()[0]["response_format"]
    assert sent["name"] == "Receipt" and sent["strict"] is True
    assert sent["schema"] == strict_schema(Receipt.model_json_schema())
    assert "tools" not in api.bodies()[0]


def test_chat_parse_native_sends_json_schema_and_parses_the_model() -> None:
    api = MockAPI(json_response(200, chat_text(json.dumps(GOOD))))
    result = sync_client(api).chat.completions.parse(
        model="gpt-4o", messages=ask(), response_format=Receipt
    )
    assert result.parsed == Receipt.model_validate(GOOD)
    sent = api.bodies()[0]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "Receipt"
    assert sent["json_schema"]["schema"]["additionalProperties"] is False
    assert result.usage.total_tokens == 25


def test_messages_parse_tool_mode_forces_one_tool_and_reads_its_input() -> None:
    api = MockAPI(json_response(200, message_tool("Receipt", GOOD)))
    result = sync_client(api).messages.parse(
        model="claude",
        messages=ask(),
        max_tokens=256,
        response_format=Receipt,
        structured_output="tool",
    )
    assert result.parsed == Receipt.model_validate(GOOD)
    body = api.bodies()[0]
    assert "response_format" not in body
    assert body["tool_choice"] == {"type": "tool", "name": "Receipt"}
    [tool] = body["tools"]
    assert tool["name"] == "Receipt" and tool["description"] == "A receipt's lines and total."
    assert tool["input_schema"] == strict_schema(Receipt.model_json_schema())


def test_chat_parse_tool_mode_async() -> None:
    api = MockAPI(json_response(200, chat_tool("Receipt", json.dumps(GOOD))))

    async def run() -> Any:
        return await async_client(api).chat.completions.parse(
            model="gpt-4o", messages=ask(), response_format=Receipt, structured_output="tool"
        )

    result = asyncio.run(run())
    assert result.parsed == Receipt.model_validate(GOOD)
    body = api.bodies()[0]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Receipt"}}
    assert body["tools"][0]["function"]["parameters"]["required"] == ["items", "total", "note"]
    assert body["tools"][0]["function"]["strict"] is True


def test_messages_reask_names_each_error_then_succeeds_with_usage_summed() -> None:
    api = MockAPI(
        json_response(200, message_text(json.dumps(BAD))),
        json_response(200, message_text(json.dumps(GOOD))),
    )
    result = sync_client(api).messages.parse(
        model="claude", messages=ask(), max_tokens=256, response_format=Receipt
    )
    assert result.parsed == Receipt.model_validate(GOOD)
    assert len(result.attempts) == 2 and not result.attempts[1].issues
    locations = {issue.location for issue in result.attempts[0].issues}
    assert locations == {"/items/0/price", "/items/0/quantity"}
    second = api.bodies()[1]["messages"]
    assert second[0] == ask()[0]
    assert second[1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": json.dumps(BAD)}],
    }
    assert second[2]["role"] == "user"
    assert "/items/0/price" in second[2]["content"] and "/items/0/quantity" in second[2]["content"]
    assert result.usage.input_tokens == 200 and result.usage.output_tokens == 20


def test_chat_reask_in_tool_mode_answers_the_tool_call_with_the_errors() -> None:
    api = MockAPI(
        json_response(200, chat_tool("Receipt", json.dumps(BAD), "call_a")),
        json_response(200, chat_tool("Receipt", json.dumps(GOOD), "call_b")),
    )
    result = sync_client(api).chat.completions.parse(
        model="gpt-4o", messages=ask(), response_format=Receipt, structured_output="tool"
    )
    assert result.parsed == Receipt.model_validate(GOOD)
    turns = api.bodies()[1]["messages"]
    assert turns[1]["tool_calls"][0]["id"] == "call_a"
    assert turns[2]["role"] == "tool" and turns[2]["tool_call_id"] == "call_a"
    assert "/items/0/price" in turns[2]["content"]


def test_invalid_twice_raises_output_validation_error_with_every_attempt() -> None:
    api = MockAPI(
        json_response(200, message_text("not json")),
        json_response(200, message_text(json.dumps(BAD))),
    )
    with pytest.raises(OutputValidationError) as caught:
        sync_client(api).messages.parse(
            model="claude", messages=ask(), max_tokens=256, response_format=Receipt
        )
    error = caught.value
    assert [a.raw for a in error.attempts] == ["not json", json.dumps(BAD)]
    assert error.attempts[0].issues[0].location == ""
    assert "not valid JSON" in error.attempts[0].issues[0].message
    assert {i.location for i in error.attempts[1].issues} == {"/items/0/price", "/items/0/quantity"}
    assert error.usage.input_tokens == 200
    assert len(api.requests) == 2


def test_max_output_retries_bounds_the_reasks_async() -> None:
    api = MockAPI(json_response(200, chat_text(json.dumps(BAD))))

    async def run() -> None:
        await async_client(api).chat.completions.parse(
            model="gpt-4o", messages=ask(), response_format=Receipt, max_output_retries=3
        )

    with pytest.raises(OutputValidationError) as caught:
        asyncio.run(run())
    assert len(caught.value.attempts) == 4 and len(api.requests) == 4


def test_refusals_give_none_and_the_reason() -> None:
    refused = message_text(
        "I can't help with that.",
        stop_reason="refusal",
        stop_details={"type": "refusal", "explanation": "Refused by policy."},
    )
    api = MockAPI(json_response(200, refused))
    result = sync_client(api).messages.parse(
        model="claude", messages=ask(), max_tokens=256, response_format=Receipt
    )
    assert result.parsed is None and result.refusal == "Refused by policy."
    chat = MockAPI(json_response(200, chat_text(None, refusal="I'm sorry, I can't.")))
    answer = sync_client(chat).chat.completions.parse(
        model="gpt-4o", messages=ask(), response_format=Receipt
    )
    assert answer.parsed is None and answer.refusal == "I'm sorry, I can't."
    assert len(api.requests) == len(chat.requests) == 1


def test_a_plain_schema_and_a_response_format_are_validated_as_json() -> None:
    schema = {"type": "object", "properties": {"temp_c": {"type": "number"}}}
    api = MockAPI(
        json_response(200, message_text('{"temp_c": "warm"}')),
        json_response(200, message_text('{"temp_c": 18.5}')),
    )
    client = sync_client(api)
    result = client.messages.parse(
        model="claude", messages=ask(), max_tokens=256, response_format=schema
    )
    assert result.parsed == {"temp_c": 18.5}
    assert result.attempts[0].issues[0].location == "/temp_c"
    assert api.bodies()[0]["response_format"]["name"] == "response"
    api.answers = [json_response(200, message_text('{"temp_c": 3}'))]
    fmt = ResponseFormat(name="weather", schema=schema)
    assert client.messages.parse(
        model="claude", messages=ask(), max_tokens=256, response_format=fmt
    ).parsed == {"temp_c": 3}
    assert api.bodies()[-1]["response_format"]["name"] == "weather"
    chat = MockAPI(json_response(200, chat_text('{"temp_c": 1}')))
    wrapped = {"type": "json_schema", "json_schema": {"name": "w", "schema": schema}}
    assert sync_client(chat).chat.completions.parse(
        model="gpt-4o", messages=ask(), response_format=wrapped
    ).parsed == {"temp_c": 1}
    assert chat.bodies()[0]["response_format"]["json_schema"]["name"] == "w"


def test_parse_refuses_stream_and_unknown_modes() -> None:
    client = sync_client(MockAPI(json_response(200, message_text("{}"))))
    with pytest.raises(TypeError):
        client.messages.parse(model="m", messages=ask(), response_format=Receipt, stream=True)
    with pytest.raises(ValueError):
        client.messages.parse(
            model="m", messages=ask(), response_format=Receipt, structured_output="json"
        )
