"""``parse`` and ``run_tools`` on a resource whose ``create`` speaks a known wire dialect.

A resource class of the client takes :class:`SyncHelpers` (or :class:`AsyncHelpers`) as a
base, parameterised by its response type, and names its dialect (``messages`` or ``chat``)
and whether the family has a native structured-output mode. Both methods take ``create``'s
keyword arguments and call ``create`` as many times as needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar, cast, overload

import pydantic

from ._structured import (
    ParsedResponse,
    ParseSession,
    StructuredMode,
    dialect_named,
    parse_async,
    parse_sync,
)
from ._tool_runner import FunctionTool, ToolRunResult, ToolSession, Turn, run_async, run_sync

__all__ = ["AsyncHelpers", "SyncHelpers"]

_R = TypeVar("_R")
_M = TypeVar("_M", bound=pydantic.BaseModel)

DEFAULT_MAX_OUTPUT_RETRIES = 1
DEFAULT_MAX_TURNS = 10


class _Helpers(Generic[_R]):
    _sdk_dialect: ClassVar[str] = ""
    _sdk_native: ClassVar[bool] = True

    def _parse_session(
        self, spec: Any, mode: StructuredMode, retries: int, params: Mapping[str, Any]
    ) -> ParseSession[Any, _R]:
        dialect = dialect_named(self._sdk_dialect)
        return ParseSession(dialect, spec, mode, self._sdk_native, retries, params)

    def _tool_session(
        self,
        tools: Sequence[Callable[..., Any] | FunctionTool],
        max_turns: int,
        on_turn: Callable[[Turn[_R]], object] | None,
        params: Mapping[str, Any],
    ) -> ToolSession[_R]:
        return ToolSession(dialect_named(self._sdk_dialect), tools, max_turns, on_turn, params)


class SyncHelpers(_Helpers[_R]):
    """``parse`` (structured output, validated and re-asked) and ``run_tools`` (the loop)."""

    @overload
    def parse(
        self,
        *,
        response_format: type[_M],
        structured_output: StructuredMode = "auto",
        max_output_retries: int = DEFAULT_MAX_OUTPUT_RETRIES,
        **params: Any,
    ) -> ParsedResponse[_M, _R]: ...

    @overload
    def parse(
        self,
        *,
        response_format: Mapping[str, Any] | pydantic.BaseModel,
        structured_output: StructuredMode = "auto",
        max_output_retries: int = DEFAULT_MAX_OUTPUT_RETRIES,
        **params: Any,
    ) -> ParsedResponse[Any, _R]: ...

    def parse(
        self,
        *,
        response_format: Any,
        structured_output: StructuredMode = "auto",
        max_output_retries: int = DEFAULT_MAX_OUTPUT_RETRIES,
        **params: Any,
    ) -> ParsedResponse[Any, _R]:
        """``create``, asking for an answer matching ``response_format`` (a pydantic model
        class, a ``{name, schema}`` or ``json_schema`` format, or a JSON Schema) and returning
        it validated as ``parsed``; ``None`` with ``refusal`` when the model refuses.

        ``structured_output``: ``native`` sends the format as the family's
        ``response_format``, ``tool`` forces one tool named after the format whose input is
        the answer, ``auto`` is native where the family has a native mode. An answer that
        does not validate is re-asked with its errors up to ``max_output_retries`` times
        (1), then :class:`OutputValidationError` is raised. Other keyword arguments go to
        ``create``.
        """
        session = self._parse_session(
            response_format, structured_output, max_output_retries, params
        )
        return parse_sync(cast("Any", self).create, session)

    def run_tools(
        self,
        *,
        tools: Sequence[Callable[..., Any] | FunctionTool],
        max_turns: int = DEFAULT_MAX_TURNS,
        on_turn: Callable[[Turn[_R]], object] | None = None,
        **params: Any,
    ) -> ToolRunResult[_R]:
        """``create`` in a loop with Python functions as ``tools``: every tool call of an
        answer is run and its result sent back, until an answer calls none (the result's
        ``response``). ``on_turn`` sees each turn as it completes; after ``max_turns``
        answers that still call tools, :class:`MaxTurnsExceededError` is raised. Other
        keyword arguments go to ``create``.
        """
        session = self._tool_session(tools, max_turns, on_turn, params)
        return run_sync(cast("Any", self).create, session)


class AsyncHelpers(_Helpers[_R]):
    """``parse`` and ``run_tools`` of the async client; tool calls of one turn run
    concurrently (sync functions in worker threads)."""

    @overload
    async def parse(
        self,
        *,
        response_format: type[_M],
        structured_output: StructuredMode = "auto",
        max_output_retries: int = DEFAULT_MAX_OUTPUT_RETRIES,
        **params: Any,
    ) -> ParsedResponse[_M, _R]: ...

    @overload
    async def parse(
        self,
        *,
        response_format: Mapping[str, Any] | pydantic.BaseModel,
        structured_output: StructuredMode = "auto",
        max_output_retries: int = DEFAULT_MAX_OUTPUT_RETRIES,
        **params: Any,
    ) -> ParsedResponse[Any, _R]: ...

    async def parse(
        self,
        *,
        response_format: Any,
        structured_output: StructuredMode = "auto",
        max_output_retries: int = DEFAULT_MAX_OUTPUT_RETRIES,
        **params: Any,
    ) -> ParsedResponse[Any, _R]:
        """The async ``parse``; see :meth:`SyncHelpers.parse`."""
        session = self._parse_session(
            response_format, structured_output, max_output_retries, params
        )
        return await parse_async(cast("Any", self).create, session)

    async def run_tools(
        self,
        *,
        tools: Sequence[Callable[..., Any] | FunctionTool],
        max_turns: int = DEFAULT_MAX_TURNS,
        on_turn: Callable[[Turn[_R]], object] | None = None,
        **params: Any,
    ) -> ToolRunResult[_R]:
        """The async ``run_tools``; see :meth:`SyncHelpers.run_tools`."""
        session = self._tool_session(tools, max_turns, on_turn, params)
        return await run_async(cast("Any", self).create, session)
