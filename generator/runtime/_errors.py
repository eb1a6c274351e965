"""The exceptions the client raises, one class per kind of failure.

Every failure of a call is an :class:`APIError` carrying what is known about it: the HTTP
status, the error body (the API family's ``ErrorResponse`` model when the body parses as one,
otherwise the decoded JSON or a bounded excerpt of the text) and the request id. Messages
never contain the API key.

Only the standard library is imported here, so importing ``APIError`` from the package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._constants import PackageError

if TYPE_CHECKING:
    import httpx2

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamIncompleteError",
    "APITimeoutError",
    "AuthenticationError",
    "ConflictError",
    "InvalidRequestError",
    "MaxTurnsExceededError",
    "NotFoundError",
    "OutputValidationError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamError",
]

EXCERPT_LIMIT = 500
"""Most characters of an unexpected body quoted in an error message."""


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def amend(error: APIError, message: str) -> None:
    """Replace ``error``'s message everywhere it shows: ``str()``, ``repr()`` and ``args``."""
    error.message = message
    error.args = (message,)


class APIError(PackageError):
    """A call failed. ``status_code``, ``body`` and ``request_id`` say what is known.

    ``body`` is the family's ``ErrorResponse`` model when the error body parses as one,
    otherwise the decoded JSON value, otherwise a bounded excerpt of the text, or None.
    """

    message: str
    status_code: int | None
    body: Any
    request_id: str | None
    request: httpx2.Request | None
    response: httpx2.Response | None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        request_id: str | None = None,
        request: httpx2.Request | None = None,
        response: httpx2.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.request = request
        self.response = response

    def __str__(self) -> str:
        return self.message


class APIStatusError(APIError):
    """The server answered with a non-2xx status (always set here, with ``response``);
    subclasses name the common ones."""


class InvalidRequestError(APIStatusError):
    """400 or 422: the request was malformed or had invalid values."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the API key may not use the requested resource."""


class NotFoundError(APIStatusError):
    """404: the requested resource (or model, or session) does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state; retried automatically."""


class RateLimitError(APIStatusError):
    """429: a rate limit was exceeded; retried automatically, honouring Retry-After."""


class ServerError(APIStatusError):
    """5xx: the server failed or is overloaded; retried automatically."""


class OverloadedError(ServerError):
    """529: the API is temporarily overloaded; retried automatically."""


class APIConnectionError(APIError):
    """No usable answer arrived: the connection failed, was reset, or broke mid-body."""


class APITimeoutError(APIConnectionError):
    """The call did not finish within its timeout."""


class APIStreamIncompleteError(APIConnectionError):
    """A stream's body ended before its terminal event (``[DONE]``, ``message_stop``, …).

    An :class:`APIConnectionError`: an answer cut short is what a connection that broke
    mid-body gives, whoever closed it, so the code that handles one handles the other; a
    stream that ends before its first event is retried like one. Not a :class:`StreamError`:
    the server reported nothing. ``events`` is how many events had arrived.
    """

    events: int

    def __init__(self, message: str, *, events: int = 0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.events = events


class StreamError(APIError):
    """The server reported an error inside a stream that had already started.

    ``body`` is the family's ``ErrorResponse`` model parsed from the event (raw JSON when it
    does not parse); ``error_type`` is its ``error.type`` when there is one.
    """

    error_type: str | None

    def __init__(self, message: str, *, error_type: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.error_type = error_type


class APIResponseValidationError(APIError):
    """A successful response (or stream event) is not what the schema says it is.

    The message quotes a bounded excerpt of what arrived.
    """


class OutputValidationError(APIError):
    """A structured answer (``parse``) still did not match its schema after every re-ask.

    ``attempts`` holds each answer's raw output and issues, in order; ``responses`` the
    responses themselves; ``usage`` their usage summed.
    """

    def __init__(
        self, message: str, *, attempts: list[Any], responses: list[Any], usage: Any = None
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.responses = responses
        self.usage = usage


class MaxTurnsExceededError(APIError):
    """The tool loop (``run_tools``) reached ``max_turns`` with the model still calling
    tools. ``turns`` holds every turn run, ``messages`` the transcript so far."""

    def __init__(
        self, message: str, *, turns: list[Any], messages: list[Any], usage: Any = None
    ) -> None:
        super().__init__(message)
        self.turns = turns
        self.messages = messages
        self.usage = usage


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: InvalidRequestError,
    429: RateLimitError,
    529: OverloadedError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    known = _BY_STATUS.get(status)
    if known is not None:
        return known
    return ServerError if status >= 500 else APIStatusError
