"""Fault injection: the ``x-sdkforge-fault`` header, read into a :class:`Fault`, and what each
fault does to an answer."""

from __future__ import annotations

import asyncio
import copy
import email.utils
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.requests import Request

from generator.serve.events import frame
from generator.serve.operations import Operation
from generator.serve.plans import Plan

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "FaultSyntaxError",
    "cut_json",
    "damage",
    "error_page",
    "sleep_unless_gone",
]

FAULT_KINDS = (
    "reset",
    "stall",
    "malformed",
    "error-event",
    "non-json",
    "truncate",
    "invalid-output",
    "refusal",
)
_FAULT_PARAMS = {
    "status": ("times", "retry-after-ms", "retry-after", "retry-after-date"),
    "reset": ("times", "bytes"),
    "stall": ("times", "seconds", "after"),
    "malformed": ("times", "after"),
    "error-event": ("times", "after", "echo"),
    "truncate": ("times", "after"),
    "non-json": ("times", "status", "retry-after-ms", "retry-after", "retry-after-date"),
    "invalid-output": ("times",),
    "refusal": ("times",),
}


class FaultSyntaxError(ValueError):
    """The fault header cannot be understood; the server answers 400 rather than guess."""


@dataclass(frozen=True)
class Fault:
    """A fault chosen by the ``x-sdkforge-fault`` header.

    * ``<status>`` (e.g. ``429``, ``503``): the family's error body with that status; with
      ``retry-after-ms=N``, ``retry-after=S`` (delta seconds) or ``retry-after-date=S`` (an HTTP
      date S seconds ahead, rounded up to the next whole second).
    * ``reset``: the connection is reset (TCP RST) without an answer; with ``bytes=N``, after N
      bytes of the body.
    * ``stall; seconds=S``: nothing is sent for S seconds (default 30); with ``after=K``, after
      K events of a stream, or halfway through a body.
    * ``malformed``: a stream event whose JSON is cut off (``after=K``, default 1); without a
      stream, a body whose JSON is cut off.
    * ``error-event``: after K events (``after=K``, default 1) the family's error event ends the
      stream; without a stream, a 500 error body.
    * ``non-json``: a text/html error page (``status=N``, default 500).
    * ``invalid-output``: the structured answer (the text asked for by ``response_format``, or
      the forced tool's input) is an instance that fails the schema; ``refusal``: the model
      refuses. Both count attempts per conversation; see :mod:`generator.serve.structured`.

    ``times=N`` limits the fault to the first N attempts of a call.
    """

    kind: str  # "status" or one of FAULT_KINDS
    status: int = 0
    params: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Fault:
        head, *rest = (part.strip() for part in text.split(";"))
        if head.isdigit():
            kind, status = "status", int(head)
            if not 400 <= status <= 599:
                raise FaultSyntaxError(f"fault status {status} is not an error status")
        elif head in FAULT_KINDS:
            kind, status = head, 500 if head in ("non-json", "error-event") else 0
        else:
            raise FaultSyntaxError(
                f"unknown fault {head!r}: use a status code or one of {', '.join(FAULT_KINDS)}"
            )
        params: dict[str, float] = {}
        for item in rest:
            if not item:
                continue
            name, sep, value = (s.strip() for s in item.partition("="))
            if not sep or name not in _FAULT_PARAMS[kind]:
                raise FaultSyntaxError(
                    f"fault {head!r} takes {', '.join(_FAULT_PARAMS[kind])}; got {item!r}"
                )
            try:
                number = float(value)
            except ValueError:
                raise FaultSyntaxError(  # noqa: B904 - the message says it all
                    f"fault parameter {name} needs a number, got {value!r}"
                )
            if number < 0 or math.isinf(number) or math.isnan(number):
                raise FaultSyntaxError(f"fault parameter {name} must be a finite number >= 0")
            params[name] = number
        if kind == "non-json" and "status" in params:
            status = int(params["status"])
        return cls(kind, status, params)

    def active(self, attempt: int) -> bool:
        """Whether this attempt (1-based) fails; ``times`` limits the fault to the first ones."""
        times = self.params.get("times")
        return times is None or attempt <= times

    def int_param(self, name: str, default: int) -> int:
        return int(self.params.get(name, default))

    def retry_after_headers(self) -> dict[str, str]:
        headers = {}
        if "retry-after-ms" in self.params:
            headers["retry-after-ms"] = str(self.int_param("retry-after-ms", 0))
        if "retry-after" in self.params:
            headers["retry-after"] = str(self.int_param("retry-after", 0))
        if "retry-after-date" in self.params:
            when = math.ceil(time.time()) + self.params["retry-after-date"]
            headers["retry-after"] = email.utils.formatdate(math.ceil(when), usegmt=True)
        return headers


