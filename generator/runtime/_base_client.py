"""The HTTP machinery under the package's ``Client`` and ``AsyncClient``.

A generated resource method validates its arguments into the operation's request model,
takes the wire form of it, and hands it here with the operation's :class:`OperationSpec`.
This module sends it with httpx (authentication per the schema's security scheme, default
headers, a User-Agent naming the SDK version, an ``Idempotency-Key`` shared by every attempt
of one call), retries what is worth retrying (see :mod:`._retry`), enforces the
timeout, and turns the answer into the response model, a typed stream, or an
:class:`~._errors.APIError` subclass.

Timeouts: a number is the limit, in seconds, for one attempt of a non-streamed call (its
connect phase is limited to 5 s of it); for a stream it limits each wait for the next bytes.
An ``httpx.Timeout`` sets every phase exactly. The default is 600 s.

The API key is never logged, never part of a repr, and removed from error messages.

This module holds what both clients share (configuration, request building, status errors,
parsing); :mod:`._sync_client` and :mod:`._async_client` send and read.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, cast

import httpx
import pydantic

from . import _retry
from ._constants import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    LOGGER_NAME,
    NO_API_KEY,
    NO_BASE_URL,
    PACKAGE,
    RETRY_COUNT_HEADER,
    USER_AGENT_PRODUCT,
    PackageError,
)
from ._errors import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    amend,
    excerpt,
    status_error_class,
)
from ._faults import redact_error, redact_text, request_id_of, secrets_of
from ._lenient import lenient_json
from ._streaming import StreamSpec
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes

if TYPE_CHECKING:
    pass

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "CallOptions",
    "OperationSpec",
    "RawResponse",
    "build_body",
]

log = logging.getLogger(LOGGER_NAME)

DEFAULT_TIMEOUT = 600.0
DEFAULT_CONNECT_TIMEOUT = 5.0
_PLATFORM = f"python {platform.python_version()}; httpx {httpx.__version__}"

_R = TypeVar("_R", bound=pydantic.BaseModel)
_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)
_P = TypeVar("_P")
_S = TypeVar("_S", bound="CloseableStream")
_AS = TypeVar("_AS", bound="AsyncCloseableStream")
_E = TypeVar("_E", bound=APIError)


@dataclass(frozen=True)
class OperationSpec(Generic[_R, _T, _F]):
    """One operation of the schemas: where it lives, how it authenticates, what it returns."""

    method: str
    path: str
    security: tuple[str, ...]  # "bearer" | "header:<name>"
    response: type[_R]
    error: type[pydantic.BaseModel] | None = None
    stream: StreamSpec[_T, _F] | None = None


@dataclass(frozen=True)
class CallOptions:
    """The per-call settings every generated method accepts."""

    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN


def build_body(
    request_class: type[pydantic.BaseModel],
    values: Mapping[str, object],
    extra_body: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """The wire form of a request: the given values validated as ``request_class``.

    Values left at ``NOT_GIVEN`` are not sent. Models and plain dicts are both accepted.
    A bad value raises ``pydantic.ValidationError`` (a ``ValueError``) naming the field,
    before anything is sent. ``extra_body`` keys are added unvalidated, last.
    """
    given = {key: value for key, value in values.items() if not isinstance(value, NotGiven)}
    model = request_class.model_validate(given)
    body: dict[str, Any] = cast("Any", model).to_dict()
    if extra_body:
        body.update(extra_body)
    return body


class RawResponse(Generic[_P]):
    """An HTTP answer before parsing: status, headers, request id, and :meth:`parse`."""

    def __init__(
        self,
        response: httpx.Response,
        content: bytes | None,
        parse: Callable[[], _P],
        retries_taken: int,
    ) -> None:
        self.http_response = response
        """The httpx response; read its body from :attr:`content` (streams: from :meth:`parse`)."""
        self.content = content
        """The body's bytes (None for a stream, whose body :meth:`parse` reads)."""
        self.retries_taken = retries_taken
        """How many attempts failed before this one."""
        self._parse = parse
        self._parsed: list[_P] = []

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The server's id of this request (``x-request-id`` or ``request-id``)."""
        return request_id_of(self.http_response)

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


class CloseableStream(Protocol):
    def close(self) -> None: ...


class AsyncCloseableStream(Protocol):
    async def close(self) -> None: ...


