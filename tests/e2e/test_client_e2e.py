"""The SDK against the reference server over loopback HTTP, sync and async: every feature.

The server runs in its own process (see conftest); answers are the schemas' examples, so
what a call returns can be compared with the schema documents themselves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import chatsdk
from chatsdk import chat_completions, messages, sessions
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message
from generator.core.load import Spec
from generator.serve.recording import fingerprint

from . import sse_reference
from .conftest import FIXTURES, RunningServer
from .families import (
    API_KEY,
    CHAT,
    FAMILIES,
    MESSAGES,
    SESSIONS,
    client_options,
    create,
    final_of,
    stream,
)

MODES = ["sync", "async"]
RESPONSES = {
    CHAT: ("chat_completions.yaml", "ChatCompletionResponse"),
    MESSAGES: ("messages.yaml", "ChatResponse"),
    SESSIONS: ("sessions.yaml", "SessionChatResponse"),
}


def example(spec: Spec, family: str, index: int = 0) -> dict[str, Any]:
    doc, name = RESPONSES[family]
    found: dict[str, Any] = spec.documents[doc].data["components"]["schemas"][name]["examples"][
        index
    ]
    return found


def in_mode(
    mode: str, server: RunningServer, scenario: Callable[[Any], Any], **options: Any
) -> Any:
    """Run ``scenario(client)`` with a sync client, or await it with an async one."""
    settings = client_options(server.url, **options)
    if mode == "sync":
        with chatsdk.Client(**settings) as client:
            return scenario(client)

    async def main() -> Any:
        async with chatsdk.AsyncClient(**settings) as client:
            return await scenario(client)

    return asyncio.run(main())


def key() -> str:
    return f"e2e-{uuid.uuid4().hex}"


# --- answers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_create_returns_the_response_schema_example(
    server: RunningServer, spec: Spec, family: str, mode: str
) -> None:
    result = in_mode(mode, server, lambda c: create(c, family))
    expected = example(spec, family)
    if family == SESSIONS:  # the server places the example in a new session
        assert result.response.to_dict() == expected["response"]
        assert result.session_id.startswith("sess_") and result.context.turn_count == 1
    else:
        assert result.to_dict() == expected
    if family == MESSAGES:
        assert result.first_text() == "Hello there!" and not result.has_tool_use()


def sync_stream_and_create(
    client: Any, family: str, headers: dict[str, str]
) -> tuple[list[str], Any, Any]:
    with stream(client, family, extra_headers=headers) as s:
        texts = list(s.text_stream)
        final = final_of(s, family)
    return texts, final, create(client, family, extra_headers=headers)


async def async_stream_and_create(
    client: Any, family: str, headers: dict[str, str]
) -> tuple[list[str], Any, Any]:
    async with stream(client, family, extra_headers=headers) as s:
        texts = [text async for text in s.text_stream]
        final = await final_of(s, family)
    return texts, final, await create(client, family, extra_headers=headers)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("family", "index"), [(CHAT, 0), (MESSAGES, 0), (MESSAGES, 1), (SESSIONS, 0)]
)
def test_the_accumulated_stream_equals_the_plain_answer(
    server: RunningServer, family: str, index: int, mode: str
) -> None:
    headers = {"x-sdkforge-example": str(index)}
    run = sync_stream_and_create if mode == "sync" else async_stream_and_create
    texts, final, plain = in_mode(mode, server, lambda c: run(c, family, headers))
    if family == SESSIONS:  # two calls, two new sessions: everything but the id agrees
        assert final.session_id != plain.session_id
        final_dict, plain_dict = final.to_dict(), plain.to_dict()
        del final_dict["session_id"], plain_dict["session_id"]
        assert final_dict == plain_dict
    else:
        assert final.to_dict() == plain.to_dict()
    if family == MESSAGES and index == 1:  # a tool call: its input was assembled from JSON
        assert texts == []
        assert final.tool_uses()[0].input == {"location": "New York, NY", "units": "c"}
    else:
        text = "Hello there!" if family == MESSAGES else "Hello! How can I help?"
        assert len(texts) > 1 and "".join(texts) == text


@pytest.mark.parametrize("mode", MODES)
def test_n_choices_accumulate_separately(server: RunningServer, mode: str) -> None:
    def sync(client: Any) -> Any:
        with client.chat.completions.stream(model="m", messages=[ChatMessage.user("hi")], n=3) as s:
            return s.get_final_completion()

    async def run_async(client: Any) -> Any:
        async with client.chat.completions.stream(
            model="m", messages=[ChatMessage.user("hi")], n=3
        ) as s:
            return await s.get_final_completion()

    final = in_mode(mode, server, sync if mode == "sync" else run_async)
    assert [c.index for c in final.choices] == [0, 1, 2]
    assert {c.message.content for c in final.choices} == {"Hello! How can I help?"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_stream_true_yields_typed_events(server: RunningServer, family: str, mode: str) -> None:
    def sync(client: Any) -> list[Any]:
        with create(client, family, stream=True) as events:
            return list(events)

    async def run_async(client: Any) -> list[Any]:
        events = await create(client, family, stream=True)
        async with events:
            return [e async for e in events]

    events = in_mode(mode, server, sync if mode == "sync" else run_async)
    if family == CHAT:
        assert all(isinstance(e, chat_completions.ChatCompletionChunk) for e in events)
        assert events[-1].choices == [] and events[-1].usage is not None
    elif family == MESSAGES:  # the server's ping is skipped
        assert isinstance(events[0], messages.MessageStartEvent)
        assert isinstance(events[-1], messages.MessageStopEvent)
        assert not any(isinstance(e, messages.PingEvent) for e in events)
        assert all(isinstance(e, messages.MessageStreamEvent) for e in events)
    else:
        assert isinstance(events[0], sessions.SessionStartEvent)
        assert isinstance(events[-1], sessions.SessionEndEvent)
        assert events[-1].session_id == events[0].session_id


# --- every recorded stream, served over HTTP ---------------------------------------------------------

# chatsdk has no Responses API family: those recordings are the OpenAI vendor package's
# (tests/vendor/test_vendor_streams.py).
STREAMS = sorted(p for p in FIXTURES.rglob("*.sse") if "response_streams" not in p.parts)


def expected_events(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The payloads a client should yield (pings skipped, up to [DONE]) and whether the stream
    ends in an error event, read line by line from the file."""
    payloads: list[dict[str, Any]] = []
    for event in sse_reference.parse(path.read_bytes()):
        if event.data == "[DONE]":
            break
        if event.event == "ping":
            continue
        payload = json.loads(event.data)
        if event.event == "error" or ("error" in payload and "choices" not in payload):
            return payloads, True
        payloads.append(payload)
    return payloads, False


