"""Operations: added, removed, moved to another path or method, or changed in shape.

An operation's shape is what its client method depends on: the request and response
schemas (compared by name, through renames), whether and how it streams. The schemas
themselves are compared as named schemas, not here; parameters, bodies, status codes,
headers and deprecation by :class:`~generator.review.surface.Surface`, security by
:class:`~generator.review.document.DocumentLevel`. An operation that moved keeps its
``operationId``, or, when it has none to go by, is the one operation of the same method and
shape that appeared where it disappeared.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.core.index import REQUEST as DIR_REQUEST
from generator.core.index import RESPONSE as DIR_RESPONSE
from generator.core.index import Key, Named
from generator.core.load import lookup
from generator.core.manifest import method_symbol
from generator.core.operations import iter_operations as walk_operations
from generator.core.operations import operation_pointer
from generator.review.comparison import Comparison, Part
from generator.review.document import DocumentLevel
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.side import Side, name_of, ref_key
from generator.review.snapshot import Snapshot
from generator.review.surface import Surface


class Operations(Part):
    """Compares the operations of both snapshots, matched by document, path and method."""

    def __init__(self, comparison: Comparison, surface: Surface, document: DocumentLevel) -> None:
        super().__init__(comparison)
        self.surface = surface
        self.document = document

    def run(self) -> None:
        """Every operation of either side; one whose operationId moved is reported as moved."""
        old_ops, new_ops = dict(iter_operations(self.old)), dict(iter_operations(self.new))
        gone = [k for k in old_ops if k not in new_ops]
        came = [k for k in new_ops if k not in old_ops]
        # The same operationId at another path or method: one operation that moved.
        moved: dict[tuple[str, str, str], tuple[str, str, str]] = {}
        for key in sorted(gone):
            op_id = self.operation_id(old_ops[key])
            match = [k for k in came if op_id and self.operation_id(new_ops[k]) == op_id]
            if len(match) == 1:
                moved[key] = match[0]
                came.remove(match[0])
        # Else the one operation of the same method and shape (a path renamed).
        for key in sorted(k for k in gone if k not in moved):
            shape = self.signature(old_ops[key], key)
            match = [k for k in came if k[2] == key[2] and self.signature(new_ops[k], k) == shape]
            twins = [
                k
                for k in gone
                if k not in moved and k[2] == key[2] and self.signature(old_ops[k], k) == shape
            ]
            if len(match) == 1 and len(twins) == 1:
                moved[key] = match[0]
                came.remove(match[0])
        for key in sorted(set(old_ops) | set(new_ops)):
            o, n = old_ops.get(key), new_ops.get(key)
            label = f"{key[2].upper()} {key[1]}"
            if o is not None and key in moved:
                target = moved[key]
                n = new_ops[target]
                self.emit(
                    "operation-changed",
                    o,
                    n,
                    request=Grade(
                        BREAKING,
                        BREAKING,
                        "Old clients, and the previous SDK, call the old path or method.",
                    ),
                    response=None,
                    message=f"{label} is now {target[2].upper()} {target[1]}",
                    detail="path",
                    sides={DIR_REQUEST, DIR_RESPONSE},
                    covers=self.method_covers(o.symbol) + self.method_covers(n.symbol),
                )
                self.operation_changed(o, n, label)
            elif o is not None and n is None:
                deprecated = self.deprecated(o)
                self.emit(
                    "api-removed-with-deprecation" if deprecated else "operation-removed",
                    o,
                    None,
                    request=Grade(
                        WARNING,
                        BREAKING,
                        "It was deprecated first, so clients were told; code that still calls "
                        f"`{o.symbol}` fails: the client method is gone.",
                    )
                    if deprecated
                    else Grade(BREAKING, BREAKING, "Calls to it fail; its client method is gone."),
                    response=None,
                    message=f"operation {label} was removed"
                    + (" (it was deprecated)" if deprecated else ""),
                    covers=self.method_covers(o.symbol),
                    sides={DIR_REQUEST, DIR_RESPONSE},
                )
            elif n is not None and o is None:
                if key in moved.values():
                    continue
                self.emit(
                    "operation-added",
                    None,
                    n,
                    request=Grade(SAFE, SAFE, "A new endpoint and client method."),
                    response=None,
                    message=f"new operation {label}",
                    covers=self.method_covers(n.symbol),
                    sides={DIR_REQUEST, DIR_RESPONSE},
                )
            elif o is not None and n is not None:
                self.operation_changed(o, n, label)

    def operation_id(self, side: Side) -> str | None:
        op = lookup(side.snap.raw.get(side.doc.path, side.doc.data), side.pointer)
        op_id = op.get("operationId") if isinstance(op, dict) else None
        return op_id if isinstance(op_id, str) and op_id else None

    def deprecated(self, side: Side) -> bool:
        op = lookup(side.snap.raw.get(side.doc.path, side.doc.data), side.pointer)
        return isinstance(op, dict) and op.get("deprecated") is True

    def signature(self, side: Side, key: tuple[str, str, str]) -> str:
        """What an operation is apart from its path: shape and non-path parameters."""
        shape = self.op_shape(side)
        for part in ("request", "response", "stream"):
            value = shape.get(part)
            if isinstance(value, Key):
                value = self.renames.get(value, value)
                shape[part] = name_of(self.new if value in self.new.top else side.snap, value)
        params = sorted(k for k in self.surface.parameters(side) if k[0] != "path")
        return repr((sorted(shape.items()), params, key[1].count("/")))

    def operation_changed(self, o: Side, n: Side, label: str) -> None:
        oshape, nshape = self.op_shape(o), self.op_shape(n)
        for part in ("request", "response", "stream", "framing", "terminator"):
            before, after = oshape.get(part), nshape.get(part)
            if isinstance(before, Key):
                before = self.renames.get(before, before)
            streams = oshape.get("stream") is not None and nshape.get("stream") is not None
            if before == after or (part in {"framing", "terminator"} and not streams):
                continue
            if part in {"request", "response"} and (before is None or after is None):
                continue  # a body or media type that came or went: the surface reports it
            if part == "stream" and (before is None or after is None):
                rule = "operation-stream-added" if before is None else "operation-stream-removed"
                grade = (
                    Grade(SAFE, SAFE, "Streaming is new.")
                    if before is None
                    else Grade(BREAKING, BREAKING, "Streaming calls fail.")
                )
                message = f"{label} " + (
                    "can now stream" if before is None else "no longer streams"
                )
            else:
                rule = "operation-changed"
                why = {
                    "framing": "Old clients decode the stream another way.",
                    "terminator": "Old clients wait for another end of stream.",
                }
                grade = Grade(
                    BREAKING, BREAKING, why.get(part, f"The {part} of {label} is another schema.")
                )

                message = (
                    f"{label}: {part} {self.show_part(self.new, before)} → "
                    f"{self.show_part(self.new, after)}"
                )
            self.emit(
                rule,
                o,
                n,
                request=grade,
                response=None,
                message=message,
                detail=part,
                sides={DIR_REQUEST, DIR_RESPONSE},
                covers=self.method_covers(o.symbol) + self.method_covers(n.symbol),
            )
        self.surface.compare(o, n, label)
        self.document.operation(o, n, label)

    def method_covers(self, method: str) -> list[str]:
        """A client method, its keyword parameters and its ``stream()`` helper."""
        return [method, method + "(", method.rsplit(".", 1)[0] + ".stream"]

    def show_part(self, snap: Snapshot, value: Any) -> str:
        if isinstance(value, Key):
            known = snap if value in snap.top else self.old
            return f"`{name_of(known, value)}`"
        return str(value)

    def op_shape(self, side: Side) -> dict[str, Any]:
        op = lookup(side.doc.data, side.pointer)
        shape: dict[str, Any] = {}
        body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        shape["request"] = ref_key(side, body.get("schema") or {})
        for status, response in sorted((op.get("responses") or {}).items()):
            if not str(status).startswith("2"):
                continue
            content = response.get("content") or {}
            if "application/json" in content:
                shape["response"] = ref_key(side, content["application/json"].get("schema") or {})
            if "text/event-stream" in content:
                media = content["text/event-stream"]
                shape["stream"] = ref_key(side, media.get("schema") or {})
                shape["framing"] = (media.get("x-sdk-stream") or {}).get("framing")
                shape["terminator"] = (media.get("x-sdk-stream") or {}).get("terminator")
        return shape


def iter_operations(snap: Snapshot) -> Iterator[tuple[tuple[str, str, str], Side]]:
    """Every operation as (document, path, method) and a side whose symbol is its method."""
    by_source = {op.source: op for op in snap.package.operations}
    for doc in snap.spec.documents.values():
        if not doc.is_openapi:
            continue
        for path, method, op in walk_operations(doc.data):
            pointer = operation_pointer(path, method)
            ir_op = by_source.get(f"{doc.source}#{pointer}")
            symbol = method_symbol(ir_op) if ir_op else f"{method.upper()} {path}"
            owner = Named(Key(doc.path, pointer), path, path, "", op, doc)
            owner.directions = {DIR_REQUEST, DIR_RESPONSE}
            yield (
                (doc.path, path, method),
                Side(snap, doc, pointer, owner, symbol, f"{method.upper()} {path}"),
            )
