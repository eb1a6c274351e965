"""Before/after review cases: each patches a base document and states its findings.

A case file ``tests/review/cases/<rule>--<situation>.yaml`` holds:

* ``rule``: the rule the case is about (every rule of ``sdkforge review --rules`` has one);
* ``document: published`` (optional): the case patches ``tests/review/cases/published/
  openapi.yaml``, an OpenAPI 3.0 document as a vendor would publish it (no ``x-sdk-*``),
  read through the vendor front end; otherwise ``tests/review/cases/base``, written for
  sdkforge;
* ``before`` (optional): JSON Patch operations (RFC 6902) turning the base schemas into the
  "before" side; ``after``: operations applied on top of that for the "after" side. An
  operation may name another ``file`` than ``api.yaml``;
* ``expect``: every finding of the review, in report order: rule, direction, wire and SDK
  verdicts, and the Python symbols it names.
* ``safe: true`` marks a change that must report no breaking finding (a warning at most).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import yaml

from generator.cli import vendor_front_end
from generator.review import compare, from_folder
from generator.review.published import from_document
from generator.review.rules import BREAKING, RULES
from generator.review.snapshot import Snapshot

CASES = Path(__file__).parent / "cases"
BASE = CASES / "base"
PUBLISHED = CASES / "published" / "openapi.yaml"
FRONT = vendor_front_end()
CASE_FILES = sorted(CASES.glob("*.yaml"))


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: faster
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.cache
def _base() -> dict[str, Any]:
    return {
        p.relative_to(BASE).as_posix(): yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
        for p in sorted(BASE.rglob("*.yaml"))
    }


def _base_documents() -> dict[str, Any]:
    return copy.deepcopy(_base())


def snapshot(patches: list[dict[str, Any]], root: Path, label: str) -> Snapshot:
    docs = _base_documents()
    for op in copy.deepcopy(patches):
        file = op.pop("file", "api.yaml")
        docs[file] = jsonpatch.apply_patch(docs.get(file, {}), [op])
    schemas = root / label / "schemas"
    for rel, data in docs.items():
        target = schemas / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
        target.write_text(text, "utf-8")
    # The OpenAPI meta-schema check is most of the load time and says nothing about the
    # review; test_base_schemas_are_valid runs it on the base document.
    return from_folder(schemas, label, check_openapi=False, shown="schemas")


@functools.cache
def _published() -> Any:
    return yaml.load(PUBLISHED.read_text(encoding="utf-8"), Loader=_Loader)


def published(patches: list[dict[str, Any]], root: Path, label: str) -> Snapshot:
    data = jsonpatch.apply_patch(copy.deepcopy(_published()), copy.deepcopy(patches))
    target = root / label / "openapi.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False), "utf-8")
    return from_document(target, label, front=FRONT, shown="openapi.yaml", package="shop")


def run_case(path: Path, tmp: Path) -> list[dict[str, Any]]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = case.get("before") or []
    make = published if case.get("document") == "published" else snapshot
    report = compare(make(before, tmp, "before"), make(before + case["after"], tmp, "after"))
    prefix = "openapi.yaml" if make is published else "schemas/"
    out = []
    for f in report.findings:
        assert f.file.startswith(prefix) and isinstance(f.line, int), f
        assert len(f.fingerprint) == 16 and f.reason and f.message
        out.append(
            {
                "rule": f.rule,
                "direction": f.direction,
                "wire": f.wire,
                "sdk": f.sdk,
                "symbols": [s.symbol for s in f.symbols],
            }
        )
    return out


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_review_case(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert case["rule"] in RULES, f"{path.name}: unknown rule {case['rule']}"
    assert path.stem.split("--")[0] == case["rule"], f"{path.name}: name it after its rule"
    found = run_case(path, tmp_path)
    assert found == case["expect"]
    assert any(f["rule"] == case["rule"] for f in found), "the case must show its own rule"
    if case.get("safe"):
        assert not [f for f in found if BREAKING in (f["wire"], f["sdk"])]


def test_every_rule_has_a_case() -> None:
    covered = {yaml.safe_load(p.read_text(encoding="utf-8"))["rule"] for p in CASE_FILES}
    assert sorted(set(RULES) - covered) == []
    assert len(CASE_FILES) >= 40


def test_safe_changes_have_cases() -> None:
    """At least one case per kind of change shows the safe direction reporting nothing breaking."""
    safe = [p for p in CASE_FILES if yaml.safe_load(p.read_text(encoding="utf-8")).get("safe")]
    assert len(safe) >= 15


def test_base_schemas_are_valid() -> None:
    from generator.core.load import load

    assert "ChatRequest" in str(load(BASE).documents["api.yaml"].data["components"]["schemas"])


def test_unchanged_schemas_report_nothing(tmp_path: Path) -> None:
    same = snapshot([], tmp_path, "before")
    assert compare(same, snapshot([], tmp_path, "after")).findings == []


def test_unchanged_published_document_reports_nothing(tmp_path: Path) -> None:
    same = published([], tmp_path, "before")
    assert compare(same, published([], tmp_path, "after")).findings == []
