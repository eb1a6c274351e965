"""HTTP answers as the caller sees them before (or instead of) parsing.

:class:`RawResponse` is what ``.with_raw_response`` methods give: the body already read,
status, headers, request id, and :meth:`~RawResponse.parse`. :class:`StreamingResponse`
(and :class:`AsyncStreamingResponse`) is what ``.with_streaming_response`` methods give inside
their ``with`` block: status and headers as soon as they arrive, the body left for the caller
to read (``iter_bytes``, ``iter_text``, ``iter_lines``, ``read``, ``text``, ``json``) or to
:meth:`~StreamingResponse.parse` like the plain method would.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx2

from ._errors import APIError
from ._faults import redact_error, request_id_of, transport_error

__all__ = ["AsyncStreamingResponse", "RawResponse", "StreamingResponse"]

_P = TypeVar("_P")


class _Head:
    """Status, headers and request id, read from :attr:`http_response`."""

    http_response: httpx2.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx2.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The server's id of this request (``x-request-id`` or ``request-id``)."""
        return request_id_of(self.http_response)


class RawResponse(_Head, Generic[_P]):
    """An HTTP answer before parsing: status, headers, request id, and :meth:`parse`."""

    def __init__(
        self,
        response: httpx2.Response,
        content: bytes | None,
        parse: Callable[[], _P],
        retries_taken: int,
    ) -> None:
        self.http_response = response
        """The httpx2 response; read its body from :attr:`content` (streams: from :meth:`parse`)."""
        self.content = content
        """The body's bytes (None for a stream, whose body :meth:`parse` reads)."""
        self.retries_taken = retries_taken
        """How many attempts failed before this one."""
        self._parse = parse
        self._parsed: list[_P] = []

    @property
    def text(self) -> str:
        return (self.content or b"").decode("utf-8", errors="replace")

    def parse(self) -> _P:
        """The response model (or, for a stream, the :class:`~._streaming.Stream`); parsed once."""
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] request_id={self.request_id!r}>"


class _Streaming(_Head, Generic[_P]):
    """What both streaming responses share: the answer's head, and how it parses."""

    def __init__(
        self,
        response: httpx2.Response,
        parser: Callable[[httpx2.Response, bytes | None], _P],
        *,
        streamed: bool,
        retries_taken: int,
        secrets: tuple[str, ...],
    ) -> None:
        self.http_response = response
        """The httpx2 response, its body not read yet."""
        self.retries_taken = retries_taken
        """How many attempts failed before this one."""
        self._parser = parser
        self._streamed = streamed
        self._secrets = secrets
        self._parsed: list[_P] = []
        self._reading = False  # some of the body was read: a stream can no longer be parsed
        self._iterated = False  # the body was iterated: it is gone, read() has nothing to give

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def _error(self, exc: Exception) -> APIError:
        return redact_error(transport_error(exc, self.http_response.request), self._secrets)

    def _stream_parse(self) -> _P:
        if self._reading:
            raise RuntimeError("the body was read already: a stream can no longer be parsed")
        return self._parser(self.http_response, None)

    def _iterating(self) -> None:
        self._reading = self._iterated = True

    def _check_readable(self) -> None:
        self._reading = True
        if self._iterated:
            raise RuntimeError(
                "the body was read already by iter_bytes/iter_text/iter_lines; read() (or "
                "parse()) before iterating keeps it"
            )

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"<{name} [{self.status_code}] request_id={self.request_id!r}>"


class StreamingResponse(_Streaming[_P]):
    """An answer whose body the caller reads: ``with client.messages.with_streaming_response
    .create(...) as response:``. Leaving the block closes the connection."""

    def read(self) -> bytes:
        """The whole body (read once; later calls give the same bytes)."""
        self._check_readable()
        try:
            return self.http_response.read()
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    def text(self) -> str:
        """The whole body, decoded."""
        self.read()
        return self.http_response.text

    def json(self) -> Any:
        """The whole body, decoded as JSON."""
        return json.loads(self.read())

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body as it arrives, decompressed."""
        self._iterating()
        try:
            yield from self.http_response.iter_bytes(chunk_size)
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """The body as it arrives, decoded."""
        self._iterating()
        try:
            yield from self.http_response.iter_text(chunk_size)
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    def iter_lines(self) -> Iterator[str]:
        """The body's lines as they arrive, without their line endings."""
        self._iterating()
        try:
            yield from self.http_response.iter_lines()
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    def parse(self) -> _P:
        """What the plain method returns: the response model (read from the body, or from
        what :meth:`read` read), or the typed :class:`~._streaming.Stream` of a ``stream=True``
        call (while the body is unread). Parsed once."""
        if not self._parsed:
            if self._streamed:
                self._parsed.append(self._stream_parse())
            else:
                self._parsed.append(self._parser(self.http_response, self.read()))
        return self._parsed[0]

    def close(self) -> None:
        """Release the connection, read or not."""
        self.http_response.close()


class AsyncStreamingResponse(_Streaming[_P]):
    """The async twin of :class:`StreamingResponse` (``async with``, ``async for``)."""

    async def read(self) -> bytes:
        """The whole body (read once; later calls give the same bytes)."""
        self._check_readable()
        try:
            return await self.http_response.aread()
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    async def text(self) -> str:
        """The whole body, decoded."""
        await self.read()
        return self.http_response.text

    async def json(self) -> Any:
        """The whole body, decoded as JSON."""
        return json.loads(await self.read())

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body as it arrives, decompressed."""
        self._iterating()
        try:
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                yield chunk
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """The body as it arrives, decoded."""
        self._iterating()
        try:
            async for text in self.http_response.aiter_text(chunk_size):
                yield text
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    async def iter_lines(self) -> AsyncIterator[str]:
        """The body's lines as they arrive, without their line endings."""
        self._iterating()
        try:
            async for line in self.http_response.aiter_lines():
                yield line
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise self._error(exc) from exc

    async def parse(self) -> _P:
        """What the plain method returns (see :meth:`StreamingResponse.parse`)."""
        if not self._parsed:
            if self._streamed:
                self._parsed.append(self._stream_parse())
            else:
                self._parsed.append(self._parser(self.http_response, await self.read()))
        return self._parsed[0]

    async def close(self) -> None:
        """Release the connection, read or not."""
        await self.http_response.aclose()
