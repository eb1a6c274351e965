"""From a loaded :class:`~generator.load.Spec` to the IR (:mod:`generator.ir`).

Decides every Python name and type hint, which side of the wire each schema lives on
(request, response or both), which enums and unions are open, and turns the ``x-sdk-*``
declarations into constructors, accessors and constants. Problems are collected as
:class:`SchemaError` values and raised together.

:class:`Builder` runs the steps, each in a module of its own:

* :mod:`generator.core.index`: the named schemas, their kinds, unions and directions;
* :mod:`generator.core.hints`: type hints;
* :mod:`generator.core.models`: enums, unions, models and aliases, with the ``x-sdk-*``
  declarations of :mod:`generator.core.declared`;
* :mod:`generator.core.client_view`: operations, streams and resources;
* :mod:`generator.core.accumulate`: the stream accumulators' rules.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any

from generator import __version__
from generator.core import ir
from generator.core.accumulate import Accumulators
from generator.core.client_view import ClientView
from generator.core.declared import Declarations
from generator.core.errors import SchemaError, SchemaErrors, join_pointer
from generator.core.hints import Hints
from generator.core.index import REQUEST, RESPONSE, Key, Named, SchemaIndex, clean
from generator.core.load import Document, Spec, named_schemas
from generator.core.models import ModelBuilder
from generator.core.naming import (
    RESERVED_FIELD_NAMES,
    check_module_name,
    module_name_for,
    reserved_identifier_problem,
)
from generator.core.operations import iter_operations, operation_pointer

__all__ = [
    "PACKAGE",
    "REQUEST",
    "RESPONSE",
    "Builder",
    "Key",
    "Named",
    "OperationsStep",
    "build",
    "clean",
]

PACKAGE = "chatsdk"

# A front end's own reading of the operations, given the client view for what it shares
# (streams, request parameters, docstrings): ``Builder(spec, operations=step)`` runs it in
# place of :meth:`ClientView.build_operations` (generator/vendor/operations.py is one).
OperationsStep = Callable[[ClientView], list[ir.Operation]]

# What a resource or client object has of its own; an operation or resource may not take it.
_RESOURCE_NAMES = frozenset(
    {
        "with_raw_response",
        "with_streaming_response",
        "with_options",
        "copy",
        "close",
        "is_closed",
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "default_query",
        "strict_response_validation",
        "sdk_version",
        "request",
        "request_raw",
        "request_stream",
        "request_stream_raw",
        "stream_manager",
    }
)


def _taken(name: str) -> bool:
    """Whether an operation or resource name would clobber a keyword or the client's own."""
    return keyword.iskeyword(name) or name in _RESOURCE_NAMES or name.startswith("_")


