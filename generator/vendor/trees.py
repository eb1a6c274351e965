"""Schema trees as the normaliser reads them: references, walks, comparison.

What every pass of :mod:`generator.vendor.normalise` shares: the spelling of a reference to a
named schema (:func:`schema_ref`, :func:`ref_name`), the walks over every schema object under
one (:func:`schema_nodes`, :func:`schema_places`), and a schema without its annotations
(:func:`bare`), to tell two apart by what they accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.core.errors import join_pointer
from generator.core.load import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLES

__all__ = [
    "ANNOTATIONS",
    "NULL",
    "SCHEMAS",
    "SDK",
    "bare",
    "component_name",
    "is_null",
    "ref_name",
    "schema_nodes",
    "schema_places",
    "schema_ref",
    "sdk_keys",
]

SCHEMAS = "/components/schemas/"
ANNOTATIONS = ("description", "title", "default")
SDK = "x-sdk-"  # the project's own extensions, which an overlay adds: kept where they stand


def sdk_keys(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``x-sdk-*`` keys of ``schema``, which travel with it through every rewrite."""
    return {k: v for k, v in schema.items() if k.startswith(SDK)}


NULL: dict[str, Any] = {"type": "null"}


def component_name(kind: str, value: Any) -> str | None:
    """``X`` when ``value`` is ``{$ref: "#/components/<kind>/X"}``."""
    ref = value.get("$ref") if isinstance(value, dict) else None
    prefix = f"#/components/{kind}/"
    return ref[len(prefix) :] if isinstance(ref, str) and ref.startswith(prefix) else None


def ref_name(ref: str) -> str | None:
    """The component name of a ``#/components/schemas/X`` reference, else None."""
    if ref.startswith("#" + SCHEMAS):
        name = ref[len(SCHEMAS) + 1 :]
        if "/" not in name:
            return name.replace("~1", "/").replace("~0", "~")
    return None


def schema_ref(name: str) -> str:
    """The reference to the named schema ``name``: ``#/components/schemas/<name>``."""
    return "#" + SCHEMAS + name.replace("~", "~0").replace("/", "~1")


def is_null(schema: Any) -> bool:
    """Whether ``schema`` is ``{type: null}`` and nothing else."""
    return isinstance(schema, dict) and schema.get("type") == "null" and len(schema) == 1


def bare(schema: Any) -> Any:
    """``schema`` without its annotations, to compare two schemas for what they accept."""
    if isinstance(schema, dict):
        return {k: bare(v) for k, v in schema.items() if k not in (*ANNOTATIONS, "x-sdk-name")}
    if isinstance(schema, list):
        return [bare(v) for v in schema]
    return schema


def schema_places(
    schema: Any, owner: str, place: tuple[tuple[str, Any], ...] = ()
) -> Iterator[tuple[tuple[str, list[tuple[str, Any]]], dict[str, Any]]]:
    """Every schema object under ``schema`` with its place: (owner class, steps from it)."""
    if not isinstance(schema, dict):
        return
    yield (owner, list(place)), schema
    for key in SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for name, value in schema[key].items():
                yield from schema_places(value, owner, (*place, ("prop", name)))
    for key in SCHEMA_SINGLES:
        if key in schema:
            yield from schema_places(schema[key], owner, (*place, (key, None)))
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            members = schema[key]
            for value in members:
                others = [m for m in members if m is not value]
                lone = bool(others) and all(is_null(m) for m in others)
                yield from schema_places(value, owner, (*place, (key, None if lone else value)))


def schema_nodes(schema: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object under ``schema`` (itself included), depth first."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for name, value in schema[key].items():
                yield from schema_nodes(value, join_pointer(pointer, key, name))
    for key in SCHEMA_SINGLES:
        if key in schema:
            yield from schema_nodes(schema[key], join_pointer(pointer, key))
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for index, value in enumerate(schema[key]):
                yield from schema_nodes(value, join_pointer(pointer, key, index))
