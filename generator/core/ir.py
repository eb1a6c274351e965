"""The intermediate representation: what the templates receive, and nothing else.

Frozen dataclasses, no back-references. Every string a template prints (a Python name, a
type hint, a default, an expression) is computed once by the build steps (``build.py`` and
the modules it composes); kinds are ``Literal`` types, and templates only loop over these
nodes and branch on their boolean fields and properties. ``sdkforge dump-ir`` prints this tree.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Field:
    wire_name: str
    py_name: str
    type_hint: str
    default_repr: str | None  # None: the field is required
    field_args: str  # arguments of pydantic.Field(...), "" when none are needed
    description: str
    is_tag: bool  # the discriminator of a tagged union this model belongs to
    shadows_base: bool  # a union constructor of the same name exists on a base class

    @property
    def declaration(self) -> str:
        """The whole class-body line: ``name: hint = default``."""
        value = ""
        if self.field_args:
            # `default=` by keyword: pyright's dataclass_transform ignores a positional default.
            default = f"default={self.default_repr}, " if self.default_repr is not None else ""
            value = f" = Field({default}{self.field_args})"
        elif self.default_repr is not None:
            value = f" = {self.default_repr}"
        ignore = "  # type: ignore[assignment]" if self.shadows_base else ""
        return f"{self.py_name}: {self.type_hint}{value}{ignore}"


@dataclass(frozen=True)
class Param:
    py_name: str
    type_hint: str
    default_repr: str | None

    @property
    def declaration(self) -> str:
        default = f" = {self.default_repr}" if self.default_repr is not None else ""
        return f"{self.py_name}: {self.type_hint}{default}"


@dataclass(frozen=True)
class ParamKey:
    wire_name: str
    type_hint: str  # ``Required[...]`` around it when the key must be given


@dataclass(frozen=True)
class ParamDict:
    """The TypedDict of a request-side model: its JSON object as a caller may write it."""

    name: str  # "MessageParam"
    description: str
    keys: tuple[ParamKey, ...]

    @property
    def class_form(self) -> bool:
        """Every key can be a class-body name as written: ASCII identifiers that are no
        keyword and would not be mangled; otherwise the functional ``TypedDict(...)`` form."""
        return all(
            k.wire_name.isascii()
            and k.wire_name.isidentifier()
            and not keyword.iskeyword(k.wire_name)
            and not k.wire_name.startswith("__")
            for k in self.keys
        )


@dataclass(frozen=True)
class Constructor:
    name: str
    description: str
    params: tuple[Param, ...]
    return_hint: str
    target_class: str  # the class whose model_validate builds the value
    body_expr: str  # Python expression for the wire dict, using the params
    request_expr: str | None  # expression merged into the enclosing request body, if any
    is_static: bool  # on a union base (a staticmethod) rather than a model (a classmethod)

    @property
    def signature(self) -> str:
        """Parameters in schema order; required ones after a defaulted one become keyword-only."""
        parts: list[str] = []
        defaulted = starred = False
        for p in self.params:
            if defaulted and p.default_repr is None and not starred:
                parts.append("*")
                starred = True
            defaulted = defaulted or p.default_repr is not None
            parts.append(p.declaration)
        return ", ".join(parts)

    @property
    def arguments(self) -> str:
        return ", ".join(f"{p.py_name}={p.py_name}" for p in self.params)


AccessorKind = Literal["first", "all", "any", "value"]
Framing = Literal["data-only", "named-events"]
BodyEncoding = Literal["json", "multipart", "form", "raw", "none"]
ResponseKind = Literal["json", "any", "binary"]


@dataclass(frozen=True)
class Accessor:
    name: str
    description: str
    kind: AccessorKind
    items_attr: str  # attribute holding the items; "" for an alias accessor on its value
    variant_class: str
    field_attr: str
    return_hint: str

    @property
    def returns_first(self) -> bool:
        """The first matching item's field, or None."""
        return self.kind == "first"

    @property
    def returns_all(self) -> bool:
        """Every matching item."""
        return self.kind == "all"

    @property
    def returns_any(self) -> bool:
        """Whether any item matches."""
        return self.kind == "any"


