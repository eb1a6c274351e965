"""What the round-trip tests share: the bundled schemas, case types, parsing and instances.

Everything here works from ``schemas.json`` beside this file (every component schema, its
``$ref``s pointing inside the bundle) and the installed ``chatsdk``; nothing reads
``schemas/``, so a copy of ``generated/`` runs these tests on its own.
"""

from __future__ import annotations

import collections
import copy
import functools
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from chatsdk._models import SDKModel

HERE = Path(__file__).resolve().parent
# Instances drawn per schema by the generated-instance test, for the summary line.
DRAWN: collections.Counter[str] = collections.Counter()
BUNDLE: dict[str, Any] = json.loads((HERE / "schemas.json").read_text(encoding="utf-8"))
DEFS: dict[str, Any] = BUNDLE["$defs"]


# --- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """A component schema and the generated type that stands for it."""

    target: Any  # the model class, enum, union base or alias
    kind: str  # model | enum | union | alias
    side: str  # request | response | both
    lenient: bool  # unknown enum values, union variants and fields are kept, not rejected
    examples: int
    sends: dict[str, Any] = field(default_factory=dict)  # defaults written even when unset


@dataclass(frozen=True)
class Example:
    schema: str
    index: int

    @property
    def id(self) -> str:
        return f"{self.schema}:example-{self.index}"


@dataclass(frozen=True)
class Generated:
    schema: str

    @property
    def id(self) -> str:
        return self.schema


@dataclass(frozen=True)
class Mutation:
    """One example with one thing changed so that the schema rejects it."""

    schema: str
    case: str
    description: str
    example: int
    at: str  # JSON pointer of the change inside the example ("" is the example itself)
    op: str  # "remove" | "set" | "rename" (to the property named by value)
    value: Any = None
    expect: str = "reject"  # or "lenient": the model accepts it on purpose, for `reason`
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.schema}:{self.case}"

    def instance(self) -> Any:
        return apply(examples(self.schema)[self.example], self.at, self.op, self.value)


@dataclass(frozen=True)
class Injection:
    """Something a newer server may send, put into a response-side example."""

    schema: str
    case: str
    description: str
    example: int
    at: str  # where the new value is set
    value: Any
    unknown: str  # "field" | "value" | "variant": how the parsed model shows it
    where: str  # JSON pointer of the unknown thing in the parsed value
    expect_type: Any = None  # value: its open enum; variant: the union's Unknown… class

    @property
    def id(self) -> str:
        return f"{self.schema}:{self.case}"

    op: str = "set"  # or "rename": the property at `at` moves to the name `value`

    def instance(self) -> Any:
        return apply(examples(self.schema)[self.example], self.at, self.op, self.value)


@dataclass(frozen=True)
class StreamCase:
    """An example event stream of an operation and the response it adds up to."""

    case: str
    operation: Any  # chatsdk._operations.OperationSpec
    final: str  # schema of the non-streamed response
    body: str  # the text/event-stream body
    final_json: Any = None  # what a non-streamed call returns for the same exchange
    schema: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schema", self.final)

    @property
    def id(self) -> str:
        return self.case


def examples(key: str) -> list[Any]:
    return list(DEFS[key].get("examples") or [])


# --- JSON -------------------------------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def apply(document: Any, pointer: str, op: str, value: Any = None) -> Any:
    """A copy of ``document`` with the value at ``pointer`` set, removed, or moved to the
    property named ``value`` of the same object (``rename``). Pointers are RFC 6901."""
    if not pointer:
        return copy.deepcopy(value)
    out = copy.deepcopy(document)
    *parents, last = _tokens(pointer)
    node = out
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    key: Any = int(last) if isinstance(node, list) else last
    if op == "remove":
        del node[key]
    elif op == "rename":
        node[value] = node.pop(key)
    else:
        node[key] = copy.deepcopy(value)
    return out


