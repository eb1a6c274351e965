"""Schema errors as values: each carries the file, the JSON pointer and, where known, the line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SchemaError:
    """One problem found in the schemas, located precisely enough to jump to."""

    file: str
    pointer: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.pointer or '/'}: {self.message}"


class SchemaErrors(Exception):
    """Raised at the end of a phase that found problems; holds all of them in file and line order."""

    def __init__(self, errors: list[SchemaError]) -> None:
        self.errors = sorted(set(errors), key=lambda e: (e.file, e.line or 0, e.pointer, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape_token(str(t)) for t in tokens)
