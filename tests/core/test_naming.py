"""The naming rules (generator/core/naming.py) hold for what the generator really writes."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest

from generator.core import naming, quote

ROOT = Path(__file__).resolve().parents[2]
API_MODULES = sorted(
    p for p in (ROOT / "generated" / "chatsdk").glob("*.py") if not p.name.startswith("_")
)


def module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module not in API_MODULE_NAMES:
            names |= {a.asname or a.name for a in node.names}
    return names


API_MODULE_NAMES = {p.stem for p in API_MODULES}


@pytest.mark.parametrize("path", API_MODULES, ids=lambda p: p.name)
def test_module_bindings_list_every_import_of_a_generated_module(path: Path) -> None:
    assert module_level_imports(path) <= naming.MODULE_BINDINGS


def class_body_names(cls: ast.ClassDef) -> set[str]:
    """Names a class body evaluates: annotations (also quoted ones), decorators, values."""
    found: set[str] = set()
    nodes: list[ast.AST] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign):
            nodes += [stmt.annotation, *([stmt.value] if stmt.value else [])]
        elif isinstance(stmt, ast.FunctionDef):
            nodes += stmt.decorator_list
        elif isinstance(stmt, ast.Assign):
            nodes.append(stmt.value)
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                found.add(sub.id)
    return found


@pytest.mark.parametrize("path", API_MODULES, ids=lambda p: p.name)
def test_no_field_shadows_a_name_its_class_body_uses(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        fields = {s.target.id for s in cls.body if isinstance(s, ast.AnnAssign)}  # type: ignore[union-attr]
        used = class_body_names(cls)
        assert not fields & used, (cls.name, fields & used)
        # every builtin or lower-case name a class body uses is one a field may not take
        lower = {n for n in used - fields if not n[0].isupper()}
        assert lower <= naming.CLASS_BODY_NAMES | naming.MODULE_BINDINGS, (cls.name, lower)


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("from", "from_"),
        ("int", "int_"),
        ("Field", "Field_"),
        ("model_dump", "model_dump_"),
        ("id", "id"),
        ("type", "type"),
        ("\ufb01t", "fit"),
        ("_private", "f_private"),
        ("2d", "f_2d"),
        ("a-b c", "a_b_c"),
        ("", "f_"),
        ("caf\u00e9", "caf\u00e9"),
        ("x\x00y", "x_y"),
    ],
)
def test_field_names(wire: str, python: str) -> None:
    assert naming.py_field_name(wire) == python


@pytest.mark.parametrize(
    "wire", ["\ufb01", "\u2167", "\u00b5", "\u212b", "x\u0301", "\U0001d4b3", "\u1e9b\u0323"]
)
def test_field_names_are_valid_and_nfkc_stable(wire: str) -> None:
    name = naming.py_field_name(wire)
    assert name.isidentifier()
    assert unicodedata.normalize("NFKC", name) == name


@pytest.mark.parametrize(
    ("schema", "cls"),
    [
        ("None", "None_"),
        ("class", "Class"),
        ("Any", "Any_"),
        ("SDKModel", "SDKModel_"),
        ("Exception", "Exception_"),
        ("chat.message", "ChatMessage"),
        ("3d", "T3d"),
    ],
)
def test_class_names(schema: str, cls: str) -> None:
    assert naming.class_name(schema) == cls


@pytest.mark.parametrize(
    ("path", "module", "problem"),
    [
        ("chat-completions.yaml", "chat_completions", None),
        ("class.yaml", "class_", None),
        ("2024.yaml", "m_2024", None),
        ("_errors.yaml", "_errors", "starts with '_'"),
        ("__init__.yaml", "__init__", "starts with '_'"),
        ("shared.yaml", "shared", "files under shared/"),
        ("shared/tools.yaml", "shared", None),
    ],
)
def test_module_names(path: str, module: str, problem: str | None) -> None:
    assert naming.module_name_for(path) == module
    found = naming.check_module_name(path)
    assert (found is None) if problem is None else (problem in (found or ""))


HOSTILE = ['"""', "'''", "\\", "\x00", "\r", "\u2028", "\x0b", 'a"', "\\N{", "{{ x }}", "\t"]


@pytest.mark.parametrize("text", [*HOSTILE, "".join(HOSTILE), "end\\"])
def test_py_str_round_trips_any_text(text: str) -> None:
    assert ast.literal_eval(quote.py_str(text)) == text


@pytest.mark.parametrize("text", [*HOSTILE, "".join(HOSTILE), "end\\", 'ends with "'])
def test_docstring_cannot_end_early_or_hold_control_characters(text: str) -> None:
    source = f'def f():\n    """{quote.docstring(text)}"""\n'
    tree = ast.parse(source)
    body = tree.body[0]
    assert isinstance(body, ast.FunctionDef) and len(body.body) == 1
    assert all(ch.isprintable() or ch in "\n\t" for ch in quote.docstring(text))


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_is_one_printable_line(text: str) -> None:
    line = quote.comment("schemas/a" + text + ".yaml")
    assert line.isprintable() and "\n" not in line


def test_the_client_objects_own_names_are_reserved_for_operations_and_resources() -> None:
    """Every public attribute a generated client has of its own (not a resource) is a name no
    operation or resource may take: a new client setting that is not listed here would let a
    schema's resource replace it."""
    from chatsdk import AsyncClient, Client
    from generator.core.build import _RESOURCE_NAMES

    for cls in (Client, AsyncClient):
        client = cls(api_key="k", base_url="http://127.0.0.1:9")
        resources = {"chat", "messages", "sessions"}
        own = {n for n in dir(client) if not n.startswith("_")} - resources
        assert own <= _RESOURCE_NAMES, sorted(own - _RESOURCE_NAMES)
