"""Structured output: an answer asked for as JSON matching a schema, validated and re-asked.

A format is a pydantic model class, a ``{name, schema, strict}`` format (the messages
family's ``ResponseFormat``), a chat ``{"type": "json_schema", "json_schema": {...}}`` format,
or a plain JSON Schema. The schema sent is made strict-mode compatible (:func:`strict_schema`).

Two wire dialects are known: ``messages`` (content blocks, ``tool_use`` / ``tool_result``)
and ``chat`` (``choices[0].message``, ``tool_calls`` / ``role: tool``). Each says how a format
is asked for, natively or as one forced tool, how the answer is read, and how a failed
answer is re-asked. Only pydantic and the standard library are needed; a plain JSON Schema
is checked with ``jsonschema`` when it is installed (otherwise only as JSON).
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

import pydantic

__all__ = [
    "Attempt",
    "Dialect",
    "InvalidOutput",
    "OutputFormat",
    "OutputIssue",
    "ParsedResponse",
    "Reading",
    "StructuredMode",
    "dialect_named",
    "output_format",
    "strict_schema",
    "sum_usage",
]

StructuredMode = Literal["native", "tool", "auto"]
_T = TypeVar("_T")
_R = TypeVar("_R")
_NAME = re.compile(r"[^A-Za-z0-9_-]")
_MISSING: Any = object()


@dataclass(frozen=True)
class OutputIssue:
    """One way an answer missed its schema: where (a JSON pointer, ``""`` for the whole
    answer) and what."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"at {self.location or '(root)'}: {self.message}"


@dataclass(frozen=True)
class Attempt:
    """One answer of a structured call: its raw output (text, or the tool call's input as
    JSON) and what was wrong with it (empty when it was valid)."""

    raw: str | None
    issues: tuple[OutputIssue, ...] = ()


