"""The reference server: a real HTTP server built from ``schemas/`` for end-to-end tests and demos.

Every operation of every OpenAPI document becomes a route. A request is validated against the
operation's request schema (JSON Schema 2020-12, references resolved through the spec's registry)
and rejected with 422 and the JSON pointer of the first violation, in the family's own error body
shape. A valid request is answered from the ``examples`` of the response schema; with
``"stream": true`` the same answer is cut into the family's stream events (each one validated
against the stream item schema when the server starts) and sent with the framing the operation's
``x-sdk-stream`` declares.

Tests steer the server with request headers; none of them changes a successful answer's content:

``x-sdkforge-fault``
    ``<kind>[; name=value]…``: a status code (``429``, ``503``, …) answered with the family's error
    body, or one of ``reset``, ``stall``, ``malformed``, ``error-event``, ``non-json``; see
    :class:`Fault`. ``times=N`` fails only the first N attempts (counted per key, below).
``x-sdkforge-key``
    Groups attempts for counting; without it the ``Idempotency-Key`` header is used, so a client
    that reuses its key across retries is counted as one call. ``GET /_sdkforge/requests/{key}``
    shows every attempt seen for a key; each response carries ``x-sdkforge-attempt``.
``x-sdkforge-example``
    Which example of the response schema answers (default 0).
``x-sdkforge-replay``
    A file under the fixtures folder (``tests/fixtures/real`` by default) served verbatim: an
    ``.sse`` file as an event stream, a ``.json`` file as the body.
``x-sdkforge-event-delay-ms`` / ``x-sdkforge-chunk-bytes``
    Pause between stream events; re-cut the body into writes of this many bytes.

Every response carries ``x-request-id`` (the request's own, or a new one), which is also the
``request_id`` of error bodies whose schema has one.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import itertools
import json
import math
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from generator.core.errors import join_pointer
from generator.core.load import Document, Spec, lookup
from generator.core.operations import iter_operations, security_of

if TYPE_CHECKING:
    import uvicorn

FAULT_HEADER = "x-sdkforge-fault"
KEY_HEADER = "x-sdkforge-key"
EXAMPLE_HEADER = "x-sdkforge-example"
REPLAY_HEADER = "x-sdkforge-replay"
DELAY_HEADER = "x-sdkforge-event-delay-ms"
CHUNK_HEADER = "x-sdkforge-chunk-bytes"
ATTEMPT_HEADER = "x-sdkforge-attempt"
REQUEST_ID_HEADER = "x-request-id"
DEBUG_PREFIX = "/_sdkforge"

# The error `type` a status gets, where the family's schema allows it (else "api_error").
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "request_too_large",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
    502: "overloaded_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}

# --- faults ------------------------------------------------------------------------------

FAULT_KINDS = ("reset", "stall", "malformed", "error-event", "non-json")
_FAULT_PARAMS = {
    "status": ("times", "retry-after-ms", "retry-after", "retry-after-date"),
    "reset": ("times", "bytes"),
    "stall": ("times", "seconds", "after"),
    "malformed": ("times", "after"),
    "error-event": ("times", "after"),
    "non-json": ("times", "status", "retry-after-ms", "retry-after", "retry-after-date"),
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


# --- the operations, read from the schemas --------------------------------------------------


@dataclass(frozen=True)
class ErrorShape:
    """The family's error body: its schema and an example to fill in."""

    validator: Draft202012Validator
    template: dict[str, Any]
    has_request_id: bool
    detail_keys: frozenset[str]

    def body(
        self, status: int, message: str, request_id: str, *, param: str | None = None
    ) -> dict[str, Any]:
        preferred = _ERROR_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        for error_type in (preferred, "api_error"):
            body = copy.deepcopy(self.template)
            detail: dict[str, Any] = {"message": message, "type": error_type}
            if "param" in self.detail_keys:
                detail["param"] = param
            if "code" in self.detail_keys:
                detail["code"] = None
            body["error"] = detail
            if self.has_request_id:
                body["request_id"] = request_id
            if self.validator.is_valid(body):
                return body
        raise AssertionError(f"no error body of the schema fits status {status}")


@dataclass(frozen=True)
class Stream:
    framing: str  # "data-only" | "named-events"
    terminator: str | None
    validator: Draft202012Validator
    error_event: dict[str, Any] | None  # the union's "error" variant example, if it has one


