"""Answers that do not match their schema still reach the caller, with what did not match.

A server, a proxy or an older deployment often lags the API document: a field the document
marks required is left out, a number arrives as a string. Raising on such an answer loses it
for one field the caller may never read. By default the client parses it anyway:

* every field that validates is typed as usual, nested objects included (a bad field deep in
  ``usage`` does not cost the rest of ``usage``);
* a field that does not validate keeps the value the server sent, as it came;
* a required field the server left out stays unset, and reading it raises
  :class:`MissingFieldError`, which names the field and says the server left it out;
* the object's ``validation_errors`` lists every problem with its location, and the package
  logger warns once per class and location.

``Client(strict_response_validation=True)`` raises :class:`APIResponseValidationError`
instead, as does a body that is not JSON, or not a JSON object where one is expected.

Written here rather than taken from pydantic: pydantic has no partial validation of a model
(``model_construct`` validates nothing, ``model_validate`` everything or nothing), so this
module validates field by field with pydantic's own validators, only when the fast whole-model
validation has already failed; the answers that match their schema pay nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import types
import typing
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from ._constants import LOGGER_NAME

__all__ = [
    "MissingFieldError",
    "ValidationIssue",
    "lenient",
    "lenient_json",
    "model_class",
    "model_target",
    "register_union",
    "union_tags",
    "validation_errors",
]

log = logging.getLogger(LOGGER_NAME)

_WARNED: set[tuple[str, tuple[str | int, ...]]] = set()
_DEPTH = 64  # nesting followed leniently; deeper, a field that fails is kept as sent


@dataclass(frozen=True)
class ValidationIssue:
    """One place where an answer did not match its schema.

    ``loc`` is the path from the object that carries the issue (wire names and list indexes),
    ``type`` pydantic's error type (``missing``, ``int_type``, ...), ``message`` its text.
    """

    loc: tuple[str | int, ...]
    type: str
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.loc) or "(the object)"
        return f"{where}: {self.message}"


class MissingFieldError(AttributeError):
    """A required field that the server left out of its answer was read."""

    def __init__(self, owner: str, field: str, wire: str) -> None:
        super().__init__(
            f"{owner}.{field}: the server left out the required field {wire!r}; "
            "see .validation_errors on the object"
        )
        self.field = field


# The issues of each leniently read object, by identity (models are unhashable, and an
# attribute would be serialised), dropped with the object. Only answers that did not match
# their schema are here.
_ISSUES: dict[int, tuple[ValidationIssue, ...]] = {}


def _attach(obj: object, issues: tuple[ValidationIssue, ...]) -> None:
    _ISSUES[id(obj)] = issues
    weakref.finalize(obj, _ISSUES.pop, id(obj), None)


def validation_errors(obj: object) -> tuple[ValidationIssue, ...]:
    """What did not match the schema in ``obj`` and in the objects nested in it."""
    return _ISSUES.get(id(obj), ()) if _ISSUES else ()


def lenient(target: Any, data: Any, error: ValidationError) -> Any:
    """``data`` (decoded JSON) as ``target`` (a model class or a tagged union), as far as it fits.

    ``error`` is what validating it whole raised. Returns ``None`` when no lenient reading
    exists (``data`` is not a JSON object, or ``target`` no model or union); the caller then
    raises as in strict mode.
    """
    cls = _model_class(target, data)
    if cls is None or not isinstance(data, dict):
        return None
    issues: list[ValidationIssue] = []
    model = _build(cls, cast("dict[str, Any]", data), (), issues, 0)
    if not issues:  # it failed whole for a reason no field shows (a tag, a model validator)
        issues = [_issue((), e) for e in error.errors(include_url=False)]
    _attach(model, tuple(issues))  # the top object lists every issue, nested ones included
    for issue in issues:
        key = (cls.__qualname__, tuple(p if isinstance(p, str) else 0 for p in issue.loc))
        if key not in _WARNED:
            _WARNED.add(key)
            log.warning(
                "%s from the server does not match its schema at %s (kept as sent; "
                "see .validation_errors)",
                cls.__name__,
                issue,
            )
    return model


def lenient_json(target: Any, content: bytes | str, error: ValidationError) -> Any:
    """:func:`lenient` for a body that is JSON text; ``None`` when it is not JSON at all."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    return lenient(target, data, error)


def _issue(prefix: tuple[str | int, ...], error: Any) -> ValidationIssue:
    loc = tuple(cast("tuple[str | int, ...]", error.get("loc", ())))
    return ValidationIssue(prefix + loc, str(error.get("type", "")), str(error.get("msg", "")))


def model_target(annotation: Any, *, items: bool) -> Any:
    """The model class or tagged union a field typed ``annotation`` holds (its list's items
    when ``items``), through ``X | None``; None when it holds no model. For
    :func:`model_class`, which the accumulators use to find the rules of a decoded value."""
    for option in _options(annotation):
        inner = get_item(option) if items else option
        if inner is not None and (_is_model_class(inner) or _union_info(inner) is not None):
            return inner
    return None


def _union_info(target: Any) -> Any:
    return _UNIONS.get(id(getattr(target, "__sdk_union__", target)))


def model_class(target: Any, data: Any) -> type[BaseModel] | None:
    """The model class ``data`` is read as: ``target`` itself, or a union's variant by tag."""
    return _model_class(target, data)


