"""The instances each round-trip case is made of: mutations, injections and acceptances.

A mutation (:class:`generator.roundtrip.ir.Mutation`) takes one example and changes one
thing: drops a required property, gives a property a value of the wrong JSON type or outside
a bound, an unknown enum value or union tag, a changed constant, an extra property where none
is allowed. The schema rejects every one; the model must reject it too, except where it is
lenient on purpose on the response side (unknown values, variants and fields are kept),
which the mutation says. An injection (:class:`generator.roundtrip.ir.Injection`) puts what a
newer server may send (an unknown field, enum value or variant) into a response-side
example: it must parse, show up as unknown and round-trip. An acceptance changes an example
in a way the schema still accepts but a parser might not (an integer written as ``5.0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from generator.core.errors import join_pointer
from generator.core.load import SCHEMA_MAPS
from generator.roundtrip import ir as rt_ir
from generator.roundtrip.ir import Expect, MutationOp
from generator.roundtrip.shapes import Shapes, json_type, with_article

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

REJECT: Final[Expect] = "reject"
LENIENT: Final[Expect] = "lenient"
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


class CaseMaker:
    """The cases of one schema, from the builder's classification (sides, tags, open enums).

    Past the 400 lines a class may have, on purpose: ``model_cases`` is one walk over a
    model's properties that decides, per property, every case the schema implies (tags,
    constants, types, bounds, nulls, enums, unions, extra properties); cut into pieces it
    would pass the same seven arguments to each. The other kinds' cases are short beside it.
    """

    def __init__(self, builder: Builder) -> None:
        self.b = builder
        self.shapes = Shapes(builder)

    @staticmethod
    def ref(named: Named, prefix: str = "") -> str:
        """``module.Class`` of a generated class, as the tests import it."""
        return f"{named.module}.{prefix}{named.py_name}"

    # --- per schema ----------------------------------------------------------------------

    def model_cases(
        self,
        named: Named,
        examples: list[Any],
        lenient: bool,
        mutations: list[rt_ir.Mutation],
        injections: list[rt_ir.Injection],
    ) -> None:
        from generator.core.naming import py_field_name

        schema, doc = named.schema, named.doc
        props: dict[str, Any] = schema.get("properties") or {}
        required = [p for p in props if p in (schema.get("required") or [])]
        tags = {
            self.b.named[u].schema["discriminator"]["propertyName"]
            for u in self.b.variant_of.get(named.key, [])
        }

        def add(
            case: str, text: str, pointer: str, op: MutationOp, value: Any, why: str = ""
        ) -> None:
            expect = LENIENT if why else REJECT
            mutations.append(rt_ir.Mutation(case, text, 0, pointer, op, value, expect, why))

        mutations.append(
            rt_ir.Mutation(
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
            shape = self.shapes.shape(doc, prop)
            for value in self.shapes.wrong_types(shape.types):
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
                value = self.shapes.outside(keyword, limit, types)
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
                        rt_ir.Injection(
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
                        rt_ir.Injection(
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
                    rt_ir.Mutation(
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
                    rt_ir.Mutation(
                        f"python-name:{wire}", text, 0, f"/{wire}", "rename", py, REJECT, ""
                    )
                )
            else:
                injections.append(
                    rt_ir.Injection(
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
                rt_ir.Injection(
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

    def acceptance_cases(self, named: Named, examples: list[Any]) -> list[rt_ir.Mutation]:
        """An integer property of the first example written as a float (``5.0``): JSON
        Schema counts it as an integer."""
        example = examples[0] if isinstance(examples[0], dict) else {}
        out = []
        for wire, prop in (named.schema.get("properties") or {}).items():
            value = example.get(wire)
            shape = self.shapes.shape(named.doc, prop)
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and shape.types is not None
                and "integer" in shape.types
                and "number" not in shape.types
            ):
                out.append(
                    rt_ir.Mutation(
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
        mutations: list[rt_ir.Mutation],
        injections: list[rt_ir.Injection],
        examples: list[Any],
    ) -> None:
        disc = named.schema["discriminator"]["propertyName"]
        is_open = self.b.is_open(named)
        variant = {disc: UNKNOWN_TAG, **UNKNOWN_PAYLOAD}
        why = WHY_VARIANT if is_open else ""
        mutations += [
            rt_ir.Mutation(
                "wrong-type", "an array instead of an object", 0, "", "set", [], REJECT, ""
            ),
            rt_ir.Mutation(
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
                rt_ir.Mutation(
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
                rt_ir.Injection(
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
        self, named: Named, mutations: list[rt_ir.Mutation], injections: list[rt_ir.Injection]
    ) -> None:
        is_open = self.b.is_open(named)
        why = WHY_ENUM if is_open else ""
        mutations += [
            rt_ir.Mutation(
                "wrong-type", "a number instead of a string", 0, "", "set", 1, REJECT, ""
            ),
            rt_ir.Mutation(
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
                rt_ir.Injection(
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

    def alias_cases(self, named: Named, mutations: list[rt_ir.Mutation]) -> None:
        shape = self.shapes.shape(named.doc, named.schema)
        for value in self.shapes.wrong_types(shape.types):
            mutations.append(
                rt_ir.Mutation(
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
