"""The requests the server has seen, grouped by key, for ``GET /_sdkforge/requests/{key}``."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request

__all__ = ["Attempt", "RequestLog"]


@dataclass
class Attempt:
    """One request as the server saw it (shown by the debug endpoint)."""

    number: int
    method: str
    path: str
    query: str
    idempotency_key: str | None
    headers: dict[str, str]
    status: int = 0
    stream: bool = False
    chunks_sent: int = 0
    completed: bool = False


class RequestLog:
    """Attempts per key (bounded, oldest key dropped first)."""

    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self._by_key: OrderedDict[str, list[Attempt]] = OrderedDict()

    def get(self, key: str) -> list[Attempt]:
        return self._by_key.get(key, [])

    def record(self, key: str | None, request: Request) -> Attempt:
        """A new attempt of ``key`` (numbered from 1); without a key, one counted alone."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        seen = self._by_key.setdefault(key, []) if key is not None else []
        attempt = Attempt(
            number=len(seen) + 1,
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            idempotency_key=headers.get("idempotency-key"),
            headers=headers,
        )
        seen.append(attempt)
        if len(self._by_key) > self.MAX_KEYS:
            self._by_key.popitem(last=False)
        return attempt