@dataclass(frozen=True)
class Operation:
    """One route: what the server checks and how it answers."""

    operation_id: str
    resource: str
    http_method: str
    path: str
    request: Draft202012Validator
    examples: tuple[dict[str, Any], ...]
    stream: Stream | None
    errors: ErrorShape
    security: tuple[str, ...]  # "bearer" | "header:<name>"


def _validator(spec: Spec, doc: Document, ref: str) -> Draft202012Validator:
    target, pointer = spec.resolve_ref(doc, ref)
    return Draft202012Validator({"$ref": f"{target.uri}#{pointer}"}, registry=spec.registry)


def _schema(spec: Spec, doc: Document, ref: str) -> tuple[Document, dict[str, Any]]:
    target, pointer = spec.resolve_ref(doc, ref)
    node = lookup(target.data, pointer)
    assert isinstance(node, dict), f"{ref} is not a schema"
    return target, node


def _error_event(spec: Spec, doc: Document, item: dict[str, Any]) -> dict[str, Any] | None:
    mapping = (item.get("discriminator") or {}).get("mapping") or {}
    ref = mapping.get("error")
    if ref is None:
        return None
    _, variant = _schema(spec, doc, ref)
    examples = variant.get("examples") or []
    return dict(examples[0]) if examples else None


def read_operations(spec: Spec) -> list[Operation]:
    """Every operation of the OpenAPI documents in ``spec``."""
    out = []
    for doc in spec.documents.values():
        if not doc.is_openapi:
            continue
        for path, method, op in iter_operations(doc.data):
            out.append(_read_operation(spec, doc, path, method, op))
    return out


def _read_operation(
    spec: Spec,
    doc: Document,
    path: str,
    method: str,
    op: dict[str, Any],
) -> Operation:
    request_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    examples: list[dict[str, Any]] = []
    stream = None
    error_ref = None
    for status, response in sorted((op.get("responses") or {}).items()):
        content = response.get("content") or {}
        if str(status).startswith("2"):
            json_ref = content["application/json"]["schema"]["$ref"]
            examples = list(_schema(spec, doc, json_ref)[1].get("examples") or [])
            media = content.get("text/event-stream")
            if media is not None:
                ext = media["x-sdk-stream"]
                item_doc, item = _schema(spec, doc, media["schema"]["$ref"])
                stream = Stream(
                    framing=ext["framing"],
                    terminator=ext.get("terminator"),
                    validator=_validator(spec, doc, media["schema"]["$ref"]),
                    error_event=_error_event(spec, item_doc, item),
                )
        elif error_ref is None and "application/json" in content:
            error_ref = content["application/json"]["schema"]["$ref"]
    if not examples:
        raise ValueError(f"{doc.path} {method.upper()} {path}: the response schema has no examples")
    if error_ref is None:
        raise ValueError(f"{doc.path} {method.upper()} {path}: no JSON error response")
    error_doc, error_schema = _schema(spec, doc, error_ref)
    error_props = error_schema.get("properties") or {}
    detail = error_props.get("error") or {}
    if "$ref" in detail:
        detail = _schema(spec, error_doc, detail["$ref"])[1]
    template = dict((error_schema.get("examples") or [{}])[0])
    template.pop("request_id", None)
    security = [credential.wire for credential in security_of(doc.data, op).credentials]
    return Operation(
        operation_id=op["operationId"],
        resource=op.get("x-sdk-resource", op["operationId"]),
        http_method=method.upper(),
        path=path,
        request=_validator(spec, doc, request_ref),
        examples=tuple(examples),
        stream=stream,
        errors=ErrorShape(
            validator=_validator(spec, doc, error_ref),
            template=template,
            has_request_id="request_id" in error_props,
            detail_keys=frozenset((detail.get("properties") or {}).keys()),
        ),
        security=tuple(security),
    )


def first_violation(validator: Draft202012Validator, instance: Any) -> tuple[str, str] | None:
    """(JSON pointer, message) of the most relevant violation, or None when ``instance`` is valid."""
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    return join_pointer("", *error.absolute_path), error.message


# --- stream events, cut from a complete answer ----------------------------------------------

_PIECE = re.compile(r"\s*\S+|\s+")


