"""The schemas in schemas/ are valid, follow the project conventions, and accept real traffic.

Every OpenAPI document must pass openapi-spec-validator; every component (and every
`$defs` entry of the shared JSON Schema files) must carry a description and examples
that validate against it; every recorded real body under tests/fixtures/real must
validate against the schema that describes it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real"

OPENAPI_DOCS = ("chat_completions", "messages", "sessions")
SHARED_DOCS = ("shared/openai_tools",)

# The generator's own list of extensions: one source of truth for what schemas may use.
ALLOWED_SDK_KEYS = set(
    yaml.safe_load((ROOT / "generator" / "core" / "extensions.yaml").read_text(encoding="utf-8"))[
        "extensions"
    ]
)


# ── Loading ──────────────────────────────────────────────────────────────


def _path(name: str) -> Path:
    return SCHEMAS / f"{name}.yaml"


def _load(name: str) -> dict[str, Any]:
    with _path(name).open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    assert isinstance(doc, dict), f"{_path(name)} is not a mapping"
    return doc


DOCS: dict[str, dict[str, Any]] = {name: _load(name) for name in OPENAPI_DOCS + SHARED_DOCS}


def _uri(name: str) -> str:
    return _path(name).as_uri()


def _build_registry() -> Registry:
    """Every schema file, registered under its file URI (and its `$id`, if any).

    Relative references such as `shared/openai_tools.yaml#/$defs/Tool` resolve
    against the referring document's file URI.
    """
    registry: Registry = Registry()
    for name, doc in DOCS.items():
        resource = Resource.from_contents(doc, default_specification=DRAFT202012)
        registry = registry.with_resource(_uri(name), resource)
        if isinstance(doc.get("$id"), str):
            registry = registry.with_resource(doc["$id"], resource)
    return registry.crawl()


REGISTRY = _build_registry()


def _schemas_of(name: str) -> dict[str, Any]:
    doc = DOCS[name]
    schemas = doc["components"]["schemas"] if name in OPENAPI_DOCS else doc["$defs"]
    assert isinstance(schemas, dict)
    return schemas


def _pointer(name: str, component: str) -> str:
    if name in OPENAPI_DOCS:
        return f"{_uri(name)}#/components/schemas/{component}"
    return f"{_uri(name)}#/$defs/{component}"


def validator_for(name: str, component: str) -> Draft202012Validator:
    assert component in _schemas_of(name), f"{name}.yaml has no schema {component}"
    return Draft202012Validator(
        {"$ref": _pointer(name, component)},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(name: str, component: str, instance: Any) -> None:
    errors = list(validator_for(name, component).iter_errors(instance))
    if errors:
        lines = []
        for error in errors[:10]:
            # For a failed oneOf, report the most relevant failure inside it.
            deepest = best_match([error])
            path = "/".join(map(str, deepest.absolute_path))
            lines.append(f"  at /{path}: {deepest.message[:300]}")
        detail = "\n".join(lines)
        pytest.fail(f"instance does not validate against {name}.yaml {component}:\n{detail}")


ALL_COMPONENTS = [(name, comp) for name in DOCS for comp in _schemas_of(name)]


# ── Document validity ────────────────────────────────────────────────────


@pytest.mark.parametrize("name", OPENAPI_DOCS)
def test_openapi_document_is_valid(name: str) -> None:
    assert DOCS[name]["openapi"] == "3.1.0"
    validate_openapi(DOCS[name], base_uri=_uri(name))


@pytest.mark.parametrize("name", SHARED_DOCS)
def test_shared_document_is_valid_json_schema(name: str) -> None:
    doc = DOCS[name]
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == f"https://sdkforge.invalid/schemas/{name}.yaml"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize(
    ("name", "component"), ALL_COMPONENTS, ids=[f"{n}:{c}" for n, c in ALL_COMPONENTS]
)
def test_component_is_valid_json_schema(name: str, component: str) -> None:
    Draft202012Validator.check_schema(_schemas_of(name)[component])


def _walk_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _walk_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_refs(item)


@pytest.mark.parametrize("name", OPENAPI_DOCS + SHARED_DOCS)
def test_every_reference_resolves(name: str) -> None:
    resolver = REGISTRY.resolver(base_uri=_uri(name))
    for ref in _walk_refs(DOCS[name]):
        resolved = resolver.lookup(ref).contents
        assert isinstance(resolved, dict), f"{name}.yaml: {ref} does not point at a schema"


# ── Conventions the generator relies on ──────────────────────────────────


def _sdk_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith("x-sdk"):
                yield key
            yield from _sdk_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _sdk_keys(item)


@pytest.mark.parametrize("name", OPENAPI_DOCS + SHARED_DOCS)
def test_only_known_extensions_are_used(name: str) -> None:
    unknown = set(_sdk_keys(DOCS[name])) - ALLOWED_SDK_KEYS
    assert not unknown, f"{name}.yaml uses unknown extensions {sorted(unknown)}"


def _property_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from schema.get("properties", {}).items()


@pytest.mark.parametrize(
    ("name", "component"), ALL_COMPONENTS, ids=[f"{n}:{c}" for n, c in ALL_COMPONENTS]
)
def test_component_follows_conventions(name: str, component: str) -> None:
    schema = _schemas_of(name)[component]
    where = f"{name}.yaml {component}"
    assert isinstance(schema.get("description"), str) and schema["description"].strip(), (
        f"{where}: no description"
    )
    examples = schema.get("examples")
    assert isinstance(examples, list) and examples, f"{where}: `examples` must be a non-empty list"
    for prop, prop_schema in _property_schemas(schema):
        assert isinstance(prop_schema.get("description"), str), f"{where}.{prop}: no description"
    if "enum" in schema:
        assert schema.get("type") == "string", f"{where}: enums are string enums"
        descriptions = schema.get("x-sdk-enum-descriptions")
        assert isinstance(descriptions, dict), f"{where}: missing x-sdk-enum-descriptions"
        assert list(descriptions) == list(schema["enum"]), (
            f"{where}: enum descriptions must cover every value, in order"
        )
        assert all(isinstance(d, str) and d.strip() for d in descriptions.values())
    if "properties" in schema:
        assert schema.get("type") == "object", f"{where}: objects declare `type: object`"
        for req in schema.get("required", []):
            assert req in schema["properties"], f"{where}: required {req!r} is not a property"
    if "discriminator" in schema:
        _check_tagged_union(name, component, schema)


def _local_component(name: str, ref: str) -> tuple[str, dict[str, Any]]:
    prefix = "#/components/schemas/" if name in OPENAPI_DOCS else "#/$defs/"
    assert ref.startswith(prefix), f"{name}.yaml: union variant {ref} must be a local component"
    variant = ref[len(prefix) :]
    return variant, _schemas_of(name)[variant]


def _check_tagged_union(name: str, component: str, schema: dict[str, Any]) -> None:
    where = f"{name}.yaml {component}"
    disc = schema["discriminator"]
    assert disc["propertyName"] == "type", f"{where}: unions are tagged by `type`"
    refs = [item["$ref"] for item in schema["oneOf"]]
    assert sorted(disc["mapping"].values()) == sorted(refs), f"{where}: mapping and oneOf disagree"
    for tag, ref in disc["mapping"].items():
        variant, variant_schema = _local_component(name, ref)
        assert variant_schema.get("type") == "object", (
            f"{where}: variant {variant} is not an object"
        )
        assert "type" in variant_schema.get("required", []), (
            f"{where}: {variant} must require `type`"
        )
        type_prop = variant_schema["properties"]["type"]
        assert type_prop.get("type") == "string" and type_prop.get("const") == tag, (
            f"{where}: {variant}.type must be the string const {tag!r}"
        )


# ── Examples ─────────────────────────────────────────────────────────────

ALL_EXAMPLES = [
    (name, comp, i, example)
    for name in DOCS
    for comp, schema in _schemas_of(name).items()
    for i, example in enumerate(schema.get("examples", []))
]


@pytest.mark.parametrize(
    ("name", "component", "index", "example"),
    ALL_EXAMPLES,
    ids=[f"{n}:{c}[{i}]" for n, c, i, _ in ALL_EXAMPLES],
)
def test_component_example_validates(name: str, component: str, index: int, example: Any) -> None:
    assert_valid(name, component, example)


# ── Constructors, accessors and constants ────────────────────────────────

_MISSING = object()


def _render(template: Any, args: dict[str, Any]) -> Any:
    """Fill a constructor body template the way generated constructors do."""
    if isinstance(template, dict):
        if "$param" in template:
            value = args[template["$param"]]
            omit_if = template.get("$omit_if", _MISSING)
            if omit_if is not _MISSING and value == omit_if:
                return _MISSING
            return value
        if "$omit_if_null" in template and args[template["$omit_if_null"]] is None:
            return _MISSING
        out = {}
        for key, value in template.items():
            if key == "$omit_if_null":
                continue
            rendered = _render(value, args)
            if rendered is not _MISSING:
                out[key] = rendered
        return out
    if isinstance(template, list):
        return [r for r in (_render(item, args) for item in template) if r is not _MISSING]
    return template


def _sample_args(where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Argument sets to try: defaults and first examples, plus each default swapped for an example."""
    base: dict[str, Any] = {}
    for pname, pschema in params.items():
        assert isinstance(pschema.get("description"), str), f"{where}({pname}): no description"
        if "default" in pschema:
            base[pname] = pschema["default"]
        else:
            assert pschema.get("examples"), (
                f"{where}({pname}): a parameter without default needs examples"
            )
            base[pname] = pschema["examples"][0]
    variants = [base]
    for pname, pschema in params.items():
        if "default" in pschema:
            alt = dict(base)
            alt[pname] = (
                pschema["examples"][0] if pschema.get("examples") else _flip(pschema["default"])
            )
            variants.append(alt)
    return variants


