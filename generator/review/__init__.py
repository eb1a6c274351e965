"""``sdkforge review``: what a schema change does to the wire and to the Python SDK.

:func:`review` compares two :class:`~generator.review.snapshot.Snapshot` values: the wire
diff (:mod:`.diff`) grades each schema change on the side(s) of the wire it travels, the
SDK diff (:mod:`.sdk`) names the Python symbols it changes from the two API manifests, and
:mod:`.report` prints the result.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

from generator.review.diff import Differ
from generator.review.findings import Finding, SymbolChange
from generator.review.published import FrontEnd, from_document, is_published, parse_document
from generator.review.report import FORMATS, MARKER, Report
from generator.review.rules import RULES, rules_table
from generator.review.sdk import SdkDiff
from generator.review.snapshot import (
    SCHEMAS_DIR,
    SUFFIXES,
    ReviewError,
    Snapshot,
    from_folder,
    from_ref,
    repo_root,
)

WORKING_TREE = "working tree"


def compare(old: Snapshot, new: Snapshot) -> Report:
    findings = Differ(old, new).run()
    findings = SdkDiff(old, new).attach(findings)
    # One change can be seen from two places (the same node reached twice); keep it once.
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.fingerprint, finding)
    ordered = sorted(unique.values(), key=lambda f: f.sort_key())
    return Report(old.label, new.label, old.commit, new.commit, ordered)


def review(
    repo: Path,
    base: str,
    head: str | None = None,
    schemas_dir: str = SCHEMAS_DIR,
    package: str | None = None,
    front: FrontEnd | None = None,
) -> Report:
    """Compare the schemas at ``base`` with those at ``head`` (default: the working tree).

    ``schemas_dir`` is relative to ``repo`` (or absolute); findings name files under it as
    given. A folder holding one published document is read with ``front`` (see
    :mod:`.published`); its package name (``package``) is the head side's for both sides.
    """
    root = repo_root(repo)
    inside = _in_repo(root, repo, schemas_dir)
    if head is None:
        folder = Path(schemas_dir)
        folder = folder if folder.is_absolute() else repo / folder
        new = from_folder(folder, WORKING_TREE, shown=schemas_dir, package=package, front=front)
    else:
        new = from_ref(root, head, inside, package=package, front=front)
    old = from_ref(root, base, inside, package=new.package.name, front=front)
    if head is not None:
        new = dataclasses.replace(
            new, files={p: _shown(f, inside, schemas_dir) for p, f in new.files.items()}
        )
    old = dataclasses.replace(
        old, files={p: _shown(f, inside, schemas_dir) for p, f in old.files.items()}
    )
    return compare(old, new)


def _shown(file: str, inside: str, schemas_dir: str) -> str:
    """A file under the folder at a ref, named as the user named the folder."""
    return schemas_dir.rstrip("/") + file[len(inside) :] if file.startswith(inside) else file


def _in_repo(root: Path, cwd: Path, schemas_dir: str) -> str:
    """``schemas_dir`` (relative to ``cwd``, or absolute) as a path inside the repository."""
    folder = Path(schemas_dir)
    folder = folder if folder.is_absolute() else cwd / folder
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ReviewError(f"{schemas_dir}: not inside the repository {root}") from None


def review_files(
    old: Path, new: Path, package: str | None = None, front: FrontEnd | None = None
) -> Report:
    """Compare two documents directly: two versions of one vendor document, or of ours.

    Each is a published document (read with ``front``, the front end of ``generate --spec``)
    or a document written for sdkforge, loaded from its folder alone.
    """
    head = _file_snapshot(new, str(new), package, front)
    base = _file_snapshot(old, str(old), head.package.name, front)
    return compare(base, head)


def _file_snapshot(path: Path, label: str, package: str | None, front: FrontEnd | None) -> Snapshot:
    if not path.is_file():
        raise ReviewError(f"{path}: no such file" + (" (a folder)" if path.is_dir() else ""))
    data = parse_document(path)
    if isinstance(data, dict) and "openapi" not in data:
        kind = "a Swagger 2.0 document" if "swagger" in data else "no `openapi` key"
        raise ReviewError(f"{path}:1: not an OpenAPI document ({kind}); review OpenAPI 3.0 or 3.1")
    if data is None or is_published(data) or path.suffix not in SUFFIXES:
        # A file that does not parse goes to the reader, which says where it fails.
        return from_document(path, label, front=front, package=package)
    with tempfile.TemporaryDirectory(prefix="sdkforge-review-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        snap = from_folder(Path(tmp), label)
    shown = str(path)
    return dataclasses.replace(snap, files={p: shown for p in snap.files})


__all__ = [
    "FORMATS",
    "MARKER",
    "RULES",
    "Finding",
    "FrontEnd",
    "Report",
    "ReviewError",
    "Snapshot",
    "SymbolChange",
    "compare",
    "from_folder",
    "from_ref",
    "review",
    "review_files",
    "rules_table",
]
