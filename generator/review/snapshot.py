"""The schemas of one side of a review, loaded and built: from a git ref, a folder or a file.

A ref is read with ``git ls-tree`` and ``git show`` into a temporary folder, so the work
tree, the index and the current branch are never touched. Both sides are built with the
generator that runs the review, so the report is about the schema change alone.

A folder written for sdkforge (OpenAPI 3.1 with ``x-sdk-*``) is loaded as ``generate``
loads ``schemas/``; a document as a vendor publishes it (OpenAPI 3.0 or 3.1, no
``x-sdk-*``), alone in its folder or given as a file, goes through the vendor front end of
``generate --spec`` (:mod:`.published`), so the symbols are those of the package it makes.
"""

from __future__ import annotations

import dataclasses
import functools
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.core import ir
from generator.core.build import Builder
from generator.core.components import inline_components
from generator.core.errors import SchemaErrors
from generator.core.index import Key, Named
from generator.core.load import (
    Document,
    Spec,
    check_examples,
    check_extensions,
    check_refs,
    load,
    read_documents,
)
from generator.core.manifest import build_manifest

if TYPE_CHECKING:
    from generator.review.published import FrontEnd

SCHEMAS_DIR = "schemas"


class ReviewError(Exception):
    """The review cannot run: an unknown ref, no repository, schemas that do not load."""


SUFFIXES = frozenset({".yaml", ".yml", ".json"})


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
    # Document path → the file as reports name it (``schemas/api.yaml``, ``DIR/api.yaml``,
    # the vendor document's own path).
    files: dict[str, str] = field(default_factory=dict)
    # Document path → the document as written, before the vendor front end normalised it
    # (parameters, headers, security, servers and deprecation are read there).
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Named schemas of the documents themselves; inline objects lifted into classes are
        # reached while diffing their parents.
        self.top = {k: n for k, n in self.builder.named.items() if k not in self.builder.inline}
        for path, doc in self.spec.documents.items():
            self.files.setdefault(path, doc.source)
            self.raw.setdefault(path, doc.data)

    def file_of(self, doc: Document) -> str:
        return self.files.get(doc.path, doc.source)

    def document_of(self, source: str) -> Document | None:
        """The document a manifest ``source`` (``<doc.source>#<pointer>``) names."""
        for doc in self.spec.documents.values():
            if doc.source == source:
                return doc
        return None


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


def schema_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def from_folder(
    root: Path,
    label: str,
    commit: str | None = None,
    *,
    check_openapi: bool = True,
    shown: str | None = None,
    package: str | None = None,
    front: FrontEnd | None = None,
) -> Snapshot:
    """Load and build the schemas under ``root``.

    ``shown`` is the folder as reports name it (default: ``root`` as given). A folder that
    is missing or holds no schema file is a :class:`ReviewError`: reviewing it as an empty
    API would pass a mis-pointed job silently. A folder holding one published document
    (not written for sdkforge) goes through the vendor front end (:mod:`.published`).

    ``check_openapi=False`` skips validating documents against the OpenAPI meta-schema, which
    is most of the loading time; tests that build many small variants of one valid document
    use it. Everything the builder relies on is still checked.
    """
    from generator.review.published import from_document, published_documents

    shown = str(root) if shown is None else shown
    if not root.is_dir():
        raise ReviewError(f"{shown}: no such folder (at {label})")
    files = schema_files(root)
    if not files:
        raise ReviewError(f"{shown}: no schema file (.yaml, .yml, .json) in it (at {label})")
    published = published_documents(root, files, shown)
    if published:
        if len(files) > 1:
            names = ", ".join(f"{shown}/{p.relative_to(root).as_posix()}" for p in published)
            raise ReviewError(
                f"{names}: a document not written for sdkforge is reviewed on its own; "
                f"{shown} holds {len(files)} files (review two files: sdkforge review OLD NEW)"
            )
        rel = files[0].relative_to(root).as_posix()
        return from_document(
            files[0], label, commit, front=front, shown=f"{shown}/{rel}", package=package
        )
    try:
        spec = load_spec(root, check_openapi=check_openapi)
        builder = Builder(spec)
        package_ir = builder.build()
    except SchemaErrors as exc:
        raise ReviewError(
            f"the schemas at {label} do not load:\n{_shown_errors(exc, root, shown)}"
        ) from exc
    symbols = build_manifest(package_ir)["symbols"]
    files_shown = {path: f"{shown}/{path}" for path in spec.documents}
    return Snapshot(label, spec, builder, package_ir, symbols, commit, files=files_shown)


def _shown_errors(exc: SchemaErrors, root: Path, shown: str) -> str:
    """The errors, each naming its file as the user named the folder."""
    text = str(exc)
    for prefix in (f"{root}/", "schemas/"):
        text = text.replace(prefix, f"{shown}/")
    return text


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
    repo: Path,
    ref: str,
    schemas_dir: str = SCHEMAS_DIR,
    *,
    check_openapi: bool = True,
    package: str | None = None,
    front: FrontEnd | None = None,
) -> Snapshot:
    """The schemas as committed at ``ref``, read without touching the work tree."""
    commit = resolve(repo, ref)
    snap = _at_commit(repo.resolve(), commit, schemas_dir.strip("/"), check_openapi, package, front)
    return dataclasses.replace(snap, label=ref)


# A commit's schemas never change: one process (a test session, a review of a ref against
# itself) loads each at most once. Snapshots are only read after they are built.
@functools.lru_cache(maxsize=16)
def _at_commit(
    repo: Path,
    commit: str,
    schemas_dir: str,
    check_openapi: bool,
    package: str | None,
    front: FrontEnd | None,
) -> Snapshot:
    listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit, "--", schemas_dir)
    paths = [p for p in listing.decode().split("\0") if p]
    if not paths:
        raise ReviewError(f"{schemas_dir}: no such folder, or nothing in it, at {commit[:10]}")
    with tempfile.TemporaryDirectory(prefix="sdkforge-review-") as tmp:
        root = Path(tmp) / schemas_dir
        root.mkdir(parents=True, exist_ok=True)
        for path in paths:
            target = Path(tmp) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(repo, "show", f"{commit}:{path}"))
        return from_folder(
            root,
            commit,
            commit,
            check_openapi=check_openapi,
            shown=schemas_dir,
            package=package,
            front=front,
        )
