"""Small types shared by the client runtime: the "not given" sentinel and option aliases.

This module imports nothing heavy, so importing the package stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Final, Literal, Union

if TYPE_CHECKING:
    import httpx2
    from typing_extensions import Self

__all__ = [
    "NOT_GIVEN",
    "AsyncClosing",
    "Body",
    "Closing",
    "Headers",
    "NotGiven",
    "Query",
    "TimeoutTypes",
]


class NotGiven:
    """The type of :data:`NOT_GIVEN`: a keyword argument the caller did not pass.

    Distinct from ``None``, which is a value (JSON ``null``) a caller may want to send. A
    parameter left at ``NOT_GIVEN`` is not sent at all.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""Default of every optional keyword parameter: the field is left out of the request."""

Headers = Mapping[str, str]
Query = Mapping[str, object]
Body = Mapping[str, object]

# A float is a total limit in seconds for one attempt (connecting within at most 5 s of it);
# an ``httpx2.Timeout`` sets each phase exactly; None waits forever.
TimeoutTypes = Union[float, "httpx2.Timeout", None]


def given(value: object) -> bool:
    """Whether ``value`` was passed by the caller."""
    return not isinstance(value, NotGiven)


class Closing:
    """``with x:`` gives ``x`` and closes it when the block is left, however it is left."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClosing:
    """``async with x:`` gives ``x`` and closes it when the block is left, however it is left."""

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
