"""Structured output while streaming: ``.stream(..., response_format=Model)``.

The stream is the family's accumulating stream (every event as usual, ``text_stream``,
``current_snapshot()``, ``get_final_...()``) with three additions:

* :meth:`~StructuredStream.current_parsed`: the answer parsed so far, from the partial JSON
  of the text (native mode) or of the forced tool's input (tool mode), read from the same
  snapshot the accumulator keeps, so nothing is parsed twice while events go by;
* :attr:`~StructuredStream.parsed_stream`: those partial values, each time one changes;
* :meth:`~StructuredStream.get_final_parsed`: the final answer validated as the format
  (a :class:`~._structured.ParsedResponse`, typed as the model class).

An answer that does not validate at the end raises :class:`~._errors.OutputValidationError`
with that one attempt (raw output and issues), its response and usage. A stream is not
re-asked: its events have already been handed to the caller (and often shown), so a second
answer inside the same ``with`` block would silently continue one iterator with another
answer's events; ``parse()`` is the call that re-asks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import pydantic
import pydantic_core

from ._accumulate import Accumulator
from ._parse import ParseSession
from ._stream_wrappers import AccumulatingStream, AsyncAccumulatingStream
from ._streaming import AsyncStream, Stream
from ._structured import Dialect, ParsedResponse, StructuredMode

__all__ = ["AsyncStructuredStream", "StreamFormat", "StructuredStream"]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)
_M = TypeVar("_M")
_S = TypeVar("_S")
_NOTHING: Any = object()


class StreamFormat:
    """How one structured stream is asked for and read: the request body with the format
    (or the forced tool) in it, the partial answer of a snapshot, and the final check."""

    def __init__(self, dialect: Dialect, spec: Any, mode: StructuredMode, native: bool) -> None:
        self._dialect = dialect
        self._spec = spec
        self._mode: StructuredMode = mode
        self._native = native

    def session(self, body: Mapping[str, Any]) -> ParseSession[Any, Any]:
        """A one-attempt parse of ``body`` (the request's wire form, without ``stream``)."""
        return ParseSession(self._dialect, self._spec, self._mode, self._native, 0, body)

    def bind(
        self, body: Mapping[str, Any], make: Callable[[Any, Any, ParseSession[Any, Any]], _S]
    ) -> tuple[dict[str, Any], Callable[[Any, Any], _S]]:
        """``body`` asking for the format, and what builds the structured stream (``make``)
        from the stream and its accumulator, for the requester's ``stream_manager``."""
        plain = {k: v for k, v in body.items() if k != "stream"}
        session = self.session(plain)
        request = {**session.request(), "stream": True}
        return request, lambda stream, accumulator: make(stream, accumulator, session)


def _partial_json(text: str) -> Any:
    """``text`` parsed as far as it goes (a string cut short is kept as far as it got);
    ``None`` before any of it, or when it is not JSON even in part (yet).

    pydantic-core's partial mode in place of the accumulator's ``parse_json``: that one tries
    ``json.loads`` first, which on a partial answer scans all of it only to fail."""
    if not text.strip():
        return None
    try:
        return pydantic_core.from_json(text, allow_partial="trailing-strings")
    except ValueError:
        return None


class _Parsed(Generic[_M, _F]):
    """What both structured streams add: the session and the partial answer's cache.

    In native mode the answer is the text, which the stream already collects fragment by
    fragment: it is parsed again only when an event added to it. In tool mode it is the
    forced tool's input, read from the accumulator's snapshot (where its partial JSON is
    already parsed)."""

    _session: ParseSession[_M, _F]
    _seen = _NOTHING
    _length = 0  # native mode: how many fragments the cached value was parsed from
    _value: Any = None

    def _current(self, texts: list[str], snapshot: Callable[[], dict[str, Any]]) -> Any:
        session = self._session
        if not session.tool:
            length = len(texts)  # the list only grows: its length says whether text came
            if length != self._length:
                self._length, self._value = length, _partial_json("".join(texts))
            return self._value
        reading = session.dialect.read(snapshot(), session.format, True)
        if not reading.answered:
            return None
        value = reading.value  # the chat family's arguments stay a string: parse it
        return _partial_json(value) if isinstance(value, str) else value

    def _changed(
        self, texts: list[str], snapshot: Callable[[], dict[str, Any]]
    ) -> tuple[bool, Any]:
        value = self._current(texts, snapshot)
        if self._seen is not _NOTHING and value == self._seen:
            return False, value
        self._seen = value
        return value is not None, value

    def _final(self, response: _F) -> ParsedResponse[_M, _F]:
        done = self._session.take(response)
        assert done is not None  # no retries: take returns the answer or raises
        return done


class StructuredStream(AccumulatingStream[_T, _F], _Parsed[_M, _F], Generic[_T, _F, _M]):
    """An accumulating stream whose answer is structured output (see the module)."""

    def __init__(
        self, stream: Stream[_T], accumulator: Accumulator[_F], session: ParseSession[_M, _F]
    ) -> None:
        super().__init__(stream, accumulator)
        self._session = session

    def current_parsed(self) -> Any:
        """The answer so far, parsed from its partial JSON (a dict for an object schema);
        ``None`` before any of it has arrived. Not validated: fields may still be missing."""
        return self._current(self._all_texts, self.current_snapshot)

    @property
    def parsed_stream(self) -> Iterator[Any]:
        """The partial answer (:meth:`current_parsed`) each time an event changes it."""
        for _ in self:
            changed, value = self._changed(self._all_texts, self.current_snapshot)
            if changed:
                yield value

    def get_final_parsed(self) -> ParsedResponse[_M, _F]:
        """Read the rest of the stream and return the answer validated as the format:
        ``parsed`` (an instance of the model class), or ``None`` with ``refusal``.

        Raises :class:`OutputValidationError` (one attempt, no re-ask) when it does not
        validate."""
        return self._final(self.get_final())


class AsyncStructuredStream(AsyncAccumulatingStream[_T, _F], _Parsed[_M, _F], Generic[_T, _F, _M]):
    """The async twin of :class:`StructuredStream`."""

    def __init__(
        self,
        stream: AsyncStream[_T],
        accumulator: Accumulator[_F],
        session: ParseSession[_M, _F],
    ) -> None:
        super().__init__(stream, accumulator)
        self._session = session

    def current_parsed(self) -> Any:
        """The answer so far (see :meth:`StructuredStream.current_parsed`)."""
        return self._current(self._all_texts, self.current_snapshot)

    @property
    async def parsed_stream(self) -> AsyncIterator[Any]:
        """The partial answer each time an event changes it."""
        async for _ in self:
            changed, value = self._changed(self._all_texts, self.current_snapshot)
            if changed:
                yield value

    async def get_final_parsed(self) -> ParsedResponse[_M, _F]:
        """Read the rest of the stream and return the validated answer (see
        :meth:`StructuredStream.get_final_parsed`)."""
        return self._final(await self.get_final())
