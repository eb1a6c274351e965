"""sdkforge as users install it: a built wheel in a fresh virtualenv, run from elsewhere.

The wheel is built from a copy of what the distribution is made of (so no ``build/`` folder of
an earlier build can fill a gap) without network (``--no-build-isolation``), and installed
with ``--no-deps --no-index`` into a new venv that sees this environment's already-installed
dependencies through a ``.pth`` line (a path line only: the editable install of this checkout,
which a ``.pth`` *file* there activates, stays invisible). So what runs is the wheel's own code,
templates and runtime, and nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin/`` folder of a fresh venv with only the built wheel installed in it."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    dist = tmp / "dist"
    built = _run(
        sys.executable,
        *("-m", "pip", "wheel", source, "-w", dist, "--no-deps", "--no-build-isolation", "-q"),
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("sdkforge-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    (purelib / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    python = env_dir / "bin" / "python"
    installed = _run(
        python,
        *("-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel),
        cwd=tmp,
    )
    assert installed.returncode == 0, installed.stderr
    return env_dir / "bin"


def test_the_wheel_s_sdkforge_runs_its_own_code(installed: Path, tmp_path: Path) -> None:
    probe = _run(
        installed / "python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path
    )
    assert probe.returncode == 0, probe.stderr
    assert not probe.stdout.strip().startswith(str(ROOT)), probe.stdout


def test_the_installed_wheel_generates_what_the_checkout_generates(
    installed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = _run(
        installed / "sdkforge",
        *("generate", "--schemas", ROOT / "schemas", "--out", out),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    expected = {
        p.relative_to(ROOT / "generated").as_posix(): p.read_bytes()
        for p in (ROOT / "generated").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)
    }
    got = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sorted(got) == sorted(expected)
    different = [path for path in sorted(got) if got[path] != expected[path]]
    assert different == [], different


def test_the_wheel_carries_the_shipped_overlays(installed: Path, tmp_path: Path) -> None:
    """``--overlay openai-responses`` names a file of the wheel, not of the checkout."""
    probe = _run(
        installed / "python",
        "-c",
        "from generator.vendor.overlay import SHIPPED, shipped; print(SHIPPED); print(shipped())",
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    folder, names = probe.stdout.splitlines()
    assert not folder.startswith(str(ROOT)), folder
    assert names == str(
        sorted(p.stem for p in (ROOT / "generator" / "vendor" / "overlays").glob("*.yaml"))
    )
