"""A vendor document → an installable package: the composition of the vendor wing.

:func:`load_vendor` reads the document (:mod:`generator.vendor.read`) and normalises it
(:mod:`generator.vendor.normalise`) into a :class:`~generator.core.load.Spec`;
:func:`build_package` builds its IR with the core's own
:class:`~generator.core.build.Builder`, given the vendor operations step
(:mod:`generator.vendor.operations`), and adds what the package says of itself (names, base
URL); :func:`render_vendor_tree` renders it in the vendor layout (:mod:`generator.vendor.layout`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.core import ir
from generator.core.build import Builder
from generator.core.load import Spec
from generator.vendor.names import error_class_name, retry_count_header
from generator.vendor.normalise import Normaliser
from generator.vendor.operations import vendor_operations
from generator.vendor.read import MODULE, VendorDocument, read, server_url

__all__ = ["build_package", "load_vendor", "render_vendor_tree"]


def build_package(path: Path, package: str, env_prefix: str | None = None) -> ir.Package:
    """The IR of the package ``package`` generated from the vendor document at ``path``.

    The package speaks for itself: it reads ``<env_prefix>_API_KEY`` and ``<env_prefix>_BASE_URL``
    (``env_prefix`` defaults to the package name upper-cased), logs and sends its User-Agent
    under its own name, and calls the document's first absolute server URL by default.
    """
    spec = load_vendor(path)
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


def load_vendor(path: Path, module: str = MODULE) -> Spec:
    """Read and normalise one vendor document into a :class:`Spec` of one document."""
    data, text = read(path)
    normalised = Normaliser(data).run()
    doc = VendorDocument(
        path=f"{module}.yaml", data=normalised, lines={"": 1}, text=text, source_file=str(path)
    )
    return Spec(root=path.parent, documents={doc.path: doc})


def render_vendor_tree(
    spec_file: Path, package: str, env_prefix: str | None = None
) -> dict[str, str]:
    """The package ``package`` generated from a vendor OpenAPI document, as files."""
    from generator.core.render import render
    from generator.vendor.layout import VendorLayout

    return render(build_package(spec_file, package, env_prefix), VendorLayout())
