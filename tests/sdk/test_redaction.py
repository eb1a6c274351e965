"""A key a server echoes back never shows in an error: message, repr, args, body, request headers,
or the chain of causes a traceback prints."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

import httpx2
import pytest
from mock_api import API_KEY, MockAPI, async_client, json_response, sse_response, sync_client

from chatsdk import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    AuthenticationError,
    InvalidRequestError,
    StreamError,
    messages,
)
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message

HI = [ChatMessage.user("hi")]
ASK: dict[str, Any] = {"model": "m", "system": "s", "messages": [Message.user("x")]}


def assert_clean(error: APIError, *secrets: str) -> None:
    """No secret in anything that shows ``error``."""
    shown = [
        str(error),
        repr(error),
        repr(error.args),
        str(error.body),
        repr(error.body),
        "".join(traceback.format_exception(error)),
    ]
    if error.request is not None:
        shown.append(repr(error.request.headers))
        shown.append(repr(error.request))
    for secret in secrets:
        for text in shown:
            assert secret not in text


def test_a_key_echoed_in_a_json_error_body_is_redacted_at_every_depth() -> None:
    echo = {
        "error": {"message": f"bad key {API_KEY}", "type": "invalid_request_error"},
        "detail": {"seen": [f"Bearer {API_KEY}", {"key": API_KEY}]},
    }
    api = MockAPI(json_response(400, echo))
    with pytest.raises(InvalidRequestError) as caught:
        sync_client(api).chat.completions.create(model="m", messages=HI)
    error = caught.value
    assert_clean(error, API_KEY)
    assert error.args == (str(error),)
    assert "bad key [redacted]" in str(error)
    assert error.body.to_dict()["detail"] == {"seen": ["[redacted]", {"key": "[redacted]"}]}
    # the header can still be read on purpose; only its repr is masked
    assert error.request is not None and error.request.headers["authorization"].endswith(API_KEY)


def test_a_key_in_an_error_body_that_is_not_the_family_model_is_redacted() -> None:
    api = MockAPI(json_response(401, [{"denied": API_KEY}]))
    with pytest.raises(AuthenticationError) as caught:
        sync_client(api, max_retries=0).messages.create(**ASK)
    assert caught.value.body == [{"denied": "[redacted]"}]
    assert_clean(caught.value, API_KEY)


@pytest.mark.parametrize(
    ("header", "value"),
    [("authorization", "Bearer tok-by-hand-1"), ("x-api-key", "xk-1234"), ("api-key", "az-999")],
)
def test_every_credential_header_is_masked_and_its_value_redacted(header: str, value: str) -> None:
    api = MockAPI(json_response(403, {"error": {"message": f"no access for {value}"}}))
    client = sync_client(api, max_retries=0, default_headers={header: value})
    with pytest.raises(APIError) as caught:
        client.chat.completions.create(model="m", messages=HI)
    assert_clean(caught.value, value, value.removeprefix("Bearer "), API_KEY)
    assert "[secure]" in repr(caught.value.request.headers)  # type: ignore[union-attr]


def test_a_connection_error_masks_the_request_headers() -> None:
    api = MockAPI(httpx2.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        sync_client(api, max_retries=0).messages.create(**ASK)
    assert_clean(caught.value, API_KEY)


def test_an_echoed_key_in_a_non_json_stream_event_is_redacted() -> None:
    raw = f"event: message_start\ndata: key={API_KEY}\n\n".encode()
    api = MockAPI(sse_response(raw))
    with pytest.raises(APIResponseValidationError, match="not JSON") as caught:
        list(sync_client(api).messages.create(**ASK, stream=True))
    assert "key=[redacted]" in str(caught.value)
    assert_clean(caught.value, API_KEY)


def test_an_event_off_its_schema_quoting_the_key_keeps_no_cause_that_shows_it() -> None:
    raw = (
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": '
        b'{"type": "text_delta", "text": "' + API_KEY.encode() + b'"}}\n\n'
    )
    api = MockAPI(sse_response(raw))
    client = sync_client(api, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError) as caught:
        list(client.messages.create(**ASK, stream=True))
    assert_clean(caught.value, API_KEY)


def test_a_body_off_its_schema_quoting_the_key_is_redacted() -> None:
    api = MockAPI(json_response(200, {"id": 1, "leak": API_KEY}))
    client = sync_client(api, strict_response_validation=True)
    with pytest.raises(APIResponseValidationError) as caught:
        client.messages.create(**ASK)
    assert "[redacted]" in str(caught.value)
    assert_clean(caught.value, API_KEY)


ERROR_EVENT = (
    "event: message_start\n"
    'data: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant",'
    '"content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
    "event: error\n"
    'data: {"type":"error","error":{"type":"authentication_error","message":"key '
    + API_KEY
    + ' revoked"}}\n\n'
)


def test_a_stream_error_event_echoing_the_key_is_redacted() -> None:
    api = MockAPI(sse_response(ERROR_EVENT.encode()))
    with pytest.raises(StreamError) as caught:
        list(sync_client(api).messages.create(**ASK, stream=True))
    error = caught.value
    assert str(error) == "error in stream (authentication_error): key [redacted] revoked"
    assert isinstance(error.body, messages.ErrorResponse)
    assert error.body.error.message == "key [redacted] revoked"
    assert_clean(error, API_KEY)


def test_an_async_stream_error_event_echoing_the_key_is_redacted() -> None:
    api = MockAPI(sse_response(ERROR_EVENT.encode()))

    async def main() -> None:
        async with async_client(api) as client:
            async with client.messages.stream(**ASK) as stream:
                await stream.get_final_message()

    with pytest.raises(StreamError) as caught:
        asyncio.run(main())
    assert_clean(caught.value, API_KEY)
