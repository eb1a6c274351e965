"""What the generated stream accumulators fold: the ``x-sdk-accumulate`` rules of each class.

A property's rule says how a streamed delta changes the object being built (replace, append,
merge, merge-by-index, ...); a schema's rule says what the whole event does. The variants of
every union a ``merge`` folds in take part too: their tags say what a delta is, not what it sets.
"""

from __future__ import annotations

import re
from typing import Any

from generator.core import ir
from generator.core.errors import join_pointer
from generator.core.index import Key, Named, SchemaIndex, qualified, source_of
from generator.core.load import Document
from generator.core.naming import py_field_name


class Accumulators:
    """Builds the :class:`ir.AccumulateRules` of every class that has them, reading ``index``."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index

    def build_accumulators(self) -> tuple[ir.AccumulateRules, ...]:
        """One entry per class with x-sdk-accumulate rules, plus the variants of every union
        that a ``merge`` folds in (their tags say what a delta is, not what it sets)."""
        merged_unions: set[Key] = set()
        annotated: dict[Key, Named] = {}
        for named in self.index.named.values():
            if named.kind != "model":
                continue
            if "x-sdk-accumulate" in named.schema:
                annotated[named.key] = named
            for prop in (named.schema.get("properties") or {}).values():
                rule = prop.get("x-sdk-accumulate") if isinstance(prop, dict) else None
                if rule is None:
                    continue
                annotated[named.key] = named
                strategy = rule if isinstance(rule, str) else rule.get("strategy", "replace")
                if strategy in {"merge", "merge-by-index"}:
                    for target in self.refs_of(named.doc, prop):
                        if target.kind == "union":
                            merged_unions.add(target.key)
        out: dict[Key, ir.AccumulateRules] = {}
        for key in sorted(merged_unions, key=lambda k: (k.path, k.pointer)):
            union = self.index.named[key]
            for variant_key in self.index.union_variants.get(key, {}).values():
                annotated.setdefault(variant_key, self.index.named[variant_key])
            if self.index.is_open(union):
                unknown = "Unknown" + union.py_name
                out[Key(key.path, key.pointer + "#unknown")] = ir.AccumulateRules(
                    module=union.module,
                    class_ref=f"_{union.module}.{unknown}",
                    fields=(),
                    options='default="ignore"',
                    source=source_of(union),
                )
        for key, named in annotated.items():
            rules = self.accumulate_rules(named)
            if rules is not None:
                out[key] = rules
        return tuple(sorted(out.values(), key=lambda r: r.class_ref))

    def refs_of(self, doc: Document, schema: Any) -> list[Named]:
        """The named schemas a property refers to, directly, through a nullable anyOf, or
        as array items."""
        found: list[Named] = []
        stack = [schema]
        while stack:
            item = stack.pop()
            if not isinstance(item, dict):
                continue
            named = self.index.named_at(doc, item)
            if named is not None:
                found.append(named)
                continue
            stack.extend(item.get("anyOf", []) + item.get("oneOf", []))
            if "items" in item:
                stack.append(item["items"])
        return found

    def accumulate_rules(self, named: Named) -> ir.AccumulateRules | None:
        schema, doc = named.schema, named.doc
        props = schema.get("properties") or {}
        where = named.key.pointer
        fields: list[tuple[str, str]] = []
        tags = {
            self.index.named[u].schema["discriminator"]["propertyName"]
            for u in self.index.variant_of.get(named.key, [])
        }
        for wire, prop in props.items():
            rule = prop.get("x-sdk-accumulate") if isinstance(prop, dict) else None
            pointer = join_pointer(where, "properties", wire, "x-sdk-accumulate")
            if rule is None:
                if wire in tags:
                    fields.append((wire, 'FieldRule("ignore")'))
                continue
            spec: dict[str, Any] = {"strategy": rule} if isinstance(rule, str) else dict(rule)
            if "at" in spec:
                self.check_path(doc, pointer, spec["at"], props)
            args = [repr(spec.get("strategy", "replace"))]
            if spec.get("strategy") in {"merge", "merge-by-index"} or "strategy" not in spec:
                args.append(f"attr={py_field_name(wire)!r}")
            for name, arg in (
                ("into", "into"),
                ("at", "at"),
                ("key", "key"),
                ("identity", "identity"),
                ("keep-key", "keep_key"),
                ("text", "text"),
            ):
                if name in spec:
                    args.append(f"{arg}={spec[name]!r}")
            fields.append((wire, f"FieldRule({', '.join(args)})"))
        options = []
        whole = schema.get("x-sdk-accumulate")
        if whole is not None:
            pointer = join_pointer(where, "x-sdk-accumulate")
            spec = {"strategy": whole} if isinstance(whole, str) else dict(whole)
            for path_key in ("at", "finish"):
                if path_key in spec:
                    self.check_path(doc, pointer, spec[path_key], props)
            if "strategy" in spec:
                at = spec.get("at", "")
                options.append(f"whole=FieldRule({spec['strategy']!r}, at={at!r})")
            if "finish" in spec:
                options.append(f"finish={spec['finish']!r}")
            if "init" in spec:
                options.append(f"init={spec['init']!r}")
            for extra in sorted(set(spec) - {"strategy", "at", "finish", "init"}):
                self.index.error(doc, pointer, f"{extra!r} belongs on a property, not on a schema")
        if not fields and not options:
            return None
        return ir.AccumulateRules(
            module=named.module,
            class_ref=qualified(named),
            fields=tuple(fields),
            options=", ".join(options),
            source=source_of(named),
        )

    def check_path(self, doc: Document, pointer: str, path: str, props: dict[str, Any]) -> None:
        for name in re.findall(r"\{([^}]*)\}", path):
            if name not in props:
                self.index.error(
                    doc, pointer, f"{{{name}}} in {path!r} is not a property of this schema"
                )
