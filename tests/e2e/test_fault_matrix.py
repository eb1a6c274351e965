"""Every injected fault, sync and async, plain and streamed, through the SDK over loopback HTTP.

Each cell asserts the outcome (success or the exact error class), the number of attempts the
server saw, that the retries of one call shared one Idempotency-Key, and the elapsed time
within bounds that prove the wait the server asked for was honoured (and no longer). The
table of results is printed at the end of the run (see ``conftest.pytest_terminal_summary``).

The cells are independent calls, each with its own client and its own attempt key, so they
run concurrently (most of their time is waiting out Retry-After and timeouts); each cell's
elapsed time is its own.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

import chatsdk

from .conftest import RunningServer
from .families import API_KEY, CHAT, MESSAGES, PATHS, RUNNERS, SESSIONS, Outcome

MODES = [("sync", False), ("sync", True), ("async", False), ("async", True)]


@dataclass(frozen=True)
class Expect:
    """What one cell must do."""

    error: type[chatsdk.APIError] | None  # None: the call succeeds
    attempts: int
    min_seconds: float = 0.0
    max_seconds: float = 3.0
    events_before_error: int | None = None  # a stream that broke after delivering events


@dataclass(frozen=True)
class Row:
    name: str
    family: str
    fault: str  # the x-sdkforge-fault value; "{first_event}" is filled in per family
    plain: Expect
    streamed: Expect
    call: dict[str, Any] = field(default_factory=dict)
    check: Callable[[Any, bool], None] | None = None  # more about the error (or result)


def rate_limited(error: Any, streamed: bool) -> None:
    assert error.status_code == 429 and error.response.headers["retry-after-ms"] == "10"
    assert error.body.to_dict()["error"]["type"] == "rate_limit_error"


def quotes_the_page(error: Any, streamed: bool) -> None:
    assert error.status_code == 502 and isinstance(error.body, str)
    assert "<html>" in str(error) and "more characters" in str(error) and len(str(error)) < 1500


def reports_the_error(error: Any, streamed: bool) -> None:
    if streamed:
        assert error.error_type == "api_error" and "injected error event" in str(error)
    else:
        assert error.status_code == 500 and "failed mid-answer" in str(error)


def names_the_missing_end(error: Any, streamed: bool) -> None:
    if streamed:
        assert str(error).startswith("stream ended before ") and error.events == 2
    else:
        assert "is not JSON" in str(error)


def echoes_nothing(error: Any, streamed: bool) -> None:
    """The server quoted the key back; nothing that shows the error quotes it."""
    shown = [str(error), repr(error), repr(error.args), str(error.body), repr(error.body)]
    shown += [repr(error.request.headers), "".join(traceback.format_exception(error))]
    assert all(API_KEY not in text for text in shown)
    assert "for key [redacted]" in str(error)


ROWS = [
    Row(
        "429 once, retry-after-ms: 800",
        CHAT,
        "429; times=1; retry-after-ms=800",
        Expect(None, 2, 0.8, 3.0),
        Expect(None, 2, 0.8, 3.0),
    ),
    Row(
        "429 once, Retry-After: 1 (seconds)",
        MESSAGES,
        "429; times=1; retry-after=1",
        Expect(None, 2, 1.0, 3.5),
        Expect(None, 2, 1.0, 3.5),
    ),
    Row(
        "503 once, Retry-After: <HTTP date>",
        SESSIONS,
        "503; times=1; retry-after-date=1",
        Expect(None, 2, 0.9, 4.0),
        Expect(None, 2, 0.9, 4.0),
    ),
    Row(
        "503 twice, then success",
        CHAT,
        "503; times=2; retry-after-ms=10",
        Expect(None, 3, 0.02, 2.0),
        Expect(None, 3, 0.02, 2.0),
    ),
    Row(
        "429 on every attempt",
        MESSAGES,
        "429; retry-after-ms=10",
        Expect(chatsdk.RateLimitError, 3, 0.02, 2.0),
        Expect(chatsdk.RateLimitError, 3, 0.02, 2.0),
        check=rate_limited,
    ),
    Row(
        "non-JSON 502 page on every attempt",
        SESSIONS,
        "non-json; status=502; retry-after-ms=10",
        Expect(chatsdk.ServerError, 2, 0.01, 2.0),
        Expect(chatsdk.ServerError, 2, 0.01, 2.0),
        {"max_retries": 1},
        quotes_the_page,
    ),
    Row(
        "connection reset before the answer, once",
        CHAT,
        "reset; times=1",
        Expect(None, 2, 0.3, 2.5),
        Expect(None, 2, 0.3, 2.5),
    ),
    Row(
        "connection reset after N bytes",
        MESSAGES,
        "reset; bytes={first_event}",
        Expect(chatsdk.APIConnectionError, 2, 0.3, 2.5),
        Expect(chatsdk.APIConnectionError, 1, 0.0, 1.5, events_before_error=1),
        {"max_retries": 1},
    ),
    Row(
        "stall before the answer (timeout 0.3 s)",
        SESSIONS,
        "stall; seconds=3",
        Expect(chatsdk.APITimeoutError, 2, 0.6, 3.0),
        Expect(chatsdk.APITimeoutError, 2, 0.6, 3.0),
        {"max_retries": 1, "timeout": 0.3},
    ),
    Row(
        "stall mid-answer (timeout 0.3 s)",
        CHAT,
        "stall; seconds=3; after=1",
        Expect(chatsdk.APITimeoutError, 2, 0.6, 3.0),
        Expect(chatsdk.APITimeoutError, 1, 0.3, 2.0, events_before_error=1),
        {"max_retries": 1, "timeout": 0.3},
    ),
    Row(
        "malformed JSON (body / third event, after a ping)",
        MESSAGES,
        "malformed; after=2",
        Expect(chatsdk.APIResponseValidationError, 1, 0.0, 1.5),
        Expect(chatsdk.APIResponseValidationError, 1, 0.0, 1.5, events_before_error=1),
    ),
    Row(
        "error event mid-stream (plain: 500)",
        CHAT,
        "error-event; after=2",
        Expect(chatsdk.ServerError, 2, 0.3, 2.5),
        Expect(chatsdk.StreamError, 1, 0.0, 1.5, events_before_error=2),
        {"max_retries": 1},
        reports_the_error,
    ),
    *(
        Row(
            f"body ends before the terminal event ({family})",
            family,
            f"truncate; after={3 if family == MESSAGES else 2}",  # a ping comes second
            Expect(chatsdk.APIResponseValidationError, 1, 0.0, 1.5),
            Expect(chatsdk.APIStreamIncompleteError, 1, 0.0, 1.5, events_before_error=2),
            check=names_the_missing_end,
        )
        for family in (CHAT, MESSAGES, SESSIONS)
    ),
    Row(
        "error event echoing the key (plain: 500)",
        MESSAGES,
        "error-event; after=3; echo=1",  # after a ping
        Expect(chatsdk.ServerError, 2, 0.3, 2.5),
        Expect(chatsdk.StreamError, 1, 0.0, 1.5, events_before_error=2),
        {"max_retries": 1},
        echoes_nothing,
    ),
]


@pytest.fixture(scope="module")
def first_event_end(server: RunningServer) -> dict[tuple[str, bool], int]:
    """Byte offsets a little past the first event (or into the body) of each family's answer."""
    offsets = {}
    for family, path in PATHS.items():
        body: dict[str, Any] = {
            CHAT: {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True},
            MESSAGES: {
                "model": "m",
                "system": "s",
                "messages": [{"role": "user", "content": "hi"}],
                "stream": True,
            },
            SESSIONS: {"message": "hi", "stream": True},
        }[family]
        headers = {"authorization": f"Bearer {API_KEY}", "x-api-key": API_KEY}
        data = httpx.post(server.url + path, json=body, headers=headers).content
        offsets[family, True] = data.index(b"\n\n") + 10
        offsets[family, False] = 100
    return offsets


