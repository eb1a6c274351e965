"""The blocking client over an in-memory transport: requests, responses, streams, raw responses."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx2
import pydantic
import pytest
from mock_api import (
    API_KEY,
    CHAT_BODY,
    MESSAGE_BODY,
    SESSION_BODY,
    Body,
    MockAPI,
    fixture,
    json_response,
    sse_response,
    sync_client,
)

import chatsdk
from chatsdk import NOT_GIVEN, Client, Stream, UnknownTag, UnknownVariant
from chatsdk.chat_completions import ChatCompletionChunk, ChatCompletionResponse, ChatMessage
from chatsdk.messages import ChatResponse, Message, OutputConfig, ThinkingConfig
from chatsdk.sessions import ContextConfig, SessionChatResponse, SessionStreamEvent

HI = [ChatMessage.user("hi")]


def test_chat_completion_request_and_response() -> None:
    api = MockAPI(json_response(200, CHAT_BODY, **{"x-request-id": "req_1"}))
    with sync_client(api) as client:
        result = client.chat.completions.create(
            model="gpt-4o",
            messages=[ChatMessage.system("be brief"), {"role": "user", "content": "hi"}],
            temperature=0.5,
            stop=["END"],
        )
    assert isinstance(result, ChatCompletionResponse)
    assert result.choices[0].message.content == CHAT_BODY["choices"][0]["message"]["content"]
    request = api.last
    assert (request.method, request.url.path) == ("POST", "/v1/chat/completions")
    assert json.loads(request.content) == {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
        "temperature": 0.5,
        "stop": ["END"],
    }
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith(f"chatsdk/{chatsdk.__version__} ")
    assert request.headers["idempotency-key"]


def test_unset_parameters_are_not_sent_and_none_is_null() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI, top_p=NOT_GIVEN, user="u")
    assert api.bodies()[-1] == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "user": "u",
    }
    client.chat.completions.create(model="m", messages=HI, stream=False)
    assert api.bodies()[-1]["stream"] is False


def test_messages_auth_header_defaults_and_thinking() -> None:
    api = MockAPI(json_response(200, MESSAGE_BODY))
    client = sync_client(api)
    result = client.messages.create(
        model="claude",
        system="You are terse.",
        messages=[Message.user("hi")],
        thinking=ThinkingConfig.adaptive(),
        output_config=OutputConfig(effort="high"),
    )
    assert isinstance(result, ChatResponse) and result.first_text()
    request = api.last
    assert request.url.path == "/v1/messages"
    assert request.headers["x-api-key"] == API_KEY
    assert "authorization" not in request.headers
    assert json.loads(request.content) == {
        "model": "claude",
        "system": "You are terse.",
        "messages": [{"role": "user", "content": "hi"}],
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
        "max_tokens": 4096,  # x-sdk-send-default
    }


def test_adaptive_thinking_effort_travels_in_output_config() -> None:
    api = MockAPI(json_response(200, MESSAGE_BODY))
    sync_client(api).messages.create(
        model="m",
        system="s",
        messages=[Message.user("hi")],
        max_tokens=100,
        thinking=ThinkingConfig.adaptive(effort="max"),
    )
    body = api.bodies()[-1]
    assert body["thinking"] == {"type": "adaptive"}
    assert body["output_config"] == {"effort": "max"}
    assert body["max_tokens"] == 100


def test_sessions_chat_with_models_and_dicts() -> None:
    api = MockAPI(json_response(200, SESSION_BODY))
    result = sync_client(api).sessions.chat(
        message="hi",
        context_config=ContextConfig(max_tokens=8000, auto_compact=True),
        tool_results=[{"tool_call_id": "t", "content": "42"}],
        provider_options={"temperature": 0.2},
    )
    assert isinstance(result, SessionChatResponse)
    assert (result.session_id, result.context.compacted) == ("sess_1", False)
    assert api.last.url.path == "/qai/v1/chat/session"
    assert api.last.headers["authorization"] == f"Bearer {API_KEY}"
    assert api.bodies()[-1] == {
        "message": "hi",
        "context_config": {"max_tokens": 8000, "auto_compact": True},
        "tool_results": [{"tool_call_id": "t", "content": "42"}],
        "provider_options": {"temperature": 0.2},
    }


def test_invalid_arguments_fail_before_sending_and_name_the_field() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    client = sync_client(api)
    with pytest.raises(pydantic.ValidationError, match="temperature"):
        client.chat.completions.create(model="m", messages=HI, temperature=5)
    with pytest.raises(pydantic.ValidationError, match="model"):
        client.chat.completions.create(model=None, messages=HI)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="model"):
        client.chat.completions.create(messages=HI)  # type: ignore[call-overload]
    with pytest.raises(pydantic.ValidationError, match="tool_call_id"):
        client.chat.completions.create(model="m", messages=[{"role": "tool", "content": "x"}])
    assert api.requests == []


def test_extra_headers_query_and_body() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    client = sync_client(api, default_headers={"x-team": "a"}, default_query={"v": "1"})
    client.chat.completions.create(
        model="m",
        messages=HI,
        extra_headers={"x-trace": "t1", "User-Agent": "mine/1"},
        extra_query={"debug": "true"},
        extra_body={"logprobs": True, "model": "override"},
    )
    request = api.last
    assert request.headers["x-trace"] == "t1"
    assert request.headers["x-team"] == "a"
    assert request.headers["user-agent"] == "mine/1"
    assert dict(request.url.params) == {"v": "1", "debug": "true"}
    assert json.loads(request.content)["logprobs"] is True
    assert json.loads(request.content)["model"] == "override"


def test_base_url_and_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSDK_BASE_URL", "http://env.test/prefix/")
    monkeypatch.setenv("CHATSDK_API_KEY", "sk-from-env")
    api = MockAPI(json_response(200, CHAT_BODY))
    client = Client(http_client=httpx2.Client(transport=httpx2.MockTransport(api.handler)))
    client.chat.completions.create(model="m", messages=HI)
    assert str(api.last.url) == "http://env.test/prefix/v1/chat/completions"
    assert api.last.headers["authorization"] == "Bearer sk-from-env"


def test_no_base_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATSDK_BASE_URL", raising=False)
    with pytest.raises(chatsdk.ChatSDKError, match="CHATSDK_BASE_URL"):
        Client(api_key="k")


def test_no_api_key_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATSDK_API_KEY", raising=False)
    api = MockAPI(json_response(200, CHAT_BODY))
    client = Client(
        base_url="http://x", http_client=httpx2.Client(transport=httpx2.MockTransport(api.handler))
    )
    with pytest.raises(chatsdk.ChatSDKError, match="CHATSDK_API_KEY"):
        client.chat.completions.create(model="m", messages=HI)
    assert api.requests == []


def test_timeouts_default_and_per_call() -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    client = sync_client(api)
    client.chat.completions.create(model="m", messages=HI)
    assert api.last.extensions["timeout"] == {
        "connect": 5.0,
        "read": 600.0,
        "write": 600.0,
        "pool": 600.0,
    }
    client.chat.completions.create(model="m", messages=HI, timeout=2.0)
    assert api.last.extensions["timeout"] == {
        "connect": 2.0,
        "read": 2.0,
        "write": 2.0,
        "pool": 2.0,
    }
    client.chat.completions.create(model="m", messages=HI, timeout=httpx2.Timeout(9, connect=1))
    assert api.last.extensions["timeout"] == {
        "connect": 1.0,
        "read": 9.0,
        "write": 9.0,
        "pool": 9.0,
    }
    client.with_options(timeout=30).chat.completions.create(model="m", messages=HI)
    assert api.last.extensions["timeout"]["read"] == 30.0


def test_raw_response_gives_status_headers_request_id_and_parse() -> None:
    api = MockAPI(
        json_response(200, CHAT_BODY, **{"x-request-id": "req_raw", "x-ratelimit-remaining": "9"})
    )
    raw = sync_client(api).chat.completions.with_raw_response.create(model="m", messages=HI)
    assert raw.status_code == 200
    assert raw.headers["x-ratelimit-remaining"] == "9"
    assert raw.request_id == "req_raw"
    assert json.loads(raw.text) == CHAT_BODY
    parsed = raw.parse()
    assert isinstance(parsed, ChatCompletionResponse) and raw.parse() is parsed
    assert parsed.to_dict() == CHAT_BODY


def test_raw_response_of_a_stream_parses_into_the_stream() -> None:
    raw_sse = fixture("openai/chat_completion_streams/test_parse_max_tokens_reached.sse")
    api = MockAPI(sse_response(raw_sse, **{"request-id": "req_s"}))
    raw = sync_client(api).chat.completions.with_raw_response.create(
        model="m", messages=HI, stream=True
    )
    assert raw.request_id == "req_s"
    with raw.parse() as stream:
        assert isinstance(stream, Stream)
        assert all(isinstance(c, ChatCompletionChunk) for c in stream)


def test_stream_true_yields_typed_chunks_until_done() -> None:
    raw_sse = (
        fixture("openai/chat_completion_streams/test_parse_nothing.sse")
        + b"data: {not json after DONE\n\n"
    )
    api = MockAPI(sse_response(raw_sse))
    with sync_client(api).chat.completions.create(model="m", messages=HI, stream=True) as stream:
        chunks = list(stream)
    assert api.bodies()[-1]["stream"] is True
    assert api.last.headers["accept"] == "text/event-stream"
    assert len(chunks) == raw_sse.count(b"data: {") - 1
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_message_stream_skips_pings_and_surfaces_unknown_events() -> None:
    raw_sse = fixture("anthropic/message_streams/basic_response.sse") + (
        b'\n\nevent: brand_new\ndata: {"type":"brand_new","x":1}\n\n'
    )
    api = MockAPI(sse_response(raw_sse))
    events = list(
        sync_client(api).messages.create(
            model="m", system="s", messages=[Message.user("hi")], stream=True
        )
    )
    types = [e.raw_tag if isinstance(e, UnknownVariant) else e.type for e in events]
    assert "ping" not in types
    assert types[0] == "message_start" and types[-1] == "brand_new"
    assert events[-1].type is UnknownTag.UNKNOWN
    assert events[-1].to_dict() == {"type": "brand_new", "x": 1}


def test_session_stream_yields_session_events() -> None:
    end = {
        "type": "session_end",
        "session_id": "s",
        "response": {"id": "r", "model": "m", "content": [{"type": "text", "text": "Hi"}]},
        "context": {"turn_count": 1, "estimated_tokens": 3},
    }
    raw_sse = (
        b'event: session_start\ndata: {"type":"session_start","session_id":"s"}\n\n'
        b'event: content_delta\ndata: {"type":"content_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n'
        + f"event: session_end\ndata: {json.dumps(end)}\n\n".encode()
    )
    client = sync_client(MockAPI(lambda request: sse_response(raw_sse)))
    events = list(client.sessions.chat(message="hi", stream=True))
    assert all(isinstance(e, SessionStreamEvent) for e in events)
    assert [e.type for e in events] == ["session_start", "content_delta", "session_end"]
    with client.sessions.stream(message="hi") as stream:
        assert list(stream.text_stream) == ["Hi"]
        final = stream.get_final_response()
    assert final.session_id == "s" and final.response.content[0].to_dict()["text"] == "Hi"


def test_chat_stream_helper_text_and_final_completion() -> None:
    raw_sse = fixture("openai/chat_completion_streams/test_parse_nothing.sse")
    api = MockAPI(sse_response(raw_sse))
    client = sync_client(api)
    manager = client.chat.completions.stream(model="m", messages=HI)
    assert api.requests == []  # nothing is sent before the block is entered
    with manager as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_completion()
    assert api.bodies()[-1]["stream"] is True
    assert final.choices[0].message.content == text
    assert final.usage is not None and final.object == "chat.completion"


def test_message_stream_helper_equals_the_non_streamed_shape() -> None:
    raw_sse = fixture("anthropic/message_streams/tool_use_response.sse")
    api = MockAPI(sse_response(raw_sse))
    with sync_client(api).messages.stream(
        model="m", system="s", messages=[Message.user("hi")]
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    assert events and final.stop_reason == "tool_use"
    assert ChatResponse.from_json(final.to_json()).to_dict() == final.to_dict()
    assert [b.input for b in final.tool_uses()] == [{"location": "Paris"}]


def test_leaving_the_stream_block_early_closes_the_connection() -> None:
    body = Body([fixture("openai/chat_completion_streams/test_non_pydantic_response_format.sse")])
    client = sync_client(MockAPI(sse_response(body)))
    with client.chat.completions.create(model="m", messages=HI, stream=True) as stream:
        next(stream)
    assert body.closed
    body2 = Body([fixture("anthropic/message_streams/basic_response.sse")])
    with sync_client(MockAPI(sse_response(body2))).messages.stream(
        model="m", system="s", messages=[Message.user("hi")]
    ) as s:
        next(iter(s))
    assert body2.closed


def test_client_context_manager_closes_its_http_client() -> None:
    with Client(base_url="http://x", api_key="k") as client:
        assert not client.is_closed
    assert client.is_closed
    shared = httpx2.Client()
    with Client(base_url="http://x", api_key="k", http_client=shared):
        pass
    assert not shared.is_closed  # not ours to close
    shared.close()


def test_api_key_never_in_repr() -> None:
    client = sync_client(MockAPI(json_response(200, CHAT_BODY)))
    assert API_KEY not in repr(client)
    assert "api_key=<set>" in repr(client)
    assert API_KEY not in repr(client.chat.completions) and API_KEY not in repr(
        client.__dict__.get("_http")
    )


def test_resources_mirror_the_schema_paths() -> None:
    client = sync_client(MockAPI(json_response(200, CHAT_BODY)))
    assert callable(client.chat.completions.create)
    assert callable(client.messages.create) and callable(client.messages.stream)
    assert callable(client.sessions.chat)
    assert client.chat.completions.with_raw_response is client.chat.completions.with_raw_response


def test_docstrings_come_from_the_schema() -> None:
    from chatsdk import _client

    assert "client.chat.completions.create" in (_client.__doc__ or "")
    method_doc = _client.ChatCompletions.create.__doc__ or ""
    assert "Create a chat completion" in method_doc
    assert "temperature: Sampling temperature" in method_doc
    assert "stream: True for a stream of typed events" in method_doc
    assert "Default: 4096." in (_client.Messages.create.__doc__ or "")
    assert "get_final_message()" in (_client.Messages.stream.__doc__ or "")
    assert "CHATSDK_API_KEY" in (Client.__doc__ or "")


def test_import_chatsdk_loads_neither_httpx_nor_pydantic() -> None:
    code = (
        "import sys, chatsdk; "
        "assert chatsdk.APIError and chatsdk.NOT_GIVEN is not None; "
        "print(sorted(m for m in ('httpx2', 'pydantic', 'chatsdk._client') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = "import sys, chatsdk; chatsdk.Client; print('chatsdk._client' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
