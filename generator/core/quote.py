"""The one way a schema-derived string enters generated code, one function per context.

Schemas are untrusted input: a description, a property name, a title or a path may hold
quotes, triple quotes, backslashes, newlines, NUL and other control characters. Each context
a string can land in has exactly one function here, and nothing else writes schema text into
a generated file:

- :func:`py_str`: a Python string literal whose value is the text exactly (any character).
- :func:`docstring`: the body of a ``\"\"\"`` docstring, readable, that cannot end early.
- :func:`toml_str`: a TOML string (the generated ``pyproject.toml``).
- :func:`comment`: one line of a ``#`` comment or a header, control characters escaped.

The templates reach these as the ``pystr``, ``docstring`` and ``comment`` filters
(generator/core/render.py); IR fields that are code (names, type hints) are built from
:mod:`generator.core.naming` and checked there.
"""

from __future__ import annotations

import json

__all__ = ["comment", "docstring", "escape_unprintable", "py_str", "toml_str"]


def py_str(text: str) -> str:
    """A string literal that evaluates to ``text``; ``repr`` escapes every unsafe character."""
    return repr(str(text))


def escape_unprintable(text: str, keep: str = "") -> str:
    """``text`` with every character that is not printable written as its escape sequence.

    Printable means :meth:`str.isprintable` (so NUL, CR, form feed, U+2028 and the other line
    and paragraph separators are escaped); characters in ``keep`` stay as they are.
    """
    if text.isprintable() and not keep:
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch in keep:
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def docstring(text: str, indent: int = 4) -> str:
    """The inside of a triple-quoted docstring showing ``text``; lines indented by ``indent``.

    Backslashes are doubled and every ``\"`` of a run of three is escaped, so neither an escape
    sequence nor a closing quote can be formed; control characters appear as their escapes
    (``\\x00``), tabs and newlines as themselves. A trailing quote gets a space so the
    closing ``\"\"\"`` stays three quotes.
    """
    text = str(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    text = escape_unprintable(text.replace("\r\n", "\n"), keep="\n\t")
    if text.endswith('"'):
        text += " "
    pad = " " * indent
    lines = text.split("\n")
    return "\n".join([lines[0]] + [(pad + line) if line.strip() else "" for line in lines[1:]])


def toml_str(text: str) -> str:
    """A TOML basic string of ``text`` (JSON's string escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def comment(text: str) -> str:
    """One line of a comment: newlines and every other control character escaped."""
    return escape_unprintable(str(text))
