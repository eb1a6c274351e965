"""One ``parse``: the request asking for a format, each answer judged, the re-ask with the
errors named, and the typed error once the re-asks are spent (see :mod:`._structured` for
the formats and the wire dialects)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from ._errors import OutputValidationError
from ._structured import (
    Attempt,
    Dialect,
    InvalidOutput,
    OutputFormat,
    OutputIssue,
    ParsedResponse,
    Reading,
    StructuredMode,
    output_format,
    sum_usage,
)

__all__ = ["ParseSession", "parse_async", "parse_sync", "retry_text", "to_plain"]

_T = TypeVar("_T")
_R = TypeVar("_R")


def to_plain(response: Any) -> Mapping[str, Any]:
    """A response model's wire form (plain dicts pass through)."""
    if isinstance(response, dict):
        return cast("dict[str, Any]", response)
    return cast("Mapping[str, Any]", response.to_dict())


class ParseSession(Generic[_T, _R]):
    """The state of one ``parse``: what to send next, and what each answer means.

    The sync and async helpers drive it: ``request()`` gives the keyword arguments of the
    next ``create``; ``take(response)`` gives the result, or ``None`` to ask again, or
    raises :class:`OutputValidationError` when the retries are spent.
    """

    def __init__(
        self,
        dialect: Dialect,
        spec: Any,
        mode: StructuredMode,
        native: bool,
        max_output_retries: int,
        params: Mapping[str, Any],
    ) -> None:
        if max_output_retries < 0:
            raise ValueError("max_output_retries must be 0 or more")
        if params.get("stream"):
            raise TypeError("parse() does not stream; leave stream out")
        if mode not in ("native", "tool", "auto"):
            raise ValueError(f"structured_output must be native, tool or auto, not {mode!r}")
        self.dialect = dialect
        self.format: OutputFormat[_T] = output_format(spec)
        self.tool = mode == "tool" or (mode == "auto" and not native)
        self.retries = max_output_retries
        self.params = dict(params)
        self.messages = list(self.params.pop("messages", ()))
        self.dialect.ask(self.format, self.tool, self.params)
        self.attempts: list[Attempt] = []
        self.responses: list[_R] = []

    def request(self) -> dict[str, Any]:
        return {**self.params, "messages": list(self.messages)}

    def _result(self, parsed: _T | None, refusal: str | None) -> ParsedResponse[_T, _R]:
        usage = sum_usage([getattr(r, "usage", None) for r in self.responses])
        return ParsedResponse(
            parsed, self.responses[-1], refusal, self.attempts, self.responses, usage
        )

    def judge(self, data: Mapping[str, Any]) -> tuple[Reading, Any, tuple[OutputIssue, ...]]:
        """What an answer (wire form) says: its reading, the validated value (``None`` on a
        refusal or a mismatch) and the issues (empty unless it did not validate). The
        attempt is noted."""
        reading = self.dialect.read(data, self.format, self.tool)
        if reading.refusal is not None:
            self.attempts.append(Attempt(reading.raw))
            return reading, None, ()
        try:
            if not reading.answered:
                raise InvalidOutput([OutputIssue("", reading.missing or "no answer")])
            parsed = self.format.validate(reading.value)
        except InvalidOutput as exc:
            self.attempts.append(Attempt(reading.raw, exc.issues))
            return reading, None, exc.issues
        self.attempts.append(Attempt(reading.raw))
        return reading, parsed, ()

    @property
    def spent(self) -> bool:
        """Whether the re-asks are used up (after a failed attempt)."""
        return len(self.attempts) > self.retries

    def take(self, response: _R) -> ParsedResponse[_T, _R] | None:
        self.responses.append(response)
        data = to_plain(response)
        reading, parsed, issues = self.judge(data)
        if reading.refusal is not None:
            return self._result(None, reading.refusal)
        if issues:
            if self.spent:
                raise self.error() from None
            self.messages.extend(self.dialect.retry_turns(data, reading, retry_text(issues)))
            return None
        return self._result(parsed, None)

    def error(self, responses: Sequence[Any] | None = None) -> OutputValidationError:
        """The error once the re-asks are spent; ``responses`` (default: the answers
        judged) are those the usage is summed over."""
        last = self.attempts[-1]
        every = list(self.responses if responses is None else responses)
        usage = sum_usage([getattr(r, "usage", None) for r in every])
        return OutputValidationError(
            f"the answer did not match {self.format.name} after {len(self.attempts)} "
            f"attempt(s): " + "; ".join(map(str, last.issues)),
            attempts=list(self.attempts),
            responses=every,
            usage=usage,
        )


def retry_text(issues: Sequence[OutputIssue]) -> str:
    """The follow-up turn's text: each issue and where it is."""
    lines = "\n".join(f"- {issue}" for issue in issues)
    return (
        "Your answer does not match the required JSON Schema:\n"
        f"{lines}\n"
        "Answer again with JSON that matches the schema exactly."
    )


def parse_sync(create: Callable[..., _R], session: ParseSession[_T, _R]) -> ParsedResponse[_T, _R]:
    while True:
        done = session.take(create(**session.request()))
        if done is not None:
            return done


async def parse_async(
    create: Callable[..., Any], session: ParseSession[_T, _R]
) -> ParsedResponse[_T, _R]:
    while True:
        done = session.take(await create(**session.request()))
        if done is not None:
            return done
