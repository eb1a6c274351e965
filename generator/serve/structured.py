"""Answers that follow the request: structured output, forced tools, scripted tool calls and
refusals (chat completions and messages).

* A request whose ``response_format`` carries a JSON Schema (messages: ``{name, schema,
  strict}``; chat: ``{"type": "json_schema", "json_schema": {..., "schema": ...}}``, or
  ``json_object``) is answered with text that is the minimal instance of that schema
  (:mod:`generator.serve.instances`).
* A request whose ``tool_choice`` forces a tool is answered with one call of that tool whose
  input is the minimal instance of the tool's input schema; one whose ``tool_choice`` makes
  the model call some tool (messages ``any``, chat ``required``), once nothing scripted is
  left, likewise with the request's first tool.
* ``x-sdkforge-tool-calls`` scripts the tool calls of a loop, turn by turn (see
  :func:`parse_plan`): each turn's calls, then, once every turn has had its tool results, the
  final answer (structured, when the request asks for a format). The turn is told by how many
  of the server's tool-calling turns the conversation carries back, each checked to be
  exactly as sent (the rule of :mod:`generator.serve.tool_loop`).
* ``x-sdkforge-fault: invalid-output`` answers an instance that fails the schema (its first
  property of the wrong type); ``x-sdkforge-fault: refusal`` refuses (chat: ``message.refusal``;
  messages: ``stop_reason: refusal`` with the ``stop_details`` example of the response schema).
  With ``times=N`` only the first N answers of a conversation are affected: the attempt is
  counted by how many of the server's structured answers the conversation carries back, so a
  re-ask (the answer sent back with the errors) is the next attempt, and a retry of the same
  request is not.

Every answer is built from the response schema's examples (the first without a tool call for
text and refusals, the first with one for tool calls), only the text, the calls or the stop
reason replaced, and is checked against the response schema before it goes out.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import OrderedDict
from typing import Any

from generator.serve.families import FAMILIES, Family
from generator.serve.faults import Fault
from generator.serve.headers import TOOL_CALLS_HEADER
from generator.serve.instances import instance, invalid_instance
from generator.serve.operations import Operation, first_violation
from generator.serve.tool_loop import ToolLoop

__all__ = [
    "OUTPUT_FAULTS",
    "Planned",
    "Structured",
    "StructuredError",
    "answer_kinds",
    "parse_plan",
]

OUTPUT_FAULTS = frozenset({"invalid-output", "refusal"})
_KEPT = 4096  # structured answers remembered, oldest forgotten first

Planned = list[list[tuple[str, Any]]]  # per turn: (tool name, input or None for an instance)


class StructuredError(LookupError):
    """A request the structured answers cannot serve (answered with 400)."""


def parse_plan(text: str) -> Planned:
    """The ``x-sdkforge-tool-calls`` header: turns separated by ``;``, the tool names of a
    turn by ``,`` (``get_weather, get_time; get_weather``), each called with the minimal
    instance of its input schema; or JSON, a list of turns, each a list of tool names or
    ``{"name": ..., "input": {...}}`` objects giving the input."""
    text = text.strip()
    if not text.startswith("["):
        names = [[name.strip() for name in turn.split(",")] for turn in text.split(";")]
        if any(not name for turn in names for name in turn):
            raise StructuredError(f"{TOOL_CALLS_HEADER}: an empty tool name in {text!r}")
        return [[(name, None) for name in turn] for turn in names]
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StructuredError(f"{TOOL_CALLS_HEADER}: not JSON: {exc}") from None
    if not isinstance(data, list) or not data:
        raise StructuredError(f"{TOOL_CALLS_HEADER}: a JSON list of turns is needed")
    plan: Planned = []
    for turn in data:
        if not isinstance(turn, list) or not turn:
            raise StructuredError(f"{TOOL_CALLS_HEADER}: each turn is a non-empty list of calls")
        plan.append([_planned_call(call) for call in turn])
    return plan


def _planned_call(call: Any) -> tuple[str, Any]:
    if isinstance(call, str) and call:
        return call, None
    if isinstance(call, dict) and isinstance(call.get("name"), str):
        extra = set(call) - {"name", "input"}
        if not extra:
            return call["name"], call.get("input")
    raise StructuredError(
        f'{TOOL_CALLS_HEADER}: a call is a tool name or {{"name": ..., "input": ...}},'
        f" not {json.dumps(call)}"
    )


def answer_kinds(op: Operation) -> list[tuple[str, dict[str, Any]]]:
    """One answer of each kind this module makes for ``op`` (a text, a refusal, two tool
    calls), labelled, so that the server can check their stream events when it starts."""
    family = FAMILIES.get(op.resource)
    if family is None:
        return []
    finals = [e for e in op.examples if not family.calls(e)]
    calling = [e for e in op.examples if family.calls(e)]
    out: list[tuple[str, dict[str, Any]]] = []
    if finals:
        details = op.response_examples(*family.refusal_path)
        out.append(("a structured answer", family.with_text(finals[0], '{"city": "city"}')))
        out.append(("a refusal", family.refused(finals[0], details[0] if details else None)))
    if calling:
        calls = [(f"{family.prefix}1", "a", {"city": "city"}), (f"{family.prefix}2", "b", {})]
        out.append(("scripted tool calls", family.with_calls(calling[0], calls)))
    return out


def _digest(turn: Any) -> str:
    data = json.dumps(turn, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


class Structured:
    """The structured answers sent (to count a conversation's attempts), and the tool loop
    whose turns the scripted calls are."""

    def __init__(self, tool_loop: ToolLoop) -> None:
        self.tool_loop = tool_loop
        self._sent: OrderedDict[str, None] = OrderedDict()

    def answer(
        self, op: Operation, body: dict[str, Any], plan_text: str | None, fault: Fault | None
    ) -> dict[str, Any] | None:
        """The answer to ``body``, or None when nothing here applies (the plain example then
        answers)."""
        output_fault = fault if fault is not None and fault.kind in OUTPUT_FAULTS else None
        family = FAMILIES.get(op.resource)
        if family is None:
            if plan_text is not None or output_fault is not None:
                raise StructuredError(
                    f"{op.operation_id} has neither tool calls nor structured output to script"
                )
            return None
        messages = body.get("messages") or []
        attempt = 1 + sum(1 for m in messages if _digest(m) in self._sent)
        active = output_fault if output_fault and output_fault.active(attempt) else None
        if active is not None and active.kind == "refusal":
            details = op.response_examples(*family.refusal_path)
            answer = family.refused(self._final(op, family), details[0] if details else None)
            return self._send(op, family, answer)
        invalid = active is not None
        forced = family.forced(body)
        if forced is not None:
            value = self._value(self._tool(family, body, forced), invalid)
            return self._send(op, family, self.tool_loop.calls(op, family, [(forced, value)]))
        plan = parse_plan(plan_text) if plan_text is not None else None
        if plan is not None:
            for name, _ in (call for turn in plan for call in turn):
                self._tool(family, body, name)  # the whole script is checked on every turn
            taken = self.tool_loop.turns_taken(family, messages)
            if taken < len(plan):
                calls = [
                    (name, self._value(self._tool(family, body, name), False) if v is None else v)
                    for name, v in plan[taken]
                ]
                return self._check(op, self.tool_loop.calls(op, family, calls))
        if family.must_call(body) and family.tools(body):
            # "some tool, whichever": the first, as a forced one (run_tools puts a format's first)
            first = next(iter(family.tools(body)))
            value = self._value(self._tool(family, body, first), invalid)
            return self._send(op, family, self.tool_loop.calls(op, family, [(first, value)]))
        schema = family.output_schema(body)
        if schema is not None:
            text = json.dumps(self._value(schema, invalid), ensure_ascii=False)
            return self._send(op, family, family.with_text(self._final(op, family), text))
        if invalid:
            raise StructuredError(
                "invalid-output needs a request with a response_format or a forced tool"
            )
        return self._check(op, copy.deepcopy(self._final(op, family))) if plan else None

    @staticmethod
    def _value(schema: Any, invalid: bool) -> Any:
        if not isinstance(schema, dict):
            raise StructuredError(f"the requested schema is not a JSON object: {schema!r}")
        return invalid_instance(schema)[0] if invalid else instance(schema)

    @staticmethod
    def _tool(family: Family, body: dict[str, Any], name: str) -> Any:
        tools = family.tools(body)
        if name not in tools:
            known = ", ".join(tools) or "none"
            raise StructuredError(
                f"a call of {name!r} was asked for, a tool the request does not define"
                f" (its tools: {known})"
            )
        return tools[name]

    @staticmethod
    def _final(op: Operation, family: Family) -> dict[str, Any]:
        finals = [e for e in op.examples if not family.calls(e)]
        if not finals:
            raise StructuredError(f"{op.operation_id}: no response example without a tool call")
        return finals[0]

    def _send(self, op: Operation, family: Family, answer: dict[str, Any]) -> dict[str, Any]:
        """``answer``, remembered as a structured answer of the conversation."""
        self._sent[_digest(family.turn(answer))] = None
        while len(self._sent) > _KEPT:
            self._sent.popitem(last=False)
        return self._check(op, answer)

    @staticmethod
    def _check(op: Operation, answer: dict[str, Any]) -> dict[str, Any]:
        if op.response is not None:
            found = first_violation(op.response, answer)
            if found is not None:
                raise AssertionError(
                    f"{op.operation_id}: the answer made is invalid at {found[0] or '/'}: {found[1]}"
                )
        return answer
