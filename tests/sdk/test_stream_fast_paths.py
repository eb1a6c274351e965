"""The quick ways through a stream give exactly what the long ways give.

``StreamSpec.parse`` parses each event's bytes once, into the JSON the accumulator folds and
the typed event validated from it; accumulated text is joined in blocks; a snapshot is built
without copying the accumulation first. Each has to be invisible except in time and memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from chatsdk import APIResponseValidationError, StreamError
from chatsdk import _operations as ops
from chatsdk._fold import BLOCK, Text
from chatsdk._sse import ServerSentEvent, SSEDecoder
from chatsdk._streaming import _SKIP, StreamSpec, iter_items

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
def test_the_one_parse_gives_the_typed_event_and_the_json_it_came_from(
    spec: StreamSpec[Any, Any], path: Path
) -> None:
    taken = 0
    for sse in sse_events(path.read_bytes()):
        try:
            item, payload = spec.parse(sse)
        except StreamError:
            continue  # the error event: raised as the long way always did
        if payload is None:
            continue  # terminator or ping
        taken += 1
        slow = spec.adapter.validate_python(json.loads(sse.data))
        assert payload == json.loads(sse.data)
        assert type(item) is type(slow)
        assert item.to_dict() == slow.to_dict() == json.loads(sse.data)
    assert taken > 0 or path.name == "error_event_overloaded.sse"  # its only event is the error


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("spec", "path"), STREAMS, ids=[p.relative_to(FIXTURES).as_posix() for _, p in STREAMS]
)
def test_folding_the_decoded_json_equals_folding_the_typed_events(
    spec: StreamSpec[Any, Any], path: Path, strict: bool
) -> None:
    """The accumulator folds the JSON each event was parsed from; folding each typed event's
    ``to_dict()`` instead (what it gets for an event it did not see decoded) is the same."""
    from_json, from_events = spec.accumulator(strict=strict), spec.accumulator(strict=strict)
    texts: tuple[list[str], list[str]] = ([], [])
    try:
        for event in iter_items(httpx2.Response(200, content=path.read_bytes()), spec):
            texts[0].extend(from_json.add(event))  # the JSON handed off by iter_items
            texts[1].extend(from_events.add(event, event.to_dict()))
    except StreamError:
        assert path.name == "error_event_overloaded.sse"
    assert from_json.snapshot() == from_events.snapshot()
    assert texts[0] == texts[1]
    if from_json.snapshot():
        assert from_json.final().to_dict() == from_events.final().to_dict()


def test_two_streams_read_in_turn_each_fold_their_own_events() -> None:
    assert MESSAGES is not None
    root = FIXTURES / "anthropic" / "message_streams"
    paths = [root / "tool_use_response.sse", root / "basic_response.sse"]
    alone = []
    for path in paths:
        acc = MESSAGES.accumulator()
        for event in iter_items(httpx2.Response(200, content=path.read_bytes()), MESSAGES):
            acc.add(event)
        alone.append(acc.final().to_dict())
    streams = [iter_items(httpx2.Response(200, content=p.read_bytes()), MESSAGES) for p in paths]
    accs = [MESSAGES.accumulator(), MESSAGES.accumulator()]
    pending = [next(s) for s in streams]  # both decoded before either is folded
    done = [False, False]
    while not all(done):
        for i, stream in enumerate(streams):
            if done[i]:
                continue
            accs[i].add(pending[i])
            try:
                pending[i] = next(stream)
            except StopIteration:
                done[i] = True
    assert [a.final().to_dict() for a in accs] == alone


def test_the_box_keeps_no_container_of_the_event() -> None:
    """What a merge keeps is copied: changing the event afterwards changes nothing."""
    assert CHAT is not None
    chunk = {**CHUNK, "extra": {"tags": ["a"]}}
    raw = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    acc = CHAT.accumulator()
    for event in iter_items(httpx2.Response(200, content=raw), CHAT):
        acc.add(event)
        event.extra["tags"].append("changed")  # an unknown field, kept as sent
    assert acc.snapshot()["extra"] == {"tags": ["a"]}


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
    item, payload = CHAT.parse(sse)
    assert item.to_dict()["error"] is None and payload["error"] is None


def test_named_events_the_schema_skips_raise_or_names_inside_the_payload() -> None:
    assert MESSAGES is not None
    ping = ServerSentEvent(data='{"type": "ping"}', event="ping")
    unnamed_ping = ServerSentEvent(data='{"type": "ping"}')
    error = ServerSentEvent(data='{"type": "error", "error": {"message": "x"}}', event="error")
    unnamed = ServerSentEvent(data='{"type": "message_stop"}')
    assert MESSAGES.parse(ping) == MESSAGES.parse(unnamed_ping) == (_SKIP, None)
    with pytest.raises(StreamError, match="x"):
        MESSAGES.parse(error)
    item, payload = MESSAGES.parse(unnamed)
    assert type(item).__name__ == "MessageStopEvent" and payload == {"type": "message_stop"}


def test_a_payload_the_fast_parser_refuses_is_still_read_as_json_reads_it() -> None:
    """A lone surrogate escape is JSON to ``json`` (the text keeps the surrogate)."""
    assert CHAT is not None
    data = json.dumps({**CHUNK, "extra": "\\ud800"}).replace("\\\\", "\\")
    assert json.loads(data)["extra"] == "\ud800"
    _, payload = CHAT.parse(ServerSentEvent(data=data))
    assert payload == json.loads(data)


def test_accumulated_text_is_the_fragments_joined_and_holds_few_objects() -> None:
    fragments = [f"w{i % 97} " for i in range(20_000)]
    text = Text("start:")
    for fragment in fragments:
        text.append(fragment)
    assert str(text) == "start:" + "".join(fragments)
    assert len(text.parts) < BLOCK
    assert len(text.blocks) <= (len(fragments) // BLOCK).bit_length() + 1


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


def _typed(items: list[Any]) -> list[tuple[str, Any]]:
    return [(type(item).__name__, item.to_dict()) for item in items]


def _per_event(raw: bytes) -> list[bytes]:
    chunks = [part + b"\n\n" for part in raw.split(b"\n\n")]
    chunks[-1] = chunks[-1][:-2]
    return [c for c in chunks if c]


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("spec", "path"), STREAMS, ids=[p.relative_to(FIXTURES).as_posix() for _, p in STREAMS]
)
def test_the_iteration_gives_what_parse_gives_however_the_body_is_cut(
    spec: StreamSpec[Any, Any], path: Path, strict: bool
) -> None:
    """The iteration validates most events from their JSON text (as the chunk class, or as the
    variant the event name says) and reads a chunk's events in one batch: the items, and an
    error event's error, are what :meth:`StreamSpec.parse` gives event by event."""
    raw = path.read_bytes()
    expected: list[Any] = []
    error: str | None = None
    for sse in sse_events(raw):
        try:
            item, payload = spec.parse(sse, strict=strict)
        except StreamError as exc:
            error = str(exc)
            break
        if payload is not None:
            expected.append(item)
    for chunks in ([raw], _per_event(raw), [raw[i : i + 7] for i in range(0, len(raw), 7)]):
        got: list[Any] = []
        items = iter_items(httpx2.Response(200, content=iter(chunks)), spec, strict=strict)
        if error is None:
            got.extend(items)
        else:
            with pytest.raises(StreamError) as raised:
                got.extend(items)
            assert str(raised.value) == error
        assert _typed(got) == _typed(expected)


