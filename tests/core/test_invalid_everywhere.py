"""Every invalid case is a located error, exit 2, in each command that reads schemas.

``generate``, ``lint`` and ``review`` read the same schemas; a schema that cannot generate must
not crash one of them (exit 1 with a traceback) or pass it silently (exit 0). For review, exit 1
means "breaking change found", so an unreadable head has to be 2 as well.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

CASES = Path(__file__).resolve().parents[1] / "cases"
INVALID = sorted(p.parent.name for p in CASES.glob("*/expected_errors.txt"))
VALID_BASE = CASES / "unquoted_yaml_keys" / "schemas"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_located_exit_2(result: Result, case: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{case}: crashed with {result.exception!r}"
    )
    assert result.exit_code == 2, f"{case}: exit {result.exit_code}\n{result.output}"
    # file, then the line where one is known, then the JSON pointer
    assert re.search(r"^(error: )?schemas/\S*?(:\d+)?: /", result.output, re.M), (
        f"{case}: no located error\n{result.output}"
    )
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A git repository whose committed schemas are valid; each case replaces the working tree's."""
    root = tmp_path_factory.mktemp("review-repo")
    shutil.copytree(VALID_BASE, root / "schemas")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-qm", "base"], check=True)
    yield root


@pytest.mark.parametrize("case", INVALID)
def test_generate_lint_and_review_exit_2(
    case: str, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = CASES / case / "schemas"
    assert_located_exit_2(run("generate", "--schemas", str(schemas), "--out", str(tmp_path)), case)
    assert_located_exit_2(run("lint", "--schemas", str(schemas)), case)
    shutil.rmtree(repo / "schemas")
    shutil.copytree(schemas, repo / "schemas")
    monkeypatch.chdir(repo)
    assert_located_exit_2(run("review", "--base", "HEAD"), case)


def test_there_are_invalid_cases() -> None:
    assert len(INVALID) >= 30
