"""The async client machinery under the package's ``AsyncClient``; see :mod:`._base_client`.

:class:`AsyncAPIClient` holds the settings and an :class:`AsyncRequester`, which sends: the
client hands the requester to its resources, so the request helpers are no part of the
client's public surface.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import anyio
import httpx2
import pydantic

from . import _retry
from ._accumulate import Accumulator
from ._base_client import (
    DEFAULT_TIMEOUT,
    AsyncCloseableStream,
    BaseClient,
    BaseRequester,
    CallOptions,
    ClientSettings,
    OperationSpec,
    aprepend,
    empty_events,
    require_stream,
    same,
)
from ._constants import LOGGER_NAME
from ._errors import APIConnectionError, APIError, APITimeoutError
from ._faults import redact_error, timeout_message, transport_error
from ._response import AsyncStreamingResponse, RawResponse
from ._stream_wrappers import AsyncStreamManager
from ._streaming import AsyncStream, aiter_items
from ._types import NOT_GIVEN, AsyncClosing, NotGiven, TimeoutTypes

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AsyncAPIClient", "AsyncRequester"]

log = logging.getLogger(LOGGER_NAME)

_R = TypeVar("_R", bound=pydantic.BaseModel)
_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)
_X = TypeVar("_X")
_AS = TypeVar("_AS", bound="AsyncCloseableStream")


class AsyncRequester(BaseRequester):
    """Sends the calls of one async client: retries, timeouts, errors, parsing."""

    def __init__(
        self, settings: ClientSettings, sdk_version: str, http: httpx2.AsyncClient, owns_http: bool
    ) -> None:
        super().__init__(settings, sdk_version)
        self.http = http
        self.owns_http = owns_http

    # The seam tests replace to observe waits without waiting; it never blocks the loop.
    async def _sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)

    def _send(
        self,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        options: CallOptions,
        stream: bool,
    ) -> Iterator[tuple[httpx2.Request, int, int]]:
        """The attempts of one call: (request, retries taken, retries allowed)."""
        self._check_auth(op, options)
        key = self._idempotency_key(options)
        max_retries = self._max_retries(options)
        timeout, _ = self._timeouts(options)
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        for retries_taken in range(max_retries + 1):
            request = self.http.build_request(
                op.method,
                self._url(op.path),
                content=content,
                headers=self._headers(op, options, key, retries_taken, stream),
                params=self._query(options),
                timeout=timeout,
            )
            yield request, retries_taken, max_retries

    async def _attempts(
        self,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        options: CallOptions,
        stream: bool,
        ready: Callable[[httpx2.Request, httpx2.Response, int], Awaitable[_X]],
        total: float | None = None,
    ) -> _X:
        """Send until an attempt answers 2xx and ``ready(request, response, retries taken)``
        returns, each attempt within ``total`` seconds when given; a connection failure (in
        ``ready`` too) or a retryable status is retried, any other status raised as its
        :class:`~._errors.APIStatusError`."""
        try:
            for request, retries_taken, max_retries in self._send(op, body, options, stream):
                self._log_request(request, retries_taken, max_retries)
                started = time.monotonic()
                response: httpx2.Response | None = None
                try:
                    try:
                        with anyio.fail_after(total):
                            response = await self.http.send(request, stream=True)
                            self._log_response(request, response, started)
                            if response.is_success:
                                return await ready(request, response, retries_taken)
                            try:
                                content = await response.aread()
                            finally:
                                await response.aclose()
                    except TimeoutError as exc:
                        raise APITimeoutError(
                            timeout_message(request, total, "whole request"), request=request
                        ) from exc
                    except (httpx2.TransportError, httpx2.DecodingError) as exc:
                        raise transport_error(exc, request) from exc
                    if retries_taken < max_retries and self._retryable(response):
                        delay = self._delay(retries_taken, response)
                        self._log_retry(
                            request, retries_taken, delay, f"status {response.status_code}"
                        )
                        await self._sleep(delay)
                        continue
                    failure = self._attempted(
                        self._status_error(op, response, content), retries_taken
                    )
                    self._log_failure(request, failure, started)
                    raise failure
                except APIConnectionError as error:
                    if response is not None:
                        await response.aclose()
                    if retries_taken < max_retries:
                        delay = self._delay(retries_taken, None)
                        self._log_retry(request, retries_taken, delay, str(error))
                        await self._sleep(delay)
                        continue
                    self._log_failure(request, error, started)
                    self._attempted(error, retries_taken)
                    raise
            raise AssertionError("unreachable")  # pragma: no cover
        except APIError as error:
            redact_error(error, self.secrets(error.request))
            raise

    async def request_raw(
        self, op: OperationSpec[_R, Any, Any], body: Mapping[str, Any], options: CallOptions
    ) -> RawResponse[_R]:
        """Send a non-streamed call, with retries; the answer unparsed."""
        _, total = self._timeouts(options)

        async def read_all(
            request: httpx2.Request, response: httpx2.Response, retries_taken: int
        ) -> RawResponse[_R]:
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            parse = functools.partial(self.parse_answer, op, response, content)
            return RawResponse(response, content, parse, retries_taken)

        return await self._attempts(op, body, options, False, read_all, total)

    async def request(
        self, op: OperationSpec[_R, Any, Any], body: Mapping[str, Any], options: CallOptions
    ) -> _R:
        """Send a non-streamed call, with retries, and parse the answer."""
        return (await self.request_raw(op, body, options)).parse()

    async def request_stream_raw(
        self, op: OperationSpec[Any, _T, Any], body: Mapping[str, Any], options: CallOptions
    ) -> RawResponse[AsyncStream[_T]]:
        """Open a stream, retrying until its first event has arrived."""
        spec = require_stream(op)

        async def first_event(
            request: httpx2.Request, response: httpx2.Response, retries_taken: int
        ) -> RawResponse[AsyncStream[_T]]:
            events = aiter_items(response, spec, strict=self.strict, secrets=self.secrets(request))
            try:
                first = await events.__anext__()
            except StopAsyncIteration:
                stream = AsyncStream(response, empty_events())
            else:
                stream = AsyncStream(response, aprepend(first, events))
            return RawResponse(response, None, functools.partial(same, stream), retries_taken)

        return await self._attempts(op, body, options, True, first_event)

    async def request_stream(
        self, op: OperationSpec[Any, _T, Any], body: Mapping[str, Any], options: CallOptions
    ) -> AsyncStream[_T]:
        """Open a stream of typed events, retrying until its first event has arrived."""
        return (await self.request_stream_raw(op, body, options)).parse()

    def stream_manager(
        self,
        op: OperationSpec[Any, _T, _F],
        body: Mapping[str, Any],
        options: CallOptions,
        make: Callable[[AsyncStream[_T], Accumulator[_F]], _AS],
    ) -> AsyncStreamManager[_AS]:
        """An async context manager that opens an accumulating stream on entry."""
        spec = require_stream(op)

        async def open_stream() -> _AS:
            stream = await self.request_stream(op, body, options)
            return make(stream, spec.accumulator(strict=self.strict))

        return AsyncStreamManager(open_stream)

    def streaming_response(
        self, op: OperationSpec[_R, Any, Any], body: Mapping[str, Any], options: CallOptions
    ) -> AsyncStreamManager[AsyncStreamingResponse[_R]]:
        """An async context manager giving the answer once its head has arrived, its body
        unread."""
        return AsyncStreamManager(lambda: self._open_response(op, body, options, None))

    def streaming_stream_response(
        self, op: OperationSpec[Any, _T, Any], body: Mapping[str, Any], options: CallOptions
    ) -> AsyncStreamManager[AsyncStreamingResponse[AsyncStream[_T]]]:
        """:meth:`streaming_response` of a ``stream=True`` call: ``parse()`` gives the stream."""
        spec = require_stream(op)
        return AsyncStreamManager(lambda: self._open_response(op, body, options, spec))

    async def _open_response(
        self,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        options: CallOptions,
        spec: Any,
    ) -> Any:
        async def head(
            request: httpx2.Request, response: httpx2.Response, retries_taken: int
        ) -> AsyncStreamingResponse[Any]:
            secrets = self.secrets(request)

            def events(response: httpx2.Response, content: bytes | None) -> AsyncStream[Any]:
                items = aiter_items(response, spec, strict=self.strict, secrets=secrets)
                return AsyncStream(response, items)

            parser: Callable[[httpx2.Response, bytes | None], Any] = (
                functools.partial(self.parse_answer, op) if spec is None else events
            )

            return AsyncStreamingResponse(
                response,
                parser,
                streamed=spec is not None,
                retries_taken=retries_taken,
                secrets=secrets,
            )

        return await self._attempts(op, body, options, spec is not None, head)

    async def close(self) -> None:
        if self.owns_http:
            await self.http.aclose()


class AsyncAPIClient(BaseClient, AsyncClosing):
    """The asyncio (or trio) client machinery; the package's ``AsyncClient`` adds the resources."""

    _requester_class: ClassVar[type[AsyncRequester]] = AsyncRequester

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx2.URL | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = _retry.DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        self._settings = ClientSettings.resolve(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            strict_response_validation=strict_response_validation,
        )
        given = cast("object", http_client)  # a caller may pass anything
        if given is not None and not isinstance(given, httpx2.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx2.AsyncClient, not {type(given).__module__}."
                f"{type(given).__qualname__} (the client runs on httpx2)"
            )
        http = http_client if http_client is not None else httpx2.AsyncClient()
        self._requester = self._requester_class(
            self._settings, self.sdk_version, http, http_client is None
        )

    def copy(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx2.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A client with the given settings changed and the others as here.

        ``default_headers``/``default_query`` are added to this client's (``set_default_…``
        replace them). The copy shares this client's ``httpx2.AsyncClient`` (its connections), as
        openai's and anthropic's do, unless ``http_client`` is given; either way closing the
        copy does not close it.
        """
        return type(self)(
            **self._settings.changed(
                api_key=api_key,
                base_url=base_url,
                timeout=timeout,
                max_retries=max_retries,
                default_headers=default_headers,
                set_default_headers=set_default_headers,
                default_query=default_query,
                set_default_query=set_default_query,
                strict_response_validation=strict_response_validation,
            ),
            http_client=http_client if http_client is not None else self._requester.http,
        )

    with_options = copy
    """``client.with_options(timeout=5).messages.create(...)``: :meth:`copy`, for one call."""

    async def close(self) -> None:
        """Close the connections (unless the httpx2 client was passed in)."""
        await self._requester.close()

    @property
    def is_closed(self) -> bool:
        return self._requester.http.is_closed