def text_pieces(text: str) -> list[str]:
    """Cut text into word-sized deltas the way models stream it (leading spaces kept)."""
    return _PIECE.findall(text) or [text]


def json_pieces(text: str, size: int = 12) -> list[str]:
    """Cut serialised JSON into fixed-size fragments, as tool arguments arrive."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def chat_completion_chunks(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A ``chat.completion`` as ``chat.completion.chunk``s: role, text and tool-call fragments,
    a finish reason per choice, then a usage-only chunk with no choices."""
    keys = ("id", "object", "created", "model", "service_tier", "system_fingerprint")
    base: dict[str, Any] = {k: answer[k] for k in keys if k in answer}
    base["object"] = "chat.completion.chunk"

    def chunk(index: int, delta: dict[str, Any], finish: Any = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice]}

    chunks = []
    for choice in answer["choices"]:
        index, message = choice["index"], choice["message"]
        texts = [k for k in ("content", "refusal", "reasoning_content") if k in message]
        first: dict[str, Any] = {"role": message.get("role", "assistant")}
        first.update({k: None if message[k] is None else "" for k in texts})
        chunks.append(chunk(index, first))
        for key in texts:
            if message[key]:
                chunks.extend(chunk(index, {key: piece}) for piece in text_pieces(message[key]))
        for position, call in enumerate(message.get("tool_calls") or []):
            head = {"index": position, "id": call["id"], "type": call.get("type", "function")}
            head["function"] = {"name": call["function"]["name"], "arguments": ""}
            chunks.append(chunk(index, {"tool_calls": [head]}))
            for piece in json_pieces(call["function"].get("arguments", "")):
                fragment = {"index": position, "function": {"arguments": piece}}
                chunks.append(chunk(index, {"tool_calls": [fragment]}))
        chunks.append(chunk(index, {}, choice.get("finish_reason")))
    if "usage" in answer:
        chunks.append({**base, "choices": [], "usage": answer["usage"]})
    return chunks


def message_events(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A message as named events: message_start, a ping, each block's start, deltas and stop,
    message_delta with the stop reason and output tokens, message_stop."""
    late = ("stop_reason", "stop_sequence", "stop_details", "container")
    start = {k: v for k, v in answer.items() if k not in late and k != "content"}
    start.update(content=[], stop_reason=None, stop_sequence=None)
    start["usage"] = {**answer["usage"], "output_tokens": 1}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}, {"type": "ping"}]
    for index, block in enumerate(answer["content"]):
        kind = block.get("type")
        deltas: list[dict[str, Any]] = []
        if kind == "text":
            opening = {**block, "text": ""}
            if block.get("citations"):
                opening["citations"] = []
                deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
            deltas += [{"type": "text_delta", "text": p} for p in text_pieces(block["text"])]
        elif kind == "thinking":
            opening = {**block, "thinking": "", "signature": ""}
            deltas += [
                {"type": "thinking_delta", "thinking": p} for p in text_pieces(block["thinking"])
            ]
            if "signature" in block:
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind in ("tool_use", "server_tool_use"):
            opening = {**block, "input": {}}
            serialised = json.dumps(block["input"], ensure_ascii=False)
            deltas += [
                {"type": "input_json_delta", "partial_json": p} for p in json_pieces(serialised)
            ]
        else:  # blocks that arrive whole
            opening = block
        events.append({"type": "content_block_start", "index": index, "content_block": opening})
        events += [{"type": "content_block_delta", "index": index, "delta": d} for d in deltas]
        events.append({"type": "content_block_stop", "index": index})
    delta = {k: answer[k] for k in late if k in answer}
    events.append(
        {
            "type": "message_delta",
            "delta": delta,
            "usage": {"output_tokens": answer["usage"]["output_tokens"]},
        }
    )
    events.append({"type": "message_stop"})
    return events


def session_events(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A session reply as session_start, content deltas and tool calls, then session_end with
    the whole reply and the context state."""
    events: list[dict[str, Any]] = [{"type": "session_start", "session_id": answer["session_id"]}]
    for index, block in enumerate(answer["response"]["content"]):
        kind = block.get("type")
        if kind in ("text", "thinking"):
            for piece in text_pieces(block[kind]):
                delta = {"type": f"{kind}_delta", kind: piece}
                events.append({"type": "content_delta", "index": index, "delta": delta})
        elif kind == "tool_use":
            events.append({"type": "tool_use", **{k: block[k] for k in ("id", "name", "input")}})
    events.append({"type": "session_end", **answer})
    return events


STREAM_BUILDERS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "chat.completions": chat_completion_chunks,
    "messages": message_events,
    "sessions": session_events,
}


