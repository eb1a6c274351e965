"""What a vendor package's client methods have that ``schemas/`` operations do not.

Path, query and header parameters; bodies sent as JSON, multipart or URL-encoded forms, raw
bytes or nothing; answers that are JSON, binary or an event stream; authentication declared
as a header parameter. :func:`vendor_operations` is the operations step the core's
:class:`~generator.core.build.Builder` is given (``Builder(spec, operations=...)``): the
builder is used as is, not subclassed, and this step reads each operation with the core's
:class:`~generator.core.client_view.ClientView` for what the two share (streams, request
parameters, docstrings, type hints). A strategy rather than the client view learning
parameters itself: the core's reading of ``schemas/`` refuses parameters, and keeps doing so.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from generator.core import ir
from generator.core.client_view import CALL_OPTIONS, ClientView
from generator.core.errors import join_pointer
from generator.core.index import Named, clean
from generator.core.load import Document
from generator.core.operations import iter_operations, security_of
from generator.vendor.names import py_identifier
from generator.vendor.read import MODULE

__all__ = ["VendorOperations", "vendor_operations"]

# Request media types the client sends, and how (generator/vendor/runtime/_vendor_client.py).
_ENCODINGS: dict[str, ir.BodyEncoding] = {
    "application/json": "json",
    "multipart/form-data": "multipart",
    "application/x-www-form-urlencoded": "form",
}


def vendor_operations(client: ClientView) -> list[ir.Operation]:
    """The operations step of a vendor build (``Builder(spec, operations=vendor_operations)``)."""
    return VendorOperations(client).build_operations()


class VendorOperations:
    """Operations read the way vendor documents write them, with the core's client view.

    Models, unions and enums are built exactly as for ``schemas/``. Operations differ: a
    vendor's have path, query and header parameters, bodies that are multipart forms or
    nothing, and answers that are not JSON, so each becomes an :class:`ir.Operation` with
    those filled in (the client templates print them; ``_vendor_client`` sends them). What
    the core shares (streams, request parameters, docstrings, type hints) comes from
    ``client``: the builder is the core's own, given this as its operations step.
    """

    def __init__(self, client: ClientView) -> None:
        self.client = client
        self.index = client.index

    def build_operations(self) -> list[ir.Operation]:
        """Every operation of the documents, authenticated the way most of them are."""
        out = []
        for doc in self.index.spec.documents.values():
            for path, method, op in iter_operations(doc.data):
                out.append(self.vendor_operation(doc, path, method, op))
        # An operation that declares no authentication takes the one most of the document's
        # use: Anthropic's declares its key as a header parameter of only some operations.
        usual = Counter(o.security for o in out if o.security).most_common(1)
        if usual:
            out = [o if o.security else dataclasses.replace(o, security=usual[0][0]) for o in out]
        return out

    def named_model(self, doc: Document, schema: Any) -> Named | None:
        """The model ``schema`` refers to; None for anything else (a union, a string)."""
        named = self.index.named_at(doc, schema)
        return named if named is not None and named.kind == "model" else None

    def vendor_operation(
        self, doc: Document, path: str, method: str, op: dict[str, Any]
    ) -> ir.Operation:
        """One operation: its body's encoding, its answer's kind, its stream and errors."""
        module = MODULE
        pointer = join_pointer("/paths", path, method)
        content = (op.get("requestBody") or {}).get("content") or {}
        request: Named | None = None
        encoding: ir.BodyEncoding = "none"
        for media, encoding_of in _ENCODINGS.items():
            if media in content:
                request = self.named_model(doc, content[media].get("schema"))
                encoding = encoding_of
                break
        else:
            if content:
                encoding = "raw"
        if encoding in ("json", "multipart", "form") and request is None:
            encoding = "raw"  # a body with no object schema: sent as given
        response_kind: ir.ResponseKind = "any"
        response_class, error_class = "JSONResponse", None
        stream = None
        for status, response in sorted((op.get("responses") or {}).items()):
            answer = response.get("content") or {}
            where = join_pointer(pointer, "responses", status, "content")
            if str(status).startswith("2") and response_kind == "any" and response_class:
                json_media = answer.get("application/json")
                if json_media is not None:
                    named = self.named_model(doc, json_media.get("schema"))
                    if named is not None:
                        self.index.use(module, named)
                        response_class, response_kind = named.py_name, "json"
                elif any(m != "text/event-stream" for m in answer):
                    response_class, response_kind = "BinaryResponse", "binary"
                sse = answer.get("text/event-stream")
                if isinstance(sse, dict) and stream is None and encoding in _ENCODINGS.values():
                    stream = self.client.build_stream(
                        doc,
                        join_pointer(where, "text/event-stream"),
                        sse,
                        sse["x-sdk-stream"],
                        module,
                    )
            elif not str(status).startswith("2") and error_class is None:
                named = self.named_model(doc, (answer.get("application/json") or {}).get("schema"))
                error_class = named.py_name if named is not None else None
        security, params = self.vendor_security(doc, op)
        operation = ir.Operation(
            operation_id=op["operationId"],
            resource=op["x-sdk-resource"],
            method=op["x-sdk-method"],
            http_method=method.upper(),
            path=path,
            summary=clean(op.get("summary", "")) or op["operationId"],
            description=clean(op.get("description", "")),
            module=module,
            request_class=request.py_name if request is not None else "",
            response_class=response_class,
            error_class=error_class,
            stream=stream,
            security=security,
            source=f"{doc.source}#{pointer}",
        )
        operation = self.client.client_view(operation, request if encoding != "raw" else None)
        return self.with_parameters(doc, pointer, operation, params, encoding, response_kind)

    def vendor_security(
        self, doc: Document, op: dict[str, Any]
    ) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
        """The operation's authentication, and the parameters left for the caller.

        Bearer tokens and API-key headers are supported (OAuth2 flows are skipped when the
        document offers an alternative); an ``x-api-key`` or ``authorization`` header
        *parameter* (Anthropic's documents declare the key that way) is authentication too.
        """
        security = [c.wire for c in security_of(doc.data, op).credentials]
        params = []
        for param in op.get("parameters") or []:
            name = str(param.get("name", ""))
            if param.get("in") == "header" and name.lower() == "x-api-key":
                security.append("header:x-api-key")
            elif param.get("in") == "header" and name.lower() == "authorization":
                security.append("bearer")
            else:
                params.append(param)
        return tuple(dict.fromkeys(security)), params

    def with_parameters(
        self,
        doc: Document,
        pointer: str,
        op: ir.Operation,
        params: list[dict[str, Any]],
        encoding: ir.BodyEncoding,
        response_kind: ir.ResponseKind,
    ) -> ir.Operation:
        """``op`` with its path, query and header parameters, and how it sends and answers."""
        body = op.params
        if encoding == "raw":
            body = (ir.RequestParam("content", "body", "bytes | str", True, "The request body."),)
        used = {p.py_name for p in body} | set(CALL_OPTIONS) | {"stream"}
        found: dict[str, list[ir.OperationParam]] = {"path": [], "query": [], "header": []}
        for index, param in enumerate(params):
            where = str(param.get("in"))
            if where not in found:
                continue  # cookies
            wire = str(param["name"])
            py = py_identifier(wire)
            if py in used:
                py = f"{py}_{where}"
            used.add(py)
            hint = self.client.hints.param_hint(
                doc, param.get("schema"), join_pointer(pointer, "parameters", index)
            )
            found[where].append(
                ir.OperationParam(
                    py_name=py,
                    wire_name=wire,
                    type_hint=hint,
                    required=bool(param.get("required")) or where == "path",
                    description=clean(param.get("description", "")),
                )
            )
        calls = [*found["path"], *found["query"], *found["header"]]
        lines = [
            f"    {p.py_name}: {' '.join(p.description.split()) or p.wire_name}" for p in calls
        ]
        docstring = op.docstring.replace(
            "\nArgs:\n", "\nArgs:\n" + "".join(f"{x}\n" for x in lines), 1
        )
        response_ref = op.response_ref
        if response_kind != "json":
            response_ref = f"_vendor_client.{op.response_class}"
        return dataclasses.replace(
            op,
            request_ref=op.request_ref if op.request_class else "",
            response_ref=response_ref,
            params=body,
            docstring=docstring,
            path_params=tuple(found["path"]),
            query_params=tuple(found["query"]),
            header_params=tuple(found["header"]),
            sends_model=encoding == "json",
            body_encoding=encoding,
            response_kind=response_kind,
        )
