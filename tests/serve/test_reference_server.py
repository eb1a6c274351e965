"""The reference server over real loopback HTTP, spoken to with plain httpx and raw sockets.

These tests pin the server's own contract (routes from the schemas, validation, examples,
framing, faults) independently of the SDK, so an SDK test failing against it points at the SDK.
"""

from __future__ import annotations

import email.utils
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from jsonschema import Draft202012Validator

from generator.core.load import Spec
from generator.serve.operations import read_operations

from .conftest import FIXTURES, ROOT, RunningServer

CHAT = "/v1/chat/completions"
MESSAGES = "/v1/messages"
SESSIONS = "/qai/v1/chat/session"
AUTH = {
    CHAT: {"authorization": "Bearer sk-test"},
    MESSAGES: {"x-api-key": "sk-test"},
    SESSIONS: {"authorization": "Bearer sk-test"},
}
BODIES: dict[str, dict[str, Any]] = {
    CHAT: {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    MESSAGES: {
        "model": "claude-sonnet-4-5",
        "system": "be brief",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 64,
    },
    SESSIONS: {"message": "hi"},
}
DOCS = {CHAT: "chat_completions.yaml", MESSAGES: "messages.yaml", SESSIONS: "sessions.yaml"}


def schema_validator(spec: Spec, path: str, name: str) -> Draft202012Validator:
    uri = spec.documents[DOCS[path]].uri
    return Draft202012Validator(
        {"$ref": f"{uri}#/components/schemas/{name}"}, registry=spec.registry
    )


def examples(spec: Spec, path: str, name: str) -> list[Any]:
    data = spec.documents[DOCS[path]].data
    return list(data["components"]["schemas"][name]["examples"])


def post(
    server: RunningServer,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> httpx.Response:
    return httpx.post(
        server.url + path,
        json=BODIES[path] if body is None else body,
        headers={**AUTH[path], **(headers or {})},
        timeout=timeout,
    )


def parse_sse(text: str) -> list[tuple[str | None, str]]:
    """(event name, data) of each event, by the plain line rules of the SSE spec."""
    events, name, data = [], None, []
    for line in text.splitlines():
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = None, []
        elif line.startswith("event:"):
            name = line[6:].lstrip(" ")
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        events.append((name, "\n".join(data)))
    return events


def key() -> str:
    return f"k-{uuid.uuid4().hex}"


# --- routes, examples and framing -----------------------------------------------------------


def test_health_lists_every_operation_of_the_schemas(server: RunningServer, spec: Spec) -> None:
    served = httpx.get(f"{server.url}/_sdkforge/health").json()["operations"]
    expected = [
        {"operation_id": op.operation_id, "method": op.http_method, "path": op.path}
        for op in read_operations(spec)
    ]
    assert served == expected
    assert {o["path"] for o in served} == {CHAT, MESSAGES, SESSIONS}


@pytest.mark.parametrize(
    ("path", "schema", "index"),
    [
        (CHAT, "ChatCompletionResponse", 0),
        (MESSAGES, "ChatResponse", 0),
        (MESSAGES, "ChatResponse", 1),
    ],
)
def test_answers_are_the_response_schema_examples(
    server: RunningServer, spec: Spec, path: str, schema: str, index: int
) -> None:
    reply = post(server, path, headers={"x-sdkforge-example": str(index)})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.json() == examples(spec, path, schema)[index]


def test_session_answers_are_the_example_placed_in_a_server_side_session(
    server: RunningServer, spec: Spec
) -> None:
    example = examples(spec, SESSIONS, "SessionChatResponse")[0]
    first = post(server, SESSIONS).json()
    assert first["response"] == example["response"]
    assert first["session_id"].startswith("sess_")
    assert first["context"] == {"turn_count": 1, "estimated_tokens": 449, "compacted": False}
    body = {"session_id": first["session_id"], "message": "again"}
    second = post(server, SESSIONS, body).json()
    assert second["session_id"] == first["session_id"]
    assert second["context"]["turn_count"] == 2
    assert second["context"]["estimated_tokens"] == 2 * 449
    assert schema_validator(spec, SESSIONS, "SessionChatResponse").is_valid(second)


def test_sessions_compact_when_the_history_outgrows_max_tokens(server: RunningServer) -> None:
    config = {"max_tokens": 1000, "auto_compact": True}
    reply = post(server, SESSIONS, {"message": "one", "context_config": config}).json()
    contexts = [reply["context"]]
    for text in ("two", "three"):
        body = {"session_id": reply["session_id"], "message": text, "context_config": config}
        contexts.append(post(server, SESSIONS, body).json()["context"])
    assert [c["compacted"] for c in contexts] == [False, False, True]
    assert contexts[2]["estimated_tokens"] <= 1000
    assert contexts[2]["compaction_note"]


def test_an_unknown_session_is_not_found(server: RunningServer, spec: Spec) -> None:
    reply = post(server, SESSIONS, {"session_id": "sess_nobody", "message": "hi"})
    assert reply.status_code == 404
    assert reply.json()["error"]["type"] == "not_found_error"
    assert schema_validator(spec, SESSIONS, "ErrorResponse").is_valid(reply.json())


@pytest.mark.parametrize("include_usage", [True, False, None])
def test_chat_completion_stream_is_data_only_chunks_ending_with_done(
    server: RunningServer, spec: Spec, include_usage: bool | None
) -> None:
    body: dict[str, Any] = {**BODIES[CHAT], "stream": True}
    if include_usage is not None:
        body["stream_options"] = {"include_usage": include_usage}
    reply = post(server, CHAT, body)
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(reply.text)
    assert events[-1] == (None, "[DONE]")
    chunks = [json.loads(data) for name, data in events[:-1]]
    assert all(name is None for name, _ in events)
    chunk_schema = schema_validator(spec, CHAT, "ChatCompletionChunk")
    assert all(chunk_schema.is_valid(c) for c in chunks)
    answer = examples(spec, CHAT, "ChatCompletionResponse")[0]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == answer["choices"][0]["message"]["content"]
    if include_usage:  # as OpenAI: one more chunk, no choices, the usage
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == answer["usage"]
        assert not any("usage" in c for c in chunks[:-1])
    else:
        assert not any("usage" in c for c in chunks) and chunks[-1]["choices"]
    finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finish[-1] == answer["choices"][0]["finish_reason"]


def test_chat_completion_stream_has_n_choices_when_asked(server: RunningServer) -> None:
    reply = post(server, CHAT, {**BODIES[CHAT], "stream": True, "n": 3})
    chunks = [json.loads(d) for _, d in parse_sse(reply.text)[:-1]]
    texts = {i: "" for i in range(3)}
    for chunk in chunks:
        for choice in chunk["choices"]:
            texts[choice["index"]] += choice["delta"].get("content") or ""
    assert set(texts.values()) == {"Hello! How can I help?"}
    assert len(post(server, CHAT, {**BODIES[CHAT], "n": 3}).json()["choices"]) == 3


@pytest.mark.parametrize("index", [0, 1])
def test_message_stream_is_named_events_that_rebuild_the_example(
    server: RunningServer, spec: Spec, index: int
) -> None:
    body = {**BODIES[MESSAGES], "stream": True}
    reply = post(server, MESSAGES, body, headers={"x-sdkforge-example": str(index)})
    events = parse_sse(reply.text)
    payloads = [json.loads(data) for _, data in events]
    assert [name for name, _ in events] == [p["type"] for p in payloads]
    event_schema = schema_validator(spec, MESSAGES, "MessageStreamEvent")
    assert all(event_schema.is_valid(p) for p in payloads)
    assert payloads[1] == {"type": "ping"}
    # Rebuild the message by hand from the events: it is the non-streaming answer.
    message = payloads[0]["message"]
    partial: dict[int, str] = {}
    for p in payloads:
        if p["type"] == "content_block_start":
            message["content"].append(p["content_block"])
        elif p["type"] == "content_block_delta":
            block, delta = message["content"][p["index"]], p["delta"]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "input_json_delta":
                partial[p["index"]] = partial.get(p["index"], "") + delta["partial_json"]
        elif p["type"] == "content_block_stop" and p["index"] in partial:
            message["content"][p["index"]]["input"] = json.loads(partial[p["index"]])
        elif p["type"] == "message_delta":
            message.update(p["delta"])
            message["usage"].update(p["usage"])
    assert payloads[-1] == {"type": "message_stop"}
    assert message == examples(spec, MESSAGES, "ChatResponse")[index]


def test_session_stream_ends_with_the_whole_reply(server: RunningServer, spec: Spec) -> None:
    reply = post(server, SESSIONS, {"message": "hi", "stream": True})
    events = parse_sse(reply.text)
    payloads = [json.loads(data) for _, data in events]
    assert [name for name, _ in events] == [p["type"] for p in payloads]
    event_schema = schema_validator(spec, SESSIONS, "SessionStreamEvent")
    assert all(event_schema.is_valid(p) for p in payloads)
    assert payloads[0]["type"] == "session_start"
    end = payloads[-1]
    assert end["type"] == "session_end" and end["session_id"] == payloads[0]["session_id"]
    text = "".join(p["delta"]["text"] for p in payloads if p["type"] == "content_delta")
    assert text == end["response"]["content"][0]["text"]


def test_every_recorded_stream_is_replayed_byte_for_byte(server: RunningServer) -> None:
    streams = sorted(FIXTURES.rglob("*.sse"))
    assert len(streams) >= 20
    for fixture in streams:
        name = fixture.relative_to(FIXTURES).as_posix()
        path = CHAT if name.startswith("openai/") else MESSAGES
        body = {**BODIES[path], "stream": True}
        reply = post(server, path, body, headers={"x-sdkforge-replay": name})
        assert reply.status_code == 200, name
        assert reply.content == fixture.read_bytes(), name


def test_replay_stays_inside_the_fixtures_folder(server: RunningServer) -> None:
    reply = post(server, CHAT, headers={"x-sdkforge-replay": "../../../pyproject.toml"})
    assert reply.status_code == 400
    assert "no fixture" in reply.json()["error"]["message"]


def test_chunk_bytes_recuts_the_body_without_changing_it(server: RunningServer) -> None:
    whole = post(server, MESSAGES, {**BODIES[MESSAGES], "stream": True})
    with httpx.Client(timeout=10) as client:
        with client.stream(
            "POST",
            server.url + MESSAGES,
            json={**BODIES[MESSAGES], "stream": True},
            headers={**AUTH[MESSAGES], "x-sdkforge-chunk-bytes": "7"},
        ) as reply:
            data = b"".join(reply.iter_raw())
    assert data == whole.content


# --- validation, authentication, request ids --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        (CHAT, {**BODIES[CHAT], "temperature": 3}, "/temperature"),
        (CHAT, {"model": "m", "messages": [{"role": "user", "content": 5}]}, "/messages/0/content"),
        (MESSAGES, {**BODIES[MESSAGES], "max_tokens": 0}, "/max_tokens"),
        (MESSAGES, {**BODIES[MESSAGES], "temprature": 1}, ""),
        (
            SESSIONS,
            {"message": "hi", "context_config": {"max_tokens": "lots"}},
            "/context_config/max_tokens",
        ),
        (SESSIONS, {}, ""),
    ],
)
def test_invalid_requests_get_422_with_the_pointer_in_the_family_error_shape(
    server: RunningServer, spec: Spec, path: str, body: dict[str, Any], pointer: str
) -> None:
    reply = post(server, path, body)
    assert reply.status_code == 422
    error = reply.json()
    assert schema_validator(spec, path, "ErrorResponse").is_valid(error)
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["message"].startswith(f"{pointer or '/'}: ")
    if path == CHAT:
        assert error["error"]["param"] == pointer
    else:
        assert error["request_id"] == reply.headers["x-request-id"]


