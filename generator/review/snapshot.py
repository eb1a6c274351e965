"""The schemas of one side of a review, loaded and built: from a git ref or a folder.

A ref is read with ``git ls-tree`` and ``git show`` into a temporary folder, so the work
tree, the index and the current branch are never touched. Both sides are built with the
generator that runs the review, so the report is about the schema change alone.
"""

from __future__ import annotations

import dataclasses
import functools
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core import ir
from generator.core.build import Builder
from generator.core.components import inline_components
from generator.core.errors import SchemaErrors
from generator.core.index import Key, Named
from generator.core.load import (
    Spec,
    check_examples,
    check_extensions,
    check_refs,
    load,
    read_documents,
)
from generator.core.manifest import build_manifest

SCHEMAS_DIR = "schemas"


class ReviewError(Exception):
    """The review cannot run: an unknown ref, no repository, schemas that do not load."""


@dataclass
class Snapshot:
    """One side of the review: its label, spec, IR (with the builder's view) and manifest."""

    label: str
    spec: Spec
    builder: Builder
    package: ir.Package
    symbols: dict[str, dict[str, Any]]
    commit: str | None = None
    top: dict[Key, Named] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Named schemas of the documents themselves; inline objects lifted into classes are
        # reached while diffing their parents.
        self.top = {k: n for k, n in self.builder.named.items() if k not in self.builder.inline}


def load_spec(root: Path, *, check_openapi: bool = True) -> Spec:
    """:func:`generator.load.load`, optionally without the OpenAPI meta-schema check."""
    if check_openapi:
        return load(root)
    spec, errors = read_documents(root)
    if not errors:
        errors += check_refs(spec)
        if not errors:
            errors += inline_components(spec)
        errors += check_extensions(spec)
        if not errors:
            errors += check_examples(spec)
    if errors:
        raise SchemaErrors(errors)
    return spec


def from_folder(
    root: Path, label: str, commit: str | None = None, *, check_openapi: bool = True
) -> Snapshot:
    """Load and build the schemas under ``root`` (an empty or missing folder is an empty API).

    ``check_openapi=False`` skips validating documents against the OpenAPI meta-schema, which
    is most of the loading time; tests that build many small variants of one valid document
    use it. Everything the builder relies on is still checked.
    """
    has_files = root.is_dir() and any(
        p.is_file() and p.suffix in {".yaml", ".yml", ".json"} for p in root.rglob("*")
    )
    try:
        if not has_files:
            spec = Spec(root=root)
        else:
            spec = load_spec(root, check_openapi=check_openapi)
        builder = Builder(spec)
        package = builder.build()
    except SchemaErrors as exc:
        raise ReviewError(f"the schemas at {label} do not load:\n{exc}") from exc
    symbols = build_manifest(package)["symbols"]
    return Snapshot(label, spec, builder, package, symbols, commit)


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError as exc:  # pragma: no cover - git is a documented requirement
        raise ReviewError("git is not installed") from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise ReviewError(f"git {' '.join(args)}: {message}")
    return done.stdout


def repo_root(start: Path) -> Path:
    return Path(_git(start, "rev-parse", "--show-toplevel").decode().strip())


def resolve(repo: Path, ref: str) -> str:
    """The commit ``ref`` names, or a :class:`ReviewError` saying it names none."""
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except ReviewError:
        raise ReviewError(f"{ref!r} does not name a commit in {repo}") from None


def merge_base(repo: Path, a: str, b: str) -> str:
    return _git(repo, "merge-base", a, b).decode().strip()


def from_ref(
    repo: Path, ref: str, schemas_dir: str = SCHEMAS_DIR, *, check_openapi: bool = True
) -> Snapshot:
    """The schemas as committed at ``ref``, read without touching the work tree."""
    commit = resolve(repo, ref)
    snap = _at_commit(repo.resolve(), commit, schemas_dir, check_openapi)
    return dataclasses.replace(snap, label=ref)


# A commit's schemas never change: one process (a test session, a review of a ref against
# itself) loads each at most once. Snapshots are only read after they are built.
@functools.lru_cache(maxsize=16)
def _at_commit(repo: Path, commit: str, schemas_dir: str, check_openapi: bool) -> Snapshot:
    listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit, "--", schemas_dir)
    paths = [p for p in listing.decode().split("\0") if p]
    with tempfile.TemporaryDirectory(prefix="sdkforge-review-") as tmp:
        root = Path(tmp) / schemas_dir
        root.mkdir(parents=True)
        for path in paths:
            target = Path(tmp) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(repo, "show", f"{commit}:{path}"))
        return from_folder(root, commit, commit, check_openapi=check_openapi)
