"""Constructors and accessors exist only because a schema declares them."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from generator.pipeline import render_tree

ROOT = Path(__file__).resolve().parents[2]


def _render_without(tmp_path: Path, file: str, schema: str, key: str) -> dict[str, str]:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    path = schemas / file
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["components"]["schemas"][schema][key]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return render_tree(schemas)


def test_removing_constructors_removes_them(tmp_path: Path) -> None:
    before = (ROOT / "generated" / "chatsdk" / "chat_completions.py").read_text(encoding="utf-8")
    assert "def tool(" in before and "def user(" in before
    after = _render_without(tmp_path, "chat_completions.yaml", "ChatMessage", "x-sdk-constructors")
    module = after["chatsdk/chat_completions.py"]
    assert "def tool(" not in module and "def user(" not in module
    assert "class ChatMessage(" in module


def test_removing_accessors_removes_them(tmp_path: Path) -> None:
    before = (ROOT / "generated" / "chatsdk" / "messages.py").read_text(encoding="utf-8")
    assert "def first_text(self)" in before and "def has_tool_use(self)" in before
    after = _render_without(tmp_path, "messages.yaml", "ChatResponse", "x-sdk-accessors")
    module = after["chatsdk/messages.py"]
    assert "def has_tool_use(self)" not in module
    assert "def first_thinking(self)" not in module
    assert "def tool_uses(self)" not in module
