"""Base classes of every generated model, enum and tagged union.

Three promises rest here:

* exact round trip: ``Model.from_json(raw).to_dict() == json.loads(raw)``; fields the input
  did not carry stay absent, explicit nulls stay null, unknown fields are kept;
* forward compatibility on the response side: an enum value or union tag the SDK does not
  know is kept and marked unknown instead of raising;
* strict requests: request-only models reject unknown fields and unknown enum values.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    GetCoreSchemaHandler,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
    model_validator,
)
from pydantic_core import CoreSchema, InitErrorDetails, ValidationError

from ._lenient import MissingFieldError, ValidationIssue, register_union, validation_errors

__all__ = [
    "KNOWN_VALUES_ONLY",
    "OpenEnum",
    "RequestModel",
    "SDKModel",
    "SendsDefaults",
    "UnionBase",
    "UnknownTag",
    "UnknownVariant",
    "attach",
    "bind_union",
    "tagged_union",
    "union_class",
    "with_request_defaults",
]

_M = TypeVar("_M", bound="SDKModel")
UNKNOWN_TAG = "\x00unknown"


class SDKModel(BaseModel):
    """A JSON object of the API. Unknown fields are kept and written back unchanged."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        defer_build=True,
        protected_namespaces=(),
        ser_json_inf_nan="constants",
    )

    # The tag property of the tagged union this model is a variant of (set by tagged_union).
    __sdk_tag__: ClassVar[str | None] = None
    _request_id: ClassVar[str | None] = None
    """The server's id of the request this object answered (set on the client's results)."""

    @classmethod
    def from_json(cls: type[_M], data: str | bytes | bytearray) -> _M:
        """Parse a JSON document into this model.

        Strictly, as the schema reads it: ``"1"`` is no number and ``"true"`` no boolean (a
        coerced value would not be written back as it came); properties go by their wire
        names only, so ``from_`` on the wire is an unknown property, not the field ``from``.
        A union variant's tag has its only value as default, for constructors; JSON without
        it is still no such variant.
        """
        model = cls.model_validate_json(data, strict=True, by_alias=True, by_name=False)
        if cls.__sdk_tag__ is not None:
            _require_tag(model, cls.__sdk_tag__, data)
        return model

    @classmethod
    def from_dict(cls: type[_M], data: Mapping[str, Any]) -> _M:
        """Build this model from a decoded JSON object."""
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        """The exact wire form as plain Python values."""
        # a value kept as the server sent it (see validation_errors) is written back as is
        warn = not validation_errors(self)
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, warnings=warn)

    def to_json(self) -> str:
        """The exact wire form as compact JSON text."""
        warn = not validation_errors(self)
        return self.model_dump_json(by_alias=True, exclude_unset=True, warnings=warn)

    def is_set(self, name: str) -> bool:
        """Whether field ``name`` was given (by the caller or in the parsed JSON), not defaulted."""
        return name in self.model_fields_set

    @property
    def validation_errors(self) -> tuple[ValidationIssue, ...]:
        """Where this object, as the server sent it, does not match its schema (usually none).

        The client keeps an answer that does not match (see ``strict_response_validation``):
        fields that validate are typed, the others keep what was sent, and each problem is
        listed here with its location from this object.
        """
        return validation_errors(self)

    def __repr__(self) -> str:
        # a value that carries settings for its request (with_request_defaults) shows them:
        # the repr says everything the value will send
        text = super().__repr__()
        carried = self.__dict__.get(_REQUEST_DEFAULTS)
        return f"{text} + request {carried!r}" if carried else text

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            try:
                return super().__getattr__(name)
            except AttributeError:
                fields = type(self).model_fields
                if name in fields and validation_errors(self):
                    wire = fields[name].alias or name
                    raise MissingFieldError(type(self).__name__, name, wire) from None
                raise


def _require_tag(model: BaseModel, tag: str, data: str | bytes | bytearray) -> None:
    fields = type(model).model_fields
    name = next((n for n, f in fields.items() if (f.alias or n) == tag), tag)
    if name not in model.model_fields_set:
        missing = InitErrorDetails(type="missing", loc=(tag,), input=data)
        raise ValidationError.from_exception_data(type(model).__name__, [missing])


class RequestModel(SDKModel):
    """A JSON object only the client sends: unknown fields are a mistake, so they are rejected."""

    model_config = ConfigDict(extra="forbid")

    # Optional properties whose schema does not allow null (wire and Python names): leaving
    # one out is fine, an explicit null is a mistake the server would reject.
    __sdk_not_null__: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _sdk_reject_null(cls, data: Any) -> Any:
        # An answer's model sent back as the next request's part (the assistant message of a
        # chat completion): read as the JSON it came as, which the request schema admits.
        if isinstance(data, SDKModel) and not isinstance(data, cls):
            data = data.to_dict()
        given: Any = data
        if cls.__sdk_not_null__ and isinstance(given, dict):
            items = cast("dict[str, Any]", given).items()
            nulls = sorted(k for k, v in items if v is None and k in cls.__sdk_not_null__)
            if nulls:
                raise ValueError(f"{', '.join(nulls)}: leave it out rather than send null")
        return data

    def to_dict(self) -> dict[str, Any]:
        """The wire form, with the request settings carried by nested values merged in."""
        data = super().to_dict()
        for defaults in _request_defaults(self):
            _merge_missing(data, defaults)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)


