"""What ``sdkforge generate`` runs on a schemas folder: the core, then the round-trip tests.

The one place that composes the wings: the core (load → IR → render) knows nothing of the
round-trip tests, which are built from the core's classification of the same schemas and
rendered as a part of the tree (generator/roundtrip/).
"""

from __future__ import annotations

from pathlib import Path

from generator.core import ir
from generator.core.build import Builder
from generator.core.load import load
from generator.core.render import render
from generator.roundtrip.cases import build_round_trip
from generator.roundtrip.ir import RoundTrip
from generator.roundtrip.render import RoundTripTests

__all__ = ["build_all", "build_package", "render_tree"]


def build_package(schemas_dir: Path) -> ir.Package:
    """The core IR of the schemas under ``schemas_dir``."""
    return Builder(load(schemas_dir)).build()


def build_all(schemas_dir: Path) -> tuple[ir.Package, RoundTrip]:
    """The core IR and the round-trip tests' IR, from one classification of the schemas."""
    builder = Builder(load(schemas_dir))
    package = builder.build()
    return package, build_round_trip(builder, package)


def render_tree(schemas_dir: Path) -> dict[str, str]:
    """Every file ``generate`` writes for ``schemas_dir``: package, tests, manifest, stamp."""
    package, round_trip = build_all(schemas_dir)
    return render(package, parts=[RoundTripTests(round_trip)])