@dataclass(frozen=True)
class Constant:
    name: str
    type_hint: str
    value_repr: str


@dataclass(frozen=True)
class Condition:
    """An ``if``/``then`` requirement, checked after validation."""

    test_expr: str  # true when the requirement is violated
    message: str


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    bases: str
    fields: tuple[Field, ...]
    # (wire name, default repr) written even when unset: union tags, x-sdk-send-default fields
    send_defaults: tuple[tuple[str, str], ...]
    conditions: tuple[Condition, ...]
    constructors: tuple[Constructor, ...]
    accessors: tuple[Accessor, ...]
    constants: tuple[Constant, ...]
    is_unknown_variant: bool
    source: str  # schemas/<file>#<pointer>
    # Unknown variants: the tag property's Python and wire names (its value is UnknownTag)
    unknown_tag: tuple[str, str] | None = None
    # Request-side models: the TypedDict callers may pass instead, and the keyword arguments
    # of ``__init__`` as type checkers see them (enum strings and TypedDicts accepted)
    param: ParamDict | None = None
    init_params: tuple[Param, ...] = ()
    # Request models: optional properties the schema does not let be null, wire and Python
    # names (RequestModel rejects an explicit null for them).
    not_null: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnumMember:
    py_name: str
    value_repr: str
    description: str


@dataclass(frozen=True)
class Enum:
    name: str
    description: str
    is_open: bool
    members: tuple[EnumMember, ...]
    accessors: tuple[Accessor, ...]
    source: str


@dataclass(frozen=True)
class Variant:
    tag: str
    class_name: str


@dataclass(frozen=True)
class Union:
    name: str
    description: str
    discriminator: str
    variants: tuple[Variant, ...]
    unknown_class: str | None  # None: a closed union (request side)
    constructors: tuple[Constructor, ...]
    constants: tuple[Constant, ...]
    source: str
    param_name: str | None = None  # request side: "ContentBlockParam", the variants' TypedDicts
    param_members: tuple[str, ...] = ()

    @property
    def param_hint(self) -> str:
        """``TextBlockParam | ImageBlockParam``."""
        return " | ".join(self.param_members)

    @property
    def is_type_alias(self) -> bool:
        """Type checkers see the union as ``A | B | Unknown…`` (so a tag comparison narrows);
        a union that declares constructors or constants is a class they live on instead,
        whose variants subclass it."""
        return not self.constructors and not self.constants

    @property
    def members_hint(self) -> str:
        """``TextBlock | ThinkingBlock | UnknownContentBlock``: the variants, then the unknown."""
        names = [v.class_name for v in self.variants]
        return " | ".join([*names, self.unknown_class] if self.unknown_class else names)


@dataclass(frozen=True)
class Alias:
    name: str
    description: str
    type_hint: str
    accessors: tuple[Accessor, ...]
    source: str


@dataclass(frozen=True)
class Module:
    name: str  # python module under chatsdk: "messages"
    source: str  # "schemas/messages.yaml", or several joined by ", "
    title: str
    description: str
    imports: tuple[str, ...]  # "from .shared import Tool, Usage"
    enums: tuple[Enum, ...]
    unions: tuple[Union, ...]
    models: tuple[Model, ...]
    aliases: tuple[Alias, ...]
    exports: tuple[str, ...]

    @property
    def params(self) -> tuple[ParamDict, ...]:
        """The TypedDicts of the module's request-side models, in the models' order."""
        return tuple(m.param for m in self.models if m.param is not None)


