"""The round-trip tests' IR: what generated/tests checks, schema by schema.

Built by :mod:`generator.roundtrip.cases` from the core's classification of the schemas, and
rendered by :mod:`generator.roundtrip.render` into ``generated/tests``; the core IR
(:mod:`generator.core.ir`) knows nothing of it. Kinds are ``Literal`` types, and what a
template branches on is a boolean property here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from generator.core.index import SchemaKind

__all__ = [
    "Expect",
    "Injection",
    "Mutation",
    "MutationOp",
    "RoundTrip",
    "SchemaCheck",
    "SchemaKind",
    "Side",
    "StreamExample",
    "Unknown",
]

MutationOp = Literal["remove", "set", "rename"]
Expect = Literal["reject", "lenient", "accept"]
Unknown = Literal["field", "value", "variant"]
Side = Literal["request", "response", "both"]


@dataclass(frozen=True)
class Mutation:
    """An instance the schema rejects, made from one of its examples, and what the model does.

    ``expect`` is ``reject`` (the model raises, as the schema does) or ``lenient`` (the model
    accepts it on purpose, e.g. an unknown enum value on the response side; ``reason`` says why).
    """

    case: str  # the test id's tail: "drop-required:model"
    description: str  # "without the required property 'model'"
    example: int  # index of the example it is made from
    pointer: str  # JSON pointer inside the example; "" is the example itself
    op: MutationOp  # "rename": the property at pointer moves to the name in value
    value: Any  # the value set (JSON data), or the new name; None for "remove"
    expect: Expect  # "accept": an acceptance, the schema takes it too
    reason: str  # why the model accepts what the schema rejects; "" otherwise

    @property
    def has_value(self) -> bool:
        """Whether the case sets a value (or a new name); a removal has none."""
        return self.op != "remove"

    @property
    def is_lenient(self) -> bool:
        """Whether the model accepts on purpose what the schema rejects."""
        return self.expect == "lenient"


@dataclass(frozen=True)
class Injection:
    """Something from a newer server (an unknown field, enum value or variant) put into an example."""

    case: str  # "unknown-variant:content"
    description: str
    example: int
    pointer: str  # where the new value is set (or the property renamed)
    value: Any  # the value set, or the new name of the renamed property
    unknown: Unknown  # how the parsed model shows it
    where: str  # JSON pointer of the unknown thing in the parsed value
    type_ref: str  # value: its OpenEnum ("messages.StopReason"); variant: the Unknown… class
    op: Literal["set", "rename"] = "set"  # rename: the property moves to the name in value

    @property
    def is_rename(self) -> bool:
        return self.op == "rename"


@dataclass(frozen=True)
class SchemaCheck:
    """One component schema under the round-trip tests."""

    key: str  # "messages.ChatResponse": its entry in generated/tests/schemas.json
    module: str  # chatsdk module: "messages"
    class_name: str  # the generated class or alias: "ChatResponse"
    kind: SchemaKind
    side: Side  # reached by no operation: response
    lenient: bool  # parsed the response-side way: unknown values, variants and fields kept
    source: str  # schemas/<file>#<pointer>
    examples: int  # how many examples the schema has
    sends: dict[str, Any]  # x-sdk-send-default: properties written with their default when unset
    mutations: tuple[Mutation, ...]
    injections: tuple[Injection, ...]
    # Examples changed in a way the schema still accepts but a parser might not (an integer
    # written as 5.0): the model must take them and write back the same JSON.
    acceptances: tuple[Mutation, ...] = ()


@dataclass(frozen=True)
class StreamExample:
    """An example event stream of an operation and the non-streamed response it adds up to."""

    case: str  # "messages.createMessage:tool_use"
    module: str  # chatsdk module of the operation
    operation: str  # const name in chatsdk._operations: "CREATE_MESSAGE"
    final_key: str  # schema of the non-streamed response: "messages.ChatResponse"
    body: str  # the text/event-stream body
    final: Any  # the same-named application/json example; None when there is none


@dataclass(frozen=True)
class RoundTrip:
    """What the generated round-trip tests (generated/tests) check, schema by schema."""

    schemas: tuple[SchemaCheck, ...]
    streams: tuple[StreamExample, ...]
    # Every component schema as JSON Schema 2020-12, keyed like SchemaCheck.key, with each
    # $ref rewritten to "#/$defs/<key>": the tests need nothing from schemas/.
    defs: dict[str, Any]
