"""Typed errors: status → class, parsed error bodies, request ids, bounded excerpts, no key."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx2
import pytest
from mock_api import (
    API_KEY,
    FIXTURES,
    Body,
    MockAPI,
    async_client,
    json_response,
    sse_response,
    sync_client,
)

import chatsdk
from chatsdk import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamError,
    chat_completions,
    messages,
    sessions,
)
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message

HI = [ChatMessage.user("hi")]
OPENAI_ERROR = {
    "error": {
        "message": "bad temperature",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": None,
    }
}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, APIStatusError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (529, OverloadedError),
    ],
)
def test_status_maps_to_error_class(status: int, error_class: type[APIStatusError]) -> None:
    api = MockAPI(json_response(status, OPENAI_ERROR, **{"x-request-id": "req_9"}))
    with pytest.raises(error_class) as caught:
        sync_client(api, max_retries=0).chat.completions.create(model="m", messages=HI)
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, APIError) and isinstance(error, chatsdk.ChatSDKError)
    assert error.status_code == status
    assert error.request_id == "req_9"
    assert isinstance(error.body, chat_completions.ErrorResponse)
    assert error.body.error.param == "temperature"
    assert "bad temperature" in str(error) and "req_9" in str(error)
    assert error.response is not None and error.response.status_code == status


@pytest.mark.parametrize(
    "path",
    sorted((FIXTURES / "anthropic" / "error_responses").glob("*.json")),
    ids=lambda p: p.name,
)
def test_real_error_bodies_parse_into_the_family_model(path: object) -> None:
    raw = path.read_bytes()  # type: ignore[attr-defined]
    status = 429 if "_429" in path.name else 400  # type: ignore[attr-defined]
    api = MockAPI(
        httpx2.Response(status, content=raw, headers={"content-type": "application/json"})
    )
    with pytest.raises(APIStatusError) as caught:
        sync_client(api, max_retries=0).messages.create(
            model="m", system="s", messages=[Message.user("hi")]
        )
    error = caught.value
    body = json.loads(raw)
    assert isinstance(error.body, messages.ErrorResponse)
    assert error.body.to_dict() == body
    assert error.request_id == body["request_id"]  # from the body when no header carries it
    assert body["error"]["message"][:40] in str(error)


def test_sessions_error_body_and_request_id_header() -> None:
    api = MockAPI(
        json_response(
            404,
            {"error": {"type": "not_found_error", "message": "no session s1"}},
            **{"request-id": "req_h"},
        )
    )
    with pytest.raises(NotFoundError) as caught:
        sync_client(api).sessions.chat(message="hi", session_id="s1")
    assert isinstance(caught.value.body, sessions.ErrorResponse)
    assert caught.value.request_id == "req_h"
    assert "not_found_error: no session s1" in str(caught.value)


def test_unexpected_json_error_body_is_kept_raw() -> None:
    api = MockAPI(json_response(400, {"detail": [{"loc": ["body", "model"]}]}))
    with pytest.raises(InvalidRequestError) as caught:
        sync_client(api).chat.completions.create(model="m", messages=HI)
    assert caught.value.body == {"detail": [{"loc": ["body", "model"]}]}
    assert "unexpected JSON body" in str(caught.value)


def test_non_json_error_body_quotes_a_bounded_excerpt() -> None:
    page = "<html><body>" + "Bad gateway " * 500 + "</body></html>"
    api = MockAPI(httpx2.Response(502, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(ServerError) as caught:
        sync_client(api, max_retries=0).chat.completions.create(model="m", messages=HI)
    message = str(caught.value)
    assert "non-JSON body" in message and "<html><body>Bad gateway" in message
    assert len(message) < 800 and "more characters" in message
    assert isinstance(caught.value.body, str) and len(caught.value.body) < 600


def test_non_json_success_body_is_a_validation_error_with_excerpt() -> None:
    api = MockAPI(httpx2.Response(200, text="upstream said: OK", headers={"x-request-id": "r"}))
    with pytest.raises(APIResponseValidationError) as caught:
        sync_client(api).chat.completions.create(model="m", messages=HI)
    assert "is not JSON" in str(caught.value) and "upstream said: OK" in str(caught.value)
    assert caught.value.status_code == 200 and caught.value.request_id == "r"


def test_success_body_of_the_wrong_shape_is_a_validation_error_when_strict() -> None:
    api = MockAPI(json_response(200, {"id": "x", "choices": "none"}))
    client = sync_client(api, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError, match="ChatCompletionResponse"):
        client.chat.completions.create(model="m", messages=HI)


def test_success_body_that_is_not_a_json_object_is_an_error_even_when_lenient() -> None:
    api = MockAPI(json_response(200, ["not", "an", "object"]))
    with pytest.raises(APIResponseValidationError, match="ChatCompletionResponse"):
        sync_client(api).chat.completions.create(model="m", messages=HI)


def test_connection_failure_is_an_api_connection_error() -> None:
    api = MockAPI(httpx2.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        sync_client(api, max_retries=0).chat.completions.create(model="m", messages=HI)
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.status_code is None


def test_timeout_is_an_api_timeout_error_naming_the_limit_and_the_url() -> None:
    api = MockAPI(httpx2.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as caught:
        sync_client(api, max_retries=0).messages.create(
            model="m", system="s", messages=[Message.user("x")]
        )
    assert str(caught.value) == "timed out after 600 s: POST http://api.test/v1/messages (read)"
    api = MockAPI(httpx2.ConnectTimeout("slow"))
    with pytest.raises(APITimeoutError) as caught:
        sync_client(api, max_retries=0).chat.completions.create(model="m", messages=HI, timeout=30)
    assert str(caught.value) == (
        "timed out after 5 s: POST http://api.test/v1/chat/completions (connect)"
    )


def test_async_timeout_names_the_limit_and_the_url() -> None:
    api = MockAPI(httpx2.ReadTimeout("slow"))

    async def call() -> None:
        async with async_client(api, max_retries=0, timeout=2.5) as client:
            await client.chat.completions.create(model="m", messages=HI)

    with pytest.raises(APITimeoutError) as caught:
        asyncio.run(call())
    assert str(caught.value) == (
        "timed out after 2.5 s: POST http://api.test/v1/chat/completions (read)"
    )


@pytest.mark.parametrize("streamed", [False, True])
def test_an_exhausted_retry_says_how_many_attempts_were_made(streamed: bool) -> None:
    api = MockAPI(json_response(503, OPENAI_ERROR))
    with pytest.raises(ServerError) as caught:
        sync_client(api, max_retries=2).chat.completions.create(
            model="m", messages=HI, stream=streamed
        )
    assert str(caught.value).endswith("(after 3 attempts)")
    assert caught.value.args == (str(caught.value),)
    assert len(api.requests) == 3
    api = MockAPI(httpx2.ConnectError("refused"))
    with pytest.raises(APIConnectionError, match=r"refused \(after 2 attempts\)$"):
        sync_client(api, max_retries=1).chat.completions.create(
            model="m", messages=HI, stream=streamed
        )


def test_a_single_attempt_says_nothing_about_attempts() -> None:
    api = MockAPI(json_response(503, OPENAI_ERROR))
    with pytest.raises(ServerError) as caught:
        sync_client(api, max_retries=0).chat.completions.create(model="m", messages=HI)
    assert "attempt" not in str(caught.value)


@pytest.mark.parametrize("streamed", [False, True])
def test_no_api_key_fails_before_sending_naming_the_variable(
    streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATSDK_API_KEY", raising=False)
    api = MockAPI(json_response(200, {}))
    client = sync_client(api, api_key=None)
    with pytest.raises(chatsdk.ChatSDKError) as caught:
        client.messages.create(model="m", system="s", messages=[Message.user("x")], stream=streamed)
    assert not isinstance(caught.value, APIError)
    assert str(caught.value) == "no API key: pass api_key= or set CHATSDK_API_KEY"
    assert api.requests == []


def test_async_no_api_key_fails_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATSDK_API_KEY", raising=False)
    api = MockAPI(json_response(200, {}))

    async def call() -> None:
        async with async_client(api, api_key=None) as client:
            await client.sessions.chat(message="hi")

    with pytest.raises(chatsdk.ChatSDKError, match="set CHATSDK_API_KEY"):
        asyncio.run(call())
    assert api.requests == []


def test_an_auth_header_set_by_hand_stands_in_for_the_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CHATSDK_API_KEY", raising=False)
    api = MockAPI(json_response(401, OPENAI_ERROR))
    client = sync_client(api, api_key=None, default_headers={"Authorization": "Bearer tok-1"})
    with pytest.raises(AuthenticationError):
        client.chat.completions.create(model="m", messages=HI)
    assert api.last.headers["authorization"] == "Bearer tok-1"


def test_total_timeout_cuts_a_slow_body() -> None:
    body = Body(
        [b'{"id": "x", ', b'"object": ', b'"chat.completion", ', b'"created": 1}'], pause=0.15
    )
    api = MockAPI(httpx2.Response(200, stream=body))
    with pytest.raises(APITimeoutError) as caught:
        sync_client(api, max_retries=0).chat.completions.create(model="m", messages=HI, timeout=0.2)
    assert str(caught.value) == (
        "timed out after 0.2 s: POST http://api.test/v1/chat/completions (whole request)"
    )
    assert body.sent < 4


def test_error_event_in_a_data_only_stream_raises_stream_error() -> None:
    raw = (
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'
        b'data: {"error": {"message": "server melted", "type": "server_error", "code": null}}\n\n'
    )
    api = MockAPI(sse_response(raw, **{"x-request-id": "req_s"}))
    stream = sync_client(api).chat.completions.create(model="m", messages=HI, stream=True)
    first = next(stream)
    assert first.choices[0].delta.content == "a"
    with pytest.raises(StreamError) as caught:
        next(stream)
    error = caught.value
    assert isinstance(error.body, chat_completions.ErrorResponse)
    assert (error.error_type, error.request_id) == ("server_error", "req_s")
    assert "server melted" in str(error)


def test_malformed_stream_event_is_a_validation_error() -> None:
    raw = b'event: message_start\ndata: {"type": "message_st\n\n'
    api = MockAPI(sse_response(raw))
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        list(
            sync_client(api).messages.create(
                model="m", system="s", messages=[Message.user("x")], stream=True
            )
        )


def test_known_event_with_a_bad_body_is_a_validation_error_when_strict() -> None:
    raw = b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "x"}}\n\n'
    api = MockAPI(sse_response(raw))
    client = sync_client(api, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError, match="index"):
        list(
            client.messages.create(model="m", system="s", messages=[Message.user("x")], stream=True)
        )


def test_api_key_never_in_messages_bodies_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    echo = {
        "error": {
            "message": f"Incorrect API key provided: {API_KEY}",
            "type": "invalid_request_error",
        }
    }
    api = MockAPI(
        json_response(503, echo),
        httpx2.Response(401, text=f"denied for key {API_KEY}"),
    )
    client = sync_client(api, max_retries=1)
    with (
        caplog.at_level(logging.DEBUG, logger="chatsdk"),
        pytest.raises(AuthenticationError) as caught,
    ):
        client.chat.completions.create(model="m", messages=HI)
    assert API_KEY not in str(caught.value) and API_KEY not in repr(caught.value)
    assert API_KEY not in str(caught.value.body)
    assert "[redacted]" in str(caught.value)
    assert caplog.records and all(API_KEY not in r.getMessage() for r in caplog.records)
    api2 = MockAPI(json_response(400, echo))
    with pytest.raises(InvalidRequestError) as caught2:
        sync_client(api2).messages.create(model="m", system="s", messages=[Message.user("x")])
    assert API_KEY not in str(caught2.value)


def test_every_error_class_is_exported_from_chatsdk() -> None:
    from chatsdk import _errors

    for name in _errors.__all__:
        assert getattr(chatsdk, name) is getattr(_errors, name)
        assert name in chatsdk.__all__
        assert issubclass(getattr(chatsdk, name), chatsdk.ChatSDKError)