@dataclass(frozen=True)
class Stream:
    framing: Framing
    terminator: str | None
    item_hint: str  # the type each event parses into
    item_module: str
    skip: tuple[str, ...] = ()  # event names the client drops (keep-alives)
    error_event: str | None = None  # named events: the event that carries a failure
    error_property: str | None = None  # data-only: a payload with this property is an error
    end_events: tuple[str, ...] = ()  # named events: a whole stream ends with one of these
    failure_events: tuple[str, ...] = ()  # named events: these end it in failure (StreamError)
    item_ref: str = ""  # module-qualified, as the client modules import it: "_messages.X"
    final_ref: str | None = None  # what the events add up to (x-sdk-stream accumulate.into)
    final_set_repr: str = "{}"  # fields of the final object with a fixed value
    final_method: str | None = None  # "get_final_message"

    @property
    def final_public(self) -> str:
        """The final class as users import it: ``messages.ChatResponse`` (not ``_messages.``)."""
        return (self.final_ref or "").removeprefix("_")


FORMAT_PROPERTY = "response_format"  # what parse() and a structured stream() fill
TOOLS_PROPERTY = "tools"  # what run_tools() fills from its Python functions


@dataclass(frozen=True)
class RequestParam:
    """One keyword parameter of a client method: a property of the request schema."""

    py_name: str
    wire_name: str
    type_hint: str  # what the caller may pass (models or plain mappings), module-qualified
    required: bool
    description: str

    @property
    def declaration(self) -> str:
        """``name: hint`` or ``name: hint | NotGiven = NOT_GIVEN``."""
        if self.required:
            return f"{self.py_name}: {self.type_hint}"
        return f"{self.py_name}: {not_given_hint(self.type_hint)} = NOT_GIVEN"


def not_given_hint(hint: str) -> str:
    """``hint | NotGiven``, with a ``None`` of ``hint`` kept last (``str | NotGiven | None``)."""
    if hint.endswith(" | None"):
        return f"{hint[: -len(' | None')]} | NotGiven | None"
    return f"{hint} | NotGiven"


@dataclass(frozen=True)
class OperationParam(RequestParam):
    """A path, query or header parameter of an operation (vendor documents declare them)."""


@dataclass(frozen=True)
class AccumulateRules:
    """The x-sdk-accumulate rules of one generated class, as runtime expressions."""

    module: str
    class_ref: str  # "_messages.TextDelta"
    fields: tuple[tuple[str, str], ...]  # (wire name, FieldRule(...) expression)
    options: str  # the other ClassRule(...) keyword arguments, "" when none
    source: str