class Builder:
    """Builds the package IR of one spec by running the steps over one :class:`SchemaIndex`.

    The steps are objects of their own (``models``, ``declared``, ``client``, ``accumulators``,
    ``hints``). What callers and subclasses use of a build (the index's tables, ``deref``,
    ``is_open``, ``param_hint``, ``client_view``, ``build_stream``, ...) stays reachable on the
    builder. A front end whose documents write operations otherwise passes ``operations``, an
    :data:`OperationsStep` that :meth:`build_operations` runs instead of the client view's
    own; without one, ``schemas/`` is read as it always was.
    """

    def __init__(
        self,
        spec: Spec,
        package: str = PACKAGE,
        lenient_responses: bool = False,
        operations: OperationsStep | None = None,
    ) -> None:
        self.spec = spec
        self.package = package
        # Vendor documents (docs/vendor-specs.md): a required response-side property that
        # admits null or has a default may also be absent, as real servers leave such out.
        self.lenient_responses = lenient_responses
        self.index = SchemaIndex(spec, package)
        self.hints = Hints(self.index)
        self.declared = Declarations(self.index, self.hints)
        self.models = ModelBuilder(self.index, self.hints, self.declared, lenient_responses)
        self.client = ClientView(self.index, self.hints)
        self.accumulators = Accumulators(self.index)
        self.operations = operations

    # --- the index, as callers read it ----------------------------------------------

    @property
    def errors(self) -> list[SchemaError]:
        return self.index.errors

    @property
    def named(self) -> dict[Key, Named]:
        return self.index.named

    @property
    def inline(self) -> dict[Key, Named]:
        return self.index.inline

    @property
    def union_variants(self) -> dict[Key, dict[str, Key]]:
        return self.index.union_variants

    @property
    def variant_of(self) -> dict[Key, list[Key]]:
        return self.index.variant_of

    @property
    def class_names(self) -> frozenset[str]:
        return self.models.class_names

    def error(self, doc: Document, pointer: str, message: str) -> None:
        self.index.error(doc, pointer, message)

    def deref(self, doc: Document, schema: Any) -> tuple[Document, str, Any]:
        return self.index.deref(doc, schema)

    def named_at(self, doc: Document, schema: Any) -> Named | None:
        return self.index.named_at(doc, schema)

    def use(self, module: str, target: Named) -> str:
        return self.index.use(module, target)

    def is_response_side(self, named: Named) -> bool:
        return self.index.is_response_side(named)

    def is_open(self, named: Named) -> bool:
        return self.index.is_open(named)

    def param_hint(
        self,
        doc: Document,
        schema: Any,
        pointer: str,
        name_of: Callable[[Named], str] | None = None,
    ) -> str:
        return self.hints.param_hint(doc, schema, pointer, name_of)

    # --- the steps ------------------------------------------------------------------

    def build_operations(self) -> list[ir.Operation]:
        if self.operations is not None:
            return self.operations(self.client)
        return self.client.build_operations()

    def build_stream(
        self, doc: Document, where: str, media: dict[str, Any], ext: dict[str, Any], module: str
    ) -> ir.Stream | None:
        return self.client.build_stream(doc, where, media, ext, module)

    def client_view(self, op: ir.Operation, request: Named | None) -> ir.Operation:
        return self.client.client_view(op, request)

    def build_resources(
        self, operations: list[ir.Operation]
    ) -> tuple[tuple[ir.Resource, ...], tuple[tuple[str, str], ...]]:
        return self.client.build_resources(operations)

    def build_accumulators(self) -> tuple[ir.AccumulateRules, ...]:
        return self.accumulators.build_accumulators()

    # --- phase 0: names chosen in the schemas -------------------------------------------

    def check_names(self) -> None:
        """Module names from file names, and the Python names extensions choose outright."""
        modules: dict[str, Document] = {}
        for doc in self.spec.documents.values():
            problem = check_module_name(doc.path)
            if problem is not None:
                self.error(doc, "", problem)
            module = module_name_for(doc.path)
            other = modules.setdefault(module, doc)
            if other is not doc and not doc.path.startswith("shared/"):
                message = f"the file would become module {module}, as {other.source} does"
                self.error(doc, "", message)
            for _, pointer, schema in named_schemas(doc):
                chosen = schema.get("x-sdk-name")
                problem = reserved_identifier_problem(chosen) if isinstance(chosen, str) else None
                if problem is not None:
                    self.error(doc, join_pointer(pointer, "x-sdk-name"), problem)
                for ctor in schema.get("x-sdk-constructors") or {}:
                    if keyword.iskeyword(ctor) or ctor in RESERVED_FIELD_NAMES:
                        where = join_pointer(pointer, "x-sdk-constructors", ctor)
                        self.error(doc, where, f"{ctor!r} is a Python keyword or a model method")
            if not doc.is_openapi:
                continue
            for path, method, op in iter_operations(doc.data):
                pointer = operation_pointer(path, method)
                name = op.get("x-sdk-method")
                if isinstance(name, str) and _taken(name):
                    where = join_pointer(pointer, "x-sdk-method")
                    self.error(doc, where, f"{name!r} is a Python keyword or a resource attribute")
                resource = op.get("x-sdk-resource")
                for part in resource.split(".") if isinstance(resource, str) else ():
                    if _taken(part):
                        where = join_pointer(pointer, "x-sdk-resource")
                        self.error(
                            doc, where, f"{part!r} is a Python keyword or a client attribute"
                        )

    # --- assembly ---------------------------------------------------------------------------

    def build(self) -> ir.Package:
        self.check_names()
        if self.errors:  # a clobbered or shared module makes every later error a consequence
            raise SchemaErrors(self.errors)
        self.index.collect()
        self.index.classify()
        self.index.mark_directions()
        # inline objects inherit the direction of their parents; lift them while building.
        modules: dict[str, dict[str, list[Any]]] = {}
        sources: dict[str, set[str]] = {}
        pending = sorted(self.named.values(), key=lambda n: (n.module, n.py_name))
        done: set[Key] = set()
        while pending:
            for named in pending:
                done.add(named.key)
                bucket = modules.setdefault(
                    named.module, {"enums": [], "unions": [], "models": [], "aliases": []}
                )
                sources.setdefault(named.module, set()).add(named.doc.source)
                if named.kind == "enum":
                    bucket["enums"].append(self.models.build_enum(named))
                elif named.kind == "union":
                    union, unknown = self.models.build_union(named)
                    bucket["unions"].append(union)
                    if unknown is not None:
                        bucket["models"].append(unknown)
                elif named.kind == "model":
                    bucket["models"].append(self.models.build_model(named))
                else:
                    bucket["aliases"].append(self.models.build_alias(named))
            pending = sorted(
                (n for k, n in self.named.items() if k not in done),
                key=lambda n: (n.module, n.py_name),
            )
        operations = self.build_operations()
        resources, top_resources = self.build_resources(operations)
        accumulators = self.build_accumulators()
        out = []
        for name in sorted(modules):
            bucket = modules[name]
            exports = sorted(
                [x.name for kind in ("enums", "unions", "models", "aliases") for x in bucket[kind]]
                + [a.name for alias in bucket["aliases"] for a in alias.accessors]
                + [m.param.name for m in bucket["models"] if m.param is not None]
                + [u.param_name for u in bucket["unions"] if u.param_name]
                + [py for mod, py in self.index.imports.get(name, set())]
            )
            imports = []
            by_source: dict[str, list[str]] = {}
            for mod, py in self.index.imports.get(name, set()):
                by_source.setdefault(mod, []).append(py)
            for mod in sorted(by_source):
                imports.append(f"from .{mod} import {', '.join(sorted(set(by_source[mod])))}")
            doc_meta = self.module_meta(name)
            out.append(
                ir.Module(
                    name=name,
                    source=", ".join(sorted(sources[name])),
                    title=doc_meta[0],
                    description=doc_meta[1],
                    imports=tuple(imports),
                    enums=tuple(sorted(bucket["enums"], key=lambda x: x.name)),
                    unions=tuple(sorted(bucket["unions"], key=lambda x: x.name)),
                    models=tuple(sorted(bucket["models"], key=lambda x: x.name)),
                    aliases=tuple(self.models.ordered_aliases(name, bucket["aliases"])),
                    exports=tuple(sorted(set(exports))),
                )
            )
        version = self.package_version()
        if self.errors:
            raise SchemaErrors(self.errors)
        return ir.Package(
            name=self.package,
            version=version,
            generator_version=__version__,
            modules=tuple(out),
            operations=tuple(sorted(operations, key=lambda o: (o.resource, o.method))),
            digest=self.spec.digest,
            resources=resources,
            top_resources=top_resources,
            accumulators=accumulators,
        )

    def module_meta(self, module: str) -> tuple[str, str]:
        for doc in self.spec.documents.values():
            if module_name_for(doc.path) == module:
                info = doc.data.get("info") if doc.is_openapi else doc.data
                info = info if isinstance(info, dict) else {}
                return clean(info.get("title", module)), clean(info.get("description", ""))
        return module, ""

    def package_version(self) -> str:
        versions = set()
        for doc in self.spec.documents.values():
            info = doc.data.get("info") if doc.is_openapi else None
            version = info.get("version") if isinstance(info, dict) else None
            if version is None:
                continue
            if not isinstance(version, str) or not _PEP440.fullmatch(version):
                message = f"{version!r} is not a package version such as 1.2.0 (PEP 440)"
                self.error(doc, "/info/version", message)
                continue
            versions.add(version)
        return sorted(versions)[-1] if versions else "0.0.0"


# Version identifiers (PEP 440, normalised spelling); the generated package carries this one.
_PEP440 = re.compile(
    r"([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?"
    r"(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?(\+[a-z0-9]+(\.[a-z0-9]+)*)?"
)


def build(spec: Spec, package: str = PACKAGE, lenient_responses: bool = False) -> ir.Package:
    return Builder(spec, package, lenient_responses).build()
