"""The server's routes as a table: listed when it starts and answered on ``GET /``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.serve.operations import Operation

__all__ = ["DEBUG_PREFIX", "RouteEntry", "format_routes", "route_table"]

DEBUG_PREFIX = "/_sdkforge"


@dataclass(frozen=True)
class RouteEntry:
    """One route: its method, its path and what it does (the operationId for an operation)."""

    method: str
    path: str
    operation: str


def route_table(operations: Sequence[Operation]) -> list[RouteEntry]:
    """Every route: the operations in schema order, then the server's own."""
    entries = [RouteEntry(op.http_method, op.path, op.operation_id) for op in operations]
    return [
        *entries,
        RouteEntry("GET", "/", "this list"),
        RouteEntry("GET", f"{DEBUG_PREFIX}/health", "health and operations"),
        RouteEntry("GET", f"{DEBUG_PREFIX}/requests/{{key}}", "requests seen for a key"),
    ]


def format_routes(entries: Sequence[RouteEntry]) -> list[str]:
    """One aligned line per route: ``POST  /v1/messages  createMessage``."""
    method_width = max(len(e.method) for e in entries)
    path_width = max(len(e.path) for e in entries)
    return [
        f"{e.method:<{method_width}}  {e.path:<{path_width}}  {e.operation}".rstrip()
        for e in entries
    ]
