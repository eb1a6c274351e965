"""The blocking client machinery under the package's ``Client``; see :mod:`._base_client`."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pydantic

from . import _retry
from ._accumulate import Accumulator
from ._constants import (
    LOGGER_NAME,
)
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
)
from ._faults import redact_error, secrets_of, timeout_message, transport_error
from ._stream_wrappers import StreamManager
from ._streaming import Stream, iter_items
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes

if TYPE_CHECKING:
    from typing_extensions import Self

from ._base_client import (
    DEFAULT_TIMEOUT,
    BaseClient,
    CallOptions,
    CloseableStream,
    OperationSpec,
    RawResponse,
    no_events,
    prepend,
    require_stream,
    same,
)

__all__ = ["SyncAPIClient"]

log = logging.getLogger(LOGGER_NAME)

_R = TypeVar("_R", bound=pydantic.BaseModel)
_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)
_S = TypeVar("_S", bound="CloseableStream")


class SyncAPIClient(BaseClient):
    """The blocking client machinery; the package's ``Client`` adds the resources."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = _retry.DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx.Client | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            strict_response_validation=strict_response_validation,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A client with some settings changed, sharing this one's connections."""
        return type(self)(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers={**self._default_headers, **(default_headers or {})},
            default_query=self._default_query,
            http_client=self._http,
            strict_response_validation=(
                self.strict_response_validation
                if isinstance(strict_response_validation, NotGiven)
                else strict_response_validation
            ),
        )

    def close(self) -> None:
        """Close the connections (unless the httpx client was passed in)."""
        if self._owns_http:
            self._http.close()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # The seam tests replace to observe waits without waiting.
    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _send(
        self,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        options: CallOptions,
        stream: bool,
    ) -> Iterator[tuple[httpx.Request, int, int]]:
        """The attempts of one call: (request, retries taken, retries allowed)."""
        self._check_auth(op, options)
        key = self._idempotency_key(options)
        max_retries = self._max_retries(options)
        timeout, _ = self._timeouts(options)
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        for retries_taken in range(max_retries + 1):
            request = self._http.build_request(
                op.method,
                self._url(op.path),
                content=content,
                headers=self._headers(op, options, key, retries_taken, stream),
                params=self._query(options),
                timeout=timeout,
            )
            log.debug(
                "%s %s (attempt %d of %d)",
                op.method,
                self._redact(str(request.url)),
                retries_taken + 1,
                max_retries + 1,
            )
            yield request, retries_taken, max_retries

    def _read(self, request: httpx.Request, total: float | None) -> tuple[httpx.Response, bytes]:
        """Send ``request`` and read the whole body within ``total`` seconds."""
        deadline = None if total is None else time.monotonic() + total
        try:
            response = self._http.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if deadline is not None and time.monotonic() > deadline:
                        raise APITimeoutError(
                            timeout_message(request, total, "whole request"), request=request
                        )
            finally:
                response.close()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise transport_error(exc, request) from exc
        return response, b"".join(chunks)

    def request_raw(
        self, op: OperationSpec[_R, Any, Any], body: Mapping[str, Any], options: CallOptions
    ) -> RawResponse[_R]:
        """Send a non-streamed call, with retries; the answer unparsed."""
        try:
            _, total = self._timeouts(options)
            for request, retries_taken, max_retries in self._send(op, body, options, stream=False):
                try:
                    response, content = self._read(request, total)
                except APIConnectionError as error:
                    if retries_taken < max_retries:
                        delay = self._delay(retries_taken, None)
                        self._log_retry(request, retries_taken, delay, str(error))
                        self._sleep(delay)
                        continue
                    self._attempted(error, retries_taken)
                    raise
                if response.is_success:
                    parse = functools.partial(self._parse, op, response, content)
                    return RawResponse(response, content, parse, retries_taken)
                if retries_taken < max_retries and self._retryable(response):
                    delay = self._delay(retries_taken, response)
                    self._log_retry(request, retries_taken, delay, f"status {response.status_code}")
                    self._sleep(delay)
                    continue
                raise self._attempted(self._status_error(op, response, content), retries_taken)
            raise AssertionError("unreachable")  # pragma: no cover
        except APIError as error:
            redact_error(error, secrets_of(error.request, self._api_key))
            raise

    def request(
        self, op: OperationSpec[_R, Any, Any], body: Mapping[str, Any], options: CallOptions
    ) -> _R:
        """Send a non-streamed call, with retries, and parse the answer."""
        return self.request_raw(op, body, options).parse()

    def request_stream_raw(
        self, op: OperationSpec[Any, _T, Any], body: Mapping[str, Any], options: CallOptions
    ) -> RawResponse[Stream[_T]]:
        """Open a stream, retrying until its first event has arrived."""
        try:
            spec = require_stream(op)
            for request, retries_taken, max_retries in self._send(op, body, options, stream=True):
                response: httpx.Response | None = None
                try:
                    try:
                        response = self._http.send(request, stream=True)
                    except (httpx.TransportError, httpx.DecodingError) as exc:
                        raise transport_error(exc, request) from exc
                    if not response.is_success:
                        try:
                            content = response.read()
                        except (httpx.TransportError, httpx.DecodingError) as exc:
                            raise transport_error(exc, request) from exc
                        finally:
                            response.close()
                        if retries_taken < max_retries and self._retryable(response):
                            delay = self._delay(retries_taken, response)
                            self._log_retry(
                                request, retries_taken, delay, f"status {response.status_code}"
                            )
                            self._sleep(delay)
                            continue
                        raise self._attempted(
                            self._status_error(op, response, content), retries_taken
                        )
                    events = iter_items(
                        response,
                        spec,
                        strict=self.strict_response_validation,
                        secrets=secrets_of(request, self._api_key),
                    )
                    try:
                        first = next(events)
                    except StopIteration:
                        stream = Stream(response, no_events())
                    else:
                        stream = Stream(response, prepend(first, events))
                    return RawResponse(
                        response, None, functools.partial(same, stream), retries_taken
                    )
                except APIConnectionError as error:
                    if response is not None:
                        response.close()
                    if retries_taken < max_retries:
                        delay = self._delay(retries_taken, None)
                        self._log_retry(request, retries_taken, delay, str(error))
                        self._sleep(delay)
                        continue
                    self._attempted(error, retries_taken)
                    raise
            raise AssertionError("unreachable")  # pragma: no cover
        except APIError as error:
            redact_error(error, secrets_of(error.request, self._api_key))
            raise

    def request_stream(
        self, op: OperationSpec[Any, _T, Any], body: Mapping[str, Any], options: CallOptions
    ) -> Stream[_T]:
        """Open a stream of typed events, retrying until its first event has arrived."""
        return self.request_stream_raw(op, body, options).parse()

    def stream_manager(
        self,
        op: OperationSpec[Any, _T, _F],
        body: Mapping[str, Any],
        options: CallOptions,
        make: Callable[[Stream[_T], Accumulator[_F]], _S],
    ) -> StreamManager[_S]:
        """A context manager that opens an accumulating stream on entry."""
        spec = require_stream(op)
        return StreamManager(
            lambda: make(
                self.request_stream(op, body, options),
                spec.accumulator(strict=self.strict_response_validation),
            )
        )
