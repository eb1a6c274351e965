"""What the runtime says about a failed call: request ids, secrets kept out of errors, and the
messages of timeouts and transport failures.

Every error the SDK raises passes :func:`redact_error` with the call's credentials
(:func:`secrets_of`) before it reaches the caller, so an API key a server echoes back never
shows in ``str``, ``repr``, ``args``, ``body`` or the request headers' ``repr``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import httpx2
import pydantic

from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
)

__all__ = [
    "REDACTED",
    "SENSITIVE_HEADERS",
    "RedactedHeaders",
    "redact_error",
    "redact_text",
    "redact_value",
    "request_id_of",
    "secrets_of",
    "timeout_message",
    "transport_error",
]


def request_id_of(response: httpx2.Response | None, body: Any = None) -> str | None:
    """The request id from ``x-request-id`` / ``request-id``, else the body's ``request_id``."""
    if response is not None:
        for name in ("x-request-id", "request-id"):
            header: str | None = response.headers.get(name)
            if header:
                return header
    value: object
    if isinstance(body, Mapping):
        value = cast("Mapping[str, object]", body).get("request_id")
    else:
        value = getattr(body, "request_id", None)
    return value if isinstance(value, str) else None


REDACTED = "[redacted]"
"""What a secret is replaced with in an error's message, arguments and body."""

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"}
)
"""Request headers whose values are credentials: masked in the ``repr`` of an error's request."""


class RedactedHeaders(httpx2.Headers):
    """Request headers whose ``repr`` masks every credential (httpx2 masks only
    ``authorization``); the values themselves stay readable by name."""

    def __repr__(self) -> str:
        items = [
            (name, "[secure]" if name.lower() in SENSITIVE_HEADERS else value)
            for name, value in self.multi_items()
        ]
        return f"Headers({items!r})"


def secrets_of(request: httpx2.Request | None, *keys: str | None) -> tuple[str, ...]:
    """The credentials of a call: ``keys`` and the values of the request's credential headers
    (a ``Bearer`` token also on its own), longest first so that none is left half-replaced."""
    found = {key for key in keys if key}
    if request is not None:
        for name in SENSITIVE_HEADERS:
            value = request.headers.get(name)
            if value:
                found.add(value)
                scheme, _, token = value.partition(" ")
                if token and scheme.lower() in {"bearer", "basic", "token"}:
                    found.add(token.strip())
    return tuple(sorted((s for s in found if len(s) >= 4), key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by :data:`REDACTED`."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` (a string, a decoded JSON value or a model) with the secrets replaced, at any
    depth; a model is rebuilt from its redacted wire form (a redacted copy of it when that no
    longer validates)."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        entries = cast("dict[str, Any]", value)
        return {key: redact_value(item, secrets) for key, item in entries.items()}
    if isinstance(value, (list, tuple)):
        items = [redact_value(item, secrets) for item in cast("list[Any]", value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, pydantic.BaseModel):
        to_dict = getattr(value, "to_dict", None)
        wire: Any = (
            to_dict()
            if callable(to_dict)
            else value.model_dump(mode="json", by_alias=True, exclude_unset=True)
        )
        text = json.dumps(wire, default=str)
        if redact_text(text, secrets) == text:
            return value
        cleaned = redact_value(wire, secrets)
        try:
            return type(value).model_validate(cleaned)
        except pydantic.ValidationError:
            return cleaned
    return value


def redact_error(error: APIError, secrets: tuple[str, ...]) -> APIError:
    """``error`` with no secret left where it shows: its message, ``args``, ``body`` and the
    ``repr`` of its request's headers. A chained exception that quotes a secret (pydantic's
    errors quote their input) is dropped from the chain."""
    if error.request is not None and not isinstance(error.request.headers, RedactedHeaders):
        error.request.headers = RedactedHeaders(error.request.headers)
    if not secrets:
        return error
    error.message = redact_text(error.message, secrets)
    error.args = tuple(redact_value(arg, secrets) for arg in error.args)
    error.body = redact_value(error.body, secrets)
    for cause in (error.__cause__, error.__context__):
        if cause is not None and redact_text(str(cause), secrets) != str(cause):
            error.__cause__ = None
            error.__context__ = None
            error.__suppress_context__ = True
            break
    return error


_TIMEOUT_PHASES: dict[type[httpx2.TimeoutException], str] = {
    httpx2.ConnectTimeout: "connect",
    httpx2.ReadTimeout: "read",
    httpx2.WriteTimeout: "write",
    httpx2.PoolTimeout: "pool",
}


def seconds_text(seconds: float) -> str:
    """``600`` for 600.0, ``0.25`` for 0.25: a limit as people write it."""
    return f"{seconds:g}"


def timeout_message(request: httpx2.Request | None, limit: float | None, phase: str) -> str:
    """``timed out after 600 s: POST https://…/v1/messages (read)``."""
    after = f" after {seconds_text(limit)} s" if limit is not None else ""
    where = f": {request.method} {request.url}" if request is not None else ""
    return f"timed out{after}{where} ({phase})"


def transport_error(exc: Exception, request: httpx2.Request | None = None) -> APIError:
    """The SDK error for an httpx2 failure to connect, send or read."""
    if isinstance(exc, httpx2.TimeoutException):
        phase = _TIMEOUT_PHASES.get(type(exc), "read")
        limits: object = request.extensions.get("timeout") if request is not None else None
        limit = cast("dict[str, object]", limits).get(phase) if isinstance(limits, dict) else None
        seconds = float(limit) if isinstance(limit, (int, float)) else None
        return APITimeoutError(timeout_message(request, seconds, phase), request=request)
    if isinstance(exc, httpx2.DecodingError):
        return APIResponseValidationError(f"response body could not be decoded: {exc}")
    return APIConnectionError(f"connection error: {type(exc).__name__}: {exc}", request=request)
