"""The stamp of an output tree, and the fast path of ``sdkforge generate`` that trusts it.

``render`` writes ``.sdkforge-stamp.json`` beside the files it generates: the hashes of every
input (schemas, templates, runtime, the generator code that renders ``schemas/``, the pinned
formatter) and of the output itself. ``generate`` with nothing changed then does nothing:
when the stamp in the output folder records the inputs as they are now, and the files on
disk still hash to what it recorded, rendering again would write the same bytes.

Deciding that takes only hashing, so this module imports nothing heavier than the standard
library (rendering imports jinja2, the IR and the validators: a third of a second before any
work). ``generate --check`` never takes this path: it always renders in full.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

__all__ = [
    "STAMP_FILE",
    "generator_digest",
    "is_fresh",
    "output_digest",
    "schemas_digest",
    "tools",
    "tree_digest",
]

STAMP_FILE = ".sdkforge-stamp.json"
GENERATOR = Path(__file__).resolve().parent.parent  # the ``generator`` package
# The templates: inside the package in an installed wheel (``generator/templates``, see
# pyproject.toml), beside it in a checkout (the project's top-level ``templates/``).
TEMPLATES = (
    GENERATOR / "templates"
    if (GENERATOR / "templates").is_dir()
    else GENERATOR.parent / "templates"
)
RUNTIME = GENERATOR / "runtime"

# The wings whose code rendering ``schemas/`` runs: the core pipeline and the round-trip
# tests it renders beside the SDK. The vendor front end, the server, lint and review are
# outside the digest: they never run when ``schemas/`` is rendered.
_RENDERING_WINGS = ("core", "roundtrip")
_SCHEMA_SUFFIXES = {".yaml", ".yml", ".json"}


def tree_digest(paths: list[Path]) -> str:
    """One hash of every file under ``paths`` (relative path and bytes), caches excluded."""
    h = hashlib.sha256()
    for base in paths:
        for path in sorted(
            p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        ):
            h.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def schemas_digest(root: Path) -> str:
    """The digest ``load`` gives the documents under ``root`` (``Spec.digest``), without parsing."""
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in _SCHEMA_SUFFIXES)
    for file in files:
        text = file.read_text(encoding="utf-8")
        h.update(file.relative_to(root).as_posix().encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


def _closure() -> list[Path]:
    """The generator's source files that rendering ``schemas/`` can run, sorted.

    Every file of the rendering wings (code and the data the loader reads), plus the pipeline
    that composes them and the package ``__init__`` whose version is named in every header: a whole-folder hash, so a change to
    any module the pipeline might import makes the stamp stale.
    """
    files = [GENERATOR / "__init__.py", GENERATOR / "pipeline.py"]
    for wing in _RENDERING_WINGS:
        files.extend(
            p
            for p in (GENERATOR / wing).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".py", ".yaml"}
        )
    return sorted(files)


def generator_digest() -> str:
    """One hash of the generator code that renders ``schemas/`` (see ``_closure``)."""
    h = hashlib.sha256()
    for path in _closure():
        h.update(
            path.relative_to(GENERATOR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0"
        )
    return h.hexdigest()


def tools() -> str:
    """The versions of the libraries whose behaviour shapes the output text."""
    return ", ".join(f"{name} {metadata.version(name)}" for name in ("jinja2", "ruff"))


def output_digest(files: Mapping[str, str]) -> str:
    """One hash of an output tree (path and text of every file), the stamp itself excluded."""
    h = hashlib.sha256()
    for path in sorted(files):
        if path != STAMP_FILE:
            h.update(path.encode() + b"\0" + files[path].encode() + b"\0")
    return h.hexdigest()


def is_fresh(schemas_dir: Path, out: Path) -> bool:
    """Whether ``out`` is exactly what rendering ``schemas_dir`` now would write.

    True only when the stamp in ``out`` records the current digests of the schemas, the
    templates, the runtime, the generator code and the tools, and the files in ``out`` (all
    of them, none added or removed) still hash to the output digest it recorded.
    """
    from generator.core import emit  # standard library only

    try:
        loaded: object = json.loads((out / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(loaded, dict) or "output_sha256" not in loaded:
        return False  # written before the stamp recorded its output
    stamp: dict[str, object] = loaded
    if not schemas_dir.is_dir():
        return False
    current = {
        "schemas_sha256": lambda: schemas_digest(schemas_dir),
        "templates_sha256": lambda: tree_digest([TEMPLATES]),
        "runtime_sha256": lambda: tree_digest([RUNTIME]),
        "generator_sha256": generator_digest,
        "tools": tools,
    }
    for key, compute in current.items():
        if stamp.get(key) != compute():
            return False
    on_disk = emit.existing(out)
    recorded = stamp.get("files")
    if not isinstance(recorded, list) or sorted(on_disk) != sorted([*recorded, STAMP_FILE]):
        return False
    return output_digest(on_disk) == stamp["output_sha256"]
