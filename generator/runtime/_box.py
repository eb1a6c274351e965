# The box is untyped JSON (dicts and lists narrowed from ``Any`` by isinstance), so its
# element types are unknown by nature; mypy --strict still checks this module in full.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false, reportUnknownArgumentType=false
"""What the accumulation's box holds besides plain JSON: text built fragment by fragment,
partial JSON, and the bookkeeping keys; and the JSON helpers the folds and the snapshot share.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TypeGuard

import pydantic_core

from ._errors import APIResponseValidationError, excerpt

__all__ = [
    "BLOCK",
    "HIDDEN",
    "KEY",
    "PARTIAL",
    "ROOT",
    "Text",
    "complete_partial_json",
    "copy_json",
    "is_dict",
    "is_list",
    "parse_json",
    "shared_text",
]

# Bookkeeping kept inside the snapshot's dicts and removed before the final object is built.
HIDDEN = "\x00"
KEY = "\x00key"
PARTIAL = "\x00partial-json:"
ROOT = "root"


BLOCK = 64  # fragments joined at a time by Text


class Text:
    """A string built by ``concat``, fragment by fragment.

    Appending to a ``str`` would copy the whole text for every fragment of a long stream, and
    keeping every fragment would cost about 60 bytes per fragment (a 4-byte token is a 53-byte
    object plus its list slot). So fragments are joined in blocks of ``BLOCK``, and a block
    merges with the last one while that is no longer than it: block sizes keep halving, every
    character is copied O(log n) times, and memory stays close to the text's own size.
    """

    __slots__ = ("blocks", "parts")

    def __init__(self, *parts: str) -> None:
        self.blocks: list[str] = []
        self.parts = [p for p in parts if p]

    def append(self, part: str) -> None:
        parts = self.parts
        parts.append(part)
        if len(parts) >= BLOCK:
            self.join()

    def join(self) -> None:
        """The pending fragments joined into a block (``append`` does it every ``BLOCK``)."""
        parts = self.parts
        if parts:
            block = "".join(parts)
            parts.clear()
            blocks = self.blocks
            while blocks and len(blocks[-1]) <= len(block):
                block = blocks.pop() + block
            blocks.append(block)

    def __str__(self) -> str:
        return "".join(self.blocks + self.parts)


def is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def is_dict(value: object) -> TypeGuard[dict[Any, Any]]:
    return isinstance(value, dict)


def parse_json(text: str, strict: bool) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        if strict:
            raise
    try:
        return pydantic_core.from_json(text, allow_partial=True)
    except ValueError as exc:
        raise APIResponseValidationError(
            f"streamed JSON does not parse: {exc}: {excerpt(text)}"
        ) from exc


def complete_partial_json(target: dict[Any, Any], strict: bool) -> None:
    for buffer_key in [k for k in target if isinstance(k, str) and k.startswith(PARTIAL)]:
        text = str(target[buffer_key])
        if not text.strip():
            del target[buffer_key]  # nothing arrived: keep the block's starting value
            continue
        try:
            target[buffer_key[len(PARTIAL) :]] = parse_json(text, strict)
        except ValueError:
            continue  # not complete JSON yet; the end of the stream parses it leniently
        del target[buffer_key]


def shared_text(text: str) -> str:
    """A text fragment as the stream's text keeps it (``get_final_text()`` holds every one):
    a short one is interned, so the fragments a stream repeats (most tokens) are one string
    each, as the JSON parser's cache makes them when it caches values."""
    return sys.intern(text) if len(text) <= 64 else text


def copy_json(value: Any) -> Any:
    """A copy of JSON data (dicts, lists, scalars): ``copy.deepcopy`` without its bookkeeping."""
    if isinstance(value, dict):
        return {k: copy_json(v) if isinstance(v, (dict, list)) else v for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) if isinstance(v, (dict, list)) else v for v in value]
    return value
