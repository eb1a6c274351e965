"""Behaviour of the generated models: the seeds' own tests in Python, plus forward compatibility.

The seeds are the Rust SDKs the schemas were written from; each test below names the seed
behaviour it carries over, or the place where this SDK deliberately does better.
"""

from __future__ import annotations

import json

import pytest
from pydantic import TypeAdapter, ValidationError

from chatsdk import UnknownTag
from chatsdk import chat_completions as cc
from chatsdk import messages as ms
from chatsdk import sessions as ss

# --- chat completions (skailar) ------------------------------------------------------------


def test_request_requires_model_and_names_it() -> None:
    with pytest.raises(ValidationError) as info:
        cc.ChatCompletionRequest(messages=[cc.ChatMessage.user("hi")])  # type: ignore[call-arg]
    errors = info.value.errors()
    assert [e["loc"] for e in errors] == [("model",)]
    assert errors[0]["type"] == "missing"


def test_request_sets_fields() -> None:
    req = cc.ChatCompletionRequest(
        model="m",
        messages=[cc.ChatMessage.system("be brief"), cc.ChatMessage.user("hi")],
        temperature=0.5,
        stream=True,
    )
    assert req.model == "m"
    assert len(req.messages) == 2
    assert req.temperature == 0.5
    assert req.stream is True


def test_unset_fields_are_omitted_from_json() -> None:
    data = cc.ChatCompletionRequest(model="m", messages=[cc.ChatMessage.user("hi")]).to_dict()
    assert data == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    assert "temperature" not in data and "stream" not in data


def test_user_message_role_is_lowercase() -> None:
    assert cc.ChatMessage.user("hi").to_dict() == {"role": "user", "content": "hi"}


def test_multimodal_content_round_trips() -> None:
    msg = cc.ChatMessage.user(
        [cc.ContentPart.text("look:"), cc.ContentPart.image_url("https://example.com/a.png")]
    )
    data = msg.to_dict()
    assert data["content"][0] == {"type": "text", "text": "look:"}
    assert data["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/a.png"},
    }
    again = cc.ChatMessage.from_json(json.dumps(data))
    assert isinstance(again.content, list)
    assert isinstance(again.content[1], cc.ImageUrlContentPart)
    assert again.to_dict() == data


def test_tool_message_carries_call_id() -> None:
    data = cc.ChatMessage.tool("call_1", "42").to_dict()
    assert data == {"role": "tool", "tool_call_id": "call_1", "content": "42"}


def test_tool_message_without_call_id_is_rejected() -> None:
    with pytest.raises(ValidationError, match="tool_call_id is required when role is 'tool'"):
        cc.ChatMessage(role=cc.Role.TOOL, content="42")


@pytest.mark.parametrize(
    ("field", "value", "bound"),
    [
        ("temperature", 2.5, "less than or equal to 2"),
        ("temperature", -0.1, "greater than or equal to 0"),
        ("top_p", 1.5, "less than or equal to 1"),
    ],
)
def test_sampling_ranges_are_enforced(field: str, value: float, bound: str) -> None:
    with pytest.raises(ValidationError) as info:
        cc.ChatCompletionRequest.model_validate(
            {"model": "m", "messages": [{"role": "user", "content": "hi"}], field: value}
        )
    (error,) = info.value.errors()
    assert error["loc"] == (field,)
    assert bound in error["msg"]


def test_request_rejects_unknown_fields_and_roles() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        cc.ChatCompletionRequest.model_validate({"model": "m", "messages": [], "temprature": 1})
    with pytest.raises(ValidationError, match="'narrator' is not one of"):
        cc.ChatMessage.model_validate({"role": "narrator", "content": "hi"})


def test_response_keeps_unknown_finish_reason_and_fields() -> None:
    raw = {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hi", "audio": {"id": "a"}},
                "finish_reason": "paused",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        "service_tier": "flex",
    }
    parsed = cc.ChatCompletionResponse.from_dict(raw)
    reason = parsed.choices[0].finish_reason
    assert isinstance(reason, cc.FinishReason)
    assert reason == "paused" and not reason.is_known
    assert parsed.choices[0].message.model_extra == {"audio": {"id": "a"}}
    assert parsed.to_dict() == raw


