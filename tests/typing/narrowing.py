"""Reading unions as users of the peer SDKs write it: by the tag, with no isinstance.

Checked by `mypy --strict` and `pyright --strict` (make typecheck); `test_narrowing_file_runs`
also runs it on parsed answers, so every line is right at run time too.
"""

from __future__ import annotations

from typing import Any

from chatsdk import UnknownTag
from chatsdk.messages import ChatResponse, ContentBlock, ContentBlockDelta, MessageStreamEvent
from chatsdk.sessions import SessionStreamEvent


def texts(response: ChatResponse) -> list[str]:
    out: list[str] = []
    for block in response.content:
        if block.type == "text":
            out.append(block.text)
        elif block.type == "tool_use":
            out.append(f"{block.name}({block.input})")
        elif block.type == "thinking":
            out.append(block.thinking)
        elif block.type is UnknownTag.UNKNOWN:
            out.append(f"<{block.raw_tag}>")
    return out


def describe(block: ContentBlock) -> str:
    match block.type:
        case "text":
            return block.text
        case "tool_use":
            return block.name
        case _:
            return "other"


def every_member_serialises(block: ContentBlock) -> dict[str, Any]:
    return block.to_dict()


def delta_text(delta: ContentBlockDelta) -> str:
    if delta.type == "text_delta":
        return delta.text
    if delta.type == "input_json_delta":
        return delta.partial_json
    return ""


def stream_text(events: list[MessageStreamEvent]) -> str:
    text = ""
    for event in events:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            text += event.delta.text
        elif event.type == "message_start":
            text += event.message.id[:0]
    return text


def session_text(events: list[SessionStreamEvent]) -> str:
    return "".join(
        e.delta.text for e in events if e.type == "content_delta" and e.delta.type == "text_delta"
    )


def unknown_payload(block: ContentBlock) -> object:
    if block.type is UnknownTag.UNKNOWN:
        return block.frames  # any property of a block this SDK does not know: typed Any
    return None
