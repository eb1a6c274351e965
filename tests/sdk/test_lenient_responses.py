"""A real answer is never lost to one field that does not match the schema.

Recorded real answers, each with one required field removed (or one field of the wrong JSON
type), are replayed through the client, plain and streamed: the default client returns the
model, typed where it matches, with the problems in ``validation_errors`` and a warning on the
``chatsdk`` logger; reading the missing field raises an error that names it; the strict client
raises ``APIResponseValidationError`` as before.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mock_api import FIXTURES, MockAPI, async_client, json_response, sse_response, sync_client

from chatsdk import APIResponseValidationError, MissingFieldError, ValidationIssue
from chatsdk.chat_completions import ChatCompletionResponse, ChatMessage
from chatsdk.messages import ChatResponse, Message

HI = [ChatMessage.user("hi")]
CHAT_BODIES = sorted((FIXTURES / "openai" / "chat_completion_responses").glob("*.json"))
MESSAGE_BODIES = sorted((FIXTURES / "anthropic" / "message_responses").glob("*.json"))


def drop(path: tuple[str | int, ...]) -> Callable[[dict[str, Any]], None]:
    def edit(body: dict[str, Any]) -> None:
        target: Any = body
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return edit


def set_to(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(body: dict[str, Any]) -> None:
        target: Any = body
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


# (what is changed, how, the issue's location and type, the attribute that holds it)
CHAT_EDITS = [
    ("created", drop(("created",)), ("created",), "missing"),
    ("usage.total_tokens", drop(("usage", "total_tokens")), ("usage", "total_tokens"), "missing"),
    ("choices.0.index", drop(("choices", 0, "index")), ("choices", 0, "index"), "missing"),
    ("usage.prompt_tokens", set_to(("usage", "prompt_tokens"), "a dozen"), ("usage", "prompt_tokens"), "int_parsing"),
]  # fmt: skip
MESSAGE_EDITS = [
    ("id", drop(("id",)), ("id",), "missing"),
    ("usage.output_tokens", drop(("usage", "output_tokens")), ("usage", "output_tokens"), "missing"),
]  # fmt: skip


def cases(paths: list[Path], edits: list[Any]) -> list[Any]:
    return [
        pytest.param(path, edit, loc, kind, id=f"{path.stem}:{name}")
        for path in paths
        for name, edit, loc, kind in edits
    ]


def edited(path: Path, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    changed = copy.deepcopy(body)
    edit(changed)
    return changed


@pytest.mark.parametrize(("path", "edit", "loc", "kind"), cases(CHAT_BODIES, CHAT_EDITS))
def test_chat_answer_with_a_field_off_schema_is_kept(
    path: Path, edit: Any, loc: tuple[str | int, ...], kind: str
) -> None:
    body = edited(path, edit)
    answer = sync_client(MockAPI(json_response(200, body))).chat.completions.create(
        model="m", messages=HI
    )
    assert isinstance(answer, ChatCompletionResponse)
    assert [(i.loc, i.type) for i in answer.validation_errors] == [(loc, kind)]
    assert answer.to_dict() == body  # nothing lost, nothing added
    assert answer.id == body["id"]
    assert answer.choices[0].message.content == body["choices"][0]["message"]["content"]
    if loc[0] == "usage":  # the nested object carries its own issue, relative to itself
        assert answer.usage is not None
        assert [i.loc for i in answer.usage.validation_errors] == [loc[1:]]
    if kind == "missing" and loc == ("created",):
        with pytest.raises(MissingFieldError, match="left out the required field 'created'"):
            _ = answer.created


@pytest.mark.parametrize(("path", "edit", "loc", "kind"), cases(CHAT_BODIES[:2], CHAT_EDITS))
def test_chat_answer_off_schema_raises_when_strict(
    path: Path, edit: Any, loc: tuple[str | int, ...], kind: str
) -> None:
    api = MockAPI(json_response(200, edited(path, edit)))
    client = sync_client(api, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError, match=str(loc[-1])):
        client.chat.completions.create(model="m", messages=HI)
    loose = sync_client(MockAPI(json_response(200, edited(path, edit))))
    assert loose.with_options(strict_response_validation=True).strict_response_validation


@pytest.mark.parametrize(("path", "edit", "loc", "kind"), cases(MESSAGE_BODIES, MESSAGE_EDITS))
def test_message_answer_with_a_field_off_schema_is_kept_async(
    path: Path, edit: Any, loc: tuple[str | int, ...], kind: str
) -> None:
    body = edited(path, edit)

    async def call() -> Any:
        client = async_client(MockAPI(json_response(200, body)))
        return await client.messages.create(
            model="m", system="s", messages=[Message.user("x")], max_tokens=8
        )

    answer = asyncio.run(call())
    assert isinstance(answer, ChatResponse)
    assert [(i.loc, i.type) for i in answer.validation_errors] == [(loc, kind)]
    assert answer.to_dict() == body
    assert [type(b).__name__ for b in answer.content] != []


def test_one_warning_per_class_and_location(caplog: pytest.LogCaptureFixture) -> None:
    body = edited(CHAT_BODIES[0], drop(("choices", 0, "finish_reason")))
    # a location no other test here uses, so the once-per-process warning is still due
    body["choices"][0]["logprobs"] = {"content": "nope"}
    api = MockAPI(json_response(200, body), json_response(200, body))
    client = sync_client(api)
    with caplog.at_level(logging.WARNING, logger="chatsdk"):
        client.chat.completions.create(model="m", messages=HI)
        client.chat.completions.create(model="m", messages=HI)
    warnings = [
        r.getMessage() for r in caplog.records if "does not match its schema" in r.getMessage()
    ]
    assert len(warnings) == 2, warnings  # two locations, each once, for two answers
    assert any("choices.0.logprobs.content" in w for w in warnings)


def test_issues_are_readable() -> None:
    issue = ValidationIssue(("usage", "total_tokens"), "missing", "Field required")
    assert str(issue) == "usage.total_tokens: Field required"


def chat_stream_without(field: str) -> bytes:
    path = FIXTURES / "openai" / "chat_completion_streams" / "test_content_logprobs_events.sse"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("data: {"):
            event = json.loads(line[len("data: ") :])
            event.pop(field, None)
            line = "data: " + json.dumps(event)
        out.append(line)
    return ("\n".join(out) + "\n").encode()


def test_chat_stream_with_chunks_off_schema_is_kept_and_accumulates() -> None:
    raw = chat_stream_without("created")
    chunks = list(
        sync_client(MockAPI(sse_response(raw))).chat.completions.create(
            model="m", messages=HI, stream=True
        )
    )
    assert chunks and all(c.validation_errors for c in chunks)
    assert {i.loc for c in chunks for i in c.validation_errors} == {("created",)}
    with sync_client(MockAPI(sse_response(raw))).chat.completions.stream(
        model="m", messages=HI
    ) as stream:
        final = stream.get_final_completion()
    assert [i.loc for i in final.validation_errors] == [("created",)]
    assert final.choices[0].message.content == "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices
    )


def test_chat_stream_off_schema_raises_when_strict() -> None:
    client = sync_client(
        MockAPI(sse_response(chat_stream_without("created"))), strict_response_validation=True
    )
    with pytest.raises(APIResponseValidationError, match="created"):
        list(client.chat.completions.create(model="m", messages=HI, stream=True))


def test_messages_stream_event_off_schema_is_kept() -> None:
    raw = (
        b"event: message_start\n"
        b'data: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant",'
        b'"model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":3}}}\n\n'
        b"event: content_block_start\n"
        b'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
        b"event: content_block_delta\n"
        b'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n'
        b"event: content_block_stop\n"
        b'data: {"type":"content_block_stop","index":0}\n\n'
        b"event: message_delta\n"
        b'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{}}\n\n'
        b"event: message_stop\n"
        b'data: {"type":"message_stop"}\n\n'
    )
    with sync_client(MockAPI(sse_response(raw))).messages.stream(
        model="m", system="s", messages=[Message.user("x")], max_tokens=8
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    assert type(events[0]).__name__ == "MessageStartEvent"
    assert [i.loc for i in events[0].validation_errors] == [("message", "usage", "output_tokens")]
    assert final.content[0].to_dict() == {"type": "text", "text": "hi"}
    assert ("usage", "output_tokens") in [i.loc for i in final.validation_errors]
