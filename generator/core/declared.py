"""The ``x-sdk-*`` declarations of a schema: constants, constructors and accessors.

``x-sdk-constants`` become class constants; ``x-sdk-constructors`` become class methods that
build a model (or, on a tagged union, one of its variants) from a JSON template with
``{$param: name}`` holes; ``x-sdk-accessors`` become methods over an array of a tagged union
(``first``, ``all``, ``any``) or, on an enum, ``value``.
"""

from __future__ import annotations

import typing
from typing import Any, cast

from generator.core import ir
from generator.core.errors import join_pointer
from generator.core.hints import Hints, join_union
from generator.core.index import Named, SchemaIndex, clean
from generator.core.naming import py_field_name


class Declarations:
    """Builds what a schema declares in ``x-sdk-*``, reading ``index`` and spelling hints."""

    def __init__(self, index: SchemaIndex, hints: Hints) -> None:
        self.index = index
        self.hints = hints

    def build_constants(self, named: Named) -> tuple[ir.Constant, ...]:
        out = []
        for name, value in (named.schema.get("x-sdk-constants") or {}).items():
            out.append(ir.Constant(name, type(value).__name__, repr(value)))
        return tuple(out)

    def build_constructors(self, named: Named, static: bool) -> tuple[ir.Constructor, ...]:
        out = []
        declared = named.schema.get("x-sdk-constructors") or {}
        field_names = set((named.schema.get("properties") or {}).keys())
        for name, spec in declared.items():
            where = join_pointer(named.key.pointer, "x-sdk-constructors", name)
            if name in field_names:
                self.index.error(
                    named.doc,
                    where,
                    f"constructor {name!r} clashes with a property of the same name",
                )
                continue
            params = []
            for pname, pschema in (spec.get("params") or {}).items():
                pwhere = join_pointer(where, "params", pname)
                phint = self.hints.param_hint(
                    named.doc, pschema, pwhere, name_of=lambda n: self.index.use(named.module, n)
                )
                has_default = "default" in pschema
                params.append(
                    ir.Param(
                        py_field_name(pname),
                        phint,
                        repr(pschema["default"]) if has_default else None,
                    )
                )
            body = spec.get("body")
            param_names = {p: py_field_name(p) for p in (spec.get("params") or {})}
            try:
                expr = template_expr(body, param_names)
                request_expr = (
                    template_expr(spec["request"], param_names) if "request" in spec else None
                )
            except ValueError as exc:
                self.index.error(named.doc, join_pointer(where, "body"), str(exc))
                continue
            target = named.py_name
            if static:
                prop = named.schema["discriminator"]["propertyName"]
                tag = body.get(prop) if isinstance(body, dict) else None
                variant_key = self.index.union_variants.get(named.key, {}).get(str(tag))
                if variant_key is None:
                    self.index.error(
                        named.doc,
                        join_pointer(where, "body"),
                        f"the body's {prop!r} must be one of the union's tags",
                    )
                    continue
                target = self.index.named[variant_key].py_name
            out.append(
                ir.Constructor(
                    name=name,
                    description=clean(spec.get("description", "")),
                    params=tuple(params),
                    return_hint=target,
                    target_class=target,
                    body_expr=expr,
                    request_expr=request_expr,
                    is_static=static,
                )
            )
        return tuple(out)

    def build_accessors(self, named: Named, fields: dict[str, ir.Field]) -> tuple[ir.Accessor, ...]:
        out = []
        for name, spec in (named.schema.get("x-sdk-accessors") or {}).items():
            where = join_pointer(named.key.pointer, "x-sdk-accessors", name)
            kind = _accessor_kind(spec["kind"])
            desc = clean(spec.get("description", "")) or _ACCESSOR_DOCS[kind]
            if kind == "value":
                if named.kind != "enum":
                    self.index.error(named.doc, where, "a `value` accessor belongs on an enum")
                    continue
                out.append(ir.Accessor(name, desc, kind, "", "", "", "str"))
                continue
            items = spec.get("items")
            if named.kind == "model":
                if items not in fields:
                    self.index.error(
                        named.doc, where, f"`items` must name an array property, not {items!r}"
                    )
                    continue
                items_schema = named.schema["properties"][items]
                items_attr = fields[items].py_name
            elif named.kind == "alias" and items is None:
                items_schema = next(
                    (
                        s
                        for s in named.schema.get("oneOf", named.schema.get("anyOf", []))
                        if isinstance(s, dict) and s.get("type") == "array"
                    ),
                    None,
                )
                items_attr = ""
            else:
                self.index.error(
                    named.doc,
                    where,
                    "accessors over items belong on an object or an untagged union",
                )
                continue
            items_doc, _, items_schema = self.index.deref(named.doc, items_schema)
            item = items_schema.get("items") if isinstance(items_schema, dict) else None
            union_ref = item.get("$ref") if isinstance(item, dict) else None
            if union_ref is None:
                self.index.error(named.doc, where, "`items` must be an array of a tagged union")
                continue
            union_key = self.index.ref_key(items_doc, union_ref)
            variant_key = self.index.union_variants.get(union_key, {}).get(str(spec.get("variant")))
            if variant_key is None:
                self.index.error(
                    named.doc, where, f"variant {spec.get('variant')!r} is not a tag of the union"
                )
                continue
            variant = self.index.named[variant_key]
            self.index.use(named.module, variant)
            field_attr, ret = "", "bool"
            if kind == "first":
                fname = spec.get("field")
                vprop = (variant.schema.get("properties") or {}).get(fname)
                if vprop is None:
                    self.index.error(
                        named.doc, where, f"{variant.py_name} has no property {fname!r}"
                    )
                    continue
                field_attr = py_field_name(fname)
                ret = join_union(
                    [
                        self.hints.hint(
                            variant.doc, vprop, variant.key.pointer, named.module, variant, True
                        ),
                        "None",
                    ]
                )
            elif kind == "all":
                ret = f"list[{variant.py_name}]"
            out.append(ir.Accessor(name, desc, kind, items_attr, variant.py_name, field_attr, ret))
        return tuple(out)


