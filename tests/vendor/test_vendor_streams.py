"""Vendor packages, with the shipped overlays, accumulate real recorded streams.

The OpenAI package is generated with ``openai-responses`` and ``openai-chat-completions``, the
Anthropic one with ``anthropic-messages`` (tests/vendor/vendor_packages.py). Every recorded
stream in tests/fixtures/real goes through the generated client's ``.stream()`` over an
``httpx2.MockTransport``: its ``text_stream`` is the concatenation of the text deltas, its
final object validates, and says what the deltas spell. A stream with a non-streamed twin (a
recorded body of the same name) adds up to an object of the twin's structure, equal to it
where the model said the same thing (ids and timings aside).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from vendor_packages import generated_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"
RESPONSE_STREAMS = sorted((FIXTURES / "openai" / "response_streams").glob("*.sse"))
CHAT_STREAMS = sorted((FIXTURES / "openai" / "chat_completion_streams").glob("*.sse"))
MESSAGE_STREAMS = sorted(
    p
    for p in (FIXTURES / "anthropic" / "message_streams").rglob("*.sse")
    if p.name != "error_event_overloaded.sse"
)
Handler = Callable[[httpx.Request], httpx.Response]
SAME_ANSWER = {
    "test_parse_max_tokens_reached",
    "test_parse_multiple_pydantic_tools",
    "test_parse_pydantic_tool",
    "test_parse_strict_tools",
}


def events(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line[len("data:") :])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("data:") and line[len("data:") :].strip() != "[DONE]"
    ]


def sse_answer(raw: bytes) -> Handler:
    return lambda request: httpx.Response(
        200, content=raw, headers={"content-type": "text/event-stream"}
    )


def client(vendor: str, raw: bytes, *, asynchronous: bool = False) -> Any:
    generated = generated_package(vendor)
    module = __import__(f"{generated.package}._client", fromlist=["Client"])
    transport = httpx.MockTransport(sse_answer(raw))
    if asynchronous:
        return module.AsyncClient(
            api_key="k",
            base_url="https://api.test/v1",
            http_client=httpx.AsyncClient(transport=transport),
            max_retries=0,
        )
    return module.Client(
        api_key="k",
        base_url="https://api.test/v1",
        http_client=httpx.Client(transport=transport),
        max_retries=0,
    )


def shape(value: Any) -> Any:
    """A JSON value's structure: its keys and the kinds of its leaves, not their values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return (
        "number"
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else (type(value).__name__)
    )


def test_the_fixtures_are_there() -> None:
    assert len(RESPONSE_STREAMS) >= 4
    assert len(CHAT_STREAMS) == 12
    assert len(MESSAGE_STREAMS) > 15


# --- OpenAI Responses API ----------------------------------------------------------------


def response_stream(raw: bytes) -> tuple[list[str], Any]:
    with client("openai", raw).responses.stream(model="gpt-5", input="hi") as stream:
        return list(stream.text_stream), stream.get_final_response()


