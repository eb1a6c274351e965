"""load → IR → render: everything ``generate`` and ``generate --check`` share."""

from __future__ import annotations

from pathlib import Path

from generator import ir
from generator.build import build
from generator.load import load
from generator.render import render


def build_package(schemas_dir: Path) -> ir.Package:
    return build(load(schemas_dir))


def render_tree(schemas_dir: Path) -> dict[str, str]:
    return render(build_package(schemas_dir))


def render_vendor_tree(spec_file: Path, package: str) -> dict[str, str]:
    """The package ``package`` generated from a vendor OpenAPI document (generator/vendor.py)."""
    from generator.vendor import build_package as build_vendor_package

    return render(build_vendor_package(spec_file, package))
