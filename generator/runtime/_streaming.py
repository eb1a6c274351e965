"""Streamed responses: typed events from server-sent events.

:class:`Stream` (and :class:`AsyncStream`) iterate the typed events of one response: each
``data:`` payload parsed as the operation's stream item (a chunk model, or a tagged union of
events whose unknown tags become the union's ``Unknown…`` variant, never dropped). Keep-alive
events the schema names are skipped, the terminator ends the stream, and an error event
raises :class:`~._errors.StreamError`. Both are context managers: leaving the block closes
the connection, however much of the stream was read.

:class:`~._stream_wrappers.AccumulatingStream` (what ``.stream(...)`` methods give) also
folds every event into the object a non-streamed call would have returned.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import httpx2
import pydantic
import pydantic_core

from ._accumulate import Accumulator, ClassRule
from ._errors import (
    APIError,
    APIResponseValidationError,
    APIStreamIncompleteError,
    StreamError,
    excerpt,
)
from ._faults import redact_error, request_id_of, transport_error
from ._fold import HANDOFF
from ._lenient import lenient, union_tags, union_variants
from ._quick import quick_validator
from ._sse import Fields, ServerSentEvent, SSEDecoder
from ._types import AsyncClosing, Closing

if TYPE_CHECKING:
    pass

__all__ = [
    "AsyncStream",
    "Stream",
    "StreamSpec",
    "aiter_items",
    "iter_items",
]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)

_SKIP: Any = object()
_DONE: Any = object()

END_EVENTS = ("message_stop", "session_end")
"""The names that end a named-event stream, by convention: a stream whose event union has one
of them must end with it. ``x-sdk-stream`` has no keyword for it (``terminator`` is the
data-only sentinel), so the names the families use are listed here."""


@dataclass(frozen=True)
class StreamSpec(Generic[_T, _F]):
    """How one operation streams, as its schema's ``x-sdk-stream`` declares.

    ``item`` is the type each event parses as; ``skip`` names keep-alive events;
    ``error_event`` (named events) or ``error_property`` (data-only) marks an error payload,
    parsed as ``error_model``; ``final``, ``final_set`` and ``rules`` drive accumulation.
    ``end_events`` (named events) are what a whole stream ends with, and ``failure_events``
    end it in failure, as the error event does.
    """

    framing: str  # "data-only" | "named-events"
    item: Any  # the class each event parses as, or a tagged union's (type checkers: a union)
    terminator: str | None = None
    skip: frozenset[str] = frozenset()
    error_event: str | None = None
    error_property: str | None = None
    error_model: type[pydantic.BaseModel] | None = None
    final: type[_F] | None = None
    final_set: Mapping[str, Any] = field(default_factory=lambda: {})
    rules: Mapping[type, ClassRule] = field(default_factory=lambda: {})
    end_events: frozenset[str] = frozenset()
    failure_events: frozenset[str] = frozenset()

    @functools.cached_property
    def adapter(self) -> pydantic.TypeAdapter[_T]:
        return pydantic.TypeAdapter(self.item)

    @functools.cached_property
    def end_event(self) -> str | None:
        """The :data:`END_EVENTS` name among the event union's tags, when ``end_events`` declares
        none: the event a whole stream ends with, whatever its framing (a data-only stream may
        also end with ``terminator``)."""
        tags = union_tags(getattr(self.item, "__sdk_union__", None))
        return next((name for name in END_EVENTS if name in tags), None)

    @functools.cached_property
    def ends(self) -> frozenset[str]:
        """The events a whole stream ends with (one of them): ``end_events`` as declared, else
        the :attr:`end_event`."""
        if self.end_events:
            return self.end_events
        return frozenset(() if self.end_event is None else (self.end_event,))

    @functools.cached_property
    def end(self) -> str | None:
        """What a whole stream ends with, as an error message names it, or None when nothing
        says: its end events, else the data-only terminator."""
        if self.ends:
            *others, last = sorted(self.ends)
            return f"its {', '.join(others)} or {last} event" if others else f"its {last} event"
        return self.terminator if self.framing != "named-events" else None

    def accumulator(self, *, strict: bool = True) -> Accumulator[_F]:
        """A fresh accumulator for one stream of this operation."""
        if self.final is None:
            raise TypeError("this stream does not declare what it accumulates into")
        return Accumulator(self.rules, self.final, self.final_set, strict=strict)

    def decode(
        self, sse: ServerSentEvent, response: httpx2.Response | None = None, *, strict: bool = True
    ) -> Any:
        """The typed item of one event, or ``_SKIP`` / ``_DONE``; raises on an error event.

        An event that does not match its schema raises when ``strict``, else it is kept with
        its ``validation_errors`` (``_lenient.py``).
        """
        return self.parse(sse, response, strict=strict)[0]

    def parse(
        self, sse: ServerSentEvent, response: httpx2.Response | None = None, *, strict: bool = True
    ) -> tuple[Any, Any]:
        """:meth:`decode`'s item, with the decoded JSON it was validated from (None for
        ``_SKIP`` / ``_DONE``): the event's bytes are parsed once, and the accumulator folds
        that same JSON."""
        return self.parse_fields(sse.data, sse.event, response, strict)

    def parse_fields(
        self, data: str, event: str | None, response: httpx2.Response | None, strict: bool
    ) -> tuple[Any, Any]:
        """:meth:`parse` of an event given as its data and its name."""
        if self.framing == "named-events":
            skip = self.skip
            if event in skip and not data.strip():
                return _SKIP, None  # a keep-alive with no payload; one with a payload must parse
            payload: Any = _loads(data, event, response)
            name = event
            if name is None:
                name = _fields(payload).get("type")
            if name in skip:
                return _SKIP, None
            if name is not None and (name == self.error_event or name in self.failure_events):
                raise self._stream_error(payload, response)
        else:
            if self.terminator is not None and data.strip() == self.terminator:
                return _DONE, None
            payload = _loads(data, event, response)
            prop = self.error_property
            if prop is not None and _fields(payload).get(prop) is not None:
                raise self._stream_error(payload, response)
        try:
            return self.validate(payload), payload
        except pydantic.ValidationError as exc:
            kept = None if strict else lenient(self.item, payload, exc)
            if kept is not None:
                return kept, payload
            raise APIResponseValidationError(
                f"stream event{_event_name(event)} does not match the schema: "
                f"{exc.errors(include_url=False, include_input=False)}; "
                f"data: {excerpt(data)!r}",
                request_id=request_id_of(response),
                response=response,
            ) from exc

    def read(
        self, data: str, event: str | None, response: httpx2.Response | None, strict: bool
    ) -> tuple[Any, Any]:
        """:meth:`parse_fields` by the quickest way, where :attr:`reads_json_text` allows it.

        The JSON text goes straight to the validator (one parse, in pydantic-core), and comes
        back in place of the decoded JSON (:meth:`~._accumulate.Accumulator.add` decodes it
        only for an event it folds). Anything out of the ordinary (the terminator, an error
        property, a validation error, JSON the validator refuses) takes :meth:`parse_fields`,
        so the outcome is the same. (A tagged union's discriminator reads Python objects, so
        JSON input would be converted for it anyway: union streams take :meth:`parse_fields`.)
        """
        terminator = self.terminator
        if terminator is not None and terminator in data:
            return self.parse_fields(data, event, response, strict)
        try:
            item = self._validate_json(data)
        except pydantic.ValidationError:
            return self.parse_fields(data, event, response, strict)
        prop = self.error_property
        if prop is not None:
            extra = item.__pydantic_extra__
            if extra and extra.get(prop) is not None:
                return self.parse_fields(data, event, response, strict)
        return item, data

    @functools.cached_property
    def _validator(self) -> Any:
        """The adapter's pydantic-core validator, built now rather than at the first event (the
        models defer their build), so each event calls it without the adapter's wrapper; the
        adapter itself if it cannot be built yet (it then tries again each time, as it would)."""
        adapter = self.adapter
        adapter.rebuild(raise_errors=False)
        validator = adapter.validator
        return validator if isinstance(validator, pydantic_core.SchemaValidator) else adapter

    @functools.cached_property
    def validate(self) -> Callable[[Any], Any]:
        """The item's ``validate_python``."""
        return cast("Callable[[Any], Any]", self._validator.validate_python)

    @functools.cached_property
    def _validate_json(self) -> Callable[[str], Any]:
        return cast("Callable[[str], Any]", self._validator.validate_json)

    @functools.cached_property
    def plan(self) -> tuple[bool, frozenset[str | None], Any, Any, Any]:
        """What the iteration reads each event with: whether events are named; the names it
        leaves to :meth:`parse_fields` (keep-alives, errors) when it parses and validates a
        named event in one step (anything that step refuses is done again by
        :meth:`parse_fields`, which says why); :attr:`validate`; :attr:`by_event`; and the
        reader of the other events (:meth:`read` or :meth:`parse_fields`)."""
        return (
            self.framing == "named-events",
            self.skip | self.failure_events | {self.error_event},
            self.validate,
            self.by_event,
            self.read if self.reads_json_text else self.parse_fields,
        )

    @functools.cached_property
    def by_event(self) -> Mapping[str | None, tuple[Callable[[str], Any], str]]:
        """For a named-event stream of a tagged union: by tag, the variant's ``validate_json``
        and the Python name of its tag field (keep-alive and error events left out).

        An event whose name is a tag is validated from its JSON text as that variant, in one
        step (by its :func:`~._quick.quick_validator`): when its data carries the tag, that is
        the variant the union would choose (the tag field accepts only its own value).
        Anything else takes :meth:`parse_fields`.
        """
        entry = union_variants(getattr(self.item, "__sdk_union__", None))
        if self.framing != "named-events" or entry is None:
            return {}
        prop, variants, _ = entry
        out: dict[str | None, tuple[Callable[[str], Any], str]] = {}
        for tag, cls in variants.items():
            if tag in self.skip or tag in self.failure_events or tag == self.error_event:
                continue
            validator = quick_validator(cls)
            name = next((n for n, f in cls.model_fields.items() if (f.alias or n) == prop), None)
            if name is not None and validator is not None:
                out[tag] = (validator.validate_json, name)
        return out

    @functools.cached_property
    def reads_json_text(self) -> bool:
        """Whether :meth:`read` may validate the JSON text directly: a data-only stream of one
        model class that keeps unknown fields and declares none named like the error property
        (which is then found among the unknown fields)."""
        item = self.item
        if self.framing != "data-only" or not isinstance(item, type):
            return False
        if not issubclass(item, pydantic.BaseModel) or item.model_config.get("extra") != "allow":
            return False
        return self.error_property is None or all(
            (info.alias or name) != self.error_property for name, info in item.model_fields.items()
        )

    def _stream_error(self, payload: Any, response: httpx2.Response | None) -> StreamError:
        body: Any = payload
        if self.error_model is not None:
            try:
                body = self.error_model.model_validate(payload)
            except pydantic.ValidationError:
                body = payload
        fields = _fields(payload)
        detail: Any = fields.get("error")
        kinds: tuple[str, ...] = ("type",)
        if not isinstance(detail, dict):  # a failure event: its object carries the error
            kinds = ("type", "code")
            for value in fields.values():
                inner: Any = _fields(value).get("error")
                if isinstance(inner, dict):
                    detail = cast("dict[str, Any]", inner)
                    break
        message = error_type = None
        if isinstance(detail, dict):
            entries = cast("dict[str, Any]", detail)
            message = entries.get("message")
            error_type = next((k for k in map(entries.get, kinds) if isinstance(k, str)), None)
        text = message if isinstance(message, str) else excerpt(json.dumps(payload))
        kind = error_type if isinstance(error_type, str) else None
        return StreamError(
            f"error in stream{f' ({kind})' if kind else ''}: {text}",
            error_type=kind,
            body=body,
            request_id=request_id_of(response, payload),
            request=_request_of(response) if response is not None else None,
            response=response,
        )