def test_a_body_that_is_not_json_is_rejected(server: RunningServer) -> None:
    reply = httpx.post(server.url + CHAT, content=b"{nope", headers=AUTH[CHAT])
    assert reply.status_code == 400
    assert "not JSON" in reply.json()["error"]["message"]


@pytest.mark.parametrize("path", [CHAT, MESSAGES, SESSIONS])
def test_requests_without_the_schemes_credentials_are_401(
    server: RunningServer, spec: Spec, path: str
) -> None:
    reply = httpx.post(server.url + path, json=BODIES[path])
    assert reply.status_code == 401
    assert reply.json()["error"]["type"] == "authentication_error"
    assert schema_validator(spec, path, "ErrorResponse").is_valid(reply.json())
    other = {"x-api-key": "k"} if path != MESSAGES else {"authorization": "Bearer k"}
    assert httpx.post(server.url + path, json=BODIES[path], headers=other).status_code == 401


def test_request_ids_are_echoed_or_made(server: RunningServer) -> None:
    mine = post(server, CHAT, headers={"x-request-id": "req_mine"})
    assert mine.headers["x-request-id"] == "req_mine"
    made = {post(server, CHAT).headers["x-request-id"] for _ in range(3)}
    assert len(made) == 3 and all(r.startswith("req_") for r in made)
    missing = httpx.get(f"{server.url}/v1/nothing")
    assert missing.status_code == 404 and "x-request-id" in missing.headers