@pytest.mark.parametrize("path", RESPONSE_STREAMS, ids=lambda p: p.stem)
def test_a_responses_stream_adds_up_to_its_completed_response(path: Path) -> None:
    recorded = events(path)
    texts, final = response_stream(path.read_bytes())
    assert type(final).__name__ == "Response"
    assert final.validation_errors == ()
    (completed,) = [e for e in recorded if e["type"] == "response.completed"]
    assert final.to_dict() == completed["response"]
    deltas = [e["delta"] for e in recorded if e["type"] == "response.output_text.delta"]
    assert texts == [d for d in deltas if d]
    written = [
        part["text"]
        for item in completed["response"]["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    ]
    assert "".join(texts) == "".join(written)


@pytest.mark.parametrize("path", RESPONSE_STREAMS, ids=lambda p: p.stem)
def test_the_deltas_alone_spell_the_completed_output(path: Path) -> None:
    """Without the events that carry finished values (``*.done``, ``response.completed``),
    the rules of the overlay still build the output: each item at its ``output_index``,
    text, annotations and arguments fragment by fragment."""
    recorded = events(path)
    (completed,) = [e for e in recorded if e["type"] == "response.completed"]
    partial = [
        e for e in recorded if not e["type"].endswith(".done") and e["type"] != "response.completed"
    ]
    raw = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in partial).encode()
    errors = __import__(f"{generated_package('openai').package}._errors", fromlist=["x"])
    with client("openai", raw).responses.stream(model="gpt-5", input="hi") as stream:
        with pytest.raises(errors.APIStreamIncompleteError):
            stream.until_done()  # no response.completed: a stream cut short, to the client
        snapshot = stream.current_snapshot()
    want = completed["response"]["output"]
    got = snapshot["output"]
    assert [i["type"] for i in got] == [i["type"] for i in want]
    for item, expected in zip(got, want, strict=True):
        if expected["type"] == "message":
            assert [(p["text"], p["annotations"]) for p in item["content"]] == [
                (p["text"], p["annotations"]) for p in expected["content"]
            ]
        if expected["type"] == "function_call":
            assert item["arguments"] == expected["arguments"]
            json.loads(item["arguments"])


def test_a_responses_stream_accumulates_the_same_when_async() -> None:
    path = RESPONSE_STREAMS[0]

    async def run() -> tuple[list[str], Any]:
        async with client("openai", path.read_bytes(), asynchronous=True).responses.stream(
            model="gpt-5", input="hi"
        ) as stream:
            texts = [t async for t in stream.text_stream]
            return texts, await stream.get_final_response()

    texts, final = asyncio.run(run())
    sync_texts, sync_final = response_stream(path.read_bytes())
    assert texts == sync_texts and final.to_dict() == sync_final.to_dict()


# --- OpenAI chat completions ---------------------------------------------------------------


def chat_stream(raw: bytes) -> tuple[list[str], Any]:
    stream_call = client("openai", raw).chat.completions.stream(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
    )
    with stream_call as stream:
        texts = list(stream.text_stream)
        return texts, stream.get_final_completion()


@pytest.mark.parametrize("path", CHAT_STREAMS, ids=lambda p: p.stem)
def test_a_chat_stream_adds_up_to_its_deltas(path: Path) -> None:
    chunks = events(path)
    texts, final = chat_stream(path.read_bytes())
    assert type(final).__name__ == "CreateChatCompletionResponse"
    assert final.validation_errors == ()
    assert final.object == "chat.completion" and final.id == chunks[0]["id"]
    by_choice: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for choice in chunk["choices"]:
            seen = by_choice.setdefault(choice["index"], {"content": None, "calls": {}})
            piece = choice["delta"].get("content")
            if piece is not None:
                seen["content"] = (seen["content"] or "") + piece
            for call in choice["delta"].get("tool_calls") or []:
                entry = seen["calls"].setdefault(call["index"], "")
                seen["calls"][call["index"]] = entry + call.get("function", {}).get("arguments", "")
    assert [c.index for c in final.choices] == sorted(by_choice)
    for choice in final.choices:
        assert choice.message.content == by_choice[choice.index]["content"]
        calls = choice.message.tool_calls or []
        assert [c.function.arguments for c in calls] == [
            args for _, args in sorted(by_choice[choice.index]["calls"].items())
        ]
    first = by_choice[min(by_choice)]["content"]
    assert "".join(texts) == (first or "")


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in CHAT_STREAMS
        if (FIXTURES / "openai/chat_completion_responses" / f"{p.stem}.json").exists()
    ],
    ids=lambda p: p.stem,
)
def test_a_chat_stream_equals_its_non_streamed_twin_in_structure(path: Path) -> None:
    body = json.loads(
        (FIXTURES / "openai/chat_completion_responses" / f"{path.stem}.json").read_text()
    )
    final = chat_stream(path.read_bytes())[1].to_dict()
    # What a stream leaves out (usage without include_usage) or a body leaves out is not the
    # structure of the answer; the choices and their messages are, and must agree exactly.
    for key in ("usage", "service_tier", "system_fingerprint"):
        final.pop(key, None)
        body.pop(key, None)
    assert sorted(final) == sorted(body)
    assert len(final["choices"]) == len(body["choices"])
    compared = 0
    for got, want in zip(final["choices"], body["choices"], strict=True):
        for message in (got["message"], want["message"]):
            message.setdefault("refusal", None)
            message.pop("annotations", None)  # a newer body field, never streamed
        assert shape(got) == shape(want), path.stem
        if said(got["message"]) == said(want["message"]):  # else another answer was recorded
            for message in (got["message"], want["message"]):
                for call in message.get("tool_calls", []):
                    call.pop("id")
            assert got == want
            compared += 1
    # These recordings are the same answer streamed and not: compared in full, not only in shape.
    assert compared == (1 if path.stem in SAME_ANSWER else 0)


def said(message: dict[str, Any]) -> Any:
    calls = [
        (c["function"]["name"], c["function"]["arguments"]) for c in message.get("tool_calls", [])
    ]
    return (message.get("content"), message.get("refusal"), calls)


