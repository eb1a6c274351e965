"""How an answer goes out: its chunks (one body, or stream events), the pauses between them,
and the faults that interrupt them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.types import Scope

from generator.serve.recording import Attempt
from generator.serve.resets import reset_connection

__all__ = ["Plan", "write"]


@dataclass
class Plan:
    """How a body goes out: its chunks, and the faults that interrupt it."""

    chunks: list[bytes]
    media_type: str
    stream: bool
    delay: float = 0.0
    stall_at: int | None = None
    stall_seconds: float = 0.0
    reset_after: int | None = None
    status: int = 200

    def recut(self, size: int) -> None:
        """Cut the whole body into writes of ``size`` bytes."""
        data = b"".join(self.chunks)
        self.chunks = [data[i : i + size] for i in range(0, len(data), size)]


async def write(plan: Plan, attempt: Attempt, scope: Scope) -> AsyncIterator[bytes]:
    """The chunks of ``plan`` as they go out, counted on ``attempt``."""
    sent = 0
    for index, chunk in enumerate(plan.chunks):
        if plan.stall_at == index:
            await asyncio.sleep(plan.stall_seconds)
        elif index and plan.delay:
            await asyncio.sleep(plan.delay)
        if plan.reset_after is not None and sent + len(chunk) >= plan.reset_after:
            part = chunk[: plan.reset_after - sent]
            if part:
                yield part
            await reset_connection(scope)
            return
        yield chunk
        sent += len(chunk)
        attempt.chunks_sent += 1
    attempt.completed = True
