"""Reading one schema file as untrusted input: bounded, strict, every refusal located.

Schemas arrive in pull requests, so what a file can make the loader do is bounded before any
of it is walked: its size, how far YAML aliases expand it, how deep it nests. Everything
else JSON cannot say is refused with its line (non-UTF-8 bytes, non-finite or absurdly long
numbers, keys that are not scalars). The limits are documented in docs/schema-extensions.md
("Limits").

A YAML key is read as the text written in the file (``200:`` is the key ``"200"``, ``on:`` is
``"on"``), as a JSON reader would see it quoted: OpenAPI's response codes are written unquoted
in most documents, and YAML 1.1's reading of ``on``/``yes``/``1`` as booleans and integers is
never what a schema author means by a property or status name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from generator.core.errors import SchemaError, join_pointer

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_DIGITS", "Parsed", "decode", "compose"]

MAX_BYTES = 16 * 1024 * 1024  # one file; OpenAI's whole published document is 3 MB
MAX_NODES = 2_000_000  # YAML nodes after expanding aliases (the same document: ~400,000)
MAX_DEPTH = 64  # nested mappings and sequences; the deepest schema here is 14
MAX_DIGITS = 300  # digits of an integer literal (a float beyond ~1e308 is infinite anyway)

try:  # libyaml's parser is several times faster; the pure-Python one gives the same nodes.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,misc,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def decode(where: str, data: bytes) -> tuple[str | None, list[SchemaError]]:
    """The file's text, or a located error: size first, then strict UTF-8."""
    if len(data) > MAX_BYTES:
        message = f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}"
        return None, [SchemaError(where, "", None, message)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        message = f"not UTF-8 text: byte 0x{byte} at offset {exc.start}"
        return None, [SchemaError(where, "", line, message)]


@dataclass
class Parsed:
    data: Any
    lines: dict[str, int]


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Checker:
    """One pass over the composed node graph: sizes (aliases expanded), depth, bad scalars."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.errors: list[SchemaError] = []
        self.sizes: dict[int, int] = {}

    def size(self, root: yaml.Node) -> int:
        """Nodes under ``root`` with every alias expanded, memoised on the shared nodes.

        Iterative (post-order), so neither a deep nor a wide document can exhaust the stack;
        a node reached again through an alias costs a dictionary lookup.
        """
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        on_path: set[int] = set()
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                on_path.discard(key)
                children = _children(node)
                self.sizes[key] = 1 + sum(self.sizes.get(id(c), 1) for c in children)
                continue
            if key in self.sizes or key in on_path:
                continue  # a recursive alias: reported by the constructor as unhashable/cyclic
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in self.sizes)
        return self.sizes.get(id(root), 1)

    def error(self, pointer: str, node: yaml.Node, message: str) -> None:
        self.errors.append(SchemaError(self.where, pointer, _line(node), message))

    def walk(self, root: yaml.Node, lines: dict[str, int]) -> None:
        """Line map, depth limit and scalar checks, iteratively, in document order."""
        stack: list[tuple[yaml.Node, str, int]] = [(root, "", 0)]
        while stack:
            node, pointer, depth = stack.pop()
            if depth >= MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                self.error(pointer, node, f"nested deeper than {MAX_DEPTH} levels")
                continue
            if isinstance(node, yaml.MappingNode):
                seen: set[str] = set()
                children = []
                for key, value in node.value:
                    if not isinstance(key, yaml.ScalarNode):
                        self.error(pointer, key, "a key must be a plain string, not a collection")
                        continue
                    child = join_pointer(pointer, key.value)
                    if key.value in seen:
                        self.error(child, key, "duplicate key")
                    seen.add(key.value)
                    lines[child] = _line(key)
                    children.append((value, child, depth + 1))
                stack.extend(reversed(children))
            elif isinstance(node, yaml.SequenceNode):
                children = []
                for index, item in enumerate(node.value):
                    child = join_pointer(pointer, index)
                    lines[child] = _line(item)
                    children.append((item, child, depth + 1))
                stack.extend(reversed(children))
            elif isinstance(node, yaml.ScalarNode):
                self.scalar(pointer, node)

    def scalar(self, pointer: str, node: yaml.ScalarNode) -> None:
        if node.tag == "tag:yaml.org,2002:float":
            try:
                value = float(node.value.replace("_", ""))
            except ValueError:  # YAML 1.1 spellings (.nan, .inf, 1:30): let the loader decide
                value = float(_Loader("x: " + node.value).get_single_data()["x"])
            if not math.isfinite(value):
                self.error(pointer, node, f"{node.value} is not a JSON number (not finite)")
        elif node.tag == "tag:yaml.org,2002:int":
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > MAX_DIGITS:
                self.error(
                    pointer, node, f"an integer of {digits} digits; the limit is {MAX_DIGITS}"
                )
        elif node.tag not in _JSON_TAGS:
            self.error(pointer, node, f"YAML type {node.tag.rsplit(':', 1)[-1]} has no JSON form")


_JSON_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [v for pair in node.value for v in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _StringKeyLoader(_Loader):  # type: ignore[misc,valid-type]
    """Constructs every mapping key as the text written in the file (see the module docstring)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        self.flatten_mapping(node)
        return {
            str(key.value): self.construct_object(value, deep=deep) for key, value in node.value
        }


_StringKeyLoader.add_constructor(
    "tag:yaml.org,2002:map",
    lambda loader, node: loader.construct_mapping(node),
)
# YAML 1.1 reads ``1e5`` as a string; JSON and YAML 1.2 read it as the number it is.
_StringKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$"),
    list("-0123456789"),
)
# An unquoted date (``example: 2024-01-01``) means its text, as JSON has no date type.
_StringKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: str(node.value),
)


def compose(
    where: str, text: str, *, construct: bool = True
) -> tuple[Parsed | None, list[SchemaError]]:
    """Parse YAML (or JSON, a subset of it) into data and a line map, within the limits.

    ``construct=False`` checks and maps lines only (``data`` is None): for a JSON file, whose
    data the JSON parser gives. Raises ``yaml.YAMLError`` for text that is not YAML at all;
    the caller locates it.
    """
    loader = _StringKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, {"": 1}), []
        checker = _Checker(where)
        if checker.size(node) > MAX_NODES:
            message = f"expands to more than {MAX_NODES:,} values (YAML aliases); refused"
            return None, [SchemaError(where, "", 1, message)]
        lines: dict[str, int] = {"": 1}
        checker.walk(node, lines)
        if checker.errors:
            return None, checker.errors
        data = loader.construct_document(node) if construct else None
    finally:
        loader.dispose()
    return Parsed(data, lines), []
