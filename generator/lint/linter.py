"""``sdkforge lint``: conventions that keep the schemas reviewable.

The loader already rejects what cannot be generated; lint checks what makes a schema easy
to read, review and evolve: every schema and property described, every named schema with
examples, names that follow one style, every enum value documented, ``x-sdk-*`` keys only
where they mean something, no anonymous inline object that silently becomes a public
class, and tagged unions whose tags agree with their mappings.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from generator.core.build import Builder
from generator.core.errors import SchemaError, SchemaErrors, join_pointer
from generator.core.load import Document, Spec, named_schemas, walk

_SCHEMA_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ENUM_VALUE = re.compile(r"^[a-z0-9][a-z0-9_.:-]*$")
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})

RULES: dict[str, str] = {
    "description-missing": "Every named schema and every property has a description.",
    "examples-missing": "Every named schema has a non-empty `examples` list.",
    "schema-name": "Named schemas are PascalCase.",
    "property-name": "Property names are snake_case.",
    "enum-value-name": "String enum values are lower case (snake_case, dots or dashes).",
    "enum-undocumented": "`x-sdk-enum-descriptions` describes every enum value, in order.",
    "extension-placement": "Each `x-sdk-*` key sits where it has an effect.",
    "inline-object": "An inline object with properties becomes a public class: name it "
    "(a component, or `x-sdk-name`).",
    "object-type": "A schema with `properties` declares `type: object`.",
    "discriminator-mapping": "A tagged union's mapping lists exactly its `oneOf` members.",
    "discriminator-tag": "Each variant requires its tag property as a string `const` equal to "
    "its mapping key.",
    "discriminator-property": "All tagged unions are tagged by the same property.",
}


@dataclass(frozen=True, order=True)
class LintFinding:
    file: str
    line: int | None
    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.pointer or '/'}: [{self.rule}] {self.message}"


class Linter:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.findings: list[LintFinding] = []
        self.build_errors: list[SchemaError] = []

    def add(self, doc: Document, pointer: str, rule: str, message: str) -> None:
        self.findings.append(
            LintFinding(f"schemas/{doc.path}", doc.line(pointer), pointer, rule, message)
        )

    def run(self) -> list[LintFinding]:
        for doc in self.spec.documents.values():
            for name, pointer, schema in named_schemas(doc):
                self.named(doc, name, pointer, schema)
            self.extensions(doc)
        self.inline_objects()
        self.discriminator_properties()
        return sorted(set(self.findings))

    # --- named schemas -------------------------------------------------------------------

    def named(self, doc: Document, name: str, pointer: str, schema: dict[str, Any]) -> None:
        if not _SCHEMA_NAME.match(name):
            self.add(doc, pointer, "schema-name", f"{name!r} is not PascalCase")
        if not _text(schema.get("description")):
            self.add(doc, pointer, "description-missing", f"schema {name} has no description")
        examples = schema.get("examples")
        if not isinstance(examples, list) or not examples:
            self.add(doc, pointer, "examples-missing", f"schema {name} has no examples")
        for sub_pointer, sub in _subschemas(schema, pointer):
            self.schema(doc, sub_pointer, sub)
        if "discriminator" in schema:
            self.union(doc, name, pointer, schema)

    def schema(self, doc: Document, pointer: str, schema: dict[str, Any]) -> None:
        """Checks that apply to any schema, named or nested."""
        props = schema.get("properties")
        if isinstance(props, dict):
            if schema.get("type") != "object":
                self.add(
                    doc, pointer, "object-type", "an object with properties needs type: object"
                )
            for prop, prop_schema in props.items():
                where = join_pointer(pointer, "properties", prop)
                if not _PROPERTY_NAME.match(prop):
                    self.add(doc, where, "property-name", f"property {prop!r} is not snake_case")
                if isinstance(prop_schema, dict) and not _text(prop_schema.get("description")):
                    self.add(
                        doc, where, "description-missing", f"property {prop!r} has no description"
                    )
        values = schema.get("enum")
        if isinstance(values, list) and all(isinstance(v, str) or v is None for v in values):
            for value in values:
                if isinstance(value, str) and not _ENUM_VALUE.match(value):
                    self.add(
                        doc,
                        join_pointer(pointer, "enum"),
                        "enum-value-name",
                        f"enum value {value!r} is not lower case",
                    )
            described = schema.get("x-sdk-enum-descriptions")
            wanted = [v for v in values if v is not None]
            if not isinstance(described, dict):
                if _is_named(pointer):
                    self.add(
                        doc,
                        pointer,
                        "enum-undocumented",
                        "an enum needs x-sdk-enum-descriptions for its values",
                    )
            elif list(described) != wanted or not all(_text(d) for d in described.values()):
                missing = [v for v in wanted if not _text(described.get(v))]
                detail = f"missing {missing}" if missing else "not in the order of `enum`"
                self.add(
                    doc,
                    join_pointer(pointer, "x-sdk-enum-descriptions"),
                    "enum-undocumented",
                    f"enum descriptions must cover every value, in order: {detail}",
                )

    # --- tagged unions ---------------------------------------------------------------------

    def union(self, doc: Document, name: str, pointer: str, schema: dict[str, Any]) -> None:
        disc = schema.get("discriminator") or {}
        prop = disc.get("propertyName")
        members = schema.get("oneOf") or schema.get("anyOf") or []
        refs = [
            m["$ref"] for m in members if isinstance(m, dict) and isinstance(m.get("$ref"), str)
        ]
        mapping = disc.get("mapping") or {}
        where = join_pointer(pointer, "discriminator", "mapping")
        if sorted(mapping.values()) != sorted(refs):
            unmapped = sorted(set(refs) - set(mapping.values()))
            extra = sorted(set(mapping.values()) - set(refs))
            parts = ([f"members without a tag: {unmapped}"] if unmapped else []) + (
                [f"tags of no member: {extra}"] if extra else []
            )
            self.add(
                doc,
                where,
                "discriminator-mapping",
                f"{name}: the mapping must list every member once ({'; '.join(parts) or 'duplicates'})",
            )
        for tag, ref in mapping.items():
            try:
                target_doc, target_pointer = self.spec.resolve_ref(doc, ref)
            except KeyError:
                continue  # the loader reports dangling references
            variant = self.spec.node(target_doc, target_pointer)
            if not isinstance(variant, dict):
                continue
            tag_schema = (variant.get("properties") or {}).get(prop)
            vname = target_pointer.rsplit("/", 1)[-1]
            if (
                not isinstance(tag_schema, dict)
                or tag_schema.get("const") != tag
                or tag_schema.get("type", "string") != "string"
            ):
                self.add(
                    target_doc,
                    join_pointer(target_pointer, "properties", str(prop)),
                    "discriminator-tag",
                    f"{vname}.{prop} must be the string const {tag!r} (its tag in {name})",
                )
            if prop not in (variant.get("required") or []):
                self.add(
                    target_doc,
                    join_pointer(target_pointer, "required"),
                    "discriminator-tag",
                    f"{vname} must require its tag property {prop!r}",
                )

    def discriminator_properties(self) -> None:
        unions = [
            (doc, pointer, schema["discriminator"].get("propertyName"))
            for doc in self.spec.documents.values()
            for _, pointer, schema in named_schemas(doc)
            if isinstance(schema.get("discriminator"), dict)
        ]
        counts = Counter(prop for _, _, prop in unions)
        if len(counts) < 2:
            return
        usual = sorted(counts, key=lambda p: (-counts[p], str(p)))[0]
        for doc, pointer, prop in unions:
            if prop != usual:
                self.add(
                    doc,
                    join_pointer(pointer, "discriminator", "propertyName"),
                    "discriminator-property",
                    f"tagged by {prop!r}; the other unions use {usual!r}",
                )

    # --- inline objects ----------------------------------------------------------------------

    def inline_objects(self) -> None:
        builder = Builder(self.spec)
        try:
            builder.build()
        except SchemaErrors as exc:  # kept for the CLI: schemas that cannot generate exit 2
            self.build_errors = list(exc.errors)
            return
        for key, named in sorted(
            builder.inline.items(), key=lambda kv: (kv[0].path, kv[0].pointer)
        ):
            if "x-sdk-name" in named.schema:
                continue
            self.add(
                named.doc,
                key.pointer,
                "inline-object",
                f"this inline object becomes the public class {named.py_name}; make it a named "
                "schema or give it x-sdk-name",
            )

    # --- extensions ------------------------------------------------------------------------------

    def extensions(self, doc: Document) -> None:
        for pointer, mapping in walk(doc.data):
            keys = [k for k in mapping if isinstance(k, str) and k.startswith("x-sdk-")]
            if not keys or _in_data(pointer):
                continue
            context = _context(doc, pointer, mapping)
            for key in keys:
                allowed = _PLACES.get(key)
                if allowed is None or context in allowed:
                    if key == "x-sdk-send-default" and "default" not in mapping:
                        self.add(
                            doc,
                            join_pointer(pointer, key),
                            "extension-placement",
                            "x-sdk-send-default needs a default beside it",
                        )
                    continue
                self.add(
                    doc,
                    join_pointer(pointer, key),
                    "extension-placement",
                    f"{key} has no effect on {_CONTEXT_NAMES[context]}; it belongs on "
                    + " or ".join(_CONTEXT_NAMES[c] for c in sorted(allowed)),
                )


_CONTEXT_NAMES = {
    "operation": "an operation",
    "event-stream": "a text/event-stream media type",
    "enum": "an enum",
    "union": "a tagged union",
    "object": "an object schema",
    "alias": "an untagged union or other named schema",
    "property": "a property",
    "inline": "an inline schema",
    "other": "this object",
}
_PLACES: dict[str, frozenset[str]] = {
    "x-sdk-resource": frozenset({"operation"}),
    "x-sdk-method": frozenset({"operation"}),
    "x-sdk-stream": frozenset({"event-stream"}),
    "x-sdk-name": frozenset({"enum", "union", "object", "alias", "inline", "property"}),
    "x-sdk-open": frozenset({"enum", "union"}),
    "x-sdk-enum-descriptions": frozenset({"enum"}),
    "x-sdk-constructors": frozenset({"object", "union"}),
    "x-sdk-accessors": frozenset({"object", "enum", "alias"}),
    "x-sdk-constants": frozenset({"object", "union", "enum", "alias"}),
    "x-sdk-send-default": frozenset({"property"}),
    # on a property: how the field folds; on an event or chunk schema: how the whole event does
    "x-sdk-accumulate": frozenset({"property", "object", "union", "inline"}),
}


def _context(doc: Document, pointer: str, mapping: dict[str, Any]) -> str:
    parts = pointer.split("/")
    if len(parts) == 4 and parts[1] == "paths" and parts[3] in _HTTP_METHODS:
        return "operation"
    if len(parts) >= 2 and parts[-2] == "content" and parts[-1] == "text~1event-stream":
        return "event-stream"
    if _is_named(pointer):
        if "enum" in mapping:
            return "enum"
        if "discriminator" in mapping:
            return "union"
        if "properties" in mapping:
            return "object"
        return "alias"
    if len(parts) >= 2 and parts[-2] == "properties":
        return "property"
    if "properties" in mapping or "type" in mapping or "enum" in mapping:
        return "inline"
    return "other"


def _is_named(pointer: str) -> bool:
    parts = pointer.split("/")
    return (len(parts) == 4 and parts[1:3] == ["components", "schemas"]) or (
        len(parts) == 3 and parts[1] == "$defs"
    )


def _in_data(pointer: str) -> bool:
    data = {
        "examples",
        "example",
        "default",
        "const",
        "enum",
        "x-sdk-constructors",
        "x-sdk-accessors",
    }
    return any(p in data for p in pointer.split("/")[:-1]) or pointer.rsplit("/", 1)[-1] in data


def _subschemas(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``schema`` and the schemas that define values nested in it (not following ``$ref``).

    ``if``/``then``/``not`` hold conditions on a value, not definitions of one: skipped.
    """
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in ("items", "additionalProperties", "contains"):
        if isinstance(schema.get(key), dict):
            yield from _subschemas(schema[key], join_pointer(pointer, key))
    for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
        for index, sub in enumerate(schema.get(key) or []):
            yield from _subschemas(sub, join_pointer(pointer, key, index))
    for prop, sub in (schema.get("properties") or {}).items():
        yield from _subschemas(sub, join_pointer(pointer, "properties", prop))


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def lint(spec: Spec) -> list[LintFinding]:
    return Linter(spec).run()


def lint_and_build(spec: Spec) -> tuple[list[LintFinding], list[SchemaError]]:
    """The findings, and the errors that keep these schemas from generating at all."""
    linter = Linter(spec)
    findings = linter.run()
    return findings, linter.build_errors


def to_json(findings: list[LintFinding]) -> str:
    return json.dumps([asdict(f) for f in findings], indent=2) + "\n"
