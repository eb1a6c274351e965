"""The mistakes in tests/typing_mistakes/ are type errors, each where it is marked.

Every line marked ``# expect-error`` must be reported by mypy --strict and by pyright --strict,
and no unmarked line may be: so a change that loosens a type (a union back to a base class, a
Literal widened to ``str``) fails here, as does one that makes correct code an error.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MISTAKES = sorted((ROOT / "tests" / "typing_mistakes").glob("*.py"))
BIN = Path(sys.executable).parent


def expected_lines(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {n for n, line in enumerate(lines, 1) if line.rstrip().endswith("# expect-error")}


def mypy_errors(paths: list[Path]) -> dict[Path, set[int]]:
    run = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[Path, set[int]] = {p: set() for p in paths}
    for line in run.stdout.splitlines():
        m = re.match(r"(.+?):(\d+): error:", line)
        if m:
            found.setdefault((ROOT / m[1]).resolve(), set()).add(int(m[2]))
    return found


def pyright_errors(paths: list[Path]) -> dict[Path, set[int]]:
    run = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[Path, set[int]] = {p: set() for p in paths}
    for diag in json.loads(run.stdout)["generalDiagnostics"]:
        if diag["severity"] == "error":
            path = Path(diag["file"]).resolve()
            found.setdefault(path, set()).add(diag["range"]["start"]["line"] + 1)
    return found


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[Path, set[int]]]:
    return {"mypy": mypy_errors(MISTAKES), "pyright": pyright_errors(MISTAKES)}


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
@pytest.mark.parametrize("path", MISTAKES, ids=lambda p: p.name)
def test_each_mistake_is_a_type_error(
    reports: dict[str, dict[Path, set[int]]], checker: str, path: Path
) -> None:
    expected = expected_lines(path)
    assert expected, f"{path.name} marks no mistake"
    found = reports[checker].get(path.resolve(), set())
    assert sorted(expected - found) == [], f"{checker} misses these mistakes"
    assert sorted(found - expected) == [], f"{checker} reports errors on correct lines"
