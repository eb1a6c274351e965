"""The wire-level diff: walk two snapshots' schemas side by side and grade each change.

The walk starts at every named schema and every operation, and descends through
properties, items, ``additionalProperties`` and untagged ``oneOf``/``anyOf`` branches. A
``$ref`` to a named schema is compared by name only (the target is compared on its own),
so one change is reported once, where it was made. Each finding is graded on the side(s)
of the wire its schema travels (the builder's ``directions``) using the facts that decide
it: whether the object was closed, the property required, the enum or union open, the
field typed as a ``Literal`` or as ``Optional`` in the previous SDK.

The parts, each handed the same :class:`~generator.review.comparison.Comparison` (the two
snapshots, the renames, the findings): :mod:`.operations`, :mod:`.components` (named
schemas and renames), :mod:`.schemas` (the walk, objects and branches), :mod:`.facets` (a
node's own keywords), :mod:`.unions` (tagged unions); :mod:`.side` holds what they share.
"""

from __future__ import annotations

from generator.review.comparison import Comparison
from generator.review.components import Components, detect_renames
from generator.review.findings import Finding
from generator.review.operations import Operations
from generator.review.schemas import Schemas
from generator.review.snapshot import Snapshot


class Differ:
    """Compares two snapshots: their operations, then their named schemas."""

    def __init__(self, old: Snapshot, new: Snapshot) -> None:
        self.comparison = Comparison(old, new, detect_renames(old, new))
        self.operations = Operations(self.comparison)
        self.components = Components(self.comparison, Schemas(self.comparison))

    def run(self) -> list[Finding]:
        self.operations.run()
        self.components.run()
        return self.comparison.findings
