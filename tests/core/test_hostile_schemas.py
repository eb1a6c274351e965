"""Any schema a pull request can hold generates safe code or a located error.

Property-based: hypothesis draws names, descriptions, enum values, tags, titles, summaries,
paths and file names from a hostile alphabet (quotes and triple quotes, backslashes, NUL and
other control characters, newlines, Jinja delimiters, keywords and builtins, NFKC-unstable
letters, the names of the module's imports and of runtime modules, and Python code that would
create a canary file) into a one-operation API, runs ``sdkforge generate``, and checks:

- exit 0: the package imports in a fresh interpreter, every module of it loads, no canary file
  appears, and an instance carrying the hostile property round-trips exactly; or
- exit 2 with located errors (``error: schemas/FILE...: /POINTER: ...``) and nothing written;
- never a traceback or another exit status.

``make test`` runs a bounded number of examples; ``SDKFORGE_HYPOTHESIS=deep`` runs many more
(``make test-hostile``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.cli import main

DEEP = os.environ.get("SDKFORGE_HYPOTHESIS") == "deep"
CANARY_NAME = "sdkforge-hostile-canary"


def code_that_touches(canary: str) -> list[str]:
    call = f"__import__('os').system('touch {canary}')"
    return [
        f'", {call}, "',
        f"', {call}, '",
        f'""" + {call} + """',
        f"\n{call}\n",
        f"{{{{ {call} }}}}",
        f"{{% {call} %}}",
    ]


PIECES = [
    '"', "'", '"""', "'''", "\\", "\\n", "\x00", "\n", "\r", "\t", "\x0b", "\x1b", "\u2028",
    "{{", "}}", "{%", "%}", "{#", "#", ":", "-", " ", ".",
    "class", "None", "import", "def", "from", "int", "str", "list", "type", "id",
    "Field", "Any", "Literal", "SDKModel", "BaseModel", "model_dump", "_errors", "__init__",
    "\ufb01", "\u2167", "\u212b", "\u00b5", "x\u0301", "e", "a", "Z", "1",
]  # fmt: skip


def hostile(canary: str, min_size: int = 0) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(PIECES + code_that_touches(canary))
    return st.lists(pieces, min_size=min_size, max_size=6).map("".join)


# OpenAPI allows component names of [A-Za-z0-9._-] only; within that, names that shadow.
component_name = st.lists(
    st.sampled_from(["class", "None", "Field", "Any", "Literal", "SDKModel", "int", "_", ".", "-"]),
    min_size=1,
    max_size=3,
).map("".join)


def document(draw: Any, canary: str) -> tuple[str, dict[str, Any]]:
    text = hostile(canary)
    prop = draw(hostile(canary, min_size=1))
    enum_values = draw(st.lists(hostile(canary, 1), min_size=1, max_size=3, unique=True))
    path = "/v1/" + draw(text)
    doc = {
        "openapi": "3.1.0",
        "info": {"title": draw(text) or "T", "version": "1.0.0", "description": draw(text)},
        "tags": [{"name": draw(text) or "t", "description": draw(text)}],
        "paths": {
            path: {
                "post": {
                    "operationId": "createThing",
                    "summary": draw(text),
                    "description": draw(text),
                    "tags": [draw(text)],
                    "x-sdk-resource": "things",
                    "x-sdk-method": "create",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ThingRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": draw(text) or "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "ThingRequest": {
                    "type": "object",
                    "description": draw(text) or "d",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "description": draw(text) or "n"},
                        prop: {"type": "string", "description": draw(text) or "p"},
                    },
                    "examples": [{"name": "lamp"}],
                },
                "Thing": {
                    "type": "object",
                    "description": draw(text) or "d",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "description": "The id."},
                        prop: {"type": "string", "description": draw(text) or "p"},
                        "kind": {
                            "type": "string",
                            "description": draw(text) or "k",
                            "enum": enum_values,
                            "x-sdk-enum-descriptions": {v: draw(text) or "v" for v in enum_values},
                        },
                    },
                    "examples": [{"id": "t_1"}],
                },
                draw(component_name): {
                    "type": "object",
                    "description": draw(text) or "x",
                    "properties": {"v": {"type": "string", "description": draw(text) or "v"}},
                    "examples": [{"v": "x"}],
                },
            }
        },
    }
    return prop, doc


CHECK = textwrap.dedent(
    """
    import importlib, json, pathlib, pkgutil, sys
    out, canary, prop, value = json.loads(sys.argv[1])
    sys.path.insert(0, out)
    import chatsdk
    for info in pkgutil.iter_modules(chatsdk.__path__):
        importlib.import_module("chatsdk." + info.name)
    assert not pathlib.Path(canary).exists(), "importing the package ran schema text"
    from chatsdk.api import Thing, ThingRequest
    wire = {"id": "t_1", prop: value}
    assert Thing.from_dict(wire).to_dict() == wire
    request = ThingRequest.from_dict({"name": "n", prop: value})
    assert request.to_dict() == {"name": "n", prop: value}
    """
)

LOCATED = re.compile(r"^error: schemas/\S*?(:\d+)?: /", re.M)


@st.composite
def case(draw: Any, canary: str) -> tuple[str, str, dict[str, Any]]:
    prop, doc = document(draw, canary)
    names = hostile(canary, 1).filter(lambda s: "/" not in s and "\x00" not in s)
    stem = draw(st.one_of(st.sampled_from(["extra", "class", "_errors", "__init__"]), names))
    stem = stem if stem not in {".", ".."} else "api"
    return stem, prop, doc


def run_case(tmp: Path, stem: str, prop: str, doc: dict[str, Any], suffix: str) -> None:
    canary = tmp / CANARY_NAME
    schemas, out = tmp / "schemas", tmp / "out"
    for folder in (schemas, out):
        if folder.exists():
            subprocess.run(["rm", "-rf", str(folder)], check=True)
    schemas.mkdir()
    # a file named after the hostile stem, plus api.yaml so chatsdk.api exists to check
    # JSON text, read as YAML (api.yaml) or as JSON (api.json): both must behave
    (schemas / f"api.{suffix}").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    extra = {"$defs": {"Extra": {"type": "string", "description": "Extra."}}}
    try:
        (schemas / f"{stem}.json").write_text(json.dumps(extra), encoding="utf-8")
    except OSError:  # a name the file system refuses cannot reach a pull request either
        (schemas / f"{stem}.json").unlink(missing_ok=True)
    result = CliRunner().invoke(main, ["generate", "--schemas", str(schemas), "--out", str(out)])
    if isinstance(result.exception, SystemExit) or result.exception is None:
        pass
    else:
        raise AssertionError(f"generate crashed: {result.exception!r}\n{result.output}")
    assert not canary.exists(), "generating ran schema text"
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        event(result.output.split(": ", 2)[-1].split("\n")[0][:40])
        assert LOCATED.search(result.output), result.output
        assert not out.exists(), "a failed run wrote output"
        return
    assert result.exit_code == 0, result.output
    check = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps([str(out), str(canary), prop, "v\"'\\\x00"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    assert not canary.exists()


@settings(
    max_examples=500 if DEEP else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=not DEEP,
)
@given(data=st.data())
def test_hostile_schema_generates_safe_code_or_a_located_error(
    data: st.DataObject, tmp_path: Path
) -> None:
    stem, prop, doc = data.draw(case(str(tmp_path / CANARY_NAME)))
    run_case(tmp_path, stem, prop, doc, data.draw(st.sampled_from(["yaml", "json"])))
