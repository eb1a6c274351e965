"""Real request bodies, as SDKs and frameworks sent them to the OpenAI and Anthropic APIs
(tests/fixtures/real/*/…_requests/), validate as the family's request model and round-trip
exactly; the JSON Schema the reference server checks agrees on every one.

The bodies that stay refused are listed below, each with why: what they carry is not part of
the API the schemas describe, and the request schemas are closed so that a misspelt key is
caught before it is sent. Such fields go out through ``extra_body``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chatsdk import chat_completions, messages
from generator.core.load import read_documents
from generator.serve.operations import Operation, first_violation, read_operations

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "real"
CHAT = FIXTURES / "openai" / "chat_completion_requests"
MESSAGES = FIXTURES / "anthropic" / "message_requests"

SERVER_TOOL = (
    "a server tool definition (`type: web_search_…`, `code_execution_…`, `web_fetch_…`, the"
    " advisor) or its result block: the schemas' `Tool` is a client-side tool (name,"
    " description, input_schema and approval metadata); server tools have another shape the"
    " schemas do not describe"
)
SOURCE_REF = (
    "an image or document `source` by URL or by uploaded file id: `ContentSource` is inline"
    " bytes (media_type and data) only"
)
SYSTEM_ROLE = (
    "a `system` turn inside `messages`: the roles are user and assistant, and the system prompt"
    " is the request's `system`"
)
BETA = (
    "beta features sent with an `anthropic-beta` header (top-level cache_control,"
    " context_management, mcp_servers, container, defer_loading with tool_reference blocks,"
    " output_config.task_budget and .format, thinking.display, effort `xhigh`): not in the"
    " documented Messages API the schema describes"
)
MODERATION = "`moderation` is not a parameter of OpenAI's published chat completions API"
PROMPT_CACHE = (
    "`prompt_cache_options` and a text part's `prompt_cache_breakpoint` are not in OpenAI's"
    " published API (`prompt_cache_key`, which is, validates)"
)

REFUSED: dict[str, tuple[str, ...]] = {
    "test_anthropic__test_anthropic_advisor_tool__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_advisor_tool_message_replay__1.json": (BETA, SERVER_TOOL),
    "test_anthropic__test_anthropic_advisor_tool_redacted__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_advisor_tool_stream__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_cache_count_tokens__1.json": (BETA,),
    "test_anthropic__test_anthropic_cache_real_api__1.json": (BETA,),
    "test_anthropic__test_anthropic_code_execution_tool__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_code_execution_tool__1.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_code_execution_tool_container_reuse__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_code_execution_tool_container_reuse__1.json": (
        BETA,
        SERVER_TOOL,
    ),
    "test_anthropic__test_anthropic_code_execution_tool_stream__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_compaction_round_trip__0.json": (BETA,),
    "test_anthropic__test_anthropic_deferred_capability_tool_callable_without_tool_search__0.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_tool_callable_without_tool_search__1.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_tool_callable_without_tool_search__2.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-fable-5__0.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-fable-5__1.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-fable-5__2.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-haiku-4-5__0.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-haiku-4-5__1.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-haiku-4-5__2.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-opus-5__0.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-opus-5__1.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-opus-5__2.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-sonnet-4-6__1.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-sonnet-4-6__2.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-sonnet-5__0.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-sonnet-5__1.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_deferred_capability_without_tool_search_across_models_claude-sonnet-5__2.json": (
        BETA,
    ),
    "test_anthropic__test_anthropic_explicit_tool_search_keeps_search_surface__0.json": (BETA,),
    "test_anthropic__test_anthropic_explicit_tool_search_keeps_search_surface__1.json": (BETA,),
    "test_anthropic__test_anthropic_explicit_tool_search_keeps_search_surface__2.json": (BETA,),
    "test_anthropic__test_anthropic_fable_5_lazy_advertisement_live__0.json": (BETA, SERVER_TOOL),
    "test_anthropic__test_anthropic_fable_5_lazy_advertisement_live__1.json": (
        BETA,
        SERVER_TOOL,
        SYSTEM_ROLE,
    ),
    "test_anthropic__test_anthropic_fable_5_lazy_advertisement_live__2.json": (
        BETA,
        SERVER_TOOL,
        SYSTEM_ROLE,
    ),
    "test_anthropic__test_anthropic_lazy_advertisement_live__0.json": (BETA, SERVER_TOOL),
    "test_anthropic__test_anthropic_lazy_advertisement_live__1.json": (
        BETA,
        SERVER_TOOL,
        SYSTEM_ROLE,
    ),
    "test_anthropic__test_anthropic_lazy_advertisement_live__2.json": (
        BETA,
        SERVER_TOOL,
        SYSTEM_ROLE,
    ),
    "test_anthropic__test_anthropic_mcp_servers__0.json": (BETA,),
    "test_anthropic__test_anthropic_mcp_servers__1.json": (BETA,),
    "test_anthropic__test_anthropic_mcp_servers_stream__0.json": (BETA,),
    "test_anthropic__test_anthropic_memory_tool__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_memory_tool__1.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_model_web_search_tool_stream__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_native_output_decimal_strict__0.json": (BETA,),
    "test_anthropic__test_anthropic_opus_47_features__0.json": (BETA,),
    "test_anthropic__test_anthropic_opus_48_features__0.json": (BETA,),
    "test_anthropic__test_anthropic_opus_5_features__0.json": (BETA,),
    "test_anthropic__test_anthropic_server_tool_pass_history_to_another_provider__0.json": (
        SERVER_TOOL,
    ),
    "test_anthropic__test_anthropic_server_tool_receive_history_from_another_provider__1.json": (
        SERVER_TOOL,
    ),
    "test_anthropic__test_anthropic_task_budget_adds_output_config_and_beta__0.json": (BETA,),
    "test_anthropic__test_anthropic_task_budget_coexists_with_effort__0.json": (BETA,),
    "test_anthropic__test_anthropic_text_editor_code_execution_tool__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_text_editor_code_execution_tool_stream__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_text_parts_ahead_of_built_in_tool_call__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_text_parts_ahead_of_built_in_tool_call__1.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_text_parts_ahead_of_built_in_tool_call__2.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_text_parts_ahead_of_built_in_tool_call__3.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_web_fetch_tool__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_web_fetch_tool__1.json": (BETA, SERVER_TOOL),
    "test_anthropic__test_anthropic_web_fetch_tool_stream__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_web_search_tool__0.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_web_search_tool__1.json": (SERVER_TOOL,),
    "test_anthropic__test_anthropic_web_search_tool_stream__0.json": (SERVER_TOOL,),
    "test_anthropic__test_document_url_input__0.json": (SOURCE_REF,),
    "test_anthropic__test_image_url_input__0.json": (SOURCE_REF,),
    "test_anthropic__test_image_url_input_invalid_mime_type__0.json": (SOURCE_REF,),
    "test_anthropic__test_pause_turn_web_search_streaming_vcr__0.json": (SERVER_TOOL,),
    "test_anthropic__test_pause_turn_web_search_vcr__0.json": (SERVER_TOOL,),
    "test_anthropic_mid_conversation_system__test_inline_system_prompt_cache_prefix_is_reused__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_leading_cache_point_survives_the_instruction_moving_out_of_the_user_turn__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_mid_conversation_system_prompt_anchor_keeps_tool_pair_intact__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_mid_conversation_system_prompt_before_another_request__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_mid_conversation_system_prompt_inline-system-supported__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_mid_conversation_system_prompt_kept_mid_history__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_mid_conversation_system_prompt_takes_cache_breakpoint__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_mid_conversation_system_prompt_without_user_turn__0.json": (
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_native_tool_availability_delta__0.json": (
        BETA,
        SERVER_TOOL,
        SYSTEM_ROLE,
    ),
    "test_anthropic_mid_conversation_system__test_two_mid_conversation_system_prompts_keep_their_order__0.json": (
        SYSTEM_ROLE,
    ),
    "test_google__test_google_model_receive_web_search_history_from_another_provider__0.json": (
        SERVER_TOOL,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_direct-uploaded_file-document-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_direct-uploaded_file-image-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_direct-url-document-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_direct-url-image-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_tool_return_content-uploaded_file-document-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_tool_return_content-uploaded_file-image-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_tool_return_content-url-document-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_multimodal_tool_returns__test_multimodal_tool_return_matrix_tool_return_content-url-image-anthropic__1.json": (
        SOURCE_REF,
    ),
    "test_openai__test_openai_moderation__0.json": (MODERATION,),
    "test_openai__test_openai_moderation_block_policy__0.json": (MODERATION,),
    "test_openai__test_openai_moderation_flagged__0.json": (MODERATION,),
    "test_openai__test_openai_moderation_stream__0.json": (MODERATION,),
    "test_openai_prompt_cache__test_openai_chat_prompt_cache_e2e__0.json": (PROMPT_CACHE,),
}


def _schema_operations() -> dict[str, Operation]:
    spec, errors = read_documents(ROOT / "schemas")
    assert not errors
    return {op.resource: op for op in read_operations(spec)}


OPERATIONS = _schema_operations()

CASES = [
    pytest.param(path, chat_completions.ChatCompletionRequest, "chat.completions", id=path.name)
    for path in sorted(CHAT.glob("*.json"))
] + [
    pytest.param(path, messages.ChatRequest, "messages", id=path.name)
    for path in sorted(MESSAGES.glob("*.json"))
]


def _body(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(("path", "model", "resource"), CASES)
def test_real_request_body(path: Path, model: Any, resource: str) -> None:
    body = _body(path)
    violation = first_violation(OPERATIONS[resource].request, body)
    if path.name in REFUSED:
        with pytest.raises(ValidationError):
            model.from_dict(body)
        assert violation is not None, "the server's schema accepts what the model refuses"
        return
    assert violation is None, violation
    request = model.from_dict(body)
    assert request.to_dict() == body
    assert json.loads(request.to_json()) == body
    assert model.from_json(json.dumps(body)).to_dict() == body


def test_every_refusal_names_a_held_body() -> None:
    held = {path.name for path in [*CHAT.glob("*.json"), *MESSAGES.glob("*.json")]}
    assert set(REFUSED) <= held


def test_the_bodies_cover_the_shapes_clients_send() -> None:
    """The accepted bodies hold the fields that matter for conversations that go round."""
    accepted = [_body(p) for p in sorted(CHAT.glob("*.json")) if p.name not in REFUSED]
    keys = {key for body in accepted for key in body}
    assert {"tools", "tool_choice", "response_format", "stream_options"} <= keys
    assert "max_completion_tokens" in keys  # (no recording sends parallel_tool_calls)
    turns = [m for body in accepted for m in body["messages"]]
    assert any(
        m["role"] == "assistant" and m.get("tool_calls") and m.get("content") is None for m in turns
    )
    assert any(m["role"] == "tool" for m in turns)
    parts = [p for m in turns if isinstance(m.get("content"), list) for p in m["content"]]
    assert {"image_url", "file"} <= {p["type"] for p in parts}
    formats = {body["response_format"]["type"] for body in accepted if "response_format" in body}
    assert "json_schema" in formats

    accepted = [_body(p) for p in sorted(MESSAGES.glob("*.json")) if p.name not in REFUSED]
    assert any(isinstance(body.get("system"), str) for body in accepted)
    # Every recording that sends `system` as text blocks is refused for something else (a
    # server tool, a beta feature); its system prompt alone validates and round-trips.
    held = [_body(p) for p in sorted(MESSAGES.glob("*.json"))]
    block_systems = [body["system"] for body in held if isinstance(body.get("system"), list)]
    assert block_systems
    for system in block_systems:
        alone = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [], "system": system}
        assert messages.ChatRequest.from_dict(alone).to_dict() == alone
    assert any("tools" in body for body in accepted)
    blocks = [
        b
        for body in accepted
        for m in body["messages"]
        if isinstance(m["content"], list)
        for b in m["content"]
    ]
    kinds = {b["type"] for b in blocks}
    assert {"tool_use", "tool_result", "thinking", "image"} <= kinds
    assert any(b["type"] == "thinking" and b.get("signature") for b in blocks)
