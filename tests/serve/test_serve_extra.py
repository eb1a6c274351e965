"""starlette and uvicorn are the `serve` extra: only `sdkforge serve` needs them."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .launch import ROOT

# Runs the sdkforge CLI (argv after -c and the modules to hide) in an interpreter where those
# modules cannot be imported, as in an install without the extra.
WITHOUT_SERVE_EXTRA = """
import importlib.abc, sys

HIDDEN = sys.argv.pop(1).split(",")

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv = ["sdkforge", *sys.argv[1:]]
from generator.cli import main
main()
"""

# Imports every module of the generator outside the server's own and prints what got loaded.
IMPORT_ALL = """
import importlib, pkgutil, sys
import generator

names = [m.name for m in pkgutil.walk_packages(generator.__path__, "generator.")]
for name in names:
    if name.startswith(("generator.runtime.", "generator.vendor.runtime.", "generator.__main__")):
        continue  # copied into generated packages; imported there, beside their siblings
    if name.startswith("generator.serve."):
        continue
    importlib.import_module(name)
import generator.serve
print(len(names), *sorted(m for m in sys.modules if m.partition(".")[0] in ("starlette", "uvicorn")))
"""


def without_serve_extra(
    *args: str, hidden: str = "starlette,uvicorn"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SERVE_EXTRA, hidden, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("hidden", ["starlette,uvicorn", "starlette", "uvicorn"])
def test_serve_without_the_extra_says_how_to_install_it_in_one_line(hidden: str) -> None:
    done = without_serve_extra("serve", "--port", "0", hidden=hidden)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("error: sdkforge serve needs starlette and uvicorn (")
    assert line.split("(")[1].split()[0] in hidden.split(",")
    assert line.endswith(": pip install 'sdkforge[serve]'")


def test_generate_works_without_the_extra(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    done = without_serve_extra("generate", "--schemas", str(ROOT / "schemas"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "chatsdk" / "__init__.py").is_file()
    assert (out / "chatsdk" / "messages.py").is_file()


def test_no_module_outside_the_server_imports_starlette_or_uvicorn() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    count, *loaded = done.stdout.split()
    assert int(count) > 20 and loaded == []


def test_the_distribution_lists_them_only_under_the_serve_and_dev_extras() -> None:
    requirements = importlib.metadata.requires("sdkforge") or []
    found: dict[str, set[str]] = {}
    for requirement in requirements:
        name = re.split(r"[=<>!~ ;\[]", requirement, maxsplit=1)[0]
        if name in ("starlette", "uvicorn"):
            pin = requirement.split(";")[0].strip()
            extra = re.search(r"""extra == ["'](\w+)["']""", requirement)
            found.setdefault(pin, set()).add(extra.group(1) if extra else "")
    assert found == {
        "starlette==1.10.0": {"serve", "dev"},
        "uvicorn==0.54.0": {"serve", "dev"},
    }