@dataclass(frozen=True)
class Operation:
    operation_id: str
    resource: str  # "chat.completions"
    method: str  # "create"
    http_method: str
    path: str
    summary: str
    description: str
    module: str
    request_class: str
    response_class: str
    error_class: str | None
    stream: Stream | None
    security: tuple[str, ...]  # "bearer" | "header:x-api-key"
    source: str
    # What the client templates print, computed by the build steps:
    const_name: str = ""  # "CREATE_MESSAGE", the OperationSpec in chatsdk._operations
    request_ref: str = ""  # module-qualified classes: "_messages.ChatRequest"
    response_ref: str = ""
    error_ref: str | None = None
    params: tuple[RequestParam, ...] = ()  # the request properties, "stream" excepted
    docstring: str = ""  # summary, description and one line per parameter
    stream_class: str | None = None  # "MessagesStream": the accumulating stream of .stream()
    stream_docstring: str = ""  # of the .stream() helper
    async_stream_docstring: str = ""  # of the async client's .stream() helper
    # Vendor documents (generator/vendor/): parameters outside the body, other encodings.
    path_params: tuple[OperationParam, ...] = ()  # "/threads/{thread_id}"
    query_params: tuple[OperationParam, ...] = ()
    header_params: tuple[OperationParam, ...] = ()
    sends_model: bool = True  # the body is the request class's wire form (JSON)
    body_encoding: BodyEncoding = "json"
    response_kind: ResponseKind = "json"  # any: untyped JSON
    # x-sdk-structured-output: the wire dialect of parse/run_tools and whether it is native
    structured_dialect: str | None = None
    structured_native: bool = True
    parse_docstring: str = ""  # of parse(), run_tools() and the structured stream()
    run_tools_docstring: str = ""

    @property
    def format_param(self) -> RequestParam | None:
        """The request property that ``parse`` and a structured ``stream`` fill with the
        format (``response_format``); ``None`` when the operation has no helpers."""
        if not self.structured_dialect:
            return None
        return next((p for p in self.params if p.wire_name == FORMAT_PROPERTY), None)

    @property
    def format_hint(self) -> str:
        """What ``parse`` takes as a format besides a model class: ``create``'s own
        ``response_format`` types, or a plain JSON Schema."""
        param = self.format_param
        plain = "Mapping[str, Any]"
        return f"{param.type_hint} | {plain}" if param is not None else plain

    @property
    def parse_params(self) -> tuple[RequestParam, ...]:
        """``create``'s keyword parameters that ``parse`` takes as they are."""
        return tuple(p for p in self.params if p is not self.format_param)

    @property
    def run_tools_params(self) -> tuple[RequestParam, ...]:
        """Those that ``run_tools`` takes as they are (its ``tools`` are functions)."""
        return tuple(p for p in self.parse_params if p.wire_name != TOOLS_PROPERTY)

    @property
    def parsed_stream_class(self) -> str | None:
        """``ParsedMessagesStream``: the structured ``stream``'s class, when it has one."""
        if self.stream_class is None or not self.structured_dialect:
            return None
        return f"Parsed{self.stream_class}"

    @property
    def spec_summary(self) -> str:
        """What the operation's spec says of it: summary, method, path and source."""
        return f"{self.summary}: {self.http_method} {self.path} ({self.source})."

    @property
    def listing(self) -> str:
        """Its line in the client module's list of methods: summary, then method and path."""
        return f"{self.summary} (``{self.http_method} {self.path}``)"

    @property
    def spec_expr(self) -> str:
        """The OperationSpec a call uses: its path filled in when it has parameters."""
        spec = f"_operations.{self.const_name}"
        if not self.path_params:
            return spec
        args = ", ".join(f"{p.wire_name!r}: {p.py_name}" for p in self.path_params)
        return f"{spec}.at({{{args}}})"

    @property
    def call_params(self) -> tuple[OperationParam, ...]:
        """The parameters outside the body, in the order a signature lists them."""
        return self.path_params + self.query_params + self.header_params


@dataclass(frozen=True)
class Resource:
    """A client attribute carrying operations and sub-resources (``client.chat.completions``)."""

    path: str  # "chat.completions"
    class_name: str  # "ChatCompletions"
    children: tuple[tuple[str, str], ...]  # (attribute, class name) of sub-resources
    operations: tuple[Operation, ...]

    @property
    def helpers(self) -> Operation | None:
        """The operation whose ``create`` the resource's ``parse``/``run_tools`` call."""
        return next((op for op in self.operations if op.structured_dialect), None)


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    generator_version: str
    modules: tuple[Module, ...]
    operations: tuple[Operation, ...]
    digest: str
    resources: tuple[Resource, ...] = ()  # every resource, sub-resources before their parents
    top_resources: tuple[tuple[str, str], ...] = ()  # (attribute, class name) on the client
    accumulators: tuple[AccumulateRules, ...] = ()
    # The vendor OpenAPI document a package was generated from ("openapi.yml"); "" for schemas/.
    source_document: str = ""
    title: str = ""  # the vendor document's info.title
    # What the package calls itself in what it reads and sends (templates/package/_constants.py):
    # environment variables <env_prefix>_API_KEY and <env_prefix>_BASE_URL, its base exception,
    # the retry-count header. The defaults are those of the package generated from schemas/.
    env_prefix: str = "CHATSDK"
    error_class: str = "ChatSDKError"
    retry_count_header: str = "X-Chatsdk-Retry-Count"
    default_base_url: str | None = None  # a vendor document's first absolute server URL
    no_base_url_reason: str = ""  # why there is no default, said when base_url is missing

    @property
    def description(self) -> str:
        """The distribution's one-line description (a vendor package's ``pyproject.toml``)."""
        return (
            f"Typed Python models and client for the {self.title}, generated by sdkforge "
            f"from {self.source_document}."
        )
