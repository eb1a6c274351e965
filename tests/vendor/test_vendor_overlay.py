"""OpenAPI Overlays on a vendor document: what they change, what they refuse, and where.

``sdkforge generate --spec FILE --overlay OVERLAY.yaml`` applies each overlay's actions (RFC
9535 JSONPath targets; ``update`` merged, ``remove``) to the document before it is
normalised. Here a small document streams text deltas that it says nothing about; an overlay
declares how they add up, and the generated package gets ``.stream()``, ``text_stream`` and
``get_final_note()``. Broken overlays are located errors (file, pointer, line), exit status 2,
and nothing is written.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.core.errors import SchemaErrors
from generator.vendor import overlay as overlay_module
from generator.vendor.build import load_vendor
from generator.vendor.overlay import apply_overlays, read_overlay, resolve_overlay, shipped


def document() -> dict[str, Any]:
    """A vendor document with a stream of note events and no word on accumulating them."""
    event = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Notes API", "version": "1.0.0"},
        "servers": [{"url": "https://notes.example/v1"}],
        "paths": {
            "/notes": {
                "post": {
                    "operationId": "createNote",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["topic"],
                                    "properties": {
                                        "topic": {"type": "string"},
                                        "stream": {"type": "boolean"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "the note",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Note"}
                                },
                                "text/event-stream": {
                                    "schema": {"$ref": "#/components/schemas/NoteEvent"}
                                },
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Note": {
                    "type": "object",
                    "required": ["id", "text"],
                    "properties": {
                        "id": {"type": "string"},
                        "text": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "meta": {"type": "object", "properties": {"lang": {"type": "string"}}},
                    },
                },
                "NoteEvent": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/NoteStarted"},
                        {"$ref": "#/components/schemas/NoteDelta"},
                    ],
                    "discriminator": {"propertyName": "type"},
                },
                "NoteStarted": {
                    **event,
                    "required": ["type", "note"],
                    "properties": {
                        "type": {"type": "string", "const": "note.started"},
                        "note": {"$ref": "#/components/schemas/Note"},
                    },
                },
                "NoteDelta": {
                    **event,
                    "required": ["type", "delta"],
                    "properties": {
                        "type": {"type": "string", "const": "note.delta"},
                        "delta": {"type": "string"},
                        "tag": {"type": "string"},
                    },
                },
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


OVERLAY = """\
overlay: 1.0.0
info:
  title: Notes streams add up to a note
  version: 1.0.0
actions:
  - target: $.paths['/notes'].post.responses['200'].content['text/event-stream']
    update:
      x-sdk-stream:
        framing: named-events
        accumulate:
          into:
            $ref: '#/components/schemas/Note'
          method: get_final_note
  - target: $.components.schemas.NoteStarted.properties.note
    update:
      x-sdk-accumulate: {strategy: replace, at: ''}
  - target: $.components.schemas.NoteDelta.properties
    update:
      delta:
        x-sdk-accumulate: {strategy: concat, at: /text, text: true}
      tag:
        x-sdk-accumulate: {strategy: append, at: /tags}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write(tmp_path, "notes.json", json.dumps(document()))


def overlay_file(tmp_path: Path, actions: str, name: str = "o.yaml") -> Path:
    head = "overlay: 1.0.0\ninfo:\n  title: t\n  version: '1'\nactions:\n"
    return write(tmp_path, name, head + actions)


def applied(tmp_path: Path, data: dict[str, Any], *overlays: str) -> dict[str, Any]:
    files = [overlay_file(tmp_path, text, f"o{i}.yaml") for i, text in enumerate(overlays)]
    apply_overlays(data, [read_overlay(f) for f in files], "notes.json")
    return data