def frame(stream: Stream, payload: Mapping[str, Any]) -> bytes:
    """One SSE event with the operation's framing."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if stream.framing == "named-events":
        return f"event: {payload.get('type', 'message')}\ndata: {data}\n\n".encode()
    return f"data: {data}\n\n".encode()


def stream_events(operation: Operation, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The events a stream of ``answer`` consists of (validated when the server starts)."""
    builder = STREAM_BUILDERS.get(operation.resource)
    if builder is None:  # an operation without a builder streams its item schema's own examples
        schema = operation.stream.validator.schema if operation.stream else {}
        return list(schema.get("examples") or [])
    return builder(answer)


# --- server state -----------------------------------------------------------------------------


@dataclass
class Attempt:
    """One request as the server saw it (shown by the debug endpoint)."""

    number: int
    method: str
    path: str
    query: str
    idempotency_key: str | None
    headers: dict[str, str]
    status: int = 0
    stream: bool = False
    chunks_sent: int = 0
    completed: bool = False


@dataclass
class Session:
    turns: int = 0
    estimated_tokens: int = 0


class State:
    """Attempts per key and the sessions the server holds (bounded, oldest dropped first)."""

    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self.attempts: OrderedDict[str, list[Attempt]] = OrderedDict()
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self._session_ids = itertools.count(1)

    def record(self, key: str | None, request: Request) -> Attempt:
        headers = {k.lower(): v for k, v in request.headers.items()}
        idempotency_key = headers.get("idempotency-key")
        seen = self.attempts.setdefault(key, []) if key is not None else []
        attempt = Attempt(
            number=len(seen) + 1,
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            idempotency_key=idempotency_key,
            headers=headers,
        )
        seen.append(attempt)
        if len(self.attempts) > self.MAX_KEYS:
            self.attempts.popitem(last=False)
        return attempt

    def new_session_id(self) -> str:
        return f"sess_{next(self._session_ids):06d}"

    def session(self, session_id: str) -> Session:
        found = self.sessions.setdefault(session_id, Session())
        if len(self.sessions) > self.MAX_KEYS:
            self.sessions.popitem(last=False)
        return found


def session_answer(
    state: State, example: dict[str, Any], body: dict[str, Any], session_id: str
) -> dict[str, Any]:
    """The example reply placed in the session: its id, the turn count, the context estimate;
    with ``auto_compact``, the history is compacted once it outgrows ``max_tokens``."""
    answer = copy.deepcopy(example)
    session = state.session(session_id)
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


# --- connection resets ------------------------------------------------------------------------

# Transports of open connections by client address, so a fault can reset one. uvicorn does not
# hand the transport to the application; the protocol below records it (see `_protocol_class`).
_TRANSPORTS: dict[tuple[Any, ...], asyncio.Transport] = {}


def _protocol_class() -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class RecordingH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client is not None:
                _TRANSPORTS[tuple(self.client)] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                _TRANSPORTS.pop(tuple(self.client), None)
            super().connection_lost(exc)

    return RecordingH11Protocol


async def reset_connection(scope: Scope) -> None:
    """Reset the request's connection (RST, not FIN) once what was written has left."""
    client = scope.get("client")
    transport = _TRANSPORTS.get(tuple(client)) if client else None
    if transport is None:  # not served by `serve()`: failing the response closes the connection
        raise ConnectionResetError("connection reset by x-sdkforge-fault")
    for _ in range(200):
        if transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.02)  # the kernel hands loopback data over before the reset
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0.01)  # let the protocol see connection_lost before the app returns


class ResetResponse(Response):
    """No answer at all: the connection is reset."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await reset_connection(scope)


# --- the application ------------------------------------------------------------------------


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


class RequestIdMiddleware:
    """Give every request an id (its own ``x-request-id`` or a new one) and echo it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode())
        request_id = incoming.decode("latin-1") if incoming else f"req_{uuid.uuid4().hex[:24]}"
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode("latin-1")),
                ]
            await send(message)

        await self.app(scope, receive, send_with_id)


