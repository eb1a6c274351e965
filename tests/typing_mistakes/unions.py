"""Union mistakes a type checker must catch: each `# expect-error` line is an error under both
mypy --strict and pyright --strict, and no other line is (tests/sdk/test_typing_mistakes.py)."""

from __future__ import annotations

from chatsdk import UnknownTag
from chatsdk.messages import ContentBlock, MessageStreamEvent


def not_narrowed(block: ContentBlock) -> str:
    return block.text  # expect-error


def narrowed_to_another_variant(block: ContentBlock) -> str:
    if block.type == "tool_use":
        return block.text  # expect-error
    return ""


def misspelt_tag(block: ContentBlock) -> bool:
    return block.type == "txt"  # expect-error


def event_not_narrowed(event: MessageStreamEvent) -> int:
    return event.index  # expect-error


def raw_tag_of_a_known_variant(block: ContentBlock) -> str:
    if block.type == "text":
        return block.raw_tag  # expect-error
    return ""


def unknown_is_not_a_known_tag(block: ContentBlock) -> str:
    if block.type is UnknownTag.UNKNOWN:
        return block.raw_tag
    return ""