def replay_call(
    mode: str, server: RunningServer, family: str, name: str
) -> tuple[list[Any], Any, Any]:
    """Typed events of a plain stream, then the accumulated final object of a second one."""
    headers = {"x-sdkforge-replay": name}

    def sync(client: Any) -> tuple[list[Any], Any, Any]:
        events: list[Any] = []
        error = final = None
        try:
            with create(client, family, stream=True, extra_headers=headers) as s:
                events.extend(s)
        except chatsdk.StreamError as exc:
            error = exc
        try:
            with stream(client, family, extra_headers=headers) as s:
                final = final_of(s, family)
        except chatsdk.StreamError:
            pass
        return events, error, final

    async def run_async(client: Any) -> tuple[list[Any], Any, Any]:
        events: list[Any] = []
        error = final = None
        try:
            s = await create(client, family, stream=True, extra_headers=headers)
            async with s:
                events.extend([e async for e in s])
        except chatsdk.StreamError as exc:
            error = exc
        try:
            async with stream(client, family, extra_headers=headers) as s:
                final = await final_of(s, family)
        except chatsdk.StreamError:
            pass
        return events, error, final

    result: tuple[list[Any], Any, Any] = in_mode(
        mode, server, sync if mode == "sync" else run_async
    )
    return result


def chat_content(payloads: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Per choice: the concatenated text fields, tool calls and the last finish reason."""
    out: dict[int, dict[str, Any]] = {}
    for payload in payloads:
        for choice in payload["choices"]:
            seen = out.setdefault(choice["index"], {"tools": {}, "finish": None})
            delta = choice.get("delta") or {}
            for field in ("content", "refusal"):
                if delta.get(field):
                    seen[field] = seen.get(field, "") + delta[field]
            for call in delta.get("tool_calls") or []:
                tool = seen["tools"].setdefault(call.get("index", 0), {"arguments": ""})
                if call.get("id"):
                    tool["id"] = call["id"]
                function = call.get("function") or {}
                if function.get("name"):
                    tool["name"] = function["name"]
                tool["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                seen["finish"] = choice["finish_reason"]
    return out


def message_content(payloads: list[dict[str, Any]]) -> tuple[dict[int, dict[str, Any]], Any]:
    """Per block: its type, concatenated text / thinking / partial JSON; and the stop reason."""
    blocks: dict[int, dict[str, Any]] = {}
    stop = None
    for p in payloads:
        if p["type"] == "content_block_start":
            blocks[p["index"]] = {"type": p["content_block"]["type"], "json": ""}
            for field in ("text", "thinking"):
                if field in p["content_block"]:
                    blocks[p["index"]][field] = p["content_block"][field]
        elif p["type"] == "content_block_delta":
            block, delta = blocks[p["index"]], p["delta"]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "input_json_delta":
                block["json"] += delta["partial_json"]
        elif p["type"] == "message_delta":
            stop = p["delta"].get("stop_reason", stop)
    return blocks, stop


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", STREAMS, ids=[p.relative_to(FIXTURES).as_posix() for p in STREAMS])
def test_every_recorded_stream_served_over_http_yields_its_events(
    server: RunningServer, path: Path, mode: str
) -> None:
    name = path.relative_to(FIXTURES).as_posix()
    family = CHAT if name.startswith("openai/") else MESSAGES
    expected, ends_in_error = expected_events(path)
    events, error, final = replay_call(mode, server, family, name)

    assert [e.to_dict() for e in events] == expected
    assert (error is not None) == ends_in_error
    if ends_in_error:
        assert isinstance(error, chatsdk.StreamError) and error.error_type
        return
    assert final is not None
    if family == CHAT:
        for index, seen in chat_content(expected).items():
            choice = next(c for c in final.choices if c.index == index)
            assert choice.message.content == seen.get("content")
            assert choice.message.refusal == seen.get("refusal")
            assert (
                str(choice.finish_reason) == seen["finish"]
                or choice.finish_reason == seen["finish"]
            )
            calls = choice.message.tool_calls or []
            assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
                (t.get("id"), t.get("name"), t["arguments"])
                for _, t in sorted(seen["tools"].items())
            ]
    else:
        blocks, stop = message_content(expected)
        final_blocks = final.to_dict()["content"]
        assert len(final_blocks) == len(blocks)
        for index, seen in blocks.items():
            block = final_blocks[index]
            assert block["type"] == seen["type"]
            for field in ("text", "thinking"):
                if field in seen:
                    assert block[field] == seen[field]
            if seen["json"]:
                try:
                    assert block["input"] == json.loads(seen["json"])
                except json.JSONDecodeError:  # a recorded stream cut off mid-JSON
                    assert isinstance(block["input"], dict)
        assert final.to_dict()["stop_reason"] == stop


# --- requests: authentication, headers, options ------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_requests_carry_auth_user_agent_and_caller_headers(
    server: RunningServer, mode: str
) -> None:
    k = key()

    def calls(client: Any) -> Any:
        headers = {"x-sdkforge-key": k, "x-custom": "call"}
        kwargs = {"extra_headers": headers, "extra_query": {"trace": "on"}}
        if mode == "sync":
            for family in FAMILIES:
                create(client, family, **kwargs)
            return None

        async def all_three() -> None:
            for family in FAMILIES:
                await create(client, family, **kwargs)

        return all_three()

    in_mode(mode, server, calls, default_headers={"x-team": "e2e"})
    seen = server.attempts(k)["requests"]
    assert [r["path"] for r in seen] == [
        "/v1/chat/completions",
        "/v1/messages",
        "/qai/v1/chat/session",
    ]
    chat, msgs, sess = (r["headers"] for r in seen)
    assert chat["authorization"] == sess["authorization"] == "Bearer ***"
    assert msgs["x-api-key"] == "***" and "authorization" not in msgs
    assert "x-api-key" not in chat
    sent = fingerprint(API_KEY)
    assert [r["credentials"] for r in seen] == [
        {"authorization": sent},
        {"x-api-key": sent},
        {"authorization": sent},
    ]
    for request in seen:
        headers = request["headers"]
        assert headers["user-agent"].startswith(f"chatsdk/{chatsdk.__version__}")
        assert headers["x-team"] == "e2e" and headers["x-custom"] == "call"
        assert headers["idempotency-key"] and request["query"] == "trace=on"


@pytest.mark.parametrize("mode", MODES)
def test_extra_body_is_sent_and_the_server_validates_it(server: RunningServer, mode: str) -> None:
    with pytest.raises(chatsdk.InvalidRequestError) as caught:
        in_mode(mode, server, lambda c: create(c, MESSAGES, extra_body={"temprature": 0.5}))
    error = caught.value
    assert error.status_code == 422
    assert "temprature" in str(error) and "/: Additional properties" in str(error)
    assert isinstance(error.body, messages.ErrorResponse)
    assert error.request_id == error.body.request_id == error.response.headers["x-request-id"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "error_class", "attempts"),
    [
        (400, chatsdk.InvalidRequestError, 1),
        (401, chatsdk.AuthenticationError, 1),
        (403, chatsdk.PermissionDeniedError, 1),
        (404, chatsdk.NotFoundError, 1),
        (422, chatsdk.InvalidRequestError, 1),
        (408, chatsdk.APIStatusError, 2),
        (409, chatsdk.ConflictError, 2),
        (529, chatsdk.OverloadedError, 2),
        (500, chatsdk.ServerError, 2),
    ],
)
def test_error_statuses_raise_their_class_and_only_some_are_retried(
    server: RunningServer,
    status: int,
    error_class: type[chatsdk.APIError],
    attempts: int,
    mode: str,
) -> None:
    k = key()
    headers = {"x-sdkforge-fault": f"{status}; retry-after-ms=5", "x-sdkforge-key": k}
    with pytest.raises(chatsdk.APIError) as caught:
        in_mode(mode, server, lambda c: create(c, CHAT, extra_headers=headers, max_retries=1))
    assert type(caught.value) is error_class
    assert caught.value.status_code == status
    assert isinstance(caught.value.body, chat_completions.ErrorResponse)
    assert server.attempts(k)["attempts"] == attempts


@pytest.mark.parametrize("mode", MODES)
def test_a_missing_api_key_fails_before_sending(
    server: RunningServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATSDK_API_KEY", raising=False)
    k = key()
    with pytest.raises(chatsdk.ChatSDKError) as caught:
        in_mode(
            mode,
            server,
            lambda c: create(c, SESSIONS, extra_headers={"x-sdkforge-key": k}),
            api_key=None,
        )
    assert str(caught.value) == "no API key: pass api_key= or set CHATSDK_API_KEY"
    assert server.attempts(k)["attempts"] == 0


@pytest.mark.parametrize("mode", MODES)
def test_base_url_and_key_come_from_the_environment(
    server: RunningServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATSDK_BASE_URL", server.url)
    monkeypatch.setenv("CHATSDK_API_KEY", "sk-from-env-000")
    k = key()
    if mode == "sync":
        with chatsdk.Client() as client:
            create(client, MESSAGES, extra_headers={"x-sdkforge-key": k})
    else:

        async def main() -> None:
            async with chatsdk.AsyncClient() as client:
                await create(client, MESSAGES, extra_headers={"x-sdkforge-key": k})

        asyncio.run(main())
    record = server.attempts(k)["requests"][0]
    assert record["credentials"] == {"x-api-key": fingerprint("sk-from-env-000")}


@pytest.mark.parametrize("mode", MODES)
def test_an_unknown_session_is_not_found(server: RunningServer, mode: str) -> None:
    with pytest.raises(chatsdk.NotFoundError) as caught:
        in_mode(mode, server, lambda c: c.sessions.chat(message="hi", session_id="sess_gone"))
    assert isinstance(caught.value.body, sessions.ErrorResponse)


@pytest.mark.parametrize("mode", MODES)
def test_sessions_keep_history_and_compact_on_the_server(server: RunningServer, mode: str) -> None:
    config = {"max_tokens": 1000, "auto_compact": True}

    def sync(client: Any) -> list[Any]:
        first = client.sessions.chat(message="one", context_config=config)
        replies = [first]
        for text in ("two", "three"):
            with client.sessions.stream(
                message=text, session_id=first.session_id, context_config=config
            ) as s:
                replies.append(s.get_final_response())
        return replies

    async def run_async(client: Any) -> list[Any]:
        first = await client.sessions.chat(message="one", context_config=config)
        replies = [first]
        for text in ("two", "three"):
            async with client.sessions.stream(
                message=text, session_id=first.session_id, context_config=config
            ) as s:
                replies.append(await s.get_final_response())
        return replies

    replies = in_mode(mode, server, sync if mode == "sync" else run_async)
    assert len({r.session_id for r in replies}) == 1
    assert [r.context.turn_count for r in replies] == [1, 2, 3]
    assert [r.context.compacted for r in replies] == [False, False, True]


@pytest.mark.parametrize("mode", MODES)
def test_with_raw_response_gives_status_headers_and_parse(server: RunningServer, mode: str) -> None:
    def sync(client: Any) -> tuple[Any, Any]:
        raw = client.messages.with_raw_response.create(
            model="m",
            system="s",
            messages=[Message.user("hi")],
            extra_headers={"x-request-id": "req_raw"},
        )
        return raw, raw.parse()

    async def run_async(client: Any) -> tuple[Any, Any]:
        raw = await client.messages.with_raw_response.create(
            model="m",
            system="s",
            messages=[Message.user("hi")],
            extra_headers={"x-request-id": "req_raw"},
        )
        return raw, raw.parse()

    raw, parsed = in_mode(mode, server, sync if mode == "sync" else run_async)
    assert raw.status_code == 200 and raw.request_id == "req_raw"
    assert raw.headers["content-type"] == "application/json" and raw.retries_taken == 0
    assert isinstance(parsed, messages.ChatResponse) and parsed.first_text() == "Hello there!"
    assert json.loads(raw.content) == parsed.to_dict()


@pytest.mark.parametrize("mode", MODES)
def test_client_max_retries_applies_to_every_call(server: RunningServer, mode: str) -> None:
    k = key()
    headers = {"x-sdkforge-fault": "429; retry-after-ms=5", "x-sdkforge-key": k}
    with pytest.raises(chatsdk.RateLimitError):
        in_mode(mode, server, lambda c: create(c, CHAT, extra_headers=headers), max_retries=0)
    assert server.attempts(k)["attempts"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_callers_idempotency_key_is_sent_on_every_attempt(
    server: RunningServer, mode: str
) -> None:
    k = key()
    headers = {"x-sdkforge-fault": "503; times=2; retry-after-ms=5", "Idempotency-Key": k}
    result = in_mode(mode, server, lambda c: create(c, MESSAGES, extra_headers=headers))
    assert result.first_text() == "Hello there!"
    seen = server.attempts(k)  # counted by the Idempotency-Key alone
    assert seen["attempts"] == 3 and {r["idempotency_key"] for r in seen["requests"]} == {k}


@pytest.mark.parametrize("mode", MODES)
def test_the_api_key_never_reaches_logs_reprs_or_errors(
    server: RunningServer, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"x-sdkforge-fault": "429; retry-after-ms=5"}
    caplog.set_level(logging.DEBUG, logger="chatsdk")
    errors: list[BaseException] = []

    def sync(client: Any) -> str:
        try:
            create(client, MESSAGES, extra_headers=headers)
        except chatsdk.APIError as exc:
            errors.append(exc)
        return repr(client)

    async def run_async(client: Any) -> str:
        try:
            await create(client, MESSAGES, extra_headers=headers)
        except chatsdk.APIError as exc:
            errors.append(exc)
        return repr(client)

    client_repr = in_mode(mode, server, sync if mode == "sync" else run_async)
    assert len(errors) == 1 and "retrying" in caplog.text
    for text in (client_repr, str(errors[0]), repr(errors[0]), caplog.text):
        assert API_KEY not in text


@pytest.mark.parametrize("mode", MODES)
def test_leaving_a_stream_early_closes_the_connection(server: RunningServer, mode: str) -> None:
    k = key()
    name = "openai/chat_completion_streams/test_non_pydantic_response_format.sse"
    total = (FIXTURES / name).read_bytes().count(b"\n\n")
    headers = {"x-sdkforge-replay": name, "x-sdkforge-event-delay-ms": "20", "x-sdkforge-key": k}

    def sync(client: Any) -> list[Any]:
        with stream(client, CHAT, extra_headers=headers) as s:
            return [next(s), next(s)]

    async def run_async(client: Any) -> list[Any]:
        async with stream(client, CHAT, extra_headers=headers) as s:
            return [await s.__anext__(), await s.__anext__()]

    started = time.monotonic()
    events = in_mode(mode, server, sync if mode == "sync" else run_async)
    assert len(events) == 2 and time.monotonic() - started < total * 0.02
    time.sleep(0.3)  # the server notices the closed connection at its next write
    record = server.attempts(k)["requests"][0]
    assert not record["completed"] and record["chunks_sent"] < total


def test_async_retry_waits_do_not_block_the_event_loop(server: RunningServer) -> None:
    async def main() -> float:
        async with chatsdk.AsyncClient(base_url=server.url, api_key=API_KEY) as client:
            started = time.monotonic()
            calls = [
                create(
                    client,
                    CHAT,
                    extra_headers={
                        "x-sdkforge-fault": "429; times=1; retry-after-ms=600",
                        "x-sdkforge-key": key(),
                    },
                )
                for _ in range(4)
            ]
            results = await asyncio.gather(*calls)
            assert len(results) == 4
            return time.monotonic() - started

    elapsed = asyncio.run(main())
    assert 0.6 <= elapsed < 1.8  # four waits of 0.6 s, side by side


def test_clients_close_their_connections(server: RunningServer) -> None:
    with chatsdk.Client(base_url=server.url, api_key=API_KEY) as client:
        create(client, CHAT)
    assert client.is_closed

    async def main() -> Any:
        async with chatsdk.AsyncClient(base_url=server.url, api_key=API_KEY) as client:
            await create(client, CHAT)
        return client

    assert asyncio.run(main()).is_closed