def _fields(payload: Any) -> dict[str, Any]:
    return cast("dict[str, Any]", payload) if isinstance(payload, dict) else {}


def _loads(data: str, event: str | None, response: httpx2.Response | None) -> Any:
    """The event's JSON: pydantic-core's parser (about twice as fast as ``json``), with
    ``json`` as the judge of what it refuses (a lone surrogate escape, say)."""
    try:
        return pydantic_core.from_json(data, cache_strings="keys")
    except ValueError:
        pass
    try:
        return json.loads(data)
    except ValueError:
        raise APIResponseValidationError(
            f"stream event{_event_name(event)} is not JSON: {excerpt(data)!r}",
            request_id=request_id_of(response),
            response=response,
        ) from None


def _event_name(event: str | None) -> str:
    return f" {event!r}" if event else ""


def _incomplete(
    response: httpx2.Response, spec: StreamSpec[Any, Any], events: int
) -> APIStreamIncompleteError:
    request = _request_of(response)
    where = f": {request.method} {request.url}" if request is not None else ""
    return APIStreamIncompleteError(
        f"stream ended before {spec.end}, after {events} event{'' if events == 1 else 's'}{where}",
        events=events,
        request_id=request_id_of(response),
        request=request,
        response=response,
    )


def _identity(response: httpx2.Response) -> bool:
    """Whether the body is still to be read and sent as is (no ``Content-Encoding``): then its
    raw chunks are its decoded bytes, and reading them skips httpx2's per-chunk decoding layer.
    (A body read already is served from memory by ``iter_bytes``.)"""
    if response.is_stream_consumed:
        return False
    encoding = response.headers.get("content-encoding")
    return encoding is None or encoding.strip().lower() in ("", "identity")


