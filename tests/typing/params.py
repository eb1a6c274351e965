"""Requests written with literal strings and plain dicts, as users of the peer SDKs write them.

Checked by `mypy --strict` and `pyright --strict` (make typecheck); `test_params_file_runs`
also builds each request, so every line is right at run time too.
"""

from __future__ import annotations

from typing import Any

from chatsdk.chat_completions import ChatCompletionRequest, ChatMessage, ChatMessageParam
from chatsdk.messages import (
    ChatRequest,
    ChatRequestParam,
    ContentBlockParam,
    Message,
    MessageParam,
    ThinkingConfigParam,
)


def chat_request() -> dict[str, Any]:
    history: list[ChatMessageParam] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    ]
    request = ChatCompletionRequest(
        model="m",
        messages=[*history, ChatMessage(role="user", content="and you?")],
        temperature=0.5,
    )
    return request.to_dict()


def messages_request() -> dict[str, Any]:
    blocks: list[ContentBlockParam] = [{"type": "text", "text": "look"}]
    thinking: ThinkingConfigParam = {"type": "enabled", "budget_tokens": 2048}
    turn: MessageParam = {"role": "user", "content": blocks}
    request = ChatRequest(
        model="m",
        messages=[turn, Message(role="assistant", content="ok"), {"role": "user", "content": "go"}],
        thinking=thinking,
        tool_choice={"type": "auto"},
    )
    return request.to_dict()


def as_param() -> ChatRequestParam:
    return {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 16}
