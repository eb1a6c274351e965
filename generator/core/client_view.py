"""The client's side of the IR: operations, their parameters and docstrings, streams, resources.

Each OpenAPI operation becomes an :class:`ir.Operation` carrying what the client templates
print: the request properties as keyword parameters, the docstring, the module-qualified
classes and, for ``text/event-stream`` answers, the stream. ``x-sdk-resource`` paths become
the tree of resource classes.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from generator.core import ir
from generator.core.errors import join_pointer
from generator.core.hints import Hints
from generator.core.index import Named, SchemaIndex, clean, qualified
from generator.core.load import Document
from generator.core.naming import module_name_for, pascal, py_field_name, snake
from generator.core.operations import iter_operations, operation_pointer, security_of

# Keyword parameters every client method has; a request property of the same name gets a "_".
CALL_OPTIONS = frozenset(
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "stream"}
)


class ClientView:
    """Builds the operations and resources of the client, reading ``index``."""

    def __init__(self, index: SchemaIndex, hints: Hints) -> None:
        self.index = index
        self.hints = hints

    def build_operations(self) -> list[ir.Operation]:
        out = []
        seen: dict[tuple[str, str], str] = {}
        for doc in self.index.spec.documents.values():
            if not doc.is_openapi:
                continue
            module = module_name_for(doc.path)
            for path, method, op in iter_operations(doc.data):
                pointer = operation_pointer(path, method)
                name = (str(op.get("x-sdk-resource")), str(op.get("x-sdk-method")))
                if name in seen:  # the second definition would silently replace the first
                    message = f"client.{name[0]}.{name[1]} is already {seen[name]}"
                    self.index.error(doc, join_pointer(pointer, "x-sdk-method"), message)
                    continue
                seen[name] = f"{doc.source}#{pointer}"
                out.append(self.build_operation(doc, module, path, method, op))
        return [o for o in out if o is not None]

    def build_operation(
        self,
        doc: Document,
        module: str,
        path: str,
        method: str,
        op: dict[str, Any],
    ) -> ir.Operation | None:
        pointer = operation_pointer(path, method)
        for required in ("operationId", "x-sdk-resource", "x-sdk-method"):
            if required not in op:
                self.index.error(doc, pointer, f"operation needs {required}")
                return None
        item = doc.data["paths"][path]
        for owner, where in ((item, join_pointer("/paths", path)), (op, pointer)):
            for index, _ in enumerate(owner.get("parameters") or []):
                # A client method sends one JSON body; a parameter it would drop is an error,
                # not a silent gap (vendor documents with parameters: `generate --spec`).
                message = "path, query and header parameters are not part of these operations"
                self.index.error(doc, join_pointer(where, "parameters", index), message)

        def class_of(schema: Any, where: str) -> str | None:
            if not isinstance(schema, dict) or "$ref" not in schema:
                self.index.error(doc, where, "must be a $ref to a named schema")
                return None
            named = self.index.named.get(self.index.ref_key(doc, schema["$ref"]))
            if named is None:
                self.index.error(doc, where, "must be a $ref to a named schema")
                return None
            self.index.use(module, named)
            return named.py_name

        body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
        request = class_of((body or {}).get("schema"), join_pointer(pointer, "requestBody"))
        response_class = error_class = None
        stream = None
        for status, response in sorted((op.get("responses") or {}).items()):
            content = response.get("content") or {}
            where = join_pointer(pointer, "responses", status, "content")
            if str(status).startswith("2"):
                if "application/json" in content:
                    response_class = class_of(
                        content["application/json"].get("schema"),
                        join_pointer(where, "application/json", "schema"),
                    )
                if "text/event-stream" in content:
                    media = content["text/event-stream"]
                    ext = media.get("x-sdk-stream")
                    if ext is None:
                        self.index.error(
                            doc,
                            join_pointer(where, "text/event-stream"),
                            "a text/event-stream response needs x-sdk-stream",
                        )
                        continue
                    item = class_of(
                        media.get("schema"), join_pointer(where, "text/event-stream", "schema")
                    )
                    if item:
                        stream = self.build_stream(
                            doc, join_pointer(where, "text/event-stream"), media, ext, module
                        )
            elif "application/json" in content and error_class is None:
                error_class = class_of(
                    content["application/json"].get("schema"),
                    join_pointer(where, "application/json", "schema"),
                )
        if request is None or response_class is None:
            if response_class is None:
                self.index.error(
                    doc,
                    join_pointer(pointer, "responses"),
                    "operation needs a 2XX application/json response",
                )
            return None
        security = security_of(doc.data, op)
        for name in security.unknown:
            self.index.error(
                doc, join_pointer(pointer, "security"), f"unknown security scheme {name!r}"
            )
        for name in security.unsupported:
            self.index.error(
                doc,
                join_pointer("/components/securitySchemes", name),
                "only bearer and header API keys are supported",
            )
        structured = op.get("x-sdk-structured-output") or {}
        operation = ir.Operation(
            operation_id=op["operationId"],
            resource=op["x-sdk-resource"],
            method=op["x-sdk-method"],
            http_method=method.upper(),
            path=path,
            summary=clean(op.get("summary", "")),
            description=clean(op.get("description", "")),
            module=module,
            request_class=request,
            response_class=response_class,
            error_class=error_class,
            stream=stream,
            security=tuple(c.wire for c in security.credentials),
            source=f"{doc.source}#{pointer}",
            structured_dialect=structured.get("dialect"),
            structured_native=bool(structured.get("native", True)),
        )
        request_named = (
            self.index.named.get(self.index.ref_key(doc, body["schema"]["$ref"])) if body else None
        )
        return self.client_view(operation, request_named)

    def build_stream(
        self, doc: Document, where: str, media: dict[str, Any], ext: dict[str, Any], module: str
    ) -> ir.Stream | None:
        item = self.index.named_at(doc, media.get("schema"))
        if item is None:
            return None
        final_ref = final_method = None
        final_set = "{}"
        accumulate = ext.get("accumulate")
        if isinstance(accumulate, dict):
            final = self.index.named_at(doc, accumulate.get("into"))
            if final is None or final.kind != "model":
                self.index.error(
                    doc,
                    join_pointer(where, "x-sdk-stream", "accumulate", "into"),
                    "must be a $ref to a named object schema",
                )
            else:
                final_ref = qualified(final)
                final_method = accumulate["method"]
                final_set = repr(dict(accumulate.get("set") or {}))
        return ir.Stream(
            framing=ext["framing"],
            terminator=ext.get("terminator"),
            item_hint=item.py_name,
            item_module=item.module,
            skip=tuple(ext.get("skip") or ()),
            error_event=ext.get("error-event"),
            error_property=ext.get("error-property"),
            end_events=tuple(ext.get("end-events") or ()),
            failure_events=tuple(ext.get("failure-events") or ()),
            item_ref=qualified(item),
            final_ref=final_ref,
            final_set_repr=final_set,
            final_method=final_method,
        )

    def client_view(self, op: ir.Operation, request: Named | None) -> ir.Operation:
        """``op`` with what the client templates print: parameters, docstring, names."""
        module_ref = f"_{op.module}"
        params = self.request_params(request, streams=op.stream is not None) if request else ()
        intro = [op.summary, "", op.description] if op.description else [op.summary]
        args = ["", "Args:"] + [
            f"    {p.py_name}: {' '.join(p.description.split()) or p.wire_name}" for p in params
        ]
        raises = [
            "",
            "Raises an APIError subclass when the call fails, or pydantic.ValidationError",
            "before sending anything when an argument is invalid.",
        ]
        stream_arg = (
            ["    stream: True for a stream of typed events instead of one response."]
            if op.stream is not None
            else []
        )
        final = op.stream.final_method if op.stream is not None else None
        helper = [
            f"Stream ``{op.method}`` and fold its events as they arrive.",
            "",
            f"``with client.{op.resource}.stream(...) as s:`` sends the request; iterate ``s``",
            f"for the typed events or ``s.text_stream`` for the text, then ``s.{final}()``",
            "gives the object the non-streamed call returns. Leaving the block closes the",
            "connection.",
            "",
            *intro,
        ]
        async_helper = [
            f"Stream ``{op.method}`` and fold its events as they arrive.",
            "",
            f"``async with client.{op.resource}.stream(...) as s:`` sends the request; iterate",
            "``s`` with ``async for`` for the typed events, or ``s.text_stream`` for the text,",
            f"then ``await s.{final}()`` gives the object the non-streamed call returns.",
            "Leaving the block closes the connection.",
            "",
            *intro,
        ]
        structured = bool(op.structured_dialect)
        if structured and op.stream is not None:
            helper += STRUCTURED_STREAM
            async_helper += STRUCTURED_STREAM
        resource_class = "".join(pascal(part) for part in op.resource.split("."))
        return dataclasses.replace(
            op,
            const_name=snake(op.operation_id).upper(),
            request_ref=f"{module_ref}.{op.request_class}",
            response_ref=f"{module_ref}.{op.response_class}",
            error_ref=f"{module_ref}.{op.error_class}" if op.error_class else None,
            params=params,
            docstring="\n".join(intro + args + stream_arg + raises),
            stream_docstring="\n".join(helper + args + raises),
            async_stream_docstring="\n".join(async_helper + args + raises),
            parse_docstring="\n".join(PARSE_DOC) if structured else "",
            run_tools_docstring="\n".join(RUN_TOOLS_DOC) if structured else "",
            stream_class=(
                f"{resource_class}Stream"
                if op.stream is not None and op.stream.final_ref is not None
                else None
            ),
        )

    def request_params(self, request: Named, streams: bool) -> tuple[ir.RequestParam, ...]:
        schema, doc = request.schema, request.doc
        required = set(schema.get("required", []))
        out = []
        for wire, prop in (schema.get("properties") or {}).items():
            if streams and wire == "stream":
                continue  # the overloads declare it: it decides the return type
            py = py_field_name(wire)
            if py in CALL_OPTIONS:
                py += "_"
            where = join_pointer(request.key.pointer, "properties", wire)
            _, _, resolved = self.index.deref(doc, prop)
            description = prop.get("description", "") if isinstance(prop, dict) else ""
            if not description and isinstance(resolved, dict):
                description = resolved.get("description", "")
            for source in (prop, resolved):
                if isinstance(source, dict) and "default" in source:
                    description = f"{description} Default: {json.dumps(source['default'])}."
                    break
            out.append(
                ir.RequestParam(
                    py_name=py,
                    wire_name=wire,
                    type_hint=self.hints.param_hint(doc, prop, where),
                    required=wire in required,
                    description=clean(description),
                )
            )
        # Required parameters first: keyword-only, so order is only for reading.
        return tuple(sorted(out, key=lambda p: not p.required))

    def build_resources(
        self, operations: list[ir.Operation]
    ) -> tuple[tuple[ir.Resource, ...], tuple[tuple[str, str], ...]]:
        """The resource tree of ``x-sdk-resource`` paths, flattened children-first."""
        paths: set[str] = set()
        for op in operations:
            parts = op.resource.split(".")
            paths.update(".".join(parts[: i + 1]) for i in range(len(parts)))

        def class_name(path: str) -> str:
            return "".join(pascal(part) for part in path.split("."))

        resources = []
        for path in sorted(paths, key=lambda p: (-p.count("."), p)):
            children = tuple(
                (child.rsplit(".", 1)[1], class_name(child))
                for child in sorted(paths)
                if child.count(".") == path.count(".") + 1 and child.startswith(path + ".")
            )
            ops = tuple(
                sorted((o for o in operations if o.resource == path), key=lambda o: o.method)
            )
            resources.append(ir.Resource(path, class_name(path), children, ops))
        top = tuple((p, class_name(p)) for p in sorted(paths) if "." not in p)
        return tuple(resources), top


STRUCTURED_STREAM = [
    "",
    "With a pydantic model class as ``response_format`` (or with ``structured_output``),",
    "the answer is structured output: ``s.current_parsed()`` (or ``s.parsed_stream``) gives",
    "it parsed from its partial JSON as it arrives, and ``s.get_final_parsed()`` the",
    "validated answer as ``parsed`` (no re-ask: an answer that does not validate raises",
    "OutputValidationError). ``structured_output`` is as for ``parse``.",
]
PARSE_DOC = [
    "``create``, asking for an answer matching ``response_format`` (a pydantic model",
    "class, a ``{name, schema}`` or ``json_schema`` format, or a JSON Schema) and returning",
    "it validated as ``parsed``; ``None`` with ``refusal`` when the model refuses.",
    "",
    "``structured_output``: ``native`` sends the format as the family's",
    "``response_format``, ``tool`` forces one tool named after the format whose input is",
    "the answer, ``auto`` is native where the family has a native mode. An answer that",
    "does not validate is re-asked with its errors up to ``max_output_retries`` times",
    "(1), then OutputValidationError is raised. The other arguments are ``create``'s.",
]
RUN_TOOLS_DOC = [
    "``create`` in a loop with Python functions as ``tools``: every tool call of an",
    "answer is run and its result sent back, until an answer calls none (the result's",
    "``response``). ``on_turn`` sees each turn as it completes; after ``max_turns``",
    "answers that still call tools, MaxTurnsExceededError is raised.",
    "",
    "With a ``response_format`` the final answer is validated and re-asked as ``parse``",
    "does it, and the result also carries ``parsed``. The other arguments are ``create``'s.",
]