# --- messages (agent-sdk-foundation) --------------------------------------------------------


def test_chat_request_defaults_then_setters() -> None:
    req = ms.ChatRequest(model="m", system="sys", messages=[ms.Message.user("hi")])
    assert req.system == "sys"
    assert len(req.messages) == 1
    assert req.max_tokens == ms.ChatRequest.DEFAULT_MAX_TOKENS == 4096
    assert not req.is_set("max_tokens")  # the seed's max_tokens_explicit == false
    assert req.tools is None and req.tool_choice is None and req.response_format is None
    assert req.to_dict()["max_tokens"] == 4096  # the default is still sent

    req = ms.ChatRequest(
        model="m",
        system="sys",
        messages=[ms.Message.user("hi")],
        max_tokens=1234,
        tool_choice=ms.ToolChoiceAuto(),
        response_format=ms.ResponseFormat(name="r", schema={"type": "object"}),
        session_id="s-1",
    )
    assert req.max_tokens == 1234
    assert req.is_set("max_tokens")
    assert isinstance(req.tool_choice, ms.ToolChoiceAuto)
    assert req.response_format is not None and req.response_format.strict is True
    assert req.session_id == "s-1"
    data = req.to_dict()
    assert data["tool_choice"] == {"type": "auto"}
    assert data["response_format"] == {"name": "r", "schema": {"type": "object"}}


KNOWN_STOP_REASONS = [
    "end_turn",
    "tool_use",
    "max_tokens",
    "stop_sequence",
    "refusal",
    "model_context_window_exceeded",
]


@pytest.mark.parametrize("value", KNOWN_STOP_REASONS)
def test_every_known_stop_reason_round_trips(value: str) -> None:
    adapter = TypeAdapter(ms.StopReason)
    parsed = adapter.validate_json(json.dumps(value))
    assert parsed.is_known
    assert parsed.as_str() == value
    assert adapter.dump_json(parsed).decode() == json.dumps(value)


def test_unknown_stop_reason_parses_and_keeps_its_text() -> None:
    # The seed collapses an unknown reason to "unknown"; here the original string survives.
    adapter = TypeAdapter(ms.StopReason)
    parsed = adapter.validate_json('"some_future_reason"')
    assert not parsed.is_known
    assert parsed.as_str() == "some_future_reason"
    assert adapter.dump_json(parsed) == b'"some_future_reason"'


def test_thinking_config_constructors_and_bounds() -> None:
    assert ms.ThinkingConfig.enabled().to_dict() == {"type": "enabled", "budget_tokens": 10000}
    assert ms.ThinkingConfig.enabled(2048).to_dict() == {"type": "enabled", "budget_tokens": 2048}
    assert ms.ThinkingConfig.MIN_BUDGET_TOKENS == 1024
    with pytest.raises(ValidationError) as info:
        ms.ThinkingConfig.enabled(500)
    (error,) = info.value.errors()
    assert error["loc"] == ("budget_tokens",)
    assert "greater than or equal to 1024" in error["msg"]
    assert ms.ThinkingConfig.adaptive().to_dict() == {"type": "adaptive"}


def test_adaptive_effort_is_sent_as_output_config() -> None:
    req = ms.ChatRequest(
        model="m",
        system="s",
        messages=[ms.Message.user("hi")],
        thinking=ms.ThinkingConfig.adaptive(effort=ms.Effort.HIGH),
    )
    data = req.to_dict()
    assert data["thinking"] == {"type": "adaptive"}
    assert data["output_config"] == {"effort": "high"}
    explicit = ms.ChatRequest(
        model="m",
        system="s",
        messages=[ms.Message.user("hi")],
        thinking=ms.ThinkingConfig.adaptive(effort=ms.Effort.HIGH),
        output_config=ms.OutputConfig(effort=ms.Effort.LOW),
    )
    assert explicit.to_dict()["output_config"] == {"effort": "low"}


