"""Python type hints for schemas: what a model field is annotated with, what a caller may pass.

:meth:`Hints.hint` is the annotation a generated module writes (lifting inline objects into
classes as it meets them); :meth:`Hints.param_hint` is the looser hint of a client method's
parameter. The functions below work on hint strings and on schema constraints.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any

from generator.core.errors import join_pointer
from generator.core.index import Key, Named, SchemaIndex, qualified
from generator.core.load import Document, lookup
from generator.core.naming import py_field_name

_HINTS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


class Hints:
    """Type hints of schemas, resolved against ``index`` (which it lifts inline objects into)."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index

    def hint(
        self, doc: Document, schema: Any, pointer: str, module: str, owner: Named, lenient: bool
    ) -> str:
        """The Python type hint of ``schema`` as seen from ``module``."""
        index = self.index
        if schema is True or schema == {} or schema is None:
            return "Any"
        if schema is False:
            return "NoReturn"
        if not isinstance(schema, dict):
            index.error(doc, pointer, "a schema must be an object or a boolean")
            return "Any"
        if "$ref" in schema:
            target_doc, target_pointer = index.spec.resolve_ref(doc, schema["$ref"])
            named = index.named.get(Key(target_doc.path, target_pointer))
            if named is not None:
                name = index.use(module, named)
                if named.kind == "enum" and not lenient and index.is_open(named):
                    return f"Annotated[{name}, KNOWN_VALUES_ONLY]"
                return name
            return self.hint(
                target_doc,
                lookup(target_doc.data, target_pointer),
                target_pointer,
                module,
                owner,
                lenient,
            )
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                if "discriminator" in schema:
                    index.error(doc, pointer, "a tagged union must be a named schema")
                parts = [
                    self.hint(doc, s, join_pointer(pointer, combinator, i), module, owner, lenient)
                    for i, s in enumerate(schema[combinator])
                ]
                return join_union(parts)
        if "allOf" in schema:
            members = schema["allOf"]
            if len(members) == 1:
                return self.hint(
                    doc, members[0], join_pointer(pointer, "allOf", 0), module, owner, lenient
                )
            index.error(
                doc,
                join_pointer(pointer, "allOf"),
                "allOf with more than one member is not supported",
            )
            return "Any"
        if "enum" in schema:
            values = schema["enum"]
            literal = f"Literal[{', '.join(repr(v) for v in values)}]"
            return (
                join_union([literal, "str"])
                if lenient and all(isinstance(v, str) for v in values)
                else literal
            )
        types = schema.get("type")
        if isinstance(types, list):
            parts = [
                self.hint(doc, {**schema, "type": t}, pointer, module, owner, lenient)
                for t in types
            ]
            return join_union(parts)
        if types is None:
            if "properties" in schema:
                types = "object"
            elif "items" in schema:
                types = "array"
            else:
                return "Any"
        if types == "array":
            item = self.hint(
                doc, schema.get("items", {}), join_pointer(pointer, "items"), module, owner, lenient
            )
            return f"list[{constrained(item, schema.get('items'))}]"
        if types == "object":
            if "properties" in schema:
                return index.use(module, index.lift_inline(doc, pointer, schema, owner))
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                value = self.hint(
                    doc,
                    extra,
                    join_pointer(pointer, "additionalProperties"),
                    module,
                    owner,
                    lenient,
                )
                return f"dict[str, {constrained(value, extra)}]"
            return "dict[str, Any]"
        if types in _HINTS:
            return _HINTS[types]
        index.error(doc, join_pointer(pointer, "type"), f"unknown type {types!r}")
        return "Any"

    def param_hint(
        self,
        doc: Document,
        schema: Any,
        pointer: str,
        name_of: Callable[[Named], str] | None = None,
        param_of: Callable[[Named], str] | None = None,
    ) -> str:
        """What a caller may pass for ``schema``: a model or its TypedDict (``Message |
        MessageParam``), an enum member or its string, any sequence for an array.
        ``name_of`` spells a generated class as seen from where the hint is written (default:
        the client modules' ``_module.Name``), ``param_of`` its TypedDict (default: the
        class's spelling and ``Param``)."""
        index = self.index
        name_of = name_of or qualified
        spell = name_of
        param_of = param_of or (lambda n: spell(n) + "Param")

        def accepted(named: Named) -> str:
            ref = name_of(named)
            if index.param_name(named):
                return f"{ref} | {param_of(named)}"
            return f"{ref} | Mapping[str, Any]"

        if schema is True or schema is None or schema == {}:
            return "Any"
        if not isinstance(schema, dict):
            return "Any"
        if "$ref" in schema:
            target_doc, target_pointer = index.spec.resolve_ref(doc, schema["$ref"])
            named = index.named.get(Key(target_doc.path, target_pointer))
            if named is None:
                return self.param_hint(
                    target_doc,
                    lookup(target_doc.data, target_pointer),
                    target_pointer,
                    name_of,
                    param_of,
                )
            ref = name_of(named)
            if named.kind in {"model", "union"}:
                return accepted(named)
            if named.kind == "enum":
                values = ", ".join(repr(v) for v in named.schema["enum"])
                return f"{ref} | Literal[{values}]"
            return self.param_hint(named.doc, named.schema, named.key.pointer, name_of, param_of)
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                return join_union(
                    self.param_hint(
                        doc, member, join_pointer(pointer, combinator, i), name_of, param_of
                    )
                    for i, member in enumerate(schema[combinator])
                )
        if "enum" in schema:
            return f"Literal[{', '.join(repr(v) for v in schema['enum'])}]"
        types = schema.get("type")
        if isinstance(types, list):
            return join_union(
                self.param_hint(doc, {**schema, "type": t}, pointer, name_of, param_of)
                for t in types
            )
        if types == "array" or (types is None and "items" in schema):
            item = self.param_hint(
                doc, schema.get("items", {}), join_pointer(pointer, "items"), name_of, param_of
            )
            return f"Sequence[{item}]"
        if types == "object" or (types is None and "properties" in schema):
            lifted = index.named.get(Key(doc.path, pointer))
            if lifted is not None:
                return accepted(lifted)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                value = self.param_hint(
                    doc, extra, join_pointer(pointer, "additionalProperties"), name_of, param_of
                )
                return f"Mapping[str, {value}]"
            return "Mapping[str, Any]"
        if isinstance(types, str) and types in _HINTS:
            return _HINTS[types]
        return "Any"


