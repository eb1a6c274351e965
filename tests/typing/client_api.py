"""The client as users type it; checked by `mypy --strict` and `pyright --strict` (make typecheck).

The functions are never called: what matters is that each annotated assignment type-checks,
so the overloads on ``stream`` and the parameter types say what the methods do.
"""

from __future__ import annotations

from chatsdk import (
    NOT_GIVEN,
    APIError,
    AsyncClient,
    AsyncStream,
    AsyncStreamingResponse,
    Client,
    RateLimitError,
    RawResponse,
    Stream,
    StreamingResponse,
)
from chatsdk.chat_completions import ChatCompletionChunk, ChatCompletionResponse, ChatMessage
from chatsdk.messages import ChatResponse, Message, MessageStreamEvent, ThinkingConfig
from chatsdk.sessions import ContextConfig, SessionChatResponse, SessionStreamEvent


def sync_calls(client: Client) -> None:
    response: ChatCompletionResponse = client.chat.completions.create(
        model="m",
        messages=[ChatMessage.user("hi"), {"role": "user", "content": "hi"}],
        temperature=0.5,
        reasoning_effort="low",
        tool_choice="auto",
        stop=["END"],
        max_tokens=NOT_GIVEN,
        timeout=10,
        max_retries=0,
        extra_headers={"x-trace": "1"},
    )
    chunks: Stream[ChatCompletionChunk] = client.chat.completions.create(
        model="m", messages=[ChatMessage.user("hi")], stream=True
    )
    for chunk in chunks:
        print(chunk.choices)
    either: ChatCompletionResponse | Stream[ChatCompletionChunk] = client.chat.completions.create(
        model="m", messages=[], stream=bool(response.id)
    )
    print(either)
    with client.chat.completions.stream(model="m", messages=[ChatMessage.user("hi")]) as s:
        texts: list[str] = list(s.text_stream)
        final: ChatCompletionResponse = s.get_final_completion()
        print(texts, final)
    message: ChatResponse = client.messages.create(
        model="m", system="s", messages=[Message.user("hi")], thinking=ThinkingConfig.adaptive()
    )
    events: Stream[MessageStreamEvent] = client.messages.create(
        model="m", system="s", messages=[Message.user("hi")], stream=True
    )
    with client.messages.stream(model="m", system="s", messages=[Message.user("hi")]) as ms:
        final_message: ChatResponse = ms.get_final_message()
        print(final_message)
    session: SessionChatResponse = client.sessions.chat(
        message="hi", context_config=ContextConfig(max_tokens=8000, auto_compact=True)
    )
    session_events: Stream[SessionStreamEvent] = client.sessions.chat(message="hi", stream=True)
    raw: RawResponse[ChatResponse] = client.messages.with_raw_response.create(
        model="m", system="s", messages=[Message.user("hi")]
    )
    status: int = raw.status_code
    request_id: str | None = raw.request_id
    parsed: ChatResponse = raw.parse()
    print(message, events, session, session_events, status, request_id, parsed)


async def async_calls(client: AsyncClient) -> None:
    response: ChatCompletionResponse = await client.chat.completions.create(
        model="m", messages=[ChatMessage.user("hi")]
    )
    chunks: AsyncStream[ChatCompletionChunk] = await client.chat.completions.create(
        model="m", messages=[ChatMessage.user("hi")], stream=True
    )
    async for chunk in chunks:
        print(chunk.id)
    async with client.messages.stream(model="m", system="s", messages=[Message.user("hi")]) as s:
        async for text in s.text_stream:
            print(text)
        final: ChatResponse = await s.get_final_message()
        print(final)
    try:
        await client.sessions.chat(message="hi")
    except RateLimitError as error:
        code: int | None = error.status_code
        print(code, error.request_id, error.body)
    except APIError:
        pass
    print(response)


def parity_sync(client: Client) -> None:
    copied: Client = client.with_options(timeout=5, default_headers={"x": "1"})
    copied = client.copy(api_key="k", set_default_query={"q": "1"}, http_client=None)
    with copied.messages.with_streaming_response.create(
        model="m", system="s", messages=[Message.user("hi")]
    ) as response:
        head: StreamingResponse[ChatResponse] = response
        lines: list[str] = list(head.iter_lines())
        message: ChatResponse = response.parse()
    with client.messages.with_streaming_response.create(
        model="m", system="s", messages=[Message.user("hi")], stream=True
    ) as streamed:
        events: Stream[MessageStreamEvent] = streamed.parse()
    with client.messages.stream(model="m", system="s", messages=[Message.user("hi")]) as s:
        text: str = s.get_final_text()
    del lines, message, events, text


async def parity_async(client: AsyncClient) -> None:
    copied: AsyncClient = client.with_options(max_retries=0)
    async with copied.chat.completions.with_streaming_response.create(
        model="m", messages=[ChatMessage.user("hi")]
    ) as response:
        head: AsyncStreamingResponse[ChatCompletionResponse] = response
        chunks: list[bytes] = [chunk async for chunk in head.iter_bytes()]
        result: ChatCompletionResponse = await response.parse()
    async with client.messages.stream(model="m", system="s", messages=[Message.user("hi")]) as s:
        text: str = await s.get_final_text()
    del chunks, result, text
