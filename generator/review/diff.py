"""The wire-level diff: walk two snapshots' schemas side by side and grade each change.

The walk starts at every named schema and every operation, and descends through
properties, items, ``additionalProperties`` and untagged ``oneOf``/``anyOf`` branches. A
``$ref`` to a named schema is compared by name only (the target is compared on its own),
so one change is reported once, where it was made. Each finding is graded on the side(s)
of the wire its schema travels (the builder's ``directions``) using the facts that decide
it: whether the object was closed, the property required, the enum or union open, the
field typed as a ``Literal`` or as ``Optional`` in the previous SDK.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from generator.core.errors import join_pointer
from generator.core.hints import _CONSTRAINTS, split_union
from generator.core.index import REQUEST as DIR_REQUEST
from generator.core.index import RESPONSE as DIR_RESPONSE
from generator.core.index import Key, Named
from generator.core.load import Document, lookup
from generator.core.manifest import method_symbol
from generator.core.naming import enum_member_name, py_field_name
from generator.core.operations import iter_operations as walk_operations
from generator.core.operations import operation_pointer
from generator.review.findings import Finding
from generator.review.rules import (
    BOTH,
    BREAKING,
    REQUEST,
    RESPONSE,
    SAFE,
    WARNING,
    Grade,
    worst,
)
from generator.review.snapshot import Snapshot

_MISSING = object()
# Keywords that document a schema without constraining it: a rename may change them.
_DOC_KEYS = frozenset(
    {
        "description",
        "examples",
        "example",
        "title",
        "$comment",
        "x-sdk-enum-descriptions",
        "x-sdk-name",
    }
)
# Keywords the generated models check at run time (pydantic ``Field`` arguments).
_SDK_CHECKED = frozenset(_CONSTRAINTS) | {"pattern"}
_BOUNDS = {
    "minimum": ("numeric", "min"),
    "exclusiveMinimum": ("numeric", "min"),
    "maximum": ("numeric", "max"),
    "exclusiveMaximum": ("numeric", "max"),
    "multipleOf": ("numeric", "multiple"),
    "minLength": ("length", "min"),
    "maxLength": ("length", "max"),
    "minItems": ("items", "min"),
    "maxItems": ("items", "max"),
    "uniqueItems": ("items", "flag"),
    "minProperties": ("properties", "min"),
    "maxProperties": ("properties", "max"),
}


def _show(value: Any) -> str:
    if value is _MISSING:
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


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


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


class Differ:
    def __init__(self, old: Snapshot, new: Snapshot) -> None:
        self.old = old
        self.new = new
        self.findings: list[Finding] = []
        self.renames = detect_renames(old, new)
        self.renamed_to = set(self.renames.values())
        self.seen: set[tuple[str, str, str, str, str]] = set()

    # --- entry points -------------------------------------------------------------------

    def run(self) -> list[Finding]:
        self.operations()
        self.components()
        return self.findings

    def root_side(self, snap: Snapshot, named: Named) -> Side:
        return Side(
            snap, named.doc, named.key.pointer, named, class_symbol(snap, named), named.py_name
        )

    def components(self) -> None:
        keys = sorted(set(self.old.top) | set(self.new.top), key=lambda k: (k.path, k.pointer))
        for key in keys:
            o, n = self.old.top.get(key), self.new.top.get(key)
            if o is not None and n is not None:
                self.node(
                    self.root_side(self.old, o), self.root_side(self.new, n), o.schema, n.schema
                )
            elif o is not None:
                target = self.renames.get(key)
                if target is not None:
                    self.component_renamed(o, self.new.top[target])
                else:
                    self.component_removed(o)
            elif n is not None and key not in self.renamed_to:
                self.component_added(n)

    # --- grading and emitting ---------------------------------------------------------------

    def emit(
        self,
        rule: str,
        old: Side | None,
        new: Side | None,
        *,
        request: Grade | None,
        response: Grade | None,
        message: str,
        detail: str = "",
        refs: list[tuple[str | None, str | None]] | None = None,
        covers: list[str] | None = None,
        mentions: list[str] | None = None,
        sides: set[str] | None = None,
        absorbed: bool = False,
    ) -> Finding:
        if sides is None:
            sides = set()
            for side in (old, new):
                if side is not None:
                    sides |= side.directions
        # A schema no operation reaches is treated like a response, as the builder does.
        directions = {d for d in sides if d in (DIR_REQUEST, DIR_RESPONSE)} or {DIR_RESPONSE}
        grades = []
        if DIR_REQUEST in directions and request is not None:
            grades.append((REQUEST, request))
        if DIR_RESPONSE in directions and response is not None:
            grades.append((RESPONSE, response))
        if not grades:  # a rule that cannot happen on this side is graded on the other
            only = request or response
            assert only is not None
            grades.append((RESPONSE if response else REQUEST, only))
        wire = worst(*(g.wire for _, g in grades))
        sdk = worst(*(g.sdk for _, g in grades))
        if len(grades) == 1:
            reason = grades[0][1].reason
        elif grades[0][1].reason == grades[1][1].reason:
            reason = grades[0][1].reason
        else:
            reason = " ".join(f"{side.capitalize()} side: {g.reason}" for side, g in grades)
        direction = BOTH if len(directions) == 2 else next(iter(directions))
        anchor = new if new is not None else old
        assert anchor is not None
        file, line, pointer = self.locate(old, new)
        finding = Finding(
            rule=rule,
            direction=direction,
            wire=wire,
            sdk=sdk,
            reason=reason,
            message=message,
            file=file,
            line=line,
            pointer=pointer,
            subject=f"{anchor.doc.path}#{anchor.pointer}",
            detail=detail,
            refs=refs
            if refs is not None
            else [(old.symbol if old else None, new.symbol if new else None)],
            covers=covers or [],
            mentions=mentions or [],
            absorbed=absorbed,
        )
        self.findings.append(finding)
        return finding

    def locate(self, old: Side | None, new: Side | None) -> tuple[str, int | None, str]:
        """The head-side file and line (a removed thing points at its nearest surviving parent)."""
        if new is not None:
            return f"schemas/{new.doc.path}", new.doc.line(new.pointer), new.pointer
        assert old is not None
        head_doc = self.new.spec.documents.get(old.doc.path)
        doc = head_doc or old.doc
        return f"schemas/{doc.path}", doc.line(old.pointer), old.pointer

    # --- references and renames ---------------------------------------------------------------

    def ref_key(self, side: Side, schema: dict[str, Any]) -> Key | None:
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            return None
        doc, pointer = side.snap.spec.resolve_ref(side.doc, ref)
        return Key(doc.path, pointer)

    def is_named(self, snap: Snapshot, key: Key | None) -> bool:
        return key is not None and key in snap.top

    def follow(self, side: Side, schema: dict[str, Any]) -> tuple[Side, dict[str, Any]]:
        """Replace a ``$ref`` by its target (keeping sibling keywords), moving the side there."""
        doc, pointer, target = side.snap.builder.deref(side.doc, schema)
        merged = dict(target) if isinstance(target, dict) else {}
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return replace(side, doc=doc, pointer=pointer), merged

    def name_of(self, snap: Snapshot, key: Key) -> str:
        named = snap.top.get(key)
        return named.py_name if named else key.pointer.rsplit("/", 1)[-1]

    # --- schema nodes -------------------------------------------------------------------------

    def node(self, o: Side, n: Side, os_: Any, ns: Any) -> None:
        # A pair of places is compared once: references that loop, or that reach the same
        # inline schema twice, neither recurse forever nor report a change twice.
        visit = (o.doc.path, o.pointer, n.doc.path, n.pointer, o.symbol)
        if visit in self.seen:
            return
        self.seen.add(visit)
        if not isinstance(os_, dict) or not isinstance(ns, dict):
            if os_ != ns:
                self.type_change("type-changed", o, n, f"{_show(os_)} → {_show(ns)}")
            return
        okey, nkey = self.ref_key(o, os_), self.ref_key(n, ns)
        if self.is_named(self.old, okey) and self.is_named(self.new, nkey):
            assert okey is not None and nkey is not None
            if self.renames.get(okey, okey) != nkey:
                before, after = self.name_of(self.old, okey), self.name_of(self.new, nkey)
                self.type_change("type-changed", o, n, f"now `{after}` instead of `{before}`")
                return
            self.annotations(o, n, os_, ns)
            return
        if okey is not None:
            o, os_ = self.follow(o, os_)
        if nkey is not None:
            n, ns = self.follow(n, ns)
        if "discriminator" in os_ or "discriminator" in ns:
            if "discriminator" in os_ and "discriminator" in ns and o.at_owner_root:
                self.union(o, n, os_, ns)
            elif ("discriminator" in os_) != ("discriminator" in ns):
                self.type_change("type-changed", o, n, "tagged union changed to another shape")
            return
        if any(c in s for c in ("oneOf", "anyOf") for s in (os_, ns)):
            self.branches(o, n, os_, ns)
            self.annotations(o, n, os_, ns)
            return
        if not self.types(o, n, os_, ns):
            return
        self.values(o, n, os_, ns)
        self.annotations(o, n, os_, ns)
        self.bounds(o, n, os_, ns)
        if "items" in os_ or "items" in ns:
            self.node(
                o.child("items", label=o.label + "[]"),
                n.child("items", label=n.label + "[]"),
                os_.get("items", {}),
                ns.get("items", {}),
            )
        if any(k in s for k in ("properties", "additionalProperties") for s in (os_, ns)):
            self.object(o, n, os_, ns)

    # types ------------------------------------------------------------------------------------

    def type_change(self, rule: str, o: Side, n: Side, message: str) -> None:
        grades = {
            "type-changed": (
                Grade(BREAKING, BREAKING, "Old clients send values the new schema rejects."),
                Grade(
                    BREAKING, BREAKING, "Old clients receive values of a type they do not expect."
                ),
            ),
            "type-widened": (
                Grade(SAFE, SAFE, "Everything old clients send is still accepted."),
                Grade(
                    BREAKING,
                    BREAKING,
                    "Old clients, and the previous SDK's models, receive values they do not accept.",
                ),
            ),
            "type-narrowed": (
                Grade(BREAKING, BREAKING, "Some values old clients send are now rejected."),
                Grade(SAFE, SAFE, "Old clients only receive values they already accept."),
            ),
        }[rule]
        self.emit(
            rule,
            o,
            n,
            request=grades[0],
            response=grades[1],
            message=f"{n.label}: {message}",
            detail=message,
        )

    def types(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> bool:
        """Compare JSON types and nullability; False when the types are unrelated."""
        ot, nt = declared_types(os_), declared_types(ns)
        onull = ot is not None and "null" in ot
        nnull = nt is not None and "null" in nt
        if onull != nnull:
            self.nullable(o, n, added=nnull)
        ot = ot - {"null"} if ot is not None else None
        nt = nt - {"null"} if nt is not None else None
        if ot == nt or (not ot and not nt):
            return True

        def show(types: frozenset[str] | None) -> str:
            return "any" if types is None else " | ".join(sorted(types)) or "null"

        message = f"type {show(ot)} → {show(nt)}"
        if ot is None or not ot:
            self.type_change("type-narrowed", o, n, message)
            return True
        if nt is None or not nt:
            self.type_change("type-widened", o, n, message)
            return True
        if _covers(nt, ot):
            self.type_change("type-widened", o, n, message)
            return True
        if _covers(ot, nt):
            self.type_change("type-narrowed", o, n, message)
            return True
        self.type_change("type-changed", o, n, message)
        return False

    def previous_hint(self, o: Side) -> str | None:
        entry = self.old.symbols.get(o.symbol)
        if entry is None:
            return None
        return str(entry.get("type") or "") or None

    def nullable(self, o: Side, n: Side, added: bool) -> None:
        if added:
            hint = self.previous_hint(o) if o.field is not None else None
            optional = hint is not None and "None" in split_union(hint)
            response = (
                Grade(
                    BREAKING,
                    SAFE,
                    "Clients that expect a value may now get null; the previous SDK already "
                    f"types `{o.label}` as Optional.",
                )
                if optional
                else Grade(
                    BREAKING, BREAKING, "Old clients, and the previous SDK, reject null here."
                )
            )
            self.emit(
                "nullable-added",
                o,
                n,
                request=Grade(SAFE, SAFE, "Old clients never send null; they keep working."),
                response=response,
                message=f"{n.label} may now be null",
            )
        else:
            self.emit(
                "nullable-removed",
                o,
                n,
                request=Grade(BREAKING, BREAKING, "Old clients that send null are now rejected."),
                response=Grade(
                    SAFE, SAFE, "Old clients no longer receive null, which they handled."
                ),
                message=f"{n.label} may no longer be null",
            )

    def branches(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        """Untagged ``oneOf``/``anyOf``: branches matched by what they are."""
        ob, nb = self.branch_map(o, os_, old=True), self.branch_map(n, ns, old=False)
        if ("null" in ob) != ("null" in nb):
            self.nullable(o, n, added="null" in nb)
        for sig in sorted(set(ob) - set(nb) - {"null"}):
            self.type_change("type-narrowed", o, n, f"no longer accepts {sig}")
        for sig in sorted(set(nb) - set(ob) - {"null"}):
            self.type_change("type-widened", o, n, f"now also accepts {sig}")
        for sig in sorted(set(ob) & set(nb) - {"null"}):
            (otok, obranch), (ntok, nbranch) = ob[sig], nb[sig]
            oc = o.child(*otok, label=o.label) if otok else o
            nc = n.child(*ntok, label=n.label) if ntok else n
            self.node(oc, nc, obranch, nbranch)

    def branch_map(
        self, side: Side, schema: dict[str, Any], old: bool
    ) -> dict[str, tuple[tuple[str | int, ...], Any]]:
        out: dict[str, tuple[tuple[str | int, ...], Any]] = {}
        combinator = "oneOf" if "oneOf" in schema else "anyOf" if "anyOf" in schema else None
        if combinator is None:
            for sig in self.signatures(side, schema, old):
                out.setdefault(sig, ((), schema))
            return out
        for index, branch in enumerate(schema.get(combinator) or []):
            for sig in self.signatures(side, branch, old):
                out.setdefault(sig, ((combinator, index), branch))
        return out

    def signatures(self, side: Side, schema: Any, old: bool) -> list[str]:
        if not isinstance(schema, dict):
            return ["any"]
        key = self.ref_key(side, schema)
        if key is not None:
            snap = side.snap
            if old:
                key = self.renames.get(key, key)
                snap = self.new if key in self.new.top else self.old
            return [f"`{self.name_of(snap, key)}`"]
        types = declared_types(schema)
        if types is None:
            return ["any"]
        return sorted(types) or ["null"]

    # values ------------------------------------------------------------------------------------

    def values(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        oe, ne = os_.get("enum"), ns.get("enum")
        if isinstance(oe, list) and isinstance(ne, list):
            old_values = [v for v in oe if v is not None]
            new_values = [v for v in ne if v is not None]
            for value in new_values:
                if value not in old_values:
                    self.enum_value(o, n, value, added=True)
            for value in old_values:
                if value not in new_values:
                    self.enum_value(o, n, value, added=False)
        elif isinstance(oe, list) != isinstance(ne, list):
            rule = "type-narrowed" if isinstance(ne, list) else "type-widened"
            what = "now limited to" if isinstance(ne, list) else "no longer limited to"
            values = ne if isinstance(ne, list) else oe
            self.type_change(rule, o, n, f"{what} {_show(values)}")
        oc, nc = os_.get("const", _MISSING), ns.get("const", _MISSING)
        if oc != nc:
            if self.is_tag(o) or self.is_tag(n):
                return  # a variant's tag: the union reports it as a renamed variant
            if oc is _MISSING:
                self.type_change("type-narrowed", o, n, f"now always {_show(nc)}")
            elif nc is _MISSING:
                self.type_change("type-widened", o, n, f"no longer always {_show(oc)}")
            else:
                self.const_changed(o, n, oc, nc)

    def is_tag(self, side: Side) -> bool:
        if side.field is None:
            return False
        builder = side.snap.builder
        return any(
            builder.named[u].schema["discriminator"].get("propertyName") == side.field
            for u in builder.variant_of.get(side.owner.key, [])
        )

    def member_symbol(self, side: Side, value: Any) -> str:
        if side.owner.kind == "enum" and side.at_owner_root:
            return f"{side.symbol}.{enum_member_name(value)}"
        return side.symbol

    def enum_value(self, o: Side, n: Side, value: Any, added: bool) -> None:
        named_enum = o.owner.kind == "enum" and o.at_owner_root
        if added:
            if named_enum:
                absorbed = o.snap.builder.is_open(o.owner)
                what = f"`{o.owner.py_name}` is an open enum"
            else:
                hint = self.previous_hint(o) or ""
                absorbed = "str" in split_union(hint)
                what = f"`{o.label}` is typed `{hint}`" if hint else f"`{o.label}` is closed"
            response = (
                Grade(
                    WARNING,
                    SAFE,
                    f"Safe for this SDK: {what}, so the previous SDK keeps the new value as an "
                    "unknown value instead of failing; clients that validate responses strictly "
                    "may reject it.",
                )
                if absorbed
                else Grade(
                    WARNING,
                    BREAKING,
                    f"The previous SDK rejects the new value: {what}.",
                )
            )
            self.emit(
                "enum-value-added",
                o,
                n,
                request=Grade(SAFE, SAFE, "Old clients never send the new value."),
                response=response,
                message=f"{n.label} gained the value {_show(value)}",
                detail=_show(value),
                refs=[(None, self.member_symbol(n, value))]
                if named_enum
                else [(o.symbol, n.symbol)],
                absorbed=absorbed,
                mentions=[n.owner.py_name] if named_enum else [],
            )
        else:
            sdk = BREAKING if named_enum else SAFE
            why = (
                f"the member `{self.member_symbol(o, value).rsplit('.', 1)[-1]}` is gone"
                if named_enum
                else "it is typed with a Literal that loses the value"
            )
            self.emit(
                "enum-value-removed",
                o,
                n,
                request=Grade(BREAKING, BREAKING, f"Old clients that send it are rejected; {why}."),
                response=Grade(
                    SAFE,
                    sdk,
                    f"Clients no longer receive it; {why}."
                    if named_enum
                    else "Clients no longer receive it; the previous SDK types the field "
                    "`Literal[…] | str`, so nothing breaks.",
                ),
                message=f"{n.label} lost the value {_show(value)}",
                detail=_show(value),
                refs=[(self.member_symbol(o, value), None)]
                if named_enum
                else [(o.symbol, n.symbol)],
                mentions=[o.owner.py_name] if named_enum else [],
            )

    def const_changed(self, o: Side, n: Side, before: Any, after: Any) -> None:
        hint = self.previous_hint(o) or ""
        literal = "Literal[" in hint
        self.emit(
            "const-changed",
            o,
            n,
            request=Grade(BREAKING, BREAKING, "Old clients send the old constant."),
            response=Grade(
                BREAKING,
                BREAKING if literal else WARNING,
                "The previous SDK types it as a Literal of the old value."
                if literal
                else f"The previous SDK types it `{hint or 'str'}`, so parsing still works, but code "
                "comparing against the old value no longer matches.",
            ),
            message=f"{n.label} is now {_show(after)} instead of {_show(before)}",
            detail=f"{_show(before)} → {_show(after)}",
        )

    # annotations -------------------------------------------------------------------------------

    def annotations(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        od, nd = os_.get("default", _MISSING), ns.get("default", _MISSING)
        if od != nd:
            self.emit(
                "default-changed",
                o,
                n,
                request=Grade(
                    WARNING, WARNING, "Callers that leave it out now get another behaviour."
                ),
                response=Grade(WARNING, WARNING, "An absent value now means something else."),
                message=f"{n.label}: default {_show(od)} → {_show(nd)}",
                detail=f"{_show(od)} → {_show(nd)}",
            )
        of, nf = os_.get("format", _MISSING), ns.get("format", _MISSING)
        if of != nf:
            kind = "added" if of is _MISSING else "removed" if nf is _MISSING else "changed"
            request = (
                Grade(SAFE, SAFE, "The server checks less than before.")
                if kind == "removed"
                else Grade(
                    BREAKING,
                    SAFE,
                    "The server may reject values old clients send; chatsdk types formatted "
                    "strings as `str`, so the SDK itself is unchanged.",
                )
            )
            response = (
                Grade(SAFE, SAFE, "Clients receive values in a narrower form.")
                if kind == "added"
                else Grade(
                    WARNING,
                    SAFE,
                    "Clients that parse the value may get another form; chatsdk types formatted "
                    "strings as `str`.",
                )
            )
            self.emit(
                "format-changed",
                o,
                n,
                request=request,
                response=response,
                message=f"{n.label}: format {_show(of)} → {_show(nf)}",
                detail=f"{_show(of)} → {_show(nf)}",
            )
        op, np_ = os_.get("pattern", _MISSING), ns.get("pattern", _MISSING)
        if op != np_:
            kind = "added" if op is _MISSING else "removed" if np_ is _MISSING else "changed"
            self.emit(
                "pattern-changed",
                o,
                n,
                request=Grade(SAFE, SAFE, "Old values still match.")
                if kind == "removed"
                else Grade(
                    BREAKING,
                    BREAKING,
                    "Strings old clients send may no longer match; the SDK checks the pattern.",
                ),
                response=Grade(SAFE, SAFE, "Clients receive strings that match a pattern.")
                if kind == "added"
                else Grade(
                    WARNING,
                    BREAKING,
                    "The previous SDK checks the old pattern and rejects strings that do not "
                    "match it.",
                ),
                message=f"{n.label}: pattern {_show(op)} → {_show(np_)}",
                detail=f"{_show(op)} → {_show(np_)}",
            )

    def bounds(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        for keyword, (family, kind) in _BOUNDS.items():
            before, after = os_.get(keyword, _MISSING), ns.get(keyword, _MISSING)
            if before == after:
                continue
            if kind == "flag":
                tightened = bool(after is True)
            elif before is _MISSING or after is _MISSING:
                tightened = before is _MISSING
            elif kind == "min":
                tightened = after > before
            elif kind == "max":
                tightened = after < before
            else:  # multipleOf: a multiple of the old step allows fewer values
                tightened = not (before % after == 0)
            checked = keyword in _SDK_CHECKED
            sdk_note = (
                "the SDK checks it too"
                if checked
                else "the SDK does not check it, so only the server sees the difference"
            )
            if tightened:
                request = Grade(
                    BREAKING,
                    BREAKING if checked else SAFE,
                    f"Values old clients send may now be rejected; {sdk_note}.",
                )
                response = Grade(SAFE, SAFE, "Clients receive values within the old bound.")
            else:
                request = Grade(SAFE, SAFE, "Everything old clients send is still accepted.")
                response = Grade(
                    BREAKING,
                    BREAKING if checked else SAFE,
                    "Clients may receive values beyond the old bound"
                    + (
                        "; the previous SDK validates it and rejects them."
                        if checked
                        else "; the SDK does not check it."
                    ),
                )
            verb = "tightened" if tightened else "relaxed"
            self.emit(
                f"{family}-bounds-{verb}",
                o,
                n,
                request=request,
                response=response,
                message=f"{n.label}: {keyword} {_show(before)} → {_show(after)}",
                detail=f"{keyword} {_show(before)} → {_show(after)}",
            )

    # objects -----------------------------------------------------------------------------------

    def enter(self, side: Side) -> Side:
        """At an object's root: switch to the class the builder made of it, if any."""
        named = side.snap.builder.named.get(Key(side.doc.path, side.pointer))
        if named is None:
            return side
        return replace(side, owner=named, symbol=class_symbol(side.snap, named))

    def prop_side(self, side: Side, name: str) -> Side:
        child = side.child(
            "properties",
            name,
            label=f"{side.label}.{name}",
            symbol=f"{side.symbol}.{py_field_name(name)}",
        )
        return replace(child, field=name)

    def object(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        o, n = self.enter(o), self.enter(n)
        oprops = os_.get("properties") or {}
        nprops = ns.get("properties") or {}
        oreq, nreq = set(os_.get("required") or []), set(ns.get("required") or [])
        oclosed = os_.get("additionalProperties") is False
        nclosed = ns.get("additionalProperties") is False
        for name in oprops:
            if name not in nprops:
                self.property_removed(o, n, name, required=name in oreq, closed=oclosed)
        for name in nprops:
            if name not in oprops:
                self.property_added(o, n, name, required=name in nreq, closed=oclosed)
        for name in nprops:
            if name not in oprops:
                continue
            op, np_ = self.prop_side(o, name), self.prop_side(n, name)
            if name in nreq and name not in oreq:
                self.emit(
                    "required-added",
                    op,
                    np_,
                    request=Grade(BREAKING, BREAKING, "Old clients may leave it out."),
                    response=Grade(SAFE, SAFE, "Clients now always receive it."),
                    message=f"{np_.label} is now required",
                )
            elif name in oreq and name not in nreq:
                self.emit(
                    "required-removed",
                    op,
                    np_,
                    request=Grade(SAFE, SAFE, "Old clients still send it."),
                    response=Grade(
                        BREAKING,
                        BREAKING,
                        "Clients that read it may now find it missing; its Python type becomes "
                        "Optional.",
                    ),
                    message=f"{np_.label} is no longer required",
                )
            self.node(op, np_, oprops[name], nprops[name])
        if oclosed and not nclosed:
            self.emit(
                "additional-properties-opened",
                o,
                n,
                request=Grade(SAFE, SAFE, "The server accepts more than before."),
                response=Grade(
                    WARNING,
                    BREAKING,
                    f"The server may send fields old clients do not know; the previous SDK's "
                    f"`{o.owner.py_name}` rejects unknown fields.",
                ),
                message=f"{n.label} now accepts undeclared properties",
                refs=[(o.symbol, n.symbol)],
            )
        elif nclosed and not oclosed:
            self.emit(
                "additional-properties-closed",
                o,
                n,
                request=Grade(
                    BREAKING,
                    BREAKING,
                    f"Old requests carrying extra fields are rejected; `{n.owner.py_name}` now "
                    "refuses unknown fields.",
                ),
                response=Grade(SAFE, SAFE, "Clients receive fewer fields than before."),
                message=f"{n.label} now rejects undeclared properties",
                refs=[(o.symbol, n.symbol)],
            )
        oa, na = os_.get("additionalProperties"), ns.get("additionalProperties")
        if isinstance(oa, dict) or isinstance(na, dict):
            if oa is not False and na is not False:
                self.node(
                    o.child("additionalProperties", label=o.label + "{}"),
                    n.child("additionalProperties", label=n.label + "{}"),
                    oa if isinstance(oa, dict) else {},
                    na if isinstance(na, dict) else {},
                )

    def property_removed(self, o: Side, n: Side, name: str, required: bool, closed: bool) -> None:
        op = self.prop_side(o, name)
        request = (
            Grade(
                BREAKING,
                BREAKING,
                f"`{o.owner.py_name}` rejects unknown properties, so old requests that set it "
                "fail; the Python field is gone.",
            )
            if closed
            else Grade(
                WARNING,
                BREAKING,
                "The server now ignores it when old clients send it; the Python field is gone.",
            )
        )
        response = (
            Grade(
                BREAKING, BREAKING, "It was required: clients rely on it; the Python field is gone."
            )
            if required
            else Grade(WARNING, BREAKING, "Clients stop receiving it; the Python field is gone.")
        )
        self.emit(
            "property-removed",
            op,
            None,
            request=request,
            response=response,
            message=f"{op.label} was removed",
            refs=[(op.symbol, None)],
            sides=o.directions | n.directions,
        )

    def property_added(self, o: Side, n: Side, name: str, required: bool, closed: bool) -> None:
        np_ = self.prop_side(n, name)
        request = (
            Grade(BREAKING, BREAKING, "Old clients do not send it; it becomes a required argument.")
            if required
            else Grade(SAFE, SAFE, "Old clients may leave it out.")
        )
        response = (
            Grade(
                BREAKING,
                BREAKING,
                f"The previous `{o.owner.py_name}` rejects unknown fields "
                "(`additionalProperties: false`).",
            )
            if closed
            else Grade(
                SAFE,
                SAFE,
                "Safe for this SDK: the previous models keep unknown fields, and clients "
                "ignore fields they do not know.",
            )
        )
        self.emit(
            "property-added",
            None,
            np_,
            request=request,
            response=response,
            message=f"{np_.label} was added" + (" (required)" if required else ""),
            refs=[(None, np_.symbol)],
            sides=o.directions | n.directions,
            absorbed=not closed,
        )

    # tagged unions -----------------------------------------------------------------------------

    def stream_item(self, side: Side) -> bool:
        return any(
            op.stream is not None
            and op.stream.item_module == side.owner.module
            and op.stream.item_hint == side.owner.py_name
            for op in side.snap.package.operations
        )

    def variant_class(self, snap: Snapshot, key: Key | None) -> list[str]:
        """The class of a variant: the change shows in its bases and tag field too."""
        named = snap.builder.named.get(key) if key is not None else None
        return [class_symbol(snap, named)] if named is not None else []

    def union(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        oprop = os_["discriminator"].get("propertyName")
        nprop = ns["discriminator"].get("propertyName")
        otags = self.old.builder.union_variants.get(o.owner.key, {})
        ntags = self.new.builder.union_variants.get(n.owner.key, {})
        if oprop != nprop:
            covers = [o.symbol, n.symbol, f"{o.symbol}[", f"{n.symbol}["]
            covers += [f"{o.symbol.rsplit('.', 1)[0]}.Unknown{o.owner.py_name}"]
            covers += [f"{n.symbol.rsplit('.', 1)[0]}.Unknown{n.owner.py_name}"]
            for k in otags.values():
                covers += self.variant_class(self.old, k)
            for k in ntags.values():
                covers += self.variant_class(self.new, k)
            self.emit(
                "discriminator-property-changed",
                o,
                n,
                request=Grade(
                    BREAKING, BREAKING, "Old clients tag their objects by the old property."
                ),
                response=Grade(
                    BREAKING, BREAKING, "Old clients pick variants by the old property."
                ),
                message=f"{n.label} is now tagged by {nprop!r} instead of {oprop!r}",
                covers=covers,
            )
            return
        stream = self.stream_item(o) or self.stream_item(n)
        removed = {t: self.renames.get(k, k) for t, k in otags.items() if t not in ntags}
        added = {t: k for t, k in ntags.items() if t not in otags}
        for tag in sorted(removed):
            match = sorted(t for t, k in added.items() if k == removed[tag])
            if match:
                new_tag = match[0]
                del added[new_tag]
                self.emit(
                    "union-variant-renamed",
                    o,
                    n,
                    request=Grade(BREAKING, BREAKING, f"Old clients send {tag!r}."),
                    response=Grade(
                        BREAKING,
                        BREAKING,
                        f"Old clients know the variant as {tag!r}; the previous SDK parses "
                        f"{new_tag!r} as an unknown variant.",
                    ),
                    message=f"{n.label}: variant {tag!r} is now tagged {new_tag!r}",
                    detail=f"{tag} → {new_tag}",
                    refs=[(f"{o.symbol}[{tag}]", f"{n.symbol}[{new_tag}]")],
                    covers=self.variant_class(self.old, otags[tag])
                    + self.variant_class(self.new, ntags[new_tag]),
                )
                continue
            self.emit(
                "stream-event-removed" if stream else "union-variant-removed",
                o,
                n,
                request=Grade(BREAKING, BREAKING, f"Old clients that send {tag!r} are rejected."),
                response=Grade(
                    SAFE,
                    BREAKING,
                    f"Clients no longer receive {tag!r}; code handling its class loses it.",
                ),
                message=f"{n.label} lost the {'event' if stream else 'variant'} {tag!r}",
                detail=tag,
                refs=[(f"{o.symbol}[{tag}]", None)],
                covers=self.variant_class(self.old, otags[tag])
                + self.variant_class(self.new, self.renames.get(otags[tag], otags[tag])),
            )
        for tag in sorted(added):
            absorbed = o.snap.builder.is_open(o.owner)
            if absorbed:
                unknown = f"Unknown{o.owner.py_name}"
                response = Grade(
                    WARNING,
                    SAFE,
                    f"Safe for this SDK: `{o.owner.py_name}` is open, so the previous SDK parses "
                    f"{tag!r} as `{unknown}` and keeps the whole object (written back unchanged); "
                    "clients that validate responses strictly may reject it.",
                )
            else:
                response = Grade(
                    WARNING,
                    BREAKING,
                    f"`{o.owner.py_name}` is closed: the previous SDK rejects {tag!r}.",
                )
            self.emit(
                "stream-event-added" if stream else "union-variant-added",
                o,
                n,
                request=Grade(SAFE, SAFE, "Old clients never send the new variant."),
                response=response,
                message=f"{n.label} gained the {'event' if stream else 'variant'} {tag!r}",
                detail=tag,
                refs=[(None, f"{n.symbol}[{tag}]")],
                covers=self.variant_class(self.new, ntags[tag])
                if ntags[tag] in self.old.top
                else [],
                absorbed=absorbed,
            )
        for tag in sorted(set(otags) & set(ntags)):
            if self.renames.get(otags[tag], otags[tag]) != ntags[tag]:
                self.emit(
                    "discriminator-mapping-changed",
                    o,
                    n,
                    request=Grade(BREAKING, BREAKING, f"{tag!r} now means another schema."),
                    response=Grade(BREAKING, BREAKING, f"{tag!r} now means another schema."),
                    message=f"{n.label}: {tag!r} now selects "
                    f"`{self.name_of(self.new, ntags[tag])}` instead of "
                    f"`{self.name_of(self.old, otags[tag])}`",
                    detail=tag,
                    refs=[(f"{o.symbol}[{tag}]", f"{n.symbol}[{tag}]")],
                    covers=self.variant_class(self.old, otags[tag])
                    + self.variant_class(self.new, otags[tag])
                    + self.variant_class(self.new, ntags[tag]),
                )

    # components --------------------------------------------------------------------------------

    def component_added(self, named: Named) -> None:
        side = self.root_side(self.new, named)
        self.emit(
            "component-added",
            None,
            side,
            request=Grade(SAFE, SAFE, "A new type."),
            response=Grade(SAFE, SAFE, "A new type."),
            message=f"new schema {named.name}",
            covers=[side.symbol],
        )

    def component_removed(self, named: Named) -> None:
        side = self.root_side(self.old, named)
        self.emit(
            "component-removed",
            side,
            None,
            request=Grade(
                SAFE,
                BREAKING,
                f"`{named.py_name}` is gone; where it was used, those changes are reported too.",
            ),
            response=Grade(
                SAFE,
                BREAKING,
                f"`{named.py_name}` is gone; where it was used, those changes are reported too.",
            ),
            message=f"schema {named.name} was removed",
            covers=[side.symbol],
        )

    def component_renamed(self, old: Named, new: Named) -> None:
        o, n = self.root_side(self.old, old), self.root_side(self.new, new)
        same = o.symbol == n.symbol
        grade = Grade(
            SAFE,
            SAFE if same else BREAKING,
            "Wire-neutral: the JSON is the same. "
            + (
                f"The Python name stays `{new.py_name}`."
                if same
                else f"The Python class `{old.py_name}` is now `{new.py_name}`: imports and "
                "isinstance checks of the old name fail."
            ),
        )
        finding = self.emit(
            "component-renamed",
            o,
            n,
            request=grade,
            response=grade,
            message=f"schema {old.name} is now {new.name}",
            detail=new.name,
            covers=[o.symbol, n.symbol],
        )
        if not same:
            finding.renames[old.py_name] = new.py_name

    # operations --------------------------------------------------------------------------------

    def operations(self) -> None:
        old_ops, new_ops = dict(iter_operations(self.old)), dict(iter_operations(self.new))
        gone = [k for k in old_ops if k not in new_ops]
        came = [k for k in new_ops if k not in old_ops]
        # The same operationId at another path or method: one operation that moved.
        moved: dict[tuple[str, str, str], tuple[str, str, str]] = {}
        for key in sorted(gone):
            op_id = self.operation_id(old_ops[key])
            match = [k for k in came if op_id and self.operation_id(new_ops[k]) == op_id]
            if len(match) == 1:
                moved[key] = match[0]
                came.remove(match[0])
        for key in sorted(set(old_ops) | set(new_ops)):
            o, n = old_ops.get(key), new_ops.get(key)
            label = f"{key[2].upper()} {key[1]}"
            if o is not None and key in moved:
                target = moved[key]
                n = new_ops[target]
                self.emit(
                    "operation-changed",
                    o,
                    n,
                    request=Grade(
                        BREAKING,
                        BREAKING,
                        "Old clients, and the previous SDK, call the old path or method.",
                    ),
                    response=None,
                    message=f"{label} is now {target[2].upper()} {target[1]}",
                    detail="path",
                    sides={DIR_REQUEST, DIR_RESPONSE},
                    covers=self.method_covers(o.symbol) + self.method_covers(n.symbol),
                )
                self.operation_changed(o, n, label)
            elif o is not None and n is None:
                self.emit(
                    "operation-removed",
                    o,
                    None,
                    request=Grade(
                        BREAKING, BREAKING, "Calls to it fail; its client method is gone."
                    ),
                    response=None,
                    message=f"operation {label} was removed",
                    covers=self.method_covers(o.symbol),
                    sides={DIR_REQUEST, DIR_RESPONSE},
                )
            elif n is not None and o is None:
                if key in moved.values():
                    continue
                self.emit(
                    "operation-added",
                    None,
                    n,
                    request=Grade(SAFE, SAFE, "A new endpoint and client method."),
                    response=None,
                    message=f"new operation {label}",
                    covers=self.method_covers(n.symbol),
                    sides={DIR_REQUEST, DIR_RESPONSE},
                )
            elif o is not None and n is not None:
                self.operation_changed(o, n, label)

    def operation_id(self, side: Side) -> str | None:
        op = lookup(side.doc.data, side.pointer)
        return op.get("operationId") if isinstance(op, dict) else None

    def operation_changed(self, o: Side, n: Side, label: str) -> None:
        oshape, nshape = self.op_shape(o), self.op_shape(n)
        for part in ("request", "response", "stream", "framing", "terminator", "security"):
            before, after = oshape.get(part), nshape.get(part)
            if isinstance(before, Key):
                before = self.renames.get(before, before)
            streams = oshape.get("stream") is not None and nshape.get("stream") is not None
            if before == after or (part in {"framing", "terminator"} and not streams):
                continue
            if part == "stream" and (before is None or after is None):
                rule = "operation-stream-added" if before is None else "operation-stream-removed"
                grade = (
                    Grade(SAFE, SAFE, "Streaming is new.")
                    if before is None
                    else Grade(BREAKING, BREAKING, "Streaming calls fail.")
                )
                message = f"{label} " + (
                    "can now stream" if before is None else "no longer streams"
                )
            else:
                rule = "operation-changed"
                why = {
                    "framing": "Old clients decode the stream another way.",
                    "terminator": "Old clients wait for another end of stream.",
                    "security": "Old clients, and the previous SDK, authenticate another way.",
                }
                grade = Grade(
                    BREAKING, BREAKING, why.get(part, f"The {part} of {label} is another schema.")
                )

                message = (
                    f"{label}: {part} {self.show_part(self.new, before)} → "
                    f"{self.show_part(self.new, after)}"
                )
            self.emit(
                rule,
                o,
                n,
                request=grade,
                response=None,
                message=message,
                detail=part,
                sides={DIR_REQUEST, DIR_RESPONSE},
                covers=self.method_covers(o.symbol) + self.method_covers(n.symbol),
            )

    def method_covers(self, method: str) -> list[str]:
        """A client method, its keyword parameters and its ``stream()`` helper."""
        return [method, method + "(", method.rsplit(".", 1)[0] + ".stream"]

    def show_part(self, snap: Snapshot, value: Any) -> str:
        if isinstance(value, Key):
            known = snap if value in snap.top else self.old
            return f"`{self.name_of(known, value)}`"
        return str(value)

    def op_shape(self, side: Side) -> dict[str, Any]:
        op = lookup(side.doc.data, side.pointer)
        shape: dict[str, Any] = {}
        body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        shape["request"] = self.ref_key(side, body.get("schema") or {})
        for status, response in sorted((op.get("responses") or {}).items()):
            if not str(status).startswith("2"):
                continue
            content = response.get("content") or {}
            if "application/json" in content:
                shape["response"] = self.ref_key(
                    side, content["application/json"].get("schema") or {}
                )
            if "text/event-stream" in content:
                media = content["text/event-stream"]
                shape["stream"] = self.ref_key(side, media.get("schema") or {})
                shape["framing"] = (media.get("x-sdk-stream") or {}).get("framing")
                shape["terminator"] = (media.get("x-sdk-stream") or {}).get("terminator")
        ir_op = next(
            (
                op
                for op in side.snap.package.operations
                if op.source == f"schemas/{side.doc.path}#{side.pointer}"
            ),
            None,
        )
        shape["security"] = ", ".join(ir_op.security) if ir_op is not None else None
        return shape


def iter_operations(snap: Snapshot) -> Iterator[tuple[tuple[str, str, str], Side]]:
    """Every operation as (document, path, method) and a side whose symbol is its method."""
    by_source = {op.source: op for op in snap.package.operations}
    for doc in snap.spec.documents.values():
        if not doc.is_openapi:
            continue
        for path, method, op in walk_operations(doc.data):
            pointer = operation_pointer(path, method)
            ir_op = by_source.get(f"schemas/{doc.path}#{pointer}")
            symbol = method_symbol(ir_op) if ir_op else f"{method.upper()} {path}"
            owner = Named(Key(doc.path, pointer), path, path, "", op, doc, kind="operation")
            owner.directions = {DIR_REQUEST, DIR_RESPONSE}
            yield (
                (doc.path, path, method),
                Side(snap, doc, pointer, owner, symbol, f"{method.upper()} {path}"),
            )


# --- renames ------------------------------------------------------------------------------------


def _canonical(snap: Snapshot, named: Named, renames: dict[Key, Key]) -> str:
    """The structure of a named schema: documentation dropped, references as target keys."""

    def walk(doc: Document, value: Any, in_schema: bool) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                if in_schema and k in _DOC_KEYS:
                    continue
                if k == "$ref" and isinstance(v, str):
                    target_doc, pointer = snap.spec.resolve_ref(doc, v)
                    key = renames.get(Key(target_doc.path, pointer), Key(target_doc.path, pointer))
                    out[k] = f"{key.path}#{key.pointer}"
                elif k == "mapping" and isinstance(v, dict):
                    out[k] = {t: walk(doc, {"$ref": r}, True)["$ref"] for t, r in v.items()}
                else:
                    out[k] = walk(doc, v, in_schema and k not in {"enum", "const", "default"})
            return out
        if isinstance(value, list):
            return [walk(doc, v, in_schema) for v in value]
        return value

    return json.dumps(walk(named.doc, named.schema, True), sort_keys=True)


def detect_renames(old: Snapshot, new: Snapshot) -> dict[Key, Key]:
    """Named schemas that vanished and reappeared, unchanged in structure, under a new name."""
    gone = sorted((k for k in old.top if k not in new.top), key=lambda k: (k.path, k.pointer))
    came = sorted((k for k in new.top if k not in old.top), key=lambda k: (k.path, k.pointer))
    renames: dict[Key, Key] = {}
    while True:
        # Identity on the new side: once A→B is known, a schema referring to A matches one
        # referring to B, so renames are found until nothing changes.
        new_canon: dict[str, list[Key]] = {}
        for key in came:
            if key not in renames.values():
                new_canon.setdefault(_canonical(new, new.top[key], {}), []).append(key)
        found = False
        old_canon = {k: _canonical(old, old.top[k], renames) for k in gone if k not in renames}
        for key, canon in old_canon.items():
            candidates = new_canon.get(canon, [])
            twins = [k for k, c in old_canon.items() if c == canon]
            if len(candidates) == 1 and len(twins) == 1:
                renames[key] = candidates[0]
                new_canon = {
                    c: [k for k in ks if k != candidates[0]] for c, ks in new_canon.items()
                }
                found = True
        if not found:
            return renames