# --- Anthropic messages --------------------------------------------------------------------


@pytest.mark.parametrize("path", MESSAGE_STREAMS, ids=lambda p: p.stem)
def test_a_message_stream_adds_up_to_its_deltas(path: Path) -> None:
    recorded = events(path)
    with client("anthropic", path.read_bytes()).messages.stream(
        model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert type(final).__name__ == "Message"
    assert final.validation_errors == ()
    (start,) = [e for e in recorded if e["type"] == "message_start"]
    assert final.id == start["message"]["id"]
    text: dict[int, str] = {}
    partial: dict[int, str] = {}
    for event in recorded:
        delta = event.get("delta") or {}
        if event["type"] == "content_block_delta" and delta.get("type") == "text_delta":
            text[event["index"]] = text.get(event["index"], "") + delta["text"]
        if event["type"] == "content_block_delta" and delta.get("type") == "input_json_delta":
            partial[event["index"]] = partial.get(event["index"], "") + delta["partial_json"]
    assert texts == [
        e["delta"]["text"]
        for e in recorded
        if e["type"] == "content_block_delta"
        and e["delta"].get("type") == "text_delta"
        and e["delta"]["text"]
    ]
    for index, spelt in text.items():
        assert final.content[index].text.endswith(spelt)  # after the start block's own text
    stops = [e for e in recorded if e["type"] == "message_delta"]
    if stops:
        assert final.stop_reason == stops[-1]["delta"]["stop_reason"]
        assert final.usage.output_tokens == stops[-1]["usage"]["output_tokens"]
    for index, spelt in partial.items():
        block = final.content[index].to_dict()
        if path.stem == "incomplete_partial_json_response":
            assert isinstance(block["input"], dict)  # cut short: parsed as far as it goes
        else:
            assert block["input"] == (json.loads(spelt) if spelt.strip() else {})


def test_an_error_event_in_a_message_stream_raises_stream_error() -> None:
    path = FIXTURES / "anthropic/message_streams/error_event_overloaded.sse"
    errors = __import__(f"{generated_package('anthropic').package}._errors", fromlist=["x"])
    with pytest.raises(errors.StreamError, match="overloaded"):
        with client("anthropic", path.read_bytes()).messages.stream(
            model="m", max_tokens=8, messages=[{"role": "user", "content": "hi"}]
        ) as stream:
            stream.get_final_message()


def _cut_before(raw: bytes, event: str) -> bytes:
    """The recorded stream without ``event`` and what follows it."""
    return raw[: raw.index(f"event: {event}".encode())]


@pytest.mark.parametrize("path", RESPONSE_STREAMS, ids=lambda p: p.stem)
def test_a_responses_stream_cut_before_its_end_event_is_incomplete(path: Path) -> None:
    """The overlay declares the events a Responses stream ends with (`end-events`)."""
    errors = __import__(f"{generated_package('openai').package}._errors", fromlist=["x"])
    cut = _cut_before(path.read_bytes(), "response.completed")
    with pytest.raises(errors.APIStreamIncompleteError) as raised:
        response_stream(cut)
    message = str(raised.value)
    assert "response.completed, response.failed or response.incomplete event" in message
    assert raised.value.events == len(events(path)) - 1


def test_a_failed_responses_stream_raises_stream_error_with_the_failure() -> None:
    """`response.failed` is a failure event (`failure-events`): the error its response carries
    is raised, as an `error` event's is."""
    errors = __import__(f"{generated_package('openai').package}._errors", fromlist=["x"])
    path = RESPONSE_STREAMS[0]
    raw = path.read_bytes()
    (completed,) = [e for e in events(path) if e["type"] == "response.completed"]
    response = {
        **completed["response"],
        "status": "failed",
        "error": {"code": "server_error", "message": "The model melted"},
    }
    failed = {"type": "response.failed", "sequence_number": 99, "response": response}
    body = _cut_before(raw, "response.completed")
    body += f"event: response.failed\ndata: {json.dumps(failed)}\n\n".encode()
    with pytest.raises(errors.StreamError, match="The model melted") as raised:
        response_stream(body)
    assert raised.value.error_type == "server_error"
    error = {"type": "error", "code": "rate_limited", "message": "Slow down", "param": None}
    body = _cut_before(raw, "response.completed")
    body += f"event: error\ndata: {json.dumps(error)}\n\n".encode()
    with pytest.raises(errors.StreamError, match="Slow down"):
        response_stream(body)
