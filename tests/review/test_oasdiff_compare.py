"""`sdkforge review` over oasdiff's checker cases (tests/review/oasdiff/): every pair loads
or fails with a located error, nothing crashes, and the agreement does not fall below what
docs/review.md reports."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "oasdiff"


@pytest.mark.slow
def test_oasdiff_checker_cases() -> None:
    spec = importlib.util.spec_from_file_location("oasdiff_compare", HERE / "compare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.main()
    total = figures["all"]
    assert total["cases"] == 246
    assert total.get("crash", 0) == 0
    assert total["loaded"] >= 231
    assert total["ids"] >= 72 and total["agree"] >= 138
    assert figures["parameters"]["agree"] >= 32 and figures["security"]["ids"] == 8
