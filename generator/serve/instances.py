"""Instances of a JSON Schema the server answers with: a valid one, and an invalid one that
fails at a known place.

Written small rather than taken from a library on purpose: the generators that exist
(``hypothesis-jsonschema``, ``jsf`` and other Faker-based ones) draw random values, so the
same request would get a different answer each time and a test could not say what the
answer is. Here the instance is the *minimal* one, deterministic and readable: an object
holds its required properties only, an array its ``minItems`` items, a value its schema's
own ``const``, first ``enum`` value, first ``examples`` value or ``default`` when it has one,
else the least value of its type (a string is the property's name, padded or cut to the
length limits; a number the ``minimum``, or 0). Of ``anyOf``/``oneOf`` a ``null`` branch is
taken first (so an optional field of a strict schema is ``null``, and a recursive schema
ends), else the first branch that gives a valid value. Every instance is checked with ``jsonschema``
before it is used: a schema this cannot satisfy (a ``pattern``, say) is refused with
:class:`InstanceError` rather than answered wrongly. The schema is the request's, so it is
untrusted: it is checked against the 2020-12 meta-schema first (a broken one is refused with
the pointer of its mistake), and an instance may take at most ``_STEPS`` values made or
checked and ``_SIZE`` items or characters per array or string, so a small schema cannot make
the server build a million values or try failing branches without end.

The invalid instance is the valid one with its first property (the first required one, in
the schema's order) given a value of the wrong type, or, for a schema that is no object with
properties, the whole value replaced; :func:`invalid_instance` says where it fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from generator.core.errors import join_pointer

__all__ = ["InstanceError", "instance", "invalid_instance"]

_DEPTH = 32
# A request's schema is untrusted: what one instance may cost. Branches are tried in turn, so
# nested anyOf of failing branches would otherwise take exponential time; a minItems or
# minLength of a billion would take all the memory.
_STEPS = 10_000  # values made and checked (tried branches included)
_SIZE = 1_000  # items of an array, characters of a string
_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
# Wrong values tried in turn: a string no validator reads as a number or a boolean, then a
# number (for a property that is a string). The first one the schema rejects is used.
_WRONG: tuple[Any, ...] = ("<not valid here>", 12345, None, [], {})


class InstanceError(LookupError):
    """No instance of the requested schema could be made (the server answers 400)."""


class _Maker:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            where = join_pointer("", *exc.absolute_path) or "/"
            message = f"the requested schema is not valid at {where}: {exc.message}"
            raise InstanceError(message) from None
        self.schema = dict(schema)
        self.steps = 0
        resource = Resource.from_contents(self.schema, default_specification=DRAFT202012)
        # References are resolved against the schema itself (``#/$defs/...``), as sent.
        self.resolver = Registry().resolver_with_root(resource)
        self.validator = Draft202012Validator(self.schema)

    def step(self) -> None:
        self.steps += 1
        if self.steps > _STEPS:
            raise InstanceError(
                f"cannot make an instance of the requested schema within {_STEPS} steps"
            )

    def valid(self, schema: Any, value: Any) -> bool:
        self.step()
        return bool(self.validator.evolve(schema=schema).is_valid(value))

    def resolve(self, schema: Any) -> dict[str, Any]:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 32:
            try:
                resolved = self.resolver.lookup(schema["$ref"]).contents
            except Unresolvable as exc:
                raise InstanceError(
                    f"the requested schema's $ref does not resolve: {exc}"
                ) from None
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**resolved, **rest} if rest else resolved
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def make(self, raw: Any, name: str, depth: int) -> Any:
        if depth > _DEPTH:
            raise InstanceError(
                "cannot make an instance of the requested schema: it nests without end"
            )
        self.step()
        schema = self.resolve(raw)
        if raw is True or not schema:
            return None
        for key in ("const",):
            if key in schema:
                return schema[key]
        for key in ("enum", "examples"):
            values = schema.get(key)
            if isinstance(values, list) and values and self.valid(schema, values[0]):
                return values[0]
        if "default" in schema and self.valid(schema, schema["default"]):
            return schema["default"]
        if "allOf" in schema:
            merged = _merge([self.resolve(s) for s in schema["allOf"]])
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.make(_merge([rest, merged]), name, depth)
        branches = schema.get("anyOf") or schema.get("oneOf")
        if isinstance(branches, list) and branches:
            return self._branch(schema, branches, name, depth)
        return self._typed(schema, _kind(schema), name, depth)

    def _branch(self, schema: dict[str, Any], branches: list[Any], name: str, depth: int) -> Any:
        ordered = sorted(branches, key=lambda b: not _is_null(self.resolve(b)))
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        for branch in ordered:
            value = self.make(_merge([rest, self.resolve(branch)]) if rest else branch, name, depth)
            if self.valid(schema, value):
                return value
        return self.make(ordered[0], name, depth)

    def _typed(self, schema: dict[str, Any], kind: str, name: str, depth: int) -> Any:
        if kind == "object":
            props = schema.get("properties") or {}
            required = [k for k in schema.get("required") or [] if isinstance(k, str)]
            return {key: self.make(props.get(key, True), key, depth + 1) for key in required}
        if kind == "array":
            count = _bounded(schema, "minItems")
            prefix = list(schema.get("prefixItems") or [])
            items = [self.make(s, name, depth + 1) for s in prefix[:count]]
            rest = schema.get("items", True)
            items += [self.make(rest, name, depth + 1) for _ in range(count - len(items))]
            return items
        if kind == "string":
            return _string(schema, name)
        if kind in ("number", "integer"):
            return _number(schema, kind)
        if kind == "boolean":
            return False
        return None


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"] or kind
        kind = kinds[0] if kinds else None
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "null"


def _is_null(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "null" or schema.get("const", 0) is None


def _merge(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """``allOf`` taken as one schema: properties and required lists joined, the rest laid over."""
    out: dict[str, Any] = {}
    for schema in schemas:
        for key, value in schema.items():
            if key == "properties":
                out["properties"] = {**out.get("properties", {}), **value}
            elif key == "required":
                out["required"] = list(dict.fromkeys([*out.get("required", []), *value]))
            else:
                out[key] = value
    return out


def _bounded(schema: Mapping[str, Any], key: str) -> int:
    """A lower bound of a size (the meta-schema has checked it is a whole number)."""
    value = int(schema.get(key, 0))
    if value > _SIZE:
        raise InstanceError(f"the requested schema's {key} of {value} is over {_SIZE}")
    return value


def _string(schema: Mapping[str, Any], name: str) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[str(schema["format"])]
    text = name or "text"
    low, high = _bounded(schema, "minLength"), schema.get("maxLength")
    text = text.ljust(low, "x")
    return text[: int(high)] if high is not None else text


def _number(schema: Mapping[str, Any], kind: str) -> int | float:
    value: float = 0
    if "minimum" in schema:
        value = schema["minimum"]
    elif "exclusiveMinimum" in schema:
        value = schema["exclusiveMinimum"] + 1
    elif "exclusiveMaximum" in schema and schema["exclusiveMaximum"] <= 0:
        value = schema["exclusiveMaximum"] - 1
    elif "maximum" in schema and schema["maximum"] < 0:
        value = schema["maximum"]
    step = schema.get("multipleOf")
    if step:
        value = -(-value // step) * step
    if kind == "integer" or float(value).is_integer():
        return int(value)
    return value


def _violation(maker: _Maker, value: Any) -> str | None:
    errors = sorted(maker.validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    first = errors[0]
    return f"{join_pointer('', *first.absolute_path) or '/'}: {first.message}"


def instance(schema: Mapping[str, Any]) -> Any:
    """The minimal instance of ``schema``; :class:`InstanceError` when none could be made."""
    maker = _Maker(schema)
    value = maker.make(maker.schema, "", 0)
    problem = _violation(maker, value)
    if problem is not None:
        raise InstanceError(f"cannot make an instance of the requested schema ({problem})")
    return value


def invalid_instance(schema: Mapping[str, Any]) -> tuple[Any, str]:
    """An instance that fails ``schema``, and the JSON pointer where it fails (``""`` for the
    whole value): the first property given a value of the wrong type."""
    maker = _Maker(schema)
    value = instance(schema)
    if isinstance(value, dict) and value:
        key = next(iter(value))
        for wrong in _WRONG:
            broken = {**value, key: wrong}
            if _fails_at(maker, broken, (key,)):
                return broken, join_pointer("", key)
    for wrong in _WRONG:
        if _fails_at(maker, wrong, ()):
            return wrong, ""
    raise InstanceError("the requested schema accepts any value: no invalid instance to give")


def _fails_at(maker: _Maker, value: Any, path: tuple[str, ...]) -> bool:
    errors = list(maker.validator.iter_errors(value))
    return bool(errors) and all(tuple(e.absolute_path) == path for e in errors)
