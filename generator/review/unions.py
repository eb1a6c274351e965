"""Tagged unions: the discriminator, the variants and their tags, the mapping.

:class:`Unions` compares one ``discriminator`` union at its owner's root; the variants are
named schemas, compared on their own, so a variant's change is reported there.
"""

from __future__ import annotations

from typing import Any

from generator.core.index import Key
from generator.review.comparison import Part
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.side import Side, class_symbol, name_of
from generator.review.snapshot import Snapshot


class Unions(Part):
    """Grades the changes to a tagged union's tags, variants and discriminator."""

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
                    f"`{name_of(self.new, ntags[tag])}` instead of "
                    f"`{name_of(self.old, otags[tag])}`",
                    detail=tag,
                    refs=[(f"{o.symbol}[{tag}]", f"{n.symbol}[{tag}]")],
                    covers=self.variant_class(self.old, otags[tag])
                    + self.variant_class(self.new, otags[tag])
                    + self.variant_class(self.new, ntags[tag]),
                )
