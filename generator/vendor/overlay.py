"""OpenAPI Overlays: changes to a vendor document we do not own, applied before normalising.

An overlay (the OpenAPI Overlay Specification 1.0) is an ordered list of actions, each an RFC
9535 JSONPath ``target`` with an ``update`` (merged into every node the target selects) or
``remove: true``. The vendor documents say nothing in ``x-sdk-*``; an overlay adds what the
generator reads (stream framing, accumulation rules, accessors) without editing the vendor's
file, and :func:`apply_overlays` applies them in order to the parsed document.

An overlay is untrusted input like a schema: it is read within the same limits
(:mod:`generator.core.source`), every ``x-sdk-*`` value it adds is checked against the
extensions' meta-schema, and every problem is a located error (the overlay's file, JSON
pointer and line). Stricter than the specification in one way: a target that selects nothing
is an error, not a no-op, because an overlay written for a document that has since changed
would otherwise leave the package silently without what it declares.

Merging follows the specification (1.1 spells it out): a property only in the update is
added, an object is merged recursively, an array is concatenated, a primitive replaces a
primitive, and any other pair (an object onto a string) is an error.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpath_rfc9535 as jsonpath

from generator.core.errors import SchemaError, SchemaErrors, join_pointer
from generator.core.load import Spec, check_extensions
from generator.core.source import MAX_NODES, compose, decode
from generator.vendor.read import VendorDocument

__all__ = ["SHIPPED", "Overlay", "apply_overlays", "read_overlay", "resolve_overlay", "shipped"]

SHIPPED = Path(__file__).with_name("overlays")
"""The overlays shipped with sdkforge, named by file stem (``--overlay openai-responses``)."""

_VERSION = re.compile(r"1\.[01]\.\d+")
_ACTION_KEYS = frozenset({"target", "description", "update", "remove"})


def shipped() -> list[str]:
    """The names of the shipped overlays."""
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def resolve_overlay(name: str) -> Path:
    """The overlay file ``name`` names: a path, else a shipped overlay's name."""
    path = Path(name)
    if path.is_file():
        return path
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) and (SHIPPED / f"{name}.yaml").is_file():
        return SHIPPED / f"{name}.yaml"
    message = f"no such file, and no shipped overlay of that name (shipped: {', '.join(shipped())})"
    raise SchemaErrors([SchemaError(name, "", None, message)])


@dataclass(frozen=True)
class Action:
    index: int
    query: jsonpath.JSONPathQuery
    update: Any
    has_update: bool
    remove: bool
    size: int  # values in ``update``: what each selected node gains


@dataclass(frozen=True)
class Overlay:
    """One overlay file, read and checked: its document (for errors) and its actions."""

    doc: VendorDocument
    actions: tuple[Action, ...]

    @property
    def file(self) -> str:
        return self.doc.source_file


def read_overlay(path: Path) -> Overlay:
    """Read and check the overlay at ``path``; raise every problem found, located."""
    where = str(path)
    text, errors = decode(where, path.read_bytes())
    if text is None:
        raise SchemaErrors(errors)
    try:
        parsed, errors = compose(where, text)
    except Exception as exc:  # yaml.YAMLError, with or without a mark
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or exc
        raise SchemaErrors([SchemaError(where, "", line, f"cannot parse: {problem}")]) from exc
    if parsed is None:
        raise SchemaErrors(errors)
    doc = VendorDocument(
        path=path.name, data=parsed.data, lines=parsed.lines, text=text, source_file=where
    )
    doc._lines_ready = True  # the line map came with the parse
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("overlay"), str):
        raise SchemaErrors([doc.error("", "not an overlay document: no `overlay: 1.0.0`")])
    problems: list[SchemaError] = []
    if not _VERSION.fullmatch(data["overlay"]):
        problems.append(
            doc.error("/overlay", f"overlay version {data['overlay']!r}: 1.0.x or 1.1.x is read")
        )
    info = data.get("info")
    if not isinstance(info, dict) or not all(
        isinstance(info.get(k), str) for k in ("title", "version")
    ):
        problems.append(doc.error("/info", "info needs a title and a version (strings)"))
    raw_actions = data.get("actions")
    if not isinstance(raw_actions, list) or not raw_actions:
        problems.append(doc.error("/actions", "actions must be a list of at least one action"))
        raw_actions = []
    actions = [a for i, raw in enumerate(raw_actions) if (a := _action(doc, i, raw, problems))]
    problems += check_extensions(Spec(root=path.parent, documents={doc.path: doc}))
    if problems:
        raise SchemaErrors(problems)
    return Overlay(doc, tuple(actions))


