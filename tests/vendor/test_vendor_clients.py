"""The clients generated from the vendors' documents send what the documents say.

Each call goes through an ``httpx2.MockTransport`` that records the request and answers with a
recorded body or stream from tests/fixtures/real: the method and path (parameters filled in
and percent-encoded), the query, the authentication header, the body's encoding (JSON,
multipart, none) and the typed answer (a model, a stream of events, bytes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2
import pytest
from vendor_packages import generated_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"
Handler = Callable[[httpx2.Request], httpx2.Response]


def client_module(vendor: str) -> ModuleType:
    generated = generated_package(vendor)
    return __import__(f"{generated.package}._client", fromlist=["Client"])


class Recorder:
    """A transport that keeps every request and answers with ``answer(request)``."""

    def __init__(self, answer: Handler) -> None:
        self.requests: list[httpx2.Request] = []
        self.answer = answer

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        return self.answer(request)

    @property
    def last(self) -> httpx2.Request:
        return self.requests[-1]


def make_client(vendor: str, answer: Handler) -> tuple[Any, Recorder]:
    recorder = Recorder(answer)
    http = httpx2.Client(transport=httpx2.MockTransport(recorder))
    client = client_module(vendor).Client(
        api_key="sk-test", base_url="https://api.test/v1", http_client=http, max_retries=0
    )
    return client, recorder


def json_answer(body: Any, status: int = 200) -> Handler:
    return lambda request: httpx2.Response(status, json=body)


def sse_answer(path: Path) -> Handler:
    return lambda request: httpx2.Response(
        200, content=path.read_bytes(), headers={"content-type": "text/event-stream"}
    )


@pytest.fixture(scope="module")
def chat_body() -> dict[str, Any]:
    raw = (FIXTURES / "openai/chat_completion_responses/test_parse_nothing.json").read_text()
    return dict(json.loads(raw))


@pytest.fixture(scope="module")
def message_body() -> dict[str, Any]:
    raw = FIXTURES / "anthropic/message_responses/test_messages__TestSyncParse__c11eefc7_0.json"
    return dict(json.loads(raw.read_text()))


def test_openai_chat_completion_sends_json_with_a_bearer_key(chat_body: dict[str, Any]) -> None:
    client, seen = make_client("openai", json_answer(chat_body))
    answer = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], temperature=0.5
    )
    assert type(answer).__name__ == "CreateChatCompletionResponse"
    assert answer.to_dict() == chat_body
    request = seen.last
    assert (request.method, request.url.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.5,
    }


def test_openai_chat_completion_streams_typed_chunks_until_done() -> None:
    path = FIXTURES / "openai/chat_completion_streams/test_parse_pydantic_model.sse"
    client, seen = make_client("openai", sse_answer(path))
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )
    expected = [
        json.loads(line[len("data: ") :])
        for line in path.read_text().splitlines()
        if line.startswith("data: {")
    ]
    assert [c.to_dict() for c in chunks] == expected
    assert all(type(c).__name__ == "CreateChatCompletionStreamResponse" for c in chunks)
    assert json.loads(seen.last.content)["stream"] is True
    assert seen.last.headers["accept"] == "text/event-stream"


def test_openai_path_and_query_parameters_and_bodiless_calls() -> None:
    file = {
        "id": "file/1",
        "object": "file",
        "bytes": 3,
        "created_at": 1,
        "filename": "a.jsonl",
        "purpose": "batch",
        "status": "processed",
    }
    client, seen = make_client("openai", json_answer(file))
    retrieved = client.files.retrieve(file_id="file/1")
    assert retrieved.id == "file/1"
    assert seen.last.method == "GET"
    assert seen.last.url.raw_path == b"/v1/files/file%2F1"
    assert seen.last.content == b""
    assert "content-type" not in seen.last.headers

    client, seen = make_client(
        "openai",
        json_answer(
            {"object": "list", "data": [file], "first_id": "f", "last_id": "f", "has_more": False}
        ),
    )
    client.files.list(purpose="batch", limit=2, extra_query={"after": "file-0"})
    assert seen.last.url.path == "/v1/files"
    assert dict(seen.last.url.params) == {"purpose": "batch", "limit": "2", "after": "file-0"}

    client, seen = make_client(
        "openai", json_answer({"id": "file/1", "object": "file", "deleted": True})
    )
    assert client.files.delete(file_id="file/1").deleted is True
    assert seen.last.method == "DELETE"


def test_openai_file_upload_is_multipart_and_download_is_bytes() -> None:
    file = {
        "id": "file-1",
        "object": "file",
        "bytes": 3,
        "created_at": 1,
        "filename": "a.jsonl",
        "purpose": "batch",
        "status": "processed",
    }
    client, seen = make_client("openai", json_answer(file))
    created = client.files.create(file=("a.jsonl", b"{}\n", "application/jsonl"), purpose="batch")
    assert created.id == "file-1"
    request = seen.last
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="purpose"\r\n\r\nbatch' in body
    assert b'name="file"; filename="a.jsonl"' in body and b"{}\n" in body

    raw = bytes(range(256))
    client, seen = make_client(
        "openai",
        lambda request: httpx2.Response(200, content=raw, headers={"content-type": "audio/mpeg"}),
    )
    speech = client.audio.speech.create(model="tts-1", input="hi", voice="alloy")
    assert type(speech).__name__ == "BinaryResponse"
    assert (speech.content, speech.content_type) == (raw, "audio/mpeg")
    assert seen.last.headers["accept"] == "*/*"


def test_anthropic_messages_use_the_api_key_header_and_version(
    message_body: dict[str, Any],
) -> None:
    client, seen = make_client("anthropic", json_answer(message_body))
    message = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=64,
        messages=[{"role": "user", "content": "hi"}],
        anthropic_version="2023-06-01",
    )
    assert type(message).__name__ == "Message"
    assert message.to_dict() == message_body
    request = seen.last
    assert request.url.path == "/v1/v1/messages"  # base_url ends in /v1 here; paths carry theirs
    assert request.headers["x-api-key"] == "sk-test"
    assert "authorization" not in request.headers
    assert request.headers["anthropic-version"] == "2023-06-01"


def _events(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text().splitlines():
        if line.startswith("data: "):
            yield json.loads(line[len("data: ") :])


def test_anthropic_messages_stream_typed_events() -> None:
    path = FIXTURES / "anthropic/message_streams/basic_response.sse"
    client, _ = make_client("anthropic", sse_answer(path))
    stream = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=64,
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
    )
    events = list(stream)
    # The anthropic-messages overlay declares the stream: named events, `ping` keep-alives skipped.
    assert [e.to_dict() for e in events] == [e for e in _events(path) if e["type"] != "ping"]
    assert len(events) < len(list(_events(path)))
    models = generated_package("anthropic").models
    assert isinstance(events[0], models.MessageStartEvent)
    assert events[-1].type == "message_stop"


def test_anthropic_error_event_raises_stream_error() -> None:
    path = FIXTURES / "anthropic/message_streams/error_event_overloaded.sse"
    client, _ = make_client("anthropic", sse_answer(path))
    errors = __import__(f"{generated_package('anthropic').package}._errors", fromlist=["x"])
    with pytest.raises(errors.StreamError, match="overloaded") as raised:
        stream = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=64,
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
        )
        list(stream)
    assert raised.value.error_type == "overloaded_error"


def test_anthropic_beta_flavour_keeps_its_query_string(message_body: dict[str, Any]) -> None:
    client, seen = make_client("anthropic", json_answer(message_body))
    client.beta.messages.create(
        model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
    )
    assert seen.last.url.path == "/v1/v1/messages"
    assert dict(seen.last.url.params) == {"beta": "true"}


def test_every_operation_is_a_method() -> None:
    """Each OperationSpec is defined in its resource's module and called there and in the
    raw- and streaming-response modules beside it."""
    for vendor, count in (("openai", 271), ("anthropic", 106)):
        generated = generated_package(vendor)
        spec_class = __import__(f"{generated.package}._vendor_client", fromlist=["x"])
        prefix = f"{generated.package}/resources/"
        found = 0
        for path, source in generated.files.items():
            if not path.startswith(prefix) or path.endswith(
                ("_raw.py", "_streaming.py", "__init__.py")
            ):
                continue
            module = __import__(path[:-3].replace("/", "."), fromlist=["x"])
            specs = [
                k
                for k, v in vars(module).items()
                if isinstance(v, spec_class.VendorOperationSpec) and k.isupper()
            ]
            found += len(specs)
            folder, stem = path[: -len(".py")].rsplit("/", 1)
            sibling = f"{folder}/_{stem.removeprefix('_')}"
            raw = generated.files[f"{sibling}_raw.py"] if specs else ""
            streaming = generated.files[f"{sibling}_streaming.py"] if specs else ""
            for name in specs:
                assert re.search(rf"request(_stream)?\(\s*{name}\b", source), (path, name)
                assert re.search(rf"request(_stream)?_raw\(\s*{name}\b", raw), (path, name)
                call = rf"streaming(_stream)?_response\(\s*{name}\b"
                assert re.search(call, streaming), (path, name)
        assert found == count, vendor
