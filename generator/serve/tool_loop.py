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
from dataclasses import dataclass
from typing import Any

from generator.core.errors import join_pointer
from generator.serve.operations import Operation

__all__ = ["TOOL_LOOP", "ToolLoop", "ToolLoopError", "first_difference"]

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


@dataclass(frozen=True)
class _Family:
    """Where a family keeps its tool calls, tool results and tool names."""

    prefix: str

    def calls(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def turn(self, answer: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def results(self, messages: list[Any]) -> tuple[int, list[str]]:
        """(index of the first message with results, the call ids answered), or (-1, [])."""
        raise NotImplementedError

    def tool_name(self, tool: Any) -> str | None:
        raise NotImplementedError

    def rename(self, call: dict[str, Any], name: str) -> None:
        raise NotImplementedError


class _Chat(_Family):
    def calls(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        message = answer["choices"][0]["message"]
        calls: list[dict[str, Any]] = message.get("tool_calls") or []
        return calls

    def turn(self, answer: dict[str, Any]) -> dict[str, Any]:
        turn: dict[str, Any] = answer["choices"][0]["message"]
        return turn

    def results(self, messages: list[Any]) -> tuple[int, list[str]]:
        start = len(messages)
        while (
            start
            and isinstance(messages[start - 1], dict)
            and messages[start - 1].get("role") == "tool"
        ):
            start -= 1
        ids = [m.get("tool_call_id", "") for m in messages[start:]]
        return (start, ids) if ids else (-1, [])

    def tool_name(self, tool: Any) -> str | None:
        name = ((tool or {}).get("function") or {}).get("name")
        return name if isinstance(name, str) else None

    def rename(self, call: dict[str, Any], name: str) -> None:
        call["function"]["name"] = name


class _Messages(_Family):
    def calls(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [b for b in answer["content"] if b.get("type") == "tool_use"]

    def turn(self, answer: dict[str, Any]) -> dict[str, Any]:
        return {"role": "assistant", "content": answer["content"]}

    def results(self, messages: list[Any]) -> tuple[int, list[str]]:
        last = messages[-1] if messages else None
        content = last.get("content") if isinstance(last, dict) else None
        if not isinstance(content, list):
            return -1, []
        ids = [b.get("tool_use_id", "") for b in content if b.get("type") == "tool_result"]
        return (len(messages) - 1, ids) if ids else (-1, [])

    def tool_name(self, tool: Any) -> str | None:
        name = (tool or {}).get("name")
        return name if isinstance(name, str) else None

    def rename(self, call: dict[str, Any], name: str) -> None:
        call["name"] = name


_FAMILIES: dict[str, _Family] = {
    "chat.completions": _Chat(prefix="call_"),
    "messages": _Messages(prefix="toolu_"),
}


class ToolLoop:
    """The assistant turns the server sent with tool calls, by call id."""

    def __init__(self) -> None:
        self._sent: OrderedDict[str, tuple[dict[str, Any], frozenset[str]]] = OrderedDict()

    def answer(self, op: Operation, body: dict[str, Any], example: int | None) -> dict[str, Any]:
        """The answer to ``body``: a tool call, or the final answer once results came back."""
        family = _FAMILIES.get(op.resource)
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
        self, op: Operation, family: _Family, body: dict[str, Any], example: int | None
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
        ids = []
        for call in family.calls(answer):
            call["id"] = f"{family.prefix}{uuid.uuid4().hex[:24]}"
            family.rename(call, name)
            ids.append(call["id"])
        turn = copy.deepcopy(family.turn(answer))
        for call_id in ids:
            self._sent[call_id] = (turn, frozenset(ids))
            self._sent.move_to_end(call_id)
        while len(self._sent) > _KEPT:
            self._sent.popitem(last=False)
        return answer

    def _check(self, family: _Family, messages: list[Any], start: int, answered: list[str]) -> None:
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
