"""What ``parse``, ``run_tools`` and a structured ``stream`` run, on a resource whose
``create`` speaks a known wire dialect.

A resource class of the client takes :class:`SyncHelpers` (or :class:`AsyncHelpers`) as a
base, parameterised by its response type, and names its dialect (``messages`` or ``chat``)
and whether the family has a native structured-output mode. The public methods are
generated on the resource with ``create``'s keyword parameters (so a misspelt or mistyped
argument is a type error); each gathers its arguments into a dict and calls the private
method here, which calls ``create`` (or opens the stream) as many times as needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar, cast

from ._parse import ParseSession, parse_async, parse_sync
from ._structured import ParsedResponse, StructuredMode, dialect_named
from ._structured_stream import StreamFormat
from ._tool_runner import FunctionTool, ToolRunResult, ToolSession, Turn, run_async, run_sync
from ._types import NotGiven

__all__ = [
    "DEFAULT_MAX_OUTPUT_RETRIES",
    "DEFAULT_MAX_TURNS",
    "AsyncHelpers",
    "SyncHelpers",
]

_R = TypeVar("_R")

DEFAULT_MAX_OUTPUT_RETRIES = 1
DEFAULT_MAX_TURNS = 10

Tools = Sequence[Callable[..., Any] | FunctionTool]


def _given(params: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments the caller gave (``NOT_GIVEN`` ones left out, as ``create`` would)."""
    return {k: v for k, v in params.items() if not isinstance(v, NotGiven)}


class _Helpers(Generic[_R]):
    _sdk_dialect: ClassVar[str] = ""
    _sdk_native: ClassVar[bool] = True

    def _parse_session(
        self, spec: Any, mode: StructuredMode, retries: int, params: Mapping[str, Any]
    ) -> ParseSession[Any, _R]:
        dialect = dialect_named(self._sdk_dialect)
        return ParseSession(dialect, spec, mode, self._sdk_native, retries, _given(params))

    def _tool_session(
        self,
        tools: Tools,
        max_turns: int,
        on_turn: Callable[[Turn[_R]], object] | None,
        structured: tuple[Any, StructuredMode, int] | None,
        params: Mapping[str, Any],
    ) -> ToolSession[_R]:
        session = None if structured is None else self._parse_session(*structured, params)
        dialect = dialect_named(self._sdk_dialect)
        return ToolSession(dialect, tools, max_turns, on_turn, _given(params), session)

    def _stream_format(
        self, response_format: Any, structured_output: StructuredMode | NotGiven
    ) -> StreamFormat | None:
        """How a ``stream`` call asks for structured output; ``None`` for a plain stream
        (no model class as ``response_format`` and no ``structured_output``)."""
        if isinstance(structured_output, NotGiven):
            if not isinstance(response_format, type):
                return None
            structured_output = "auto"
        dialect = dialect_named(self._sdk_dialect)
        return StreamFormat(dialect, response_format, structured_output, self._sdk_native)


def _structured(
    response_format: Any, mode: StructuredMode, retries: int
) -> tuple[Any, StructuredMode, int] | None:
    return None if isinstance(response_format, NotGiven) else (response_format, mode, retries)


class SyncHelpers(_Helpers[_R]):
    """``parse`` (structured output, validated and re-asked), ``run_tools`` (the loop) and
    the structured ``stream``, for the blocking client."""

    def _parse(
        self,
        response_format: Any,
        structured_output: StructuredMode,
        max_output_retries: int,
        params: Mapping[str, Any],
    ) -> ParsedResponse[Any, _R]:
        session = self._parse_session(
            response_format, structured_output, max_output_retries, params
        )
        return parse_sync(cast("Any", self).create, session)

    def _run_tools(
        self,
        tools: Tools,
        max_turns: int,
        on_turn: Callable[[Turn[_R]], object] | None,
        response_format: Any,
        structured_output: StructuredMode,
        max_output_retries: int,
        params: Mapping[str, Any],
    ) -> ToolRunResult[_R]:
        structured = _structured(response_format, structured_output, max_output_retries)
        session = self._tool_session(tools, max_turns, on_turn, structured, params)
        return run_sync(cast("Any", self).create, session)


class AsyncHelpers(_Helpers[_R]):
    """The same for the async client; tool calls of one turn run concurrently (sync
    functions in worker threads)."""

    async def _parse(
        self,
        response_format: Any,
        structured_output: StructuredMode,
        max_output_retries: int,
        params: Mapping[str, Any],
    ) -> ParsedResponse[Any, _R]:
        session = self._parse_session(
            response_format, structured_output, max_output_retries, params
        )
        return await parse_async(cast("Any", self).create, session)

    async def _run_tools(
        self,
        tools: Tools,
        max_turns: int,
        on_turn: Callable[[Turn[_R]], object] | None,
        response_format: Any,
        structured_output: StructuredMode,
        max_output_retries: int,
        params: Mapping[str, Any],
    ) -> ToolRunResult[_R]:
        structured = _structured(response_format, structured_output, max_output_retries)
        session = self._tool_session(tools, max_turns, on_turn, structured, params)
        return await run_async(cast("Any", self).create, session)