def _flip(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if value is None:
        return "some text"
    if isinstance(value, int):
        return value * 2
    return value


CONSTRUCTORS = [
    (name, comp, ctor, spec)
    for name in DOCS
    for comp, schema in _schemas_of(name).items()
    for ctor, spec in schema.get("x-sdk-constructors", {}).items()
]


@pytest.mark.parametrize(
    ("name", "component", "ctor", "spec"),
    CONSTRUCTORS,
    ids=[f"{n}:{c}.{k}" for n, c, k, _ in CONSTRUCTORS],
)
def test_constructor_bodies_validate(
    name: str, component: str, ctor: str, spec: dict[str, Any]
) -> None:
    where = f"{name}.yaml {component}.{ctor}"
    assert isinstance(spec.get("description"), str), f"{where}: no description"
    for args in _sample_args(where, spec["params"]):
        body = _render(spec["body"], args)
        assert_valid(name, component, body)


def test_constructor_omission_rules() -> None:
    spec = _schemas_of("messages")["Message"]["x-sdk-constructors"]
    plain = _render(
        spec["tool_result"]["body"], {"tool_use_id": "t", "content": "c", "is_error": False}
    )
    assert "is_error" not in plain["content"][0]
    failed = _render(
        spec["tool_result"]["body"], {"tool_use_id": "t", "content": "c", "is_error": True}
    )
    assert failed["content"][0]["is_error"] is True
    args: dict[str, Any] = {"text": None, "id": "t", "name": "n", "input": {}}
    assert [
        b["type"] for b in _render(spec["assistant_with_tool_use"]["body"], args)["content"]
    ] == ["tool_use"]
    args["text"] = "x"
    assert [
        b["type"] for b in _render(spec["assistant_with_tool_use"]["body"], args)["content"]
    ] == [
        "text",
        "tool_use",
    ]


ACCESSORS = [
    (name, comp, acc, spec)
    for name in DOCS
    for comp, schema in _schemas_of(name).items()
    for acc, spec in schema.get("x-sdk-accessors", {}).items()
]


def _union_of_items(name: str, items_schema: dict[str, Any]) -> dict[str, Any]:
    _, union = _local_component(name, items_schema["$ref"])
    assert "discriminator" in union, f"{name}.yaml: accessor items must be a tagged union"
    return union


@pytest.mark.parametrize(
    ("name", "component", "accessor", "spec"),
    ACCESSORS,
    ids=[f"{n}:{c}.{a}" for n, c, a, _ in ACCESSORS],
)
def test_accessor_targets_exist(
    name: str, component: str, accessor: str, spec: dict[str, Any]
) -> None:
    where = f"{name}.yaml {component}.{accessor}"
    schema = _schemas_of(name)[component]
    assert isinstance(spec.get("description"), str), f"{where}: no description"
    kind = spec["kind"]
    assert kind in {"first", "all", "any", "value"}, f"{where}: unknown kind {kind}"
    if kind == "value":
        assert "enum" in schema, f"{where}: `value` accessors belong on enums"
        return
    if "items" in spec:
        prop = schema["properties"][spec["items"]]
        assert prop.get("type") == "array", f"{where}: {spec['items']} is not a list"
        union = _union_of_items(name, prop["items"])
    else:
        # Accessor on an untagged union whose list branch holds the tagged union.
        list_branches = [b for b in schema["oneOf"] if b.get("type") == "array"]
        assert len(list_branches) == 1, f"{where}: needs exactly one list branch"
        union = _union_of_items(name, list_branches[0]["items"])
    mapping = union["discriminator"]["mapping"]
    assert spec["variant"] in mapping, f"{where}: unknown variant {spec['variant']}"
    if kind == "first":
        _, variant = _local_component(name, mapping[spec["variant"]])
        assert spec["field"] in variant["properties"], (
            f"{where}: variant has no field {spec['field']}"
        )


def test_declared_constants_match_schema_defaults() -> None:
    messages = _schemas_of("messages")
    thinking = messages["ThinkingConfig"]["x-sdk-constants"]
    enabled = messages["ThinkingConfigEnabled"]["properties"]["budget_tokens"]
    assert thinking == {"DEFAULT_BUDGET_TOKENS": 10000, "MIN_BUDGET_TOKENS": 1024}
    assert enabled["default"] == thinking["DEFAULT_BUDGET_TOKENS"]
    assert enabled["minimum"] == thinking["MIN_BUDGET_TOKENS"]
    request = messages["ChatRequest"]
    assert request["x-sdk-constants"] == {"DEFAULT_MAX_TOKENS": 4096}
    assert request["properties"]["max_tokens"]["default"] == 4096
    assert request["properties"]["max_tokens"]["x-sdk-send-default"] is True


# ── Operations ───────────────────────────────────────────────────────────

OPERATIONS = {
    "chat_completions": (
        "/v1/chat/completions",
        "chat.completions",
        "create",
        "ChatCompletionChunk",
        {
            "framing": "data-only",
            "terminator": "[DONE]",
            "error-property": "error",
            "accumulate": {
                "into": {"$ref": "#/components/schemas/ChatCompletionResponse"},
                "set": {"object": "chat.completion"},
                "method": "get_final_completion",
            },
        },
    ),
    "messages": (
        "/v1/messages",
        "messages",
        "create",
        "MessageStreamEvent",
        {
            "framing": "named-events",
            "skip": ["ping"],
            "error-event": "error",
            "accumulate": {
                "into": {"$ref": "#/components/schemas/ChatResponse"},
                "method": "get_final_message",
            },
        },
    ),
    "sessions": (
        "/qai/v1/chat/session",
        "sessions",
        "chat",
        "SessionStreamEvent",
        {
            "framing": "named-events",
            "error-event": "error",
            "accumulate": {
                "into": {"$ref": "#/components/schemas/SessionChatResponse"},
                "method": "get_final_response",
            },
        },
    ),
}


@pytest.mark.parametrize("name", OPENAPI_DOCS)
def test_operation_declares_client_mapping_and_streaming(name: str) -> None:
    path, resource, method, stream_schema, stream = OPERATIONS[name]
    op = DOCS[name]["paths"][path]["post"]
    assert op["x-sdk-resource"] == resource
    assert op["x-sdk-method"] == method
    assert op["operationId"] and op["summary"] and op["description"]
    ok = op["responses"]["200"]["content"]
    assert "application/json" in ok
    event_stream = ok["text/event-stream"]
    assert event_stream["schema"]["$ref"] == f"#/components/schemas/{stream_schema}"
    assert event_stream["x-sdk-stream"] == stream
    for status in ("4XX", "5XX"):
        assert op["responses"][status]["content"]["application/json"]["schema"]["$ref"] == (
            "#/components/schemas/ErrorResponse"
        )
    request_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = _schemas_of(name)[request_ref.rsplit("/", 1)[1]]
    assert request["properties"]["stream"]["type"] == "boolean"


# ── Real payloads ────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SseEvent:
    path: Path
    line: int  # 1-based line of the event's first `data:` line
    event: str | None
    data: str


def read_sse(path: Path) -> list[SseEvent]:
    """Split an SSE body into events (field `event`, joined `data` lines)."""
    events: list[SseEvent] = []
    name: str | None = None
    data: list[str] = []
    first_line = 0
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate([*lines, ""], start=1):
        if line == "":
            if data:
                events.append(SseEvent(path, first_line, name, "\n".join(data)))
            name, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            name = value
        elif field == "data":
            if not data:
                first_line = number
            data.append(value)
    return events


def _rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _json_files(sub: str) -> list[Path]:
    files = sorted((FIXTURES / sub).glob("*.json"))
    assert files, f"no fixtures in {sub}"
    return files


def _sse_events(sub: str) -> list[SseEvent]:
    files = sorted((FIXTURES / sub).rglob("*.sse"))
    assert files, f"no fixtures in {sub}"
    return [event for path in files for event in read_sse(path)]


OPENAI_RESPONSES = _json_files("openai/chat_completion_responses")
OPENAI_CHUNKS = [e for e in _sse_events("openai/chat_completion_streams") if e.data != "[DONE]"]
ANTHROPIC_RESPONSES = _json_files("anthropic/message_responses")
ANTHROPIC_EVENTS = _sse_events("anthropic/message_streams")
ANTHROPIC_ERRORS = _json_files("anthropic/error_responses")


def _event_id(event: SseEvent) -> str:
    return f"{_rel(event.path)}:{event.line}"


@pytest.mark.parametrize("path", OPENAI_RESPONSES, ids=_rel)
def test_openai_chat_completion_response(path: Path) -> None:
    assert_valid(
        "chat_completions", "ChatCompletionResponse", json.loads(path.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("event", OPENAI_CHUNKS, ids=_event_id)
def test_openai_chat_completion_chunk(event: SseEvent) -> None:
    assert event.event is None, "chat-completion streams are data-only"
    assert_valid("chat_completions", "ChatCompletionChunk", json.loads(event.data))


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "openai/chat_completion_streams").glob("*.sse")), ids=_rel
)
def test_openai_stream_ends_with_terminator(path: Path) -> None:
    events = read_sse(path)
    assert events and events[-1].data == "[DONE]"
    assert all(e.data != "[DONE]" for e in events[:-1])


