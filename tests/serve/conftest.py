"""One reference server process for the tests of the server's own contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from generator.core.load import Spec, load

from .launch import FIXTURES, ROOT, RunningServer, serving

__all__ = ["FIXTURES", "ROOT", "RunningServer"]


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The schemas the server was built from, loaded once."""
    return load(ROOT / "schemas")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("server") / "server.log") as running:
        yield running
