"""The Starlette application: a route per operation, the debug endpoints, and the answer to
each request (validation, faults, examples, sessions, replays).

Every operation of every OpenAPI document becomes a route. A request is validated against the
operation's request schema (JSON Schema 2020-12, references resolved through the spec's registry)
and rejected with 422 and the JSON pointer of the first violation, in the family's own error body
shape. A valid request is answered from the ``examples`` of the response schema (one that
asks for structured output, from its own schema too: :mod:`generator.serve.structured`); with
``"stream": true`` the same answer is cut into the family's stream events (each kind validated
against the stream item schema when the server starts) and sent with the framing the operation's
``x-sdk-stream`` declares.

Tests steer the server with request headers:

``x-sdkforge-fault``
    ``<kind>[; name=value]…``: a status code (``429``, ``503``, …) answered with the family's error
    body, or one of ``reset``, ``stall``, ``malformed``, ``error-event``, ``non-json``; see
    :class:`~generator.serve.faults.Fault`. ``times=N`` fails only the first N attempts (counted
    per key, below).
``x-sdkforge-key``
    Groups attempts for counting; without it the ``Idempotency-Key`` header is used, so a client
    that reuses its key across retries is counted as one call. ``GET /_sdkforge/requests/{key}``
    shows every attempt seen for a key; each response carries ``x-sdkforge-attempt``.
``x-sdkforge-example``
    Which example of the response schema answers (default 0).
``x-sdkforge-scenario: tool-loop``
    A tool call first, then a final answer once the tool results come back, with the
    assistant turn checked to be the one sent; see :mod:`generator.serve.tool_loop`.
``x-sdkforge-tool-calls``
    The tool calls of each turn of a loop (``get_weather, get_time; get_weather``), then the
    final answer. A ``response_format`` or a forced tool is answered with an instance of the
    request's own schema, and ``x-sdkforge-fault: invalid-output`` / ``refusal`` change that
    answer; see :mod:`generator.serve.structured`.
``x-sdkforge-replay``
    A file under the fixtures folder (``tests/fixtures/real`` by default) served verbatim: an
    ``.sse`` file as an event stream, a ``.json`` file as the body.
``x-sdkforge-event-delay-ms`` / ``x-sdkforge-chunk-bytes``
    Pause between stream events; re-cut the body into writes of this many bytes.

Every response carries ``x-request-id`` (the request's own, or a new one), which is also the
``request_id`` of error bodies whose schema has one.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from generator.core.load import Spec
from generator.serve.events import frame, stream_events
from generator.serve.faults import Fault, FaultSyntaxError, damage, error_page, sleep_unless_gone
from generator.serve.headers import (
    ATTEMPT_HEADER,
    CHUNK_HEADER,
    DELAY_HEADER,
    EXAMPLE_HEADER,
    FAULT_HEADER,
    KEY_HEADER,
    REPLAY_HEADER,
    REQUEST_ID_HEADER,
    SCENARIO_HEADER,
    TOOL_CALLS_HEADER,
)
from generator.serve.operations import ERROR_TYPES, Operation, first_violation, read_operations
from generator.serve.plans import Plan, write
from generator.serve.recording import Attempt, RequestLog
from generator.serve.resets import ResetResponse
from generator.serve.routes import DEBUG_PREFIX, route_table
from generator.serve.sessions import Sessions, session_answer
from generator.serve.structured import OUTPUT_FAULTS, Structured, answer_kinds
from generator.serve.tool_loop import TOOL_LOOP, ToolLoop

__all__ = ["ReferenceServer", "RequestIdMiddleware"]

# The request options under which a stream has every kind of event it can have.
_EVERY_CHUNK = {"stream_options": {"include_usage": True}}


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
    """The routes of every operation plus the debug endpoints, over one request log and one
    set of sessions."""

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
        self.requests = RequestLog(
            scheme.split(":", 1)[1]
            for op in self.operations
            for scheme in op.security
            if scheme.startswith("header:")
        )
        self.sessions = Sessions()
        self.tool_loop = ToolLoop()
        self.structured = Structured(self.tool_loop)
        self._check_streams()

    def _check_streams(self) -> None:
        """Every kind of event the server can stream is valid against the stream item schema:
        the examples', and those of each kind of structured answer."""
        for op in self.operations:
            if op.stream is None:
                continue
            answers = [
                (f"example {index}", self._complete(op, example, {}, "sess_check", Sessions()))
                for index, example in enumerate(op.examples)
            ]
            for label, answer in [*answers, *answer_kinds(op)]:
                for event in stream_events(op, answer, _EVERY_CHUNK):
                    found = first_violation(op.stream.validator, event)
                    if found is not None:
                        raise AssertionError(
                            f"{op.operation_id} {label}: streamed event {event.get('type')!r}"
                            f" is invalid at {found[0] or '/'}: {found[1]}"
                        )

    @staticmethod
    def _complete(
        op: Operation,
        example: dict[str, Any],
        body: dict[str, Any],
        session_id: str | None,
        sessions: Sessions,
    ) -> dict[str, Any]:
        """The answer to ``body``: the example, in its session, with ``n`` choices."""
        if op.resource == "sessions" and session_id is not None:
            return session_answer(sessions, example, body, session_id)
        answer = copy.deepcopy(example)
        choices = answer.get("choices")
        n = body.get("n")
        if isinstance(choices, list) and choices and isinstance(n, int) and n > 1:
            answer["choices"] = [{**copy.deepcopy(choices[0]), "index": i} for i in range(n)]
        return answer

    def app(self) -> Starlette:
        """The ASGI application."""
        routes = [
            Route(op.path, self._endpoint(op), methods=[op.http_method]) for op in self.operations
        ]
        routes += [
            Route("/", self._routes, methods=["GET"]),
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

    async def _routes(self, request: Request) -> Response:
        return JSONResponse([asdict(entry) for entry in route_table(self.operations)])

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
        seen = self.requests.get(key)
        return JSONResponse(
            {"key": key, "attempts": len(seen), "requests": [asdict(a) for a in seen]}
        )

    async def _http_error(self, request: Request, exc: HTTPException) -> Response:
        rid = request.state.request_id
        detail = {"type": ERROR_TYPES.get(exc.status_code, "invalid_request_error")}
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
        attempt = self.requests.record(key, request)
        raw = await request.body()  # before any wait: a stall polls receive() for a disconnect
        fault = None
        if FAULT_HEADER in headers:
            try:
                fault = Fault.parse(headers[FAULT_HEADER])
            except FaultSyntaxError as exc:
                return self._error(op, request, attempt, 400, f"{FAULT_HEADER}: {exc}")
            if fault.kind not in OUTPUT_FAULTS and not fault.active(attempt.number):
                fault = None  # an output fault counts a conversation's answers instead

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
            plan = await self._plan(op, request, body, stream, fault)
        except LookupError as exc:
            status = 404 if isinstance(exc, KeyError) else 400
            return self._error(op, request, attempt, status, str(exc.args[0]))
        if fault is not None:
            credential = request.headers.get("x-api-key") or request.headers.get(
                "authorization", ""
            ).removeprefix("Bearer ")
            damage(op, plan, fault, request.state.request_id, credential)
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
            return Response(
                error_page(fault.status),
                status_code=fault.status,
                media_type="text/html",
                headers={**self._attempt_header(attempt), **fault.retry_after_headers()},
            )
        if fault.kind == "reset" and "bytes" not in fault.params:
            return ResetResponse()
        if fault.kind == "stall" and "after" not in fault.params:
            await sleep_unless_gone(request, fault.params.get("seconds", 30.0))
        return None

    async def _plan(
        self,
        op: Operation,
        request: Request,
        body: dict[str, Any],
        stream: bool,
        fault: Fault | None,
    ) -> Plan:
        headers = request.headers
        delay = float(headers.get(DELAY_HEADER, 0)) / 1000 or self.event_delay
        replay = headers.get(REPLAY_HEADER)
        scenario = headers.get(SCENARIO_HEADER)
        if replay is not None:
            plan = self._replay(replay)
        elif scenario is not None:
            if scenario.strip() != TOOL_LOOP:
                raise IndexError(
                    f"{SCENARIO_HEADER}: unknown scenario {scenario!r} (known: {TOOL_LOOP})"
                )
            example = headers.get(EXAMPLE_HEADER)
            answer = self.tool_loop.answer(op, body, None if example is None else int(example))
            plan = self._answer_plan(op, answer, body, stream)
        elif (
            made := self.structured.answer(op, body, headers.get(TOOL_CALLS_HEADER), fault)
        ) is not None:
            plan = self._answer_plan(op, made, body, stream)
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
                    session_id = self.sessions.new_id()
                elif session_id not in self.sessions:
                    raise KeyError(f"no session {session_id!r}")
            answer = self._complete(op, op.examples[index], body, session_id, self.sessions)
            plan = self._answer_plan(op, answer, body, stream)
        plan.delay = delay
        size = int(headers.get(CHUNK_HEADER, 0))
        if size > 0:
            plan.recut(size)
        return plan

    @staticmethod
    def _answer_plan(
        op: Operation, answer: dict[str, Any], body: dict[str, Any], stream: bool
    ) -> Plan:
        """``answer`` as one JSON body, or cut into the family's stream events."""
        if stream and op.stream is not None:
            chunks = [frame(op.stream, event) for event in stream_events(op, answer, body)]
            if op.stream.terminator is not None:
                chunks.append(f"data: {op.stream.terminator}\n\n".encode())
            return Plan(chunks, "text/event-stream", True)
        return Plan([json.dumps(answer, ensure_ascii=False).encode()], "application/json", False)

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
            write(plan, attempt, scope),
            status_code=plan.status,
            media_type=plan.media_type,
            headers=headers,
        )