def constrained(hint: str, schema: Any) -> str:
    args = constraint_args(schema)
    return f"Annotated[{hint}, Field({args})]" if args else hint


def join_union(parts: Iterable[str]) -> str:
    seen: list[str] = []
    for part in parts:
        for piece in split_union(part):
            if piece not in seen:
                seen.append(piece)
    if "None" in seen:
        seen = [p for p in seen if p != "None"] + ["None"]
    if "Any" in seen:
        return "Any"
    return " | ".join(seen)


def split_union(hint: str) -> list[str]:
    """Split a hint on top-level ``|``."""
    parts, depth, current = [], 0, ""
    for ch in hint:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def default_fits(value: Any, hint: str) -> bool:
    """Whether ``value``, written as a Python literal, already has a type ``hint`` allows."""
    parts = split_union(hint)
    if "Any" in parts:
        return True
    if value is None:
        return "None" in parts
    if isinstance(value, bool):
        return "bool" in parts
    if isinstance(value, int):
        return "int" in parts or "float" in parts
    if isinstance(value, float):
        return "float" in parts
    if isinstance(value, str):
        literals = [p for p in parts if p.startswith("Literal[")]
        return "str" in parts or any(
            value in ast.literal_eval("(" + p[len("Literal[") : -1] + ",)") for p in literals
        )
    return False


def alias_arg(wire: str) -> str:
    return f"alias={wire!r}" if py_field_name(wire) != wire else ""


_CONSTRAINTS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_length",
    "maxItems": "max_length",
    "multipleOf": "multiple_of",
}


def constraint_args(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    args = [
        f"{arg}={schema[key]!r}"
        for key, arg in _CONSTRAINTS.items()
        if key in schema and not isinstance(schema[key], bool)
    ]
    if "pattern" in schema:
        args.append(f"pattern={schema['pattern']!r}")
    return ", ".join(args)
