"""What a schema admits, read for making cases: its JSON types, bounds and properties.

:class:`Shapes` follows ``$ref``s and ``allOf`` through the builder's view of the schemas and
gives a :class:`Shape`; the helpers say which values fall outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.core.index import Key
from generator.core.load import Document, lookup

if TYPE_CHECKING:
    from generator.core.build import Builder
    from generator.core.index import Named

_JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")

# For each JSON type, wrong values in the order tried: the ones a lax parser would coerce
# ("1" for a number, "true" for a boolean) first, so each case probes a real temptation.
_PROBES: dict[str, tuple[Any, ...]] = {
    "integer": ("1", True),
    "number": ("1", True),
    "boolean": ("true", 1),
    "string": (1, True),
    "object": ([], "x"),
    "array": ({}, "x"),
    "null": (0, "x"),
}

_BOUNDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "multipleOf",
)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def with_article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def admits(types: frozenset[str] | None, value: Any) -> bool:
    """Whether a value of ``value``'s JSON type is one of ``types`` (None: any type)."""
    if types is None:
        return True
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


@dataclass
class Shape:
    """What a property's schema lets its value be, as far as mutations care."""

    types: frozenset[str] | None = None  # JSON types; None: any
    enum: Named | None = None  # a named enum the value (or each item) is
    union: Named | None = None  # a named tagged union the value (or each item) is
    inline_enum: tuple[Any, ...] | None = None
    const: tuple[Any] | None = None  # (value,) when the schema is a const
    in_array: bool = False  # enum/union: the value is an array of them
    # (keyword, limit, where): where is "" (the value), "items" or "values" (of a map)
    bounds: list[tuple[str, Any, str]] = field(default_factory=list)
    item_types: frozenset[str] | None = None  # types of the bounded items or map values


class Shapes:
    """Shapes of the schemas one builder classified."""

    def __init__(self, builder: Builder) -> None:
        self.b = builder

    def named_at(self, doc: Document, ref: str) -> tuple[Document, str, Named | None]:
        target_doc, pointer = self.b.spec.resolve_ref(doc, ref)
        return target_doc, pointer, self.b.named.get(Key(target_doc.path, pointer))

    def shape(self, doc: Document, schema: Any, depth: int = 0) -> Shape:
        if not isinstance(schema, dict) or not schema or depth > 20:
            return Shape()
        if "$ref" in schema:
            target_doc, pointer, named = self.named_at(doc, schema["$ref"])
            if named is not None and named.kind == "enum":
                values = tuple(named.schema["enum"])
                return Shape(types=frozenset(json_type(v) for v in values), enum=named)
            if named is not None and named.kind == "union":
                return Shape(types=frozenset({"object"}), union=named)
            if named is not None and named.kind == "model":
                return Shape(types=frozenset({"object"}))
            return self.shape(target_doc, lookup(target_doc.data, pointer), depth + 1)
        if "const" in schema:
            return Shape(types=frozenset({json_type(schema["const"])}), const=(schema["const"],))
        if isinstance(schema.get("enum"), list):
            values = tuple(schema["enum"])
            return Shape(types=frozenset(json_type(v) for v in values), inline_enum=values)
        for combinator in ("anyOf", "oneOf"):
            if isinstance(schema.get(combinator), list):
                return self.merge([self.shape(doc, s, depth + 1) for s in schema[combinator]])
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self.shape(doc, schema["allOf"][0], depth + 1)
        types = schema.get("type")
        if types is None:
            types = "object" if "properties" in schema else "array" if "items" in schema else None
        if types is None:
            return Shape()
        kinds = frozenset([types] if isinstance(types, str) else types)
        out = Shape(types=kinds)
        out.bounds = [(k, schema[k], "") for k in _BOUNDS if k in schema]
        if "array" in kinds and isinstance(schema.get("items"), dict):
            item = self.shape(doc, schema["items"], depth + 1)
            if item.enum is not None or item.union is not None:
                out.enum, out.union, out.in_array = item.enum, item.union, True
            for keyword, limit, where in item.bounds:
                if not where:
                    out.bounds.append((keyword, limit, "items"))
                    out.item_types = item.types
        extra = schema.get("additionalProperties")
        if "object" in kinds and isinstance(extra, dict):
            value = self.shape(doc, extra, depth + 1)
            for keyword, limit, where in value.bounds:
                if not where:
                    out.bounds.append((keyword, limit, "values"))
                    out.item_types = value.types
        return out

    @staticmethod
    def merge(shapes: list[Shape]) -> Shape:
        out = Shape(types=frozenset())
        for s in shapes:
            out.types = None if out.types is None or s.types is None else out.types | s.types
            out.enum = out.enum or s.enum
            out.union = out.union or s.union
            out.in_array = out.in_array or s.in_array
            out.bounds += s.bounds
            out.item_types = out.item_types or s.item_types
        return out

    # --- values outside a shape ----------------------------------------------------------

    @staticmethod
    def wrong_types(types: frozenset[str] | None) -> list[Any]:
        """A value of a JSON type ``types`` does not allow, plus a fraction for integers."""
        if types is None:
            return []
        primary = next((t for t in _JSON_TYPES if t in types and t != "null"), "null")
        out = [next((v for v in _PROBES[primary] if not admits(types, v)), None)]
        if "integer" in types and "number" not in types:
            out.append(1.5)
        return [v for v in out if v is not None]

    @staticmethod
    def outside(keyword: str, limit: Any, types: frozenset[str] | None) -> Any:
        """A value just outside ``keyword: limit``; None when there is no simple one."""
        whole = types is not None and "number" not in types
        step = 1 if whole else 0.5
        if keyword == "minimum":
            return limit - step
        if keyword == "maximum":
            return limit + step
        if keyword in {"exclusiveMinimum", "exclusiveMaximum"}:
            return limit
        if keyword == "minLength":
            return "x" * (limit - 1) if limit > 0 else None
        if keyword == "maxLength":
            return "x" * (limit + 1)
        if keyword == "multipleOf":
            return limit * 1.5 if not whole or limit * 1.5 % 1 == 0 else limit + 1
        return None