def test_message_constructors() -> None:
    assert ms.Message.user("hi").to_dict() == {"role": "user", "content": "hi"}
    assert ms.Message.assistant("yo").to_dict() == {"role": "assistant", "content": "yo"}
    blocks = ms.Message.user_with_content([ms.TextBlock(text="a")]).to_dict()
    assert blocks == {"role": "user", "content": [{"type": "text", "text": "a"}]}
    assert ms.Message.tool_result("t1", "ok").to_dict()["content"] == [
        {"type": "tool_result", "tool_use_id": "t1", "content": "ok"}
    ]
    assert ms.Message.tool_result("t1", "no", True).to_dict()["content"][0]["is_error"] is True
    with_text = ms.Message.assistant_with_tool_use("let me look", id="t1", name="f", input={"q": 1})
    assert [b["type"] for b in with_text.to_dict()["content"]] == ["text", "tool_use"]
    without = ms.Message.assistant_with_tool_use(None, id="t1", name="f", input={"q": 1})
    assert without.to_dict()["content"] == [
        {"type": "tool_use", "id": "t1", "name": "f", "input": {"q": 1}}
    ]


def test_response_accessors() -> None:
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 5},
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "text", "text": "first"},
            {"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}},
            {"type": "text", "text": "second"},
            {"type": "tool_use", "id": "t2", "name": "g", "input": {}},
        ],
    }
    resp = ms.ChatResponse.from_dict(body)
    assert resp.first_text() == "first"
    assert resp.first_thinking() == "hmm"
    assert [(t.id, t.name, t.input) for t in resp.tool_uses()] == [
        ("t1", "f", {"a": 1}),
        ("t2", "g", {}),
    ]
    assert resp.has_tool_use()
    assert resp.stop_reason == ms.StopReason.TOOL_USE
    assert resp.usage.cached_input_tokens == 0 and not resp.usage.is_set("cached_input_tokens")
    assert resp.to_dict() == body
    assert ms.content_first_text("plain") == "plain"
    assert ms.content_first_text([ms.ThinkingBlock(thinking="x"), ms.TextBlock(text="y")]) == "y"


def test_unknown_content_block_is_kept_whole() -> None:
    raw = {"type": "hologram", "frames": [1, 2], "meta": {"fps": None}}
    block = TypeAdapter(ms.ContentBlock).validate_python(raw)
    assert isinstance(block, ms.UnknownContentBlock)
    assert isinstance(block, ms.ContentBlock)
    assert block.type is UnknownTag.UNKNOWN and block.type != "hologram"
    assert block.raw_tag == "hologram"
    assert block.to_dict() == raw


def test_known_tag_with_a_bad_body_is_an_error_not_unknown() -> None:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(ms.ContentBlock).validate_python({"type": "tool_use", "id": "t1"})
    locs = {e["loc"] for e in info.value.errors()}
    assert locs == {("tool_use", "name"), ("tool_use", "input")}


def test_unknown_stream_event_and_delta_are_surfaced() -> None:
    events = TypeAdapter(ms.MessageStreamEvent)
    unknown = events.validate_json('{"type":"message_pause","until":3}')
    assert isinstance(unknown, ms.UnknownMessageStreamEvent)
    assert unknown.to_dict() == {"type": "message_pause", "until": 3}
    delta = events.validate_json(
        '{"type":"content_block_delta","index":0,"delta":{"type":"hologram_delta","f":1}}'
    )
    assert isinstance(delta, ms.ContentBlockDeltaEvent)
    assert isinstance(delta.delta, ms.UnknownContentBlockDelta)
    assert delta.to_dict()["delta"] == {"type": "hologram_delta", "f": 1}


def test_explicit_null_and_absent_fields_stay_distinct() -> None:
    with_null = ms.ChatResponse.from_json(
        '{"id":"m","model":"x","content":[],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1},"stop_sequence":null}'
    )
    assert with_null.to_dict()["stop_sequence"] is None
    without = ms.ChatResponse.from_json(
        '{"id":"m","model":"x","content":[],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}'
    )
    assert "stop_sequence" not in without.to_dict()


