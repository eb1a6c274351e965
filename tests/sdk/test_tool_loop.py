"""The tool-call loop, both families: a tool call comes back, its result goes in, the answer
follows, and the assistant turn is sent back exactly as it was received."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from mock_api import FIXTURES, MockAPI, async_client, json_response, sync_client

from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message, ToolUseBlock

CHAT = FIXTURES / "openai" / "chat_completion_responses"
MESSAGES = FIXTURES / "anthropic" / "message_responses"


def body(path: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_chat_tool_loop_sends_the_assistant_message_back_as_received() -> None:
    first, last = (
        body(CHAT / "test_parse_pydantic_tool.json"),
        body(CHAT / "test_parse_nothing.json"),
    )
    for echo in ("model", "dict", "constructor"):
        api = MockAPI(json_response(200, first), json_response(200, last))
        client = sync_client(api)
        question = [ChatMessage.user("What's the weather in SF?")]
        answer = client.chat.completions.create(model="gpt-4o", messages=question)
        message = answer.choices[0].message
        assert message.tool_calls, "the first answer calls a tool"
        sent_back: Any = {
            "model": message,
            "dict": message.to_dict(),
            "constructor": ChatMessage.assistant_with_tool_calls(message.tool_calls),
        }[echo]
        results = [ChatMessage.tool(call.id, '{"temp_c": 18}') for call in message.tool_calls]
        final = client.chat.completions.create(
            model="gpt-4o", messages=[*question, sent_back, *results]
        )
        assert final.choices[0].message.content
        turn = api.bodies()[1]["messages"][1]
        if echo == "constructor":
            assert turn == {
                "role": "assistant",
                "content": None,
                "tool_calls": first["choices"][0]["message"]["tool_calls"],
            }
        else:
            assert turn == first["choices"][0]["message"], echo


def test_messages_tool_loop_async_sends_the_content_back_as_received() -> None:
    first = body(MESSAGES / "test_runners__TestSyncRunTools__092be1de_0.json")
    last = body(MESSAGES / "test_runners__TestSyncRunTools__092be1de_1.json")

    async def loop() -> MockAPI:
        api = MockAPI(json_response(200, first), json_response(200, last))
        client = async_client(api)
        question = [Message.user("What's the weather in SF?")]
        answer = await client.messages.create(
            model="claude", system="s", messages=question, max_tokens=256
        )
        calls = [b for b in answer.content if isinstance(b, ToolUseBlock)]
        assert calls, "the first answer uses a tool"
        turn = {"role": "assistant", "content": [b.to_dict() for b in answer.content]}
        results = [Message.tool_result(c.id, "18 degrees and sunny") for c in calls]
        await client.messages.create(
            model="claude", system="s", messages=[*question, turn, *results], max_tokens=256
        )
        return api

    api = asyncio.run(loop())
    assert api.bodies()[1]["messages"][1] == {"role": "assistant", "content": first["content"]}
