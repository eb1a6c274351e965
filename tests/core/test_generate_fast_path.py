"""``sdkforge generate`` with nothing changed does nothing, and anything changed defeats that.

The fast path trusts the stamp only when every input digest it records is the current one and
the files on disk still hash to the output it recorded (generator/core/stamp.py). One full render
into a temporary folder is shared; each test works on its own copy of it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.core import stamp
from generator.core.load import load

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"


def generate(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["generate", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fast-path") / "generated"
    result = generate("--schemas", SCHEMAS, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ")
    return out


@pytest.fixture
def out(rendered: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "generated"
    shutil.copytree(rendered, copy)
    return copy


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time (ns): what a write would change."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_unchanged_inputs_write_nothing(out: Path) -> None:
    before, inode = snapshot(out), os.stat(out).st_ino
    result = generate("--schemas", SCHEMAS, "--out", out)
    assert result.exit_code == 0
    assert "is up to date" in result.output
    assert os.stat(out).st_ino == inode  # a render swaps in a new folder
    assert snapshot(out) == before


def test_stamp_records_the_digests_the_fast_path_computes(out: Path) -> None:
    recorded = json.loads((out / stamp.STAMP_FILE).read_text(encoding="utf-8"))
    assert recorded["schemas_sha256"] == stamp.schemas_digest(SCHEMAS) == load(SCHEMAS).digest
    assert recorded["templates_sha256"] == stamp.tree_digest([stamp.TEMPLATES])
    assert recorded["runtime_sha256"] == stamp.tree_digest([stamp.RUNTIME])
    assert recorded["generator_sha256"] == stamp.generator_digest()
    assert recorded["tools"] == stamp.tools()
    files = {path: (out / path).read_text(encoding="utf-8") for path in recorded["files"]}
    assert recorded["output_sha256"] == stamp.output_digest(files)


@pytest.mark.parametrize("edit", ["change", "delete", "add"])
def test_a_hand_edit_to_the_output_is_regenerated(out: Path, rendered: Path, edit: str) -> None:
    module = out / "chatsdk" / "messages.py"
    if edit == "change":
        module.write_text(module.read_text(encoding="utf-8") + "# edited by hand\n", "utf-8")
    elif edit == "delete":
        module.unlink()
    else:
        (out / "chatsdk" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    assert not stamp.is_fresh(SCHEMAS, out)
    if edit != "change":
        return  # one render proves the CLI acts on it; the other two only need the decision
    result = generate("--schemas", SCHEMAS, "--out", out)
    assert result.output.startswith("wrote ")
    assert snapshot_bytes(out) == snapshot_bytes(rendered)
    assert stamp.is_fresh(SCHEMAS, out)


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _) in snapshot(folder).items()}


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    copy = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, copy)
    return copy


def test_a_schema_change_defeats_the_fast_path(out: Path, schemas: Path) -> None:
    assert stamp.is_fresh(schemas, out)  # a copy with the same contents is the same input
    document = schemas / "messages.yaml"
    document.write_text(document.read_text(encoding="utf-8") + "\n# a comment\n", "utf-8")
    assert not stamp.is_fresh(schemas, out)


def test_a_new_schema_file_defeats_the_fast_path(out: Path, schemas: Path) -> None:
    (schemas / "shared" / "extra.yaml").write_text("{}\n", encoding="utf-8")
    assert not stamp.is_fresh(schemas, out)


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Copies of the templates, the runtime and the generator code, in use instead."""
    copies = {
        "templates": tmp_path / "templates",
        "runtime": tmp_path / "runtime",
        "generator": tmp_path / "generator",
    }
    shutil.copytree(stamp.TEMPLATES, copies["templates"])
    shutil.copytree(stamp.RUNTIME, copies["runtime"])
    shutil.copytree(
        stamp.GENERATOR, copies["generator"], ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(stamp, "TEMPLATES", copies["templates"])
    monkeypatch.setattr(stamp, "RUNTIME", copies["runtime"])
    monkeypatch.setattr(stamp, "GENERATOR", copies["generator"])
    yield copies


@pytest.mark.parametrize(
    ("folder", "file"),
    [
        ("templates", "module.py.jinja"),
        ("runtime", "_sse.py"),
        ("generator", "core/build.py"),  # rendering runs it
        ("generator", "core/errors.py"),  # imported by load.py, which build.py imports
        ("generator", "__init__.py"),  # the version, imported inside render.header
        ("generator", "core/extensions.yaml"),
        ("generator", "roundtrip/cases.py"),  # the round-trip tests rendered beside the SDK
    ],
)
def test_an_input_change_defeats_the_fast_path(
    out: Path, inputs: dict[str, Path], folder: str, file: str
) -> None:
    assert stamp.is_fresh(SCHEMAS, out)
    target = inputs[folder] / file
    target.write_bytes(target.read_bytes() + b"\n")
    assert not stamp.is_fresh(SCHEMAS, out)


def test_code_that_does_not_render_schemas_leaves_the_stamp_alone(
    out: Path, inputs: dict[str, Path]
) -> None:
    serve = inputs["generator"] / "serve" / "app.py"
    serve.write_bytes(serve.read_bytes() + b"\n")
    assert stamp.is_fresh(SCHEMAS, out)


def test_a_new_formatter_defeats_the_fast_path(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stamp, "tools", lambda: "jinja2 3.1.6, ruff 99.0.0")
    assert not stamp.is_fresh(SCHEMAS, out)


def test_a_stamp_without_an_output_digest_is_not_trusted(out: Path) -> None:
    path = out / stamp.STAMP_FILE
    recorded = json.loads(path.read_text(encoding="utf-8"))
    del recorded["output_sha256"]
    path.write_text(json.dumps(recorded), encoding="utf-8")
    assert not stamp.is_fresh(SCHEMAS, out)


def test_check_renders_in_full_whatever_the_stamp_says(out: Path) -> None:
    module = out / "chatsdk" / "messages.py"
    module.write_text(module.read_text(encoding="utf-8") + "# edited by hand\n", "utf-8")
    # Make the stamp vouch for the edited tree: only a full render can see the drift.
    path = out / stamp.STAMP_FILE
    recorded = json.loads(path.read_text(encoding="utf-8"))
    files = {p: (out / p).read_text(encoding="utf-8") for p in recorded["files"]}
    recorded["output_sha256"] = stamp.output_digest(files)
    path.write_text(json.dumps(recorded), encoding="utf-8")
    assert stamp.is_fresh(SCHEMAS, out)
    result = CliRunner().invoke(main, ["generate", "--schemas", str(SCHEMAS), "--out", str(out)])
    assert "is up to date" in result.output  # the fast path believes the stamp
    check = CliRunner().invoke(
        main, ["generate", "--check", "--schemas", str(SCHEMAS), "--out", str(out)]
    )
    assert check.exit_code == 1
    assert "+# edited by hand" not in check.output
    assert "-# edited by hand" in check.output
    forced = generate("--force", "--schemas", SCHEMAS, "--out", out)
    assert forced.output.startswith("wrote ")
    assert "# edited by hand" not in module.read_text(encoding="utf-8")
