"""The client runs on httpx2: ``http_client=`` takes an httpx2 client (and says so when given
another), and a compressed stream is decoded as an uncompressed one is."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import httpx2
import pytest
from mock_api import CHAT_BODY, Body, MockAPI, fixture, json_response, sse_response, sync_client

from chatsdk import AsyncClient, Client
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message

HI = [ChatMessage.user("hi")]
MESSAGE_SSE = fixture("anthropic/message_streams/basic_response.sse")


def test_http_client_takes_an_httpx2_client() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    http = httpx2.Client(transport=httpx2.MockTransport(api.handler))
    with Client(api_key="k", base_url="http://api.test", http_client=http) as client:
        assert client.chat.completions.create(model="m", messages=HI).to_dict() == CHAT_BODY
    assert len(api.requests) == 1 and not http.is_closed  # given, so not closed by the client


@pytest.mark.parametrize(
    ("cls", "other"), [(Client, httpx.Client), (AsyncClient, httpx.AsyncClient), (Client, object)]
)
def test_http_client_of_another_stack_is_refused(cls: type[object], other: type[object]) -> None:
    with pytest.raises(TypeError, match=r"http_client must be an httpx2\.\w*Client, not "):
        cls(api_key="k", base_url="http://api.test", http_client=other())


def gzipped(chunks: list[bytes]) -> httpx2.Response:
    body = gzip.compress(b"".join(chunks))
    parts = [body[i : i + 97] for i in range(0, len(body), 97)]
    return httpx2.Response(
        200,
        stream=Body(parts),
        headers={"content-type": "text/event-stream", "content-encoding": "gzip"},
    )


def test_a_gzipped_stream_gives_the_same_events() -> None:
    plain = sync_client(MockAPI(sse_response(MESSAGE_SSE)))
    expected = [
        e.to_dict()
        for e in plain.messages.create(
            model="m", system="s", messages=[Message.user("hi")], stream=True
        )
    ]
    client = sync_client(MockAPI(gzipped([MESSAGE_SSE])))
    with client.messages.stream(model="m", system="s", messages=[Message.user("hi")]) as stream:
        events = [e.to_dict() for e in stream]
        assert stream.get_final_text()
    assert events == expected and len(events) > 3


def test_a_gzipped_async_stream_gives_the_same_events() -> None:
    async def run() -> list[object]:
        api = MockAPI(gzipped([MESSAGE_SSE]))
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(api.async_handler))
        async with AsyncClient(api_key="k", base_url="http://api.test", http_client=http) as c:
            stream = await c.messages.create(
                model="m", system="s", messages=[Message.user("hi")], stream=True
            )
            return [e.to_dict() async for e in stream]

    plain = sync_client(MockAPI(sse_response(MESSAGE_SSE)))
    expected = [
        e.to_dict()
        for e in plain.messages.create(
            model="m", system="s", messages=[Message.user("hi")], stream=True
        )
    ]
    assert asyncio.run(run()) == expected
