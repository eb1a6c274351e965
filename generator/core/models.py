"""The classes and aliases of the generated modules: enums, tagged unions, models, aliases.

Each named schema (and each inline object lifted into a class) becomes one IR node; the
``x-sdk-*`` declarations on it come from :mod:`generator.core.declared`.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
from typing import Any

from generator.core import ir
from generator.core.declared import Declarations
from generator.core.errors import join_pointer
from generator.core.hints import (
    Hints,
    alias_arg,
    constraint_args,
    default_fits,
    join_union,
    split_union,
)
from generator.core.index import Named, SchemaIndex, clean, describe, source_of
from generator.core.naming import enum_member_name, py_field_name, snake


class ModelBuilder:
    """Builds the IR of one named schema at a time, reading ``index``.

    ``lenient_responses`` (vendor documents, docs/vendor-specs.md): a required response-side
    property that admits null or has a default may also be absent, as real servers leave such out.
    """

    def __init__(
        self,
        index: SchemaIndex,
        hints: Hints,
        declared: Declarations,
        lenient_responses: bool = False,
    ) -> None:
        self.index = index
        self.hints = hints
        self.declared = declared
        self.lenient_responses = lenient_responses

    @functools.cached_property
    def class_names(self) -> frozenset[str]:
        """The Python names of the classes known when the first model is built."""
        return frozenset(n.py_name for n in self.index.named.values())

    def build_enum(self, named: Named) -> ir.Enum:
        schema = named.schema
        descriptions = schema.get("x-sdk-enum-descriptions") or {}
        members = []
        seen: dict[str, Any] = {}
        for index, value in enumerate(schema["enum"]):
            py = enum_member_name(value)
            if py in seen:
                self.index.error(
                    named.doc,
                    join_pointer(named.key.pointer, "enum", index),
                    f"enum values {seen[py]!r} and {value!r} map to the same member name {py}",
                )
            seen[py] = value
            members.append(ir.EnumMember(py, repr(value), str(descriptions.get(value, ""))))
        for value in descriptions:
            if value not in schema["enum"]:
                self.index.error(
                    named.doc,
                    join_pointer(named.key.pointer, "x-sdk-enum-descriptions", value),
                    f"describes {value!r}, which is not an enum value",
                )
        accessors = self.declared.build_accessors(named, {})
        return ir.Enum(
            name=named.py_name,
            description=describe(named),
            is_open=self.index.is_open(named),
            members=tuple(members),
            accessors=accessors,
            source=source_of(named),
        )

    @staticmethod
    def _is_type_alias(union: Named) -> bool:
        """What :attr:`ir.Union.is_type_alias` will say of ``union``, before it is built."""
        schema = union.schema
        return not schema.get("x-sdk-constructors") and not schema.get("x-sdk-constants")

    def build_union(self, named: Named) -> tuple[ir.Union, ir.Model | None]:
        tags = self.index.union_variants.get(named.key, {})
        prop = named.schema["discriminator"]["propertyName"]
        variants = tuple(
            ir.Variant(tag, self.index.named[key].py_name)
            for tag, key in sorted(tags.items())
            if key in self.index.named
        )
        unknown = None
        if self.index.is_open(named):
            unknown_name = "Unknown" + named.py_name
            unknown = ir.Model(
                name=unknown_name,
                description=(
                    f"A {named.py_name} variant this version of the SDK does not know.\n\n"
                    f"The whole object is kept and written back unchanged: its "
                    f"``{py_field_name(prop)}`` is ``UnknownTag.UNKNOWN`` (so comparing it with a "
                    "known tag is false), ``raw_tag`` is the tag the server sent, and the other "
                    "properties are attributes."
                ),
                bases="UnknownVariant"
                + ("" if self._is_type_alias(named) else f", {named.py_name}"),
                fields=(),
                send_defaults=(),
                conditions=(),
                constructors=(),
                accessors=(),
                constants=(),
                is_unknown_variant=True,
                source=source_of(named),
                unknown_tag=(py_field_name(prop), prop),
            )
            if (named.module, unknown_name) in self.index.by_module_name:
                self.index.error(
                    named.doc,
                    named.key.pointer,
                    f"{unknown_name} is generated for this union but a schema already has that name",
                )
        constructors = self.declared.build_constructors(named, static=True)
        param_name = self.index.param_name(named)
        param_members = tuple(
            self.index.use_param(named.module, self.index.named[key])
            for _, key in sorted(tags.items())
            if key in self.index.named and self.index.param_name(self.index.named[key])
        )
        union = ir.Union(
            name=named.py_name,
            description=describe(named),
            discriminator=prop,
            variants=variants,
            unknown_class=unknown.name if unknown else None,
            constructors=constructors,
            constants=self.declared.build_constants(named),
            source=source_of(named),
            param_name=param_name if param_members else None,
            param_members=param_members,
        )
        return union, unknown

    def build_model(self, named: Named) -> ir.Model:
        schema, doc, pointer = named.schema, named.doc, named.key.pointer
        lenient = self.index.is_response_side(named)
        required = set(schema.get("required", []))
        unions = self.index.variant_of.get(named.key, [])
        tag_props = {self.index.named[u].schema["discriminator"]["propertyName"] for u in unions}
        union_ctor_names = {
            c for u in unions for c in (self.index.named[u].schema.get("x-sdk-constructors") or {})
        }
        fields = []
        send_defaults = []
        not_null: list[str] = []  # optional properties the schema does not let be null
        used: dict[str, str] = {}
        for wire, prop in (schema.get("properties") or {}).items():
            where = join_pointer(pointer, "properties", wire)
            py = py_field_name(wire)
            if py in self.class_names:  # `Thing: Thing | None` breaks the annotation
                message = f"property {wire!r} would become field {py}, the name of a class"
                self.index.error(doc, where, message + "; it cannot be annotated in its model")
            if py in used:
                self.index.error(
                    doc,
                    where,
                    f"properties {used[py]!r} and {wire!r} map to the same Python name {py}",
                )
            used[py] = wire
            _, _, resolved = self.index.deref(doc, prop)
            resolved = resolved if isinstance(resolved, dict) else {}
            hint = self.hints.hint(doc, prop, where, named.module, named, lenient)
            is_tag = wire in tag_props
            const = resolved.get("const", prop.get("const") if isinstance(prop, dict) else None)
            if not is_tag and lenient and "const" in resolved and hint.startswith("Literal["):
                hint = "str"  # a response-side constant may change; keep what the server sent
            default = (
                prop.get("default", resolved.get("default")) if isinstance(prop, dict) else None
            )
            has_default = isinstance(prop, dict) and ("default" in prop or "default" in resolved)
            may_be_absent = (
                self.lenient_responses
                and lenient
                and not is_tag
                and (has_default or "None" in split_union(hint))
            )
            if wire in required and not may_be_absent:
                default_repr = None
                if is_tag and const is not None:
                    default_repr = repr(const)
            else:
                if not lenient and "None" not in split_union(hint):
                    not_null += [wire, py] if py != wire else [wire]
                hint = join_union([hint, "None"]) if not has_default or default is None else hint
                default_repr = repr(default) if has_default else "None"
            if is_tag and const is not None:
                # A union tag is always written, even when the caller relied on its only value.
                default_repr = repr(const)
                send_defaults.append((wire, repr(const)))
            if isinstance(prop, dict) and prop.get("x-sdk-send-default"):
                if not has_default:
                    self.index.error(
                        doc,
                        join_pointer(where, "x-sdk-send-default"),
                        "x-sdk-send-default needs a default",
                    )
                else:
                    send_defaults.append((wire, repr(default)))
            validate = ""
            if default_repr is not None and not default_fits(ast.literal_eval(default_repr), hint):
                # A default the annotation does not take as written (an enum member's string, an
                # object for a model, a list): pydantic validates it into the annotated type.
                validate = "validate_default=True"
            args = ", ".join(
                a
                for a in (
                    alias_arg(wire) if py != wire else "",
                    constraint_args(resolved),
                    validate,
                )
                if a
            )
            fields.append(
                ir.Field(
                    wire_name=wire,
                    py_name=py,
                    type_hint=hint,
                    default_repr=default_repr,
                    field_args=args,
                    description=clean(
                        prop.get("description", "") if isinstance(prop, dict) else ""
                    ),
                    is_tag=is_tag,
                    shadows_base=py in union_ctor_names,
                )
            )
        for name in required - set(schema.get("properties") or {}):
            self.index.error(
                doc, join_pointer(pointer, "required"), f"required property {name!r} is not defined"
            )
        base = "SDKModel" if schema.get("additionalProperties") is not False else "RequestModel"
        if send_defaults:
            base += ", SendsDefaults"
        # a variant subclasses the unions that are classes (they carry constructors); the
        # others are type aliases of their variants to type checkers
        classes = [self.index.named[u] for u in unions]
        bases = ", ".join([base] + [u.py_name for u in classes if not self._is_type_alias(u)])
        field_types = {f.wire_name: f for f in fields}
        param, init_params = self.build_param(named, fields, required, set(not_null))
        return ir.Model(
            name=named.py_name,
            description=describe(named),
            bases=bases,
            fields=tuple(fields),
            send_defaults=tuple(send_defaults),
            conditions=self.build_conditions(named, field_types),
            constructors=self.declared.build_constructors(named, static=False),
            accessors=self.declared.build_accessors(named, field_types),
            constants=self.declared.build_constants(named),
            is_unknown_variant=False,
            source=source_of(named),
            not_null=tuple(not_null) if base.startswith("RequestModel") else (),
            param=param,
            init_params=init_params,
        )

    def build_param(
        self, named: Named, fields: list[ir.Field], required: set[str], not_null: set[str]
    ) -> tuple[ir.ParamDict | None, tuple[ir.Param, ...]]:
        """The TypedDict of a request-side model, and its ``__init__`` as type checkers see it:
        each property as a caller may give it (enum strings, TypedDicts, any sequence)."""
        name = self.index.param_name(named)
        if name is None:
            return None, ()
        module, schema = named.module, named.schema
        properties = schema.get("properties") or {}
        keys = []
        params = []
        for field in fields:
            where = join_pointer(named.key.pointer, "properties", field.wire_name)
            hint = self.hints.param_hint(
                named.doc,
                properties[field.wire_name],
                where,
                name_of=lambda n: self.index.use(module, n),
                param_of=lambda n: self.index.use_param(module, n),
            )
            nullable = "None" in split_union(field.type_hint) and field.wire_name not in not_null
            if nullable and "None" not in split_union(hint):
                hint = join_union([hint, "None"])  # the model takes null here; so does its dict
            must = field.is_tag or (field.wire_name in required and field.default_repr is None)
            keys.append(ir.ParamKey(field.wire_name, f"Required[{hint}]" if must else hint))
            params.append(
                ir.Param(field.py_name, hint, None if field.default_repr is None else "...")
            )
        description = (
            f"{named.py_name} as a plain dict, keyed by wire names: what a caller may pass "
            "wherever the model is accepted."
        )
        params.sort(key=lambda p: p.default_repr is not None)
        return ir.ParamDict(name, description, tuple(keys)), tuple(params)

    def build_alias(self, named: Named) -> ir.Alias:
        lenient = self.index.is_response_side(named)
        hint = self.hints.hint(
            named.doc, named.schema, named.key.pointer, named.module, named, lenient
        )
        # An alias is not a class: its accessors become module functions named after it.
        accessors = tuple(
            dataclasses.replace(a, name=f"{snake(named.py_name)}_{a.name}")
            for a in self.declared.build_accessors(named, {})
        )
        return ir.Alias(
            name=named.py_name,
            description=describe(named),
            type_hint=hint,
            accessors=accessors,
            source=source_of(named),
        )

    def ordered_aliases(self, module: str, aliases: list[ir.Alias]) -> list[ir.Alias]:
        ordered, stuck = order_aliases(aliases)
        for alias in stuck:
            named = self.index.by_module_name[(module, alias.name)]
            message = (
                f"{alias.name} = {alias.type_hint} refers back to itself through aliases only; "
                "a loop needs an object schema (a class) on it"
            )
            self.index.error(named.doc, named.key.pointer, message)
        return ordered

    def build_conditions(
        self, named: Named, fields: dict[str, ir.Field]
    ) -> tuple[ir.Condition, ...]:
        schema = named.schema
        cond_if, cond_then = schema.get("if"), schema.get("then")
        if cond_if is None and cond_then is None:
            return ()
        where = join_pointer(named.key.pointer, "if")
        props = (cond_if or {}).get("properties") or {}
        needs = (cond_then or {}).get("required") or []
        if len(props) != 1 or not needs or not all("const" in p for p in props.values()):
            self.index.error(
                named.doc,
                where,
                "only `if: {properties: {p: {const: v}}}` with `then: {required: [...]}` is supported",
            )
            return ()
        ((prop, test),) = props.items()
        if prop not in fields or any(n not in fields for n in needs):
            self.index.error(
                named.doc, where, "if/then names a property the object does not define"
            )
            return ()
        out = []
        for need in needs:
            out.append(
                ir.Condition(
                    test_expr=f"self.{fields[prop].py_name} == {test['const']!r} and self.{fields[need].py_name} is None",
                    message=f"{need} is required when {prop} is {test['const']!r}",
                )
            )
        return tuple(out)


def order_aliases(aliases: list[ir.Alias]) -> tuple[list[ir.Alias], list[ir.Alias]]:
    """Aliases are evaluated at import time: one that mentions another must come after it.

    Returns the ordered aliases and those that cannot be ordered: an alias that mentions
    itself, or a loop of aliases (``A = B``, ``B = A``) with no class between them to break it.
    """
    names = {a.name for a in aliases}
    ordered: list[ir.Alias] = []
    placed: set[str] = set()
    remaining = sorted(aliases, key=lambda a: a.name)
    while remaining:
        progress = False
        for alias in list(remaining):
            deps = {n for n in re.findall(r"[A-Za-z_]\w*", alias.type_hint) if n in names}
            if deps <= placed:
                ordered.append(alias)
                placed.add(alias.name)
                remaining.remove(alias)
                progress = True
        if not progress:
            return ordered, remaining
    return ordered, []