def _request_of(response: httpx2.Response) -> httpx2.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built by hand, never sent
        return None


class _Events:
    """Per stream: each event decoded, handed to the accumulator, and counted toward the end."""

    __slots__ = ("count", "ended", "plan", "response", "spec", "stop", "strict", "watch")

    def __init__(self, spec: StreamSpec[Any, Any], response: httpx2.Response, strict: bool) -> None:
        self.spec = spec
        self.response = response
        self.strict = strict
        self.watch = spec.ends or None  # the end events, until one is seen
        self.ended = spec.end is None
        self.count = 0
        self.plan = spec.plan
        self.stop: Any = None  # _DONE, or the error that stopped the last batch

    def items(self, batch: list[Fields]) -> list[tuple[Any, Any]]:
        """The (typed item, its JSON) of each event of ``batch`` (the events one chunk
        completed), pings left out. The terminator, or an error, stops the batch: the items
        before it are returned, and :attr:`stop` says why it stopped, for the iteration to
        end or raise once it has handed them out, as if each event were read on its own."""
        out: list[tuple[Any, Any]] = []
        named, unusual, validate, by_event, read = self.plan
        watch = self.watch
        payload: Any
        try:
            for data, event, _, _ in batch:
                variant = by_event.get(event)  # (None is no tag)
                if variant is not None:
                    validate_json, tag = variant
                    try:
                        item = validate_json(data)
                    except ValueError:  # not JSON, or not this variant's
                        item = None
                    if item is not None and tag in item.__pydantic_fields_set__:
                        payload = data  # (the JSON text: decoded only if an accumulator folds it)
                    else:
                        item, payload = self.spec.parse_fields(
                            data, event, self.response, self.strict
                        )
                elif named and event is not None and event not in unusual:
                    try:
                        payload = pydantic_core.from_json(data, cache_strings="keys")
                        item = validate(payload)
                    except ValueError:  # not JSON, or not the schema's: parse_fields says why
                        item, payload = self.spec.parse_fields(
                            data, event, self.response, self.strict
                        )
                else:
                    item, payload = read(data, event, self.response, self.strict)
                    if item is _SKIP:
                        continue
                    if item is _DONE:
                        self.stop = _DONE
                        break
                if watch is not None and (event or getattr(item, "type", None)) in watch:
                    self.ended = True
                    self.watch = watch = None
                out.append((item, payload))
        except Exception as exc:  # raised once the items before it are handed out
            self.stop = exc
        self.count += len(out)
        return out

    def raise_stop(self) -> None:
        """Once a batch has stopped (:attr:`stop` set): raise its error; the terminator
        raises nothing, and the iteration returns."""
        if self.stop is not _DONE:
            raise self.stop

    def check_ended(self) -> None:
        if not self.ended:
            raise _incomplete(self.response, self.spec, self.count)


