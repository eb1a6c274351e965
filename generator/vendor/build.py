"""A vendor document → an installable package: the composition of the vendor wing.

:func:`load_vendor` reads the document (:mod:`generator.vendor.read`), applies the overlays given
(:mod:`generator.vendor.overlay`) and normalises it (:mod:`generator.vendor.normalise`) into a :class:`~generator.core.load.Spec`;
:func:`build_package` builds its IR with the core's own
:class:`~generator.core.build.Builder`, given the vendor operations step
(:mod:`generator.vendor.operations`), and adds what the package says of itself (names, base
URL); :func:`render_vendor_tree` renders it in the vendor layout (:mod:`generator.vendor.layout`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from generator.core import ir
from generator.core.build import Builder
from generator.core.errors import SchemaErrors
from generator.core.load import Spec, check_extensions
from generator.vendor.names import error_class_name, retry_count_header
from generator.vendor.normalise import Normaliser
from generator.vendor.operations import vendor_operations
from generator.vendor.overlay import apply_overlays, read_overlay
from generator.vendor.read import MODULE, VendorDocument, read, server_url

__all__ = ["build_package", "load_vendor", "render_vendor_tree"]


def build_package(
    path: Path, package: str, env_prefix: str | None = None, overlays: Sequence[Path] = ()
) -> ir.Package:
    """The IR of the package ``package`` generated from the vendor document at ``path``.

    The package speaks for itself: it reads ``<env_prefix>_API_KEY`` and ``<env_prefix>_BASE_URL``
    (``env_prefix`` defaults to the package name upper-cased), logs and sends its User-Agent
    under its own name, and calls the document's first absolute server URL by default.
    ``overlays`` are applied to the document, in order, before it is normalised.
    """
    spec = load_vendor(path, overlays=overlays)
    built = Builder(
        spec, package=package, lenient_responses=True, operations=vendor_operations
    ).build()
    (doc,) = spec.documents.values()
    title = str((doc.data.get("info") or {}).get("title") or path.name)
    base_url = server_url(doc.data.get("servers"))
    return dataclasses.replace(
        built,
        source_document=doc.source,
        title=title,
        env_prefix=package.upper() if env_prefix is None else env_prefix,
        error_class=error_class_name(package),
        retry_count_header=retry_count_header(package),
        default_base_url=base_url,
        no_base_url_reason="" if base_url else " (the document names no absolute server URL)",
    )


def load_vendor(path: Path, module: str = MODULE, overlays: Sequence[Path] = ()) -> Spec:
    """Read one vendor document, apply ``overlays`` to it and normalise it into a
    :class:`Spec` of one document.

    Every overlay is read and checked before any is applied. The ``x-sdk-*`` keys the
    normalised document keeps (an overlay's, or the document's own) are checked against the
    extensions' meta-schema, as those of ``schemas/`` are.
    """
    read_overlays = [read_overlay(p) for p in overlays]
    data, text = read(path)
    apply_overlays(data, read_overlays, path.name)
    normalised = Normaliser(data).run()
    doc = VendorDocument(
        path=f"{module}.yaml", data=normalised, lines={"": 1}, text=text, source_file=str(path)
    )
    spec = Spec(root=path.parent, documents={doc.path: doc})
    errors = check_extensions(spec)
    if errors:
        raise SchemaErrors(errors)
    return spec


def render_vendor_tree(
    spec_file: Path, package: str, env_prefix: str | None = None, overlays: Sequence[Path] = ()
) -> dict[str, str]:
    """The package ``package`` generated from a vendor OpenAPI document (with ``overlays``
    applied), as files."""
    from generator.core.render import render
    from generator.vendor.layout import VendorLayout

    return render(build_package(spec_file, package, env_prefix, overlays), VendorLayout())
