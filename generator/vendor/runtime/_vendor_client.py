"""What operations of vendor OpenAPI documents need beyond the chat APIs' JSON calls.

Copied only into packages generated with ``sdkforge generate --spec``: path parameters
(``/threads/{thread_id}``), query and header parameters, bodies sent as multipart forms,
URL-encoded forms, raw bytes or nothing, and answers that are bytes or untyped JSON. The
requesters here subclass the ones in ``_sync_client`` and ``_async_client`` and change only how a
request's body is encoded and how an answer is read; retries, errors and streams are theirs.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import IO, Any, ClassVar, TypeVar, cast
from urllib.parse import quote, urlencode

import httpx2
import pydantic

from ._accumulate import ClassRule
from ._async_client import AsyncAPIClient, AsyncRequester
from ._base_client import CallOptions, OperationSpec
from ._sync_client import SyncAPIClient, SyncRequester
from ._types import NotGiven

__all__ = [
    "BinaryResponse",
    "JSONResponse",
    "LazyRules",
    "VendorAsyncClient",
    "VendorAsyncRequester",
    "VendorOperationSpec",
    "VendorSyncClient",
    "VendorSyncRequester",
    "form_body",
    "with_params",
]


_R = TypeVar("_R", bound=pydantic.BaseModel)
_T = TypeVar("_T")
_F = TypeVar("_F", bound=pydantic.BaseModel)


class BinaryResponse(pydantic.BaseModel):
    """An answer that is not JSON (audio, images, archives, text): its bytes and media type."""

    content: bytes
    content_type: str | None = None
    _request_id: ClassVar[str | None] = None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class JSONResponse(pydantic.RootModel[Any]):
    """A JSON answer the document gives no object schema for; ``root`` holds the value."""

    _request_id: ClassVar[str | None] = None


class LazyRules(Mapping[type, ClassRule]):
    """A resource's accumulation rules (``x-sdk-accumulate``), built on first use.

    The rules are keyed by model classes, and naming a class loads its module: built when a
    resource module is imported, they would load every event class of its streams (about a
    hundred for OpenAI's Responses API) before any stream is asked for.
    """

    def __init__(self, build: Callable[[], Mapping[type, ClassRule]]) -> None:
        self._build = build

    @functools.cached_property
    def _rules(self) -> Mapping[type, ClassRule]:
        return self._build()

    def __getitem__(self, key: type) -> ClassRule:
        return self._rules[key]

    def get(self, key: type, default: Any = None) -> Any:  # the accumulator's one lookup
        return self._rules.get(key, default)

    def __iter__(self) -> Iterator[type]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


@dataclass(frozen=True)
class VendorOperationSpec(OperationSpec[_R, _T, _F]):
    """An operation with how its body is encoded and what its answer is.

    ``body``: ``json`` (the request model), ``multipart``, ``form``, ``raw`` (the ``body``
    value as bytes) or ``none``. ``returns``: ``json`` (the response model), ``any``
    (:class:`JSONResponse`) or ``binary`` (:class:`BinaryResponse`).
    """

    body: str = "json"
    returns: str = "json"

    def at(self, params: Mapping[str, object]) -> VendorOperationSpec[_R, _T, _F]:
        """This operation with its path parameters filled in (each percent-encoded)."""
        path = self.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", quote(_text(value), safe=""))
        return replace(self, path=path)


def _text(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _query_value(value: object) -> Any:
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in cast("list[object]", value)]
    if isinstance(value, pydantic.BaseModel):
        return json.dumps(value.model_dump(mode="json", by_alias=True, exclude_unset=True))
    if isinstance(value, dict):
        return json.dumps(value)
    return _text(value)


def with_params(extra: Mapping[str, Any] | None, params: Mapping[str, object]) -> dict[str, Any]:
    """Query or header parameters given to a method, then the caller's extras (which win)."""
    out = {
        name: _query_value(value)
        for name, value in params.items()
        if not isinstance(value, NotGiven) and value is not None
    }
    out.update(extra or {})
    return out


def form_body(
    values: Mapping[str, object], extra_body: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """The fields of a multipart, URL-encoded or raw body, as given (``NOT_GIVEN`` dropped)."""
    body = {k: v for k, v in values.items() if not isinstance(v, NotGiven)}
    body.update(extra_body or {})
    return body


def _is_file(value: object) -> bool:
    return isinstance(value, (bytes, bytearray, tuple)) or hasattr(value, "read")


def _form_field(value: object) -> str:
    if isinstance(value, pydantic.BaseModel):
        return json.dumps(value.model_dump(mode="json", by_alias=True, exclude_unset=True))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return _text(value)


def _encode(op: OperationSpec[Any, Any, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``httpx2.Client.build_request`` arguments that carry ``body``."""
    kind = _kind(op)
    if kind == "none":
        return {}
    if kind == "raw":
        raw = body.get("body", b"")
        return {"content": raw if isinstance(raw, (bytes, str)) else _form_field(raw)}
    if kind == "form":
        fields = [
            (name, _form_field(item))
            for name, value in body.items()
            for item in cast("list[object]", value if isinstance(value, list) else [value])
        ]
        return {"content": urlencode(fields).encode()}
    if kind == "multipart":
        # Every field is a part; a plain one is (None, text), so the body is multipart even
        # without a file (httpx2 would otherwise send a URL-encoded form).
        parts: list[tuple[str, Any]] = []
        for name, value in body.items():
            for item in cast("list[object]", value if isinstance(value, list) else [value]):
                if _is_file(item):
                    parts.append((name, cast("IO[bytes] | bytes | tuple[Any, ...]", item)))
                else:
                    parts.append((name, (None, _form_field(item))))
        return {"files": parts}
    return {"content": json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()}


_CONTENT_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "raw": "application/octet-stream",
}


def _kind(op: OperationSpec[Any, Any, Any]) -> str:
    return op.body if isinstance(op, VendorOperationSpec) else "json"


class _VendorCalls:
    """Encoding and reading shared by the blocking and the asyncio client."""

    @staticmethod
    def _rebuild(
        http: httpx2.Client | httpx2.AsyncClient,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        request: httpx2.Request,
    ) -> httpx2.Request:
        """``request`` (built by the base client for a JSON body) with ``op``'s encoding."""
        kind = _kind(op)
        returns = op.returns if isinstance(op, VendorOperationSpec) else "json"
        # A query written into the path (Anthropic's `/v1/messages?beta=true`): httpx2 drops
        # it when the call has query parameters of its own, so it is merged back, theirs last.
        fixed_query = op.path.partition("?")[2]
        if kind == "json" and returns == "json" and not fixed_query:
            return request
        url = request.url
        if fixed_query:
            url = url.copy_with(params=httpx2.QueryParams(fixed_query).merge(url.params))
        headers = httpx2.Headers(request.headers)
        headers.pop("Content-Length", None)
        headers.pop("Content-Type", None)  # multipart: httpx2 adds it with the boundary
        if kind in _CONTENT_TYPES:
            headers["Content-Type"] = _CONTENT_TYPES[kind]
        if returns == "binary":
            headers["Accept"] = "*/*"
        rebuilt = http.build_request(request.method, url, headers=headers, **_encode(op, body))
        rebuilt.extensions = dict(request.extensions)  # the timeout of this attempt
        return rebuilt

    def _answer(
        self, op: OperationSpec[_R, Any, Any], response: httpx2.Response, content: bytes
    ) -> _R | None:
        """The answer of a binary or untyped operation; None: parse it as a model."""
        returns = op.returns if isinstance(op, VendorOperationSpec) else "json"
        if returns == "binary":
            media = response.headers.get("content-type")
            return cast("_R", BinaryResponse(content=content, content_type=media))
        if returns == "any":
            try:
                value: Any = json.loads(content) if content.strip() else None
            except ValueError:  # documented as JSON, sent as something else: keep the text
                value = content.decode("utf-8", errors="replace")
            return cast("_R", JSONResponse(value))
        return None


class VendorSyncRequester(_VendorCalls, SyncRequester):
    """The blocking requester, with the encodings of :class:`VendorOperationSpec`."""

    def _send(
        self,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        options: CallOptions,
        stream: bool,
    ) -> Iterator[tuple[httpx2.Request, int, int]]:
        json_body: Mapping[str, Any] = body if _kind(op) == "json" else {}
        for request, retries_taken, max_retries in super()._send(op, json_body, options, stream):
            yield self._rebuild(self.http, op, body, request), retries_taken, max_retries

    def _parse(
        self, op: OperationSpec[_R, Any, Any], response: httpx2.Response, content: bytes
    ) -> _R:
        answer = self._answer(op, response, content)
        return answer if answer is not None else super()._parse(op, response, content)


class VendorAsyncRequester(_VendorCalls, AsyncRequester):
    """The asyncio requester, with the encodings of :class:`VendorOperationSpec`."""

    def _send(
        self,
        op: OperationSpec[Any, Any, Any],
        body: Mapping[str, Any],
        options: CallOptions,
        stream: bool,
    ) -> Iterator[tuple[httpx2.Request, int, int]]:
        json_body: Mapping[str, Any] = body if _kind(op) == "json" else {}
        for request, retries_taken, max_retries in super()._send(op, json_body, options, stream):
            yield self._rebuild(self.http, op, body, request), retries_taken, max_retries

    def _parse(
        self, op: OperationSpec[_R, Any, Any], response: httpx2.Response, content: bytes
    ) -> _R:
        answer = self._answer(op, response, content)
        return answer if answer is not None else super()._parse(op, response, content)


class VendorSyncClient(SyncAPIClient):
    """The blocking client machinery, sending through a :class:`VendorSyncRequester`."""

    _requester_class = VendorSyncRequester


class VendorAsyncClient(AsyncAPIClient):
    """The asyncio client machinery, sending through a :class:`VendorAsyncRequester`."""

    _requester_class = VendorAsyncRequester
