"""When to retry a call and how long to wait first.

Retried: connection failures and timeouts, and the statuses 408, 409, 429 and 5xx (an
``x-should-retry: true|false`` header from the server overrides the status). The wait is the
server's ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) when it sends one,
capped at :data:`MAX_RETRY_AFTER`; otherwise exponential backoff from :data:`INITIAL_DELAY`,
doubling up to :data:`MAX_DELAY`, less up to 25 % random jitter so that many clients that
failed together do not retry together.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "retry_after",
    "retry_delay",
    "should_retry_status",
]

DEFAULT_MAX_RETRIES = 2
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
JITTER = 0.25

_RETRY_STATUSES = frozenset({408, 409, 429})


def should_retry_status(status: int, headers: Mapping[str, str]) -> bool:
    """Whether a response with ``status`` is worth another attempt."""
    hint = headers.get("x-should-retry", "").strip().lower()
    if hint == "true":
        return True
    if hint == "false":
        return False
    return status in _RETRY_STATUSES or status >= 500


def retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked to wait, from ``retry-after-ms`` or ``Retry-After``; None if absent
    or unreadable. An HTTP date in the past means no wait."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        seconds = _number(ms)
        if seconds is not None:
            return seconds / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT even when written with -0000
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now())


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def retry_delay(
    retries_taken: int,
    headers: Mapping[str, str] | None = None,
    *,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``."""
    asked = retry_after(headers) if headers is not None else None
    if asked is not None:
        return min(asked, MAX_RETRY_AFTER)
    delay = min(INITIAL_DELAY * 2.0**retries_taken, MAX_DELAY)
    return delay * (1.0 - JITTER * rng())
