"""The sessions the server holds: server-side history, turn counts and context compaction."""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

__all__ = ["Session", "Sessions", "session_answer"]


@dataclass
class Session:
    turns: int = 0
    estimated_tokens: int = 0


class Sessions:
    """The sessions by id (bounded, oldest dropped first)."""

    MAX_SESSIONS = 10_000

    def __init__(self) -> None:
        self._by_id: OrderedDict[str, Session] = OrderedDict()
        self._ids = itertools.count(1)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._by_id

    def new_id(self) -> str:
        return f"sess_{next(self._ids):06d}"

    def get(self, session_id: str) -> Session:
        """The session ``session_id``, started if new."""
        found = self._by_id.setdefault(session_id, Session())
        if len(self._by_id) > self.MAX_SESSIONS:
            self._by_id.popitem(last=False)
        return found


def session_answer(
    sessions: Sessions, example: dict[str, Any], body: dict[str, Any], session_id: str
) -> dict[str, Any]:
    """The example reply placed in the session: its id, the turn count, the context estimate;
    with ``auto_compact``, the history is compacted once it outgrows ``max_tokens``."""
    answer = copy.deepcopy(example)
    session = sessions.get(session_id)
    usage = answer.get("response", {}).get("usage") or {}
    session.turns += 1
    session.estimated_tokens += int(usage.get("input_tokens", 0)) + int(
        usage.get("output_tokens", 0)
    )
    config = body.get("context_config") or {}
    context: dict[str, Any] = {"turn_count": session.turns, "compacted": False}
    limit = config.get("max_tokens")
    if config.get("auto_compact") and limit is not None and session.estimated_tokens > limit:
        session.estimated_tokens = min(limit, int(usage.get("output_tokens", 0)) * 4)
        context["compacted"] = True
        context["compaction_note"] = f"Summarised {session.turns - 1} earlier turns."
    context["estimated_tokens"] = session.estimated_tokens
    answer["session_id"] = session_id
    answer["context"] = context
    return answer