class BaseClient:
    """Configuration and the request/response logic shared by the sync and async clients."""

    sdk_version: ClassVar[str] = "0"
    """Named in the User-Agent; the generated clients set it to the package's ``__version__``."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        strict_response_validation: bool = False,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get(API_KEY_ENV) or None
        if base_url is None:
            base_url = os.environ.get(BASE_URL_ENV) or None
        if base_url is None:
            base_url = DEFAULT_BASE_URL
        if base_url is None:
            raise PackageError(NO_BASE_URL)
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._api_key = api_key
        self.base_url = httpx.URL(str(base_url))
        self.timeout: TimeoutTypes = timeout
        self.max_retries = max_retries
        self._default_headers = dict(default_headers or {})
        self._default_query = dict(default_query or {})
        self.strict_response_validation = strict_response_validation
        """Raise on an answer that does not match its schema, instead of keeping it with its
        ``validation_errors`` (see ``_lenient.py``)."""

    @property
    def api_key(self) -> str | None:
        """The API key in use (from the argument or the ``<PREFIX>_API_KEY`` environment variable)."""
        return self._api_key

    def __repr__(self) -> str:
        key = "<set>" if self._api_key else None
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, api_key={key})"

    # --- building requests ---------------------------------------------------------------

    def _url(self, path: str) -> str:
        return str(self.base_url).rstrip("/") + "/" + path.lstrip("/")

    def _auth_headers(self, security: tuple[str, ...]) -> dict[str, str]:
        if not self._api_key:
            return {}
        for scheme in security:
            if scheme == "bearer":
                return {"Authorization": f"Bearer {self._api_key}"}
            if scheme.startswith("header:"):
                return {scheme[len("header:") :]: self._api_key}
        return {}

    def _headers(
        self,
        op: OperationSpec[Any, Any, Any],
        options: CallOptions,
        idempotency_key: str,
        retries_taken: int,
        stream: bool,
    ) -> httpx.Headers:
        headers = httpx.Headers(
            {
                "Accept": "text/event-stream" if stream else "application/json",
                "Content-Type": "application/json",
                "User-Agent": f"{USER_AGENT_PRODUCT}/{self.sdk_version} ({_PLATFORM})",
                "Idempotency-Key": idempotency_key,
                RETRY_COUNT_HEADER: str(retries_taken),
            }
        )
        for extra in (self._auth_headers(op.security), self._default_headers):
            for name, value in extra.items():
                headers[name] = value
        for name, value in (options.extra_headers or {}).items():
            headers[name] = value
        return headers

    def _check_auth(self, op: OperationSpec[Any, Any, Any], options: CallOptions) -> None:
        """Fail before sending when ``op`` needs an API key and there is none (nor a header
        of its security scheme set by hand)."""
        if self._api_key or not op.security:
            return
        names = {
            "authorization" if scheme == "bearer" else scheme[len("header:") :].lower()
            for scheme in op.security
        }
        given = {name.lower() for name in (*self._default_headers, *(options.extra_headers or {}))}
        if not names & given:
            raise PackageError(NO_API_KEY)

    def _idempotency_key(self, options: CallOptions) -> str:
        for name, value in (options.extra_headers or {}).items():
            if name.lower() == "idempotency-key":
                return value
        return f"{PACKAGE}-{uuid.uuid4()}"

    def _timeouts(self, options: CallOptions) -> tuple[httpx.Timeout, float | None]:
        """The httpx timeout of one attempt, and its total limit (None: no total)."""
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        if isinstance(timeout, httpx.Timeout):
            return timeout, None
        if timeout is None:
            return httpx.Timeout(None), None
        seconds = float(timeout)
        return httpx.Timeout(seconds, connect=min(DEFAULT_CONNECT_TIMEOUT, seconds)), seconds

    def _max_retries(self, options: CallOptions) -> int:
        if isinstance(options.max_retries, NotGiven):
            return self.max_retries
        if options.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        return options.max_retries

    def _query(self, options: CallOptions) -> dict[str, Any]:
        return {**self._default_query, **(options.extra_query or {})}

    # --- reading answers -----------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return redact_text(text, secrets_of(None, self._api_key))

    def _status_error(
        self, op: OperationSpec[Any, Any, Any], response: httpx.Response, content: bytes
    ) -> APIStatusError:
        text = content.decode("utf-8", errors="replace")
        decoded: Any = None
        is_json = False
        try:
            decoded = json.loads(text)
            is_json = True
        except ValueError:
            pass
        body: Any
        if is_json:
            body = decoded
            if op.error is not None:
                try:
                    body = op.error.model_validate(decoded)
                except pydantic.ValidationError:
                    body = decoded
        else:
            body = self._redact(excerpt(text)) if text else None
        detail = _error_message(decoded) if is_json else None
        if detail is None:
            kind = "JSON" if is_json else "non-JSON"
            detail = f"unexpected {kind} body: {excerpt(text)!r}" if text else "empty body"
        request_id = request_id_of(response, decoded)
        status = response.status_code
        message = f"{status} {response.reason_phrase}: {detail}".rstrip()
        if request_id:
            message += f" (request id {request_id})"
        return status_error_class(status)(
            self._redact(message),
            status_code=status,
            body=body,
            request_id=request_id,
            request=response.request,
            response=response,
        )

    def _parse(
        self, op: OperationSpec[_R, Any, Any], response: httpx.Response, content: bytes
    ) -> _R:
        try:
            return op.response.model_validate_json(content)
        except pydantic.ValidationError as exc:
            text = content.decode("utf-8", errors="replace")
            errors = exc.errors(include_url=False, include_input=False)
            if errors and errors[0].get("type") == "json_invalid":
                what = "is not JSON"
            else:
                kept = (
                    None
                    if self.strict_response_validation
                    else lenient_json(op.response, content, exc)
                )
                if kept is not None:
                    return cast("_R", kept)
                what = f"is not a valid {op.response.__name__}: {errors}"
            error = APIResponseValidationError(
                f"{response.status_code} response body {what}; body: {excerpt(text)!r}",
                status_code=response.status_code,
                body=excerpt(text),
                request_id=request_id_of(response),
                request=response.request,
                response=response,
            )
            secrets = secrets_of(response.request, self._api_key)
            leaks = redact_text(str(exc), secrets) != str(exc)  # pydantic quotes the input
            raise redact_error(error, secrets) from (None if leaks else exc)

    @staticmethod
    def _attempted(error: _E, retries_taken: int) -> _E:
        """``error``, its message saying how many attempts the call made when it made several."""
        if retries_taken > 0:
            amend(error, f"{error.message} (after {retries_taken + 1} attempts)")
        return error

    def _log_retry(
        self, request: httpx.Request, retries_taken: int, delay: float, why: str
    ) -> None:
        log.info(
            "retrying %s %s in %.2f s (retry %d) after %s",
            request.method,
            self._redact(str(request.url)),
            delay,
            retries_taken + 1,
            self._redact(why),
        )

    @staticmethod
    def _delay(retries_taken: int, response: httpx.Response | None) -> float:
        return _retry.retry_delay(retries_taken, response.headers if response is not None else None)

    @staticmethod
    def _retryable(response: httpx.Response) -> bool:
        return _retry.should_retry_status(response.status_code, response.headers)


def _error_message(decoded: Any) -> str | None:
    """``error.message`` (or a top-level ``message``) of a decoded error body."""
    if not isinstance(decoded, dict):
        return None
    body = cast("dict[str, Any]", decoded)
    detail = body.get("error")
    if isinstance(detail, dict):
        message = cast("dict[str, Any]", detail).get("message")
        if isinstance(message, str):
            kind = cast("dict[str, Any]", detail).get("type")
            return f"{kind}: {message}" if isinstance(kind, str) and kind else message
    if isinstance(detail, str):
        return detail
    message = body.get("message")
    return message if isinstance(message, str) else None


def same(value: _T) -> _T:
    return value


def require_stream(op: OperationSpec[Any, _T, _F]) -> StreamSpec[_T, _F]:
    if op.stream is None:
        raise TypeError(f"{op.method} {op.path} does not stream")
    return op.stream


def prepend(first: _T, rest: Iterator[_T]) -> Iterator[_T]:
    # A generator (not itertools.chain) so that closing it closes ``rest`` and its response.
    yield first
    yield from rest


async def aprepend(first: _T, rest: AsyncIterator[_T]) -> AsyncIterator[_T]:
    try:
        yield first
        async for item in rest:
            yield item
    finally:
        aclose = getattr(rest, "aclose", None)
        if callable(aclose):
            await cast("Callable[[], Any]", aclose)()


async def empty_events() -> AsyncIterator[Any]:
    return
    yield  # an async generator that yields nothing


def no_events() -> Iterator[Any]:
    return iter(())
