"""Vendor packages at scale: one module per resource and per group of models, loaded on use.

The OpenAI document's package (vendor_packages.py) is imported in fresh interpreters to see
what reaching ``client.chat.completions`` or one model loads; the grouping of models is checked
on small graphs; a user script is type-checked against a small generated package to show the
lazily created resources and lazily exported models keep their types.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from vendor_packages import generated_package

from generator.cli import main
from generator.core import ir
from generator.vendor.layout import components, model_groups

BIN = Path(sys.executable).parent
MAX_LINES = 4000


def fresh(package_root: Path, script: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=package_root,
        env={**os.environ, "PYTHONPATH": str(package_root)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_no_generated_module_is_over_4000_lines(vendor: str) -> None:
    files = generated_package(vendor).files
    sizes = {
        path: text.count("\n") for path, text in files.items() if path.endswith((".py", ".pyi"))
    }
    assert max(sizes.values()) <= MAX_LINES, max(sizes.items(), key=lambda kv: kv[1])
    package = generated_package(vendor).package
    assert f"{package}/models.py" not in files and f"{package}/_operations.py" not in files


def test_reaching_chat_completions_loads_that_resource_and_its_models_only() -> None:
    generated = generated_package("openai")
    pkg = generated.package
    script = (
        "import json, sys\n"
        f"import {pkg}\n"
        f"c = {pkg}.Client(api_key='x').chat.completions\n"
        "mods = sorted(m for m in sys.modules if m.startswith('" + pkg + ".'))\n"
        "print(json.dumps({'type': type(c).__name__, 'mods': mods}))\n"
    )
    seen = fresh(generated.out, script)
    mods = seen["mods"]
    assert isinstance(mods, list)
    assert seen["type"] == "ChatCompletions"
    resources = {m for m in mods if ".resources." in m}
    assert resources == {
        f"{pkg}.resources.chat",
        f"{pkg}.resources.chat._chat",
        f"{pkg}.resources.chat.completions",
    }
    model_modules = [m for m in mods if m.startswith(f"{pkg}.models._")]
    every = [p for p in generated.files if p.startswith(f"{pkg}/models/_")]
    assert 0 < len(model_modules) < len(every) / 4


def test_models_load_on_first_use_and_export_everything() -> None:
    generated = generated_package("openai")
    pkg = generated.package
    script = (
        "import json, sys\n"
        f"import {pkg}.models as m\n"
        f"before = [k for k in sys.modules if k.startswith('{pkg}.models._')]\n"
        "cls = m.CreateChatCompletionResponse\n"
        f"after = [k for k in sys.modules if k.startswith('{pkg}.models._')]\n"
        "homes = {n: getattr(m, n).__module__ for n in m.__all__ if isinstance(getattr(m, n), type) and getattr(m, n).__name__ == n}\n"
        "print(json.dumps({'before': before, 'after': after, 'all': m.__all__, 'homes': homes,"
        " 'module': cls.__module__}))\n"
    )
    seen = fresh(generated.out, script)
    assert seen["before"] == []  # nothing loads before a model is read
    after = seen["after"]
    assert isinstance(after, list) and seen["module"] in after
    assert len(after) < len([p for p in generated.files if p.startswith(f"{pkg}/models/_")]) / 4
    # __all__ and the stub type checkers read list the same names, each from its own module.
    stub = ast.parse(generated.files[f"{pkg}/models/__init__.pyi"])
    stubbed = {
        alias.asname: node.module
        for node in stub.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    names = seen["all"]
    assert isinstance(names, list) and len(names) == len(set(names)) > 1000
    assert set(stubbed) == set(names)
    homes = seen["homes"]
    assert isinstance(homes, dict)
    for name, module in stubbed.items():
        if name in homes:  # a class (not an alias of one, nor of a union)
            assert homes[name] == f"{pkg}.models.{module}", name


def test_components_keep_cycles_together() -> None:
    graph = {"A": {"B"}, "B": {"A", "C"}, "C": set(), "D": {"D"}}
    assert sorted(map(sorted, components(graph))) == [["A", "B"], ["C"], ["D"]]


def _model(name: str, hint: str) -> ir.Model:
    field = ir.Field("x", "x", hint, None, "", "", False, False)
    return ir.Model(name, "", "SDKModel", (field,), (), (), (), (), (), False, "")


def test_a_model_only_one_group_uses_joins_that_group() -> None:
    # Parent <-> Child form a cycle; Leaf is used by Parent only; Shared by Parent and Other;
    # a name inside a string literal is no reference.
    models = (
        _model("Leaf", "int"),
        _model("Shared", "str"),
        _model("Child", "Parent | None"),
        _model("Parent", "list[Child] | Leaf | Shared"),
        _model("Other", "Shared | Literal['Leaf']"),
    )
    module = ir.Module("models", "doc", "T", "", (), (), (), models, (), ())
    groups = model_groups(module)
    # In document order of their first classes; Leaf's group is named after Child, whose
    # component Leaf joined.
    assert groups == [
        ("Child", ["Leaf", "Child", "Parent"]),
        ("Shared", ["Shared"]),
        ("Other", ["Other"]),
    ]


TINY = {
    "openapi": "3.1.0",
    "info": {"title": "Tiny", "version": "1.0.0"},
    "servers": [{"url": "https://tiny.test/v1"}],
    "paths": {
        "/widgets": {
            "get": {
                "operationId": "listWidgets",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/WidgetList"}
                            }
                        },
                    }
                },
            }
        },
        "/widgets/parts": {
            "get": {
                "operationId": "listParts",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PartList"}
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "WidgetList": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Widget"}}
                },
            },
            "PartList": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}}
                },
            },
            "Widget": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
                },
            },
            "Part": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "widget": {"$ref": "#/components/schemas/Widget"},
                },
            },
        }
    },
}

USER_CODE = """
from typing import assert_type

