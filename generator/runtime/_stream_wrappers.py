"""What ``.stream(...)`` methods give: accumulating streams and the context managers that
open them.

:class:`AccumulatingStream` (and :class:`AsyncAccumulatingStream`) iterate a
:class:`~._streaming.Stream` and fold every event into the object a non-streamed call would
have returned (see :mod:`._accumulate`). :class:`StreamManager` (and
:class:`AsyncStreamManager`) send the request when the ``with`` block is entered and close
the connection when it is left.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import httpx2
import pydantic

from ._accumulate import Accumulator
from ._constants import PackageError
from ._streaming import AsyncStream, Stream, anext_of, next_of
from ._types import AsyncClosing, Closing

if TYPE_CHECKING:
    pass

__all__ = [
    "AccumulatingStream",
    "AsyncAccumulatingStream",
    "AsyncStreamManager",
    "StreamManager",
]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)
_S = TypeVar("_S", bound="_Closeable")
_AS = TypeVar("_AS", bound="_AsyncCloseable")


class AccumulatingStream(Closing, Generic[_T, _F]):
    """A :class:`Stream` that also builds the final object as its events go by.

    Iterate it for the typed events, or read :attr:`text_stream` for just the text; either
    way :meth:`get_final` then returns the object the non-streamed call would have returned,
    and :meth:`get_final_text` its text.
    """

    def __init__(self, stream: Stream[_T], accumulator: Accumulator[_F]) -> None:
        self._stream = stream
        self._next = next_of(stream)
        self._accumulator = accumulator
        self._add = accumulator.add
        self._texts: list[str] = []
        self._all_texts: list[str] = []

    @property
    def response(self) -> httpx2.Response:
        """The HTTP response being read."""
        return self._stream.response

    @property
    def request_id(self) -> str | None:
        """The server's id of this request, from the response headers."""
        return self._stream.request_id

    def __iter__(self) -> Iterator[_T]:
        return self

    def __next__(self) -> _T:
        event = self._next()
        self._texts = texts = self._add(event)
        if texts:
            self._all_texts.extend(texts)
        return event

    @property
    def text_stream(self) -> Iterator[str]:
        """The text fragments (of the first choice, where there are several), as they arrive."""
        for _ in self:
            yield from self._texts

    def until_done(self) -> None:
        """Read the rest of the stream."""
        for _ in self:
            pass

    def current_snapshot(self) -> dict[str, Any]:
        """What has arrived so far, as a wire-form dict of the final object."""
        return self._accumulator.snapshot()

    def get_final(self) -> _F:
        """Read the rest of the stream and return the accumulated object."""
        self.until_done()
        return self._accumulator.final()

    def get_final_text(self) -> str:
        """Read the rest of the stream and return its text: every fragment of
        :attr:`text_stream` joined (the first choice's, where there are several).

        Raises the package's error when the answer has no text at all (only tool calls, say);
        :meth:`get_final` then has what it has.
        """
        self.until_done()
        return _joined(self._all_texts)

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._stream.close()


class AsyncAccumulatingStream(AsyncClosing, Generic[_T, _F]):
    """The async twin of :class:`AccumulatingStream`."""

    def __init__(self, stream: AsyncStream[_T], accumulator: Accumulator[_F]) -> None:
        self._stream = stream
        self._anext = anext_of(stream)
        self._accumulator = accumulator
        self._texts: list[str] = []
        self._all_texts: list[str] = []

    @property
    def response(self) -> httpx2.Response:
        """The HTTP response being read."""
        return self._stream.response

    @property
    def request_id(self) -> str | None:
        """The server's id of this request, from the response headers."""
        return self._stream.request_id

    def __aiter__(self) -> AsyncIterator[_T]:
        return self

    async def __anext__(self) -> _T:
        event = await self._anext()
        self._texts = texts = self._accumulator.add(event)
        if texts:
            self._all_texts.extend(texts)
        return event

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        """The text fragments (of the first choice, where there are several), as they arrive."""
        async for _ in self:
            for text in self._texts:
                yield text

    async def until_done(self) -> None:
        """Read the rest of the stream."""
        async for _ in self:
            pass

    def current_snapshot(self) -> dict[str, Any]:
        """What has arrived so far, as a wire-form dict of the final object."""
        return self._accumulator.snapshot()

    async def get_final(self) -> _F:
        """Read the rest of the stream and return the accumulated object."""
        await self.until_done()
        return self._accumulator.final()

    async def get_final_text(self) -> str:
        """Read the rest of the stream and return its text (see
        :meth:`AccumulatingStream.get_final_text`)."""
        await self.until_done()
        return _joined(self._all_texts)

    async def close(self) -> None:
        """Stop reading and release the connection."""
        await self._stream.close()


def _joined(texts: list[str]) -> str:
    if not texts:
        raise PackageError("get_final_text(): the answer has no text; get_final() has what it has")
    return "".join(texts)


class _Closeable(Protocol):
    def close(self) -> None: ...


class _AsyncCloseable(Protocol):
    async def close(self) -> None: ...


class StreamManager(Generic[_S]):
    """``with client.messages.stream(...) as stream:`` — sends the request on entry and closes
    the connection on exit."""

    def __init__(self, open_stream: Callable[[], _S]) -> None:
        self._open = open_stream
        self._stream: _S | None = None

    def __enter__(self) -> _S:
        self._stream = self._open()
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncStreamManager(Generic[_AS]):
    """``async with client.messages.stream(...) as stream:`` — the async twin of
    :class:`StreamManager`."""

    def __init__(self, open_stream: Callable[[], Awaitable[_AS]]) -> None:
        self._open = open_stream
        self._stream: _AS | None = None

    async def __aenter__(self) -> _AS:
        self._stream = await self._open()
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
