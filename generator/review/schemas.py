"""The structure of a schema: nodes, their items, properties and untagged branches.

:class:`Schemas` walks two schemas side by side from a named schema's root. At each node it
asks :class:`~generator.review.facets.Facets` about the node's own keywords, hands tagged
unions to :class:`~generator.review.unions.Unions`, and descends through ``items``,
``properties``, ``additionalProperties`` and untagged ``oneOf``/``anyOf`` branches itself.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from typing import Any

from generator.core.index import Key
from generator.core.load import lookup
from generator.core.naming import py_field_name
from generator.review.comparison import Comparison, Part
from generator.review.facets import Facets
from generator.review.rules import BREAKING, SAFE, WARNING, Grade, worst
from generator.review.side import (
    Side,
    class_symbol,
    declared_types,
    follow,
    is_named,
    name_of,
    ref_key,
    show,
)
from generator.review.unions import Unions


class Schemas(Part):
    """Compares schema nodes and the objects, arrays and branches they are made of."""

    def __init__(self, comparison: Comparison) -> None:
        super().__init__(comparison)
        self.facets = Facets(comparison)
        self.unions = Unions(comparison)
        self.seen: set[tuple[str, str, str, str, str]] = set()

    # schema nodes ------------------------------------------------------------------------------

    def node(self, o: Side, n: Side, os_: Any, ns: Any) -> None:
        # A pair of places is compared once: references that loop, or that reach the same
        # inline schema twice, neither recurse forever nor report a change twice.
        visit = (o.doc.path, o.pointer, n.doc.path, n.pointer, o.symbol)
        if visit in self.seen:
            return
        self.seen.add(visit)
        if not isinstance(os_, dict) or not isinstance(ns, dict):
            if os_ != ns:
                self.facets.type_change("type-changed", o, n, f"{show(os_)} → {show(ns)}")
            return
        okey, nkey = ref_key(o, os_), ref_key(n, ns)
        if is_named(self.old, okey) and is_named(self.new, nkey):
            assert okey is not None and nkey is not None
            if self.renames.get(okey, okey) != nkey:
                before, after = name_of(self.old, okey), name_of(self.new, nkey)
                self.facets.type_change(
                    "type-changed", o, n, f"now `{after}` instead of `{before}`"
                )
                return
            self.facets.annotations(o, n, os_, ns)
            return
        if okey is not None:
            o, os_ = follow(o, os_)
        if nkey is not None:
            n, ns = follow(n, ns)
        if "discriminator" in os_ or "discriminator" in ns:
            if "discriminator" in os_ and "discriminator" in ns and o.at_owner_root:
                self.unions.union(o, n, os_, ns)
            elif ("discriminator" in os_) != ("discriminator" in ns):
                self.facets.type_change(
                    "type-changed", o, n, "tagged union changed to another shape"
                )
            return
        if any(c in s for c in ("oneOf", "anyOf") for s in (os_, ns)):
            self.branches(o, n, os_, ns)
            self.facets.annotations(o, n, os_, ns)
            return
        if not self.facets.types(o, n, os_, ns):
            return
        self.facets.values(o, n, os_, ns)
        self.facets.annotations(o, n, os_, ns)
        self.facets.bounds(o, n, os_, ns)
        if "items" in os_ or "items" in ns:
            self.node(
                o.child("items", label=o.label + "[]"),
                n.child("items", label=n.label + "[]"),
                os_.get("items", {}),
                ns.get("items", {}),
            )
        if any(k in s for k in ("properties", "additionalProperties") for s in (os_, ns)):
            self.object(o, n, os_, ns)

    # branches ----------------------------------------------------------------------------------

    def branches(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        """Untagged ``oneOf``/``anyOf``: branches matched by what they are."""
        ob, nb = self.branch_map(o, os_, old=True), self.branch_map(n, ns, old=False)
        if ("null" in ob) != ("null" in nb):
            self.facets.nullable(o, n, added="null" in nb)
        for sig in sorted(set(ob) - set(nb) - {"null"}):
            if not self.open_value(o, n, sig, ob, nb, added=False):
                self.facets.type_change("type-narrowed", o, n, f"no longer accepts {sig}")
        for sig in sorted(set(nb) - set(ob) - {"null"}):
            if not self.open_value(o, n, sig, ob, nb, added=True):
                self.facets.type_change("type-widened", o, n, f"now also accepts {sig}")
        for sig in sorted(set(ob) & set(nb) - {"null"}):
            (otok, obranch), (ntok, nbranch) = ob[sig], nb[sig]
            oc = o.child(*otok, label=o.label) if otok else o
            nc = n.child(*ntok, label=n.label) if ntok else n
            self.node(oc, nc, obranch, nbranch)

    def open_value(
        self, o: Side, n: Side, sig: str, ob: dict[str, Any], nb: dict[str, Any], added: bool
    ) -> bool:
        """A ``const`` branch beside a plain branch of its type (``anyOf: [string, const …]``,
        an open enum): a value came or went, which the plain branch takes either way."""
        if not sig.startswith("="):
            return False
        value = json.loads(sig[1:])
        plain = next(iter(declared_types({"const": value}) or []), "")
        if plain not in ob or plain not in nb:
            return False
        self.facets.enum_value(o, n, value, added=added)
        return True

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
        key = ref_key(side, schema)
        if key is not None:
            snap = side.snap
            if old:
                key = self.renames.get(key, key)
                snap = self.new if key in self.new.top else self.old
            return [f"`{name_of(snap, key)}`"]
        if (
            "const" in schema
            and len(schema.get("type") or [1]) == 1
            and schema["const"] is not None
        ):
            return ["=" + json.dumps(schema["const"], sort_keys=True)]
        types = declared_types(schema)
        if types is None:
            return ["any"]
        return sorted(types) or ["null"]

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
        gone = [name for name in oprops if name not in nprops]
        came = [name for name in nprops if name not in oprops]
        renamed = renames_of(gone, came, oprops, nprops)
        for name in gone:
            if name in renamed:
                self.property_renamed(o, n, name, renamed[name], (oreq, nreq), oclosed)
            else:
                self.property_removed(o, n, name, required=name in oreq, closed=oclosed)
        for name in came:
            if name not in {new for new, _ in renamed.values()}:
                self.property_added(o, n, name, required=name in nreq, closed=oclosed)
        for name in nprops:
            if name not in oprops:
                continue
            op, np_ = self.prop_side(o, name), self.prop_side(n, name)
            self.deprecation(op, np_)
            if name in nreq and name not in oreq:
                self.emit(
                    "required-added",
                    op,
                    np_,
                    request=Grade(BREAKING, BREAKING, "Old clients may leave it out."),
                    response=now_required(np_),
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
        request, response = self.removed_grades(o, required, closed)
        self.emit(
            "property-removed",
            op,
            None,
            request=request,
            response=response,
            message=f"{op.label} was removed",
            refs=[(op.symbol, None)],
            sides=o.directions | n.directions,
            kind="required" if required else "optional",
        )

    def removed_grades(self, o: Side, required: bool, closed: bool) -> tuple[Grade, Grade]:
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
        return request, response

    def property_added(self, o: Side, n: Side, name: str, required: bool, closed: bool) -> None:
        np_ = self.prop_side(n, name)
        request, response = self.added_grades(o, np_, required, closed)
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
            kind="required" if required else "optional",
        )

    def added_grades(self, o: Side, np_: Side, required: bool, closed: bool) -> tuple[Grade, Grade]:
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
            else now_required(np_, added=True)
            if required
            else Grade(
                SAFE,
                SAFE,
                "Safe for this SDK: the previous models keep unknown fields, and clients "
                "ignore fields they do not know.",
            )
        )
        return request, response

    def property_renamed(
        self,
        o: Side,
        n: Side,
        old: str,
        new: tuple[str, str],
        required: tuple[set[str], set[str]],
        closed: bool,
    ) -> None:
        name, confidence = new
        op, np_ = self.prop_side(o, old), self.prop_side(n, name)
        oreq, ooresp = self.removed_grades(o, old in required[0], closed)
        areq, aresp = self.added_grades(o, np_, name in required[1], closed)

        def both(a: Grade, b: Grade) -> Grade:
            return Grade(
                worst(a.wire, b.wire),
                worst(a.sdk, b.sdk),
                f"Probably renamed ({confidence} confidence: {RENAME_WHY[confidence]}): on the wire "
                f"it is a removal and an addition. `{op.label}`: {a.reason} `{np_.label}`: {b.reason}",
            )

        self.emit(
            "property-renamed",
            op,
            np_,
            request=both(oreq, areq),
            response=both(ooresp, aresp),
            message=f"{op.label} is now {np_.label}? ({confidence} confidence)",
            detail=f"{old} → {name}",
            refs=[(op.symbol, None), (None, np_.symbol)],
            sides=o.directions | n.directions,
        )

    def deprecation(self, o: Side, n: Side) -> None:
        """``deprecated`` as written (the vendor front end drops it from what it builds)."""
        before, after = deprecated_at(o), deprecated_at(n)
        if before == after:
            return
        self.emit(
            "property-deprecated",
            o,
            n,
            request=Grade(SAFE, WARNING, "It still works; plan to stop sending it.")
            if after
            else Grade(SAFE, SAFE, "No longer deprecated."),
            response=Grade(SAFE, WARNING, "It still arrives; plan to stop reading it.")
            if after
            else Grade(SAFE, SAFE, "No longer deprecated."),
            message=f"{n.label} is " + ("deprecated" if after else "no longer deprecated"),
            detail="deprecated" if after else "reactivated",
        )


RENAME_WHY = {
    "high": "the only property gone and the only one new with this schema and description",
    "medium": "the only pair with this schema",
    "low": "similar names and the same type",
}
_DOC_KEYS = frozenset({"description", "title", "examples", "example", "$comment"})


def _structure(schema: Any) -> str:
    if isinstance(schema, dict):
        return json.dumps({k: v for k, v in schema.items() if k not in _DOC_KEYS}, sort_keys=True)
    return json.dumps(schema, sort_keys=True)


def renames_of(
    gone: list[str], came: list[str], oprops: dict[str, Any], nprops: dict[str, Any]
) -> dict[str, tuple[str, str]]:
    """Removed property → (added property, confidence), where one pair stands out."""
    out: dict[str, tuple[str, str]] = {}
    for name in gone:
        same = [c for c in came if _structure(oprops[name]) == _structure(nprops[c])]
        twins = [g for g in gone if _structure(oprops[g]) == _structure(oprops[name])]
        if len(same) == 1 and len(twins) == 1:
            match = same[0]
            described = json.dumps(oprops[name], sort_keys=True) == json.dumps(
                nprops[match], sort_keys=True
            )
            out[name] = (match, "high" if described and len(gone) == len(came) == 1 else "medium")
            continue
        if len(gone) == len(came) == 1:
            match = came[0]
            otypes = declared_types(oprops[name]) if isinstance(oprops[name], dict) else None
            ntypes = declared_types(nprops[match]) if isinstance(nprops[match], dict) else None
            similar = difflib.SequenceMatcher(None, name, match).ratio() >= 0.6
            if similar and otypes is not None and otypes == ntypes:
                out[name] = (match, "low")
    return out


def deprecated_at(side: Side) -> bool:
    raw = side.snap.raw.get(side.doc.path, side.doc.data)
    node = lookup(raw, side.pointer)
    return isinstance(node, dict) and node.get("deprecated") is True


def now_required(side: Side, added: bool = False) -> Grade:
    """A response property clients now always get: the new SDK expects it from old servers too."""
    field = f"{side.owner.py_name}.{py_field_name(side.field or side.label.rsplit('.', 1)[-1])}"
    return Grade(
        SAFE,
        WARNING,
        ("Old clients ignore it. " if added else "Clients now always receive it. ")
        + "The SDK made from the new document expects it, and a server that predates the change "
        "(an older deployment, a proxy, a compatible server) leaves it out: by default the answer "
        f"is kept, with `validation_errors`, and reading `{field}` raises `MissingFieldError`; "
        "with `strict_response_validation=True` every such answer raises "
        "`APIResponseValidationError`.",
    )