import tiny
import tiny.models
from tiny.models import Part, Widget
from tiny.resources.widgets import Widgets
from tiny.resources.widgets.parts import WidgetsParts

client = tiny.Client(api_key="k")
assert_type(client.widgets, Widgets)
assert_type(client.widgets.parts, WidgetsParts)
assert_type(client.widgets.list(), tiny.models.WidgetList)
assert_type(client.widgets.parts.list().data[0], Part)
widget: Widget = client.widgets.list().data[0]
print(widget.id)
"""


def test_type_checkers_see_lazy_resources_and_models(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.json"
    spec.write_text(json.dumps(TINY), encoding="utf-8")
    out = tmp_path / "tiny"
    result = CliRunner().invoke(
        main, ["generate", "--spec", str(spec), "--out", str(out), "--package", "tiny"]
    )
    assert result.exit_code == 0, result.output
    files = {p.relative_to(out).as_posix() for p in out.rglob("*.py*")}
    assert {
        "tiny/resources/widgets/__init__.py",
        "tiny/resources/widgets/_widgets.py",
        "tiny/resources/widgets/parts.py",
        "tiny/models/__init__.pyi",
    } <= files
    # WidgetList, PartList, and Widget with Part (they refer to each other): three modules.
    groups = {f for f in files if f.startswith("tiny/models/_") and "/__init__" not in f}
    assert groups == {
        "tiny/models/_models.py",  # the runtime's model machinery, re-exported
        "tiny/models/_widget_list.py",
        "tiny/models/_part_list.py",
        "tiny/models/_part.py",
    }
    (out / "user.py").write_text(USER_CODE, encoding="utf-8")
    mypy = subprocess.run(
        [
            BIN / "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "user.py",
            "tiny",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout
    pyright = subprocess.run(
        [BIN / "pyright", "--pythonpath", sys.executable, "user.py"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pyright.returncode == 0, pyright.stdout
    (out / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    strict = subprocess.run(
        # The layout's modules; the runtime copied beside them is checked where it is written.
        [
            BIN / "pyright",
            "--pythonpath",
            sys.executable,
            "user.py",
            "tiny/_client.py",
            "tiny/resources",
            "tiny/models",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert strict.returncode == 0, strict.stdout[-3000:]
