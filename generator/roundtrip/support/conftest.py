"""The round-trip tests' summary: schemas and cases by kind of check, and how they went."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
CHECKS = {
    "test_example_round_trips": "examples",
    "test_generated_instance_round_trips": "generated instances",
    "test_model_rejects_what_the_schema_rejects": "rejection",
    "test_model_accepts_what_the_schema_accepts": "acceptance",
    "test_response_side_keeps_what_it_does_not_know": "forward compatibility",
    "test_stream_adds_up_to_the_response": "streams",
}
CASE = "round-trip case"  # user property: {check, schema, lenient} of a test
DRAWN = "round-trip instances"  # user property: instances one generated-instance test drew


class Tally:
    def __init__(self) -> None:
        self.schemas: dict[str, set[str]] = {}
        self.cases: Counter[str] = Counter()
        self.lenient: Counter[str] = Counter()
        self.instances = 0
        self.outcomes: Counter[str] = Counter()

    def add(self, case: dict[str, Any], outcome: str) -> None:
        self.schemas.setdefault(case["check"], set()).add(case["schema"])
        self.cases[case["check"]] += 1
        self.lenient[case["check"]] += bool(case["lenient"])
        self.outcomes[outcome] += 1

    def lines(self) -> list[str]:
        parts = []
        for check in CHECKS.values():
            if check not in self.cases:
                continue
            text = f"{check}: {len(self.schemas[check])} schemas, {self.cases[check]} cases"
            if check == "generated instances":
                text += f", {self.instances} instances"
            if self.lenient[check]:
                text += f" ({self.lenient[check]} lenient by design)"
            parts.append(text)
        outcomes = ", ".join(f"{n} {what}" for what, n in sorted(self.outcomes.items()))
        outcomes = outcomes.replace("xfailed", "xfailed (known limitations)")
        return [" | ".join(parts), outcomes]


TALLY = Tally()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        check = CHECKS.get(getattr(item, "originalname", ""))
        if check is None or Path(item.path).parent != HERE:
            continue
        case = item.callspec.params["case"]  # type: ignore[attr-defined]
        if not hasattr(case, "schema"):
            continue  # an empty parametrisation
        lenient = getattr(case, "expect", "") == "lenient"
        item.user_properties.append(
            (CASE, {"check": check, "schema": case.schema, "lenient": lenient})
        )


def pytest_runtest_teardown(item: pytest.Item) -> None:
    if getattr(item, "originalname", "") == "test_generated_instance_round_trips":
        import roundtrip_support

        schema = item.callspec.params["case"].schema  # type: ignore[attr-defined]
        item.user_properties.append((DRAWN, roundtrip_support.DRAWN[schema]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    props = dict(report.user_properties)
    case = props.get(CASE)
    if not isinstance(case, dict):
        return
    if report.when == "teardown":
        TALLY.instances += int(str(props.get(DRAWN, 0)))
        return
    if report.when == "setup" and report.passed:
        return
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    else:
        outcome = (
            {"setup": "errors"}.get(report.when, report.outcome)
            if report.failed
            else report.outcome
        )
    TALLY.add(case, outcome)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY.cases:
        return
    schemas = set().union(*TALLY.schemas.values())
    terminalreporter.write_sep("-", f"round-trip tests: {len(schemas)} schemas")
    for line in TALLY.lines():
        terminalreporter.write_line(line)
