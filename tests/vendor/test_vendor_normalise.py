"""What the vendor front end does to each idiom of published OpenAPI documents.

Each test writes a small document in the style of a vendor's, builds the IR from it
(generator/vendor/normalise.py, then the core's builder with the vendor operations step), and
checks the classes, names and type hints that come out. docs/vendor-specs.md lists the same
rewrites.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.core import ir
from generator.core.build import Builder
from generator.core.client_view import ClientView
from generator.core.errors import SchemaErrors
from generator.vendor.build import build_package, load_vendor
from generator.vendor.operations import vendor_operations
from generator.vendor.read import pep440


def document(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.0",
        "info": {"title": "Test API", "version": "2024-10-21"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def build(tmp_path: Path, doc: dict[str, Any]) -> ir.Package:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return build_package(path, "testpkg")


def classes(package: ir.Package) -> dict[str, Any]:
    (module,) = package.modules
    out: dict[str, Any] = {}
    for kind in (module.models, module.enums, module.unions, module.aliases):
        for node in kind:
            out[node.name] = node
    return out


def fields(package: ir.Package, name: str) -> dict[str, ir.Field]:
    model = classes(package)[name]
    return {f.wire_name: f for f in model.fields}


def post(request: str, response: str) -> dict[str, Any]:
    """A path item whose POST sends ``request`` and answers ``response``."""
    media = "application/json"
    return {
        "post": {
            "operationId": "create",
            "requestBody": {
                "content": {media: {"schema": {"$ref": f"#/components/schemas/{request}"}}}
            },
            "responses": {
                "200": {
                    "content": {media: {"schema": {"$ref": f"#/components/schemas/{response}"}}}
                }
            },
        }
    }


def test_nullable_becomes_a_type_list_or_an_optional_reference(tmp_path: Path) -> None:
    doc = document(
        {
            "Thing": {
                "type": "object",
                "required": ["name", "child", "color"],
                "properties": {
                    "name": {"type": "string", "nullable": True},
                    "child": {"$ref": "#/components/schemas/Child", "nullable": True},
                    "color": {"type": "string", "enum": ["red", "blue"], "nullable": True},
                    "nested": {"$ref": "#/components/schemas/MaybeChild"},
                },
            },
            "Child": {"type": "object", "properties": {"id": {"type": "string"}}},
            "MaybeChild": {
                "nullable": True,
                "type": "object",
                "properties": {"id": {"type": "string"}},
            },
        },
        {"/things": post("Thing", "Thing")},
    )
    thing = fields(build(tmp_path, doc), "Thing")
    assert thing["name"].type_hint == "str | None"
    assert thing["child"].type_hint == "Child | None"
    assert thing["color"].type_hint == "Literal['red', 'blue'] | str | None"
    # a nullable named object stays one class; the reference admits null
    assert thing["nested"].type_hint == "MaybeChild | None"


def test_recursive_ref_unixtime_and_ref_siblings(tmp_path: Path) -> None:
    doc = document(
        {
            "Filter": {
                "type": "object",
                "properties": {
                    "filters": {"type": "array", "items": {"$recursiveRef": "#"}},
                    "created_at": {"type": "integer", "format": "unixtime"},
                    "other": {
                        "$ref": "#/components/schemas/Other",
                        "description": "Kept: an annotation.",
                        "type": "object",
                    },
                },
            },
            "Other": {"type": "object", "properties": {"x": {"type": "number"}}},
        }
    )
    filter_ = fields(build(tmp_path, doc), "Filter")
    assert filter_["filters"].type_hint == "list[Filter] | None"
    assert filter_["created_at"].type_hint == "int | None"
    assert filter_["other"].type_hint == "Other | None"
    assert filter_["other"].description == "Kept: an annotation."


def test_all_of_merges_objects_and_keeps_a_lone_reference(tmp_path: Path) -> None:
    doc = document(
        {
            "Base": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}},
            },
            "Child": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "required": ["size"],
                        "properties": {"size": {"type": "integer"}},
                    },
                ]
            },
            "Holder": {
                "type": "object",
                "properties": {"base": {"allOf": [{"$ref": "#/components/schemas/Base"}]}},
            },
        },
        {"/children": post("Child", "Holder")},
    )
    package = build(tmp_path, doc)
    child = fields(package, "Child")
    assert list(child) == ["id", "size"]
    assert child["id"].default_repr is None and child["size"].default_repr is None
    assert fields(package, "Holder")["base"].type_hint == "Base | None"


def test_discriminator_without_mapping_tags_each_enum_value(tmp_path: Path) -> None:
    doc = document(
        {
            "Event": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Started"},
                    {"$ref": "#/components/schemas/Finished"},
                ],
                "discriminator": {"propertyName": "type"},
            },
            "Started": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["started"]}},
            },
            "Finished": {
                "type": "object",
                "properties": {"type": {"type": "string", "enum": ["done", "failed"]}},
            },
            "Log": {
                "type": "object",
                "properties": {
                    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}
                },
            },
        },
        {"/logs": post("Log", "Log")},
    )
    union = classes(build(tmp_path, doc))["Event"]
    assert [(v.tag, v.class_name) for v in union.variants] == [
        ("done", "Finished"),
        ("failed", "Finished"),
        ("started", "Started"),
    ]


def test_inline_unions_and_objects_are_named_after_their_place(tmp_path: Path) -> None:
    doc = document(
        {
            "Message": {
                "type": "object",
                "properties": {
                    "content": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "type": {"type": "string", "enum": ["text"]},
                                        "text": {"type": "string"},
                                    },
                                },
                                {"$ref": "#/components/schemas/Image"},
                            ],
                            "discriminator": {"propertyName": "type"},
                        },
                    },
                    "usage": {
                        "type": "object",
                        "properties": {"tokens": {"type": "integer"}},
                    },
                },
            },
            "Image": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["image"]}},
            },
        },
        {"/messages": post("Message", "Message")},
    )
    found = classes(build(tmp_path, doc))
    assert {"MessageContent", "MessageContentText", "MessageUsage", "UnknownMessageContent"} <= set(
        found
    )
    assert fields(build(tmp_path, doc), "Message")["content"].type_hint == (
        "list[MessageContent] | None"
    )


def test_a_taken_name_gets_more_of_its_place_never_a_counter(tmp_path: Path) -> None:
    doc = document(
        {
            "Run": {
                "type": "object",
                "properties": {
                    "steps": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"id": {"type": "string"}}},
                    },
                    "limits": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {"max": {"type": "integer"}},
                        },
                    },
                },
            },
            "RunSteps": {"type": "object", "properties": {"count": {"type": "integer"}}},
            "RunLimits": {"type": "object", "properties": {"x": {"type": "integer"}}},
        }
    )
    names = set(classes(build(tmp_path, doc)))
    assert {"RunSteps", "RunStepsItem", "RunLimits"} <= names
    assert not any(name[-1].isdigit() for name in names)


def test_numbered_duplicates_merge_or_take_the_name_of_their_place(tmp_path: Path) -> None:
    doc = document(
        {
            "Phase": {"type": "string", "enum": ["a", "b"], "description": "The phase."},
            "Phase-2": {"type": "string", "enum": ["a", "b"]},
            "Error": {"type": "object", "properties": {"code": {"type": "integer"}}},
            "Error-2": {"type": "object", "properties": {"message": {"type": "string"}}},
            "Video": {
                "type": "object",
                "properties": {
                    "phase": {"$ref": "#/components/schemas/Phase-2"},
                    "error": {"$ref": "#/components/schemas/Error-2"},
                },
            },
        },
        {"/videos": post("Video", "Video")},
    )
    package = build(tmp_path, doc)
    names = set(classes(package))
    assert "Phase2" not in names and "Error2" not in names
    assert {"Phase", "Error", "VideoError"} <= names
    assert fields(package, "Video")["phase"].type_hint == "Phase | None"


def test_lenient_responses_only_on_the_response_side(tmp_path: Path) -> None:
    block = {
        "type": "object",
        "required": ["id", "citations", "caller"],
        "properties": {
            "id": {"type": "string"},
            "citations": {
                "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
            },
            "caller": {"type": "string", "default": "direct"},
        },
    }
    doc = document({"Ask": dict(block), "Answer": dict(block)}, {"/ask": post("Ask", "Answer")})
    package = build(tmp_path, doc)
    answer, ask = fields(package, "Answer"), fields(package, "Ask")
    # the server may leave out a required field that admits null or has a default ...
    assert answer["citations"].default_repr == "None"
    assert answer["caller"].default_repr == "'direct'"
    assert answer["id"].default_repr is None
    # ... but a request keeps every required field required
    assert ask["citations"].default_repr is None
    assert ask["caller"].default_repr is None


def test_defaults_that_do_not_fit_are_dropped_and_enum_defaults_validated(tmp_path: Path) -> None:
    doc = document(
        {
            "Options": {
                "type": "object",
                "properties": {
                    "tags": {"type": "array", "items": {"type": "string"}, "default": ""},
                    "size": {"$ref": "#/components/schemas/Size", "default": "small"},
                },
            },
            "Size": {"type": "string", "enum": ["small", "large"]},
        },
        {"/options": post("Options", "Options")},
    )
    options = fields(build(tmp_path, doc), "Options")
    assert options["tags"].default_repr == "None"
    assert options["size"].declaration == (
        "size: Size = Field(default='small', validate_default=True)"
    )


def test_unresolvable_documents_are_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text('{"swagger": "2.0"}', encoding="utf-8")
    with pytest.raises(SchemaErrors, match="not an OpenAPI document"):
        build_package(path, "testpkg")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.3.0", "2.3.0"),
        ("2024-10-21", "2024.10.21"),
        ("2025-04-01-preview", "2025.4.1+preview"),
        ("", "0.0.0"),
    ],
)
def test_package_versions_follow_pep_440(version: str, expected: str) -> None:
    assert pep440(version) == expected


def test_operations_are_named_after_their_paths(tmp_path: Path) -> None:
    item = {"type": "object", "properties": {"id": {"type": "string"}}}
    json_answer = {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
    }

    def op(op_id: str, **extra: Any) -> dict[str, Any]:
        return {"operationId": op_id, "responses": json_answer, **extra}

    param = [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    doc = document(
        {"Item": item},
        {
            "/v1/items": {"get": op("listItems"), "post": op("createItem")},
            "/v1/items/{item_id}": {
                "get": op("getItem", parameters=param),
                "delete": op("deleteItem", parameters=param),
            },
            "/v1/items/{item_id}/cancel": {"post": op("cancelItem", parameters=param)},
            "/v1/items?beta=true": {"get": op("listBetaItems")},
            "/v1/scopes/{scope_id}/things": {"post": op("makeThing")},
        },
    )
    package = build(tmp_path, doc)
    names = {o.operation_id: f"{o.resource}.{o.method}" for o in package.operations}
    assert names == {
        "listItems": "items.list",
        "createItem": "items.create",
        "getItem": "items.retrieve",
        "deleteItem": "items.delete",
        "cancelItem": "items.cancel",
        "listBetaItems": "beta.items.list",
        "makeThing": "scopes.things.create",
    }
    cancel = next(o for o in package.operations if o.operation_id == "cancelItem")
    assert cancel.spec_expr == "_operations.CANCEL_ITEM.at({'item_id': item_id})"
    assert (cancel.body_encoding, cancel.sends_model, cancel.response_kind) == (
        "none",
        False,
        "json",
    )


def test_a_stream_flag_and_a_stream_schema_make_an_event_stream(tmp_path: Path) -> None:
    doc = document(
        {
            "ChatRequest": {
                "type": "object",
                "required": ["prompt"],
                "properties": {"prompt": {"type": "string"}, "stream": {"type": "boolean"}},
            },
            "ChatResponse": {"type": "object", "properties": {"text": {"type": "string"}}},
            "ChatStreamResponse": {"type": "object", "properties": {"delta": {"type": "string"}}},
        },
        {"/chat": post("ChatRequest", "ChatResponse")},
    )
    (operation,) = build(tmp_path, doc).operations
    assert operation.stream is not None
    assert (operation.stream.item_hint, operation.stream.terminator) == (
        "ChatStreamResponse",
        "[DONE]",
    )
    assert operation.stream.error_property == "error"


def test_the_core_builder_reads_vendor_operations_through_the_step_it_is_given(
    tmp_path: Path,
) -> None:
    thing = {"type": "object", "properties": {"id": {"type": "string"}}}
    answer = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
    doc = document(
        {"Thing": thing},
        {
            "/things/{thing_id}": {
                "get": {
                    "operationId": "retrieveThing",
                    "parameters": [
                        {"name": "thing_id", "in": "path", "required": True, "schema": {}}
                    ],
                    "responses": {"200": answer},
                }
            }
        },
    )
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    given: list[ClientView] = []

    def step(client: ClientView) -> list[ir.Operation]:
        given.append(client)
        return vendor_operations(client)

    builder = Builder(load_vendor(path), package="testpkg", lenient_responses=True, operations=step)
    (operation,) = builder.build().operations
    assert given == [builder.client]
    assert (operation.resource, operation.method) == ("things", "retrieve")
    assert [p.wire_name for p in operation.path_params] == ["thing_id"]
    # Without the step the core reads operations as it reads schemas/: no parameters.
    with pytest.raises(SchemaErrors, match="path, query and header parameters"):
        Builder(load_vendor(path), package="testpkg", lenient_responses=True).build()
