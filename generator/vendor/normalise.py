"""A vendor OpenAPI document → the OpenAPI 3.1 document of the kind ``schemas/`` holds.

A published vendor document (OpenAI, Anthropic, Cohere, Azure OpenAI) is not written for this
generator: it mixes OpenAPI 3.0 and 3.1 idioms, names little, and says nothing in ``x-sdk-*``.
Rather than a second generator, the vendor wing is a front end of the same pipeline: it
reads the document, normalises it here into the shapes the core's builder already
understands, and hands it on (:mod:`generator.vendor.build`). docs/vendor-specs.md lists
every rewrite and why. :class:`Normaliser` runs the passes, each a class of its own:

* :class:`~generator.vendor.rewrite.SchemaRewriter`: each schema on its own;
* :class:`~generator.vendor.paths.PathReader`: operations, parameters, bodies, responses and
  streams;
* :class:`~generator.vendor.shape.Shaper`: class names, lifted inline schemas, tagged unions.

The rewrites:

* ``nullable: true`` becomes ``type: [T, "null"]`` or ``anyOf: [X, {type: null}]``; a named
  schema that is nullable stays one class and every reference to it becomes ``X | None``;
* ``$recursiveRef`` becomes a ``$ref`` to the named schema it sits in; a ``$ref`` keeps its
  annotations (``description``, ``default``) and drops other siblings;
* ``format: unixtime`` is an integer; ``allOf`` is merged into one object (or reduced to its
  one meaningful member); vendor ``x-`` extensions and examples are dropped;
* discriminators: inline tagged unions and inline variants are lifted into named schemas; a
  variant whose tag is a multi-value enum gets one mapping entry per value; the tag is
  required; a discriminator that cannot be honoured (a variant that is not an object, two
  variants with one tag) leaves a plain ``oneOf``;
* every inline object gets a class name from its place (``ParentProperty``); when that name
  is taken, more of the place is spelt out (``ParentPropertyItem``), never a counter;
* operations get ``x-sdk-resource``/``x-sdk-method`` from their path and HTTP method, and
  ``text/event-stream`` responses get ``x-sdk-stream``.
"""

from __future__ import annotations

from typing import Any

from generator.core.errors import SchemaErrors
from generator.vendor.paths import PathReader
from generator.vendor.read import pep440
from generator.vendor.rewrite import SchemaRewriter
from generator.vendor.shape import Shaper
from generator.vendor.trees import schema_nodes

__all__ = ["Normaliser", "drop_undefined_required"]


class Normaliser:
    """One vendor document's data, normalised by :meth:`run` (errors raised together)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.rewriter = SchemaRewriter(data)
        self.reader = PathReader(data, self.rewriter)
        self.shaper = Shaper(self.rewriter)

    def run(self) -> dict[str, Any]:
        """The normalised document: schemas, then operations, then names and unions."""
        rewriter = self.rewriter
        for name in rewriter.raw:
            rewriter.component(name)
        paths = self.reader.paths()
        self.shaper.shape(paths, self.reader.response_names)
        for name in list(rewriter.schemas):
            rewriter.schemas[name] = rewriter.null_refs(rewriter.schemas[name])
        self.reader.stream_errors(paths)
        for schema in rewriter.schemas.values():
            drop_undefined_required(schema)
            for _, node in schema_nodes(schema):
                if "default" in node and not rewriter.fits(node["default"], node):
                    del node["default"]  # e.g. `default: ""` on an array: not a usable default
        if self.shaper.errors:
            raise SchemaErrors(self.shaper.errors)
        out = {k: v for k, v in self.data.items() if not k.startswith("x-")}
        out["openapi"] = "3.1.0"
        info = dict(out.get("info") or {})
        info["version"] = pep440(str(info.get("version") or ""))
        out["info"] = info
        out["components"] = {
            **{k: v for k, v in (self.data.get("components") or {}).items() if k != "schemas"},
            "schemas": rewriter.schemas,
        }
        out["paths"] = paths
        return out


def drop_undefined_required(schema: Any) -> None:
    """``required`` names only defined properties (some published schemas list others)."""
    for _, node in schema_nodes(schema):
        props, required = node.get("properties"), node.get("required")
        if isinstance(props, dict) and isinstance(required, list):
            node["required"] = [r for r in required if r in props]
