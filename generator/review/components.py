"""Named schemas as a whole: added, removed, renamed, or compared where both sides have them.

:func:`detect_renames` finds the named schemas that vanished and came back unchanged in
structure under another name; :class:`Components` reports each named schema once.
"""

from __future__ import annotations

import json
from typing import Any

from generator.core.index import Key, Named
from generator.core.load import Document
from generator.review.comparison import Comparison, Part
from generator.review.rules import BREAKING, SAFE, Grade
from generator.review.schemas import Schemas
from generator.review.side import root_side
from generator.review.snapshot import Snapshot

# Keywords that document a schema without constraining it: a rename may change them.
_DOC_KEYS = frozenset(
    {
        "description",
        "examples",
        "example",
        "title",
        "$comment",
        "x-sdk-enum-descriptions",
        "x-sdk-name",
    }
)


class Components(Part):
    """Compares the named schemas of both snapshots, following the comparison's renames."""

    def __init__(self, comparison: Comparison, schemas: Schemas) -> None:
        super().__init__(comparison)
        self.schemas = schemas
        self.renamed_to = set(self.renames.values())

    def run(self) -> None:
        """Every named schema of either side, in key order."""
        keys = sorted(set(self.old.top) | set(self.new.top), key=lambda k: (k.path, k.pointer))
        for key in keys:
            o, n = self.old.top.get(key), self.new.top.get(key)
            if o is not None and n is not None:
                self.schemas.node(
                    root_side(self.old, o), root_side(self.new, n), o.schema, n.schema
                )
            elif o is not None:
                target = self.renames.get(key)
                if target is not None:
                    self.component_renamed(o, self.new.top[target])
                else:
                    self.component_removed(o)
            elif n is not None and key not in self.renamed_to:
                self.component_added(n)

    def component_added(self, named: Named) -> None:
        side = root_side(self.new, named)
        self.emit(
            "component-added",
            None,
            side,
            request=Grade(SAFE, SAFE, "A new type."),
            response=Grade(SAFE, SAFE, "A new type."),
            message=f"new schema {named.name}",
            covers=[side.symbol],
        )

    def component_removed(self, named: Named) -> None:
        side = root_side(self.old, named)
        self.emit(
            "component-removed",
            side,
            None,
            request=Grade(
                SAFE,
                BREAKING,
                f"`{named.py_name}` is gone; where it was used, those changes are reported too.",
            ),
            response=Grade(
                SAFE,
                BREAKING,
                f"`{named.py_name}` is gone; where it was used, those changes are reported too.",
            ),
            message=f"schema {named.name} was removed",
            covers=[side.symbol],
        )

    def component_renamed(self, old: Named, new: Named) -> None:
        o, n = root_side(self.old, old), root_side(self.new, new)
        same = o.symbol == n.symbol
        grade = Grade(
            SAFE,
            SAFE if same else BREAKING,
            "Wire-neutral: the JSON is the same. "
            + (
                f"The Python name stays `{new.py_name}`."
                if same
                else f"The Python class `{old.py_name}` is now `{new.py_name}`: imports and "
                "isinstance checks of the old name fail."
            ),
        )
        finding = self.emit(
            "component-renamed",
            o,
            n,
            request=grade,
            response=grade,
            message=f"schema {old.name} is now {new.name}",
            detail=new.name,
            covers=[o.symbol, n.symbol],
        )
        if not same:
            finding.renames[old.py_name] = new.py_name


# --- renames ------------------------------------------------------------------------------------


def _canonical(snap: Snapshot, named: Named, renames: dict[Key, Key]) -> str:
    """The structure of a named schema: documentation dropped, references as target keys."""

    def walk(doc: Document, value: Any, in_schema: bool) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                if in_schema and k in _DOC_KEYS:
                    continue
                if k == "$ref" and isinstance(v, str):
                    target_doc, pointer = snap.spec.resolve_ref(doc, v)
                    key = renames.get(Key(target_doc.path, pointer), Key(target_doc.path, pointer))
                    out[k] = f"{key.path}#{key.pointer}"
                elif k == "mapping" and isinstance(v, dict):
                    out[k] = {t: walk(doc, {"$ref": r}, True)["$ref"] for t, r in v.items()}
                else:
                    out[k] = walk(doc, v, in_schema and k not in {"enum", "const", "default"})
            return out
        if isinstance(value, list):
            return [walk(doc, v, in_schema) for v in value]
        return value

    return json.dumps(walk(named.doc, named.schema, True), sort_keys=True)


def detect_renames(old: Snapshot, new: Snapshot) -> dict[Key, Key]:
    """Named schemas that vanished and reappeared, unchanged in structure, under a new name."""
    gone = sorted((k for k in old.top if k not in new.top), key=lambda k: (k.path, k.pointer))
    came = sorted((k for k in new.top if k not in old.top), key=lambda k: (k.path, k.pointer))
    renames: dict[Key, Key] = {}
    while True:
        # Identity on the new side: once A→B is known, a schema referring to A matches one
        # referring to B, so renames are found until nothing changes.
        new_canon: dict[str, list[Key]] = {}
        for key in came:
            if key not in renames.values():
                new_canon.setdefault(_canonical(new, new.top[key], {}), []).append(key)
        found = False
        old_canon = {k: _canonical(old, old.top[k], renames) for k in gone if k not in renames}
        for key, canon in old_canon.items():
            candidates = new_canon.get(canon, [])
            twins = [k for k, c in old_canon.items() if c == canon]
            if len(candidates) == 1 and len(twins) == 1:
                renames[key] = candidates[0]
                new_canon = {
                    c: [k for k in ks if k != candidates[0]] for c, ks in new_canon.items()
                }
                found = True
        if not found:
            return renames
