"""Conversations that go round: with ``x-sdkforge-scenario: tool-loop`` the server answers a
request with a tool call, then, once the tool results come back, with a final answer.

Both answers are examples of the response schema: the tool call is the first example that
calls a tool (or the one ``x-sdkforge-example`` names), renamed to the request's first tool and
given fresh call ids; the final answer is the first example that calls none. The server keeps
the assistant turn it sent under each call id, and a request that answers those calls must
carry that turn back exactly as it was sent (the whole message, ``null``s included), every call
answered; anything else is refused with 400 and the JSON pointer where the turn differs.
"""

from __future__ import annotations

import copy
import uuid
from collections import OrderedDict
from typing import Any

from generator.core.errors import join_pointer
from generator.serve.families import FAMILIES, Family
from generator.serve.operations import Operation

__all__ = ["TOOL_LOOP", "ToolLoop", "ToolLoopError", "first_difference", "new_call_id"]

TOOL_LOOP = "tool-loop"
_KEPT = 4096  # assistant turns remembered, oldest forgotten first


class ToolLoopError(LookupError):
    """A request the tool loop cannot answer (answered with 400)."""


def first_difference(sent: Any, received: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first place ``received`` differs from ``sent``, or None."""
    if isinstance(sent, dict) and isinstance(received, dict):
        for key in sorted(set(sent) | set(received)):
            if key not in sent or key not in received:
                return join_pointer(pointer, key)
            found = first_difference(sent[key], received[key], join_pointer(pointer, key))
            if found is not None:
                return found
        return None
    if isinstance(sent, list) and isinstance(received, list):
        for index, (a, b) in enumerate(zip(sent, received, strict=False)):
            found = first_difference(a, b, join_pointer(pointer, str(index)))
            if found is not None:
                return found
        if len(sent) != len(received):
            return join_pointer(pointer, str(min(len(sent), len(received))))
        return None
    same = type(sent) is type(received) and sent == received
    return None if same else (pointer or "/")


def new_call_id(family: Family) -> str:
    return f"{family.prefix}{uuid.uuid4().hex[:24]}"


class ToolLoop:
    """The assistant turns the server sent with tool calls, by call id."""

    def __init__(self) -> None:
        self._sent: OrderedDict[str, tuple[dict[str, Any], frozenset[str]]] = OrderedDict()

    def answer(self, op: Operation, body: dict[str, Any], example: int | None) -> dict[str, Any]:
        """The answer to ``body``: a tool call, or the final answer once results came back."""
        family = FAMILIES.get(op.resource)
        if family is None:
            raise ToolLoopError(f"{op.operation_id} has no tool calls to loop over")
        messages = body.get("messages") or []
        start, answered = family.results(messages)
        if start < 0:
            return self._call(op, family, body, example)
        self._check(family, messages, start, answered)
        finals = [e for e in op.examples if not family.calls(e)]
        if not finals:
            raise ToolLoopError(f"{op.operation_id}: no response example without a tool call")
        return copy.deepcopy(finals[0])

    def _call(
        self, op: Operation, family: Family, body: dict[str, Any], example: int | None
    ) -> dict[str, Any]:
        tools = body.get("tools") or []
        name = family.tool_name(tools[0]) if tools else None
        if name is None:
            raise ToolLoopError("a tool loop needs the request to define a tool")
        calling = [i for i, e in enumerate(op.examples) if family.calls(e)]
        index = calling[0] if example is None and calling else example
        if index is None or index not in calling:
            raise ToolLoopError(
                f"{op.operation_id}: response example {index} calls no tool"
                f" (the examples that do: {calling})"
            )
        answer = copy.deepcopy(op.examples[index])
        for call in family.calls(answer):
            call["id"] = new_call_id(family)
            family.rename(call, name)
        self.remember(family, answer)
        return answer

    def remember(self, family: Family, answer: dict[str, Any]) -> None:
        """Keep the assistant turn of ``answer`` under each of its call ids."""
        ids = [call["id"] for call in family.calls(answer)]
        turn = copy.deepcopy(family.turn(answer))
        for call_id in ids:
            self._sent[call_id] = (turn, frozenset(ids))
            self._sent.move_to_end(call_id)
        while len(self._sent) > _KEPT:
            self._sent.popitem(last=False)

    def calls(self, op: Operation, family: Family, calls: list[tuple[str, Any]]) -> dict[str, Any]:
        """An answer making ``calls`` (tool name, input), with fresh ids: the first response
        example that calls a tool, its calls replaced."""
        templates = [e for e in op.examples if family.calls(e)]
        if not templates:
            raise ToolLoopError(f"{op.operation_id}: no response example calls a tool")
        made = [(new_call_id(family), name, value) for name, value in calls]
        answer = family.with_calls(templates[0], made)
        self.remember(family, answer)
        return answer

    def turns_taken(self, family: Family, messages: list[Any]) -> int:
        """How many of this server's tool-calling turns ``messages`` carries back. Each must be
        exactly as it was sent, and trailing tool results must answer every call of theirs."""
        start, answered = family.results(messages)
        if start >= 0:
            self._check(family, messages, start, answered)
        taken = 0
        for index, message in enumerate(messages):
            ids = family.turn_calls(message)
            if not ids or ids[0] not in self._sent:
                continue
            found = first_difference(self._sent[ids[0]][0], message)
            if found is not None:
                where = join_pointer("/messages", str(index))
                pointer = where if found == "/" else where + found
                raise ToolLoopError(
                    f"{pointer}: the assistant turn differs from the one this server sent"
                )
            taken += 1
        return taken

    def _check(self, family: Family, messages: list[Any], start: int, answered: list[str]) -> None:
        unknown = [i for i in answered if i not in self._sent]
        if unknown:
            raise ToolLoopError(
                f"a tool result answers {unknown[0]!r}, a call this server did not make"
            )
        turn, ids = self._sent[answered[0]]
        missing = sorted(ids - set(answered))
        if missing:
            raise ToolLoopError(f"no tool result for call {missing[0]!r}")
        received = messages[start - 1] if start > 0 else None
        where = join_pointer("/messages", str(start - 1))
        if received is None:
            raise ToolLoopError(
                "the assistant turn with the tool calls is missing before the results"
            )
        found = first_difference(turn, received)
        if found is not None:
            pointer = where if found == "/" else where + found
            raise ToolLoopError(
                f"{pointer}: the assistant turn differs from the one this server sent"
            )
