"""The named schemas of a :class:`~generator.load.Spec`, and what every build step reads of them.

:class:`SchemaIndex` collects the named schemas (and the inline objects lifted into classes),
classifies them (model, enum, union, alias), records the variants of every tagged union and
which side of the wire each schema is on. It also holds what the steps write as they go: the
errors, collected and raised together, and the imports one generated module needs of another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from generator.core.errors import SchemaError, join_pointer
from generator.core.load import (
    SCHEMA_LISTS,
    SCHEMA_MAPS,
    SCHEMA_SINGLES,
    Document,
    Spec,
    lookup,
    named_schemas,
)
from generator.core.naming import class_name, module_name_for, pascal

SchemaKind = Literal["model", "enum", "union", "alias"]
Direction = Literal["request", "response"]
REQUEST: Final[Direction] = "request"
RESPONSE: Final[Direction] = "response"


@dataclass(frozen=True)
class Key:
    """A named schema: the document it lives in and its JSON pointer."""

    path: str
    pointer: str


@dataclass
class Named:
    key: Key
    name: str  # schema name
    py_name: str
    module: str
    schema: dict[str, Any]
    doc: Document
    kind: SchemaKind | None = None  # None until classified
    directions: set[str] = field(default_factory=set)
    synthetic_parent: str = ""  # for inline objects lifted into classes


def clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in str(text).strip().splitlines())


def describe(named: Named) -> str:
    text = clean(named.schema.get("description", ""))
    if not text and named.synthetic_parent:
        text = f"Part of {named.synthetic_parent}."
    return text or named.py_name


def source_of(named: Named) -> str:
    return f"{named.doc.source}#{named.key.pointer}"


def qualified(named: Named) -> str:
    """How the client modules name a generated class: ``_messages.ChatRequest``."""
    return f"_{named.module}.{named.py_name}"


class SchemaIndex:
    """The named schemas of one spec, their kinds, union variants and directions.

    Filled in order by :meth:`collect`, :meth:`classify` and :meth:`mark_directions`; the
    build steps then read it, lift inline objects into it (:meth:`lift_inline`) and record in
    it the errors they find and the imports the generated modules need (:meth:`use`).
    """

    def __init__(self, spec: Spec, package: str) -> None:
        self.spec = spec
        self.package = package
        self.errors: list[SchemaError] = []
        self.named: dict[Key, Named] = {}
        self.by_module_name: dict[tuple[str, str], Named] = {}
        # union key -> {tag: variant key}; variant key -> list of union keys
        self.union_variants: dict[Key, dict[str, Key]] = {}
        self.variant_of: dict[Key, list[Key]] = {}
        self.inline: dict[Key, Named] = {}
        self.imports: dict[str, set[tuple[str, str]]] = {}

    # --- helpers -----------------------------------------------------------------------

    def error(self, doc: Document, pointer: str, message: str) -> None:
        self.errors.append(doc.error(pointer, message))

    def deref(self, doc: Document, schema: Any) -> tuple[Document, str, Any]:
        """Follow ``$ref`` chains to (document, pointer, schema)."""
        pointer = ""
        seen = set()
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            target_doc, target_pointer = self.spec.resolve_ref(doc, schema["$ref"])
            if (target_doc.path, target_pointer) in seen:
                break
            seen.add((target_doc.path, target_pointer))
            doc, pointer = target_doc, target_pointer
            schema = lookup(doc.data, pointer)
        return doc, pointer, schema

    def ref_key(self, doc: Document, ref: str) -> Key:
        target_doc, pointer = self.spec.resolve_ref(doc, ref)
        return Key(target_doc.path, pointer)

    def named_at(self, doc: Document, schema: Any) -> Named | None:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            try:
                return self.named.get(self.ref_key(doc, schema["$ref"]))
            except KeyError:
                return None
        return None

    def use(self, module: str, target: Named) -> str:
        if target.module != module:
            self.imports.setdefault(module, set()).add((target.module, target.py_name))
        return target.py_name

    def param_name(self, named: Named) -> str | None:
        """``MessageParam``: the TypedDict a caller may pass for a request-side model or union
        (``MessageParamDict`` when a schema of the module is already named ``MessageParam``)."""
        if named.kind not in {"model", "union"} or REQUEST not in named.directions:
            return None
        taken = self.by_module_name
        for name in (f"{named.py_name}Param", f"{named.py_name}ParamDict"):
            if (named.module, name) not in taken:
                return name
        n = 2
        while (named.module, f"{named.py_name}Param{n}") in taken:
            n += 1
        return f"{named.py_name}Param{n}"

    def use_param(self, module: str, target: Named) -> str:
        """:meth:`param_name` of ``target`` as ``module`` spells it (imported when elsewhere)."""
        name = self.param_name(target) or target.py_name
        if target.module != module:
            self.imports.setdefault(module, set()).add((target.module, name))
        return name

    # --- phase 1: collect named schemas ------------------------------------------------

    def collect(self) -> None:
        for doc in self.spec.documents.values():
            module = module_name_for(doc.path)
            for name, pointer, schema in named_schemas(doc):
                py = schema.get("x-sdk-name") or class_name(name)
                self.register(Named(Key(doc.path, pointer), name, py, module, schema, doc))

    def register(self, named: Named) -> None:
        other = self.by_module_name.get((named.module, named.py_name))
        if other is not None:
            self.error(
                named.doc,
                named.key.pointer,
                f"Python name {named.py_name} in {self.package}.{named.module} is already taken by "
                f"{other.doc.source}#{other.key.pointer}",
            )
            return
        self.by_module_name[(named.module, named.py_name)] = named
        self.named[named.key] = named

    def lift_inline(
        self, doc: Document, pointer: str, schema: dict[str, Any], owner: Named
    ) -> Named:
        """An inline object with properties becomes a class named after where it sits."""
        key = Key(doc.path, pointer)
        if key in self.named:
            return self.named[key]
        tail = [
            p
            for p in pointer[len(owner.key.pointer) :].split("/")
            if p and p not in {"properties", "items", "oneOf", "anyOf", "additionalProperties"}
        ]
        py = schema.get("x-sdk-name") or owner.py_name + "".join(pascal(t) for t in tail)
        named = Named(
            key, py, py, owner.module, schema, doc, kind="model", synthetic_parent=owner.py_name
        )
        named.directions = set(owner.directions)
        self.register(named)
        self.inline[key] = named
        return named

    def classify(self) -> None:
        for named in list(self.named.values()):
            named.kind = self.kind_of(named.doc, named.key.pointer, named.schema)
        for named in list(self.named.values()):
            if named.kind == "union":
                self.collect_union(named)

    def kind_of(self, doc: Document, pointer: str, schema: dict[str, Any]) -> SchemaKind:
        if "enum" in schema and schema.get("type", "string") == "string":
            return "enum"
        if "discriminator" in schema and ("oneOf" in schema or "anyOf" in schema):
            return "union"
        if "properties" in schema and schema.get("type", "object") == "object":
            return "model"
        return "alias"

    def collect_union(self, union: Named) -> None:
        schema, doc, pointer = union.schema, union.doc, union.key.pointer
        disc = schema["discriminator"]
        prop = disc.get("propertyName")
        members = schema.get("oneOf") or schema.get("anyOf") or []
        mapping = disc.get("mapping") or {}
        tags: dict[str, Key] = {}
        for tag, target in mapping.items():
            try:
                tags[str(tag)] = self.ref_key(doc, target)
            except KeyError as exc:
                self.error(
                    doc,
                    join_pointer(pointer, "discriminator", "mapping", tag),
                    f"dangling {exc.args[0]}",
                )
        for index, member in enumerate(members):
            where = join_pointer(pointer, "oneOf" if "oneOf" in schema else "anyOf", index)
            if not isinstance(member, dict) or "$ref" not in member:
                self.error(
                    doc, where, "a tagged union member must be a $ref to a named object schema"
                )
                continue
            key = self.ref_key(doc, member["$ref"])
            variant = self.named.get(key)
            if variant is None or variant.kind != "model":
                self.error(
                    doc, where, "a tagged union member must be a $ref to a named object schema"
                )
                continue
            tag_schema = variant.schema.get("properties", {}).get(prop)
            _, _, tag_schema = self.deref(variant.doc, tag_schema)
            tag = None
            if isinstance(tag_schema, dict):
                if "const" in tag_schema:
                    tag = tag_schema["const"]
                elif isinstance(tag_schema.get("enum"), list) and len(tag_schema["enum"]) == 1:
                    tag = tag_schema["enum"][0]
            if tag is None:
                mapped = [t for t, k in tags.items() if k == key]
                if not mapped:
                    self.error(
                        variant.doc,
                        variant.key.pointer,
                        f"variant of tagged union {union.name} needs a const {prop!r} property",
                    )
                    continue
                tag = mapped[0]
            if prop not in variant.schema.get("required", []):
                self.error(
                    variant.doc,
                    join_pointer(variant.key.pointer, "required"),
                    f"the tag property {prop!r} of a union variant must be required",
                )
            if str(tag) in tags and tags[str(tag)] != key:
                self.error(
                    doc,
                    join_pointer(pointer, "discriminator", "mapping", str(tag)),
                    f"tag {tag!r} maps to {tags[str(tag)].pointer} but member {index} has it",
                )
            tags[str(tag)] = key
            self.variant_of.setdefault(key, []).append(union.key)
        for tag, key in tags.items():
            if key not in self.named or self.named[key].kind != "model":
                self.error(
                    doc,
                    join_pointer(pointer, "discriminator", "mapping", tag),
                    "discriminator mapping must name an object schema",
                )
        self.union_variants[union.key] = tags

    # --- phase 2: which side of the wire ---------------------------------------------

    def mark_directions(self) -> None:
        ops: list[tuple[Document, str, dict[str, Any]]] = []
        for doc in self.spec.documents.values():
            if not doc.is_openapi:
                continue
            for path, item in (doc.data.get("paths") or {}).items():
                for method, op in item.items():
                    if method in {"get", "post", "put", "patch", "delete"} and isinstance(op, dict):
                        ops.append((doc, join_pointer("/paths", path, method), op))
        for doc, _, op in ops:
            body = (op.get("requestBody") or {}).get("content", {})
            for media_obj in body.values():
                self.mark(doc, media_obj.get("schema"), REQUEST)
            for response in (op.get("responses") or {}).values():
                for media_obj in (response.get("content") or {}).values():
                    self.mark(doc, media_obj.get("schema"), RESPONSE)

    def mark(self, doc: Document, schema: Any, direction: str) -> None:
        stack = [(doc, schema)]
        seen: set[tuple[str, int]] = set()
        while stack:
            doc, schema = stack.pop()
            if isinstance(schema, list):
                stack.extend((doc, s) for s in schema)
                continue
            if not isinstance(schema, dict):
                continue
            if (doc.path, id(schema)) in seen:
                continue
            seen.add((doc.path, id(schema)))
            ref = schema.get("$ref")
            if isinstance(ref, str):
                target_doc, pointer = self.spec.resolve_ref(doc, ref)
                named = self.named.get(Key(target_doc.path, pointer))
                if named is not None:
                    if direction in named.directions:
                        continue
                    named.directions.add(direction)
                stack.append((target_doc, lookup(target_doc.data, pointer)))
                continue
            for key, value in schema.items():
                if key in SCHEMA_MAPS:
                    if isinstance(value, dict):
                        stack.extend((doc, v) for v in value.values())
                elif key in SCHEMA_SINGLES or key in SCHEMA_LISTS:
                    stack.append((doc, value))
                elif key == "discriminator" and isinstance(value, dict):
                    for target in (value.get("mapping") or {}).values():
                        stack.append((doc, {"$ref": target}))

    def is_response_side(self, named: Named) -> bool:
        # Schemas reached by no operation are treated as response-side: lenient is the safe default.
        return RESPONSE in named.directions or not named.directions

    def is_open(self, named: Named) -> bool:
        explicit = named.schema.get("x-sdk-open")
        if isinstance(explicit, bool):
            return explicit
        return self.is_response_side(named)