def iter_items(
    response: httpx2.Response,
    spec: StreamSpec[_T, Any],
    *,
    strict: bool = True,
    secrets: tuple[str, ...] = (),
) -> Iterator[_T]:
    """The typed events of ``response``; closes it when done, on error, or when closed early.

    A body that ends before the stream's :attr:`~StreamSpec.end` raises
    :class:`~._errors.APIStreamIncompleteError`; an error raised on the way has ``secrets``
    redacted (:func:`redact_error`)."""
    decoder = SSEDecoder()
    events = _Events(spec, response, strict)
    handoff = HANDOFF
    try:
        for chunk in response.iter_raw() if _identity(response) else response.iter_bytes():
            batch = decoder.feed_fields(chunk)
            if batch:
                for pair in events.items(batch):
                    handoff.pair = pair  # for the accumulator that folds it (hand_off)
                    yield pair[0]
                if events.stop is not None:
                    events.raise_stop()
                    return
        for pair in events.items(decoder.flush_fields()):
            handoff.pair = pair
            yield pair[0]
        if events.stop is not None:
            events.raise_stop()
            return
        events.check_ended()
    except (httpx2.TransportError, httpx2.DecodingError) as exc:
        raise redact_error(transport_error(exc, _request_of(response)), secrets) from exc
    except APIError as exc:
        redact_error(exc, secrets)
        raise
    finally:
        response.close()