_ACCESSOR_DOCS = {
    "first": "The first matching item's field, or None.",
    "all": "Every matching item, in order.",
    "any": "Whether any item matches.",
    "value": "The value exactly as it is on the wire.",
}


def template_expr(body: Any, params: dict[str, str]) -> str:
    """A Python expression that builds ``body``, a JSON template with ``{$param: name}`` holes."""
    if isinstance(body, dict):
        if "$param" in body:
            name = body["$param"]
            if name not in params:
                raise ValueError(f"$param {name!r} is not a declared parameter")
            return params[name]
        pieces = []
        for key, value in body.items():
            if key.startswith("$omit_if_null"):
                continue
            if isinstance(value, dict) and "$param" in value and "$omit_if" in value:
                inner = template_expr({"$param": value["$param"]}, params)
                omit = value["$omit_if"]
                op = "is" if omit is None or isinstance(omit, bool) else "=="
                pieces.append(f"**({{}} if {inner} {op} {omit!r} else {{{key!r}: {inner}}})")
            else:
                pieces.append(f"{key!r}: {template_expr(value, params)}")
        return "{" + ", ".join(pieces) + "}"
    if isinstance(body, list):
        pieces = []
        for item in body:
            if isinstance(item, dict) and "$omit_if_null" in item:
                name = item["$omit_if_null"]
                if name not in params:
                    raise ValueError(f"$omit_if_null {name!r} is not a declared parameter")
                pieces.append(
                    f"*([] if {params[name]} is None else [{template_expr(item, params)}])"
                )
            else:
                pieces.append(template_expr(item, params))
        return "[" + ", ".join(pieces) + "]"
    return repr(body)


def _accessor_kind(value: object) -> ir.AccessorKind:
    """An ``x-sdk-accessors`` kind; the loader's meta-schema admits only these."""
    for kind in typing.get_args(ir.AccessorKind):
        if value == kind:
            return cast("ir.AccessorKind", kind)
    raise AssertionError(f"accessor kind {value!r} passed the meta-schema")
