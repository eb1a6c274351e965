"""The round-trip tests as files: ``templates/tests/*.jinja`` and the hand-written support.

A part of the rendered tree (:class:`generator.core.render.Layout`), added by the pipeline
for the package generated from ``schemas/`` (vendor packages get no round-trip tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from generator.core import ir
from generator.core.render import runtime_files
from generator.core.stamp import GENERATOR, TEMPLATES
from generator.roundtrip.ir import RoundTrip

# What the round-trip tests share, hand-written and checked at source (ruff) and in generated/
# (mypy, where the modules they import exist).
SUPPORT = GENERATOR / "roundtrip" / "support"
TARGET = "tests"


@dataclass(frozen=True)
class RoundTripTests:
    """``generated/tests``: the cases rendered from the round-trip IR, and the support copied."""

    round_trip: RoundTrip

    @property
    def replaces(self) -> frozenset[str]:
        return frozenset()

    def render(self, env: jinja2.Environment, package: ir.Package, header: str) -> dict[str, str]:
        files = runtime_files(TARGET, SUPPORT)
        base = TEMPLATES / TARGET
        for path in sorted(base.glob("*.jinja")):
            rel = path.relative_to(TEMPLATES).as_posix()
            out = f"{TARGET}/{path.name[: -len('.jinja')]}"
            files[out] = env.get_template(rel).render(
                package=package, round_trip=self.round_trip, header=header
            )
        return files