def errors_of(tmp_path: Path, actions: str, data: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(SchemaErrors) as raised:
        applied(tmp_path, document() if data is None else data, actions)
    return [str(e) for e in raised.value.errors]


# --- what an overlay does ------------------------------------------------------------------


def test_update_merges_objects_concatenates_arrays_and_replaces_primitives(
    tmp_path: Path,
) -> None:
    data = document()
    data["components"]["schemas"]["Note"]["x-tags"] = ["a"]
    applied(
        tmp_path,
        data,
        """\
  - target: $.components.schemas.Note
    update:
      description: A note.
      x-tags: [b]
      properties:
        text: {description: The text., type: string}
        lang: {type: string}
""",
    )
    note = data["components"]["schemas"]["Note"]
    assert note["description"] == "A note."
    assert note["x-tags"] == ["a", "b"]
    assert note["properties"]["text"] == {"type": "string", "description": "The text."}
    assert note["properties"]["lang"] == {"type": "string"}
    assert note["properties"]["id"] == {"type": "string"}  # only in the target: left as it was
    assert note["required"] == ["id", "text"]


def test_an_array_target_gets_the_update_appended_and_remove_drops_what_a_filter_selects(
    tmp_path: Path,
) -> None:
    data = applied(
        tmp_path,
        document(),
        """\
  - target: $.components.schemas.Note.required
    update: tags
  - target: $.components.schemas.NoteEvent.oneOf[?@['$ref'] == '#/components/schemas/NoteDelta']
    remove: true
  - target: $.components.schemas.NoteDelta
    remove: true
""",
    )
    schemas = data["components"]["schemas"]
    assert schemas["Note"]["required"] == ["id", "text", "tags"]
    assert schemas["NoteEvent"]["oneOf"] == [{"$ref": "#/components/schemas/NoteStarted"}]
    assert "NoteDelta" not in schemas


def test_actions_and_overlays_apply_in_order_each_to_the_result_of_the_last(
    tmp_path: Path,
) -> None:
    data = applied(
        tmp_path,
        document(),
        "  - target: $.components.schemas\n    update: {Tag: {type: string}}\n"
        "  - target: $.components.schemas.Tag\n    update: {maxLength: 8}\n",
        "  - target: $.components.schemas.Tag\n    update: {maxLength: 16}\n",
    )
    assert data["components"]["schemas"]["Tag"] == {"type": "string", "maxLength": 16}


def test_one_update_applies_to_every_node_its_target_selects(tmp_path: Path) -> None:
    data = applied(
        tmp_path,
        document(),
        "  - target: $.components.schemas[?@.properties.type]\n    update: {title: event}\n",
    )
    titled = sorted(k for k, v in data["components"]["schemas"].items() if "title" in v)
    assert titled == ["NoteDelta", "NoteStarted"]


def test_the_normaliser_keeps_what_an_overlay_adds(spec: Path, tmp_path: Path) -> None:
    """Vendor ``x-`` keys are dropped; the project's ``x-sdk-*`` keys stay where they stand:
    on a media type, beside a ``$ref``, and on a property whose inline object is lifted."""
    extra = overlay_file(
        tmp_path,
        "  - target: $.components.schemas.Note.properties.meta\n"
        "    update: {x-sdk-accumulate: merge, x-vendor: dropped}\n",
        "extra.yaml",
    )
    data = load_vendor(spec, overlays=[write(tmp_path, "notes.yaml", OVERLAY), extra])
    (doc,) = data.documents.values()
    media = doc.data["paths"]["/notes"]["post"]["responses"]["200"]["content"]
    assert media["text/event-stream"]["x-sdk-stream"]["framing"] == "named-events"
    schemas = doc.data["components"]["schemas"]
    assert schemas["NoteStarted"]["properties"]["note"] == {
        "$ref": "#/components/schemas/Note",
        "x-sdk-accumulate": {"strategy": "replace", "at": ""},
    }
    meta = schemas["Note"]["properties"]["meta"]
    assert meta["x-sdk-accumulate"] == "merge" and "$ref" in meta and "x-vendor" not in meta
    lifted = schemas[meta["$ref"].rsplit("/", 1)[1]]
    assert "x-sdk-accumulate" not in lifted and "lang" in lifted["properties"]


def test_the_shipped_overlays_are_found_by_name() -> None:
    assert shipped() == ["anthropic-messages", "openai-chat-completions", "openai-responses"]
    assert resolve_overlay("openai-responses").name == "openai-responses.yaml"
    with pytest.raises(SchemaErrors, match="no shipped overlay of that name"):
        resolve_overlay("../openai-responses")


# --- what it refuses, located --------------------------------------------------------------


def test_a_target_that_matches_nothing_is_an_error_at_its_line(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        "  - target: $.components.schemas.Note\n    update: {title: n}\n"
        "  - target: $.components.schemas.Nothing\n    update: {title: n}\n",
    )
    assert errors == [
        f"{tmp_path / 'o0.yaml'}:8: /actions/1/target: the target matches nothing in notes.json"
    ]


def test_an_update_that_does_not_fit_its_target_is_an_error(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        "  - target: $.components.schemas.Note\n    update: {required: {id: true}}\n"
        "  - target: $.components.schemas.Note.properties.id.type\n    update: integer\n"
        "  - target: $.components.schemas.Note.properties\n    update: [id]\n",
    )
    assert len(errors) == 3
    assert errors[0].endswith(
        "/actions/0/update/required: cannot merge an object into an array at "
        "/components/schemas/Note/required"
    )
    assert "/actions/1/target: the target selects a string at" in errors[1]
    assert errors[2].endswith(
        "/actions/2/update: the target selects an object at "
        "/components/schemas/Note/properties; the update must be an object"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openapi: 3.1.0\ninfo: {}\n", ":1: /: not an overlay document: no `overlay: 1.0.0`"),
        ("overlay: 1.0.0\ninfo: [\n", ": /: cannot parse: "),
        (
            "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, remove: true}]\n",
            ":1: /overlay: overlay version '2.0.0': 1.0.x or 1.1.x is read",
        ),
        ("overlay: 1.0.0\ninfo: {title: t}\nactions: []\n", ":2: /info: info needs a title"),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a[\n"
            "    update: {}\n",
            ":4: /actions/0/target: not a JSONPath query: unbalanced brackets",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n",
            ":4: /actions/0: an action needs update, or remove: true",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n"
            "    copy: $.b\n",
            ":5: /actions/0/copy: copy actions are not supported",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $\n"
            "    remove: true\n",
            ":4: /actions/0/target: the root cannot be removed",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n"
            "    update: {x-sdk-accumulte: concat}\n",
            ":5: /actions/0/update/x-sdk-accumulte: unknown extension x-sdk-accumulte "
            "(did you mean x-sdk-accumulate?)",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n"
            "    update: {x-sdk-accumulate: {strategy: glue}}\n",
            ":5: /actions/0/update/x-sdk-accumulate",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n"
            "    update: {a: &x [1, *x]}\n",
            "nested deeper than 64 levels",
        ),
    ],
    ids=[
        "not-an-overlay",
        "bad-yaml",
        "version",
        "info",
        "jsonpath-syntax",
        "no-modifier",
        "copy",
        "remove-root",
        "misspelt-extension",
        "bad-extension-value",
        "recursive-alias",
    ],
)
def test_a_broken_overlay_is_a_located_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(SchemaErrors) as raised:
        read_overlay(path)
    messages = [str(e) for e in raised.value.errors]
    assert any(m.startswith(str(path)) and expected in m for m in messages), messages


