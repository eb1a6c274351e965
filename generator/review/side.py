"""Where the wire diff stands in one snapshot, and the small facts every comparison reads.

A :class:`Side` is one place in one snapshot (document, pointer, owning schema, Python
symbol); the functions here read a schema or a reference without grading anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from generator.core.errors import join_pointer
from generator.core.index import Key, Named
from generator.core.load import Document
from generator.review.snapshot import Snapshot

# A keyword a schema does not have (``None`` is a value a schema can hold).
MISSING = object()


def show(value: Any) -> str:
    """A schema value as messages print it."""
    if value is MISSING:
        return "(none)"
    return json.dumps(value, sort_keys=True)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def declared_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows on its own (None: any); ``$ref`` targets not followed."""
    types = schema.get("type")
    if isinstance(types, str):
        return frozenset({types})
    if isinstance(types, list):
        return frozenset(str(t) for t in types)
    if "const" in schema:
        return frozenset({_json_type(schema["const"])})
    if isinstance(schema.get("enum"), list):
        return frozenset(_json_type(v) for v in schema["enum"])
    if "properties" in schema or "additionalProperties" in schema:
        return frozenset({"object"})
    if "items" in schema or "prefixItems" in schema:
        return frozenset({"array"})
    return None


@dataclass(frozen=True)
class Side:
    """Where the walk is in one snapshot: document, pointer, owning schema, Python symbol."""

    snap: Snapshot
    doc: Document
    pointer: str
    owner: Named
    symbol: str  # the Python symbol this node shows up as
    label: str  # the schema path, for messages: ChatRequest.messages[]
    field: str | None = None  # the wire name, when this node is a property's own schema
    area: str = "schema"  # schema | parameter | header: what oasdiff's rule ids name it

    def child(self, *tokens: str | int, label: str, symbol: str | None = None) -> Side:
        return replace(
            self,
            pointer=join_pointer(self.pointer, *tokens),
            label=label,
            symbol=symbol or self.symbol,
            field=None,
        )

    @property
    def at_owner_root(self) -> bool:
        return self.pointer == self.owner.key.pointer and self.doc.path == self.owner.key.path

    @property
    def directions(self) -> set[str]:
        return set(self.owner.directions)


def class_symbol(snap: Snapshot, named: Named) -> str:
    return f"{snap.package.name}.{named.module}.{named.py_name}"


def root_side(snap: Snapshot, named: Named) -> Side:
    """The side at a named schema's own root, as the class the builder made of it."""
    return Side(snap, named.doc, named.key.pointer, named, class_symbol(snap, named), named.py_name)


def ref_key(side: Side, schema: dict[str, Any]) -> Key | None:
    """The target of the schema's ``$ref`` (None: not a reference)."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return None
    doc, pointer = side.snap.spec.resolve_ref(side.doc, ref)
    return Key(doc.path, pointer)


def is_named(snap: Snapshot, key: Key | None) -> bool:
    return key is not None and key in snap.top


def follow(side: Side, schema: dict[str, Any]) -> tuple[Side, dict[str, Any]]:
    """Replace a ``$ref`` by its target (keeping sibling keywords), moving the side there."""
    doc, pointer, target = side.snap.builder.deref(side.doc, schema)
    merged = dict(target) if isinstance(target, dict) else {}
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return replace(side, doc=doc, pointer=pointer), merged


def name_of(snap: Snapshot, key: Key) -> str:
    """A named schema's Python name, or the last token of its pointer when it has none."""
    named = snap.top.get(key)
    return named.py_name if named else key.pointer.rsplit("/", 1)[-1]
