"""The public API as users type it; checked by `mypy --strict` and `pyright --strict` (make typecheck).

Not collected by pytest: type checkers read it, and `test_typing_file_runs` executes it once so
every line is also correct at run time.
"""

from __future__ import annotations

from typing import Any

from chatsdk.chat_completions import (
    ChatCompletionRequest,
    ChatCompletionResponse,
    ChatMessage,
    ContentPart,
    FinishReason,
    ImageUrlContentPart,
    TextContentPart,
)
from chatsdk.messages import (
    ChatRequest,
    ChatResponse,
    ContentBlock,
    Message,
    StopReason,
    TextBlock,
    ThinkingConfig,
    ThinkingConfigAdaptive,
    ThinkingConfigEnabled,
    ToolUseBlock,
    UnknownContentBlock,
    content_first_text,
)
from chatsdk.sessions import ContextConfig, SessionChatRequest, SessionContext


def chat_completions() -> str | None:
    parts: list[ContentPart] = [ContentPart.text("look:"), ContentPart.image_url("https://x/a.png")]
    text: TextContentPart = ContentPart.text("hi")
    image: ImageUrlContentPart = ContentPart.image_url("https://x/b.png")
    request = ChatCompletionRequest(
        model="m",
        messages=[
            ChatMessage.system("be brief"),
            ChatMessage.user(parts),
            ChatMessage.tool("c1", "42"),
        ],
        temperature=0.5,
    )
    body: dict[str, Any] = request.to_dict()
    raw: str = request.to_json()
    assert body and raw and text.text and image.image_url.url
    response = ChatCompletionResponse.from_json(
        '{"id":"c","object":"chat.completion","created":1,"model":"m",'
        '"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],'
        '"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
    )
    reason: FinishReason = response.choices[0].finish_reason
    assert reason.is_known and reason is FinishReason.STOP
    return response.choices[0].message.content


def messages() -> tuple[str | None, str | None, list[ToolUseBlock], bool]:
    thinking_a: ThinkingConfigAdaptive = ThinkingConfig.adaptive(effort="high")
    thinking_e: ThinkingConfigEnabled = ThinkingConfig.enabled(ThinkingConfig.DEFAULT_BUDGET_TOKENS)
    request = ChatRequest(
        model="m",
        system="s",
        messages=[
            Message.user("hi"),
            Message.assistant_with_tool_use(None, id="t1", name="f", input={"a": 1}),
            Message.tool_result("t1", "ok", is_error=False),
        ],
        thinking=thinking_a,
    )
    explicit: bool = request.is_set("max_tokens")
    assert not explicit and thinking_e.budget_tokens >= ThinkingConfig.MIN_BUDGET_TOKENS
    response = ChatResponse.from_dict(
        {
            "id": "m1",
            "model": "m",
            "content": [{"type": "text", "text": "hi"}, {"type": "x-future", "v": 1}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    for block in response.content:
        block_base: ContentBlock = block
        if isinstance(block, TextBlock):
            assert block.text
        elif isinstance(block, UnknownContentBlock):
            assert block.raw_tag == "x-future" and block_base is block
    stop: StopReason | None = response.stop_reason
    stop_text: str = stop.as_str() if stop is not None else ""
    assert stop_text == "end_turn"
    first: str | None = content_first_text("plain")
    assert first == "plain"
    return (
        response.first_text(),
        response.first_thinking(),
        response.tool_uses(),
        response.has_tool_use(),
    )


def sessions() -> bool:
    request = SessionChatRequest(
        message="hi", context_config=ContextConfig(max_tokens=8000, auto_compact=True)
    )
    context = SessionContext.from_json('{"turn_count": 1, "estimated_tokens": 2}')
    return bool(request.to_dict()) and context.compacted is False


if __name__ == "__main__":
    print(chat_completions(), messages(), sessions())
