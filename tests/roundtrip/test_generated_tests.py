"""The round-trip tests the generator writes into generated/tests, and the data behind them.

A small API is built here with every kind of check in it: a strict request with bounds, an
enum and a tagged union; a lenient response with an open enum, an open union and a property
renamed for Python; an event stream. The tests check what the generator derives from it (the
bundled schemas, the mutations and what the model must do with each, the injections), and
that the generated tests run green on their own, and turn red when a model loses a bound.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from generator.core import hints as build_module
from generator.core.render import render
from generator.pipeline import build_all, build_package, render_tree
from generator.roundtrip import ir as rt_ir

ROOT = Path(__file__).resolve().parents[2]


def _schemas() -> dict[str, Any]:
    def obj(description: str, props: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"type": "object", "description": description, "properties": props, **extra}

    def text(description: str) -> dict[str, Any]:
        return {"type": "string", "description": description}

    def ref(name: str, description: str = "A reference.") -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}", "description": description}

    events = (
        'event: part\ndata: {"type": "part", "text": "Hel"}\n\n'
        'event: part\ndata: {"type": "part", "text": "lo"}\n\n'
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Probe API", "version": "1.0.0", "description": "Round-trip probe."},
        "paths": {
            "/v1/probe": {
                "post": {
                    "operationId": "probe",
                    "x-sdk-resource": "probes",
                    "x-sdk-method": "create",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("ProbeRequest")}},
                    },
                    "responses": {
                        "200": {
                            "description": "The answer.",
                            "content": {
                                "application/json": {
                                    "schema": ref("ProbeResponse"),
                                    "examples": {"hello": {"value": {"text": "Hello"}}},
                                },
                                "text/event-stream": {
                                    "schema": ref("ProbeEvent"),
                                    "x-sdk-stream": {
                                        "framing": "named-events",
                                        "accumulate": {
                                            "into": ref("ProbeResponse"),
                                            "method": "get_final_answer",
                                        },
                                    },
                                    "examples": {"hello": {"value": events}},
                                },
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Mode": {
                    "type": "string",
                    "description": "A mode.",
                    "enum": ["fast", "slow"],
                    "x-sdk-enum-descriptions": {"fast": "Fast.", "slow": "Slow."},
                    "examples": ["fast"],
                },
                "Status": {
                    "type": "string",
                    "description": "How it went.",
                    "enum": ["done", "failed"],
                    "x-sdk-enum-descriptions": {"done": "Done.", "failed": "Failed."},
                    "examples": ["done"],
                },
                "TextPart": obj(
                    "Text.",
                    {
                        "type": {"type": "string", "const": "text", "description": "Tag."},
                        "text": text("The text."),
                    },
                    required=["type", "text"],
                    examples=[{"type": "text", "text": "hi"}],
                ),
                "NumberPart": obj(
                    "A number.",
                    {
                        "type": {"type": "string", "const": "number", "description": "Tag."},
                        "value": {"type": "number", "description": "It."},
                    },
                    required=["type", "value"],
                    examples=[{"type": "number", "value": 1.5}],
                ),
                "Part": {
                    "description": "A part, tagged by type.",
                    "oneOf": [ref("TextPart"), ref("NumberPart")],
                    "discriminator": {
                        "propertyName": "type",
                        "mapping": {
                            "text": "#/components/schemas/TextPart",
                            "number": "#/components/schemas/NumberPart",
                        },
                    },
                    "examples": [{"type": "text", "text": "hi"}],
                },
                "ProbeRequest": obj(
                    "What to probe.",
                    {
                        "temperature": {
                            "type": "number",
                            "minimum": 0,
                            "maximum": 2,
                            "description": "Warmth.",
                        },
                        "count": {
                            "type": "integer",
                            "minimum": 1,
                            "default": 1,
                            "description": "How many.",
                        },
                        "mode": ref("Mode"),
                        "parts": {"type": "array", "items": ref("Part"), "description": "Parts."},
                        "note": text("A note."),
                    },
                    required=["parts"],
                    additionalProperties=False,
                    examples=[
                        {
                            "temperature": 0.5,
                            "mode": "fast",
                            "parts": [{"type": "text", "text": "hi"}],
                            "note": "n",
                        }
                    ],
                ),
                "TextBlock": obj(
                    "Text.",
                    {
                        "type": {"type": "string", "const": "text", "description": "Tag."},
                        "text": text("The text."),
                    },
                    required=["type", "text"],
                    examples=[{"type": "text", "text": "hi"}],
                ),
                "NumberBlock": obj(
                    "A number.",
                    {
                        "type": {"type": "string", "const": "number", "description": "Tag."},
                        "value": {"type": "number", "description": "It."},
                    },
                    required=["type", "value"],
                    examples=[{"type": "number", "value": 1.5}],
                ),
                "Block": {
                    "description": "A block of the answer, tagged by type.",
                    "oneOf": [ref("TextBlock"), ref("NumberBlock")],
                    "discriminator": {
                        "propertyName": "type",
                        "mapping": {
                            "text": "#/components/schemas/TextBlock",
                            "number": "#/components/schemas/NumberBlock",
                        },
                    },
                    "examples": [{"type": "number", "value": 2}],
                },
                "ProbeResponse": obj(
                    "The answer.",
                    {
                        "status": ref("Status"),
                        "text": text("What was said."),
                        "from": {"type": "string", "description": "Who said it."},
                        "blocks": {
                            "type": "array",
                            "items": ref("Block"),
                            "description": "Blocks.",
                        },
                        "note": {"type": ["string", "null"], "description": "A note."},
                    },
                    required=["text"],
                    examples=[
                        {
                            "status": "done",
                            "text": "ok",
                            "from": "me",
                            "blocks": [{"type": "number", "value": 2}],
                        }
                    ],
                ),
                "ProbeEvent": obj(
                    "A piece of the answer.",
                    {
                        "type": {"type": "string", "const": "part", "description": "Event kind."},
                        "text": {
                            "type": "string",
                            "description": "Text to append.",
                            "x-sdk-accumulate": {"strategy": "concat", "at": "/text"},
                        },
                    },
                    required=["type", "text"],
                    examples=[{"type": "part", "text": "Hel"}],
                ),
            }
        },
    }


@pytest.fixture(scope="module")
def schemas_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("probe") / "schemas"
    folder.mkdir()
    (folder / "api.yaml").write_text(yaml.safe_dump(_schemas(), sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def round_trip(schemas_dir: Path) -> rt_ir.RoundTrip:
    return build_all(schemas_dir)[1]


def _cases(round_trip: rt_ir.RoundTrip, key: str) -> dict[str, rt_ir.Mutation]:
    (check,) = [s for s in round_trip.schemas if s.key == key]
    return {m.case: m for m in check.mutations}


def test_every_component_schema_is_checked_with_its_side(round_trip: rt_ir.RoundTrip) -> None:
    sides = {s.key: (s.kind, s.side, s.lenient) for s in round_trip.schemas}
    assert sides == {
        "api.Block": ("union", "response", True),
        "api.Mode": ("enum", "request", False),
        "api.NumberBlock": ("model", "response", True),
        "api.NumberPart": ("model", "request", False),
        "api.Part": ("union", "request", False),
        "api.ProbeEvent": ("model", "response", True),
        "api.ProbeRequest": ("model", "request", False),
        "api.ProbeResponse": ("model", "response", True),
        "api.Status": ("enum", "response", True),
        "api.TextBlock": ("model", "response", True),
        "api.TextPart": ("model", "request", False),
    }


def test_the_bundle_is_plain_json_schema_with_refs_inside_it(round_trip: rt_ir.RoundTrip) -> None:
    bundle = {"$defs": round_trip.defs}
    text = json.dumps(bundle)
    assert "x-sdk" not in text and "components/schemas" not in text
    assert round_trip.defs["api.ProbeRequest"]["properties"]["mode"] == {"$ref": "#/$defs/api.Mode"}
    assert round_trip.defs["api.Part"]["discriminator"]["mapping"]["text"] == "#/$defs/api.TextPart"
    for key, schema in round_trip.defs.items():
        validator = Draft202012Validator({"$ref": f"#/$defs/{key}", **bundle})
        for example in schema["examples"]:
            assert validator.is_valid(example), (key, example)


def test_request_mutations_are_all_rejections(round_trip: rt_ir.RoundTrip) -> None:
    cases = _cases(round_trip, "api.ProbeRequest")
    assert {m.expect for m in cases.values()} == {"reject"}
    assert cases["maximum:temperature"].value == 2.5
    assert cases["minimum:count"].value == 0
    assert cases["wrong-type:temperature=string"].value == "1"
    assert cases["wrong-type:count=number"].value == 1.5
    assert cases["null:note"].op == "set" and cases["null:note"].value is None
    assert cases["unknown-value:mode"].value == "x_future_value"
    assert cases["unknown-variant:parts"].value[0]["type"] == "x_future_variant"
    assert cases["drop-required:parts"].op == "remove"
    assert "extra-field" in cases


def test_response_mutations_say_where_the_model_is_lenient(round_trip: rt_ir.RoundTrip) -> None:
    cases = _cases(round_trip, "api.ProbeResponse")
    lenient = {case for case, m in cases.items() if m.expect == "lenient"}
    assert lenient == {
        "unknown-value:status",
        "unknown-variant:blocks",
        "null:status",
        "null:from",
        "null:blocks",
    }
    assert all(cases[c].reason for c in lenient)
    assert cases["drop-required:text"].expect == "reject"
    assert cases["wrong-type:text=integer"].expect == "reject"
    assert "null:note" not in cases  # the schema lets it be null
    tags = _cases(round_trip, "api.TextBlock")
    assert tags["drop-tag:type"].expect == "reject" and tags["wrong-tag:type"].expect == "reject"
    assert _cases(round_trip, "api.Block")["unknown-variant"].expect == "lenient"
    assert _cases(round_trip, "api.Part")["unknown-variant"].expect == "reject"
    assert _cases(round_trip, "api.Mode")["unknown-value"].expect == "reject"


def test_injections_cover_unknown_fields_values_and_variants(round_trip: rt_ir.RoundTrip) -> None:
    (check,) = [s for s in round_trip.schemas if s.key == "api.ProbeResponse"]
    found = {i.case: i for i in check.injections}
    assert set(found) == {
        "unknown-field",
        "unknown-value:status",
        "unknown-variant:blocks",
        "python-name:from",
    }
    assert found["unknown-variant:blocks"].type_ref == "api.UnknownBlock"
    assert found["unknown-variant:blocks"].where == "/blocks/0"
    assert found["python-name:from"].op == "rename" and found["python-name:from"].value == "from_"
    (request,) = [s for s in round_trip.schemas if s.key == "api.ProbeRequest"]
    assert request.injections == ()


def test_stream_examples_pair_with_the_response_example(round_trip: rt_ir.RoundTrip) -> None:
    (stream,) = round_trip.streams
    assert stream.case == "api.probe:hello" and stream.final_key == "api.ProbeResponse"
    assert stream.operation == "PROBE" and stream.final == {"text": "Hello"}
    assert stream.body.startswith("event: part\n")


def test_the_core_renders_no_round_trip_tests_on_its_own(schemas_dir: Path) -> None:
    # vendor packages are rendered this way: the round-trip tests are a part the pipeline adds
    assert not [path for path in render(build_package(schemas_dir)) if path.startswith("tests/")]
    assert "tests/test_roundtrip.py" in render_tree(schemas_dir)


def _write(files: dict[str, str], out: Path) -> None:
    for path, text in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _run_generated_tests(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(out)}  # the package rendered here, not the installed one
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(out),
            "--tb=line",
            "-rfE",
            str(out / "tests"),
            *args,
        ],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_generated_tests_pass_on_a_copy_of_the_output(
    schemas_dir: Path, tmp_path: Path
) -> None:
    _write(render_tree(schemas_dir), tmp_path)
    run = _run_generated_tests(tmp_path)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "round-trip tests: 11 schemas" in run.stdout
    assert "streams: 1 schemas, 1 cases" in run.stdout


def test_a_model_that_loses_a_bound_fails_its_rejection_test(
    schemas_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What dropping `le=` from a field's declaration would do: the model forgets `maximum`.
    constraints = {k: v for k, v in build_module._CONSTRAINTS.items() if k != "maximum"}
    monkeypatch.setattr(build_module, "_CONSTRAINTS", constraints)
    _write(render_tree(schemas_dir), tmp_path)
    assert "le=2" not in (tmp_path / "chatsdk" / "api.py").read_text(encoding="utf-8")
    run = _run_generated_tests(tmp_path, "-k", "rejects")
    failed = sorted(
        line.split("[", 1)[1].split("]")[0]
        for line in run.stdout.splitlines()
        if line.startswith("FAILED")
    )
    assert failed == ["api.ProbeRequest:maximum:temperature"], run.stdout[-4000:]
