"""The reference server in its own process, on a free loopback port, for the whole session."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.core.load import Spec, load

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "real"
STARTUP_SECONDS = 60


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def attempts(self, key: str) -> dict[str, Any]:
        """What the server saw for one x-sdkforge-key / Idempotency-Key."""
        reply = httpx.get(f"{self.url}/_sdkforge/requests/{key}", timeout=5)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data


def start_server(log: Path, *extra: str) -> RunningServer:
    command = [sys.executable, "-m", "generator", "serve", "--port", "0"]
    command += ["--fixtures", str(FIXTURES), *extra]
    with log.open("w") as err:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_SECONDS
    line = ""
    while time.monotonic() < deadline and not line:
        if selector.select(timeout=0.2):
            line = process.stdout.readline()
            if not line:  # the process ended before it listened
                break
    selector.close()
    match = re.search(r"listening on (http://\S+)", line)
    if match is None:
        process.kill()
        process.wait()
        raise RuntimeError(f"the server did not start:\n{line}{log.read_text()}")
    return RunningServer(match.group(1), process, log)


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server.process.stdout is not None:
        server.process.stdout.close()


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The schemas the server was built from, loaded once."""
    return load(ROOT / "schemas")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "server.log")
    try:
        yield running
    finally:
        stop_server(running)
    # Faults are the server doing what it was asked: none of them may crash a request.
    log = running.log.read_text()
    assert "Traceback" not in log and "Exception in ASGI" not in log, log


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