def test_an_update_fanned_out_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overlay_module, "MAX_NODES", 20)
    errors = errors_of(tmp_path, "  - target: $..*\n    update: {x: [1, 2, 3]}\n")
    assert errors[-1].endswith("/actions/0: the overlays add more than 20 values; refused")


def test_a_vendor_document_s_own_bad_extension_is_a_located_error(tmp_path: Path) -> None:
    data = document()
    data["components"]["schemas"]["Note"]["x-sdk-accessors"] = {"first": {"kind": "nope"}}
    path = write(tmp_path, "notes.yaml", yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SchemaErrors) as raised:
        load_vendor(path)
    (error,) = raised.value.errors
    assert error.file == str(path) and error.line is not None
    assert error.pointer == "/components/schemas/Note/x-sdk-accessors/first/kind"


# --- the command line ---------------------------------------------------------------------


def test_generate_with_an_overlay_gives_the_stream_helpers(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--spec",
            str(spec),
            "--out",
            str(out),
            "--package",
            "notes_sdk",
            "--overlay",
            str(write(tmp_path, "notes.yaml", OVERLAY)),
        ],
    )
    assert result.exit_code == 0, result.output
    monkeypatch.syspath_prepend(str(out))
    importlib.invalidate_caches()
    client_module = importlib.import_module("notes_sdk._client")
    body = (
        'event: note.started\ndata: {"type": "note.started", "note": {"id": "n1", "text": ""}}\n\n'
        'event: note.delta\ndata: {"type": "note.delta", "delta": "Hel", "tag": "a"}\n\n'
        'event: note.other\ndata: {"type": "note.other"}\n\n'
        'event: note.delta\ndata: {"type": "note.delta", "delta": "lo"}\n\n'
    )
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, content=body.encode(), headers={"content-type": "text/event-stream"}
        )

    client = client_module.Client(
        api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(answer))
    )
    try:
        with client.notes.stream(topic="t") as stream:
            assert list(stream.text_stream) == ["Hel", "lo"]
            final = stream.get_final_note()
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "notes_sdk"]:
            del sys.modules[name]
    assert type(final).__name__ == "Note"
    assert final.to_dict() == {"id": "n1", "text": "Hello", "tags": ["a"]}
    assert json.loads(seen[0].content) == {"topic": "t", "stream": True}


