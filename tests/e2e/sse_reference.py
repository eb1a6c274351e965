"""A deliberately plain reading of a whole SSE body, line by line, to judge the SDK's decoder.

It follows the WHATWG event-stream rules on a complete body: decode as UTF-8, cut lines at
CRLF, CR or LF, dispatch at blank lines, and (like the SDK, for recorded bodies without a
final blank line) dispatch a pending event at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    data: str
    event: str | None
    id: str | None
    retry: int | None


def parse(body: bytes) -> list[Event]:
    text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
    events: list[Event] = []
    name: str | None = None
    data: list[str] = []
    has_data = False
    last_id: str | None = None
    retry: int | None = None
    for line in re.split(r"\r\n|\r|\n", text):
        if line == "":
            if has_data:
                events.append(Event("\n".join(data), name or None, last_id, retry))
            name, data, has_data, retry = None, [], False, None
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
            has_data = True
        elif field == "event":
            name = value
        elif field == "id" and "\x00" not in value:
            last_id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    if has_data:
        events.append(Event("\n".join(data), name or None, last_id, retry))
    return events
