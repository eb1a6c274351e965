"""The only code that writes to the output folder: all files or none, and the check mode."""

from __future__ import annotations

import difflib
import os
import shutil
import uuid
from pathlib import Path

# Entries the generator does not own but tools put beside its output (an editable install's
# metadata, caches). They survive a regeneration and are ignored by the drift check.
_FOREIGN = ("__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", "build")


def _is_foreign(rel: Path) -> bool:
    return any(part in _FOREIGN or part.endswith(".egg-info") for part in rel.parts)


def existing(out: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    if not out.is_dir():
        return files
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if path.is_file() and not _is_foreign(rel):
            files[rel.as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    return files


def diff(files: dict[str, str], out: Path) -> str:
    """A unified diff from what is on disk to what the schemas generate; empty when equal."""
    current = existing(out)
    chunks: list[str] = []
    for path in sorted(set(current) | set(files)):
        before, after = current.get(path), files.get(path)
        if before == after:
            continue
        chunks.extend(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                fromfile=f"a/{out.name}/{path}" if before is not None else "/dev/null",
                tofile=f"b/{out.name}/{path}" if after is not None else "/dev/null",
            )
        )
    return "".join(chunks)


def emit(files: dict[str, str], out: Path) -> None:
    """Replace ``out`` with exactly ``files``: build a sibling folder, then swap it in."""
    out = out.resolve()
    token = uuid.uuid4().hex[:8]
    staging = out.with_name(f".{out.name}.new-{token}")
    retired = out.with_name(f".{out.name}.old-{token}")
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if out.exists():
            for entry in list(out.rglob("*")):
                entry_rel = entry.relative_to(out)
                if entry.exists() and _is_foreign(entry_rel) and not _is_foreign(entry_rel.parent):
                    dest = staging / entry_rel
                    if not dest.exists():
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        os.rename(entry, dest)
            os.rename(out, retired)
        os.rename(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
