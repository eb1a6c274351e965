"""One comparison of two snapshots: the pair, the renames between them, and its findings.

Every part of the wire diff (a :class:`Part`: schemas, components, operations) is handed
the same :class:`Comparison` and reports through :meth:`Comparison.emit`, which grades a
change on the side(s) of the wire it travels and records the finding.
"""

from __future__ import annotations

from generator.core.index import REQUEST as DIR_REQUEST
from generator.core.index import RESPONSE as DIR_RESPONSE
from generator.core.index import Key
from generator.review.findings import Finding
from generator.review.rules import BOTH, BREAKING, REQUEST, RESPONSE, WARNING, Grade, worst
from generator.review.side import Side
from generator.review.snapshot import Snapshot


class Comparison:
    """The two snapshots, the named schemas renamed from one to the other, the findings."""

    def __init__(self, old: Snapshot, new: Snapshot, renames: dict[Key, Key]) -> None:
        self.old = old
        self.new = new
        self.renames = renames  # old key → new key
        self.findings: list[Finding] = []

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
        kind: str = "",
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
        anchor = new if new is not None else old
        assert anchor is not None
        header_note = ""
        if anchor.area == "header" and sdk == BREAKING:
            # The SDK parses bodies, not headers: code reading one from the raw response does.
            sdk = WARNING
            header_note = (
                " The SDK does not parse response headers; code that reads this one from "
                "`.with_raw_response` sees the change."
            )
        if len(grades) == 1:
            reason = grades[0][1].reason
        elif grades[0][1].reason == grades[1][1].reason:
            reason = grades[0][1].reason
        else:
            reason = " ".join(f"{side.capitalize()} side: {g.reason}" for side, g in grades)
        reason += header_note
        direction = BOTH if len(directions) == 2 else next(iter(directions))
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
            area=anchor.area,
            kind=kind,
        )
        self.findings.append(finding)
        return finding

    def locate(self, old: Side | None, new: Side | None) -> tuple[str, int | None, str]:
        """The head-side file and line (a removed thing points at its nearest surviving parent)."""
        if new is not None:
            return self.new.file_of(new.doc), new.doc.line(new.pointer), new.pointer
        assert old is not None
        head_doc = self.new.spec.documents.get(old.doc.path)
        if head_doc is not None:
            return self.new.file_of(head_doc), head_doc.line(old.pointer), old.pointer
        return self.old.file_of(old.doc), old.doc.line(old.pointer), old.pointer


class Part:
    """A part of the wire diff: it reads the comparison's snapshots and renames and emits to it."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.old = comparison.old
        self.new = comparison.new
        self.renames = comparison.renames
        self.emit = comparison.emit