def _action(
    doc: VendorDocument, index: int, raw: Any, problems: list[SchemaError]
) -> Action | None:
    where = join_pointer("/actions", index)
    if not isinstance(raw, dict):
        problems.append(doc.error(where, "an action must be an object"))
        return None
    for key in raw:
        if key == "copy":
            problems.append(doc.error(join_pointer(where, key), "copy actions are not supported"))
        elif key not in _ACTION_KEYS and not key.startswith("x-"):
            problems.append(doc.error(join_pointer(where, key), f"unknown action field {key!r}"))
    target = raw.get("target")
    if not isinstance(target, str) or not target.startswith("$"):
        problems.append(doc.error(where, "an action needs a target: a JSONPath starting with $"))
        return None
    try:
        query = jsonpath.compile(target)
    except jsonpath.JSONPathError as exc:
        problems.append(doc.error(join_pointer(where, "target"), f"not a JSONPath query: {exc}"))
        return None
    remove = raw.get("remove", False)
    if not isinstance(remove, bool):
        problems.append(doc.error(join_pointer(where, "remove"), "remove must be true or false"))
        return None
    if remove and "update" in raw:
        problems.append(doc.error(where, "an action either updates or removes, not both"))
        return None
    if not remove and "update" not in raw:
        problems.append(doc.error(where, "an action needs update, or remove: true"))
        return None
    if remove and query.empty():
        problems.append(doc.error(join_pointer(where, "target"), "the root cannot be removed"))
        return None
    update = raw.get("update")
    return Action(index, query, update, "update" in raw, remove, _size(update))


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _pointer(location: tuple[str | int, ...]) -> str:
    return join_pointer("", *location)


def apply_overlays(data: dict[str, Any], overlays: list[Overlay], document: str) -> None:
    """Apply ``overlays`` in order to the vendor document ``data`` (changed in place).

    ``document`` names the vendor file in messages. Raises every problem found; the values
    added are bounded as a file's are (``MAX_NODES``), so an update fanned out over every
    node of a large document cannot make the generator build an unbounded tree.
    """
    problems: list[SchemaError] = []
    budget = MAX_NODES
    for overlay in overlays:
        for action in overlay.actions:
            where = join_pointer("/actions", action.index)
            nodes = list(action.query.find(data))
            if not nodes:
                problems.append(
                    overlay.doc.error(
                        join_pointer(where, "target"), f"the target matches nothing in {document}"
                    )
                )
                continue
            if action.remove:
                _remove(nodes)
                continue
            budget -= action.size * len(nodes)
            if budget < 0:
                message = f"the overlays add more than {MAX_NODES:,} values; refused"
                raise SchemaErrors([*problems, overlay.doc.error(where, message)])
            for node in nodes:
                problems += _update(overlay, where, node, action.update)
    if problems:
        raise SchemaErrors(problems)


def _remove(nodes: list[jsonpath.JSONPathNode]) -> None:
    # Items of one list go last-first, so that removing one does not move the next.
    keyed = [(n.parent, n.location[-1]) for n in nodes if n.parent is not None and n.location]
    for parent, key in sorted(
        keyed, key=lambda p: p[1] if isinstance(p[1], int) else 0, reverse=True
    ):
        container = parent.value
        if isinstance(container, dict) and isinstance(key, str):
            container.pop(key, None)
        elif isinstance(container, list) and isinstance(key, int) and key < len(container):
            del container[key]


def _update(
    overlay: Overlay, where: str, node: jsonpath.JSONPathNode, update: Any
) -> list[SchemaError]:
    target = node.value
    here = _pointer(node.location)
    if isinstance(target, list):
        target.extend(
            copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)]
        )
        return []
    if not isinstance(target, dict):
        message = (
            f"the target selects {_kind(target)} at {here or '/'}: select the object that "
            "holds it and update that property"
        )
        return [overlay.doc.error(join_pointer(where, "target"), message)]
    if not isinstance(update, dict):
        message = f"the target selects an object at {here or '/'}; the update must be an object"
        return [overlay.doc.error(join_pointer(where, "update"), message)]
    return _merge(overlay, join_pointer(where, "update"), here, target, update)


def _merge(
    overlay: Overlay, where: str, here: str, target: dict[str, Any], update: dict[str, Any]
) -> list[SchemaError]:
    problems: list[SchemaError] = []
    for key, value in update.items():
        if key not in target:
            target[key] = copy.deepcopy(value)
            continue
        current = target[key]
        if isinstance(current, dict) and isinstance(value, dict):
            problems += _merge(
                overlay, join_pointer(where, key), join_pointer(here, key), current, value
            )
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy.deepcopy(value))
        elif not isinstance(current, (dict, list)) and not isinstance(value, (dict, list)):
            target[key] = value
        else:
            message = (
                f"cannot merge {_kind(value)} into {_kind(current)} at {join_pointer(here, key)}"
            )
            problems.append(overlay.doc.error(join_pointer(where, key), message))
    return problems


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a string" if isinstance(value, str) else "a number"
