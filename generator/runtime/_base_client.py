"""The HTTP machinery under the package's ``Client`` and ``AsyncClient``.

A generated resource method validates its arguments into the operation's request model,
takes the wire form of it, and hands it here with the operation's :class:`OperationSpec`.
This module sends it with httpx2 (authentication per the schema's security scheme, default
headers, a User-Agent naming the SDK version, an ``Idempotency-Key`` shared by every attempt
of one call), retries what is worth retrying (see :mod:`._retry`), enforces the
timeout, and turns the answer into the response model, a typed stream, or an
:class:`~._errors.APIError` subclass.

Timeouts: a number is the limit, in seconds, for one attempt of a non-streamed call (its
connect phase is limited to 5 s of it); for a stream it limits each wait for the next bytes.
An ``httpx2.Timeout`` sets every phase exactly. The default is 600 s.

The API key is never logged, never part of a repr, and removed from error messages.

This module holds what both clients share (configuration, request building, status errors,
parsing); :mod:`._sync_client` and :mod:`._async_client` send and read.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

import httpx2
import pydantic

from . import _logs, _retry
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
from ._faults import RedactedHeaders, redact_error, redact_text, request_id_of, secrets_of
from ._lenient import lenient_json
from ._streaming import StreamSpec
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "BaseRequester",
    "CallOptions",
    "ClientSettings",
    "OperationSpec",
    "build_body",
]

log = logging.getLogger(LOGGER_NAME)
_logs.setup_logging()

DEFAULT_TIMEOUT = 600.0
DEFAULT_CONNECT_TIMEOUT = 5.0
_PLATFORM = f"python {platform.python_version()}; httpx2 {httpx2.__version__}"

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


class CloseableStream(Protocol):
    def close(self) -> None: ...


class AsyncCloseableStream(Protocol):
    async def close(self) -> None: ...


@dataclass(frozen=True)
class ClientSettings:
    """Every setting of one client, resolved (the environment read, the base URL parsed).

    ``copy()``/``with_options()`` make a client from a changed copy of them."""

    api_key: str | None
    base_url: httpx2.URL
    timeout: TimeoutTypes
    max_retries: int
    default_headers: Mapping[str, str]
    default_query: Mapping[str, object]
    strict_response_validation: bool

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None,
        base_url: str | httpx2.URL | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        strict_response_validation: bool,
    ) -> ClientSettings:
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
        return cls(
            api_key=api_key,
            base_url=httpx2.URL(str(base_url)),
            timeout=timeout,
            max_retries=max_retries,
            default_headers=dict(default_headers or {}),
            default_query=dict(default_query or {}),
            strict_response_validation=strict_response_validation,
        )

    def changed(
        self,
        *,
        api_key: str | None,
        base_url: str | httpx2.URL | None,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | NotGiven,
        default_headers: Mapping[str, str] | None,
        set_default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        set_default_query: Mapping[str, object] | None,
        strict_response_validation: bool | NotGiven,
    ) -> dict[str, Any]:
        """The keyword arguments of a client like this one with what is given changed:
        ``default_headers``/``default_query`` are merged over these, ``set_…`` replace them."""
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("pass default_headers= or set_default_headers=, not both")
        if default_query is not None and set_default_query is not None:
            raise ValueError("pass default_query= or set_default_query=, not both")
        headers = dict(self.default_headers) if set_default_headers is None else {}
        headers.update(default_headers or set_default_headers or {})
        query = dict(self.default_query) if set_default_query is None else {}
        query.update(default_query or set_default_query or {})
        return {
            "api_key": api_key if api_key is not None else self.api_key,
            "base_url": base_url if base_url is not None else self.base_url,
            "timeout": self.timeout if isinstance(timeout, NotGiven) else timeout,
            "max_retries": self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            "default_headers": headers,
            "default_query": query,
            "strict_response_validation": (
                self.strict_response_validation
                if isinstance(strict_response_validation, NotGiven)
                else strict_response_validation
            ),
        }


class BaseClient:
    """The settings every client shows, read-only; :mod:`._sync_client` and
    :mod:`._async_client` add ``copy()``, ``close()`` and the requester that sends."""

    sdk_version: ClassVar[str] = "0"
    """Named in the User-Agent; the generated clients set it to the package's ``__version__``."""

    _settings: ClientSettings

    @property
    def api_key(self) -> str | None:
        """The API key in use (from the argument or the ``<PREFIX>_API_KEY`` environment variable)."""
        return self._settings.api_key

    @property
    def base_url(self) -> httpx2.URL:
        return self._settings.base_url

    @property
    def timeout(self) -> TimeoutTypes:
        return self._settings.timeout

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    @property
    def default_headers(self) -> Mapping[str, str]:
        """The headers sent with every request (credentials aside)."""
        return dict(self._settings.default_headers)

    @property
    def default_query(self) -> Mapping[str, object]:
        return dict(self._settings.default_query)

    @property
    def strict_response_validation(self) -> bool:
        """Raise on an answer that does not match its schema, instead of keeping it with its
        ``validation_errors`` (see ``_lenient.py``)."""
        return self._settings.strict_response_validation

    def __repr__(self) -> str:
        key = "<set>" if self._settings.api_key else None
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, api_key={key})"


