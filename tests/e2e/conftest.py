"""The reference server in its own process, on a free loopback port, for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from serve.launch import FIXTURES, ROOT, RunningServer, serving

from generator.core.load import Spec, load

__all__ = ["FIXTURES", "ROOT", "RunningServer"]


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The schemas the server was built from, loaded once."""
    return load(ROOT / "schemas")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("server") / "server.log") as running:
        yield running


# --- the fault matrix report -------------------------------------------------------------------

_CELLS: dict[tuple[str, str], dict[str, str]] = {}
_COLUMNS = ("sync plain", "sync stream", "async plain", "async stream")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name != "fault_cell" or (report.when == "teardown" and report.passed):
            continue
        row, family, column, detail = value
        if report.when == "setup" and report.passed:
            continue
        verdict = "pass" if report.passed else "FAIL"
        _CELLS.setdefault((row, family), {})[column] = (
            f"{verdict} ({detail})" if detail else verdict
        )


def fault_matrix() -> str:
    """The fault matrix as a Markdown table (empty when no cell ran)."""
    if not _CELLS:
        return ""
    lines = [
        "| fault | family | " + " | ".join(_COLUMNS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in _COLUMNS) + " |",
    ]
    for (row, family), cells in _CELLS.items():
        values = [cells.get(column, "not run") for column in _COLUMNS]
        lines.append(f"| {row} | {family} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    table = fault_matrix()
    if table:
        terminalreporter.section("fault matrix (attempts seen by the server, elapsed)")
        terminalreporter.write_line(table)
