"""What the generated round-trip tests check, computed from the builder's view of the schemas.

The tests under ``generated/tests`` (templates/tests) prove that every component schema and
its generated model agree. They need, per schema: the schema itself with every ``$ref``
resolved inside one bundle (``schemas.json``, so a copy of ``generated/`` runs them alone),
its examples, which side of the wire it is on, and instances the schema rejects together
with what the model must do with each. All of that is decided here, from the same
classification the models are generated from (sides, open enums and unions, union tags), so
the templates only loop over it.

A mutation (:class:`ir.Mutation`) takes one example and changes one thing: drops a required
property, gives a property a value of the wrong JSON type or outside a bound, an unknown enum
value or union tag, a changed constant, an extra property where none is allowed. The schema
rejects every one; the model must reject it too, except where it is lenient on purpose on the
response side (unknown values, variants and fields are kept), which the mutation says.
An injection (:class:`ir.Injection`) puts what a newer server may send (an unknown field,
enum value or variant) into a response-side example: it must parse, show up as unknown and
round-trip.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.core import ir
from generator.core.errors import join_pointer
from generator.core.load import SCHEMA_MAPS, Document, lookup, named_schemas

if TYPE_CHECKING:
    from generator.core.build import Builder
    from generator.core.index import Named

# What a newer server might send: values no schema here uses.
UNKNOWN_VALUE = "x_future_value"
UNKNOWN_TAG = "x_future_variant"
UNKNOWN_FIELD = "x_future_field"
UNKNOWN_PAYLOAD = {"nested": [1, "two", None, True, {"deep": 0.5}]}
UNEXPECTED_FIELD = "x_unexpected_field"
CHANGED_CONSTANT = "x_changed_constant"

REJECT, LENIENT = "reject", "lenient"
WHY_ENUM = "an enum value this SDK does not know is kept as an unknown member (is_known is False)"
WHY_VARIANT = "an unknown union tag gives the Unknown… variant, which keeps the whole object"
WHY_CONSTANT = "a response-side constant may change; the model keeps the string the server sent"
WHY_NULL = (
    "an optional property reads an explicit null as given and writes it back: servers send "
    "null for values they leave out"
)

# Keywords whose values are data, not schemas.
_DATA = frozenset({"const", "enum", "default", "examples", "example"})
# Keywords whose values map names to schemas.
_MAPS = frozenset(SCHEMA_MAPS)
# Annotations left out of the bundle: the tests validate, they do not document.
_DROPPED = frozenset({"description", "$comment", "example", "examples", "title"})

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


class RoundTripBuilder:
    def __init__(self, builder: Builder) -> None:
        self.b = builder
        self.keys: dict[tuple[str, str], str] = {}
        for doc in builder.spec.documents.values():
            for name, pointer, _ in named_schemas(doc):
                named = builder.named.get(self.key_of(doc, pointer))
                if named is not None:
                    self.keys[(doc.path, pointer)] = f"{named.module}.{name}"

    def key_of(self, doc: Document, pointer: str) -> Any:
        from generator.core.index import Key

        return Key(doc.path, pointer)

    # --- the bundle ----------------------------------------------------------------------

    def bundle(self, doc: Document, node: Any) -> Any:
        """``node`` as plain JSON Schema: refs point into the bundle, extensions dropped."""
        if isinstance(node, list):
            return [self.bundle(doc, item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("x-") or key in _DROPPED:
                continue
            if key in _MAPS and isinstance(value, dict):
                out[key] = {name: self.bundle(doc, sub) for name, sub in value.items()}
            elif key in _DATA:
                out[key] = copy.deepcopy(value)
            elif key == "$ref":
                target_doc, pointer = self.b.spec.resolve_ref(doc, value)
                bundled = self.keys.get((target_doc.path, pointer))
                if bundled is not None:
                    out[key] = f"#/$defs/{bundled}"
                else:  # a reference into the middle of a schema: inline its target
                    target = lookup(target_doc.data, pointer)
                    out.setdefault("allOf", []).append(self.bundle(target_doc, target))
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = {"propertyName": value.get("propertyName")}
                mapping = value.get("mapping") or {}
                if mapping:
                    out[key]["mapping"] = {
                        tag: self.bundle(doc, {"$ref": target})["$ref"]
                        for tag, target in mapping.items()
                    }
            else:
                out[key] = self.bundle(doc, value)
        return out

    # --- shapes ------------------------------------------------------------------------

    def named_at(self, doc: Document, ref: str) -> tuple[Document, str, Named | None]:
        target_doc, pointer = self.b.spec.resolve_ref(doc, ref)
        return target_doc, pointer, self.b.named.get(self.key_of(target_doc, pointer))

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

    @staticmethod
    def ref(named: Named, prefix: str = "") -> str:
        """``module.Class`` of a generated class, as the tests import it."""
        return f"{named.module}.{prefix}{named.py_name}"

    # --- per schema ----------------------------------------------------------------------

    def side_of(self, named: Named) -> str:
        sides = named.directions
        if sides >= {"request", "response"}:
            return "both"
        return "request" if sides == {"request"} else "response"

    def check(self, named: Named, key: str) -> ir.SchemaCheck:
        examples = named.schema.get("examples") or []
        lenient = self.b.is_response_side(named)
        mutations: list[ir.Mutation] = []
        injections: list[ir.Injection] = []
        acceptances: list[ir.Mutation] = []
        if examples:
            if named.kind == "model":
                self.model_cases(named, examples, lenient, mutations, injections)
                acceptances += self.acceptance_cases(named, examples)
            elif named.kind == "union":
                self.union_cases(named, mutations, injections, examples)
            elif named.kind == "enum":
                self.enum_cases(named, mutations, injections)
            else:
                self.alias_cases(named, mutations)
        return ir.SchemaCheck(
            key=key,
            module=named.module,
            class_name=named.py_name,
            kind=named.kind,
            side=self.side_of(named),
            lenient=lenient,
            source=f"schemas/{named.doc.path}#{named.key.pointer}",
            examples=len(examples),
            sends={
                wire: prop["default"]
                for wire, prop in (named.schema.get("properties") or {}).items()
                if isinstance(prop, dict) and prop.get("x-sdk-send-default") and "default" in prop
            },
            mutations=tuple(mutations),
            injections=tuple(injections),
            acceptances=tuple(acceptances),
        )

    def model_cases(
        self,
        named: Named,
        examples: list[Any],
        lenient: bool,
        mutations: list[ir.Mutation],
        injections: list[ir.Injection],
    ) -> None:
        from generator.core.naming import py_field_name

        schema, doc = named.schema, named.doc
        props: dict[str, Any] = schema.get("properties") or {}
        required = [p for p in props if p in (schema.get("required") or [])]
        tags = {
            self.b.named[u].schema["discriminator"]["propertyName"]
            for u in self.b.variant_of.get(named.key, [])
        }

        def add(case: str, text: str, pointer: str, op: str, value: Any, why: str = "") -> None:
            expect = LENIENT if why else REJECT
            mutations.append(ir.Mutation(case, text, 0, pointer, op, value, expect, why))

        mutations.append(
            ir.Mutation(
                "wrong-type", "an array instead of the object", 0, "", "set", [], REJECT, ""
            )
        )
        for wire in required:
            if wire in tags:
                add(
                    f"drop-tag:{wire}",
                    f"without its union tag {wire!r}",
                    f"/{wire}",
                    "remove",
                    None,
                )
            else:
                add(
                    f"drop-required:{wire}",
                    f"without the required property {wire!r}",
                    f"/{wire}",
                    "remove",
                    None,
                )
        for wire, prop in props.items():
            at = join_pointer("", wire)
            shape = self.shape(doc, prop)
            for value in self.wrong_types(shape.types):
                kind = "a fraction" if value == 1.5 else with_article(json_type(value))
                add(
                    f"wrong-type:{wire}={json_type(value)}",
                    f"{wire!r} given {kind}",
                    at,
                    "set",
                    value,
                )
            if shape.types is not None and "null" not in shape.types:
                # An optional property without a default (or with a null one) is read into
                # `X | None`: on the response side a null is kept, not rejected.
                default = prop.get("default") if isinstance(prop, dict) else None
                why = WHY_NULL if lenient and wire not in required and default is None else ""
                add(
                    f"null:{wire}",
                    f"{wire!r} given null, which its schema does not allow",
                    at,
                    "set",
                    None,
                    why,
                )
            for keyword, limit, where in shape.bounds:
                types = shape.item_types if where else shape.types
                value = self.outside(keyword, limit, types)
                if value is None:
                    continue
                place = {"": "", "items": " (an item)", "values": " (a map value)"}[where]
                wrapped = (
                    [value] if where == "items" else {"k": value} if where == "values" else value
                )
                add(
                    f"{keyword}:{wire}{'[]' if where else ''}",
                    f"{wire!r}{place} outside {keyword} {limit}: {value!r}",
                    at,
                    "set",
                    wrapped,
                )
            if shape.enum is not None:
                why = WHY_ENUM if lenient and self.b.is_open(shape.enum) else ""
                value = [UNKNOWN_VALUE] if shape.in_array else UNKNOWN_VALUE
                add(
                    f"unknown-value:{wire}",
                    f"{wire!r} given a value {shape.enum.py_name} does not list",
                    at,
                    "set",
                    value,
                    why,
                )
                if why:
                    where = at + "/0" if shape.in_array else at
                    injections.append(
                        ir.Injection(
                            f"unknown-value:{wire}",
                            f"a new {shape.enum.py_name} value in {wire!r}",
                            0,
                            at,
                            value,
                            "value",
                            where,
                            self.ref(shape.enum),
                        )
                    )
            if shape.inline_enum is not None:
                why = WHY_ENUM if lenient else ""
                add(
                    f"unknown-value:{wire}",
                    f"{wire!r} given a value its enum does not list",
                    at,
                    "set",
                    UNKNOWN_VALUE,
                    why,
                )
            if shape.union is not None:
                union = shape.union
                disc = union.schema["discriminator"]["propertyName"]
                variant = {disc: UNKNOWN_TAG, **UNKNOWN_PAYLOAD}
                value = [variant] if shape.in_array else variant
                why = WHY_VARIANT if lenient and self.b.is_open(union) else ""
                add(
                    f"unknown-variant:{wire}",
                    f"{wire!r} given a {union.py_name} with an unknown tag",
                    at,
                    "set",
                    value,
                    why,
                )
                if why:
                    where = at + "/0" if shape.in_array else at
                    injections.append(
                        ir.Injection(
                            f"unknown-variant:{wire}",
                            f"a new {union.py_name} variant in {wire!r}",
                            0,
                            at,
                            value,
                            "variant",
                            where,
                            self.ref(union, "Unknown"),
                        )
                    )
            if shape.const is not None and json_type(shape.const[0]) == "string":
                if wire in tags:
                    add(
                        f"wrong-tag:{wire}",
                        f"union tag {wire!r} given another tag",
                        at,
                        "set",
                        UNKNOWN_TAG,
                    )
                else:
                    why = WHY_CONSTANT if lenient else ""
                    add(
                        f"changed-constant:{wire}",
                        f"constant {wire!r} given another value",
                        at,
                        "set",
                        CHANGED_CONSTANT,
                        why,
                    )
        for index, need, test_prop, test_value in self.conditions(named):
            example = examples[index]
            if (
                isinstance(example, dict)
                and example.get(test_prop) == test_value
                and need in example
            ):
                mutations.append(
                    ir.Mutation(
                        f"drop-conditional:{need}",
                        f"without {need!r}, required when {test_prop} is {test_value!r}",
                        index,
                        join_pointer("", need),
                        "remove",
                        None,
                        REJECT,
                        "",
                    )
                )
        # A property whose Python attribute is not its wire name ("from" is `from_`): the
        # attribute's name on the wire is just another property, never that field.
        example = examples[0] if isinstance(examples[0], dict) else {}
        aliased = [
            (wire, py_field_name(wire))
            for wire in props
            if py_field_name(wire) != wire and wire in example
        ]
        closed = schema.get("additionalProperties") is False
        if closed:
            add(
                "extra-field",
                f"an extra property {UNEXPECTED_FIELD!r}",
                f"/{UNEXPECTED_FIELD}",
                "set",
                1,
            )
        for wire, py in aliased:
            text = f"{wire!r} sent under its Python attribute name {py!r}"
            if closed or wire in required or not lenient:
                mutations.append(
                    ir.Mutation(
                        f"python-name:{wire}", text, 0, f"/{wire}", "rename", py, REJECT, ""
                    )
                )
            else:
                injections.append(
                    ir.Injection(
                        f"python-name:{wire}",
                        text,
                        0,
                        f"/{wire}",
                        py,
                        "field",
                        f"/{py}",
                        "",
                        "rename",
                    )
                )
        if lenient and not closed:
            injections.append(
                ir.Injection(
                    "unknown-field",
                    f"a new field {UNKNOWN_FIELD!r}",
                    0,
                    f"/{UNKNOWN_FIELD}",
                    UNKNOWN_PAYLOAD,
                    "field",
                    f"/{UNKNOWN_FIELD}",
                    "",
                )
            )

    def acceptance_cases(self, named: Named, examples: list[Any]) -> list[ir.Mutation]:
        """An integer property of the first example written as a float (``5.0``): JSON
        Schema counts it as an integer."""
        example = examples[0] if isinstance(examples[0], dict) else {}
        out = []
        for wire, prop in (named.schema.get("properties") or {}).items():
            value = example.get(wire)
            shape = self.shape(named.doc, prop)
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and shape.types is not None
                and "integer" in shape.types
                and "number" not in shape.types
            ):
                out.append(
                    ir.Mutation(
                        f"integral-float:{wire}",
                        f"{wire!r} given {float(value)!r}, an integer written with a fraction",
                        0,
                        join_pointer("", wire),
                        "set",
                        float(value),
                        "accept",
                        "",
                    )
                )
        return out

    def conditions(self, named: Named) -> list[tuple[int, str, str, Any]]:
        """(example index, needed property, tested property, tested value) of ``if``/``then``."""
        cond_if, cond_then = named.schema.get("if"), named.schema.get("then")
        if not isinstance(cond_if, dict) or not isinstance(cond_then, dict):
            return []
        props = cond_if.get("properties") or {}
        if len(props) != 1:
            return []
        ((prop, test),) = props.items()
        if not isinstance(test, dict) or "const" not in test:
            return []
        examples = named.schema.get("examples") or []
        out = []
        for need in cond_then.get("required") or []:
            index = next(
                (
                    i
                    for i, e in enumerate(examples)
                    if isinstance(e, dict) and e.get(prop) == test["const"] and need in e
                ),
                None,
            )
            if index is not None:
                out.append((index, need, prop, test["const"]))
        return out

    def union_cases(
        self,
        named: Named,
        mutations: list[ir.Mutation],
        injections: list[ir.Injection],
        examples: list[Any],
    ) -> None:
        disc = named.schema["discriminator"]["propertyName"]
        is_open = self.b.is_open(named)
        variant = {disc: UNKNOWN_TAG, **UNKNOWN_PAYLOAD}
        why = WHY_VARIANT if is_open else ""
        mutations += [
            ir.Mutation(
                "wrong-type", "an array instead of an object", 0, "", "set", [], REJECT, ""
            ),
            ir.Mutation(
                "unknown-variant",
                f"an unknown {disc!r}",
                0,
                "",
                "set",
                variant,
                LENIENT if why else REJECT,
                why,
            ),
        ]
        if isinstance(examples[0], dict) and disc in examples[0]:
            mutations.append(
                ir.Mutation(
                    "untagged",
                    f"without its tag {disc!r}",
                    0,
                    join_pointer("", disc),
                    "remove",
                    None,
                    REJECT,
                    "",
                )
            )
        if is_open:
            injections.append(
                ir.Injection(
                    "unknown-variant",
                    f"a new {named.py_name} variant",
                    0,
                    "",
                    variant,
                    "variant",
                    "",
                    self.ref(named, "Unknown"),
                )
            )

    def enum_cases(
        self, named: Named, mutations: list[ir.Mutation], injections: list[ir.Injection]
    ) -> None:
        is_open = self.b.is_open(named)
        why = WHY_ENUM if is_open else ""
        mutations += [
            ir.Mutation("wrong-type", "a number instead of a string", 0, "", "set", 1, REJECT, ""),
            ir.Mutation(
                "unknown-value",
                "a value the enum does not list",
                0,
                "",
                "set",
                UNKNOWN_VALUE,
                LENIENT if why else REJECT,
                why,
            ),
        ]
        if is_open:
            injections.append(
                ir.Injection(
                    "unknown-value",
                    f"a new {named.py_name} value",
                    0,
                    "",
                    UNKNOWN_VALUE,
                    "value",
                    "",
                    self.ref(named),
                )
            )

    def alias_cases(self, named: Named, mutations: list[ir.Mutation]) -> None:
        shape = self.shape(named.doc, named.schema)
        for value in self.wrong_types(shape.types):
            mutations.append(
                ir.Mutation(
                    f"wrong-type={json_type(value)}",
                    with_article(json_type(value)),
                    0,
                    "",
                    "set",
                    value,
                    REJECT,
                    "",
                )
            )

    # --- streams -------------------------------------------------------------------------

    def streams(self, package: ir.Package) -> list[ir.StreamExample]:
        consts = {op.operation_id: op for op in package.operations}
        out: list[ir.StreamExample] = []
        for doc in self.b.spec.documents.values():
            if not doc.is_openapi:
                continue
            for item in (doc.data.get("paths") or {}).values():
                for op in item.values():
                    if not isinstance(op, dict) or op.get("operationId") not in consts:
                        continue
                    built = consts[op["operationId"]]
                    for status, response in sorted((op.get("responses") or {}).items()):
                        if not str(status).startswith("2"):
                            continue
                        content = response.get("content") or {}
                        events = content.get("text/event-stream") or {}
                        body = content.get("application/json") or {}
                        into = ((events.get("x-sdk-stream") or {}).get("accumulate") or {}).get(
                            "into"
                        ) or body.get("schema")
                        if not isinstance(into, dict) or "$ref" not in into:
                            continue
                        target_doc, pointer, _ = self.named_at(doc, into["$ref"])
                        final_key = self.keys.get((target_doc.path, pointer))
                        finals = body.get("examples") or {}
                        for name, example in (events.get("examples") or {}).items():
                            if final_key is None or not isinstance(example, dict):
                                continue
                            final = finals.get(name)
                            out.append(
                                ir.StreamExample(
                                    case=f"{built.module}.{op['operationId']}:{name}",
                                    module=built.module,
                                    operation=built.const_name,
                                    final_key=final_key,
                                    body=str(example.get("value", "")),
                                    final=final.get("value") if isinstance(final, dict) else None,
                                )
                            )
        return sorted(out, key=lambda s: s.case)

    # --- all -------------------------------------------------------------------------------

    def build(self, package: ir.Package) -> ir.RoundTrip:
        defs: dict[str, Any] = {}
        checks: list[ir.SchemaCheck] = []
        for doc in self.b.spec.documents.values():
            for _, pointer, schema in named_schemas(doc):
                key = self.keys.get((doc.path, pointer))
                if key is None:
                    continue
                named = self.b.named[self.key_of(doc, pointer)]
                bundled = self.bundle(doc, schema)
                if schema.get("examples"):
                    bundled["examples"] = copy.deepcopy(schema["examples"])
                defs[key] = bundled
                checks.append(self.check(named, key))
        return ir.RoundTrip(
            schemas=tuple(sorted(checks, key=lambda c: c.key)),
            streams=tuple(self.streams(package)),
            defs=dict(sorted(defs.items())),
        )


def build_round_trip(builder: Builder, package: ir.Package) -> ir.RoundTrip:
    return RoundTripBuilder(builder).build(package)