class ReferenceServer:
    """The routes of every operation plus the debug endpoints, over one :class:`State`."""

    def __init__(
        self,
        spec: Spec,
        *,
        fixtures: Path | None = None,
        api_key: str | None = None,
        event_delay_ms: float = 0.0,
    ) -> None:
        self.operations = read_operations(spec)
        self.fixtures = fixtures.resolve() if fixtures is not None else None
        self.api_key = api_key
        self.event_delay = event_delay_ms / 1000
        self.state = State()
        self._check_streams()

    def _check_streams(self) -> None:
        """Every event the server can stream is valid against the stream item schema."""
        for op in self.operations:
            if op.stream is None:
                continue
            for index, example in enumerate(op.examples):
                answer = self._complete(op, example, {}, "sess_check", State())
                for event in stream_events(op, answer):
                    found = first_violation(op.stream.validator, event)
                    if found is not None:
                        raise AssertionError(
                            f"{op.operation_id} example {index}: streamed event {event.get('type')!r}"
                            f" is invalid at {found[0] or '/'}: {found[1]}"
                        )

    @staticmethod
    def _complete(
        op: Operation,
        example: dict[str, Any],
        body: dict[str, Any],
        session_id: str | None,
        state: State,
    ) -> dict[str, Any]:
        """The answer to ``body``: the example, in its session, with ``n`` choices."""
        if op.resource == "sessions" and session_id is not None:
            return session_answer(state, example, body, session_id)
        answer = copy.deepcopy(example)
        choices = answer.get("choices")
        n = body.get("n")
        if isinstance(choices, list) and choices and isinstance(n, int) and n > 1:
            answer["choices"] = [{**copy.deepcopy(choices[0]), "index": i} for i in range(n)]
        return answer

    def app(self) -> Starlette:
        routes = [
            Route(op.path, self._endpoint(op), methods=[op.http_method]) for op in self.operations
        ]
        routes += [
            Route(f"{DEBUG_PREFIX}/health", self._health, methods=["GET"]),
            Route(f"{DEBUG_PREFIX}/requests/{{key}}", self._requests, methods=["GET"]),
        ]
        app = Starlette(
            routes=routes,
            exception_handlers={HTTPException: self._http_error},  # type: ignore[dict-item]
        )
        app.add_middleware(RequestIdMiddleware)
        return app

    # -- debug endpoints --

    async def _health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "ok": True,
                "operations": [
                    {"operation_id": op.operation_id, "method": op.http_method, "path": op.path}
                    for op in self.operations
                ],
            }
        )

    async def _requests(self, request: Request) -> Response:
        key = request.path_params["key"]
        seen = self.state.attempts.get(key, [])
        return JSONResponse(
            {"key": key, "attempts": len(seen), "requests": [asdict(a) for a in seen]}
        )

    async def _http_error(self, request: Request, exc: HTTPException) -> Response:
        rid = request.state.request_id
        detail = {"type": _ERROR_TYPES.get(exc.status_code, "invalid_request_error")}
        detail["message"] = f"{request.method} {request.url.path}: {exc.detail}"
        return JSONResponse({"error": detail, "request_id": rid}, status_code=exc.status_code)

    # -- operations --

    def _endpoint(self, op: Operation) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return await self._handle(op, request)

        endpoint.__name__ = op.operation_id
        return endpoint

    def _error(
        self,
        op: Operation,
        request: Request,
        attempt: Attempt,
        status: int,
        message: str,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        attempt.status = status
        body = op.errors.body(status, message, request.state.request_id, param=param)
        return JSONResponse(
            body, status_code=status, headers={**self._attempt_header(attempt), **(headers or {})}
        )

    @staticmethod
    def _attempt_header(attempt: Attempt) -> dict[str, str]:
        return {ATTEMPT_HEADER: str(attempt.number)}

    async def _handle(self, op: Operation, request: Request) -> Response:
        headers = request.headers
        key = headers.get(KEY_HEADER) or headers.get("idempotency-key")
        attempt = self.state.record(key, request)
        raw = await request.body()  # before any wait: a stall polls receive() for a disconnect
        fault = None
        if FAULT_HEADER in headers:
            try:
                fault = Fault.parse(headers[FAULT_HEADER])
            except FaultSyntaxError as exc:
                return self._error(op, request, attempt, 400, f"{FAULT_HEADER}: {exc}")
            if not fault.active(attempt.number):
                fault = None

        if fault is not None:
            early = await self._early_fault(op, request, attempt, fault)
            if early is not None:
                return early

        denied = self._authenticate(op, request)
        if denied:
            return self._error(op, request, attempt, 401, denied)

        try:
            body = json.loads(raw)
        except ValueError as exc:
            return self._error(op, request, attempt, 400, f"the request body is not JSON: {exc}")
        found = first_violation(op.request, body)
        if found is not None:
            pointer, message = found
            return self._error(
                op, request, attempt, 422, f"{pointer or '/'}: {message}", param=pointer
            )

        stream = bool(body.get("stream")) and op.stream is not None
        attempt.stream = stream
        try:
            plan = await self._plan(op, request, body, stream)
        except LookupError as exc:
            status = 404 if isinstance(exc, KeyError) else 400
            return self._error(op, request, attempt, status, str(exc.args[0]))
        if fault is not None:
            self._late_fault(op, plan, fault, request.state.request_id)
        return self._send(plan, attempt, request.scope)

    def _authenticate(self, op: Operation, request: Request) -> str | None:
        for scheme in op.security:
            if scheme == "bearer":
                auth = request.headers.get("authorization", "")
                token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
                where = "an Authorization: Bearer header"
            else:
                token = request.headers.get(scheme.split(":", 1)[1], "")
                where = f"the {scheme.split(':', 1)[1]} header"
            if not token:
                return f"missing API key: send it in {where}"
            if self.api_key is not None and token != self.api_key:
                return "invalid API key"
        return None

    async def _early_fault(
        self, op: Operation, request: Request, attempt: Attempt, fault: Fault
    ) -> Response | None:
        """Faults that replace the answer (or delay it) before the request is looked at."""
        if fault.kind == "status":
            message = f"injected fault: {fault.status}"
            return self._error(
                op, request, attempt, fault.status, message, headers=fault.retry_after_headers()
            )
        if fault.kind == "non-json":
            attempt.status = fault.status
            page = (
                f"<html><head><title>{fault.status} Server Error</title></head>\n<body>"
                f"<h1>{fault.status} Server Error</h1>\n<p>The upstream server failed.</p>\n"
                + "<!-- padding so the page is longer than any excerpt -->\n" * 20
                + "</body></html>\n"
            )
            return Response(
                page,
                status_code=fault.status,
                media_type="text/html",
                headers={**self._attempt_header(attempt), **fault.retry_after_headers()},
            )
        if fault.kind == "reset" and "bytes" not in fault.params:
            return ResetResponse()
        if fault.kind == "stall" and "after" not in fault.params:
            await _sleep_unless_gone(request, fault.params.get("seconds", 30.0))
        return None

    def _late_fault(self, op: Operation, plan: Plan, fault: Fault, request_id: str) -> None:
        """Faults that damage the answer on its way out."""
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
                plan.chunks[at] = _cut_json(plan.chunks[at])
            else:
                plan.chunks = [_cut_json(b"".join(plan.chunks))]
        elif fault.kind == "error-event":
            if plan.stream and op.stream is not None:
                payload = op.stream.error_event or op.errors.body(
                    500, "injected error event", request_id
                )
                plan.chunks = [*plan.chunks[:after], frame(op.stream, payload)]
            else:
                message = "injected error: the model failed mid-answer"
                plan.chunks = [json.dumps(op.errors.body(500, message, request_id)).encode()]
                plan.media_type, plan.status = "application/json", 500

    async def _plan(
        self, op: Operation, request: Request, body: dict[str, Any], stream: bool
    ) -> Plan:
        headers = request.headers
        delay = float(headers.get(DELAY_HEADER, 0)) / 1000 or self.event_delay
        replay = headers.get(REPLAY_HEADER)
        if replay is not None:
            plan = self._replay(replay)
        else:
            index = int(headers.get(EXAMPLE_HEADER, 0))
            if not 0 <= index < len(op.examples):
                raise IndexError(
                    f"{EXAMPLE_HEADER}: {index} is out of range (the response schema has"
                    f" {len(op.examples)} examples)"
                )
            session_id = None
            if op.resource == "sessions":
                session_id = body.get("session_id")
                if session_id is None:
                    session_id = self.state.new_session_id()
                elif session_id not in self.state.sessions:
                    raise KeyError(f"no session {session_id!r}")
            answer = self._complete(op, op.examples[index], body, session_id, self.state)
            if stream and op.stream is not None:
                chunks = [frame(op.stream, event) for event in stream_events(op, answer)]
                if op.stream.terminator is not None:
                    chunks.append(f"data: {op.stream.terminator}\n\n".encode())
                plan = Plan(chunks, "text/event-stream", True)
            else:
                plan = Plan(
                    [json.dumps(answer, ensure_ascii=False).encode()], "application/json", False
                )
        plan.delay = delay
        size = int(headers.get(CHUNK_HEADER, 0))
        if size > 0:
            data = b"".join(plan.chunks)
            plan.chunks = [data[i : i + size] for i in range(0, len(data), size)]
        return plan

    def _replay(self, name: str) -> Plan:
        if self.fixtures is None:
            raise IndexError(f"{REPLAY_HEADER}: the server has no fixtures folder")
        path = (self.fixtures / name).resolve()
        if not path.is_relative_to(self.fixtures) or not path.is_file():
            raise IndexError(f"{REPLAY_HEADER}: no fixture {name!r}")
        data = path.read_bytes()
        if path.suffix == ".sse":
            # One write per event; the bytes are the recording's, separators and all.
            parts = re.split(rb"(?<=\n\n)|(?<=\r\n\r\n)", data)
            return Plan([p for p in parts if p], "text/event-stream", True)
        return Plan([data], "application/json", False)

    def _send(self, plan: Plan, attempt: Attempt, scope: Scope) -> Response:
        headers = self._attempt_header(attempt)
        attempt.status = plan.status
        if plan.stream:
            headers["cache-control"] = "no-cache"
        else:
            headers["content-length"] = str(sum(len(c) for c in plan.chunks))
        return StreamingResponse(
            _body(plan, attempt, scope),
            status_code=plan.status,
            media_type=plan.media_type,
            headers=headers,
        )


def _cut_json(chunk: bytes) -> bytes:
    """The chunk with its JSON cut in half (framing kept), so it cannot be parsed."""
    text = chunk.decode("utf-8")
    start = text.find("{")
    if start < 0:
        return b"data: {\n\n"
    end = text.rfind("}")
    cut = start + max(1, (end - start) // 2)
    tail = "\n\n" if text.endswith("\n\n") else ""
    return (text[:cut] + tail).encode("utf-8")


async def _sleep_unless_gone(request: Request, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


async def _body(plan: Plan, attempt: Attempt, scope: Scope) -> AsyncIterator[bytes]:
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


# --- running it ------------------------------------------------------------------------------


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio turns TCP_NODELAY on only for sockets that say so,
    # and without it every answer's body waits ~40 ms behind the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _uvicorn(server: ReferenceServer, log_level: str) -> uvicorn.Server:
    import uvicorn

    config = uvicorn.Config(
        server.app(),
        http=_protocol_class(),
        lifespan="off",
        log_level=log_level,
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def run(server: ReferenceServer, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    _uvicorn(server, log_level).run(sockets=[sock])


def run_command(
    server: ReferenceServer,
    sock: socket.socket,
    command: Sequence[str],
    *,
    api_key: str | None = None,
    log_level: str = "warning",
) -> int:
    """Serve while ``command`` runs with ``CHATSDK_BASE_URL`` pointing here; its exit status.

    ``CHATSDK_API_KEY`` is set too unless the environment has one, so a program that reads
    its configuration from the environment works unchanged.
    """
    runner = _uvicorn(server, log_level)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not runner.started:
        raise RuntimeError("the reference server did not start")
    env = {**os.environ, "CHATSDK_BASE_URL": url_of(sock)}
    env.setdefault("CHATSDK_API_KEY", api_key or "sdkforge-local-key")
    try:
        return subprocess.call(list(command), env=env)
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(sock: socket.socket) -> None:
    """Tell whoever started the server where it listens (tests read this line)."""
    print(f"sdkforge serve: listening on {url_of(sock)}", flush=True)
    sys.stdout.flush()


__all__ = [
    "FAULT_HEADER",
    "Fault",
    "ReferenceServer",
    "announce",
    "bind",
    "chat_completion_chunks",
    "message_events",
    "read_operations",
    "run",
    "run_command",
    "session_events",
]
