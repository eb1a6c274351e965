"""A stream whose body ends before its family's terminal event raises, from plain iteration and
from the accumulator's ``get_final_*``, in every family, sync and async."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from mock_api import MockAPI, async_client, sse_response, sync_client

from chatsdk import APIConnectionError, APIStreamIncompleteError, StreamError
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message


def named(*events: dict[str, Any]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}],
}
CHAT_CUT = f"data: {json.dumps(CHUNK)}\n\n".encode()
CHAT_WHOLE = CHAT_CUT + b"data: [DONE]\n\n"
MESSAGE_START = {
    "type": "message_start",
    "message": {
        "id": "m1",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": "m",
        "stop_reason": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    },
}
BLOCK_START = {
    "type": "content_block_start",
    "index": 0,
    "content_block": {"type": "text", "text": ""},
}
MESSAGES_CUT = named(MESSAGE_START, BLOCK_START)
MESSAGES_WHOLE = named(
    MESSAGE_START,
    BLOCK_START,
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
    {"type": "message_stop"},
)
SESSION_START = {"type": "session_start", "session_id": "s1"}
DELTA = {"type": "content_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}
SESSIONS_CUT = named(SESSION_START, DELTA)

ASK_MESSAGE: dict[str, Any] = {"model": "m", "system": "s", "messages": [Message.user("x")]}
FAMILIES: dict[str, tuple[bytes, str, Callable[[Any], Any], Callable[[Any], Any], str]] = {
    "chat": (
        CHAT_CUT,
        "stream ended before [DONE], after 1 event: POST http://api.test/v1/chat/completions",
        lambda c: c.chat.completions.create(
            model="m", messages=[ChatMessage.user("hi")], stream=True
        ),
        lambda c: c.chat.completions.stream(model="m", messages=[ChatMessage.user("hi")]),
        "get_final_completion",
    ),
    "messages": (
        MESSAGES_CUT,
        "stream ended before its message_stop event, after 2 events:"
        " POST http://api.test/v1/messages",
        lambda c: c.messages.create(**ASK_MESSAGE, stream=True),
        lambda c: c.messages.stream(**ASK_MESSAGE),
        "get_final_message",
    ),
    "sessions": (
        SESSIONS_CUT,
        "stream ended before its session_end event, after 2 events:"
        " POST http://api.test/qai/v1/chat/session",
        lambda c: c.sessions.chat(message="hi", stream=True),
        lambda c: c.sessions.stream(message="hi"),
        "get_final_response",
    ),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_plain_iteration_of_a_cut_stream_raises(family: str) -> None:
    raw, message, plain, _, _ = FAMILIES[family]
    api = MockAPI(sse_response(raw))
    seen: list[Any] = []
    with pytest.raises(APIStreamIncompleteError) as caught:
        for event in plain(sync_client(api)):
            seen.append(event)
    error = caught.value
    assert str(error) == message
    assert isinstance(error, APIConnectionError) and not isinstance(error, StreamError)
    assert error.events == len(seen) > 0  # the events that did arrive were all delivered


@pytest.mark.parametrize("family", FAMILIES)
def test_get_final_of_a_cut_stream_raises(family: str) -> None:
    raw, message, _, manager, final = FAMILIES[family]
    api = MockAPI(sse_response(raw))
    with manager(sync_client(api)) as stream, pytest.raises(APIStreamIncompleteError) as caught:
        getattr(stream, final)()
    assert str(caught.value) == message


@pytest.mark.parametrize("family", FAMILIES)
def test_async_plain_iteration_and_get_final_of_a_cut_stream_raise(family: str) -> None:
    raw, message, plain, manager, final = FAMILIES[family]

    async def iterate() -> None:
        async with async_client(MockAPI(sse_response(raw))) as client:
            async for _ in await plain(client):
                pass

    async def finish() -> None:
        async with async_client(MockAPI(sse_response(raw))) as client:
            async with manager(client) as stream:
                await getattr(stream, final)()

    for scenario in (iterate, finish):
        with pytest.raises(APIStreamIncompleteError) as caught:
            asyncio.run(scenario())
        assert str(caught.value) == message


def test_a_messages_stream_cut_after_content_block_start_gives_no_final_message() -> None:
    api = MockAPI(sse_response(MESSAGES_CUT))
    with sync_client(api).messages.stream(**ASK_MESSAGE) as stream:
        with pytest.raises(APIStreamIncompleteError):
            stream.get_final_message()
        assert stream.current_snapshot()["stop_reason"] is None  # what had arrived is kept


@pytest.mark.parametrize(("raw", "family"), [(CHAT_WHOLE, "chat"), (MESSAGES_WHOLE, "messages")])
def test_a_whole_stream_ends_quietly(raw: bytes, family: str) -> None:
    api = MockAPI(sse_response(raw))
    _, _, _, manager, final = FAMILIES[family]
    with manager(sync_client(api)) as stream:
        assert getattr(stream, final)() is not None


def test_a_terminal_event_named_only_in_its_payload_ends_the_stream() -> None:
    raw = MESSAGES_WHOLE.replace(b"event: message_stop\n", b"")
    api = MockAPI(sse_response(raw))
    with sync_client(api).messages.stream(**ASK_MESSAGE) as stream:
        assert stream.get_final_message().stop_reason == "end_turn"