# --- faults ---------------------------------------------------------------------------------------


def test_status_faults_carry_each_retry_after_form(server: RunningServer, spec: Spec) -> None:
    ms = post(server, MESSAGES, headers={"x-sdkforge-fault": "429; retry-after-ms=25"})
    assert ms.status_code == 429 and ms.headers["retry-after-ms"] == "25"
    assert ms.json()["error"]["type"] == "rate_limit_error"
    assert schema_validator(spec, MESSAGES, "ErrorResponse").is_valid(ms.json())
    seconds = post(server, CHAT, headers={"x-sdkforge-fault": "503; retry-after=2"})
    assert seconds.status_code == 503 and seconds.headers["retry-after"] == "2"
    dated = post(server, SESSIONS, headers={"x-sdkforge-fault": "503; retry-after-date=1"})
    when = email.utils.parsedate_to_datetime(dated.headers["retry-after"]).timestamp()
    assert 0 < when - time.time() <= 2.01


def test_times_fails_the_first_attempts_of_a_key_then_answers(server: RunningServer) -> None:
    k = key()
    fault = {"x-sdkforge-fault": "500; times=2", "x-sdkforge-key": k}
    statuses = [post(server, CHAT, headers=fault) for _ in range(3)]
    assert [r.status_code for r in statuses] == [500, 500, 200]
    assert [r.headers["x-sdkforge-attempt"] for r in statuses] == ["1", "2", "3"]
    seen = server.attempts(k)
    assert seen["attempts"] == 3 and [r["status"] for r in seen["requests"]] == [500, 500, 200]


