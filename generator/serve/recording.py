"""The requests the server has seen, grouped by key, for ``GET /_sdkforge/requests/{key}``.

Credentials are never kept: the headers that carry them (``authorization``, ``x-api-key``,
``api-key``, cookies, and every header a security scheme of the schemas names) are recorded
redacted, ``Bearer ***`` or ``***``, with the auth scheme's word kept and the secret hidden.
Each one's :func:`fingerprint` is recorded instead, so a test can check which key arrived.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.requests import Request

__all__ = ["SECRET_HEADERS", "Attempt", "RequestLog", "fingerprint", "redact"]

# Headers that carry credentials whatever the schemas say.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
HIDDEN = "***"
# `Bearer abc`, `Basic abc`: the RFC 9110 auth-scheme token, then the credentials.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+(\S.*)", re.DOTALL)


def redact(name: str, value: str) -> str:
    """``value`` of the credential header ``name`` with the secret hidden: ``Bearer ***``,
    ``session=***; theme=***`` for cookies, else ``***`` (an empty value stays empty)."""
    if not value.strip():
        return value
    if name in ("cookie", "set-cookie"):
        names = (part.partition("=")[0].strip() for part in value.split(";"))
        return "; ".join(f"{n}={HIDDEN}" for n in names if n)
    match = _SCHEME.fullmatch(value.strip())
    return f"{match.group(1)} {HIDDEN}" if match else HIDDEN


def fingerprint(value: str) -> str:
    """A short digest of a credential's secret (its auth scheme word left out)."""
    match = _SCHEME.fullmatch(value.strip())
    secret = match.group(2) if match else value.strip()
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:16]


@dataclass
class Attempt:
    """One request as the server saw it (shown by the debug endpoint)."""

    number: int
    method: str
    path: str
    query: str
    idempotency_key: str | None
    headers: dict[str, str]
    credentials: dict[str, str] = field(default_factory=dict)  # header -> fingerprint
    status: int = 0
    stream: bool = False
    chunks_sent: int = 0
    completed: bool = False


class RequestLog:
    """Attempts per key (bounded, oldest key dropped first), credentials redacted.

    ``secret_headers``: header names (any case) to redact besides :data:`SECRET_HEADERS`.
    """

    MAX_KEYS = 10_000

    def __init__(self, secret_headers: Iterable[str] = ()) -> None:
        self._by_key: OrderedDict[str, list[Attempt]] = OrderedDict()
        self.secret_headers = SECRET_HEADERS | {name.lower() for name in secret_headers}

    def get(self, key: str) -> list[Attempt]:
        return self._by_key.get(key, [])

    def record(self, key: str | None, request: Request) -> Attempt:
        """A new attempt of ``key`` (numbered from 1); without a key, one counted alone."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        credentials = {}
        for name in self.secret_headers & headers.keys():
            if headers[name].strip():
                credentials[name] = fingerprint(headers[name])
            headers[name] = redact(name, headers[name])
        seen = self._by_key.setdefault(key, []) if key is not None else []
        attempt = Attempt(
            number=len(seen) + 1,
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            idempotency_key=headers.get("idempotency-key"),
            headers=headers,
            credentials=dict(sorted(credentials.items())),
        )
        seen.append(attempt)
        if len(self._by_key) > self.MAX_KEYS:
            self._by_key.popitem(last=False)
        return attempt
