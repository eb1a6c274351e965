"""One side of a review from a document as a vendor publishes it: the front end of ``generate --spec``.

A published document (OpenAPI 3.0 or 3.1, no ``x-sdk-*``) is read and normalised by a
:class:`FrontEnd` and built with the core's builder and the front end's operations step. The
review wing does not import the vendor wing (wings depend on the core only): the caller that
composes them, ``sdkforge review`` (:func:`generator.cli.vendor_front_end`), hands in the
front end of ``generate --spec``, so the Python symbols of the report are those of the package
that command makes. The document as written is kept beside the normalised one: parameters
(their ``style``, ``explode``, ``deprecated``), response headers, security and servers are
compared there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.core.build import Builder, OperationsStep
from generator.core.errors import SchemaErrors
from generator.core.index import REQUEST
from generator.core.load import Spec
from generator.core.manifest import build_manifest, method_symbol, param_symbol, public_hint
from generator.core.operations import iter_operations
from generator.review.snapshot import ReviewError, Snapshot

_MODULE_REF = re.compile(r"\b_\w+\.")


@dataclass(frozen=True)
class FrontEnd:
    """How a published document becomes what the core's builder builds.

    ``load(path, shown)`` reads the file and returns the normalised :class:`Spec` (its
    documents naming ``shown`` in errors) and the document as written; ``operations`` is the
    builder's operations step. Errors are :class:`~generator.core.errors.SchemaErrors`.
    """

    load: Callable[[Path, str], tuple[Spec, dict[str, Any]]]
    operations: OperationsStep


def parse_document(path: Path) -> Any:
    try:
        loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, ValueError, yaml.YAMLError):  # ValueError: an integer past Python's limit
        return None  # the loader that reads it reports where it fails


def is_published(data: Any) -> bool:
    """An OpenAPI document not written for sdkforge: 3.0, or operations that say nothing in
    ``x-sdk-*`` (one that declares some and lacks others is ours, and the loader says what
    is missing, where)."""
    if not isinstance(data, dict) or "openapi" not in data:
        return False
    if not str(data["openapi"]).startswith("3.1"):
        return True
    ops = [op for _, _, op in iter_operations(data)]
    return bool(ops) and not any(k.startswith("x-sdk-") for op in ops for k in op)


def published_documents(root: Path, files: list[Path], shown: str) -> list[Path]:
    """The files under ``root`` that are published documents."""
    return [p for p in files if is_published(parse_document(p))]


def package_name(data: Any) -> str:
    """The package name ``generate --spec`` would be given, from the document's title."""
    title = (
        str(((data or {}).get("info") or {}).get("title") or "") if isinstance(data, dict) else ""
    )
    name = re.sub(r"[^0-9a-zA-Z]+", "_", title).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"api_{name}".rstrip("_")
    return name


def from_document(
    path: Path,
    label: str,
    commit: str | None = None,
    *,
    front: FrontEnd | None,
    shown: str | None = None,
    package: str | None = None,
) -> Snapshot:
    """Read, normalise and build the published document at ``path``.

    ``shown`` is the file as reports name it (default: ``path`` as given); ``package`` the
    package name (default: from the document's title; :func:`generator.review.review_files`
    gives both sides the same).
    """
    shown = str(path) if shown is None else shown
    if not path.is_file():
        raise ReviewError(f"{shown}: no such file (at {label})")
    if front is None:
        raise ReviewError(
            f"{shown} is not written for sdkforge (OpenAPI 3.0, or no x-sdk-*), and this review "
            "was given no front end for published documents"
        )
    try:
        spec, raw = front.load(path, shown)
        (doc,) = spec.documents.values()
        name = package or package_name(raw)
        builder = Builder(spec, package=name, lenient_responses=True, operations=front.operations)
        package_ir = builder.build()
    except SchemaErrors as exc:
        text = str(exc).replace(str(path), shown)
        raise ReviewError(f"{shown} does not load (at {label}):\n{text}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{shown}: cannot read it (at {label}): {exc}") from exc
    _mark_parameters(builder, spec)
    symbols = build_manifest(package_ir)["symbols"]
    _add_parameters(package_ir.operations, symbols)
    return Snapshot(
        label,
        spec,
        builder,
        package_ir,
        symbols,
        commit,
        files={doc.path: shown},
        raw={doc.path: raw},
    )


def _mark_parameters(builder: Builder, spec: Spec) -> None:
    """Schemas a parameter reaches travel in requests (the builder only marks bodies)."""
    for doc in spec.documents.values():
        for _, _, op in iter_operations(doc.data):
            for param in op.get("parameters") or []:
                if isinstance(param, dict):
                    builder.index.mark(doc, param.get("schema"), REQUEST)


def _add_parameters(operations: Any, symbols: dict[str, dict[str, Any]]) -> None:
    """Path, query and header parameters as ``param`` symbols of their client method."""
    for op in operations:
        method = method_symbol(op)
        for where, params in (
            ("path", op.path_params),
            ("query", op.query_params),
            ("header", op.header_params),
        ):
            for p in params:
                hint = public_hint(_MODULE_REF.sub("", p.type_hint))
                symbols.setdefault(
                    param_symbol(method, p.py_name),
                    {
                        "kind": "param",
                        "decl": public_hint(_MODULE_REF.sub("", p.declaration)),
                        "type": hint,
                        "required": p.required,
                        "wire": p.wire_name,
                        "in": where,
                        "owner": method,
                    },
                )
