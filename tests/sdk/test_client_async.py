"""The async client: the same calls, streams and retries, and waits that never block the loop."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

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
    sleeps,
    sse_response,
)

from chatsdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    AsyncStream,
    RateLimitError,
    StreamError,
)
from chatsdk.chat_completions import ChatCompletionResponse, ChatMessage
from chatsdk.messages import ChatResponse, Message

HI = [ChatMessage.user("hi")]
ERROR = {"error": {"message": "later", "type": "rate_limit_error"}}
T = TypeVar("T")


def run(factory: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(factory())  # type: ignore[arg-type]


def test_create_sends_the_same_request_as_the_sync_client() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))

    async def main() -> ChatCompletionResponse:
        async with async_client(api) as client:
            return await client.chat.completions.create(model="m", messages=HI, temperature=0.1)

    result = run(main)
    assert result.to_dict() == CHAT_BODY
    assert json.loads(api.last.content) == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.1,
    }
    assert api.last.headers["authorization"] == f"Bearer {API_KEY}"


def test_raw_response_and_messages_auth() -> None:
    api = MockAPI(json_response(200, MESSAGE_BODY, **{"request-id": "req_a"}))

    async def main() -> Any:
        client = async_client(api)
        raw = await client.messages.with_raw_response.create(
            model="m", system="s", messages=[Message.user("hi")]
        )
        await client.close()
        return raw

    raw = run(main)
    assert raw.status_code == 200 and raw.request_id == "req_a"
    assert isinstance(raw.parse(), ChatResponse)
    assert api.last.headers["x-api-key"] == API_KEY


def test_stream_true_yields_typed_events_and_closes_early() -> None:
    body = Body([fixture("anthropic/message_streams/tool_use_response.sse")])
    api = MockAPI(sse_response(body))

    async def main() -> list[str]:
        client = async_client(api)
        stream = await client.messages.create(
            model="m", system="s", messages=[Message.user("hi")], stream=True
        )
        assert isinstance(stream, AsyncStream)
        seen = []
        async with stream:
            async for event in stream:
                seen.append(event.type)
                if event.type == "content_block_start":
                    break
        return seen

    assert run(main) == ["message_start", "content_block_start"]
    assert body.closed


def test_stream_helper_text_stream_and_final_message() -> None:
    api = MockAPI(sse_response(fixture("anthropic/message_streams/tool_use_response.sse")))

    async def main() -> tuple[list[str], ChatResponse]:
        client = async_client(api)
        async with client.messages.stream(
            model="m", system="s", messages=[Message.user("hi")]
        ) as stream:
            texts = [t async for t in stream.text_stream]
            final = await stream.get_final_message()
        return texts, final

    texts, final = run(main)
    assert "".join(texts) == final.first_text()
    assert [b.input for b in final.tool_uses()] == [{"location": "Paris"}]


def test_chat_stream_helper_final_completion() -> None:
    api = MockAPI(
        sse_response(
            fixture("openai/chat_completion_streams/test_parse_multiple_pydantic_tools.sse")
        )
    )

    async def main() -> ChatCompletionResponse:
        async with async_client(api).chat.completions.stream(model="m", messages=HI) as stream:
            return await stream.get_final_completion()

    final = run(main)
    calls = final.choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == ["GetWeatherArgs", "get_stock_price"]


def test_retries_wait_as_asked_and_reuse_the_key() -> None:
    api = MockAPI(
        json_response(429, ERROR, **{"retry-after-ms": "40"}), json_response(200, CHAT_BODY)
    )

    async def main() -> Any:
        client = async_client(api)
        await client.chat.completions.create(model="m", messages=HI)
        return sleeps(client)

    assert run(main) == [0.04]
    assert len({r.headers["idempotency-key"] for r in api.requests}) == 1


def test_retries_exhausted_raise_the_typed_error() -> None:
    api = MockAPI(json_response(429, ERROR))

    async def main() -> None:
        await async_client(api, max_retries=1).chat.completions.create(model="m", messages=HI)

    with pytest.raises(RateLimitError):
        run(main)
    assert len(api.requests) == 2


def test_waiting_for_a_retry_does_not_block_the_event_loop() -> None:
    api = MockAPI(
        json_response(503, ERROR, **{"retry-after-ms": "300"}), json_response(200, CHAT_BODY)
    )

    async def main() -> tuple[int, float]:
        client = AsyncClient(
            base_url="http://api.test",
            api_key="k",
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(api.async_handler)),
        )
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        start = time.monotonic()
        await client.chat.completions.create(model="m", messages=HI)
        elapsed = time.monotonic() - start
        task.cancel()
        return ticks, elapsed

    ticks, elapsed = run(main)
    assert 0.3 <= elapsed < 2.0
    assert ticks >= 10  # the loop kept running while the client waited


def test_total_timeout_is_exact_for_async_calls() -> None:
    body = Body([b'{"id": "x", ', b'"object": "chat.completion", '] * 10, pause=0.1)
    api = MockAPI(httpx2.Response(200, stream=body))

    async def main() -> float:
        start = time.monotonic()
        with pytest.raises(APITimeoutError):
            await async_client(api, max_retries=0).chat.completions.create(
                model="m", messages=HI, timeout=0.25
            )
        return time.monotonic() - start

    assert run(main) < 0.6


def test_stream_retried_before_first_event_but_not_after() -> None:
    stream = fixture("openai/chat_completion_streams/test_parse_pydantic_tool.sse")
    cut = stream.index(b"\n\n")
    api = MockAPI(
        sse_response(Body([stream[:cut]], error=httpx2.ReadError("reset"))),
        lambda request: sse_response(stream),
    )

    async def first() -> int:
        events = await async_client(api).chat.completions.create(
            model="m", messages=HI, stream=True
        )
        return len([e async for e in events])

    assert run(first) == stream.count(b"data: {")
    assert len(api.requests) == 2

    api2 = MockAPI(sse_response(Body([stream[: cut + 2]], error=httpx2.ReadError("reset"))))

    async def second() -> list[Any]:
        events = await async_client(api2).chat.completions.create(
            model="m", messages=HI, stream=True
        )
        got: list[Any] = []
        with pytest.raises(APIConnectionError):
            async for event in events:
                got.append(event)
        return got

    assert len(run(second)) == 1
    assert len(api2.requests) == 1


def test_error_event_raises_stream_error() -> None:
    api = MockAPI(sse_response(fixture("anthropic/message_streams/error_event_overloaded.sse")))

    async def main() -> None:
        events = await async_client(api).messages.create(
            model="m", system="s", messages=[Message.user("x")], stream=True
        )
        async for _ in events:
            pass

    with pytest.raises(StreamError, match="Overloaded"):
        run(main)


def test_async_context_manager_closes_the_client() -> None:
    async def main() -> bool:
        async with AsyncClient(base_url="http://x", api_key="k") as client:
            assert not client.is_closed
        return client.is_closed

    assert run(main)
