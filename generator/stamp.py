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
import re
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
GENERATOR = Path(__file__).resolve().parent
TEMPLATES = GENERATOR.parent / "templates"
RUNTIME = GENERATOR / "runtime"

# The modules ``render_tree`` composes; the generator digest covers them and every generator
# module they import, anywhere in their code (see ``_closure``).
_ROOTS = ("build", "load", "render", "stamp")
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


# ``from generator.build import …``, ``from generator import ir, __version__`` (parenthesised
# lists too) and ``import generator.build``, wherever they stand. A regular expression rather
# than ``ast``: parsing the generator's code takes a fifth of a second, this a millisecond;
# a match inside a string only adds a module, which can only make the digest stricter.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+generator(?:\.(\w+))?[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)"
    r"|import[ \t]+generator\.(\w+))",
    re.MULTILINE,
)


def _imported_modules(path: Path) -> set[str]:
    """Names of the ``generator`` modules that ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    for submodule, names, imported in _IMPORT.findall(path.read_text(encoding="utf-8")):
        if submodule or imported:
            found.add(submodule or imported)
        else:  # from generator import ir, __version__
            found.update(re.findall(r"\w+", names.split("#")[0]))
    return found


def _closure() -> list[Path]:
    """The generator's source files that rendering ``schemas/`` can run, sorted.

    Found from the imports in the code rather than from what a process happens to have
    loaded, so the stamp is the same in every process. A module that starts to import another
    changes itself, so the closure never misses code that a rendering runs. The vendor-document
    code (imported only by ``--spec``) and the server, lint and review commands are outside it.
    """
    seen: set[str] = set()
    todo = list(_ROOTS)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        module = GENERATOR / f"{name}.py"
        if module.is_file():
            todo.extend(_imported_modules(module) - seen)
    files = [GENERATOR / f"{name}.py" for name in seen]
    files.append(GENERATOR / "__init__.py")  # the version named in every header
    files.extend(GENERATOR.glob("*.yaml"))  # data the loader reads (x-sdk-* extensions)
    return sorted({f for f in files if f.is_file()})


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
    from generator import emit  # standard library only

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
