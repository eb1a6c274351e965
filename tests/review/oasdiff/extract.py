"""Refresh this folder from a checkout of oasdiff (https://github.com/oasdiff/oasdiff).

    python tests/review/oasdiff/extract.py PATH/TO/oasdiff [COMMIT]

reads oasdiff's checker tests (``checker/*_test.go``): every test that loads two documents of
``data/checker/`` unchanged (no edit of the loaded spec in Go) and asserts which rule ids
fire, or that none does. It writes ``cases.json`` (each case: test name, base and revision
file, the check it runs, the ids it expects with their level and area) and copies the
documents those cases use into ``data/``. Only this script reads the checkout; the
comparison (``compare.py``) reads what it wrote.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
_FUNC = re.compile(r"^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}", re.M | re.S)
_OPEN = re.compile(r'(\w+), err :?= open\("\.\./data/checker/([^"]+)"\)')
_DIFF = re.compile(r"diff\.Get\w*\([^,()]+(?:\([^()]*\))?, (\w+), (\w+)\)")
_IDS = re.compile(r"checker\.(\w+Id)\b")
_CHECK = re.compile(r"singleCheckConfig\(checker\.(\w+)\)")
_CONST = re.compile(r'^\s*(\w+Id)\s*=\s*"([a-z0-9-]+)"', re.M)
_RULE = re.compile(r"newBackwardCompatibilityRule\((\w+), (\w+), (\w+|nil), \w+, (\w+),")


def main(checkout: Path, commit: str = "") -> None:
    checker = checkout / "checker"
    ids: dict[str, str] = {}
    for path in checker.glob("*.go"):
        ids.update(dict(_CONST.findall(path.read_text(encoding="utf-8"))))
    rules: dict[str, dict[str, str]] = {}
    check_area: dict[str, str] = {}
    for const, level, handler, area in _RULE.findall((checker / "rules.go").read_text("utf-8")):
        name = area.removeprefix("Area").lower()
        rules[ids[const]] = {"level": level, "area": name}
        check_area.setdefault(handler, name)
    cases = []
    used: set[str] = set()
    for path in sorted(checker.glob("*_test.go")):
        for test, body in _FUNC.findall(path.read_text(encoding="utf-8")):
            files = dict(_OPEN.findall(body))
            diff = _DIFF.search(body)
            if len(files) < 2 or diff is None:
                continue
            base, revision = diff.groups()
            if base not in files or revision not in files:
                continue
            if re.search(rf"\b({base}|{revision})\.Spec\b", body):
                continue  # the test edits a loaded document in Go: not a pair of files
            # Ids of rules (not of the comments some rules attach).
            expected = sorted({ids[c] for c in _IDS.findall(body) if ids.get(c) in rules})
            check = _CHECK.search(body)
            area = (
                rules[expected[0]]["area"]
                if expected
                else check_area.get(check.group(1), "none")
                if check
                else "none"
            )
            cases.append(
                {
                    "test": f"{path.name}:{test}",
                    "base": files[base],
                    "revision": files[revision],
                    "check": check.group(1) if check else "all",
                    "area": area,
                    "expected": [
                        {"id": i, **rules.get(i, {"level": "?", "area": "?"})} for i in expected
                    ],
                }
            )
            used |= {files[base], files[revision]}
    data = HERE / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    for name in sorted(used):
        shutil.copyfile(checkout / "data" / "checker" / name, data / name)
    commit = (
        commit
        or subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    )
    out = {"oasdiff_commit": commit, "cases": cases}
    (HERE / "cases.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases, {len(used)} documents, oasdiff {commit[:12]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