_REQUEST_DEFAULTS = "__sdk_request_defaults__"


def with_request_defaults(model: _M, defaults: dict[str, Any]) -> _M:
    """Let ``model`` carry settings that belong elsewhere in the request that will hold it.

    ``ThinkingConfig.adaptive(effort="high")`` is ``{"type": "adaptive"}`` on the wire; the
    effort travels as the request's ``output_config.effort``. Null leaves are dropped.
    """
    pruned = _prune(defaults)
    if pruned:
        object.__setattr__(model, _REQUEST_DEFAULTS, pruned)
    return model


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        items = cast("dict[str, Any]", value).items()
        out = {k: p for k, v in items if (p := _prune(v)) is not None}
        return out or None
    return value.value if isinstance(value, enum.Enum) else value


def _request_defaults(root: BaseModel) -> list[dict[str, Any]]:
    """Settings carried by the values nested in ``root`` (not by ``root`` itself)."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [
        getattr(root, name) for name in root.model_fields_set if name in type(root).model_fields
    ]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            carried: dict[str, Any] | None = item.__dict__.get(_REQUEST_DEFAULTS)
            if carried:
                found.append(carried)
            stack.extend(
                getattr(item, name)
                for name in item.model_fields_set
                if name in type(item).model_fields
            )
        elif isinstance(item, (list, tuple)):
            stack.extend(cast("Sequence[Any]", item))
    return found


def _merge_missing(target: dict[str, Any], defaults: dict[str, Any]) -> None:
    for key, value in defaults.items():
        if key not in target:
            target[key] = value
        elif isinstance(target[key], dict) and isinstance(value, dict):
            _merge_missing(cast("dict[str, Any]", target[key]), cast("dict[str, Any]", value))


class SendsDefaults(BaseModel):
    """Mix-in for models with fields written even when not set: union tags, sent defaults.

    A wrap serializer rather than an ``__init__`` that marks them set: pydantic calls a custom
    ``__init__`` on every parse (five times slower here); this costs only when dumping.
    """

    __sdk_send_defaults__: ClassVar[dict[str, Any]] = {}

    @model_serializer(mode="wrap")
    def _sdk_send_defaults(self, handler: SerializerFunctionWrapHandler) -> Any:
        data: Any = handler(self)
        if not isinstance(data, dict):
            return data
        out = cast("dict[str, Any]", data)
        missing = {k: v for k, v in self.__sdk_send_defaults__.items() if k not in out}
        return {**missing, **out} if missing else out


class OpenEnum(str, enum.Enum):
    """A string enum that also accepts values it does not know.

    An unknown value becomes a member of the enum that keeps the exact string, so it
    compares equal to that string, serialises back to it, and has ``is_known`` false.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this SDK version knows the value."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self._value_)


def _require_known(value: Any) -> Any:
    if isinstance(value, OpenEnum) and not value.is_known:
        known = ", ".join(repr(m.value) for m in type(value))
        raise ValueError(f"{value.value!r} is not one of {known}")
    return value


# Request fields typed with an open enum still only accept the values the SDK knows.
KNOWN_VALUES_ONLY = AfterValidator(_require_known)


class _UnionMeta(type):
    # the metaclass of the type-alias unions' run-time classes, which no variant subclasses
    def __instancecheck__(cls, obj: object) -> bool:
        members: tuple[type, ...] | None = cls.__dict__.get("__sdk_members__")
        if members is not None and isinstance(obj, members):
            return True
        return super().__instancecheck__(obj)

    def __subclasscheck__(cls, sub: type) -> bool:
        members: tuple[type, ...] | None = cls.__dict__.get("__sdk_members__")
        if members is not None and issubclass(sub, members):
            return True
        return super().__subclasscheck__(sub)


class UnionBase:
    """What a tagged union is at run time; as a type hint it validates as the whole union.

    ``list[ContentBlock]`` in a model parses each item by its tag into the matching variant
    class, or into the union's ``Unknown…`` variant. Type checkers see the union itself
    (``TextBlock | … | UnknownContentBlock``), so ``block.type == "text"`` narrows;
    ``isinstance(block, ContentBlock)`` is true of every variant at run time.
    """

    __slots__ = ()
    __sdk_union__: ClassVar[Any]
    __sdk_members__: ClassVar[tuple[type, ...]]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return handler.generate_schema(cls.__sdk_union__)


