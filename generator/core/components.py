"""Shared OpenAPI components, inlined where operations use them.

OpenAPI 3.1 lets an operation name its parameters, request body, responses and response
headers by ``$ref`` to ``#/components/{parameters,requestBodies,responses,headers}/NAME``.
Everything downstream (validation, the IR builder, review, the reference server) reads an
operation as written inline, so the loader replaces each such reference by a copy of what it
names, once, before anything else looks at the document. The copy keeps its lines: an error
inside it points at the operation's pointer and at the line of the component it came from.

Schema ``$ref``s are not touched: they stay references (named schemas are classes).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from generator.core.errors import SchemaError, join_pointer, unescape_token
from generator.core.operations import HTTP_METHODS

if TYPE_CHECKING:  # load calls this module; the types are only annotations here
    from generator.core.load import Document, Spec

__all__ = ["inline_components"]

# Where in a path item or operation a component may stand, and which components it names.
_SLOTS = {"parameters": "parameters", "requestBody": "requestBodies", "responses": "responses"}


def inline_components(spec: Spec) -> list[SchemaError]:
    """Inline component references in every OpenAPI document of ``spec``; errors, located."""
    errors: list[SchemaError] = []
    for doc in spec.documents.values():
        if doc.is_openapi:
            errors += _Inliner(doc).run()
    return errors


class _Inliner:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.errors: list[SchemaError] = []

    def run(self) -> list[SchemaError]:
        components = self.doc.data.get("components")
        if isinstance(components, dict):  # the components themselves, then where they are used
            for kind in ("headers", "parameters", "requestBodies", "responses"):
                group = components.get(kind)
                if isinstance(group, dict):
                    for name in list(group):
                        where = join_pointer("/components", kind, name)
                        self.inline_one(group, name, where, kind)
        paths = self.doc.data.get("paths")
        if not isinstance(paths, dict):
            return self.errors
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            item_pointer = join_pointer("/paths", path)
            self.inline_list(item, item_pointer, "parameters")
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                pointer = join_pointer(item_pointer, method)
                self.inline_list(op, pointer, "parameters")
                self.inline_one(
                    op, "requestBody", join_pointer(pointer, "requestBody"), "requestBodies"
                )
                responses = op.get("responses")
                if isinstance(responses, dict):
                    for status in list(responses):
                        where = join_pointer(pointer, "responses", status)
                        self.inline_one(responses, status, where, "responses")
        return self.errors

    def inline_one(self, owner: dict[str, Any], key: str, pointer: str, kind: str) -> None:
        """Inline ``owner[key]``, and a response's headers within it."""
        value = self.inline(owner, key, pointer, kind)
        headers = value.get("headers") if kind == "responses" and isinstance(value, dict) else None
        if isinstance(headers, dict):
            for name in list(headers):
                self.inline(headers, name, join_pointer(pointer, "headers", name), "headers")

    def inline_list(self, owner: dict[str, Any], pointer: str, key: str) -> None:
        items = owner.get(key)
        if isinstance(items, list):
            for index in range(len(items)):
                self.inline(items, index, join_pointer(pointer, key, index), _SLOTS[key])

    def inline(self, owner: Any, key: Any, pointer: str, kind: str) -> Any:
        """Replace ``owner[key]`` (at ``pointer``) by what its ``$ref`` chain names."""
        value = owner.get(key) if isinstance(owner, dict) else owner[key]
        if not (isinstance(value, dict) and "$ref" in value):
            return value
        prefix = f"#/components/{kind}/"
        source = pointer
        seen: list[str] = []
        while isinstance(value, dict) and "$ref" in value:
            ref = value["$ref"]
            where = join_pointer(source, "$ref")
            if not isinstance(ref, str) or not ref.startswith(prefix):
                message = f"a $ref here must name {prefix}NAME in this document, not {ref!r}"
                self.errors.append(self.doc.error(where, message))
                return None
            if ref in seen:
                chain = " -> ".join([*seen, ref])
                self.errors.append(self.doc.error(where, f"$ref cycle: {chain}"))
                return None
            seen.append(ref)
            source = ref[1:]
            value = _component(self.doc.data, kind, ref[len(prefix) :])
            if value is None:
                self.errors.append(self.doc.error(where, f"{ref!r} names no component"))
                return None
        resolved = copy.deepcopy(value)
        owner[key] = resolved
        self.copy_lines(source, pointer)
        return resolved

    def copy_lines(self, source: str, target: str) -> None:
        lines = self.doc.lines
        start = source + "/"
        for pointer, line in list(lines.items()):
            if pointer.startswith(start):
                lines.setdefault(target + pointer[len(source) :], line)


def _component(data: dict[str, Any], kind: str, token: str) -> Any:
    components = data.get("components")
    group = components.get(kind) if isinstance(components, dict) else None
    return group.get(unescape_token(token)) if isinstance(group, dict) else None