@dataclass
class ParsedResponse(Generic[_T, _R]):
    """The answer of ``parse``: the ``parsed`` value (an instance of the model class, or the
    decoded JSON), or ``None`` with ``refusal`` saying why the model declined."""

    parsed: _T | None
    """The validated answer; ``None`` on a refusal."""
    response: _R
    """The last response, as ``create`` returns it."""
    refusal: str | None = None
    """The model's reason when it refused; ``None`` otherwise."""
    attempts: list[Attempt] = field(default_factory=lambda: [])
    """Every answer in order, with the issues that caused each re-ask."""
    responses: list[_R] = field(default_factory=lambda: [])
    """Every response in order (the last is ``response``)."""
    usage: Any = None
    """The response's usage with each count summed over all attempts."""


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` as providers' strict modes need it: every object has
    ``additionalProperties: false`` and lists all its properties as required; a property
    that was optional becomes nullable (``anyOf: [..., {"type": "null"}]``) and a ``null``
    default is dropped."""
    out = copy.deepcopy(dict(schema))
    _make_strict(out)
    return out


def _obj(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object (the same dict, for editing), else an empty one."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else {}


def _items(value: object) -> list[Any]:
    return list(cast("list[Any]", value)) if isinstance(value, (list, tuple)) else []


def _make_strict(value: object) -> None:
    for item in _items(value):
        _make_strict(item)
    node = _obj(value)
    if "default" in node and node["default"] is None:
        del node["default"]
    props = node.get("properties")
    if props is not None:
        fields = _obj(props)
        required = set(_items(node.get("required")))
        for key, sub in fields.items():
            if key not in required and _obj(sub) and not _nullable(sub):
                fields[key] = {"anyOf": [sub, {"type": "null"}]}
        node["required"] = list(fields)
    if (props is not None or node.get("type") == "object") and node.get(
        "additionalProperties", True
    ) is True:
        node["additionalProperties"] = False
    for key, sub in node.items():
        if key in ("properties", "$defs", "definitions", "patternProperties"):
            for item in _obj(sub).values():
                _make_strict(item)
        elif key in ("items", "anyOf", "oneOf", "allOf", "prefixItems", "additionalProperties"):
            _make_strict(sub)


def _nullable(schema: object) -> bool:
    kind = _obj(schema).get("type")
    if kind == "null" or "null" in _items(kind):
        return True
    return any(_nullable(s) for s in _items(_obj(schema).get("anyOf")))


class InvalidOutput(Exception):
    """An answer that missed its format, with every issue."""

    def __init__(self, issues: Sequence[OutputIssue]) -> None:
        super().__init__("; ".join(map(str, issues)))
        self.issues = tuple(issues)


def _pointer(loc: Sequence[Any]) -> str:
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in loc)


@dataclass(frozen=True)
class OutputFormat(Generic[_T]):
    """A resolved format: its name, the strict schema sent, and how an answer is checked."""

    name: str
    schema: dict[str, Any]
    model: type[pydantic.BaseModel] | None = None
    check: Schema | None = None
    description: str | None = None

    def validate(self, value: Any) -> _T:
        """The answer (JSON text, or an already decoded value) as the format's type; raises
        ``InvalidOutput`` with every issue."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise InvalidOutput([OutputIssue("", f"not valid JSON: {exc}")]) from None
        if self.model is not None:
            try:
                result: Any = self.model.model_validate(value)
            except pydantic.ValidationError as exc:
                issues = [OutputIssue(_pointer(e["loc"]), e["msg"]) for e in exc.errors()]
                raise InvalidOutput(issues) from None
            return result  # type: ignore[no-any-return]
        if self.check is not None:
            issues = self.check.issues(value)
            if issues:
                raise InvalidOutput(issues)
        return value  # type: ignore[no-any-return]


class Schema:
    """A plain JSON Schema's check: by ``jsonschema`` when installed, else none."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        try:
            # imported by name: an optional dependency, so neither a requirement nor stubs
            validators: Any = importlib.import_module("jsonschema.validators")
        except ImportError:  # pragma: no cover - optional dependency
            self._validator: Any = None
        else:
            self._validator = validators.validator_for(schema)(schema)

    def issues(self, value: Any) -> list[OutputIssue]:
        if self._validator is None:  # pragma: no cover - optional dependency
            return []
        errors = sorted(self._validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return [OutputIssue(_pointer(e.absolute_path), e.message) for e in errors]


def output_format(spec: object) -> OutputFormat[Any]:
    """Resolve what a caller passed as ``response_format``."""
    if isinstance(spec, type) and issubclass(spec, pydantic.BaseModel):
        schema = strict_schema(spec.model_json_schema())
        description = (spec.__doc__ or "").strip() or None
        return OutputFormat(_safe_name(spec.__name__), schema, model=spec, description=description)
    if isinstance(spec, pydantic.BaseModel):
        spec = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if not isinstance(spec, Mapping):
        raise TypeError(
            "response_format takes a pydantic model class, a {name, schema} format, "
            f"a json_schema format or a JSON Schema, not {spec!r}"
        )
    given = _obj(dict(cast("Mapping[str, Any]", spec)))
    if given.get("type") == "json_schema" and isinstance(given.get("json_schema"), Mapping):
        given = _obj(dict(given["json_schema"]))
    schema = _obj(given.get("schema"))
    if schema and "name" in given:
        name = str(given["name"])
        description = given.get("description")
    else:
        name, schema, description = str(given.get("title") or "response"), given, None
    strict = strict_schema(schema)
    return OutputFormat(_safe_name(name), strict, check=Schema(strict), description=description)


def _safe_name(name: str) -> str:
    return _NAME.sub("_", name)[:64] or "response"


def sum_usage(usages: Sequence[Any]) -> Any:
    """The usages (models or dicts) added count by count, as the first one's type."""
    present = [u for u in usages if u is not None]
    if not present:
        return None
    dicts = [u.model_dump(mode="json") if isinstance(u, pydantic.BaseModel) else u for u in present]
    total = _add(dicts)
    first = present[0]
    if isinstance(first, pydantic.BaseModel):
        return type(first).model_validate(total)
    return total


def _add(values: Sequence[Any]) -> Any:
    if all(isinstance(v, bool) or v is None for v in values):
        return values[-1]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return sum(values)
    if all(isinstance(v, dict) for v in values):
        objects = [_obj(v) for v in values]
        keys = list(dict.fromkeys(k for v in objects for k in v))
        return {k: _add([v[k] for v in objects if k in v]) for k in keys}
    if all(isinstance(v, (int, float)) or v is None for v in values):
        return sum(v for v in values if v is not None)
    return values[-1]


@dataclass
class Reading:
    """What a response says: the raw output, the value to validate, a refusal, and the id
    of the forced tool call (tool mode)."""

    raw: str | None
    value: Any = _MISSING
    refusal: str | None = None
    call_id: str | None = None
    missing: str | None = None

    @property
    def answered(self) -> bool:
        """Whether there is a value to validate."""
        return self.value is not _MISSING


class Dialect:
    """How one wire dialect carries formats, tools and their results (plain dicts)."""

    name = ""

    def ask(self, fmt: OutputFormat[Any], tool: bool, params: dict[str, Any]) -> None:
        raise NotImplementedError

    def read(self, data: Mapping[str, Any], fmt: OutputFormat[Any], tool: bool) -> Reading:
        raise NotImplementedError

    def retry_turns(self, data: Mapping[str, Any], reading: Reading, text: str) -> list[Any]:
        raise NotImplementedError

    # The tool loop (see _tool_runner).
    def any_tool(self, params: dict[str, Any]) -> None:
        """Make the model call some tool, whichever it picks."""
        raise NotImplementedError

    def tool_param(self, name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def tool_calls(self, data: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
        """``(id, name, arguments)`` of each tool call; arguments decoded, or the raw text
        when it is not JSON."""
        raise NotImplementedError

    def assistant_turn(self, data: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def result_turns(self, results: Sequence[tuple[str, str, bool]]) -> list[dict[str, Any]]:
        """The turns answering ``(call id, content, is_error)`` results."""
        raise NotImplementedError


class MessagesDialect(Dialect):
    name = "messages"

    def ask(self, fmt: OutputFormat[Any], tool: bool, params: dict[str, Any]) -> None:
        if not tool:
            params["response_format"] = {"name": fmt.name, "schema": fmt.schema, "strict": True}
            return
        description = fmt.description or f"Give the final answer as {fmt.name}."
        params["tools"] = [
            *params.get("tools", ()),
            self.tool_param(fmt.name, description, fmt.schema),
        ]
        params["tool_choice"] = {"type": "tool", "name": fmt.name}

    def read(self, data: Mapping[str, Any], fmt: OutputFormat[Any], tool: bool) -> Reading:
        blocks = [_obj(b) for b in _items(data.get("content"))]
        text = "".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")
        if data.get("stop_reason") == "refusal":
            details = _obj(data.get("stop_details"))
            return Reading(text, refusal=details.get("explanation") or text or "refusal")
        if not tool:
            return Reading(text, text)
        for block in blocks:
            if block.get("type") == "tool_use" and block.get("name") == fmt.name:
                value = block.get("input")
                return Reading(json.dumps(value), value, call_id=str(block.get("id")))
        return Reading(text, missing=f"the answer did not call the tool {fmt.name!r}")

    def retry_turns(self, data: Mapping[str, Any], reading: Reading, text: str) -> list[Any]:
        turns: list[Any] = [self.assistant_turn(data)]
        if reading.call_id is None:
            turns.append({"role": "user", "content": text})
        else:
            turns.extend(self.result_turns([(reading.call_id, text, True)]))
        return turns

    def any_tool(self, params: dict[str, Any]) -> None:
        params["tool_choice"] = {"type": "any"}

    def tool_param(self, name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        # The messages family's Tool also names how it is shown and its permission tier.
        return {
            "name": name,
            "description": description,
            "input_schema": schema,
            "display_name": name,
            "tier": "standard",
        }

    def tool_calls(self, data: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
        blocks = [_obj(b) for b in _items(data.get("content"))]
        return [
            (str(b.get("id")), str(b.get("name")), b.get("input"))
            for b in blocks
            if b.get("type") == "tool_use"
        ]

    def assistant_turn(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"role": "assistant", "content": _items(data.get("content"))}

    def result_turns(self, results: Sequence[tuple[str, str, bool]]) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        for call_id, content, is_error in results:
            block: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": call_id,
                "content": content,
            }
            if is_error:
                block["is_error"] = True
            blocks.append(block)
        return [{"role": "user", "content": blocks}]


class ChatDialect(Dialect):
    name = "chat"

    def ask(self, fmt: OutputFormat[Any], tool: bool, params: dict[str, Any]) -> None:
        if not tool:
            spec: dict[str, Any] = {"name": fmt.name, "schema": fmt.schema, "strict": True}
            if fmt.description:
                spec["description"] = fmt.description
            params["response_format"] = {"type": "json_schema", "json_schema": spec}
            return
        description = fmt.description or f"Give the final answer as {fmt.name}."
        param = self.tool_param(fmt.name, description, fmt.schema)
        param["function"]["strict"] = True
        params["tools"] = [*params.get("tools", ()), param]
        params["tool_choice"] = {"type": "function", "function": {"name": fmt.name}}

    @staticmethod
    def _message(data: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
        choices = _items(data.get("choices"))
        choice = _obj(choices[0]) if choices else {}
        return _obj(choice.get("message")), choice.get("finish_reason")

    def read(self, data: Mapping[str, Any], fmt: OutputFormat[Any], tool: bool) -> Reading:
        message, finish = self._message(data)
        text = message.get("content")
        if message.get("refusal") or finish == "content_filter":
            return Reading(text, refusal=message.get("refusal") or str(finish))
        if not tool:
            return Reading(text, text if text is not None else _MISSING, missing="no content")
        for call_id, name, arguments in self._calls(message):
            if name == fmt.name:
                return Reading(arguments, arguments, call_id=call_id)
        return Reading(text, missing=f"the answer did not call the tool {fmt.name!r}")

    def retry_turns(self, data: Mapping[str, Any], reading: Reading, text: str) -> list[Any]:
        turns: list[Any] = [self.assistant_turn(data)]
        if reading.call_id is None:
            turns.append({"role": "user", "content": text})
        else:
            turns.extend(self.result_turns([(reading.call_id, text, True)]))
        return turns

    def any_tool(self, params: dict[str, Any]) -> None:
        params["tool_choice"] = "required"

    def tool_param(self, name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        function = {"name": name, "description": description, "parameters": schema}
        return {"type": "function", "function": function}

    @staticmethod
    def _calls(message: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        for call in map(_obj, _items(message.get("tool_calls"))):
            function = _obj(call.get("function"))
            out.append(
                (str(call.get("id")), str(function.get("name")), function.get("arguments", ""))
            )
        return out

    def tool_calls(self, data: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
        out: list[tuple[str, str, Any]] = []
        for call_id, name, arguments in self._calls(self._message(data)[0]):
            try:
                decoded: Any = json.loads(arguments) if arguments else {}
            except ValueError:
                decoded = arguments
            out.append((call_id, name, decoded))
        return out

    def assistant_turn(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self._message(data)[0])

    def result_turns(self, results: Sequence[tuple[str, str, bool]]) -> list[dict[str, Any]]:
        # Chat tool messages have no error flag: a failure is said in the content.
        return [
            {"role": "tool", "tool_call_id": call_id, "content": f"Error: {c}" if err else c}
            for call_id, c, err in results
        ]


_DIALECTS: dict[str, Dialect] = {d.name: d for d in (MessagesDialect(), ChatDialect())}


def dialect_named(name: str) -> Dialect:
    return _DIALECTS[name]