def _model_class(target: Any, data: Any) -> type[BaseModel] | None:
    """The model class ``data`` is read as: ``target`` itself, or a union's variant by tag."""
    if _is_model_class(target):
        return target
    union: object = getattr(target, "__sdk_union__", target)
    info = _UNIONS.get(id(union))
    if info is None or not isinstance(data, dict):
        return None
    prop, variants, unknown = info
    tag = cast("dict[str, Any]", data).get(prop)
    chosen = variants.get(tag) if isinstance(tag, str) else None
    return chosen or unknown


# Tagged unions by the identity of their pydantic type: (tag property, variants, unknown).
_UNIONS: dict[int, tuple[str, Mapping[str, type[BaseModel]], type[BaseModel] | None]] = {}


def union_tags(union: Any) -> frozenset[str]:
    """The tags of a tagged union registered by :func:`register_union` (empty if it is not one)."""
    entry = _UNIONS.get(id(union))
    return frozenset(entry[1]) if entry is not None else frozenset()


def union_variants(
    union: Any,
) -> tuple[str, Mapping[str, type[BaseModel]], type[BaseModel] | None] | None:
    """A tagged union's (tag property, variants by tag, unknown variant), or None if it is not
    one registered by :func:`register_union`."""
    return _UNIONS.get(id(union))


def register_union(
    union: Any, prop: str, variants: Mapping[str, type[BaseModel]], unknown: type[BaseModel] | None
) -> None:
    """Make a tagged union (from ``_models.tagged_union``) readable leniently."""
    _UNIONS[id(union)] = (prop, variants, unknown)


def _build(
    cls: type[BaseModel],
    data: dict[str, Any],
    loc: tuple[str | int, ...],
    issues: list[ValidationIssue],
    depth: int,
) -> BaseModel:
    if not cls.__pydantic_complete__:  # reached only through a union or a TypeAdapter so far
        cls.model_rebuild()
    fields = cls.model_fields
    by_wire = _wire_names(cls)
    values: dict[str, Any] = {}
    own: list[ValidationIssue] = []
    for wire, value in data.items():
        name = by_wire.get(wire)
        if name is None:
            values[wire] = value  # an unknown field: kept, as always
            continue
        try:
            values[name] = _adapter(cls, name).validate_python(value)
        except ValidationError as exc:
            values[name] = _field_leniently(cls, name, wire, value, exc, own, depth)
    for name, field in fields.items():
        if field.is_required() and name not in values:
            wire = field.alias or name
            own.append(ValidationIssue((wire,), "missing", "Field required"))
    model = cls.model_construct(_fields_set={n for n in values if n in fields}, **values)
    if own:
        _attach(model, tuple(own))
    issues.extend(ValidationIssue(loc + i.loc, i.type, i.message) for i in own)
    return model


def _field_leniently(
    cls: type[BaseModel],
    name: str,
    wire: str,
    value: Any,
    exc: ValidationError,
    own: list[ValidationIssue],
    depth: int,
) -> Any:
    """A field that failed: read nested objects leniently, else keep the value as sent."""
    annotation = cls.model_fields[name].annotation
    if depth < _DEPTH:
        nested = _lenient_value(annotation, value, (wire,), own, depth + 1)
        if nested is not _NO:
            return nested
    own.extend(_issue((wire,), e) for e in exc.errors(include_url=False))
    return value


_NO: Any = object()


def _lenient_value(
    annotation: Any,
    value: Any,
    loc: tuple[str | int, ...],
    issues: list[ValidationIssue],
    depth: int,
) -> Any:
    """``value`` read leniently as ``annotation`` when it is an object or a list of them."""
    if isinstance(value, dict):
        for option in _options(annotation):
            cls = _model_class(option, value)
            if cls is not None:
                try:
                    return cls.model_validate(value)
                except ValidationError:
                    return _build(cls, cast("dict[str, Any]", value), loc, issues, depth)
        return _NO
    if isinstance(value, list):
        item_type = next(
            (get_item(o) for o in _options(annotation) if get_item(o) is not None), None
        )
        if item_type is None:
            return _NO
        adapter = _item_adapter(item_type)
        out: list[Any] = []
        for index, item in enumerate(_as_list(value)):
            try:
                out.append(adapter.validate_python(item))
            except ValidationError as exc:
                nested = _lenient_value(item_type, item, (*loc, index), issues, depth + 1)
                if nested is _NO:
                    issues.extend(_issue((*loc, index), e) for e in exc.errors(include_url=False))
                    nested = item
                out.append(nested)
        return out
    return _NO


def _as_list(value: Any) -> list[Any]:
    return cast("list[Any]", value)  # typed, where an isinstance test leaves list[Unknown]


def _is_model_class(value: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(value, type) and issubclass(value, BaseModel)


def get_item(annotation: Any) -> Any:
    """The item type of ``list[X]``/``Sequence[X]``, else None."""
    if typing.get_origin(annotation) in (list, tuple, typing.Sequence):
        args = typing.get_args(annotation)
        return args[0] if args else None
    return None


def _options(annotation: Any) -> list[Any]:
    """The members of ``X | Y | None`` (``Annotated`` metadata dropped), else ``[X]``."""
    while typing.get_origin(annotation) is typing.Annotated:
        if id(annotation) in _UNIONS:
            return [annotation]
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


@functools.cache
def _wire_names(cls: type[BaseModel]) -> dict[str, str]:
    return {(f.alias or n): n for n, f in cls.model_fields.items()}


@functools.cache
def _adapter(cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = cls.model_fields[name]
    annotated: Any = typing.Annotated[field.annotation, field]
    return TypeAdapter(annotated)


@functools.cache
def _item_adapter(item_type: Any) -> TypeAdapter[Any]:
    return TypeAdapter(item_type)
