"""``sdkforge review``: what a schema change does to the wire and to the Python SDK.

:func:`review` compares two :class:`~generator.review.snapshot.Snapshot` values: the wire
diff (:mod:`.diff`) grades each schema change on the side(s) of the wire it travels, the
SDK diff (:mod:`.sdk`) names the Python symbols it changes from the two API manifests, and
:mod:`.report` prints the result.
"""

from __future__ import annotations

from pathlib import Path

from generator.review.diff import Differ
from generator.review.findings import Finding, SymbolChange
from generator.review.report import FORMATS, MARKER, Report
from generator.review.rules import RULES, rules_table
from generator.review.sdk import SdkDiff
from generator.review.snapshot import (
    SCHEMAS_DIR,
    ReviewError,
    Snapshot,
    from_folder,
    from_ref,
    repo_root,
)

WORKING_TREE = "working tree"


def compare(old: Snapshot, new: Snapshot) -> Report:
    findings = Differ(old, new).run()
    findings = SdkDiff(old, new).attach(findings)
    # One change can be seen from two places (the same node reached twice); keep it once.
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.fingerprint, finding)
    ordered = sorted(unique.values(), key=lambda f: f.sort_key())
    return Report(old.label, new.label, old.commit, new.commit, ordered)


def review(
    repo: Path, base: str, head: str | None = None, schemas_dir: str = SCHEMAS_DIR
) -> Report:
    """Compare the schemas at ``base`` with those at ``head`` (default: the working tree)."""
    root = repo_root(repo)
    old = from_ref(root, base, schemas_dir)
    if head is None:
        new = from_folder(root / schemas_dir, WORKING_TREE)
    else:
        new = from_ref(root, head, schemas_dir)
    return compare(old, new)


__all__ = [
    "FORMATS",
    "MARKER",
    "RULES",
    "Finding",
    "Report",
    "ReviewError",
    "Snapshot",
    "SymbolChange",
    "compare",
    "from_folder",
    "from_ref",
    "review",
    "rules_table",
]