def same_json(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (``1`` is ``1.0``, as in JSON Schema), booleans apart.

    Plain ``==`` would take ``True`` for ``1``; a model that turned a boolean into a number
    must not pass.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def assert_same_json(actual: Any, expected: Any) -> None:
    assert same_json(actual, expected), (
        f"not the same JSON:\n  got      {json.dumps(actual, sort_keys=True)[:2000]}\n"
        f"  expected {json.dumps(expected, sort_keys=True)[:2000]}"
    )


# --- schemas ---------------------------------------------------------------------------------


@functools.cache
def validator(key: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"#/$defs/{key}", "$defs": DEFS},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def errors(key: str, instance: Any) -> list[str]:
    return [
        f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator(key).iter_errors(instance)
    ]


def assert_valid(key: str, instance: Any, what: str = "instance") -> None:
    found = errors(key, instance)
    assert not found, f"{what} does not validate against {key}:\n  " + "\n  ".join(found[:10])


# --- the models ------------------------------------------------------------------------------


@functools.cache
def adapter(target: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(target)


def parse(schema: Schema, instance: Any) -> Any:
    """``instance`` read by the generated type the way the SDK reads the wire: from JSON text.

    A model class uses its own ``from_json``; an enum, a union or an alias is read as a field
    of such a model would be.
    """
    text = json.dumps(instance)
    if schema.kind == "model":
        return schema.target.from_json(text)
    return adapter(schema.target).validate_json(text, strict=True)


def dump(schema: Schema, value: Any) -> Any:
    """What the SDK writes back for ``value``, as JSON data."""
    if isinstance(value, SDKModel):
        return json.loads(value.to_json())
    return json.loads(adapter(schema.target).dump_json(value, by_alias=True, exclude_unset=True))


def written(schema: Schema, instance: Any) -> Any:
    """What the model must write for ``instance``: the same JSON, plus the defaults it always
    sends (``x-sdk-send-default``)."""
    return {**schema.sends, **instance} if isinstance(instance, dict) else instance


def assert_round_trip(key: str, schema: Schema, instance: Any) -> None:
    """``instance`` parses, writes back as the same JSON, and what is written is valid."""
    actual = dump(schema, parse(schema, instance))
    assert_same_json(actual, written(schema, instance))
    assert_valid(key, actual, "what the model writes")


def at(value: Any, pointer: str) -> Any:
    """Follow a JSON pointer of the wire form through a parsed value.

    A model's step takes the field whose wire name (alias) is the token, else the unknown
    field of that name the model kept.
    """
    for token in _tokens(pointer):
        if isinstance(value, pydantic.BaseModel):
            fields = type(value).model_fields
            name = next((n for n, f in fields.items() if (f.alias or n) == token), None)
            value = getattr(value, name) if name is not None else (value.model_extra or {})[token]
        elif isinstance(value, list):
            value = value[int(token)]
        else:
            value = value[token]
    return value


# --- instances -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    settings: settings
    max_items: int  # arrays without maxItems
    max_extra: int  # unknown properties an object may carry when its schema allows them
    max_leaves: int  # size of free-form JSON values


_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}
PROFILES = {
    # CI and `make test`: the same instances on every run, at least 50 per schema.
    "ci": Profile(settings(max_examples=50, derandomize=True, database=None, **_COMMON), 2, 1, 3),
    # CHATSDK_HYPOTHESIS_PROFILE=deep: ten times more, random, and larger.
    "deep": Profile(settings(max_examples=500, derandomize=False, **_COMMON), 5, 3, 10),
}
PROFILE_NAME = os.environ.get("CHATSDK_HYPOTHESIS_PROFILE", "ci")
if PROFILE_NAME not in PROFILES:
    raise RuntimeError(
        f"CHATSDK_HYPOTHESIS_PROFILE={PROFILE_NAME!r}: use one of {', '.join(PROFILES)}"
    )
PROFILE = PROFILES[PROFILE_NAME]

# Keywords that only annotate: they do not change which instances are valid.
_ANNOTATIONS = frozenset(
    {"description", "examples", "title", "default", "discriminator", "$comment"}
)
# Keywords this module composes itself; a schema with none of them is a leaf.
_STRUCTURE = frozenset(
    {
        "$ref",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "anyOf",
        "oneOf",
        "allOf",
        "if",
        "then",
        "else",
    }
)


class Instances:
    """Hypothesis strategies for the instances of the bundled schemas.

    hypothesis-jsonschema draws every leaf (strings, numbers, enums, constants with their
    bounds); objects, arrays, references and unions are composed here from Hypothesis's own
    strategies, each built once per schema. hypothesis-jsonschema composes those itself too,
    but rebuilds the strategy of every nested subschema on every draw: fifty instances of a
    request schema took it half a minute, too slow for every schema on every build.
    Whatever the composition gets wrong, the tests see: each instance is validated against
    the schema before it is used.
    """

    def __init__(self, defs: dict[str, Any], profile: Profile) -> None:
        self.defs = defs
        self.profile = profile
        self.refs: dict[str, st.SearchStrategy[Any]] = {}
        scalars = (
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=10)
        )
        self.any_json: st.SearchStrategy[Any] = st.recursive(
            scalars,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=8), inner, max_size=3)
            ),
            max_leaves=profile.max_leaves,
        )

    def of(self, key: str) -> st.SearchStrategy[Any]:
        if key not in self.refs:
            self.refs[key] = st.deferred(lambda: self.build(self.defs[key]))
        return self.refs[key]

    def whole(self, schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator({**schema, "$defs": self.defs})

    def build(self, schema: Any) -> st.SearchStrategy[Any]:
        if schema is True or schema == {}:
            return self.any_json
        if schema is False:
            return st.nothing()
        keys = set(schema) - _ANNOTATIONS
        if isinstance(schema.get("type"), list):
            return st.one_of([self.build({**schema, "type": t}) for t in schema["type"]])
        if not keys & _STRUCTURE:
            if keys <= {"type"} and schema.get("type") == "object":
                return st.dictionaries(st.text(max_size=8), self.any_json, max_size=3)
            if keys <= {"type"} and schema.get("type") == "array":
                return st.lists(self.any_json, max_size=self.profile.max_items)
            return from_schema({k: v for k, v in schema.items() if k in keys})
        if "$ref" in schema:
            if keys - {"$ref"}:
                return self.of(schema["$ref"].rsplit("/", 1)[1]).filter(self.whole(schema).is_valid)
            return self.of(schema["$ref"].rsplit("/", 1)[1])
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                branches = schema[combinator]
                strategy = st.one_of([self.build(b) for b in branches])
                if keys - {combinator}:
                    return strategy.filter(self.whole(schema).is_valid)
                if combinator == "oneOf" and "discriminator" not in schema:
                    # Exactly one branch must match; a tagged union's tags already see to it.
                    strategy = strategy.filter(self.exactly_one([self.whole(b) for b in branches]))
                return strategy
        if "allOf" in schema:
            parts = schema["allOf"]
            return self.build(parts[0]).filter(self.whole(schema).is_valid)
        types = schema.get("type")
        if types is None:
            types = "object" if "properties" in schema else "array" if "items" in schema else None
        if types is None:
            return self.any_json.filter(self.whole(schema).is_valid)
        strategy = self.typed(schema, types)
        if "if" in schema:
            strategy = strategy.filter(self.whole(schema).is_valid)
        return strategy

    @staticmethod
    def exactly_one(branches: list[Draft202012Validator]) -> Any:
        return lambda instance: sum(b.is_valid(instance) for b in branches) == 1

    def typed(self, schema: dict[str, Any], kind: str) -> st.SearchStrategy[Any]:
        if kind == "object":
            props: dict[str, Any] = schema.get("properties") or {}
            required = set(schema.get("required") or [])
            strategy: st.SearchStrategy[Any] = st.fixed_dictionaries(
                {k: self.build(v) for k, v in props.items() if k in required},
                optional={k: self.build(v) for k, v in props.items() if k not in required},
            )
            extra = schema.get("additionalProperties", True)
            if extra is not False and self.profile.max_extra:
                names = st.text(min_size=1, max_size=8).filter(lambda n: n not in props)
                values = self.build(extra) if isinstance(extra, dict) else self.any_json
                extras = st.dictionaries(names, values, max_size=self.profile.max_extra)
                strategy = st.builds(lambda known, more: {**more, **known}, strategy, extras)
            return strategy
        if kind == "array":
            return st.lists(
                self.build(schema.get("items", {})),
                min_size=schema.get("minItems", 0),
                max_size=schema.get(
                    "maxItems", max(self.profile.max_items, schema.get("minItems", 0))
                ),
            )
        leaf = {k: v for k, v in schema.items() if k not in _STRUCTURE and k not in _ANNOTATIONS}
        return from_schema({**leaf, "type": kind})


INSTANCES = Instances(DEFS, PROFILE)
