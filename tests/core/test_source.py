"""What a schema file can make the loader do is bounded, and every refusal is located.

The cases under tests/cases/ show the CLI's errors for one document each; these check the
limits themselves and the inputs a case folder cannot hold (a file name with a newline).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.core import source
from generator.core.load import parse_document

CASES = Path(__file__).resolve().parents[1] / "cases"
BASE = CASES / "unquoted_yaml_keys" / "schemas"


def errors_of(text: str, path: str = "api.yaml") -> list[str]:
    _doc, errors = parse_document(path, text)
    return [f"{e.line}: {e.pointer}: {e.message}" for e in errors]


def test_keys_are_the_text_written() -> None:
    doc, errors = parse_document("api.yaml", "200: a\non: b\n1.5: c\nnull: d\n")
    assert not errors and doc is not None
    assert doc.data == {"200": "a", "on": "b", "1.5": "c", "null": "d"}


def test_exponent_numbers_are_numbers_as_in_json() -> None:
    doc, _ = parse_document("api.yaml", "a: 1e5\nb: -2.5E-3\nc: '1e5'\n")
    assert doc is not None and doc.data == {"a": 100000.0, "b": -0.0025, "c": "1e5"}


@pytest.mark.parametrize("literal", ["1e999", "-1e999", ".inf", "-.Inf", ".NaN"])
def test_non_finite_numbers_are_refused(literal: str) -> None:
    assert errors_of(f"a:\n  b: {literal}\n") == [
        f"2: /a/b: {literal} is not a JSON number (not finite)"
    ]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_python_accepts_are_refused(constant: str) -> None:
    assert errors_of('{"a": 1,\n "b": ' + constant + "}", "api.json") == [
        f"2: : {constant} is not a JSON number"
    ]


def test_integer_length_limit_is_exact() -> None:
    assert errors_of("a: " + "9" * source.MAX_DIGITS + "\n") == []
    assert errors_of("a: " + "9" * (source.MAX_DIGITS + 1) + "\n") == [
        f"1: /a: an integer of {source.MAX_DIGITS + 1} digits; the limit is {source.MAX_DIGITS}"
    ]


def nested(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def test_nesting_limit_is_exact() -> None:
    # the top-level mapping is level 1, so the limit allows MAX_DEPTH - 1 nested lists under it
    assert errors_of(nested(source.MAX_DEPTH - 1)) == []
    found = errors_of(nested(source.MAX_DEPTH))
    assert len(found) == 1 and found[0].endswith(f"nested deeper than {source.MAX_DEPTH} levels")


def test_a_thousand_levels_is_an_error_not_a_recursion_error() -> None:
    assert len(errors_of(nested(1000))) == 1


def alias_bomb(levels: int, fan: int) -> str:
    rows = ['a0: &a0 ["x"]']
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


def test_alias_bomb_is_refused_before_it_expands() -> None:
    started = time.perf_counter()
    found = errors_of(alias_bomb(12, 12))  # 12**11 nodes if expanded
    elapsed = time.perf_counter() - started
    assert found == [
        f"1: : expands to more than {source.MAX_NODES:,} values (YAML aliases); refused"
    ]
    assert elapsed < 5, f"refusing took {elapsed:.1f} s"  # expanding would take hours


def test_aliases_within_the_budget_are_read() -> None:
    doc, errors = parse_document("api.yaml", alias_bomb(3, 3))
    assert not errors and doc is not None
    assert doc.data["a2"] == [[["x"]] * 3] * 3


def test_size_limit() -> None:
    assert source.decode("f", b"a" * source.MAX_BYTES) == ("a" * source.MAX_BYTES, [])
    text, errors = source.decode("f", b"a" * (source.MAX_BYTES + 1))
    assert text is None and "the limit is" in errors[0].message


def test_non_utf8_names_its_line_and_byte() -> None:
    text, errors = source.decode("f", "a: 1\nb: \u00e9\n".encode("latin-1"))
    assert text is None
    assert [(e.line, e.message) for e in errors] == [(2, "not UTF-8 text: byte 0xe9 at offset 8")]


def test_file_name_with_a_newline_is_a_located_error(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(BASE, schemas)
    (schemas / "evil\nimport os.yaml").write_text("type: object\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--schemas", str(schemas), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "error: schemas/evil\\nimport os.yaml: /: a schema file name must be printable" in (
        result.output
    )
    assert not out.exists()


@pytest.mark.parametrize("text", ["\u2028", "\x85", "a\u2029b", "'\u2028\""])
def test_json_strings_keep_characters_yaml_1_1_reads_as_line_breaks(text: str) -> None:
    doc, errors = parse_document("api.json", json.dumps({"a": text, text: 1}, ensure_ascii=False))
    assert not errors and doc is not None
    assert doc.data == {"a": text, text: 1}


def test_json_integer_beyond_python_digit_limit_is_an_error() -> None:
    _doc, errors = parse_document("api.json", '{"a": ' + "9" * 5000 + "}")
    assert len(errors) == 1 and errors[0].message.startswith("cannot parse")
