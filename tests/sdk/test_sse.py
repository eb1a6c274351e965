"""The byte-level SSE decoder: the same events whatever the chunk boundaries, flat memory."""

from __future__ import annotations

import asyncio
import re
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatsdk._sse import ServerSentEvent, SSEDecoder, aiter_events, iter_events

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"
STREAMS = sorted(FIXTURES.rglob("*.sse"))


def reference(text: str) -> list[ServerSentEvent]:
    """A plain line-by-line reading of a whole stream (the specification's algorithm on a
    string that is already complete), to compare the incremental decoder with."""
    events: list[ServerSentEvent] = []
    event: str | None = None
    data: list[str] = []
    last_id: str | None = None
    retry: int | None = None
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    if lines and lines[-1] == "":
        lines.pop()  # the text ended with a line break: no unterminated last line
    for line in [*lines, ""]:
        if line == "":
            if data:
                events.append(ServerSentEvent("\n".join(data), event or None, last_id, retry))
            event, data, retry = None, [], None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\x00" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    return events


def decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    return list(iter_events(chunks))


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_real_stream_decodes_like_a_line_by_line_reading(path: Path) -> None:
    raw = path.read_bytes()
    expected = reference(raw.decode("utf-8"))
    assert expected, "the fixture has events"
    assert decode([raw]) == expected
    assert decode([raw[i : i + 1] for i in range(len(raw))]) == expected


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_real_stream_read_an_event_at_a_time_decodes_the_same(path: Path) -> None:
    """One chunk per event, as servers flush them: the decoder's quick path for a chunk that
    is one whole event gives what the line-by-line reading gives."""
    raw = path.read_bytes()
    chunks = [part + b"\n\n" for part in raw.split(b"\n\n")]
    chunks[-1] = chunks[-1][:-2]
    assert decode(chunks) == reference(raw.decode("utf-8"))


