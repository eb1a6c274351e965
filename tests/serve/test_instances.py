"""The instances the server answers structured requests with: minimal, deterministic, valid
under jsonschema (and under the pydantic model the schema came from); the invalid one fails
at the place it says."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from jsonschema import Draft202012Validator

from chatsdk._structured import strict_schema
from generator.serve.instances import InstanceError, instance, invalid_instance


class Item(pydantic.BaseModel):
    product_name: str
    price: float
    quantity: int


class Receipt(pydantic.BaseModel):
    items: list[Item]
    total: float
    note: str | None = None


class Node(pydantic.BaseModel):
    name: str
    children: list[Node]
    parent: Node | None = None


class Flags(pydantic.BaseModel):
    enabled: bool
    level: int


SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    {"type": "array", "items": {"type": "integer", "minimum": 3}, "minItems": 2},
    {"type": "string", "minLength": 3, "maxLength": 5, "format": "email-ish"},
    {"type": "number", "exclusiveMinimum": 1.5},
    {"type": "integer", "multipleOf": 5, "minimum": 7},
    {"enum": ["a", "b"]},
    {"allOf": [{"properties": {"a": {"type": "string"}}, "required": ["a"]}, {"required": ["b"]}]},
    {"oneOf": [{"type": "string", "maxLength": 0}, {"type": "integer"}]},
    {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}},
     "required": ["when"]},
]  # fmt: skip


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: str(s)[:40])
def test_the_instance_is_valid_and_always_the_same(schema: dict[str, Any]) -> None:
    value = instance(schema)
    assert Draft202012Validator(schema).is_valid(value)
    assert instance(schema) == value


@pytest.mark.parametrize("model", [Receipt, Node, Flags])
def test_a_model_schema_gets_an_instance_the_model_accepts(model: type[pydantic.BaseModel]) -> None:
    schema = strict_schema(model.model_json_schema())
    value = instance(schema)
    assert Draft202012Validator(schema).is_valid(value)
    model.model_validate(value)


def test_the_instance_is_minimal() -> None:
    schema = strict_schema(Receipt.model_json_schema())
    assert instance(schema) == {"items": [], "total": 0, "note": None}
    tool = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "default": "c"}},
        "required": ["city"],
    }
    assert instance(tool) == {"city": "city"}
    assert instance({"type": "string", "examples": ["Paris"]}) == "Paris"


@pytest.mark.parametrize("model", [Receipt, Node, Flags])
def test_the_invalid_instance_fails_where_it_says(model: type[pydantic.BaseModel]) -> None:
    schema = strict_schema(model.model_json_schema())
    value, pointer = invalid_instance(schema)
    first = next(iter(model.model_fields))
    assert pointer == f"/{first}"
    errors = list(Draft202012Validator(schema).iter_errors(value))
    assert errors and {"/" + "/".join(map(str, e.absolute_path)) for e in errors} == {pointer}
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(value)
    assert [e["loc"] for e in caught.value.errors()] == [(first,)]


def test_a_schema_that_is_no_object_is_broken_as_a_whole() -> None:
    value, pointer = invalid_instance({"type": "string"})
    assert pointer == "" and not Draft202012Validator({"type": "string"}).is_valid(value)


def test_schemas_that_cannot_be_answered_are_refused_with_the_reason() -> None:
    with pytest.raises(InstanceError, match="does not match"):
        instance({"type": "string", "pattern": "^[0-9]+$"})
    with pytest.raises(InstanceError, match="accepts any value"):
        invalid_instance({})
    endless = {"$defs": {"N": {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}},
                               "required": ["n"]}}, "$ref": "#/$defs/N"}  # fmt: skip
    with pytest.raises(InstanceError, match="without end"):
        instance(endless)


NODE = {"$ref": "#/$defs/N"}


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "array", "minItems": "many"}, "not valid at /minItems"),
        ({"type": "object", "properties": [1, 2]}, "not valid at /properties"),
        ({"type": "number", "minimum": "low"}, "not valid at /minimum"),
        ({"$ref": "#/$defs/Nowhere"}, "does not resolve"),
        ({"type": "array", "items": {"type": "string"}, "minItems": 10**9}, "minItems of"),
        ({"type": "string", "minLength": 10**10}, "minLength of"),
        # small to send, a million values to make: 1000 arrays of 1000
        (
            {"type": "array", "minItems": 1000, "items": {"type": "array", "minItems": 1000}},
            "within 10000 steps",
        ),
        # every failing branch tried again under each of two required properties
        (
            {
                "$defs": {
                    "N": {
                        "anyOf": [
                            {"type": "object", "required": ["a", "b"],
                             "properties": {"a": NODE, "b": NODE}},
                            {"type": "string", "pattern": "^x$"},
                        ]
                    }
                },
                **NODE,
            },
            "without end|within 10000 steps",
        ),
    ],
)  # fmt: skip
def test_a_hostile_or_broken_schema_is_refused_quickly(schema: dict[str, Any], reason: str) -> None:
    """A request's schema is untrusted: a broken one gets its pointer and an expensive one a
    bound, both as the 400 the server answers, never a crash or a hang."""
    with pytest.raises(InstanceError, match=reason):
        instance(schema)
    with pytest.raises(InstanceError, match=reason):
        invalid_instance(schema)
