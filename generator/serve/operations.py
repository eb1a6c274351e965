"""The operations of the OpenAPI documents, read into what the server checks and answers.

Needs jsonschema only: importing this module does not need the ``serve`` extra.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry

from generator.core.errors import join_pointer
from generator.core.load import Document, Spec, lookup
from generator.core.operations import iter_operations, security_of

__all__ = [
    "ERROR_TYPES",
    "ErrorShape",
    "Operation",
    "Stream",
    "first_violation",
    "read_operations",
]

ERROR_TYPES = {
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
        preferred = ERROR_TYPES.get(
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
    response: Draft202012Validator | None = None  # the JSON answer's schema
    registry: Registry[Any] | None = None  # resolves the schemas' references

    def response_examples(self, *path: str) -> list[Any]:
        """The ``examples`` the response schema gives at a path of property names (arrays,
        references and ``anyOf``/``oneOf``/``allOf`` branches looked through)."""
        if self.response is None or self.registry is None:
            return []
        nodes = _expand(self.response.schema, self.registry.resolver())
        for key in path:
            nodes = [
                found
                for schema, resolver in nodes
                if key in (schema.get("properties") or {})
                for found in _expand(schema["properties"][key], resolver)
            ]
        return [example for schema, _ in nodes for example in schema.get("examples") or []]


_Node = tuple[dict[str, Any], Any]  # (schema, the referencing resolver to resolve its refs)


def _expand(schema: Any, resolver: Any, depth: int = 0) -> list[_Node]:
    """``schema`` and the schemas it stands for: its reference's target, its branches and,
    for an array, its items."""
    if not isinstance(schema, dict) or depth > 16:
        return []
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        return _expand(resolved.contents, resolved.resolver, depth + 1)
    out: list[_Node] = [(schema, resolver)]
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            out += _expand(branch, resolver, depth + 1)
    if "items" in schema:
        out += _expand(schema["items"], resolver, depth + 1)
    return out


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
    response_ref = None
    stream = None
    error_ref = None
    for status, response in sorted((op.get("responses") or {}).items()):
        content = response.get("content") or {}
        if str(status).startswith("2"):
            json_ref = response_ref = content["application/json"]["schema"]["$ref"]
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
        response=_validator(spec, doc, response_ref) if response_ref else None,
        registry=spec.registry,
    )


def first_violation(validator: Draft202012Validator, instance: Any) -> tuple[str, str] | None:
    """(JSON pointer, message) of the most relevant violation, or None when ``instance`` is valid."""
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    return join_pointer("", *error.absolute_path), error.message