class BaseRequester:
    """How one client builds requests and reads answers, shared by the sync and async
    requesters. A client holds one and hands it to its resources, whose methods call it;
    it is no part of the client's public surface."""

    def __init__(self, settings: ClientSettings, sdk_version: str) -> None:
        self.settings = settings
        self.user_agent = f"{USER_AGENT_PRODUCT}/{sdk_version} ({_PLATFORM})"
        self._api_key = settings.api_key
        self._default_headers = settings.default_headers
        self._default_query = settings.default_query
        self.strict = settings.strict_response_validation

    # --- building requests ---------------------------------------------------------------

    def _url(self, path: str) -> str:
        return str(self.settings.base_url).rstrip("/") + "/" + path.lstrip("/")

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
    ) -> httpx2.Headers:
        headers = httpx2.Headers(
            {
                "Accept": "text/event-stream" if stream else "application/json",
                "Content-Type": "application/json",
                "User-Agent": self.user_agent,
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

    def _timeouts(self, options: CallOptions) -> tuple[httpx2.Timeout, float | None]:
        """The httpx2 timeout of one attempt, and its total limit (None: no total)."""
        timeout = (
            self.settings.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        )
        if isinstance(timeout, httpx2.Timeout):
            return timeout, None
        if timeout is None:
            return httpx2.Timeout(None), None
        seconds = float(timeout)
        return httpx2.Timeout(seconds, connect=min(DEFAULT_CONNECT_TIMEOUT, seconds)), seconds

    def _max_retries(self, options: CallOptions) -> int:
        if isinstance(options.max_retries, NotGiven):
            return self.settings.max_retries
        if options.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        return options.max_retries

    def _query(self, options: CallOptions) -> dict[str, Any]:
        return {**self._default_query, **(options.extra_query or {})}

    # --- reading answers -----------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return redact_text(text, secrets_of(None, self._api_key))

    def _status_error(
        self, op: OperationSpec[Any, Any, Any], response: httpx2.Response, content: bytes
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
        self, op: OperationSpec[_R, Any, Any], response: httpx2.Response, content: bytes
    ) -> _R:
        try:
            return op.response.model_validate_json(content)
        except pydantic.ValidationError as exc:
            text = content.decode("utf-8", errors="replace")
            errors = exc.errors(include_url=False, include_input=False)
            if errors and errors[0].get("type") == "json_invalid":
                what = "is not JSON"
            else:
                kept = None if self.strict else lenient_json(op.response, content, exc)
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

    def parse_answer(
        self, op: OperationSpec[_R, Any, Any], response: httpx2.Response, content: bytes | None
    ) -> _R:
        """The response model of a whole body, carrying the request id as ``_request_id``."""
        result = self._parse(op, response, content or b"")
        # a class variable of the models, not a field: never serialised, compared or validated
        object.__setattr__(result, "_request_id", request_id_of(response))
        return result

    def secrets(self, request: httpx2.Request | None) -> tuple[str, ...]:
        """The credentials of a request, to keep out of errors and logs."""
        return secrets_of(request, self._api_key)

    # --- logging (``<PREFIX>_LOG=info|debug``; see ._logs) ---------------------------------

    def _log_request(self, request: httpx2.Request, retries_taken: int, max_retries: int) -> None:
        if log.isEnabledFor(logging.DEBUG):
            secrets = self.secrets(request)
            log.debug(
                "request: %s %s (attempt %d of %d) headers=%s",
                request.method,
                redact_text(str(request.url), secrets),
                retries_taken + 1,
                max_retries + 1,
                redact_text(repr(RedactedHeaders(request.headers)), secrets),
            )

    def _log_response(
        self, request: httpx2.Request, response: httpx2.Response, started: float
    ) -> None:
        if log.isEnabledFor(logging.INFO):
            request_id = request_id_of(response)
            log.info(
                "response: %s %s -> %d %s in %.3f s%s",
                request.method,
                redact_text(str(request.url), self.secrets(request)),
                response.status_code,
                response.reason_phrase,
                time.monotonic() - started,
                f" (request id {request_id})" if request_id else "",
            )

    def _log_failure(self, request: httpx2.Request, error: APIError, started: float) -> None:
        if log.isEnabledFor(logging.INFO):
            secrets = self.secrets(request)
            log.info(
                "failed: %s %s after %.3f s: %s",
                request.method,
                redact_text(str(request.url), secrets),
                time.monotonic() - started,
                redact_text(str(error), secrets),
            )

    @staticmethod
    def _attempted(error: _E, retries_taken: int) -> _E:
        """``error``, its message saying how many attempts the call made when it made several."""
        if retries_taken > 0:
            amend(error, f"{error.message} (after {retries_taken + 1} attempts)")
        return error

    def _log_retry(
        self, request: httpx2.Request, retries_taken: int, delay: float, why: str
    ) -> None:
        secrets = self.secrets(request)
        log.info(
            "retrying %s %s in %.2f s (retry %d) after %s",
            request.method,
            redact_text(str(request.url), secrets),
            delay,
            retries_taken + 1,
            redact_text(why, secrets),
        )

    @staticmethod
    def _delay(retries_taken: int, response: httpx2.Response | None) -> float:
        return _retry.retry_delay(retries_taken, response.headers if response is not None else None)

    @staticmethod
    def _retryable(response: httpx2.Response) -> bool:
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
