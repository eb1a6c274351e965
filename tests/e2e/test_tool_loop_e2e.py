"""The tool-call loop against the reference server, both families, sync and async, plain and
streamed: a tool call comes back, the assistant turn goes back exactly as received (the model
itself, or its ``to_dict()``) with the tool results, and the final answer follows.

The server (``x-sdkforge-scenario: tool-loop``) keeps the turn it sent and refuses, with 400, a
follow-up whose turn differs from it, so a turn the SDK changed on the way fails here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import chatsdk
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message

from .conftest import RunningServer
from .families import CHAT, MESSAGES, client_options

LOOP = {"x-sdkforge-scenario": "tool-loop"}
CHAT_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
MESSAGES_TOOL = {
    "name": "lookup_weather",
    "description": "Current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
QUESTION = "What's the weather in Paris?"
RESULT = '{"temp_c": 18}'


def _call(
    client: Any, family: str, streamed: bool, turns: list[Any], headers: dict[str, str]
) -> Any:
    """One request of the loop; an awaitable with an async client."""
    if family == CHAT:
        kwargs: dict[str, Any] = {
            "model": "gpt-4o",
            "messages": turns,
            "tools": [CHAT_TOOL],
            "parallel_tool_calls": False,
            "extra_headers": headers,
        }
        if not streamed:
            return client.chat.completions.create(**kwargs)
        manager = client.chat.completions.stream(**kwargs, stream_options={"include_usage": True})
        return _final(manager, "get_final_completion")
    kwargs = {
        "model": "claude-sonnet-4-5",
        "messages": turns,
        "tools": [MESSAGES_TOOL],
        "max_tokens": 1024,
        "extra_headers": headers,
    }
    if not streamed:
        return client.messages.create(**kwargs)
    return _final(client.messages.stream(**kwargs), "get_final_message")


def _final(manager: Any, getter: str) -> Any:
    if hasattr(manager, "__aenter__"):

        async def read() -> Any:
            async with manager as s:
                return await getattr(s, getter)()

        return read()
    with manager as s:
        return getattr(s, getter)()


async def _await(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


def _turn_back(family: str, answer: Any, echo: str) -> Any:
    """The assistant turn as a user sends it back: the model, or its ``to_dict()``."""
    if family == CHAT:
        message = answer.choices[0].message
        return message if echo == "model" else message.to_dict()
    if echo == "model":
        return Message(role="assistant", content=answer.content)
    return {"role": "assistant", "content": [block.to_dict() for block in answer.content]}


def _results(family: str, answer: Any) -> list[Any]:
    if family == CHAT:
        return [ChatMessage.tool(call.id, RESULT) for call in answer.choices[0].message.tool_calls]
    return [
        Message(
            role="user",
            content=[
                {"type": "tool_result", "tool_use_id": use.id, "content": RESULT}
                for use in answer.tool_uses()
            ],
        )
    ]


def _question(family: str) -> Any:
    return ChatMessage.user(QUESTION) if family == CHAT else Message.user(QUESTION)


def _first_text(family: str, answer: Any) -> str | None:
    if family == CHAT:
        text: str | None = answer.choices[0].message.content
        return text
    return next((b.text for b in answer.content if b.type == "text"), None)


def _called(family: str, answer: Any) -> list[str]:
    if family == CHAT:
        return [c.function.name for c in answer.choices[0].message.tool_calls or []]
    return [use.name for use in answer.tool_uses()]


def run_loop(
    server: RunningServer,
    mode: str,
    family: str,
    streamed: bool,
    echo: str,
    example: int | None = None,
    tamper: Callable[[Any], Any] | None = None,
) -> tuple[Any, Any]:
    """Ask, answer the tool call, and return (the tool-call answer, the final answer)."""
    headers = dict(LOOP)
    if example is not None:
        headers["x-sdkforge-example"] = str(example)
    question = _question(family)

    def follow_up(first: Any) -> list[Any]:
        turn = _turn_back(family, first, echo)
        if tamper is not None:
            turn = tamper(turn)
        return [question, turn, *_results(family, first)]

    settings = client_options(server.url, max_retries=0)
    if mode == "sync":
        with chatsdk.Client(**settings) as client:
            first = _call(client, family, streamed, [question], headers)
            return first, _call(client, family, streamed, follow_up(first), LOOP)

    async def main() -> tuple[Any, Any]:
        async with chatsdk.AsyncClient(**settings) as client:
            first = await _await(_call(client, family, streamed, [question], headers))
            final = await _await(_call(client, family, streamed, follow_up(first), LOOP))
            return first, final

    return asyncio.run(main())


CASES = [
    pytest.param(family, example, id=f"{family}-example{example}")
    for family, example in ((CHAT, 1), (MESSAGES, 1), (MESSAGES, 2))
]


@pytest.mark.parametrize("echo", ["model", "dict"])
@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("family", "example"), CASES)
def test_tool_call_then_result_then_final_answer(
    server: RunningServer, family: str, example: int, mode: str, streamed: bool, echo: str
) -> None:
    first, final = run_loop(server, mode, family, streamed, echo, example)
    assert _called(family, first) == ["lookup_weather"]  # the request's tool, by name
    assert not _called(family, final)
    assert _first_text(family, final)


def _drop_refusal(turn: Any) -> Any:
    data = turn.to_dict() if hasattr(turn, "to_dict") else dict(turn)
    del data["refusal"]
    return data


def _drop_signature(turn: Any) -> Any:
    data = turn.to_dict() if hasattr(turn, "to_dict") else dict(turn)
    data["content"] = [{k: v for k, v in b.items() if k != "signature"} for b in data["content"]]
    return data


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("family", "example", "tamper", "pointer"),
    [
        (CHAT, 1, _drop_refusal, "/messages/1/refusal"),
        (MESSAGES, 2, _drop_signature, "/messages/1/content/0/signature"),
    ],
)
def test_a_turn_that_is_not_the_one_sent_is_refused(
    server: RunningServer,
    family: str,
    example: int,
    tamper: Callable[[Any], Any],
    pointer: str,
    mode: str,
) -> None:
    with pytest.raises(chatsdk.InvalidRequestError) as caught:
        run_loop(server, mode, family, False, "dict", example, tamper)
    assert pointer in str(caught.value)
    assert "differs from the one this server sent" in str(caught.value)