Cell = tuple[str, str, bool]  # row name, mode, streamed


def run_cell(
    server: RunningServer, row: Row, mode: str, streamed: bool, offsets: dict[tuple[str, bool], int]
) -> tuple[Outcome, dict[str, Any]]:
    key = f"matrix-{uuid.uuid4().hex}"
    fault = row.fault.format(first_event=offsets[row.family, streamed])
    headers = {"x-sdkforge-fault": fault, "x-sdkforge-key": key}
    outcome = RUNNERS[mode](server.url, row.family, streamed, headers, **row.call)
    return outcome, server.attempts(key)


@pytest.fixture(scope="module")
def cells(
    server: RunningServer, first_event_end: dict[tuple[str, bool], int]
) -> Iterator[dict[Cell, Future[tuple[Outcome, dict[str, Any]]]]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield {
            (row.name, mode, streamed): pool.submit(
                run_cell, server, row, mode, streamed, first_event_end
            )
            for row in ROWS
            for mode, streamed in MODES
        }


@pytest.mark.parametrize(
    ("mode", "streamed"), MODES, ids=[f"{m}-{'stream' if s else 'plain'}" for m, s in MODES]
)
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_fault(
    cells: dict[Cell, Future[tuple[Outcome, dict[str, Any]]]],
    record_property: Any,
    row: Row,
    mode: str,
    streamed: bool,
) -> None:
    column = f"{mode} {'stream' if streamed else 'plain'}"
    record_property("fault_cell", (row.name, row.family, column, ""))
    expect = row.streamed if streamed else row.plain
    outcome, seen = cells[row.name, mode, streamed].result(timeout=120)
    detail = f"{seen['attempts']} att, {outcome.elapsed:.2f} s"
    record_property("fault_cell", (row.name, row.family, column, detail))

    if expect.error is None:
        assert outcome.error is None, repr(outcome.error)
        assert outcome.result
    else:
        assert type(outcome.error) is expect.error, repr(outcome.error)
        assert API_KEY not in str(outcome.error)
        if isinstance(outcome.error, chatsdk.APIStatusError):
            assert outcome.error.request_id == outcome.error.response.headers["x-request-id"]
        if row.check is not None:
            row.check(outcome.error, streamed)
    assert seen["attempts"] == expect.attempts
    if expect.events_before_error is not None:
        assert len(outcome.events) == expect.events_before_error
    assert expect.min_seconds <= outcome.elapsed <= expect.max_seconds
    # One call, one Idempotency-Key, however many attempts; each attempt says which it is.
    requests = seen["requests"]
    assert len({r["idempotency_key"] for r in requests}) == 1
    assert [r["headers"]["x-chatsdk-retry-count"] for r in requests] == [
        str(n) for n in range(len(requests))
    ]
