"""The wire-level diff: walk two snapshots' schemas side by side and grade each change.

The walk starts at every named schema and every operation, and descends through
properties, items, ``additionalProperties`` and untagged ``oneOf``/``anyOf`` branches. A
``$ref`` to a named schema is compared by name only (the target is compared on its own),
so one change is reported once, where it was made. Each finding is graded on the side(s)
of the wire its schema travels (the builder's ``directions``) using the facts that decide
it: whether the object was closed, the property required, the enum or union open, the
field typed as a ``Literal`` or as ``Optional`` in the previous SDK.

The parts, each handed the same :class:`~generator.review.comparison.Comparison` (the two
snapshots, the renames, the findings): :mod:`.document` (servers, security),
:mod:`.operations`, :mod:`.surface` (parameters, bodies, responses, headers of an
operation), :mod:`.components` (named schemas and renames), :mod:`.schemas` (the walk,
objects and branches), :mod:`.facets` (a node's own keywords), :mod:`.unions` (tagged
unions); :mod:`.side` holds what they share.
"""

from __future__ import annotations

from generator.review.comparison import Comparison
from generator.review.components import Components, detect_renames
from generator.review.document import DocumentLevel
from generator.review.findings import Finding
from generator.review.operations import Operations
from generator.review.schemas import Schemas
from generator.review.snapshot import Snapshot
from generator.review.surface import Surface


class Differ:
    """Compares two snapshots: their operations, then their named schemas."""

    def __init__(self, old: Snapshot, new: Snapshot) -> None:
        self.comparison = Comparison(old, new, detect_renames(old, new))
        schemas = Schemas(self.comparison)
        self.document = DocumentLevel(self.comparison)
        self.operations = Operations(
            self.comparison, Surface(self.comparison, schemas), self.document
        )
        self.components = Components(self.comparison, schemas)

    def run(self) -> list[Finding]:
        self.document.run()
        self.operations.run()
        self.components.run()
        return self.comparison.findings
