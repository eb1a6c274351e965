"""The facets of one schema node: its types and nullability, values, annotations and bounds.

:class:`Facets` compares what a single node allows (``type``, ``null``, ``enum``, ``const``,
``default``, ``format``, ``pattern`` and the numeric, length, items and properties bounds)
without descending into its children; :class:`~generator.review.schemas.Schemas` walks the
structure and asks it about each node.
"""

from __future__ import annotations

from typing import Any

from generator.core.hints import _CONSTRAINTS, split_union
from generator.core.naming import enum_member_name
from generator.review.comparison import Part
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.side import MISSING, Side, declared_types, show

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


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


class Facets(Part):
    """Grades the changes to one node's own keywords."""

    # types and nullability ---------------------------------------------------------------------

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
            self.type_change(rule, o, n, f"{what} {show(values)}")
        oc, nc = os_.get("const", MISSING), ns.get("const", MISSING)
        if oc != nc:
            if self.is_tag(o) or self.is_tag(n):
                return  # a variant's tag: the union reports it as a renamed variant
            if oc is MISSING:
                self.type_change("type-narrowed", o, n, f"now always {show(nc)}")
            elif nc is MISSING:
                self.type_change("type-widened", o, n, f"no longer always {show(oc)}")
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
                message=f"{n.label} gained the value {show(value)}",
                detail=show(value),
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
                message=f"{n.label} lost the value {show(value)}",
                detail=show(value),
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
            message=f"{n.label} is now {show(after)} instead of {show(before)}",
            detail=f"{show(before)} → {show(after)}",
        )

    # annotations -------------------------------------------------------------------------------

    def annotations(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        od, nd = os_.get("default", MISSING), ns.get("default", MISSING)
        if od != nd:
            self.emit(
                "default-changed",
                o,
                n,
                request=Grade(
                    WARNING, WARNING, "Callers that leave it out now get another behaviour."
                ),
                response=Grade(WARNING, WARNING, "An absent value now means something else."),
                message=f"{n.label}: default {show(od)} → {show(nd)}",
                detail=f"{show(od)} → {show(nd)}",
            )
        of, nf = os_.get("format", MISSING), ns.get("format", MISSING)
        if of != nf:
            kind = "added" if of is MISSING else "removed" if nf is MISSING else "changed"
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
                message=f"{n.label}: format {show(of)} → {show(nf)}",
                detail=f"{show(of)} → {show(nf)}",
            )
        op, np_ = os_.get("pattern", MISSING), ns.get("pattern", MISSING)
        if op != np_:
            kind = "added" if op is MISSING else "removed" if np_ is MISSING else "changed"
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
                message=f"{n.label}: pattern {show(op)} → {show(np_)}",
                detail=f"{show(op)} → {show(np_)}",
            )

    def bounds(self, o: Side, n: Side, os_: dict[str, Any], ns: dict[str, Any]) -> None:
        for keyword, (family, kind) in _BOUNDS.items():
            before, after = os_.get(keyword, MISSING), ns.get(keyword, MISSING)
            if before == after:
                continue
            if kind == "flag":
                tightened = bool(after is True)
            elif before is MISSING or after is MISSING:
                tightened = before is MISSING
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
                message=f"{n.label}: {keyword} {show(before)} → {show(after)}",
                detail=f"{keyword} {show(before)} → {show(after)}",
            )
