"""`sdkforge serve` as a command: where it finds its inputs, how it refuses, what it lists."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx

from generator.core.load import Spec
from generator.serve.operations import read_operations

from .launch import FIXTURES, ROOT, RunningServer, serving

SERVE = [sys.executable, "-m", "generator", "serve"]
ROUTE_LINES = [
    "POST  /v1/chat/completions       createChatCompletion",
    "POST  /v1/messages               createMessage",
    "POST  /qai/v1/chat/session       chatSession",
    "GET   /                          this list",
    "GET   /_sdkforge/health          health and operations",
    "GET   /_sdkforge/requests/{key}  requests seen for a key",
]


def refused(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `sdkforge serve ARGS` that must stop before it listens."""
    return subprocess.run(
        [*SERVE, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_started_outside_the_checkout_it_finds_the_schemas_and_fixtures(tmp_path: Path) -> None:
    with serving(tmp_path / "server.log", cwd=tmp_path, fixtures=None) as running:
        health = httpx.get(f"{running.url}/_sdkforge/health", timeout=5).json()
        assert {op["path"] for op in health["operations"]} == {
            "/v1/chat/completions",
            "/v1/messages",
            "/qai/v1/chat/session",
        }
        recording = sorted(FIXTURES.rglob("*.sse"))[0]
        replayed = httpx.post(
            f"{running.url}/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
            headers={
                "authorization": "Bearer k",
                "x-sdkforge-replay": str(recording.relative_to(FIXTURES)),
            },
            timeout=10,
        )
        assert replayed.status_code == 200
        assert replayed.content == recording.read_bytes()


def test_schemas_that_cannot_be_found_are_one_line_naming_where_it_looked(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-schemas"
    line = one_error_line(refused("--schemas", str(missing), "--port", "0"))
    assert line == f"error: no schemas folder: looked in {missing}; pass --schemas DIR"


def test_a_fixtures_folder_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-fixtures"
    line = one_error_line(refused("--fixtures", str(missing), "--port", "0"))
    assert line == f"error: no fixtures folder at {missing} (--fixtures)"


def test_a_busy_port_is_one_line_saying_how_to_choose_another() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        line = one_error_line(refused("--port", str(port)))
    assert line == (
        f"error: port {port} on 127.0.0.1 is in use; choose another with --port (0 picks a free one)"
    )


def test_the_routes_are_listed_at_start(server: RunningServer) -> None:
    log = server.log.read_text().splitlines()
    start = log.index("sdkforge serve: 6 routes")
    assert log[start + 1 : start + 7] == [f"  {line}" for line in ROUTE_LINES]


def test_get_root_lists_the_routes_as_json(server: RunningServer, spec: Spec) -> None:
    reply = httpx.get(f"{server.url}/", timeout=5)
    assert reply.status_code == 200
    routes = reply.json()
    operations = [
        {"method": op.http_method, "path": op.path, "operation": op.operation_id}
        for op in read_operations(spec)
    ]
    assert routes[: len(operations)] == operations
    served = {(r["method"], r["path"]) for r in routes}
    assert {("GET", "/"), ("GET", "/_sdkforge/health")} <= served
    assert ("GET", "/_sdkforge/requests/{key}") in served
