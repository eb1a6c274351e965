"""Every recorded real body and stream line parses with the generated models and round-trips exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from chatsdk import chat_completions, messages

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def _bodies(folder: str) -> list[Any]:
    return [
        pytest.param(p.read_text(encoding="utf-8"), id=p.name)
        for p in sorted((FIXTURES / folder).glob("*.json"))
    ]


def _sse_data(folder: str) -> Iterator[tuple[str, str | None, str]]:
    """(id, event name, data) for each event of each .sse file under ``folder``."""
    for path in sorted((FIXTURES / folder).rglob("*.sse")):
        event: str | None = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("event:"):
                event = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data = line[len("data:") :].strip()
                if data != "[DONE]":
                    yield f"{path.relative_to(FIXTURES / folder)}:{number}", event, data
                event = None


@pytest.mark.parametrize("raw", _bodies("openai/chat_completion_responses"))
def test_chat_completion_bodies_round_trip(raw: str) -> None:
    parsed = chat_completions.ChatCompletionResponse.from_json(raw)
    assert parsed.to_dict() == json.loads(raw)
    assert json.loads(parsed.to_json()) == json.loads(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(data, id=ident)
        for ident, _, data in _sse_data("openai/chat_completion_streams")
    ],
)
def test_chat_completion_chunks_round_trip(raw: str) -> None:
    chunk = chat_completions.ChatCompletionChunk.from_json(raw)
    assert chunk.to_dict() == json.loads(raw)


@pytest.mark.parametrize("raw", _bodies("anthropic/message_responses"))
def test_message_bodies_round_trip(raw: str) -> None:
    parsed = messages.ChatResponse.from_json(raw)
    assert parsed.to_dict() == json.loads(raw)


_EVENTS: TypeAdapter[messages.MessageStreamEvent] = TypeAdapter(messages.MessageStreamEvent)


@pytest.mark.parametrize(
    ("event", "raw"),
    [
        pytest.param(event, data, id=ident)
        for ident, event, data in _sse_data("anthropic/message_streams")
    ],
)
def test_message_stream_events_round_trip(event: str | None, raw: str) -> None:
    parsed = _EVENTS.validate_json(raw)
    assert isinstance(parsed, messages.MessageStreamEvent)
    assert parsed.type == event
    assert parsed.to_dict() == json.loads(raw)


@pytest.mark.parametrize("raw", _bodies("anthropic/error_responses"))
def test_message_error_bodies_round_trip(raw: str) -> None:
    parsed = messages.ErrorResponse.from_json(raw)
    assert parsed.to_dict() == json.loads(raw)