@pytest.mark.parametrize(
    "chunks",
    [
        [b"event: a\ndata: b\n\n", b"data: c\n\n"],
        [b"event: \ndata: \n\n"],
        [b"event:a\ndata:b\n\n", b"event:  a\ndata:  b\n\n"],
        [b"id: 7\n\n", b"event: a\ndata: b\n\n", b"retry: 10\n", b"data: c\n\n"],
        [b"\xef\xbb\xbfevent: a\ndata: b\n\n", b"\xef\xbb\xbfdata: c\n\n"],
        [b"event: a\r\ndata: b\n\n", b"data: b\rdata: c\n\n"],
        [b"event: a\n", b"data: b\n\n", b"data: c\n\n"],
        [b"event: a\ndata: b\n\n\n", b"data: c\ndata: d\n\n", b"event: e\nevent: f\ndata: g\n\n"],
        [b"data: \xe2\x82\n\n", b"data: \xe2\x82\xac\n\n", b": ping\n\n", b"data\n\n"],
    ],
)
def test_chunks_that_are_whole_events_or_nearly_decode_like_a_line_by_line_reading(
    chunks: list[bytes],
) -> None:
    expected = reference(b"".join(chunks).decode("utf-8", errors="replace"))
    assert decode(chunks) == expected
    decoder = SSEDecoder()
    fields = [f for chunk in chunks for f in decoder.feed_fields(chunk)] + decoder.flush_fields()
    assert [ServerSentEvent(*f) for f in fields] == expected


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cuts=st.lists(st.integers(min_value=0), max_size=40), data=st.data())
def test_random_splits_of_real_streams_give_the_same_events(
    cuts: list[int], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(STREAMS))
    raw = path.read_bytes()
    assert decode(split_at(raw, cuts)) == reference(raw.decode("utf-8"))


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.just(""),
            st.just(": keep-alive"),
            st.builds(lambda v: f"data:{v}", st.text(alphabet='aé€😀 :{}"', max_size=8)),
            st.builds(lambda v: f"data: {v}", st.text(alphabet="xyz", max_size=4)),
            st.builds(lambda v: f"event: {v}", st.sampled_from(["ping", "delta", "error", ""])),
            st.builds(lambda v: f"id: {v}", st.sampled_from(["1", "a\x00b", ""])),
            st.builds(lambda v: f"retry: {v}", st.sampled_from(["10", "x1", "3000"])),
            st.just("data"),
            st.just("unknown: field"),
        ),
        max_size=20,
    ),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    mixed=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=30),
)
def test_any_framing_any_line_ending_any_split(
    lines: list[str], eol: str, mixed: bool, cuts: list[int]
) -> None:
    endings = ["\n", "\r\n", "\r"]
    text = "".join(line + (endings[i % 3] if mixed else eol) for i, line in enumerate([*lines, ""]))
    raw = text.encode("utf-8")
    assert decode(split_at(raw, cuts)) == reference(text)


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    events = decode([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"])
    assert events == [ServerSentEvent("a\nb")]


def test_lone_cr_ends_lines() -> None:
    assert decode([b"event: x\rdata: 1\r\rdata: 2\r\r"]) == [
        ServerSentEvent("1", "x"),
        ServerSentEvent("2"),
    ]


def test_multibyte_utf8_split_across_reads() -> None:
    raw = 'data: {"text": "héllo € 😀"}\n\n'.encode()
    for i in range(1, len(raw)):
        assert decode([raw[:i], raw[i:]]) == [ServerSentEvent('{"text": "héllo € 😀"}')]


def test_comments_multiline_data_event_id_retry() -> None:
    raw = (
        b": comment\n"
        b"event: message_start\n"
        b"id: 7\n"
        b"retry: 2500\n"
        b"data: line one\n"
        b"data:line two\n"
        b"data\n"
        b"\n"
        b"data: next\n\n"
    )
    assert decode([raw]) == [
        ServerSentEvent("line one\nline two\n", "message_start", "7", 2500),
        ServerSentEvent("next", None, "7", None),
    ]


def test_leading_bom_is_dropped_once() -> None:
    assert decode([b"\xef\xbb", b"\xbfdata: x\n\n"]) == [ServerSentEvent("x")]


def test_event_without_data_is_not_dispatched_and_does_not_leak() -> None:
    assert decode([b"event: ping\n\ndata: y\n\n"]) == [ServerSentEvent("y")]


def test_unterminated_last_event_is_dispatched_at_a_clean_end() -> None:
    assert decode([b"data: 1\n\ndata: 2"]) == [ServerSentEvent("1"), ServerSentEvent("2")]


def test_feed_returns_only_completed_events() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\n") == [ServerSentEvent("a")]
    assert decoder.feed(b"data: b") == []
    assert decoder.flush() == [ServerSentEvent("b")]


def test_async_decoding_matches_sync() -> None:
    raw = (FIXTURES / "anthropic" / "message_streams" / "tool_use_response.sse").read_bytes()

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(raw), 7):
            yield raw[i : i + 7]

    async def collect() -> list[ServerSentEvent]:
        return [event async for event in aiter_events(chunks())]

    assert asyncio.run(collect()) == decode([raw])


def test_memory_stays_flat_however_long_the_stream() -> None:
    """Ten times the events, fed in odd-sized reads, take no more memory at the peak."""
    event = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0}\n\n'

    def chunks(count: int) -> Iterator[bytes]:
        block = event * 100
        for _ in range(count // 100):
            for i in range(0, len(block), 4093):
                yield block[i : i + 4093]

    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            seen = sum(1 for _ in iter_events(chunks(count)))
            _, top = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert seen == count
        return top

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.5 + 10_000, (small, large)


def test_an_empty_chunk_between_cr_and_lf_keeps_the_event_name() -> None:
    events = decode([b"event: delta\r", b"", b"\ndata: x\r\n\r\n"])
    assert events == [ServerSentEvent(data="x", event="delta")]


def chunked(data: bytes, cuts: list[int], empties: list[int]) -> list[bytes]:
    """``data`` cut at ``cuts`` (repeats give empty chunks), with empty chunks also put before
    the pieces numbered in ``empties``."""
    points = sorted(c % (len(data) + 1) for c in cuts)
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    for index in sorted({e % (len(pieces) + 1) for e in empties}, reverse=True):
        pieces.insert(index, b"")
    return pieces


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.just(""),
            st.just(": ping"),
            st.builds(lambda v: f"data: {v}", st.text(alphabet='aé😀 :{}"', max_size=6)),
            st.builds(lambda v: f"event: {v}", st.sampled_from(["message_stop", "delta", ""])),
            st.builds(lambda v: f"id: {v}", st.sampled_from(["1", "x"])),
        ),
        max_size=16,
    ),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=17),
    cuts=st.lists(st.integers(min_value=0), max_size=30),
    empties=st.lists(st.integers(min_value=0), max_size=10),
)
def test_any_chunking_with_empty_chunks_gives_the_events_of_one_read(
    lines: list[str], endings: list[str], cuts: list[int], empties: list[int]
) -> None:
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate([*lines, ""]))
    raw = text.encode("utf-8")
    whole = decode([raw])
    assert whole == reference(text)
    assert decode(chunked(raw, cuts, empties)) == whole
    assert decode([bytes([b]) for b in raw]) == whole
