"""The API manifest names exactly what the generated package exposes, deterministically."""

from __future__ import annotations

import ast
import enum
import functools
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from generator.core.build import build
from generator.core.load import Spec, load
from generator.core.manifest import build_manifest, dumps

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load(ROOT / "schemas")


@pytest.fixture(scope="module")
def manifest(spec: Spec) -> dict[str, Any]:
    return build_manifest(build(spec))


def test_manifest_is_sorted_and_deterministic(spec: Spec, manifest: dict[str, Any]) -> None:
    again = build_manifest(build(spec))
    assert dumps(again) == dumps(manifest)
    assert list(manifest["symbols"]) == sorted(manifest["symbols"])
    assert json.loads(dumps(manifest)) == manifest


def test_committed_manifest_is_current(manifest: dict[str, Any]) -> None:
    committed = (ROOT / "generated" / "api-manifest.json").read_text(encoding="utf-8")
    assert committed == dumps(manifest)


def test_every_record_has_a_kind_and_a_declaration(manifest: dict[str, Any]) -> None:
    kinds = {record["kind"] for record in manifest["symbols"].values()}
    assert kinds >= {"class", "field", "enum", "enum-member", "union", "variant", "alias"}
    assert kinds >= {"constructor", "accessor", "constant", "method", "param"}
    assert all(record["decl"] for record in manifest["symbols"].values())


@functools.cache
def _client() -> Any:
    import chatsdk

    return chatsdk.Client(api_key="k", base_url="http://127.0.0.1:9")


def _client_method(path: str) -> Any:
    obj: Any = _client()
    for attr in path.split(".")[1:]:
        obj = getattr(obj, attr)
    return obj


def _check(symbol: str, record: dict[str, Any], symbols: dict[str, Any]) -> None:
    kind = record["kind"]
    if kind in {"method", "param"}:
        method_path = symbol.split("(", 1)[0]
        method = _client_method(method_path)
        assert callable(method)
        if kind == "param":
            name = record["decl"].split(":", 1)[0]
            parameter = inspect.signature(method).parameters[name]
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
            assert (parameter.default is inspect.Parameter.empty) == record["required"]
        return
    module_name, _, rest = symbol.partition(".")[2].partition(".")
    module = importlib.import_module(f"chatsdk.{module_name}")
    if kind in {"class", "enum", "union", "alias"}:
        assert hasattr(module, rest), symbol
        return
    if kind == "typeddict":
        value = getattr(module, rest)
        owner = record["owner"].rsplit(".", 1)[1]
        if isinstance(value, type):  # a model's TypedDict: its keys are the model's wire names
            wires = {f.alias or n for n, f in getattr(module, owner).model_fields.items()}
            assert set(value.__annotations__) == wires, symbol
        else:  # a union's: the TypedDicts of its variants
            assert rest == owner + "Param" or rest.startswith(owner + "Param"), symbol
        return
    if kind == "variant":
        union_name, tag = rest[:-1].split("[", 1)
        union = getattr(module, union_name)
        variant = getattr(module, record["class"])
        assert issubclass(variant, union)
        prop = symbols[f"chatsdk.{module_name}.{union_name}"]["discriminator"]
        assert variant.model_fields[prop].default == tag
        return
    owner_name, _, member = rest.rpartition(".")
    owner = getattr(module, owner_name) if owner_name else module
    if kind == "field":
        assert owner.model_fields[member].alias in (None, record["wire"]), symbol
        assert (owner.model_fields[member].is_required()) == (record["default"] is None)
    elif kind == "enum-member":
        assert isinstance(owner[member], enum.Enum)
        assert owner[member].value == ast.literal_eval(record["value"])
    elif kind == "constant":
        assert getattr(owner, member) == ast.literal_eval(record["value"])
    elif kind in {"constructor", "accessor"}:
        assert callable(getattr(owner, member)), symbol
    else:  # pragma: no cover - a new kind must be checked here
        raise AssertionError(f"unchecked kind {kind}")


def test_every_symbol_exists_in_the_generated_package(manifest: dict[str, Any]) -> None:
    symbols = manifest["symbols"]
    for symbol, record in symbols.items():
        _check(symbol, record, symbols)


def test_client_methods_take_exactly_the_listed_parameters(manifest: dict[str, Any]) -> None:
    symbols = manifest["symbols"]
    shared = {"self", "stream", "extra_headers", "extra_query", "extra_body", "timeout"}
    shared.add("max_retries")
    for symbol, record in symbols.items():
        if record["kind"] != "method" or "params_of" in record:
            continue
        listed = {s.split("(", 1)[1].split("=")[0] for s in symbols if s.startswith(symbol + "(")}
        actual = set(inspect.signature(_client_method(symbol)).parameters) - shared
        assert listed == actual, symbol
