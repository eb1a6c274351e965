"""The reference server in its own process, on a free loopback port, as the tests start it."""

from __future__ import annotations

import contextlib
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


def start_server(
    log: Path, *extra: str, cwd: Path = ROOT, fixtures: Path | None = FIXTURES
) -> RunningServer:
    """``sdkforge serve --port 0`` started in ``cwd``, once it listens; its stderr goes to ``log``."""
    command = [sys.executable, "-m", "generator", "serve", "--port", "0"]
    if fixtures is not None:
        command += ["--fixtures", str(fixtures)]
    command += extra
    with log.open("w") as err:
        process = subprocess.Popen(
            command,
            cwd=cwd,
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


@contextlib.contextmanager
def serving(log: Path, *extra: str, **where: Any) -> Iterator[RunningServer]:
    """A server for the ``with`` block; afterwards its log must show no crashed request."""
    running = start_server(log, *extra, **where)
    try:
        yield running
    finally:
        stop_server(running)
    # Faults are the server doing what it was asked: none of them may crash a request.
    text = log.read_text()
    assert "Traceback" not in text and "Exception in ASGI" not in text, text
