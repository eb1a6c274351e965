"""Retries: which failures, how long to wait, one Idempotency-Key per call, streams only
before their first event."""

from __future__ import annotations

import email.utils
import time

import httpx2
import pytest
from mock_api import (
    CHAT_BODY,
    Body,
    MockAPI,
    fixture,
    json_response,
    sleeps,
    sse_response,
    sync_client,
)

from chatsdk import (
    APIConnectionError,
    APIStreamIncompleteError,
    APITimeoutError,
    InvalidRequestError,
    RateLimitError,
    ServerError,
    _retry,
)
from chatsdk.chat_completions import ChatMessage

HI = [ChatMessage.user("hi")]
ERROR = {"error": {"message": "slow down", "type": "rate_limit_error"}}


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_retryable_statuses_are_retried(status: int) -> None:
    api = MockAPI(json_response(status, ERROR), json_response(200, CHAT_BODY))
    client = sync_client(api)
    result = client.chat.completions.create(model="m", messages=HI)
    assert result.id == CHAT_BODY["id"]
    assert len(api.requests) == 2
    assert len(sleeps(client)) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    api = MockAPI(json_response(status, ERROR))
    client = sync_client(api)
    with pytest.raises(Exception):  # noqa: B017 - the class is checked in test_client_errors
        client.chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 1 and sleeps(client) == []


def test_default_is_two_retries_then_the_error() -> None:
    api = MockAPI(json_response(503, ERROR))
    client = sync_client(api)
    with pytest.raises(ServerError):
        client.chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 3
    first, second = sleeps(client)
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0  # exponential, with jitter


def test_max_retries_per_client_and_per_call() -> None:
    api = MockAPI(json_response(429, ERROR))
    client = sync_client(api, max_retries=4)
    with pytest.raises(RateLimitError):
        client.chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 5
    with pytest.raises(RateLimitError):
        client.chat.completions.create(model="m", messages=HI, max_retries=0)
    assert len(api.requests) == 6
    with pytest.raises(RateLimitError):
        client.with_options(max_retries=1).chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 8


def test_idempotency_key_is_reused_across_the_retries_of_one_call() -> None:
    api = MockAPI(
        json_response(500, ERROR), httpx2.ConnectError("x"), json_response(200, CHAT_BODY)
    )
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    keys = {r.headers["idempotency-key"] for r in api.requests}
    assert len(keys) == 1
    assert [r.headers["x-chatsdk-retry-count"] for r in api.requests] == ["0", "1", "2"]
    client.chat.completions.create(model="m", messages=HI)
    assert api.last.headers["idempotency-key"] not in keys  # a new call, a new key
    client.chat.completions.create(
        model="m", messages=HI, extra_headers={"Idempotency-Key": "mine"}
    )
    assert api.last.headers["idempotency-key"] == "mine"


def test_retry_after_ms_is_honoured() -> None:
    api = MockAPI(
        json_response(429, ERROR, **{"retry-after-ms": "1250"}), json_response(200, CHAT_BODY)
    )
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    assert sleeps(client) == [1.25]


def test_retry_after_seconds_is_honoured() -> None:
    api = MockAPI(json_response(503, ERROR, **{"retry-after": "3"}), json_response(200, CHAT_BODY))
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    assert sleeps(client) == [3.0]


def test_retry_after_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    api = MockAPI(json_response(429, ERROR, **{"retry-after": when}), json_response(200, CHAT_BODY))
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    (waited,) = sleeps(client)
    assert 3.5 <= waited <= 5.0


def test_retry_after_is_capped() -> None:
    api = MockAPI(
        json_response(429, ERROR, **{"retry-after": "86400"}), json_response(200, CHAT_BODY)
    )
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    assert sleeps(client) == [_retry.MAX_RETRY_AFTER]


