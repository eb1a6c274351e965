from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "real"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