def _named(*events: tuple[str, dict[str, Any]]) -> bytes:
    return "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in events).encode()


START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    },
}


def test_an_event_named_for_one_tag_carrying_another_is_what_its_data_says() -> None:
    assert MESSAGES is not None
    stop = {"type": "message_stop"}
    raw = _named(("message_start", START), ("content_block_stop", stop), ("message_stop", stop))
    items = list(iter_items(httpx2.Response(200, content=raw), MESSAGES))
    assert [type(i).__name__ for i in items] == ["MessageStartEvent", *["MessageStopEvent"] * 2]


def test_an_event_named_for_a_tag_whose_data_has_none_is_refused_as_parse_refuses_it() -> None:
    """The variant's own validator would take it (its tag has a default); the union does not."""
    assert MESSAGES is not None
    untagged = {"index": 0}
    sse = ServerSentEvent(data=json.dumps(untagged), event="content_block_stop")
    with pytest.raises(APIResponseValidationError) as by_parse:
        MESSAGES.parse(sse)
    stop = ("message_stop", {"type": "message_stop"})
    raw = _named(("message_start", START), ("content_block_stop", untagged), stop)
    items = iter_items(httpx2.Response(200, content=raw), MESSAGES)
    assert type(next(items)).__name__ == "MessageStartEvent"
    with pytest.raises(APIResponseValidationError) as by_iteration:
        next(items)
    assert str(by_iteration.value) == str(by_parse.value)
    kept = MESSAGES.parse(sse, strict=False)[0]
    lenient = list(iter_items(httpx2.Response(200, content=raw), MESSAGES, strict=False))
    assert _typed(lenient[1:2]) == _typed([kept])


def test_an_error_event_in_the_same_chunk_raises_after_the_events_before_it() -> None:
    assert MESSAGES is not None
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}
    raw = _named(("message_start", START), ("error", error), ("message_stop", {}))
    items = iter_items(httpx2.Response(200, content=raw), MESSAGES)  # one chunk
    assert type(next(items)).__name__ == "MessageStartEvent"
    with pytest.raises(StreamError, match="busy"):
        next(items)


def test_the_terminator_in_the_middle_of_a_chunk_ends_the_stream_there() -> None:
    assert CHAT is not None
    raw = f"data: {json.dumps(CHUNK)}\n\ndata: [DONE]\n\ndata: not json\n\n".encode()
    items = list(iter_items(httpx2.Response(200, content=raw), CHAT))
    assert [i.choices[0].delta.content for i in items] == ["a"]


def test_an_unknown_nested_tag_is_read_the_exact_way_into_the_unknown_variant() -> None:
    """The quick validator dispatches nested unions on their tag and knows no unknown variant:
    an unknown tag is read again the exact way, in the events and in the final object."""
    assert MESSAGES is not None
    block = {"type": "server_gadget", "id": "g1"}
    delta = {"type": "gadget_delta", "bits": "01"}
    raw = _named(
        ("message_start", START),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_stop", {"type": "message_stop"}),
    )
    accumulator = MESSAGES.accumulator()
    events = []
    for event in iter_items(httpx2.Response(200, content=iter(_per_event(raw))), MESSAGES):
        accumulator.add(event)
        events.append(event)
    assert type(events[1].content_block).__name__ == "UnknownContentBlock"
    assert type(events[2].delta).__name__ == "UnknownContentBlockDelta"
    assert events[2].delta.raw_tag == "gadget_delta"
    final = accumulator.final()
    assert type(final.content[0]).__name__ == "UnknownContentBlock"
    assert final.content[0].to_dict() == block
