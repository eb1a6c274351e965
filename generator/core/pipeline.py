"""load → IR → render: everything ``generate`` and ``generate --check`` share."""

from __future__ import annotations

from pathlib import Path

from generator.core import ir
from generator.core.build import build
from generator.core.load import load
from generator.core.render import render


def build_package(schemas_dir: Path) -> ir.Package:
    return build(load(schemas_dir))


def render_tree(schemas_dir: Path) -> dict[str, str]:
    return render(build_package(schemas_dir))