class UnknownTag(enum.Enum):
    """The tag an ``Unknown…`` variant reports: equal to no string, so a comparison with a known
    tag (``block.type == "text"``) is false for it and narrows it away in type checkers."""

    UNKNOWN = "unknown"
    """A tag this version of the SDK does not know; the variant's ``raw_tag`` is what was sent."""

    def __repr__(self) -> str:
        return "UnknownTag.UNKNOWN"


class UnknownVariant(SDKModel):
    """A variant of a tagged union that this version of the SDK does not know.

    The whole object is kept and written back unchanged. Its tag attribute (``type``) is
    :attr:`UnknownTag.UNKNOWN`; :attr:`raw_tag` is the tag the server sent, and every other
    property is an attribute (typed ``Any``) and part of :meth:`to_dict`.
    """

    # the wire name of the union's tag property (set by each generated Unknown… class)
    __sdk_tag_wire__: ClassVar[str] = "type"

    @model_validator(mode="before")
    @classmethod
    def _sdk_require_raw_tag(cls, data: Any) -> Any:
        fields = cast("object", data)
        if isinstance(fields, dict):
            tag: object = cast("dict[str, object]", fields).get(cls.__sdk_tag_wire__)
            if not isinstance(tag, str):
                raise ValueError(f"{cls.__sdk_tag_wire__!r}: a string tag is required")
        return data

    @property
    def raw_tag(self) -> str:
        """The tag the server sent, e.g. ``"server_tool_use"``."""
        extra = self.__pydantic_extra__ or {}
        return str(extra.get(self.__sdk_tag_wire__, ""))

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


def tagged_union(
    prop: str, variants: Mapping[str, type[BaseModel]], unknown: type[BaseModel] | None
) -> Any:
    """The pydantic type of a tagged union: dispatch on ``prop``, unknown tags to ``unknown``.

    A callable discriminator (rather than pydantic's string one) is what lets an unknown tag
    reach the ``unknown`` variant while a known tag with a bad body still fails precisely.
    """
    known = frozenset(variants)
    fallback = UNKNOWN_TAG if unknown is not None else None
    for variant in variants.values():
        if issubclass(variant, SDKModel):
            variant.__sdk_tag__ = prop

    def discriminate(value: Any) -> str | None:
        tag: Any
        if isinstance(value, dict):
            # (no typing.cast: this runs for every union value)
            fields: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
            tag = fields.get(prop)
        elif isinstance(value, UnknownVariant):
            return fallback
        else:
            tag = getattr(value, prop, None)
            tag = tag.value if isinstance(tag, enum.Enum) else tag
        if isinstance(tag, str) and tag in known:
            return tag
        return fallback

    members: list[Any] = [Annotated[cls, Tag(tag)] for tag, cls in variants.items()]
    if unknown is not None:
        members.append(Annotated[unknown, Tag(UNKNOWN_TAG)])
    union: Any = members[0] if len(members) == 1 else _union_of(members)
    typed = Annotated[union, Discriminator(discriminate)]
    register_union(typed, prop, variants, unknown)
    return typed


def bind_union(
    cls: type[UnionBase],
    prop: str,
    variants: Mapping[str, type[BaseModel]],
    unknown: type[BaseModel] | None,
) -> None:
    """Make ``cls`` validate as the tagged union of ``variants`` and be true of them in
    ``isinstance``."""
    cls.__sdk_union__ = tagged_union(prop, variants, unknown)
    cls.__sdk_members__ = (*variants.values(), *((unknown,) if unknown is not None else ()))


def union_class(
    module: str,
    name: str,
    prop: str,
    variants: Mapping[str, type[BaseModel]],
    unknown: type[BaseModel] | None,
) -> type[UnionBase]:
    """The run-time class of a tagged union that type checkers see as ``A | B | Unknown…``."""
    members = ", ".join(cls.__name__ for cls in variants.values())
    doc = f"A tagged union on {prop!r} of {members}" + (
        f", or {unknown.__name__}." if unknown is not None else "."
    )
    cls = _UnionMeta(name, (UnionBase,), {"__module__": module, "__doc__": doc, "__slots__": ()})
    bind_union(cast("type[UnionBase]", cls), prop, variants, unknown)
    return cast("type[UnionBase]", cls)


def _union_of(members: list[Any]) -> Any:
    import typing

    return typing.Union[tuple(members)]  # noqa: UP007 - built at run time from a list


def attach(cls: type, **functions: Callable[..., Any]) -> None:
    """Attach constructors to a union base once its variants exist.

    Variants define fields that may share a constructor's name (``ContentPart.text`` and
    ``TextContentPart.text``); attaching afterwards keeps pydantic from seeing the clash.
    """
    for name, function in functions.items():
        setattr(cls, name, staticmethod(function))
