"""The normaliser's operations: paths, parameters, bodies, responses and streams.

:class:`PathReader` reduces each operation to what the core reads (its parameters inlined,
bodies and answers with their schemas rewritten, a response shared by several operations
kept as one object), says which answers are event streams and how they frame and end, and
names every operation (:func:`~generator.vendor.names.name_operations`).
"""

from __future__ import annotations

from typing import Any

from generator.core.operations import iter_operations
from generator.vendor.names import name_operations
from generator.vendor.rewrite import SchemaRewriter
from generator.vendor.trees import component_name, ref_name, schema_ref, sdk_keys

__all__ = ["PathReader"]


class PathReader:
    """The document's operations, rewritten with ``rewriter``'s schemas."""

    def __init__(self, data: dict[str, Any], rewriter: SchemaRewriter) -> None:
        self.data = data
        self.rewriter = rewriter
        # components/responses used by several operations: one entry (and class) each.
        self.shared_responses: dict[str, dict[str, Any]] = {}
        self.response_names: dict[int, str] = {}

    @property
    def schemas(self) -> dict[str, Any]:
        """The named schemas, normalised (the rewriter's)."""
        return self.rewriter.schemas

    def component_ref(self, kind: str, value: Any) -> Any:
        """Inline a ``$ref`` to ``#/components/<kind>/X`` (parameters, bodies, responses)."""
        seen = 0
        while isinstance(value, dict) and isinstance(value.get("$ref"), str) and seen < 8:
            prefix = f"#/components/{kind}/"
            if not value["$ref"].startswith(prefix):
                return value
            name = value["$ref"][len(prefix) :]
            value = ((self.data.get("components") or {}).get(kind) or {}).get(name, {})
            seen += 1
        return value

    def paths(self) -> dict[str, Any]:
        """Operations reduced to what build reads: parameters, bodies and responses."""
        out: dict[str, Any] = {}
        for path, method, op in iter_operations(self.data):
            item = self.data["paths"][path]
            params: dict[tuple[str, str], dict[str, Any]] = {}
            for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
                param = self.component_ref("parameters", raw)
                if not isinstance(param, dict) or "name" not in param:
                    continue
                entry = {
                    k: param[k] for k in ("name", "in", "required", "description") if k in param
                }
                entry["schema"] = self.rewriter.schema(param.get("schema") or {}, "")
                params[(str(param.get("in")), str(param["name"]))] = entry
            new: dict[str, Any] = {
                k: op[k] for k in ("operationId", "summary", "description", "security") if k in op
            }
            if not isinstance(new.get("operationId"), str) or not new["operationId"]:
                new["operationId"] = f"{method}_{path}"
            if params:
                new["parameters"] = list(params.values())
            body = self.component_ref("requestBodies", op.get("requestBody"))
            if isinstance(body, dict) and isinstance(body.get("content"), dict):
                new["requestBody"] = {
                    "required": bool(body.get("required")),
                    "content": {
                        media: {"schema": self.rewriter.schema((obj or {}).get("schema") or {}, "")}
                        for media, obj in body["content"].items()
                    },
                }
            responses: dict[str, Any] = {}
            for status, raw in (op.get("responses") or {}).items():
                shared = component_name("responses", raw)
                if shared is not None and shared in self.shared_responses:
                    responses[str(status)] = self.shared_responses[shared]
                    continue
                response = self.component_ref("responses", raw)
                if not isinstance(response, dict):
                    continue
                entry = {"description": response.get("description", "")}
                if isinstance(response.get("content"), dict):
                    entry["content"] = {
                        media: {
                            "schema": self.rewriter.schema((obj or {}).get("schema") or {}, ""),
                            **sdk_keys(obj if isinstance(obj, dict) else {}),
                        }
                        for media, obj in response["content"].items()
                    }
                if shared is not None:
                    # One response object shared by many operations: one class, named after it.
                    self.shared_responses[shared] = entry
                    self.response_names[id(entry)] = shared
                responses[str(status)] = entry
            new["responses"] = responses
            self.fern_stream(op, new)
            out.setdefault(path, {})[method] = new
        self.infer_streams(out)
        name_operations(out)
        return out

    def stream_errors(self, paths: dict[str, Any]) -> None:
        """A data-only stream whose events have no ``error`` property of their own treats a
        payload with one as a failure (``{"type": "error", "error": {...}}``): the client
        raises StreamError instead of yielding it."""
        for item in paths.values():
            for op in item.values():
                for response in (op.get("responses") or {}).values():
                    media = (response.get("content") or {}).get("text/event-stream")
                    if not isinstance(media, dict) or "x-sdk-stream" not in media:
                        continue
                    declared = media["x-sdk-stream"]
                    if "error-event" in declared or "error-property" in declared:
                        continue  # the stream says how it reports errors (an overlay's)
                    events = self.rewriter.resolve(media.get("schema"))
                    members = [events]
                    if isinstance(events, dict):
                        members += [
                            self.rewriter.resolve(m)
                            for m in events.get("oneOf") or events.get("anyOf") or []
                        ]
                    if not any("error" in ((m or {}).get("properties") or {}) for m in members):
                        media["x-sdk-stream"]["error-property"] = "error"

    def fern_stream(self, op: dict[str, Any], new: dict[str, Any]) -> None:
        """Cohere's ``x-fern-streaming`` is the only place its document says an operation
        streams (SSE, ``[DONE]``): its ``response`` and ``response-stream`` schemas become the
        JSON and the ``text/event-stream`` answers. Line-delimited JSON streams are left out:
        the client reads server-sent events."""
        fern = op.get("x-fern-streaming")
        if not isinstance(fern, dict) or fern.get("format") != "sse":
            return
        if "response" not in fern or "response-stream" not in fern:
            return
        ok = new["responses"].setdefault("200", {"description": "OK"})
        ok["content"] = {
            "application/json": {"schema": self.rewriter.schema(fern["response"], "")},
            "text/event-stream": {
                "schema": self.rewriter.schema(fern["response-stream"], ""),
                "x-sdk-stream": {"framing": "data-only", "terminator": fern.get("terminator")},
            },
        }

    def infer_streams(self, paths: dict[str, Any]) -> None:
        """Declared ``text/event-stream`` answers get ``x-sdk-stream``; an operation whose
        JSON request has a boolean ``stream`` and whose answer ``X`` has an ``XStreamEvent``
        schema (``…Response``: a ``…StreamResponse``) streams those: Anthropic's and Azure's
        2024-10-21 documents declare no event streams."""
        for item in paths.values():
            for op in item.values():
                for status, response in (op.get("responses") or {}).items():
                    content = response.get("content") or {}
                    media = content.get("text/event-stream")
                    if isinstance(media, dict):
                        media.setdefault(
                            "x-sdk-stream", {"framing": "data-only", "terminator": "[DONE]"}
                        )
                        continue
                    if not str(status).startswith("2") or "application/json" not in content:
                        continue
                    answer = ref_name(content["application/json"]["schema"].get("$ref", ""))
                    body = ((op.get("requestBody") or {}).get("content") or {}).get(
                        "application/json"
                    )
                    request = self.rewriter.resolve((body or {}).get("schema"))
                    flag = ((request or {}).get("properties") or {}).get("stream")
                    named = [f"{answer}StreamEvent"]
                    if answer and answer.endswith("Response"):
                        named.append(answer[: -len("Response")] + "StreamResponse")
                    events = next((n for n in named if n in self.schemas), "")
                    if answer and isinstance(flag, dict) and events:
                        if flag.get("type") in ("boolean", ["boolean", "null"]):
                            content["text/event-stream"] = {
                                "schema": {"$ref": schema_ref(events)},
                                "x-sdk-stream": {"framing": "data-only", "terminator": "[DONE]"},
                            }
