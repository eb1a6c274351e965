"""A review finding: one change, its verdicts, its Python symbols and where it is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from generator.review.rules import BREAKING, SAFE, VERDICTS, WARNING, worst


@dataclass
class SymbolChange:
    """One Python symbol a finding touches, as declared before and after (None: absent)."""

    symbol: str
    before: str | None
    after: str | None

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "before": self.before, "after": self.after}


@dataclass
class Finding:
    rule: str
    direction: str  # request | response | both
    wire: str
    sdk: str
    reason: str  # why the verdicts are what they are
    message: str  # what changed, in schema terms
    file: str  # schemas/<path>, on the head side when the thing still exists there
    line: int | None
    pointer: str
    subject: str  # what the fingerprint identifies: "<path>#<pointer>"
    detail: str = ""  # the value, tag or name that changed, when the subject has several
    symbols: list[SymbolChange] = field(default_factory=list)
    # (base symbol, head symbol) pairs the differ names; filled into ``symbols`` later.
    refs: list[tuple[str | None, str | None]] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)  # symbols whose members it explains too
    renames: dict[str, str] = field(default_factory=dict)  # Python names it renames
    # Python names whose meaning it changes: other declarations that mention them (a
    # parameter typed ``Priority | Literal[...]``) change with it.
    mentions: list[str] = field(default_factory=list)
    absorbed: bool = False  # a response-side addition the SDK's forward compatibility takes
    area: str = "schema"  # schema | parameter | header (see Side.area)
    kind: str = ""  # a fact the rule id of oasdiff depends on: "required" | "optional"

    @property
    def oasdiff(self) -> list[str]:
        """The ids of oasdiff's rules for this change, where oasdiff has them."""
        from generator.review.oasdiff import oasdiff_ids

        return oasdiff_ids(self)

    @property
    def severity(self) -> str:
        return worst(self.wire, self.sdk)

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated edits: no line numbers, no wording."""
        key = "\0".join((self.rule, self.subject, self.detail))
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (
            -VERDICTS.index(self.severity),
            self.file,
            self.subject,
            self.rule,
            self.detail,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "direction": self.direction,
            "wire": self.wire,
            "sdk": self.sdk,
            "message": self.message,
            "reason": self.reason,
            "file": self.file,
            "line": self.line,
            "pointer": self.pointer,
            "symbols": [s.to_json() for s in self.symbols],
            "fingerprint": self.fingerprint,
            "oasdiff": self.oasdiff,
        }


def suggested_bump(findings: list[Finding]) -> str:
    """Semantic-version bump for chatsdk: major on any breaking change, minor on additions."""
    if not findings:
        return "none"
    if any(f.severity == BREAKING for f in findings):
        return "major"
    if any(s.before is None for f in findings for s in f.symbols) or any(
        f.rule.endswith("-added") for f in findings
    ):
        return "minor"
    return "patch"


__all__ = ["BREAKING", "SAFE", "WARNING", "Finding", "SymbolChange", "suggested_bump"]
