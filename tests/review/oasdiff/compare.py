"""Run ``sdkforge review`` over oasdiff's checker cases and count where the two agree.

    python tests/review/oasdiff/compare.py [--details]      (make review-oasdiff)

Each case of ``cases.json`` (see ``extract.py``) is a base and a revision document from
oasdiff's ``data/checker/`` and the rule ids oasdiff's test expects. For each, the review
compares the two files as ``sdkforge review BASE REVISION`` does. Per area (oasdiff's areas):

* loaded: both documents load (the rest: a located error, or a crash);
* ids: cases where an id oasdiff's test asserts appears among ours (each finding carries
  the oasdiff ids it corresponds to; a test that asserts several, for several places, counts
  once);
* verdict: oasdiff's level (error: breaking; warning: warning or breaking; info, or nothing
  expected: not breaking) against our severity of the findings with those ids (of all
  findings when none has them).

Nothing here downloads: the documents are copies in ``data/``.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from generator.cli import vendor_front_end  # noqa: E402
from generator.review import ReviewError, review_files  # noqa: E402
from generator.review.rules import worst  # noqa: E402

_LEVEL = {"ERR": "breaking", "WARN": "warning", "INFO": "safe"}


def expected_verdict(case: dict[str, Any]) -> str:
    levels = [_LEVEL.get(e["level"], "safe") for e in case["expected"]]
    return worst(*levels) if levels else "safe"


def agrees(theirs: str, ours: str) -> bool:
    if theirs == "breaking":
        return ours == "breaking"
    if theirs == "warning":
        return ours in {"warning", "breaking"}
    return ours != "breaking"


def run_case(case: dict[str, Any], front: Any) -> dict[str, Any]:
    base, revision = HERE / "data" / case["base"], HERE / "data" / case["revision"]
    try:
        report = review_files(base, revision, "oasdiff_case", front)
    except ReviewError as exc:
        return {"status": "error", "error": str(exc).splitlines()[0]}
    except Exception as exc:  # counted and shown, not hidden
        return {
            "status": "crash",
            "error": f"{type(exc).__name__}: {exc}",
            "trace": traceback.format_exc(),
        }
    wanted = {e["id"] for e in case["expected"]}
    ours = {i for f in report.findings for i in f.oasdiff}
    matched = [f for f in report.findings if wanted & set(f.oasdiff)]
    pool = matched or report.findings
    verdict = worst(*(f.severity for f in pool)) if pool else "safe"
    theirs = expected_verdict(case)
    return {
        "status": "loaded",
        "ids": bool(wanted & ours),
        "verdict": verdict,
        "theirs": theirs,
        "agrees": agrees(theirs, verdict),
        "ours": sorted(ours),
        "rules": sorted({f"{f.rule} ({f.wire}/{f.sdk})" for f in pool}),
    }


def main(details: bool = False) -> dict[str, Any]:
    data = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    front = vendor_front_end()
    rows: dict[str, Counter[str]] = {}
    lines: list[str] = []
    for case in data["cases"]:
        result = run_case(case, front)
        row = rows.setdefault(case["area"], Counter())
        row["cases"] += 1
        row[result["status"]] += 1
        if result["status"] == "loaded":
            row["with ids"] += bool(case["expected"])
            row["ids"] += result["ids"]
            row["agree"] += result["agrees"]
            if not result["agrees"] or (case["expected"] and not result["ids"]):
                lines.append(
                    f"- {case['test']}: oasdiff {[e['id'] for e in case['expected']] or 'nothing'} "
                    f"({result['theirs']}); ours {result['ours']} {result['rules']} ({result['verdict']})"
                )
        else:
            lines.append(f"- {case['test']}: {result['status']}: {result['error']}")
    total: Counter[str] = Counter()
    for row in rows.values():
        total.update(row)
    table = [
        f"oasdiff {data['oasdiff_commit'][:12]}: {total['cases']} checker cases",
        "",
        "| area | cases | loaded | errors | crashes | ids found | verdict agrees |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for area, row in [*sorted(rows.items()), ("all", total)]:
        table.append(
            f"| {area} | {row['cases']} | {row['loaded']} | {row['error']} | {row['crash']} | "
            f"{row['ids']} of {row['with ids']} | {row['agree']} of {row['loaded']} |"
        )
    print("\n".join(table))
    if details:
        print("\nDisagreements and failures:\n" + "\n".join(lines))
    return {area: dict(row) for area, row in [*rows.items(), ("all", total)]}


if __name__ == "__main__":
    main(details="--details" in sys.argv)
