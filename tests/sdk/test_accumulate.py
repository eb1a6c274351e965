"""Accumulators: every real stream folds into the object its events describe.

The rules come from the schemas' ``x-sdk-accumulate`` annotations (``chatsdk._operations``);
these tests feed recorded streams, and hand-made ones for what real servers do at the edges,
and compare the final object with the concatenation of the events' own deltas.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx2
import pydantic_core
import pytest

from chatsdk import (
    APIResponseValidationError,
    APIStreamIncompleteError,
    StreamError,
    UnknownVariant,
)
from chatsdk import _operations as ops
from chatsdk._streaming import StreamSpec, iter_items
from chatsdk.chat_completions import ChatCompletionChunk, ChatCompletionResponse
from chatsdk.messages import (
    ChatResponse,
    ContentBlockDeltaEvent,
    TextBlock,
    ToolUseBlock,
    UnknownContentBlock,
)
from chatsdk.sessions import SessionChatResponse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"
OPENAI_STREAMS = sorted((FIXTURES / "openai" / "chat_completion_streams").glob("*.sse"))
ANTHROPIC_STREAMS = sorted(
    p
    for p in (FIXTURES / "anthropic" / "message_streams").rglob("*.sse")
    if p.name != "error_event_overloaded.sse"
)
CHAT = ops.CREATE_CHAT_COMPLETION.stream
MESSAGES = ops.CREATE_MESSAGE.stream
SESSIONS = ops.CHAT_SESSION.stream
assert CHAT is not None and MESSAGES is not None and SESSIONS is not None


def response_of(raw: bytes) -> httpx2.Response:
    return httpx2.Response(200, content=raw, request=httpx2.Request("POST", "http://api.test/x"))


def events_of(spec: StreamSpec[Any, Any], raw: bytes) -> list[Any]:
    return list(iter_items(response_of(raw), spec))


def events_before_the_end(spec: StreamSpec[Any, Any], raw: bytes) -> list[Any]:
    """The events of a stream cut before its terminal event, which must say so."""
    events: list[Any] = []
    with pytest.raises(APIStreamIncompleteError):
        for event in iter_items(response_of(raw), spec):
            events.append(event)
    return events


def fold(spec: StreamSpec[Any, Any], events: list[Any]) -> Any:
    accumulator = spec.accumulator()
    for event in events:
        accumulator.add(event)
    return accumulator.final()


def sse(*payloads: dict[str, Any], named: bool = False) -> bytes:
    out = []
    for payload in payloads:
        head = f"event: {payload['type']}\n" if named else ""
        out.append(f"{head}data: {json.dumps(payload)}\n\n")
    if not named:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


# --- chat completions -------------------------------------------------------------------


def chat_expectations(chunks: list[ChatCompletionChunk]) -> dict[int, dict[str, Any]]:
    """Per choice: text, refusal, finish reason and tool calls as the deltas spell them."""
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"content": None, "refusal": None, "finish": None, "calls": {}}
    )
    for chunk in chunks:
        for choice in chunk.choices:
            seen = out[choice.index]
            delta = choice.delta
            for field in ("content", "refusal"):
                piece = getattr(delta, field)
                if piece is not None:
                    seen[field] = (seen[field] or "") + piece
            if choice.finish_reason is not None:
                seen["finish"] = choice.finish_reason
            for call in delta.tool_calls or []:
                assert call.index is not None
                entry = seen["calls"].setdefault(call.index, {"id": None, "name": None, "args": ""})
                entry["id"] = call.id or entry["id"]
                if call.function is not None:
                    entry["name"] = call.function.name or entry["name"]
                    entry["args"] += call.function.arguments or ""
    return out


@pytest.mark.parametrize("path", OPENAI_STREAMS, ids=lambda p: p.stem)
def test_chat_stream_folds_into_its_deltas(path: Path) -> None:
    chunks = events_of(CHAT, path.read_bytes())
    final = fold(CHAT, chunks)
    assert isinstance(final, ChatCompletionResponse)
    assert final.object == "chat.completion"
    assert final.id == chunks[0].id and final.model == chunks[0].model
    expected = chat_expectations(chunks)
    assert [c.index for c in final.choices] == sorted(expected)
    for choice in final.choices:
        seen = expected[choice.index]
        assert choice.message.content == seen["content"]
        assert choice.message.refusal == seen["refusal"]
        assert choice.finish_reason == seen["finish"]
        calls = choice.message.tool_calls or []
        assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
            (e["id"], e["name"], e["args"]) for _, e in sorted(seen["calls"].items())
        ]
        for call in calls:
            json.loads(call.function.arguments)  # complete JSON, not fragments
            assert "index" not in call.to_dict()
    usage = [c.usage for c in chunks if c.usage is not None]
    assert final.usage == (usage[-1] if usage else None)


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in OPENAI_STREAMS
        if (p.parent.parent / "chat_completion_responses" / (p.stem + ".json")).exists()
    ],
    ids=lambda p: p.stem,
)
def test_chat_stream_equals_the_recorded_body_where_the_content_matches(path: Path) -> None:
    final = fold(CHAT, events_of(CHAT, path.read_bytes())).to_dict()
    body = json.loads(
        (path.parent.parent / "chat_completion_responses" / (path.stem + ".json")).read_text()
    )

    def content(message: dict[str, Any]) -> Any:
        calls = [
            (c["function"]["name"], c["function"]["arguments"])
            for c in message.get("tool_calls", [])
        ]
        return (message.get("content"), message.get("refusal"), calls)

    compared = 0
    for got, want in zip(final["choices"], body["choices"], strict=False):
        if content(got["message"]) != content(want["message"]):
            continue  # a different recording of the same test: the model said something else
        compared += 1
        for message in (got["message"], want["message"]):
            message.setdefault("refusal", None)
            for call in message.get("tool_calls", []):
                call.pop("id")  # ids differ between recordings
        assert got == want
    if path.stem == "test_parse_max_tokens_reached":
        assert compared == 1  # at least one stream is the same answer as its body


def test_chat_n_choices_interleaved_and_usage_only_last_chunk() -> None:
    path = (
        FIXTURES
        / "openai"
        / "chat_completion_streams"
        / "test_parse_pydantic_model_multiple_choices.sse"
    )
    chunks = events_of(CHAT, path.read_bytes())
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    final = fold(CHAT, chunks)
    assert [c.index for c in final.choices] == [0, 1, 2]
    assert all(json.loads(c.message.content or "") for c in final.choices)
    assert final.usage == chunks[-1].usage


def test_chat_logprobs_are_appended_in_order() -> None:
    path = FIXTURES / "openai" / "chat_completion_streams" / "test_content_logprobs_events.sse"
    chunks = events_of(CHAT, path.read_bytes())
    final = fold(CHAT, chunks)
    tokens = [
        t.token
        for c in chunks
        for ch in c.choices
        if ch.logprobs
        for t in ch.logprobs.content or []
    ]
    assert final.choices[0].logprobs is not None
    assert [t.token for t in final.choices[0].logprobs.content or []] == tokens
    assert "".join(tokens) == final.choices[0].message.content


def _chunk(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": choices,
        **extra,
    }


def _delta(delta: dict[str, Any], index: int = 0, finish: str | None = None) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": finish}


def test_chat_tool_calls_without_index_are_told_apart_by_id() -> None:
    raw = sse(
        _chunk(
            [
                _delta(
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "id": "a",
                                "type": "function",
                                "function": {"name": "f", "arguments": '{"x"'},
                            }
                        ],
                    }
                )
            ]
        ),
        _chunk([_delta({"tool_calls": [{"function": {"arguments": ": 1}"}}]})]),
        _chunk(
            [
                _delta(
                    {
                        "tool_calls": [
                            {
                                "id": "b",
                                "type": "function",
                                "function": {"name": "g", "arguments": "{}"},
                            }
                        ]
                    }
                )
            ]
        ),
        _chunk([_delta({}, finish="tool_calls")]),
    )
    final = fold(CHAT, events_of(CHAT, raw))
    calls = final.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("a", "f", '{"x": 1}'),
        ("b", "g", "{}"),
    ]


def test_chat_repeated_first_fragment_does_not_double_id_or_name() -> None:
    first = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": ""},
    }
    raw = sse(
        _chunk([_delta({"role": "assistant", "tool_calls": [first]})]),
        _chunk([_delta({"tool_calls": [first]})]),
        _chunk(
            [
                _delta(
                    {
                        "tool_calls": [
                            {**first, "function": {"name": "get_weather", "arguments": '{"city":'}}
                        ]
                    }
                )
            ]
        ),
        _chunk([_delta({"tool_calls": [{"index": 0, "function": {"arguments": ' "Paris"}'}}]})]),
        _chunk([_delta({}, finish="tool_calls")]),
    )
    calls = fold(CHAT, events_of(CHAT, raw)).choices[0].message.tool_calls or []
    assert len(calls) == 1
    assert (calls[0].id, calls[0].type, calls[0].function.name) == (
        "call_1",
        "function",
        "get_weather",
    )
    assert json.loads(calls[0].function.arguments) == {"city": "Paris"}


def test_chat_duplicate_index_in_one_chunk_merges_into_one_call() -> None:
    raw = sse(
        _chunk(
            [
                _delta(
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c",
                                "type": "function",
                                "function": {"name": "f", "arguments": '{"a"'},
                            },
                            {"index": 0, "function": {"arguments": ": 2}"}},
                        ],
                    }
                )
            ]
        ),
        _chunk([_delta({}, finish="tool_calls")]),
    )
    calls = fold(CHAT, events_of(CHAT, raw)).choices[0].message.tool_calls or []
    assert [c.function.arguments for c in calls] == ['{"a": 2}']


def test_chat_reasoning_content_and_unknown_fields_are_kept() -> None:
    raw = sse(
        _chunk([_delta({"role": "assistant", "reasoning_content": "think ", "vendor_field": 1})]),
        _chunk(
            [_delta({"reasoning_content": "more", "content": "answer"})], service_tier="default"
        ),
        _chunk([_delta({}, finish="stop")]),
    )
    final = fold(CHAT, events_of(CHAT, raw))
    message = final.choices[0].message
    assert message.reasoning_content == "think more"
    assert message.content == "answer"
    assert message.to_dict()["vendor_field"] == 1
    assert final.service_tier == "default"
    assert final.usage is None  # no usage chunk: absent, not an error


def test_chat_text_stream_is_the_first_choice() -> None:
    raw = sse(
        _chunk(
            [
                _delta({"role": "assistant", "content": "A"}, 0),
                _delta({"role": "assistant", "content": "x"}, 1),
            ]
        ),
        _chunk([_delta({"content": "B"}, 0), _delta({"content": "y"}, 1)]),
    )
    accumulator = CHAT.accumulator()
    texts = [t for event in events_of(CHAT, raw) for t in accumulator.add(event)]
    assert texts == ["A", "B"]


def test_chat_incomplete_stream_does_not_add_up() -> None:
    raw = sse(_chunk([_delta({"role": "assistant", "content": "cut"})]))
    with pytest.raises(APIResponseValidationError, match="finish_reason"):
        fold(CHAT, events_of(CHAT, raw))


# --- messages ---------------------------------------------------------------------------


def message_expectations(events: list[Any]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"text": "", "thinking": "", "json": "", "citations": [], "signature": None}
    )
    for event in events:
        if not isinstance(event, ContentBlockDeltaEvent):
            continue
        delta, seen = event.delta.to_dict(), out[event.index]
        kind = delta["type"]
        if kind == "text_delta":
            seen["text"] += delta["text"]
        elif kind == "thinking_delta":
            seen["thinking"] += delta["thinking"]
        elif kind == "input_json_delta":
            seen["json"] += delta["partial_json"]
        elif kind == "citations_delta":
            seen["citations"].append(delta["citation"])
        elif kind == "signature_delta":
            seen["signature"] = delta["signature"]
    return out


@pytest.mark.parametrize("path", ANTHROPIC_STREAMS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_message_stream_folds_into_its_deltas(path: Path) -> None:
    events = events_of(MESSAGES, path.read_bytes())
    final = fold(MESSAGES, events)
    assert isinstance(final, ChatResponse)
    start = events[0].message
    assert (final.id, final.model) == (start.id, start.model)
    starts = {e.index: e.content_block for e in events if e.type == "content_block_start"}
    assert len(final.content) == len(starts)
    for index, seen in message_expectations(events).items():
        block = final.content[index].to_dict()
        kind = starts[index].to_dict()["type"]
        if kind == "text":
            assert block["text"] == seen["text"]
            if seen["citations"]:
                assert block["citations"] == seen["citations"]
        elif kind == "thinking":
            assert block["thinking"] == seen["thinking"]
            assert block.get("signature") == seen["signature"]
        elif kind in ("tool_use", "server_tool_use"):
            text = seen["json"]
            try:
                expected = json.loads(text) if text.strip() else starts[index].to_dict()["input"]
            except ValueError:  # a stream cut off mid-input: parsed as far as it goes
                expected = pydantic_core.from_json(text, allow_partial=True)
            assert block["input"] == expected
    deltas = [e for e in events if e.type == "message_delta"]
    if deltas:
        assert final.stop_reason == deltas[-1].delta.stop_reason
        assert final.usage.output_tokens == deltas[-1].usage.output_tokens
        repeated = deltas[-1].usage.input_tokens  # message_delta counts replace the start's
        expected_input = repeated if repeated is not None else start.usage.input_tokens
        assert final.usage.input_tokens == expected_input


def test_message_tool_use_input_is_assembled_at_block_stop() -> None:
    path = FIXTURES / "anthropic" / "message_streams" / "tool_use_response.sse"
    events = events_of(MESSAGES, path.read_bytes())
    accumulator = MESSAGES.accumulator()
    stop_seen = False
    for event in events:
        accumulator.add(event)
        block = (accumulator.snapshot().get("content") or [None, None])[-1]
        if event.type == "content_block_stop" and event.index == 1:
            stop_seen = True
        if isinstance(block, dict) and block.get("type") == "tool_use" and stop_seen:
            assert block["input"] == {"location": "Paris"}
    final = accumulator.final()
    assert [b.input for b in final.tool_uses()] == [{"location": "Paris"}]
    assert final.has_tool_use() and final.stop_reason == "tool_use"


def test_message_thinking_signature_and_citations() -> None:
    raw = sse(
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "x",
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 5, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "Let me "},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "think."},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": "sig=="},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "text", "text": "", "citations": []},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {
                "type": "citations_delta",
                "citation": {
                    "type": "char_location",
                    "cited_text": "g",
                    "document_index": 0,
                    "start_char_index": 0,
                    "end_char_index": 1,
                },
            },
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "text_delta", "text": "Grass is green."},
        },
        {"type": "content_block_stop", "index": 1},
        {"type": "ping"},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 30, "input_tokens": None},
        },
        {"type": "message_stop"},
        named=True,
    )
    final = fold(MESSAGES, events_of(MESSAGES, raw))
    assert final.first_thinking() == "Let me think."
    assert final.content[0].to_dict()["signature"] == "sig=="
    text = final.content[1]
    assert isinstance(text, TextBlock) and text.text == "Grass is green."
    assert [c.cited_text for c in text.citations or []] == ["g"]
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (5, 30)  # a null does not erase


def test_message_unknown_blocks_and_deltas_are_kept() -> None:
    raw = sse(
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "x",
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "hologram", "frames": []},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "frame_delta", "frames": [1]},
        },
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "hi"}},
        {"type": "content_block_stop", "index": 1},
        {"type": "telemetry", "anything": True},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "brand_new_reason"},
            "usage": {"output_tokens": 2},
        },
        named=True,
    )
    events = events_before_the_end(MESSAGES, raw)
    tags = [e.raw_tag if isinstance(e, UnknownVariant) else e.type for e in events]
    assert tags.count("telemetry") == 1  # surfaced, not dropped
    final = fold(MESSAGES, events)
    assert isinstance(final.content[0], UnknownContentBlock)
    assert final.content[0].to_dict() == {"type": "hologram", "frames": []}
    assert final.first_text() == "hi"
    assert final.stop_reason == "brand_new_reason" and not final.stop_reason.is_known


def test_message_incomplete_tool_input_is_parsed_as_far_as_it_goes() -> None:
    path = FIXTURES / "anthropic" / "message_streams" / "incomplete_partial_json_response.sse"
    final = fold(MESSAGES, events_of(MESSAGES, path.read_bytes()))
    block = final.content[1]
    assert isinstance(block, ToolUseBlock)
    assert block.input["filename"] == "taxes.txt"
    assert block.input["lines_of_text"][:2] == [
        "# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s",
        "",
    ]
    assert final.stop_reason == "max_tokens"


def test_message_error_event_raises_stream_error_with_the_parsed_body() -> None:
    raw = (FIXTURES / "anthropic" / "message_streams" / "error_event_overloaded.sse").read_bytes()
    with pytest.raises(StreamError) as caught:
        events_of(MESSAGES, raw)
    error = caught.value
    assert error.error_type == "overloaded_error"
    assert "Overloaded" in str(error)
    assert type(error.body).__name__ == "ErrorResponse"
    assert error.body.error.message == "Overloaded"


def test_message_compaction_block_is_filled_by_its_delta() -> None:
    path = FIXTURES / "anthropic" / "message_streams" / "compaction_response.sse"
    final = fold(MESSAGES, events_of(MESSAGES, path.read_bytes()))
    assert final.content[0].to_dict() == {
        "type": "compaction",
        "content": "Earlier conversation summarized.",
        "encrypted_content": "EpwBCioIDxgCEAEYASJALd_opaque_compaction_payload",
    }


# --- sessions ---------------------------------------------------------------------------

SESSION_END = {
    "type": "session_end",
    "session_id": "sess_1",
    "response": {
        "id": "r1",
        "model": "m",
        "content": [{"type": "text", "text": "Hello! Hi."}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 4},
    },
    "context": {"turn_count": 1, "estimated_tokens": 20, "compacted": True, "compaction_note": "n"},
}


def test_session_stream_folds_into_the_final_response() -> None:
    raw = sse(
        {"type": "session_start", "session_id": "sess_1"},
        {
            "type": "content_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "Greet"},
        },
        {"type": "content_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hello!"}},
        {"type": "content_delta", "index": 1, "delta": {"type": "text_delta", "text": " Hi."}},
        SESSION_END,
        named=True,
    )
    events = events_of(SESSIONS, raw)
    accumulator = SESSIONS.accumulator()
    texts = [t for e in events[:-1] for t in accumulator.add(e)]
    assert texts == ["Hello!", " Hi."]
    assert accumulator.snapshot() == {
        "session_id": "sess_1",
        "response": {
            "content": [
                {"type": "thinking", "thinking": "Greet"},
                {"type": "text", "text": "Hello! Hi."},
            ]
        },
    }
    accumulator.add(events[-1])
    final = accumulator.final()
    assert isinstance(final, SessionChatResponse)
    assert final.to_dict() == {k: v for k, v in SESSION_END.items() if k != "type"}
    assert final.context.compacted


def test_session_tool_use_event_is_appended_to_the_reply() -> None:
    raw = sse(
        {"type": "session_start", "session_id": "s"},
        {"type": "content_delta", "index": 0, "delta": {"type": "text_delta", "text": "Checking."}},
        {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}},
        named=True,
    )
    accumulator = SESSIONS.accumulator()
    for event in events_before_the_end(SESSIONS, raw):
        accumulator.add(event)
    assert accumulator.snapshot()["response"]["content"] == [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}},
    ]
    with pytest.raises(APIResponseValidationError, match="SessionChatResponse"):
        accumulator.final()  # no session_end: no reply id, no context


def test_session_error_event_raises() -> None:
    raw = sse(
        {"type": "session_start", "session_id": "s"},
        {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}},
        named=True,
    )
    with pytest.raises(StreamError, match="busy"):
        events_of(SESSIONS, raw)


def test_rules_cover_every_delta_variant() -> None:
    """Every variant of a union that a merge folds in has rules (its tag is ignored), so a
    new delta type in the schema cannot silently overwrite a block's type."""
    from chatsdk import messages, sessions

    for union in (messages.ContentBlockDelta, sessions.SessionDelta):
        variants = [
            cls
            for cls in vars(messages).values()
            if isinstance(cls, type) and issubclass(cls, union) and cls is not union
        ]
        variants += [
            cls
            for cls in vars(sessions).values()
            if isinstance(cls, type) and issubclass(cls, union) and cls is not union
        ]
        assert variants
        for cls in variants:
            assert cls in ops.ACCUMULATE, cls.__name__