async def aiter_items(
    response: httpx2.Response,
    spec: StreamSpec[_T, Any],
    *,
    strict: bool = True,
    secrets: tuple[str, ...] = (),
) -> AsyncIterator[_T]:
    """The async twin of :func:`iter_items`."""
    decoder = SSEDecoder()
    events = _Events(spec, response, strict)
    handoff = HANDOFF
    try:
        chunks = response.aiter_raw() if _identity(response) else response.aiter_bytes()
        async for chunk in chunks:
            batch = decoder.feed_fields(chunk)
            if batch:
                for pair in events.items(batch):
                    handoff.pair = pair
                    yield pair[0]
                if events.stop is not None:
                    events.raise_stop()
                    return
        for pair in events.items(decoder.flush_fields()):
            handoff.pair = pair
            yield pair[0]
        if events.stop is not None:
            events.raise_stop()
            return
        events.check_ended()
    except (httpx2.TransportError, httpx2.DecodingError) as exc:
        raise redact_error(transport_error(exc, _request_of(response)), secrets) from exc
    except APIError as exc:
        redact_error(exc, secrets)
        raise
    finally:
        await response.aclose()


class Stream(Closing, Generic[_T]):
    """The typed events of one streamed response.

    Iterate it (once), or use it as a context manager so the connection is closed however
    the block is left: ``with client.messages.create(..., stream=True) as events: ...``.
    """

    def __init__(self, response: httpx2.Response, events: Iterator[_T]) -> None:
        self.response = response
        """The HTTP response; its body is being read as the stream is iterated."""
        self._events = events

    @property
    def request_id(self) -> str | None:
        """The server's id of this request, from the response headers."""
        return request_id_of(self.response)

    def __iter__(self) -> Iterator[_T]:
        return self

    def __next__(self) -> _T:
        return next(self._events)

    def close(self) -> None:
        """Stop reading and release the connection."""
        close = getattr(self._events, "close", None)
        if callable(close):
            close()
        self.response.close()


class AsyncStream(AsyncClosing, Generic[_T]):
    """The typed events of one streamed response, for ``async for`` and ``async with``."""

    def __init__(self, response: httpx2.Response, events: AsyncIterator[_T]) -> None:
        self.response = response
        """The HTTP response; its body is being read as the stream is iterated."""
        self._events = events

    @property
    def request_id(self) -> str | None:
        """The server's id of this request, from the response headers."""
        return request_id_of(self.response)

    def __aiter__(self) -> AsyncIterator[_T]:
        return self

    async def __anext__(self) -> _T:
        return await self._events.__anext__()

    async def close(self) -> None:
        """Stop reading and release the connection."""
        aclose = getattr(self._events, "aclose", None)
        if callable(aclose):
            await cast("Callable[[], Awaitable[None]]", aclose)()
        await self.response.aclose()


def next_of(stream: Stream[_T]) -> Callable[[], _T]:
    """What ``next(stream)`` calls, without :meth:`Stream.__next__` in between (for the
    wrappers that step it on every event)."""
    return stream._events.__next__  # pyright: ignore[reportPrivateUsage]


def anext_of(stream: AsyncStream[_T]) -> Callable[[], Awaitable[_T]]:
    """The async twin of :func:`next_of`."""
    return stream._events.__anext__  # pyright: ignore[reportPrivateUsage]