def test_x_should_retry_overrides_the_status() -> None:
    api = MockAPI(json_response(500, ERROR, **{"x-should-retry": "false"}))
    client = sync_client(api)
    with pytest.raises(ServerError):
        client.chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 1
    api = MockAPI(
        json_response(400, ERROR, **{"x-should-retry": "true"}), json_response(200, CHAT_BODY)
    )
    sync_client(api).chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "20"}, 0.02),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "bogus", "retry-after": "1"}, 1.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-3"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsing(headers: dict[str, str], expected: float | None) -> None:
    assert _retry.retry_after(headers) == expected


def test_connection_errors_and_timeouts_are_retried() -> None:
    api = MockAPI(
        httpx2.ConnectError("refused"), httpx2.ReadTimeout("slow"), json_response(200, CHAT_BODY)
    )
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 3
    api = MockAPI(httpx2.ConnectTimeout("never"))
    with pytest.raises(APITimeoutError):
        sync_client(api, max_retries=1).chat.completions.create(model="m", messages=HI)
    assert len(api.requests) == 2


def test_a_body_cut_off_mid_way_is_retried() -> None:
    broken = httpx2.Response(
        200, stream=Body([b'{"id": "chat'], error=httpx2.RemoteProtocolError("peer closed"))
    )
    api = MockAPI(broken, json_response(200, CHAT_BODY))
    result = sync_client(api).chat.completions.create(model="m", messages=HI)
    assert result.id == CHAT_BODY["id"] and len(api.requests) == 2


STREAM = fixture("openai/chat_completion_streams/test_parse_pydantic_tool.sse")


def test_a_stream_is_retried_before_its_first_event() -> None:
    cut = STREAM.index(b"\n\n") - 10  # the first event never completes
    api = MockAPI(
        json_response(503, ERROR),
        sse_response(Body([STREAM[:cut]], error=httpx2.ReadError("reset"))),
        lambda request: sse_response(STREAM),
    )
    client = sync_client(api)
    with client.chat.completions.stream(model="m", messages=HI) as stream:
        final = stream.get_final_completion()
    assert len(api.requests) == 3
    assert len({r.headers["idempotency-key"] for r in api.requests}) == 1
    assert final.choices[0].message.tool_calls


def test_a_stream_is_not_retried_after_its_first_event() -> None:
    first_event_end = STREAM.index(b"\n\n") + 2
    body = Body(
        [STREAM[:first_event_end], STREAM[first_event_end : first_event_end + 30]],
        error=httpx2.ReadError("reset"),
    )
    api = MockAPI(sse_response(body), lambda request: sse_response(STREAM))
    client = sync_client(api)
    stream = client.chat.completions.create(model="m", messages=HI, stream=True)
    received = [next(stream)]
    with pytest.raises(APIConnectionError):
        received.extend(stream)
    assert len(received) == 1 and len(api.requests) == 1
    assert body.closed


def test_a_stream_with_only_its_terminator_is_empty() -> None:
    api = MockAPI(sse_response(b": nothing to say\n\ndata: [DONE]\n\n"))
    assert list(sync_client(api).chat.completions.create(model="m", messages=HI, stream=True)) == []


def test_an_empty_body_is_an_incomplete_stream_retried_before_any_event() -> None:
    api = MockAPI(lambda request: sse_response(b": nothing to say\n\n"))
    with pytest.raises(APIStreamIncompleteError) as caught:
        sync_client(api, max_retries=1).chat.completions.create(model="m", messages=HI, stream=True)
    assert len(api.requests) == 2
    assert str(caught.value) == (
        "stream ended before [DONE], after 0 events: POST http://api.test/v1/chat/completions"
        " (after 2 attempts)"
    )


def test_invalid_request_in_a_stream_call_is_raised_before_iteration() -> None:
    api = MockAPI(json_response(400, ERROR))
    with pytest.raises(InvalidRequestError):
        sync_client(api).chat.completions.create(model="m", messages=HI, stream=True)
    assert len(api.requests) == 1
