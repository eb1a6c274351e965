"""Where a generated model and its schema knowingly disagree, and why.

Each key is a pattern (``fnmatch``) over ``<check>/<case id>``, e.g.
``rejection/messages.TextBlock:drop-required:type``; the value is the reason. The tests it
matches are expected failures, strictly: one that starts passing fails the run, so a fixed
limitation has to leave this list. A pattern that matches no case fails the run too (unless
it names a module this package does not have).
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

LIMITATIONS: dict[str, str] = {
    "rejection/messages.Message:unknown-variant:content": (
        "ContentBlock is one Python type for requests and responses; it is open because "
        "responses need it, so a request message parsed from JSON keeps an unknown block "
        "instead of rejecting it (constructors cannot build one)."
    ),
    "acceptance/*:integral-float:*": (
        'from_json reads JSON strictly, so that "1" is no number and "true" no boolean; '
        "pydantic's strict mode also refuses 5.0 for an integer, which JSON Schema counts as "
        "an integer. Servers write integers without a fraction."
    ),
    "forward-compatibility/*:python-name:*": (
        "pydantic counts an unknown property named like a field's Python attribute (`from_` "
        "for `from`) as that field being set, so the field is written back as null beside "
        "the kept property."
    ),
}


def pattern_for(check: str, case_id: str) -> str | None:
    name = f"{check}/{case_id}"
    return next((p for p in LIMITATIONS if fnmatch.fnmatchcase(name, p)), None)


def stale(ids: list[str], modules: set[str]) -> list[str]:
    """Patterns that match none of ``ids`` although they name a module of this package (or any)."""
    out = []
    for pattern in LIMITATIONS:
        module = pattern.split("/", 1)[-1].split(".", 1)[0]
        if (module == "*" or module in modules) and not fnmatch.filter(ids, pattern):
            out.append(pattern)
    return out


def marks(check: str, case_id: str) -> list[Any]:
    pattern = pattern_for(check, case_id)
    if pattern is None:
        return []
    return [
        pytest.mark.xfail(
            strict=True, reason=f"known limitation {pattern!r} (known_limitations.py)"
        )
    ]
