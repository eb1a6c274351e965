"""Structured answers over loopback HTTP with plain httpx: ``response_format`` and forced tools
answered with the schema's minimal instance, ``invalid-output`` and ``refusal`` counted per
conversation, ``x-sdkforge-tool-calls`` turn by turn, every streamed event valid against the
stream item schema, and the requests it cannot serve refused with 400 and the reason."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator.core.load import Spec
from generator.serve.operations import first_violation, read_operations
from generator.serve.structured import StructuredError, answer_kinds, parse_plan

from .conftest import RunningServer
from .test_reference_server import (
    BODIES,
    CHAT,
    DOCS,
    MESSAGES,
    SESSIONS,
    parse_sse,
    post,
    schema_validator,
)

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp_c": {"type": "number"}},
    "required": ["city", "temp_c"],
    "additionalProperties": False,
}
INSTANCE = {"city": "city", "temp_c": 0}
FORMATS = {
    CHAT: {"type": "json_schema", "json_schema": {"name": "weather", "schema": SCHEMA}},
    MESSAGES: {"name": "weather", "schema": SCHEMA, "strict": True},
}
TOOLS = {
    CHAT: [
        {"type": "function", "function": {"name": n, "parameters": SCHEMA}}
        for n in ("get_weather", "get_time")
    ],
    MESSAGES: [
        {"name": n, "description": n, "input_schema": SCHEMA} for n in ("get_weather", "get_time")
    ],
}
FORCE = {
    CHAT: {"type": "function", "function": {"name": "get_weather"}},
    MESSAGES: {"type": "tool", "name": "get_weather"},
}
ITEMS = {CHAT: "ChatCompletionChunk", MESSAGES: "MessageStreamEvent"}
FAMILIES = [CHAT, MESSAGES]


def body(path: str, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BODIES[path]), **changes}


def ok(server: RunningServer, path: str, data: dict[str, Any], **headers: str) -> Any:
    reply = post(server, path, data, headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.json()


def refused(server: RunningServer, path: str, data: dict[str, Any], **headers: str) -> str:
    reply = post(server, path, data, headers=headers)
    assert reply.status_code == 400, reply.text
    message: str = reply.json()["error"]["message"]
    return message


def text_of(path: str, answer: dict[str, Any]) -> str | None:
    if path == CHAT:
        text: str | None = answer["choices"][0]["message"]["content"]
        return text
    return "".join(b["text"] for b in answer["content"] if b["type"] == "text")


def calls_of(path: str, answer: dict[str, Any]) -> list[tuple[str, str, Any]]:
    if path == CHAT:
        return [
            (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
            for c in answer["choices"][0]["message"].get("tool_calls") or []
        ]
    return [(b["id"], b["name"], b["input"]) for b in answer["content"] if b["type"] == "tool_use"]


def turn_of(path: str, answer: dict[str, Any]) -> dict[str, Any]:
    if path == CHAT:
        turn: dict[str, Any] = answer["choices"][0]["message"]
        return turn
    return {"role": "assistant", "content": answer["content"]}


def results_of(path: str, answer: dict[str, Any]) -> list[dict[str, Any]]:
    ids = [call_id for call_id, _, _ in calls_of(path, answer)]
    if path == CHAT:
        return [{"role": "tool", "tool_call_id": i, "content": "ok"} for i in ids]
    blocks = [{"type": "tool_result", "tool_use_id": i, "content": "ok"} for i in ids]
    return [{"role": "user", "content": blocks}]


def re_ask(path: str, data: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the answer sent back and a follow-up user turn, as a re-ask does."""
    fix = {"role": "user", "content": "Answer again with JSON that matches the schema."}
    return {**data, "messages": [*data["messages"], turn_of(path, answer), fix]}


@pytest.mark.parametrize("path", FAMILIES)
def test_a_response_format_is_answered_with_the_schemas_instance(
    server: RunningServer, path: str
) -> None:
    answer = ok(server, path, body(path, response_format=FORMATS[path]))
    assert json.loads(text_of(path, answer) or "") == INSTANCE
    assert not calls_of(path, answer)


@pytest.mark.parametrize("path", FAMILIES)
def test_a_forced_tool_is_called_with_an_instance_of_its_input_schema(
    server: RunningServer, path: str
) -> None:
    data = body(path, tools=TOOLS[path], tool_choice=FORCE[path], response_format=FORMATS[path])
    first, second = ok(server, path, data), ok(server, path, data)
    [(call_id, name, value)] = calls_of(path, first)
    assert (name, value) == ("get_weather", INSTANCE)
    assert call_id != calls_of(path, second)[0][0]  # fresh ids on every answer