@pytest.mark.parametrize("path", ANTHROPIC_RESPONSES, ids=_rel)
def test_anthropic_message_response(path: Path) -> None:
    assert_valid("messages", "ChatResponse", json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("event", ANTHROPIC_EVENTS, ids=_event_id)
def test_anthropic_stream_event(event: SseEvent) -> None:
    payload = json.loads(event.data)
    assert event.event == payload.get("type"), "SSE event name must equal the payload type"
    assert_valid("messages", "MessageStreamEvent", payload)


@pytest.mark.parametrize("path", ANTHROPIC_ERRORS, ids=_rel)
def test_anthropic_error_response(path: Path) -> None:
    assert_valid("messages", "ErrorResponse", json.loads(path.read_text(encoding="utf-8")))


# ── The schemas reject what they should ──────────────────────────────────


def _fixture_json(rel: str) -> Any:
    return json.loads((FIXTURES / rel).read_text(encoding="utf-8"))


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    out = copy.deepcopy(body)
    del out[key]
    return out


NEGATIVE_CASES = [
    (
        "chat_completions",
        "ChatCompletionResponse",
        "missing-choices",
        _without(
            _fixture_json("openai/chat_completion_responses/test_parse_nothing.json"), "choices"
        ),
    ),
    (
        "chat_completions",
        "ChatCompletionRequest",
        "unknown-field",
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temprature": 0.5},
    ),
    (
        "chat_completions",
        "ChatCompletionRequest",
        "temperature-out-of-range",
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 2.5},
    ),
    (
        "chat_completions",
        "ChatMessage",
        "tool-message-without-call-id",
        {"role": "tool", "content": "42"},
    ),
    ("chat_completions", "ContentPart", "unknown-part", {"type": "audio", "audio": {}}),
    (
        "messages",
        "ChatResponse",
        "missing-usage",
        _without(
            _fixture_json(
                "anthropic/message_responses/test_messages__TestSyncParse__bd7029d5_0.json"
            ),
            "usage",
        ),
    ),
    (
        "messages",
        "MessageStreamEvent",
        "delta-without-index",
        {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "x"}},
    ),
    (
        "messages",
        "ThinkingConfig",
        "budget-below-minimum",
        {"type": "enabled", "budget_tokens": 512},
    ),
    (
        "messages",
        "ChatRequest",
        "max-tokens-zero",
        {
            "model": "m",
            "system": "s",
            "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 0,
        },
    ),
    (
        "messages",
        "ErrorResponse",
        "error-without-message",
        {"type": "error", "error": {"type": "api_error"}},
    ),
    ("sessions", "SessionChatRequest", "missing-message", {"session_id": "s"}),
    (
        "sessions",
        "SessionStreamEvent",
        "end-without-context",
        {
            "type": "session_end",
            "session_id": "s",
            "response": {"id": "r", "model": "m", "content": []},
        },
    ),
]


@pytest.mark.parametrize(
    ("name", "component", "label", "instance"),
    NEGATIVE_CASES,
    ids=[f"{n}:{c}:{label}" for n, c, label, _ in NEGATIVE_CASES],
)
def test_schema_rejects_invalid_instance(
    name: str, component: str, label: str, instance: Any
) -> None:
    assert not validator_for(name, component).is_valid(instance), f"{component} accepted {label}"
