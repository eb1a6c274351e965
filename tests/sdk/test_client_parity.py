"""What users of the peer SDKs reach for: copy()/with_options() for every setting,
with_streaming_response, ``_request_id`` on results, get_final_text(), and a client whose
request helpers are private."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import pytest
from mock_api import (
    API_KEY,
    CHAT_BODY,
    MESSAGE_BODY,
    Body,
    MockAPI,
    async_client,
    fixture,
    json_response,
    sse_response,
    sync_client,
)

import chatsdk
from chatsdk import AsyncClient, Client, RateLimitError, StreamingResponse
from chatsdk.chat_completions import ChatCompletionResponse, ChatMessage
from chatsdk.messages import ChatResponse, Message, TextBlock

HI = [ChatMessage.user("hi")]
ASK: dict[str, Any] = {"model": "m", "system": "s", "messages": [Message.user("hi")]}
MESSAGE_SSE = fixture("anthropic/message_streams/basic_response.sse")


# --- private request helpers ------------------------------------------------------------


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_the_request_helpers_are_not_public(cls: type[Any]) -> None:
    client = cls(api_key="k", base_url="http://api.test")
    public = {name for name in dir(client) if not name.startswith("_")}
    gone = {"request", "request_raw", "request_stream", "request_stream_raw", "stream_manager"}
    assert not public & gone
    assert {"copy", "with_options", "close", "chat", "messages", "sessions"} <= public
    assert not {n for n in dir(client.messages) if not n.startswith("_")} & gone


# --- copy / with_options -----------------------------------------------------------------


def test_copy_changes_each_setting_and_keeps_the_others() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    client = sync_client(
        api, default_headers={"x-a": "1", "x-b": "2"}, default_query={"q": "1"}, timeout=30
    )
    copied = client.copy(
        api_key="sk-other-key",
        base_url="http://other.test/v9",
        timeout=7.5,
        max_retries=5,
        default_headers={"x-b": "20", "x-c": "3"},
        default_query={"r": "2"},
        strict_response_validation=True,
    )
    assert type(copied) is Client
    assert (copied.api_key, str(copied.base_url)) == ("sk-other-key", "http://other.test/v9")
    assert (copied.timeout, copied.max_retries, copied.strict_response_validation) == (7.5, 5, True)
    assert copied.default_headers == {"x-a": "1", "x-b": "20", "x-c": "3"}
    assert copied.default_query == {"q": "1", "r": "2"}
    copied.chat.completions.create(model="m", messages=HI)
    sent = api.last
    assert str(sent.url) == "http://other.test/v9/v1/chat/completions?q=1&r=2"
    assert sent.headers["authorization"] == "Bearer sk-other-key"
    assert (sent.headers["x-a"], sent.headers["x-b"], sent.headers["x-c"]) == ("1", "20", "3")
    assert sent.extensions["timeout"]["read"] == 7.5
    # the original is unchanged
    assert (client.api_key, client.timeout, client.max_retries) == (API_KEY, 30, 2)
    assert client.default_headers == {"x-a": "1", "x-b": "2"}
    client.chat.completions.create(model="m", messages=HI)
    assert str(api.last.url) == "http://api.test/v1/chat/completions?q=1"


def test_set_default_headers_and_query_replace_instead_of_merging() -> None:
    client = sync_client(MockAPI(json_response(200, CHAT_BODY)), default_headers={"x-a": "1"})
    client = client.copy(default_query={"q": "1"})
    replaced = client.with_options(set_default_headers={"x-z": "9"}, set_default_query={"z": "9"})
    assert replaced.default_headers == {"x-z": "9"}
    assert replaced.default_query == {"z": "9"}
    with pytest.raises(ValueError, match="not both"):
        client.copy(default_headers={"a": "1"}, set_default_headers={"b": "2"})
    with pytest.raises(ValueError, match="not both"):
        client.copy(default_query={"a": "1"}, set_default_query={"b": "2"})


def test_a_copy_shares_the_http_client_and_closing_it_leaves_the_original_open() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    client = Client(api_key="k", base_url="http://api.test")
    http = httpx2.Client(transport=httpx2.MockTransport(api.handler))
    copied = client.with_options(timeout=3)
    copied.close()
    assert not client.is_closed  # the copy shares the original's connections, not owns them
    given = client.copy(http_client=http)
    given.chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 1  # it went through the given client
    given.close()
    assert not http.is_closed
    client.close()
    assert client.is_closed and copied.is_closed  # one pool


def test_timeout_none_in_a_copy_means_no_limit() -> None:
    client = sync_client(MockAPI(json_response(200, CHAT_BODY)), timeout=5)
    assert client.copy(timeout=None).timeout is None
    assert client.copy().timeout == 5


def test_async_copy_changes_settings_and_shares_the_connections() -> None:
    async def run() -> None:
        api = MockAPI(json_response(200, CHAT_BODY))
        client = async_client(api)
        copied = client.with_options(
            api_key="sk-async-other", max_retries=0, default_headers={"x-h": "v"}
        )
        assert type(copied) is AsyncClient
        await copied.chat.completions.create(model="m", messages=HI)
        assert api.last.headers["authorization"] == "Bearer sk-async-other"
        assert api.last.headers["x-h"] == "v"
        assert copied.max_retries == 0 and client.max_retries == 2
        owner = AsyncClient(api_key="k", base_url="http://api.test")
        shared = owner.copy(timeout=1)
        await shared.close()
        assert not owner.is_closed
        await owner.close()
        assert shared.is_closed

    asyncio.run(run())


# --- _request_id -------------------------------------------------------------------------


def test_results_carry_the_request_id_without_it_being_part_of_the_model() -> None:
    api = MockAPI(json_response(200, CHAT_BODY, **{"x-request-id": "req_42"}))
    client = sync_client(api)
    result = client.chat.completions.create(model="m", messages=HI)
    assert result._request_id == "req_42"
    assert result.to_dict() == CHAT_BODY
    assert result == ChatCompletionResponse.from_json(json.dumps(CHAT_BODY))
    raw = client.chat.completions.with_raw_response.create(model="m", messages=HI)
    assert raw.parse()._request_id == "req_42"
    assert ChatCompletionResponse.from_json(json.dumps(CHAT_BODY))._request_id is None


def test_a_result_without_a_request_id_header_has_none() -> None:
    client = sync_client(MockAPI(json_response(200, MESSAGE_BODY, **{"request-id": "req_m"})))
    assert client.messages.create(**ASK)._request_id == "req_m"
    client = sync_client(MockAPI(json_response(200, MESSAGE_BODY)))
    assert client.messages.create(**ASK)._request_id is None


def test_async_results_carry_the_request_id() -> None:
    async def run() -> str | None:
        api = MockAPI(json_response(200, CHAT_BODY, **{"x-request-id": "req_a"}))
        async with async_client(api) as client:
            return (await client.chat.completions.create(model="m", messages=HI))._request_id

    assert asyncio.run(run()) == "req_a"


# --- with_streaming_response -------------------------------------------------------------


def test_streaming_response_gives_headers_before_the_body_is_read() -> None:
    body = Body([json.dumps(MESSAGE_BODY).encode()])
    api = MockAPI(httpx2.Response(200, stream=body, headers={"x-request-id": "req_s"}))
    client = sync_client(api)
    manager = client.messages.with_streaming_response.create(**ASK)
    assert api.requests == []  # sent when the block is entered
    with manager as response:
        assert isinstance(response, StreamingResponse)
        assert (response.status_code, response.request_id) == (200, "req_s")
        assert response.headers["x-request-id"] == "req_s"
        assert body.sent == 0  # the body is the caller's to read
        message = response.parse()
        assert body.sent == 1
    assert isinstance(message, ChatResponse) and message.to_dict() == MESSAGE_BODY
    assert message._request_id == "req_s"
    assert body.closed and response.is_closed


@pytest.mark.parametrize("how", ["read", "text", "json", "iter_bytes", "iter_text", "iter_lines"])
def test_streaming_response_body_read_by_the_caller(how: str) -> None:
    text = json.dumps(MESSAGE_BODY, indent=1)
    chunks = [text[:50].encode(), text[50:].encode()]
    client = sync_client(MockAPI(httpx2.Response(200, stream=Body(chunks))))
    with client.messages.with_streaming_response.create(**ASK) as response:
        got: Any = getattr(response, how)()
        if how.startswith("iter_"):
            got = list(got)
            with pytest.raises(RuntimeError, match="read already"):
                response.parse()  # the iterated body is gone
        else:
            parsed = response.parse()  # after a whole read, parse() uses what was read
    if how == "iter_lines":
        assert got == text.splitlines()
    elif how == "iter_bytes":
        assert b"".join(got) == text.encode()
    elif how == "iter_text":
        assert "".join(got) == text
    elif how == "json":
        assert got == MESSAGE_BODY
    else:
        assert got == (text.encode() if how == "read" else text)
    if how not in ("iter_lines", "iter_text", "iter_bytes"):
        assert parsed.to_dict() == MESSAGE_BODY


def test_streaming_response_of_a_stream_parses_into_the_typed_stream() -> None:
    api = MockAPI(lambda request: sse_response(MESSAGE_SSE))
    client = sync_client(api)
    with client.messages.with_streaming_response.create(**ASK, stream=True) as response:
        assert response.headers["content-type"] == "text/event-stream"
        events = list(response.parse())
    assert api.bodies()[-1]["stream"] is True
    assert events[0].type == "message_start" and events[-1].type == "message_stop"
    with client.messages.with_streaming_response.create(**ASK, stream=True) as response:
        lines = [line for line in response.iter_lines() if line.startswith("event:")]
        with pytest.raises(RuntimeError, match="read already"):
            response.parse()
    assert lines[0] == "event: message_start"


def test_streaming_response_raises_status_errors_after_retrying() -> None:
    api = MockAPI(
        json_response(503, {"error": {"type": "overloaded", "message": "busy"}}),
        json_response(429, {"error": {"type": "rate_limit", "message": "slow down"}}),
    )
    client = sync_client(api, max_retries=1)
    with pytest.raises(RateLimitError, match=r"slow down.*\(after 2 attempts\)"):
        with client.messages.with_streaming_response.create(**ASK):
            pytest.fail("the block is not entered")
    assert len(api.requests) == 2


def test_async_streaming_response_plain_and_stream() -> None:
    async def run() -> None:
        body = Body([json.dumps(CHAT_BODY).encode()])
        api = MockAPI(
            httpx2.Response(200, stream=body, headers={"x-request-id": "r1"}),
            sse_response(MESSAGE_SSE),
        )
        client = async_client(api)
        streaming = client.chat.completions.with_streaming_response
        async with streaming.create(model="m", messages=HI) as response:
            assert response.request_id == "r1" and body.sent == 0
            result = await response.parse()
            chunks = [chunk async for chunk in response.iter_bytes()]  # what parse() read
        assert b"".join(chunks) == json.dumps(CHAT_BODY).encode()
        assert result.to_dict() == CHAT_BODY and result._request_id == "r1"
        assert body.closed
        async with client.messages.with_streaming_response.create(**ASK, stream=True) as r:
            events = [event async for event in await r.parse()]
        assert [events[0].type, events[-1].type] == ["message_start", "message_stop"]
        await client.close()

    asyncio.run(run())


# --- get_final_text ----------------------------------------------------------------------


def test_get_final_text_joins_the_text_of_a_message_stream() -> None:
    client = sync_client(MockAPI(sse_response(MESSAGE_SSE)))
    with client.messages.stream(**ASK) as stream:
        text = stream.get_final_text()
        final = stream.get_final_message()
    blocks = [b.text for b in final.content if isinstance(b, TextBlock)]
    assert text and text == "".join(blocks)


def test_get_final_text_of_chat_and_async_streams() -> None:
    chat_sse = fixture("openai/chat_completion_streams/test_parse_nothing.sse")
    with sync_client(MockAPI(sse_response(chat_sse))).chat.completions.stream(
        model="m", messages=HI
    ) as stream:
        text = stream.get_final_text()
        assert text == stream.get_final_completion().choices[0].message.content

    async def run() -> str:
        async with async_client(MockAPI(sse_response(MESSAGE_SSE))).messages.stream(
            **ASK
        ) as stream:
            return await stream.get_final_text()

    assert asyncio.run(run()) == "".join(
        json.loads(line[6:])["delta"]["text"]
        for line in MESSAGE_SSE.decode().splitlines()
        if line.startswith("data: ") and '"text_delta"' in line
    )


def test_get_final_text_of_an_answer_without_text_raises() -> None:
    tool_sse = fixture("anthropic/message_streams/tool_use_response.sse")
    if b'"text_delta"' in tool_sse:
        # keep only the tool-use blocks: drop every text delta
        tool_sse = b"\n\n".join(
            event for event in tool_sse.split(b"\n\n") if b'"text_delta"' not in event
        )
    with sync_client(MockAPI(sse_response(tool_sse))).messages.stream(**ASK) as stream:
        with pytest.raises(chatsdk.ChatSDKError, match="no text"):
            stream.get_final_text()
        assert stream.get_final_message().tool_uses()