# --- sessions (quantum_sdk) -----------------------------------------------------------------


def test_session_request_and_context_defaults() -> None:
    req = ss.SessionChatRequest(
        message="hi", context_config=ss.ContextConfig(max_tokens=8000, auto_compact=True)
    )
    assert req.to_dict() == {
        "message": "hi",
        "context_config": {"max_tokens": 8000, "auto_compact": True},
    }
    ctx = ss.SessionContext.from_json('{"turn_count": 2, "estimated_tokens": 40}')
    assert ctx.compacted is False and ctx.compaction_note is None
    assert ctx.to_dict() == {"turn_count": 2, "estimated_tokens": 40}


def test_typing_file_runs() -> None:
    """tests/typing/public_api.py is checked by mypy and pyright; here it also has to run."""
    import runpy
    from pathlib import Path

    module = runpy.run_path(str(Path(__file__).parents[1] / "typing" / "public_api.py"))
    assert module["chat_completions"]() == "hi"
    first_text, first_thinking, tool_uses, has_tool_use = module["messages"]()
    assert (first_text, first_thinking, tool_uses, has_tool_use) == ("hi", None, [], False)
    assert module["sessions"]() is True


def test_narrowing_file_runs() -> None:
    """tests/typing/narrowing.py type-checks; here its idioms also give the right answers."""
    import runpy
    from pathlib import Path

    module = runpy.run_path(str(Path(__file__).parents[1] / "typing" / "narrowing.py"))
    response = ms.ChatResponse.from_dict(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [
                {"type": "text", "text": "hi"},
                {"type": "tool_use", "id": "t", "name": "f", "input": {"a": 1}},
                {"type": "hologram", "frames": [1]},
            ],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 2},
        }
    )
    assert module["texts"](response) == ["hi", "f({'a': 1})", "<hologram>"]
    assert [module["describe"](b) for b in response.content] == ["hi", "f", "other"]
    assert module["unknown_payload"](response.content[2]) == [1]
    assert module["unknown_payload"](response.content[0]) is None
    assert module["every_member_serialises"](response.content[2]) == {
        "type": "hologram",
        "frames": [1],
    }


def test_params_file_runs() -> None:
    """tests/typing/params.py type-checks; here its requests also validate and send as written."""
    import runpy
    from pathlib import Path

    module = runpy.run_path(str(Path(__file__).parents[1] / "typing" / "params.py"))
    chat = module["chat_request"]()
    assert [m["role"] for m in chat["messages"]] == ["system", "user", "user"]
    assert chat["messages"][1]["content"] == [{"type": "text", "text": "hi"}]
    sent = module["messages_request"]()
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert sent["tool_choice"] == {"type": "auto"}
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]
    assert ms.ChatRequest.model_validate(module["as_param"]()).max_tokens == 16


def test_repr_shows_the_settings_a_value_carries_for_its_request() -> None:
    adaptive = ms.ThinkingConfig.adaptive(effort="high")
    assert repr(adaptive) == (
        "ThinkingConfigAdaptive(type='adaptive') + request {'output_config': {'effort': 'high'}}"
    )
    assert repr(ms.ThinkingConfig.adaptive()) == "ThinkingConfigAdaptive(type='adaptive')"


def test_session_reply_has_first_text() -> None:
    reply = ss.ChatResponse.from_dict(
        {
            "id": "r",
            "model": "m",
            "content": [{"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "hey"}],
        }
    )
    assert reply.first_text() == "hey"
    assert ss.ChatResponse.from_dict({"id": "r", "model": "m", "content": []}).first_text() is None


def test_generated_docstrings_speak_of_the_api_only() -> None:
    """No docstring tells how a type was derived ("inferred", "the seed …"): users read them."""
    import ast
    from pathlib import Path

    import chatsdk

    found = []
    for path in sorted(Path(chatsdk.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.lower()
                if "inferred" in text or "the seed" in text or "seed references" in text:
                    found.append(f"{path.name}:{node.lineno}: {node.value[:80]}")
    assert found == []
