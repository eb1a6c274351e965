"""A byte-level decoder of server-sent events (the WHATWG ``text/event-stream`` format).

Hand-written rather than taken from a library because the client needs three things at once
that the small SSE packages do not promise together: the same events whatever the chunk
boundaries of the transport (a line, a CRLF pair or a multi-byte UTF-8 character split
across reads), memory bounded by one line and one event however long the stream, and the
same code under sync and async iteration (:meth:`SSEDecoder.feed` is pure).

Lines end at CRLF, LF or CR. Because ``\\r`` and ``\\n`` never occur inside a multi-byte
UTF-8 sequence, lines are cut as bytes and each complete line is decoded on its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent", "aiter_events", "iter_events"]

_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = "\ufeff"
# One whole event as servers write it: an optional ``event:`` line, one ``data:`` line, a
# blank line (LF line ends). Read at once, it gives what the line-by-line reading gives.
_PLAIN_EVENT = re.compile(r"(?:event: ?([^\r\n]*)\n)?data: ?([^\r\n]*)\n\n")

Fields = tuple[str, "str | None", "str | None", "int | None"]
"""An event as the decoder dispatches it: (data, event, id, retry), what
:class:`ServerSentEvent` holds; :func:`~._streaming.iter_items` reads these directly."""


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: its ``event:`` name (None when absent), its data lines joined by
    ``\\n``, the last event id seen so far, and a ``retry:`` value sent with it."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events each chunk completes."""

    def __init__(self) -> None:
        self._partial = bytearray()  # the current line, not yet terminated
        self._skip_lf = False  # the previous chunk ended with CR: a leading LF belongs to it
        self._started = False  # the first line has been seen (a BOM may only start the stream)
        self._event: str | None = None
        self._data: list[str] = []
        self._has_data = False
        self._retry: int | None = None
        self.last_event_id: str | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events completed by ``chunk``, in order."""
        return [ServerSentEvent(*fields) for fields in self.feed_fields(chunk)]

    def flush(self) -> list[ServerSentEvent]:
        """At the end of the stream: the event still pending, if it has data.

        The specification drops an event that is not followed by a blank line; recorded
        streams (and some servers) end with the last ``data:`` line unterminated, so a clean
        end of the body dispatches it. A connection that breaks mid-event never gets here:
        the transport raises first.
        """
        return [ServerSentEvent(*fields) for fields in self.flush_fields()]

    def feed_fields(self, chunk: bytes) -> list[Fields]:
        """:meth:`feed`'s events as plain tuples (data, event, id, retry)."""
        if not chunk:
            return []  # an empty read changes nothing, not even a pending CR's LF
        if (
            (self._started or not chunk.startswith(b"\xef\xbb\xbf"))
            and not self._partial
            and not self._has_data
            and self._event is None
            and self._retry is None
        ):
            # Between events, a chunk that is one whole event as servers write it: an
            # optional "event: " line, one "data: " line, a blank line, LF line ends.
            text = chunk.decode("utf-8", "replace")
            if text[-2:] == "\n\n" and "\r" not in text:
                last = len(text) - 2
                if text.startswith("event: "):
                    cut = text.find("\n")
                    if text.startswith("data: ", cut + 1) and text.find("\n", cut + 7) == last:
                        self._skip_lf = False
                        if not self._started:
                            self._started = True
                        return [
                            (text[cut + 7 : last], text[7:cut] or None, self.last_event_id, None)
                        ]
                elif text.startswith("data: ") and text.find("\n") == last:
                    self._skip_lf = False
                    if not self._started:
                        self._started = True
                    return [(text[6:last], None, self.last_event_id, None)]
        events: list[Fields] = []
        start = 0
        if self._skip_lf and chunk[:1] == b"\n":
            start = 1
        self._skip_lf = False
        if b"\r" not in chunk:
            # LF line ends only (what servers send): decode every complete line at once.
            # Splitting the decoded text on "\n" cuts where the bytes would be cut, since a
            # newline byte is never part of a multi-byte character.
            end = chunk.rfind(b"\n") + 1
            if end > start:
                block = chunk[start:end] if start or end < len(chunk) else chunk
                if self._partial:
                    block = bytes(self._partial) + block
                    self._partial.clear()
                self._lines(block.decode("utf-8", errors="replace"), events)
                start = end
            if start < len(chunk):
                self._partial += chunk[start:]
            return events
        for match in _EOL.finditer(chunk, start):
            if self._partial:
                self._partial += chunk[start : match.start()]
                line = bytes(self._partial)
                self._partial.clear()
            else:
                line = chunk[start : match.start()]
            self._line(line, events)
            start = match.end()
        rest = chunk[start:]
        if rest:
            self._partial += rest
        elif chunk.endswith(b"\r"):
            # The CR might be the first half of a CRLF whose LF is in the next chunk.
            self._skip_lf = True
        return events

    def flush_fields(self) -> list[Fields]:
        """:meth:`flush`'s events as plain tuples (data, event, id, retry)."""
        events: list[Fields] = []
        if self._partial:
            line = bytes(self._partial)
            self._partial.clear()
            self._line(line, events)
        self._dispatch(events)
        return events

    def _lines(self, text: str, events: list[Fields]) -> None:
        """Complete lines, each ended by ``\\n``.

        Between events (nothing pending), the events written the usual way are read whole by
        ``_PLAIN_EVENT``; from the first line that is not, the lines are read one by one.
        """
        if not self._started:
            self._started = True
            if text.startswith(_BOM):
                text = text[1:]
        pos = 0
        if not (self._has_data or self._event is not None or self._retry is not None):
            match = _PLAIN_EVENT.match
            found = match(text)
            while found is not None:
                events.append((found[2], found[1] or None, self.last_event_id, None))
                pos = found.end()
                found = match(text, pos) if pos < len(text) else None
        if pos < len(text):
            for line in text[pos:-1].split("\n"):
                self._text(line, events)

    def _line(self, raw: bytes, events: list[Fields]) -> None:
        self._text(raw.decode("utf-8", errors="replace"), events)

    def _text(self, line: str, events: list[Fields]) -> None:
        if not self._started:
            self._started = True
            if line.startswith(_BOM):
                line = line[1:]
        if not line:
            self._dispatch(events)
            return
        if line[0] == ":":
            return  # a comment, e.g. a keep-alive
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self.last_event_id = value
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self._retry = int(value)
        # any other field name is ignored, as the specification says

    def _dispatch(self, events: list[Fields]) -> None:
        if self._has_data:
            events.append(
                ("\n".join(self._data), self._event or None, self.last_event_id, self._retry)
            )
        self._event = None
        self._data = []
        self._has_data = False
        self._retry = None


def iter_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """The events of a byte stream."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()


async def aiter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[ServerSentEvent]:
    """The events of an async byte stream."""
    decoder = SSEDecoder()
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.flush():
        yield event
