"""The tool loop: Python functions as tools, called for the model until it answers.

A function becomes a tool (:func:`function_tool`): its name, its docstring's first
paragraph as description, and an input schema from its type hints (through a pydantic
model of its parameters, which also validates the model's arguments). The loop sends the
conversation, runs every tool call of the answer (concurrently when the functions are
async), sends the results back (``is_error`` with the exception's message when a function
raises) and stops at the first answer without tool calls, or raises
:class:`MaxTurnsExceededError` after ``max_turns`` answers that still call tools.

With a ``response_format`` the final answer is structured output, checked as ``parse``
checks it (:class:`~._structured.ParseSession`): natively, the answer without tool calls is
the JSON; in tool mode the format is one more tool and the model must call some tool, so the
answer that calls the format's is the final one (other calls of that turn are not run). An
answer that does not validate is re-asked with its errors, up to ``max_output_retries`` times,
then :class:`OutputValidationError` is raised; the result is a :class:`ParsedToolRunResult`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio
import pydantic
import pydantic_core

from ._errors import MaxTurnsExceededError
from ._parse import ParseSession, retry_text, to_plain
from ._structured import Attempt, Dialect, Reading, sum_usage

__all__ = [
    "FunctionTool",
    "ParsedToolRunResult",
    "ToolCallResult",
    "ToolRunResult",
    "Turn",
    "function_tool",
]

_R = TypeVar("_R")
_M = TypeVar("_M")


@dataclass(frozen=True)
class FunctionTool:
    """A Python function the model may call: its wire name, description and input schema."""

    function: Callable[..., Any]
    name: str
    description: str
    schema: dict[str, Any]
    arguments: type[pydantic.BaseModel]

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function)

    def _kwargs(self, arguments: Any) -> dict[str, Any]:
        if not isinstance(arguments, Mapping):
            raise TypeError(f"the arguments of {self.name} are not a JSON object: {arguments!r}")
        model = self.arguments.model_validate(arguments)
        return {name: getattr(model, name) for name in type(model).model_fields}

    def call(self, arguments: Any) -> Any:
        return self.function(**self._kwargs(arguments))

    async def acall(self, arguments: Any) -> Any:
        result = self.function(**self._kwargs(arguments))
        if inspect.isawaitable(result):
            result = await result
        return result


def function_tool(
    function: Callable[..., Any] | FunctionTool,
    *,
    name: str | None = None,
    description: str | None = None,
) -> FunctionTool:
    """``function`` as a tool; ``name`` and ``description`` default to the function's name
    and its docstring's first paragraph. Every parameter needs a type hint."""
    if isinstance(function, FunctionTool):
        return function
    tool_name = name or function.__name__
    hints = typing.get_type_hints(function)
    fields: dict[str, Any] = {}
    for param in inspect.signature(function).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {tool_name}: *args and **kwargs cannot be described")
        if param.name not in hints:
            raise TypeError(f"tool {tool_name}: parameter {param.name!r} has no type hint")
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (hints[param.name], default)
    config = pydantic.ConfigDict(extra="forbid")
    model = pydantic.create_model(f"{tool_name}_arguments", __config__=config, **fields)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    doc = inspect.getdoc(function) or ""
    text = description or doc.split("\n\n", 1)[0].replace("\n", " ").strip() or tool_name
    return FunctionTool(function, tool_name, text, schema, model)


@dataclass(frozen=True)
class ToolCallResult:
    """One tool call of a turn and what running it gave."""

    id: str
    name: str
    arguments: Any
    content: str
    """The function's return value as sent back (a string as is, anything else as JSON),
    or the exception's message."""
    is_error: bool = False
    error: BaseException | None = None


@dataclass(frozen=True)
class Turn(Generic[_R]):
    """One answer of the loop and the tool calls it made (none on the final answer)."""

    index: int
    response: _R
    calls: list[ToolCallResult]