def error_page(status: int) -> str:
    """The HTML page of the ``non-json`` fault, longer than any excerpt a client shows."""
    return (
        f"<html><head><title>{status} Server Error</title></head>\n<body>"
        f"<h1>{status} Server Error</h1>\n<p>The upstream server failed.</p>\n"
        + "<!-- padding so the page is longer than any excerpt -->\n" * 20
        + "</body></html>\n"
    )


def damage(op: Operation, plan: Plan, fault: Fault, request_id: str, credential: str = "") -> None:
    """Faults that damage the answer on its way out. ``credential`` is the secret the request
    carried, which ``error-event; echo=1`` quotes back, as careless servers do."""
    after = fault.int_param("after", 1)
    if fault.kind == "reset":
        plan.reset_after = fault.int_param("bytes", 0)
    elif fault.kind == "stall":
        if not plan.stream:  # a body is one write: stall halfway through it
            whole = b"".join(plan.chunks)
            plan.chunks, after = [whole[: len(whole) // 2], whole[len(whole) // 2 :]], 1
        plan.stall_at, plan.stall_seconds = after, fault.params.get("seconds", 30.0)
    elif fault.kind == "malformed":
        if plan.stream:
            at = min(after, len(plan.chunks) - 1)
            plan.chunks[at] = cut_json(plan.chunks[at])
        else:
            plan.chunks = [cut_json(b"".join(plan.chunks))]
    elif fault.kind == "truncate":
        if plan.stream:  # a clean end of the body before the stream's terminal event
            plan.chunks = plan.chunks[:after]
        else:
            whole = b"".join(plan.chunks)
            plan.chunks = [whole[: len(whole) // 2]]
    elif fault.kind == "error-event":
        echo = f" for key {credential}" if fault.params.get("echo") and credential else ""
        if plan.stream and op.stream is not None:
            payload = copy.deepcopy(op.stream.error_event) or op.errors.body(
                500, f"injected error event{echo}", request_id
            )
            detail = payload.get("error")
            if echo and op.stream.error_event and isinstance(detail, dict):
                detail["message"] = f"{detail.get('message', '')}{echo}"
            plan.chunks = [*plan.chunks[:after], frame(op.stream, payload)]
        else:
            message = f"injected error: the model failed mid-answer{echo}"
            plan.chunks = [json.dumps(op.errors.body(500, message, request_id)).encode()]
            plan.media_type, plan.status = "application/json", 500


def cut_json(chunk: bytes) -> bytes:
    """The chunk with its JSON cut in half (framing kept), so it cannot be parsed."""
    text = chunk.decode("utf-8")
    start = text.find("{")
    if start < 0:
        return b"data: {\n\n"
    end = text.rfind("}")
    cut = start + max(1, (end - start) // 2)
    tail = "\n\n" if text.endswith("\n\n") else ""
    return (text[:cut] + tail).encode("utf-8")


async def sleep_unless_gone(request: Request, seconds: float) -> None:
    """Wait ``seconds``, or until the client has gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
