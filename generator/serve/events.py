"""Stream events cut from a complete answer, and their SSE framing.

A streamed answer is the plain answer cut into the family's events, so that a client that
accumulates the stream gets back exactly the plain answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from generator.serve.operations import Operation, Stream

__all__ = [
    "STREAM_BUILDERS",
    "chat_completion_chunks",
    "frame",
    "json_pieces",
    "message_events",
    "session_events",
    "stream_events",
    "text_pieces",
]

_PIECE = re.compile(r"\s*\S+|\s+")


def text_pieces(text: str) -> list[str]:
    """Cut text into word-sized deltas the way models stream it (leading spaces kept)."""
    return _PIECE.findall(text) or [text]


def json_pieces(text: str, size: int = 12) -> list[str]:
    """Cut serialised JSON into fixed-size fragments, as tool arguments arrive."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def chat_completion_chunks(
    answer: dict[str, Any], request: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A ``chat.completion`` as ``chat.completion.chunk``s: role, text and tool-call fragments,
    a finish reason per choice, then, when the request's ``stream_options.include_usage`` is
    true, a usage-only chunk with no choices (as OpenAI sends it)."""
    keys = ("id", "object", "created", "model", "service_tier", "system_fingerprint")
    base: dict[str, Any] = {k: answer[k] for k in keys if k in answer}
    base["object"] = "chat.completion.chunk"

    def chunk(index: int, delta: dict[str, Any], finish: Any = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice]}

    chunks = []
    for choice in answer["choices"]:
        index, message = choice["index"], choice["message"]
        texts = [k for k in ("content", "refusal", "reasoning_content") if k in message]
        first: dict[str, Any] = {"role": message.get("role", "assistant")}
        first.update({k: None if message[k] is None else "" for k in texts})
        chunks.append(chunk(index, first))
        for key in texts:
            if message[key]:
                chunks.extend(chunk(index, {key: piece}) for piece in text_pieces(message[key]))
        for position, call in enumerate(message.get("tool_calls") or []):
            head = {"index": position, "id": call["id"], "type": call.get("type", "function")}
            head["function"] = {"name": call["function"]["name"], "arguments": ""}
            chunks.append(chunk(index, {"tool_calls": [head]}))
            for piece in json_pieces(call["function"].get("arguments", "")):
                fragment = {"index": position, "function": {"arguments": piece}}
                chunks.append(chunk(index, {"tool_calls": [fragment]}))
        chunks.append(chunk(index, {}, choice.get("finish_reason")))
    options = (request or {}).get("stream_options") or {}
    if "usage" in answer and options.get("include_usage") is True:
        chunks.append({**base, "choices": [], "usage": answer["usage"]})
    return chunks


def message_events(
    answer: dict[str, Any], request: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A message as named events: message_start, a ping, each block's start, deltas and stop,
    message_delta with the stop reason and output tokens, message_stop."""
    late = ("stop_reason", "stop_sequence", "stop_details", "container")
    start = {k: v for k, v in answer.items() if k not in late and k != "content"}
    start.update(content=[], stop_reason=None, stop_sequence=None)
    start["usage"] = {**answer["usage"], "output_tokens": 1}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}, {"type": "ping"}]
    for index, block in enumerate(answer["content"]):
        kind = block.get("type")
        deltas: list[dict[str, Any]] = []
        if kind == "text":
            opening = {**block, "text": ""}
            if block.get("citations"):
                opening["citations"] = []
                deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
            deltas += [{"type": "text_delta", "text": p} for p in text_pieces(block["text"])]
        elif kind == "thinking":
            opening = {**block, "thinking": "", "signature": ""}
            deltas += [
                {"type": "thinking_delta", "thinking": p} for p in text_pieces(block["thinking"])
            ]
            if "signature" in block:
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind in ("tool_use", "server_tool_use"):
            opening = {**block, "input": {}}
            serialised = json.dumps(block["input"], ensure_ascii=False)
            deltas += [
                {"type": "input_json_delta", "partial_json": p} for p in json_pieces(serialised)
            ]
        else:  # blocks that arrive whole
            opening = block
        events.append({"type": "content_block_start", "index": index, "content_block": opening})
        events += [{"type": "content_block_delta", "index": index, "delta": d} for d in deltas]
        events.append({"type": "content_block_stop", "index": index})
    delta = {k: answer[k] for k in late if k in answer}
    events.append(
        {
            "type": "message_delta",
            "delta": delta,
            "usage": {"output_tokens": answer["usage"]["output_tokens"]},
        }
    )
    events.append({"type": "message_stop"})
    return events


def session_events(
    answer: dict[str, Any], request: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A session reply as session_start, content deltas and tool calls, then session_end with
    the whole reply and the context state."""
    events: list[dict[str, Any]] = [{"type": "session_start", "session_id": answer["session_id"]}]
    for index, block in enumerate(answer["response"]["content"]):
        kind = block.get("type")
        if kind in ("text", "thinking"):
            for piece in text_pieces(block[kind]):
                delta = {"type": f"{kind}_delta", kind: piece}
                events.append({"type": "content_delta", "index": index, "delta": delta})
        elif kind == "tool_use":
            events.append({"type": "tool_use", **{k: block[k] for k in ("id", "name", "input")}})
    events.append({"type": "session_end", **answer})
    return events


STREAM_BUILDERS: dict[
    str, Callable[[dict[str, Any], Mapping[str, Any] | None], list[dict[str, Any]]]
] = {
    "chat.completions": chat_completion_chunks,
    "messages": message_events,
    "sessions": session_events,
}


def frame(stream: Stream, payload: Mapping[str, Any]) -> bytes:
    """One SSE event with the operation's framing."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if stream.framing == "named-events":
        return f"event: {payload.get('type', 'message')}\ndata: {data}\n\n".encode()
    return f"data: {data}\n\n".encode()


def stream_events(
    operation: Operation, answer: dict[str, Any], request: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The events a stream of ``answer`` to ``request`` consists of (validated when the server
    starts)."""
    builder = STREAM_BUILDERS.get(operation.resource)
    if builder is None:  # an operation without a builder streams its item schema's own examples
        schema = operation.stream.validator.schema if operation.stream else {}
        return list(schema.get("examples") or [])
    return builder(answer, request)