@pytest.mark.parametrize("path", FAMILIES)
def test_invalid_output_fails_the_schema_at_its_first_property(
    server: RunningServer, path: str
) -> None:
    data = body(path, response_format=FORMATS[path])
    value = json.loads(
        text_of(path, ok(server, path, data, **{"x-sdkforge-fault": "invalid-output"})) or ""
    )
    errors = list(Draft202012Validator(SCHEMA).iter_errors(value))
    assert [list(e.absolute_path) for e in errors] == [["city"]]


@pytest.mark.parametrize("path", FAMILIES)
def test_times_counts_the_answers_the_conversation_carries_back(
    server: RunningServer, path: str
) -> None:
    fault = {"x-sdkforge-fault": "invalid-output; times=1"}
    data = body(path, response_format=FORMATS[path])
    first = ok(server, path, data, **fault)
    again = ok(server, path, data, **fault)  # the same request again is the same attempt
    assert json.loads(text_of(path, first) or "") != INSTANCE
    assert text_of(path, again) == text_of(path, first)
    second = ok(server, path, re_ask(path, data, first), **fault)
    assert json.loads(text_of(path, second) or "") == INSTANCE


def test_a_messages_refusal_carries_the_schemas_stop_details(
    server: RunningServer, spec: Spec
) -> None:
    answer = ok(server, MESSAGES, body(MESSAGES), **{"x-sdkforge-fault": "refusal"})
    details = spec.documents[DOCS[MESSAGES]].data["components"]["schemas"]["StopDetails"]
    assert answer["stop_reason"] == "refusal"
    assert answer["stop_details"] == details["examples"][0]
    assert answer["content"] == []


def test_a_chat_refusal_is_in_the_messages_refusal_field(server: RunningServer) -> None:
    answer = ok(server, CHAT, body(CHAT), **{"x-sdkforge-fault": "refusal; times=1"})
    message = answer["choices"][0]["message"]
    assert message["content"] is None and message["refusal"]


@pytest.mark.parametrize("path", FAMILIES)
def test_tool_calls_are_scripted_turn_by_turn(server: RunningServer, path: str) -> None:
    script = {"x-sdkforge-tool-calls": 'get_weather, get_time; [{"name": "x"}]'}
    says = refused(server, path, body(path, tools=TOOLS[path]), **script)  # checked whole
    assert """'[{"name": "x"}]'""" in says
    script = {
        "x-sdkforge-tool-calls": json.dumps(
            [
                ["get_weather", {"name": "get_time", "input": {"city": "Oslo", "temp_c": 3}}],
                ["get_time"],
            ]
        )
    }
    data = body(path, tools=TOOLS[path])
    first = ok(server, path, data, **script)
    assert [(n, v) for _, n, v in calls_of(path, first)] == [
        ("get_weather", INSTANCE),
        ("get_time", {"city": "Oslo", "temp_c": 3}),
    ]
    data["messages"] = [*data["messages"], turn_of(path, first), *results_of(path, first)]
    second = ok(server, path, data, **script)
    assert [n for _, n, _ in calls_of(path, second)] == ["get_time"]
    data["messages"] = [*data["messages"], turn_of(path, second), *results_of(path, second)]
    final = ok(server, path, data, **script)
    assert not calls_of(path, final) and text_of(path, final)
    # the final answer is structured when a format is asked for
    structured = ok(server, path, {**data, "response_format": FORMATS[path]}, **script)
    assert json.loads(text_of(path, structured) or "") == INSTANCE
    # an earlier turn that is not the one sent is refused, with where it differs
    tampered = copy.deepcopy(data)
    turn = tampered["messages"][1]
    if path == CHAT:
        turn["tool_calls"][0]["function"]["arguments"] = "{}"
        where = "/messages/1/tool_calls/0/function/arguments"
    else:
        turn["content"][0]["input"] = {}
        where = "/messages/1/content/0/input"
    assert where in refused(server, path, tampered, **script)


