"""The quick ways through a stream give exactly what the long ways give.

``StreamSpec.decode`` parses an ordinary event's JSON straight into its type and leaves
everything else to the long way; accumulated text is joined in blocks; a snapshot is built
without copying the accumulation first. Each has to be invisible except in time and memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from chatsdk import StreamError
from chatsdk import _operations as ops
from chatsdk._accumulate import _BLOCK, _Text
from chatsdk._sse import ServerSentEvent, SSEDecoder
from chatsdk._streaming import StreamSpec, iter_items

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"
CHAT = ops.CREATE_CHAT_COMPLETION.stream
MESSAGES = ops.CREATE_MESSAGE.stream
assert CHAT is not None and MESSAGES is not None

STREAMS = [
    *((CHAT, p) for p in sorted((FIXTURES / "openai" / "chat_completion_streams").glob("*.sse"))),
    *((MESSAGES, p) for p in sorted((FIXTURES / "anthropic" / "message_streams").rglob("*.sse"))),
]


def sse_events(raw: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    return decoder.feed(raw) + decoder.flush()


@pytest.mark.parametrize(
    ("spec", "path"), STREAMS, ids=[p.relative_to(FIXTURES).as_posix() for _, p in STREAMS]
)
def test_the_one_step_parse_equals_the_long_way(spec: StreamSpec[Any, Any], path: Path) -> None:
    named = spec.framing == "named-events"
    taken = 0
    for sse in sse_events(path.read_bytes()):
        quick = spec._fast(sse, named)
        if quick is None:
            continue  # terminator, ping, error event: the long way decides
        taken += 1
        slow = spec.adapter.validate_python(json.loads(sse.data))
        assert type(quick) is type(slow)
        assert quick.to_dict() == slow.to_dict() == json.loads(sse.data)
    assert taken > 0 or path.name == "error_event_overloaded.sse"  # its only event is the error


CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}],
}


def test_a_valid_chunk_carrying_an_error_still_raises() -> None:
    """The chunk validates (unknown fields are kept), so only the error check can stop it."""
    assert CHAT is not None and CHAT.error_property == "error"
    bad = {**CHUNK, "error": {"message": "server melted", "type": "server_error"}}
    raw = f"data: {json.dumps(CHUNK)}\n\ndata: {json.dumps(bad)}\n\ndata: [DONE]\n\n".encode()
    items = iter_items(httpx2.Response(200, content=raw), CHAT)
    assert next(items).choices[0].delta.content == "a"
    with pytest.raises(StreamError, match="server melted"):
        next(items)


def test_a_chunk_with_a_null_error_is_an_ordinary_chunk() -> None:
    assert CHAT is not None
    sse = ServerSentEvent(data=json.dumps({**CHUNK, "error": None}))
    item = CHAT._fast(sse, named=False)
    assert item is not None and item.to_dict()["error"] is None


def test_named_events_the_schema_skips_or_raises_take_the_long_way() -> None:
    assert MESSAGES is not None
    ping = ServerSentEvent(data='{"type": "ping"}', event="ping")
    error = ServerSentEvent(data='{"type": "error", "error": {}}', event="error")
    unnamed = ServerSentEvent(data='{"type": "message_stop"}')
    for sse in (ping, error, unnamed):
        assert MESSAGES._fast(sse, named=True) is None


def test_accumulated_text_is_the_fragments_joined_and_holds_few_objects() -> None:
    fragments = [f"w{i % 97} " for i in range(20_000)]
    text = _Text("start:")
    for fragment in fragments:
        text.append(fragment)
    assert str(text) == "start:" + "".join(fragments)
    assert len(text.parts) < _BLOCK
    assert len(text.blocks) <= (len(fragments) // _BLOCK).bit_length() + 1


def test_a_snapshot_mid_stream_changes_nothing_of_the_result() -> None:
    """Snapshots parse partial tool input as far as it goes, without touching the box."""
    assert MESSAGES is not None
    path = FIXTURES / "anthropic" / "message_streams" / "incomplete_partial_json_response.sse"
    events = list(iter_items(httpx2.Response(200, content=path.read_bytes()), MESSAGES))
    plain, watched = MESSAGES.accumulator(), MESSAGES.accumulator()
    snapshots = []
    for event in events:
        plain.add(event)
        watched.add(event)
        snapshots.append(watched.snapshot())
    assert watched.final().to_dict() == plain.final().to_dict()
    assert watched.snapshot() == plain.snapshot()
    assert any(s.get("content") for s in snapshots)