@dataclass
class ToolRunResult(Generic[_R]):
    """The loop's outcome: the final response, every turn, the whole transcript (the
    messages sent, then the final assistant turn) and the usage summed over all turns."""

    response: _R
    turns: list[Turn[_R]]
    messages: list[Any]
    usage: Any = None


@dataclass
class ParsedToolRunResult(ToolRunResult[_R], Generic[_M, _R]):
    """The loop's outcome with a ``response_format``: also the final answer validated as
    ``parsed`` (an instance of the model class), or ``None`` with ``refusal``."""

    parsed: _M | None = None
    """The validated final answer; ``None`` on a refusal."""
    refusal: str | None = None
    """The model's reason when it refused; ``None`` otherwise."""
    attempts: list[Attempt] = field(default_factory=lambda: [])
    """Every final answer in order, with the issues that caused each re-ask."""


def _content(value: Any) -> str:
    if isinstance(value, str):
        return value
    return pydantic_core.to_json(value).decode()


def _unknown(name: str) -> KeyError:
    return KeyError(f"no tool named {name!r}")


class ToolSession(Generic[_R]):
    """The state of one ``run_tools``; the sync and async helpers drive it."""

    def __init__(
        self,
        dialect: Dialect,
        tools: Sequence[Callable[..., Any] | FunctionTool],
        max_turns: int,
        on_turn: Callable[[Turn[_R]], Any] | None,
        params: Mapping[str, Any],
        structured: ParseSession[Any, _R] | None = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be 1 or more")
        if params.get("stream"):
            raise TypeError("run_tools() does not stream; leave stream out")
        self.dialect = dialect
        self.tools = {t.name: t for t in map(function_tool, tools)}
        self.max_turns = max_turns
        self.on_turn = on_turn
        self.structured = structured
        if structured is None:
            self.params = dict(params)
            self.messages = list(self.params.pop("messages", ()))
        else:  # the format is already asked for in the session's request
            self.params, self.messages = structured.params, structured.messages
            if structured.tool and "tool_choice" not in params:
                dialect.any_tool(self.params)
        self._verdict: tuple[Reading, Any, tuple[Any, ...]] | None = None
        self.params["tools"] = [
            *self.params.get("tools", ()),
            *(dialect.tool_param(t.name, t.description, t.schema) for t in self.tools.values()),
        ]
        self.turns: list[Turn[_R]] = []

    def request(self) -> dict[str, Any]:
        return {**self.params, "messages": list(self.messages)}

    def calls(self, response: _R) -> tuple[Mapping[str, Any], list[tuple[str, str, Any]]]:
        """The answer's wire form and the tool calls to run (with a format: none once the
        answer is final, and never the format's own call)."""
        data = to_plain(response)
        calls = self.dialect.tool_calls(data)
        self._verdict = None
        fmt = self.structured
        if fmt is None:
            return data, calls
        if fmt.tool:
            final = not calls or any(name == fmt.format.name for _, name, _ in calls)
            calls = [c for c in calls if c[1] != fmt.format.name]
        else:
            final = not calls
        if final:
            fmt.responses.append(response)
            self._verdict = fmt.judge(data)
            if not self._verdict[2]:
                return data, []  # valid, or a refusal: nothing more to run
        return data, calls

    def tool(self, name: str) -> FunctionTool:
        tool = self.tools.get(name)
        if tool is None:
            raise _unknown(name)
        return tool

    def record(
        self, response: _R, data: Mapping[str, Any], results: list[ToolCallResult]
    ) -> ToolRunResult[_R] | None:
        """Note a turn; the result when it was the final answer, else ``None`` (with the
        assistant turn and the results added to the conversation)."""
        turn = Turn(len(self.turns), response, results)
        self.turns.append(turn)
        if self.on_turn is not None:
            self.on_turn(turn)
        usage = sum_usage([getattr(t.response, "usage", None) for t in self.turns])
        if self._verdict is not None:
            return self._final(response, data, results, usage)
        self.messages.append(self.dialect.assistant_turn(data))
        if not results:
            return ToolRunResult(response, self.turns, self.messages, usage)
        if len(self.turns) >= self.max_turns:
            raise MaxTurnsExceededError(
                f"the model still called tools after {self.max_turns} turn(s)",
                turns=self.turns,
                messages=self.messages,
                usage=usage,
            )
        answers = [(r.id, r.content, r.is_error) for r in results]
        self.messages.extend(self.dialect.result_turns(answers))
        return None

    def _final(
        self, response: _R, data: Mapping[str, Any], results: list[ToolCallResult], usage: Any
    ) -> ParsedToolRunResult[Any, _R] | None:
        """A final answer judged: the result, or ``None`` with the re-ask added (the
        other calls' results beside it), or the error once the re-asks are spent."""
        assert self._verdict is not None and self.structured is not None
        reading, parsed, issues = self._verdict
        fmt = self.structured
        if not issues:
            self.messages.append(self.dialect.assistant_turn(data))
            result: ParsedToolRunResult[Any, _R] = ParsedToolRunResult(
                response, self.turns, self.messages, usage, parsed, reading.refusal
            )
            result.attempts = fmt.attempts
            return result
        if fmt.spent:
            raise fmt.error([t.response for t in self.turns]) from None
        text = retry_text(issues)
        if reading.call_id is None:
            self.messages.extend(self.dialect.retry_turns(data, reading, text))
        else:
            self.messages.append(self.dialect.assistant_turn(data))
            answers = [(r.id, r.content, r.is_error) for r in results]
            answers.append((reading.call_id, text, True))
            self.messages.extend(self.dialect.result_turns(answers))
        return None


def _failed(call_id: str, name: str, arguments: Any, exc: BaseException) -> ToolCallResult:
    message = str(exc) or type(exc).__name__
    return ToolCallResult(call_id, name, arguments, message, True, exc)


def _run_one(session: ToolSession[Any], call: tuple[str, str, Any]) -> ToolCallResult:
    call_id, name, arguments = call
    try:
        tool = session.tool(name)
        if tool.is_async:
            raise TypeError(f"tool {name} is async: use the async client")
        value = tool.call(arguments)
    except Exception as exc:
        return _failed(call_id, name, arguments, exc)
    return ToolCallResult(call_id, name, arguments, _content(value))


async def _arun_one(session: ToolSession[Any], call: tuple[str, str, Any]) -> ToolCallResult:
    call_id, name, arguments = call
    try:
        tool = session.tool(name)
        if tool.is_async:
            value = await tool.acall(arguments)
        else:
            value = await anyio.to_thread.run_sync(tool.call, arguments)
    except Exception as exc:
        return _failed(call_id, name, arguments, exc)
    return ToolCallResult(call_id, name, arguments, _content(value))


async def _arun_all(
    session: ToolSession[Any], calls: list[tuple[str, str, Any]]
) -> list[ToolCallResult]:
    """Every call of a turn, concurrently; the results in the calls' order."""
    results: list[ToolCallResult | None] = [None] * len(calls)

    async def run(index: int, call: tuple[str, str, Any]) -> None:
        results[index] = await _arun_one(session, call)

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(run, index, call)
    return [r for r in results if r is not None]


def run_sync(create: Callable[..., _R], session: ToolSession[_R]) -> ToolRunResult[_R]:
    while True:
        response = create(**session.request())
        data, calls = session.calls(response)
        done = session.record(response, data, [_run_one(session, c) for c in calls])
        if done is not None:
            return done


async def run_async(
    create: Callable[..., Awaitable[_R]], session: ToolSession[_R]
) -> ToolRunResult[_R]:
    while True:
        response = await create(**session.request())
        data, calls = session.calls(response)
        results = await _arun_all(session, calls)
        done = session.record(response, data, results)
        if done is not None:
            return done