@pytest.mark.parametrize(
    ("headers", "extra", "says"),
    [
        ({"x-sdkforge-tool-calls": "get_weather"}, {}, "a tool the request does not define"),
        ({"x-sdkforge-tool-calls": "a,,b"}, {}, "an empty tool name"),
        ({"x-sdkforge-tool-calls": "[1]"}, {}, "each turn is a non-empty list"),
        ({"x-sdkforge-tool-calls": "[[1]]"}, {}, "a call is a tool name"),
        ({"x-sdkforge-fault": "invalid-output"}, {}, "needs a request with a response_format"),
        ({"x-sdkforge-fault": "refusal; after=1"}, {}, "takes times"),
        (
            {},
            {"response_format": {"type": "json_schema", "json_schema": {
                "name": "n", "schema": {"type": "string", "pattern": "^[0-9]+$"}}}},
            "cannot make an instance",
        ),
    ],
)  # fmt: skip
def test_what_cannot_be_served_is_refused_with_the_reason(
    server: RunningServer, headers: dict[str, str], extra: dict[str, Any], says: str
) -> None:
    assert says in refused(server, CHAT, body(CHAT, **extra), **headers)


def test_the_sessions_family_has_nothing_to_script(server: RunningServer) -> None:
    message = refused(server, SESSIONS, body(SESSIONS), **{"x-sdkforge-fault": "refusal"})
    assert "neither tool calls nor structured output" in message


def stream_items(
    server: RunningServer, path: str, data: dict[str, Any], **headers: str
) -> list[Any]:
    if path == CHAT:
        data = {**data, "stream_options": {"include_usage": True}}
    reply = post(server, path, {**data, "stream": True}, headers=headers)
    assert reply.status_code == 200, reply.text
    return [json.loads(d) for _, d in parse_sse(reply.text) if d != "[DONE]"]


@pytest.mark.parametrize("path", FAMILIES)
@pytest.mark.parametrize("case", ["format", "forced", "invalid", "refusal", "script"])
def test_every_streamed_structured_event_is_valid_against_the_item_schema(
    server: RunningServer, spec: Spec, path: str, case: str
) -> None:
    data = body(path, response_format=FORMATS[path])
    headers: dict[str, str] = {}
    if case == "forced":
        data.update(tools=TOOLS[path], tool_choice=FORCE[path])
    elif case == "invalid":
        headers["x-sdkforge-fault"] = "invalid-output"
    elif case == "refusal":
        headers["x-sdkforge-fault"] = "refusal"
    elif case == "script":
        data["tools"] = TOOLS[path]
        headers["x-sdkforge-tool-calls"] = "get_weather, get_time"
    validator = schema_validator(spec, path, ITEMS[path])
    items = stream_items(server, path, data, **headers)
    assert items
    for item in items:
        assert validator.is_valid(item), (item, next(iter(validator.iter_errors(item))).message)


def test_the_script_syntax() -> None:
    assert parse_plan(" a , b ;c") == [[("a", None), ("b", None)], [("c", None)]]
    assert parse_plan('[["a", {"name": "b", "input": {"x": 1}}]]') == [
        [("a", None), ("b", {"x": 1})]
    ]
    for wrong in ("", "a;", "[]", "[[]]", '[[{"name": "a", "args": {}}]]', "[nope"):
        with pytest.raises(StructuredError):
            parse_plan(wrong)


def test_each_kind_of_answer_is_valid_against_the_response_schema(spec: Spec) -> None:
    checked = []
    for op in read_operations(spec):
        assert op.response is not None
        for label, answer in answer_kinds(op):
            assert first_violation(op.response, answer) is None, (op.operation_id, label)
            checked.append((op.resource, label))
    assert len(checked) == 6  # three kinds in each of the two families that have them


@pytest.mark.parametrize("path", FAMILIES)
def test_a_choice_of_some_tool_calls_the_first_once_the_script_is_done(
    server: RunningServer, path: str
) -> None:
    some = {"type": "any"} if path == MESSAGES else "required"
    data = body(path, tools=TOOLS[path], tool_choice=some)
    assert [n for _, n, _ in calls_of(path, ok(server, path, data))] == ["get_weather"]
    script = {"x-sdkforge-tool-calls": "get_time"}
    first = ok(server, path, data, **script)
    assert [n for _, n, _ in calls_of(path, first)] == ["get_time"]
    data["messages"] = [*data["messages"], turn_of(path, first), *results_of(path, first)]
    [(_, name, value)] = calls_of(path, ok(server, path, data, **script))
    assert (name, value) == ("get_weather", INSTANCE)
