"""A scripted in-memory API for client tests: ``httpx2.MockTransport`` answering from a list.

Each answer is an ``httpx2.Response``, an exception to raise, or a callable taking the request.
Streamed bodies come from :class:`Body`, which can pause, break after some bytes, and records
whether the client closed it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx2

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"
API_KEY = "sk-test-7f3a9c2e51"

Answer = httpx2.Response | Exception | Callable[[httpx2.Request], httpx2.Response]


class Body(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A response body sent in ``chunks``, then ``error`` raised (if any); ``pause`` seconds
    between chunks. ``closed`` says whether the client closed it."""

    def __init__(
        self, chunks: Sequence[bytes], error: Exception | None = None, pause: float = 0.0
    ) -> None:
        self.chunks = list(chunks)
        self.error = error
        self.pause = pause
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.pause:
                time.sleep(self.pause)
            self.sent += 1
            yield chunk
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if self.pause:
                await asyncio.sleep(self.pause)
            self.sent += 1
            yield chunk
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class MockAPI:
    """Answers requests in order from ``answers`` (the last one repeats) and records them."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    def _next(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx2.Response):
            return answer
        return answer(request)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        return self._next(request)

    async def async_handler(self, request: httpx2.Request) -> httpx2.Response:
        return self._next(request)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def last(self) -> httpx2.Request:
        return self.requests[-1]


def sync_client(api: MockAPI, **options: Any) -> Any:
    from chatsdk import Client

    options.setdefault("api_key", API_KEY)
    options.setdefault("base_url", "http://api.test")
    client = Client(
        http_client=httpx2.Client(transport=httpx2.MockTransport(api.handler)), **options
    )
    client._requester._sleep = lambda seconds: sleeps(client).append(seconds)
    return client


def async_client(api: MockAPI, **options: Any) -> Any:
    from chatsdk import AsyncClient

    options.setdefault("api_key", API_KEY)
    options.setdefault("base_url", "http://api.test")
    client = AsyncClient(
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(api.async_handler)), **options
    )

    async def record(seconds: float) -> None:
        sleeps(client).append(seconds)

    client._requester._sleep = record
    return client


def sleeps(client: Any) -> list[float]:
    """The waits the client asked for (recorded, not slept)."""
    return client.__dict__.setdefault("_test_sleeps", [])


def json_response(status: int, body: Any, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers=headers)


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def sse_response(raw: bytes | Body, **headers: str) -> httpx2.Response:
    stream = raw if isinstance(raw, Body) else Body([raw])
    return httpx2.Response(
        200, stream=stream, headers={"content-type": "text/event-stream", **headers}
    )


CHAT_BODY = json.loads(fixture("openai/chat_completion_responses/test_parse_nothing.json"))
MESSAGE_BODY = json.loads(
    fixture("anthropic/message_responses/test_messages__TestSyncParse__bd7029d5_0.json")
)
SESSION_BODY = {
    "session_id": "sess_1",
    "response": {"id": "r", "model": "m", "content": [{"type": "text", "text": "Hello!"}]},
    "context": {"turn_count": 1, "estimated_tokens": 10},
}
