"""`sdkforge lint`: the real schemas are clean, and each convention is caught when broken."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.core.load import load
from generator.lint.linter import RULES, lint
from generator.review.snapshot import load_spec

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "review" / "cases" / "base" / "api.yaml"
S = "/components/schemas"

_TEXT_BLOCK_MAPPING = f"{S}/ContentBlock/discriminator/mapping"

BROKEN: dict[str, list[dict[str, Any]]] = {
    "description-missing": [
        {"op": "remove", "path": f"{S}/Usage/properties/input_tokens/description"}
    ],
    "examples-missing": [{"op": "remove", "path": f"{S}/Usage/examples"}],
    "schema-name": [
        {"op": "move", "from": f"{S}/Usage", "path": f"{S}/usage_info"},
        {
            "op": "replace",
            "path": f"{S}/ChatResponse/properties/usage/$ref",
            "value": "#/components/schemas/usage_info",
        },
    ],
    "property-name": [
        {
            "op": "add",
            "path": f"{S}/Usage/properties/cachedTokens",
            "value": {"type": "integer", "description": "Tokens read from cache."},
        }
    ],
    "enum-value-name": [
        {"op": "add", "path": f"{S}/ChatRequest/properties/mode/enum/-", "value": "Verbose"}
    ],
    "enum-undocumented": [
        {"op": "remove", "path": f"{S}/StopReason/x-sdk-enum-descriptions/max_tokens"}
    ],
    "extension-placement": [{"op": "add", "path": f"{S}/Usage/x-sdk-open", "value": True}],
    "inline-object": [
        {
            "op": "add",
            "path": f"{S}/ChatResponse/properties/meta",
            "value": {
                "type": "object",
                "description": "Server details.",
                "properties": {"region": {"type": "string", "description": "Where it ran."}},
            },
        }
    ],
    "object-type": [{"op": "remove", "path": f"{S}/Usage/type"}],
    "discriminator-mapping": [{"op": "remove", "path": f"{_TEXT_BLOCK_MAPPING}/image"}],
    "discriminator-tag": [
        {"op": "replace", "path": f"{S}/ImageBlock/required", "value": ["url"]},
    ],
    "discriminator-property": [
        {
            "op": "add",
            "path": f"{S}/Circle",
            "value": {
                "type": "object",
                "description": "A circle.",
                "properties": {
                    "kind": {"type": "string", "const": "circle", "description": "Always circle."}
                },
                "required": ["kind"],
                "examples": [{"kind": "circle"}],
            },
        },
        {
            "op": "add",
            "path": f"{S}/Shape",
            "value": {
                "description": "A shape.",
                "oneOf": [{"$ref": "#/components/schemas/Circle"}],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"circle": "#/components/schemas/Circle"},
                },
                "examples": [{"kind": "circle"}],
            },
        },
    ],
}


def _write(tmp: Path, patches: list[dict[str, Any]]) -> Path:
    data = jsonpatch.apply_patch(yaml.safe_load(BASE.read_text(encoding="utf-8")), patches)
    root = tmp / "schemas"
    root.mkdir()
    (root / "api.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


def test_the_schemas_follow_the_conventions() -> None:
    result = CliRunner().invoke(main, ["lint", "--schemas", str(ROOT / "schemas")])
    assert result.exit_code == 0, result.output
    assert lint(load(BASE.parent)) == []


def test_every_rule_is_exercised() -> None:
    assert sorted(BROKEN) == sorted(RULES)


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_a_broken_convention_is_reported(rule: str, tmp_path: Path) -> None:
    # Loaded without the OpenAPI meta-schema check (most of the load time); the CLI tests
    # below go through the full load.
    findings = lint(load_spec(_write(tmp_path, copy.deepcopy(BROKEN[rule])), check_openapi=False))
    assert {f.rule for f in findings} == {rule}
    for finding in findings:
        assert finding.file == "schemas/api.yaml"
        assert isinstance(finding.line, int) and finding.pointer.startswith("/")


def test_json_output_and_exit_status(tmp_path: Path) -> None:
    root = _write(tmp_path, copy.deepcopy(BROKEN["object-type"]))
    result = CliRunner().invoke(main, ["lint", "--schemas", str(root), "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    assert [(f["rule"], f["pointer"]) for f in findings] == [
        ("object-type", "/components/schemas/Usage")
    ]


def test_a_finding_that_also_keeps_the_schemas_from_generating_exits_2(tmp_path: Path) -> None:
    root = _write(tmp_path, copy.deepcopy(BROKEN["discriminator-tag"]))
    result = CliRunner().invoke(main, ["lint", "--schemas", str(root), "--format", "json"])
    assert result.exit_code == 2, result.output
    findings = json.loads(result.stdout)
    assert [f["rule"] for f in findings] == ["discriminator-tag"]
    assert "error: schemas/api.yaml:113: /components/schemas/ImageBlock/required:" in result.stderr


def test_text_output_names_file_line_and_rule(tmp_path: Path) -> None:
    root = _write(tmp_path, copy.deepcopy(BROKEN["examples-missing"]))
    result = CliRunner().invoke(main, ["lint", "--schemas", str(root)])
    assert result.exit_code == 1
    line = result.stdout.strip()
    assert line.startswith("schemas/api.yaml:") and "[examples-missing]" in line
    assert "/components/schemas/Usage" in line


def test_schemas_that_do_not_load_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "schemas"
    root.mkdir()
    (root / "api.yaml").write_text("openapi: 3.1.0\ninfo: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--schemas", str(root)])
    assert result.exit_code == 2