def test_generate_with_a_broken_overlay_exits_2_and_writes_nothing(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "kept.txt").write_text("as it was", encoding="utf-8")
    bad = overlay_file(tmp_path, "  - target: $.paths['/gone']\n    remove: true\n")
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--spec",
            str(spec),
            "--out",
            str(out),
            "--package",
            "notes_sdk",
            "--overlay",
            str(bad),
        ],
    )
    assert result.exit_code == 2
    assert f"error: {bad}:6: /actions/0/target: the target matches nothing in notes.json" in (
        result.output
    )
    assert "1 error; nothing was written." in result.output
    assert [p.name for p in out.iterdir()] == ["kept.txt"]
    assert (out / "kept.txt").read_text(encoding="utf-8") == "as it was"


def test_an_unknown_overlay_name_is_an_error_and_overlay_needs_spec(
    spec: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--spec",
            str(spec),
            "--out",
            str(tmp_path / "o"),
            "--package",
            "p",
            "--overlay",
            "openai-respones",
        ],
    )
    assert result.exit_code == 2
    assert "openai-respones: /: no such file, and no shipped overlay of that name" in result.output
    assert "openai-responses" in result.output
    result = CliRunner().invoke(main, ["generate", "--check", "--overlay", "openai-responses"])
    assert result.exit_code == 2
    assert "--overlay go with --spec" in result.output


NOTES_USER_CODE = """
from typing import assert_type

import notes_typed
from notes_typed.models import Note
from notes_typed.resources.notes import NotesStream

client = notes_typed.Client(api_key="k")
with client.notes.stream(topic="t") as stream:
    assert_type(stream, NotesStream)
    for text in stream.text_stream:
        assert_type(text, str)
    final = stream.get_final_note()
    assert_type(final, Note)
    print(final.text)
"""


def test_type_checkers_see_the_stream_helpers_an_overlay_gives(spec: Path, tmp_path: Path) -> None:
    import os
    import subprocess

    out = tmp_path / "typed"
    result = CliRunner().invoke(
        main,
        [
            *("generate", "--spec", str(spec), "--out", str(out), "--package", "notes_typed"),
            *("--overlay", str(write(tmp_path, "notes.yaml", OVERLAY))),
        ],
    )
    assert result.exit_code == 0, result.output
    (out / "user.py").write_text(NOTES_USER_CODE, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    mypy = subprocess.run(
        [bin_dir / "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, "user.py"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout
    (out / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    pyright = subprocess.run(
        [bin_dir / "pyright", "--pythonpath", sys.executable, "user.py"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pyright.returncode == 0, pyright.stdout