# --- the generator side -----------------------------------------------------------------


def _broken_schemas(tmp_path: Path, old: str, new: str) -> Path:
    import shutil

    root = Path(__file__).resolve().parents[2] / "schemas"
    target = tmp_path / "schemas"
    shutil.copytree(root, target)
    path = target / "messages.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_an_unknown_placeholder_in_a_path_is_a_located_error(tmp_path: Path) -> None:
    from generator.core.errors import SchemaErrors
    from generator.pipeline import build_package

    schemas = _broken_schemas(
        tmp_path,
        "x-sdk-accumulate: {strategy: merge, at: '/content/{index}'}",
        "x-sdk-accumulate: {strategy: merge, at: '/content/{idx}'}",
    )
    with pytest.raises(SchemaErrors) as caught:
        build_package(schemas)
    (error,) = caught.value.errors
    assert error.file == "schemas/messages.yaml"
    assert error.pointer.endswith("/ContentBlockDeltaEvent/properties/delta/x-sdk-accumulate")
    assert "{idx}" in error.message


def test_a_misspelt_strategy_is_a_load_error(tmp_path: Path) -> None:
    from generator.core.errors import SchemaErrors
    from generator.core.load import load

    schemas = _broken_schemas(
        tmp_path,
        "x-sdk-accumulate: {strategy: partial-json, into: input}",
        "x-sdk-accumulate: {strategy: partial_json, into: input}",
    )
    with pytest.raises(SchemaErrors) as caught:
        load(schemas)
    (error,) = caught.value.errors
    assert "InputJsonDelta/properties/partial_json/x-sdk-accumulate" in error.pointer
    assert error.line is not None and "'partial_json' is not one of" in error.message


def test_accumulate_into_must_name_an_object_schema(tmp_path: Path) -> None:
    from generator.core.errors import SchemaErrors
    from generator.pipeline import build_package

    schemas = _broken_schemas(
        tmp_path,
        "                    $ref: '#/components/schemas/ChatResponse'\n                  method:",
        "                    $ref: '#/components/schemas/StopReason'\n                  method:",
    )
    with pytest.raises(SchemaErrors, match="accumulate/into: must be a \\$ref to a named object"):
        build_package(schemas)