def test_attempts_are_counted_per_idempotency_key(server: RunningServer) -> None:
    k = key()
    fault = {"x-sdkforge-fault": "429; times=1", "idempotency-key": k}
    assert [post(server, MESSAGES, headers=fault).status_code for _ in range(2)] == [429, 200]
    assert server.attempts(k)["requests"][1]["idempotency_key"] == k


def test_a_bad_fault_header_is_rejected(server: RunningServer) -> None:
    for bad in ("explode", "429; retry-after-ms=soon", "reset; seconds=1", "200"):
        reply = post(server, CHAT, headers={"x-sdkforge-fault": bad})
        assert reply.status_code == 400, bad


def raw_post(
    server: RunningServer, path: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[bytes, bool]:
    """Send one request over a plain socket; return what arrived and whether it ended in a reset."""
    url = urlsplit(server.url)
    payload = json.dumps(body).encode()
    head = {"host": url.netloc, "content-type": "application/json", **AUTH[path], **headers}
    head["content-length"] = str(len(payload))
    request = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request.encode() + b"\r\n" + payload)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            return received, True
    return received, False


def test_reset_without_an_answer(server: RunningServer) -> None:
    received, reset = raw_post(server, CHAT, BODIES[CHAT], {"x-sdkforge-fault": "reset"})
    assert reset and received == b""


@pytest.mark.parametrize("stream", [False, True])
def test_reset_after_n_body_bytes(server: RunningServer, stream: bool) -> None:
    body = {**BODIES[MESSAGES], "stream": stream}
    received, reset = raw_post(server, MESSAGES, body, {"x-sdkforge-fault": "reset; bytes=150"})
    assert reset
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    if stream:  # chunked: the first chunk holds the 150 bytes, and nothing ends the body
        size, _, data = rest.partition(b"\r\n")
        assert int(size, 16) == 150 and data.startswith(b"event: message_start")
        assert not received.endswith(b"0\r\n\r\n")
    else:
        assert len(rest) == 150 and int(dict_header(head, b"content-length")) > 150


def dict_header(head: bytes, name: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == name:
            return v.strip()
    raise KeyError(name)


def test_stall_holds_the_answer_back(server: RunningServer) -> None:
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(server, CHAT, headers={"x-sdkforge-fault": "stall; seconds=5"}, timeout=0.3)
    assert time.monotonic() - started < 2
    quick = post(server, CHAT, headers={"x-sdkforge-fault": "stall; seconds=0.2"})
    assert quick.status_code == 200


def test_stall_mid_stream_after_k_events(server: RunningServer) -> None:
    body = {**BODIES[MESSAGES], "stream": True}
    headers = {**AUTH[MESSAGES], "x-sdkforge-fault": "stall; seconds=5; after=2"}
    got: list[str] = []
    started = time.monotonic()
    with httpx.Client(timeout=httpx.Timeout(0.5)) as client:
        with client.stream("POST", server.url + MESSAGES, json=body, headers=headers) as reply:
            with pytest.raises(httpx.ReadTimeout):
                for line in reply.iter_lines():
                    if line.startswith("event:"):
                        got.append(line)
    assert got == ["event: message_start", "event: ping"]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("path", [CHAT, MESSAGES, SESSIONS])
def test_malformed_event_has_json_cut_off(server: RunningServer, path: str) -> None:
    body = {**BODIES[path], "stream": True}
    reply = post(server, path, body, headers={"x-sdkforge-fault": "malformed; after=1"})
    events = parse_sse(reply.text)
    json.loads(events[0][1])
    with pytest.raises(json.JSONDecodeError):
        json.loads(events[1][1])
    whole = post(server, path, headers={"x-sdkforge-fault": "malformed"})
    assert whole.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        whole.json()


@pytest.mark.parametrize("path", [CHAT, MESSAGES, SESSIONS])
def test_error_event_ends_the_stream(server: RunningServer, spec: Spec, path: str) -> None:
    body = {**BODIES[path], "stream": True}
    reply = post(server, path, body, headers={"x-sdkforge-fault": "error-event; after=2"})
    events = parse_sse(reply.text)
    assert len(events) == 3
    name, data = events[-1]
    error = json.loads(data)
    if path == CHAT:
        assert name is None
        assert schema_validator(spec, path, "ErrorResponse").is_valid(error)
    else:
        assert name == "error" and error["type"] == "error"
        item = "MessageStreamEvent" if path == MESSAGES else "SessionStreamEvent"
        assert schema_validator(spec, path, item).is_valid(error)
    plain = post(server, path, headers={"x-sdkforge-fault": "error-event"})
    assert plain.status_code == 500
    assert schema_validator(spec, path, "ErrorResponse").is_valid(plain.json())


def test_non_json_error_page(server: RunningServer) -> None:
    reply = post(server, CHAT, headers={"x-sdkforge-fault": "non-json; status=502"})
    assert reply.status_code == 502
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.text.startswith("<html>") and len(reply.text) > 1000


def test_the_server_sees_a_client_leave_a_stream_early(server: RunningServer) -> None:
    k = key()
    name = "openai/chat_completion_streams/test_non_pydantic_response_format.sse"
    total = Path(FIXTURES / name).read_bytes().count(b"\n\n")
    headers = {
        **AUTH[CHAT],
        "x-sdkforge-replay": name,
        "x-sdkforge-event-delay-ms": "20",
        "x-sdkforge-key": k,
    }
    body = {**BODIES[CHAT], "stream": True}
    with httpx.Client(timeout=10) as client:
        with client.stream("POST", server.url + CHAT, json=body, headers=headers) as reply:
            lines = reply.iter_lines()
            assert next(lines).startswith("data: {")
    deadline = time.monotonic() + 5
    while True:
        record = server.attempts(k)["requests"][0]
        if record["chunks_sent"] < total or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    record = server.attempts(k)["requests"][0]
    assert not record["completed"] and record["chunks_sent"] < total


def test_serve_runs_a_command_against_itself_and_exits_with_its_status() -> None:
    program = (
        "import os, sys, urllib.request\n"
        "url = os.environ['CHATSDK_BASE_URL'] + '/_sdkforge/health'\n"
        "ok = urllib.request.urlopen(url).status == 200\n"
        "print(os.environ['CHATSDK_API_KEY'])\n"
        "sys.exit(7 if ok else 1)\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--port",
            "0",
            "--",
            sys.executable,
            "-c",
            program,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "CHATSDK_API_KEY"},
    )
    assert done.returncode == 7, done.stderr
    assert done.stdout.splitlines()[0].startswith("sdkforge serve: listening on http://127.0.0.1:")
    assert done.stdout.splitlines()[1] == "sdkforge-local-key"
