"""Vendor OpenAPI documents in: rewrite one into the shapes ``build`` already understands.

A published vendor document (OpenAI, Anthropic, Cohere, Azure OpenAI) is not written for this
generator: it mixes OpenAPI 3.0 and 3.1 idioms, names little, and says nothing in ``x-sdk-*``.
Rather than a second generator, this module is a front end of the same pipeline: it reads
the document, normalises it into an OpenAPI 3.1 document of the kind ``schemas/`` holds, and
hands a :class:`~generator.load.Spec` to :func:`generator.build.build`. docs/vendor-specs.md
lists every rewrite and why.

* ``nullable: true`` becomes ``type: [T, "null"]`` or ``anyOf: [X, {type: null}]``; a named
  schema that is nullable stays one class and every reference to it becomes ``X | None``;
* ``$recursiveRef`` becomes a ``$ref`` to the named schema it sits in; a ``$ref`` keeps its
  annotations (``description``, ``default``) and drops other siblings;
* ``format: unixtime`` is an integer; ``allOf`` is merged into one object (or reduced to its
  one meaningful member); vendor ``x-`` extensions and examples are dropped;
* discriminators: inline tagged unions and inline variants are lifted into named schemas; a
  variant whose tag is a multi-value enum gets one mapping entry per value; the tag is
  required; a discriminator that cannot be honoured (a variant that is not an object, two
  variants with one tag) leaves a plain ``oneOf``;
* every inline object gets a class name from its place (``ParentProperty``); when that name
  is taken, more of the place is spelt out (``ParentPropertyItem``), never a counter;
* operations get ``x-sdk-resource``/``x-sdk-method`` from their path and HTTP method, and
  ``text/event-stream`` responses get ``x-sdk-stream``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import keyword
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from generator.core import ir
from generator.core.build import Builder, Named, clean
from generator.core.client_view import CALL_OPTIONS, ClientView
from generator.core.errors import SchemaError, SchemaErrors, join_pointer
from generator.core.load import (
    SCHEMA_LISTS,
    SCHEMA_MAPS,
    SCHEMA_SINGLES,
    Document,
    Spec,
    parse_document,
)
from generator.core.naming import is_reserved
from generator.core.operations import iter_operations, security_of

MODULE = "models"
# Request media types the client sends, and how (generator/vendor/runtime/_vendor_client.py).
_ENCODINGS = {
    "application/json": "json",
    "multipart/form-data": "multipart",
    "application/x-www-form-urlencoded": "form",
}
SCHEMAS = "/components/schemas/"

# Keys that carry nothing the generated code uses; dropping them keeps the IR small.
_DROP = frozenset(
    {"example", "examples", "externalDocs", "xml", "readOnly", "writeOnly", "deprecated", "$schema"}
)
_SCHEMA_MAPS, _SCHEMA_ONE, _SCHEMA_LISTS = SCHEMA_MAPS, SCHEMA_SINGLES, SCHEMA_LISTS
_ANNOTATIONS = ("description", "title", "default")
_NULL: dict[str, Any] = {"type": "null"}
# Names the generated module imports; a schema may not take them.
_RESERVED = frozenset(
    {
        "Annotated",
        "Any",
        "ClassVar",
        "Field",
        "KNOWN_VALUES_ONLY",
        "Literal",
        "NoReturn",
        "OpenEnum",
        "RequestModel",
        "SDKModel",
        "SendsDefaults",
        "Sequence",
        "TYPE_CHECKING",
        "UnionBase",
    }
)


def _reserved(name: str) -> bool:
    """A class name the generated modules cannot take (their imports, keywords, builtins)."""
    return name in _RESERVED or is_reserved(name)


def pascal(name: str) -> str:
    """``chat.completion_chunk`` → ``ChatCompletionChunk`` (the same rule as build.pascal)."""
    parts = re.split(r"[^0-9A-Za-z]+", name)
    out = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not out or out[0].isdigit():
        out = "T" + out
    return out


@dataclass
class VendorDocument(Document):
    """A vendor document after normalisation; errors name the original file.

    The line map is only built when an error needs it: parsing the 3 MB OpenAI document with
    one is several times slower than without, and a successful run never looks at it.
    """

    source_file: str = ""
    _lines_ready: bool = field(default=False, repr=False)

    @property
    def source(self) -> str:
        """Generated files name the document by its file name: the same on every machine."""
        return Path(self.source_file).name

    def line(self, pointer: str) -> int | None:
        if not self._lines_ready:
            self._lines_ready = True
            parsed, _ = parse_document(self.path, self.text)
            if parsed is not None:
                self.lines = parsed.lines
        return super().line(pointer)

    def error(self, pointer: str, message: str) -> SchemaError:
        return SchemaError(self.source_file, pointer, self.line(pointer), message)


def read(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a vendor document: JSON when it is JSON (whatever its suffix), else YAML."""
    text = path.read_text(encoding="utf-8")
    data: Any = None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
    if data is None:
        try:
            loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,misc,unused-ignore]
        except AttributeError:  # pragma: no cover - depends on how PyYAML was built
            loader = yaml.SafeLoader
        try:
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise SchemaErrors([SchemaError(str(path), "", None, f"cannot parse: {exc}")]) from exc
    if not isinstance(data, dict) or "openapi" not in data:
        raise SchemaErrors([SchemaError(str(path), "", 1, "not an OpenAPI document")])
    return data, text


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
        named = self.index.named_at(doc, schema)
        return named if named is not None and named.kind == "model" else None

    def vendor_operation(
        self, doc: Document, path: str, method: str, op: dict[str, Any]
    ) -> ir.Operation:
        module = MODULE
        pointer = join_pointer("/paths", path, method)
        content = (op.get("requestBody") or {}).get("content") or {}
        request: Named | None = None
        encoding = "none"
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
        response_class, response_kind, error_class = "JSONResponse", "any", None
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
        encoding: str,
        response_kind: str,
    ) -> ir.Operation:
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


def build_package(path: Path, package: str, env_prefix: str | None = None) -> ir.Package:
    """The IR of the package ``package`` generated from the vendor document at ``path``.

    The package speaks for itself: it reads ``<env_prefix>_API_KEY`` and ``<env_prefix>_BASE_URL``
    (``env_prefix`` defaults to the package name upper-cased), logs and sends its User-Agent
    under its own name, and calls the document's first absolute server URL by default.
    """
    spec = load_vendor(path)
    built = Builder(
        spec, package=package, lenient_responses=True, operations=vendor_operations
    ).build()
    (doc,) = spec.documents.values()
    title = str((doc.data.get("info") or {}).get("title") or path.name)
    base_url = server_url(doc.data.get("servers"))
    return dataclasses.replace(
        built,
        source_document=doc.source,
        title=title,
        env_prefix=package.upper() if env_prefix is None else env_prefix,
        error_class=error_class_name(package),
        retry_count_header=retry_count_header(package),
        default_base_url=base_url,
        no_base_url_reason="" if base_url else " (the document names no absolute server URL)",
    )


# What a default base URL may contain (RFC 3986's characters): the URL is printed into string
# literals and docstrings of the generated code, so nothing that could end either gets in.
_URL_TEXT = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
# The exceptions of the runtime (generator/runtime/_errors.py): a base class may not take a name.
_ERROR_NAMES = frozenset(
    {
        "APIConnectionError",
        "APIError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "InvalidRequestError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ServerError",
        "StreamError",
    }
)


def server_url(servers: Any) -> str | None:
    """The first absolute ``http(s)`` URL of ``servers``, its variables set to their defaults.

    A relative URL (``/v1``), a variable without a default or no ``servers`` at all give no
    URL: the client then needs ``base_url=`` or the environment.
    """
    for server in servers if isinstance(servers, list) else []:
        url = server.get("url") if isinstance(server, dict) else None
        if not isinstance(url, str):
            continue
        variables = server.get("variables")
        variables = variables if isinstance(variables, dict) else {}
        resolved = url.strip()
        for name in _SERVER_VARIABLE.findall(resolved):
            variable = variables.get(name)
            default = variable.get("default") if isinstance(variable, dict) else None
            if isinstance(default, str):
                resolved = resolved.replace("{" + name + "}", default)
        if _SERVER_VARIABLE.search(resolved) or not _URL_TEXT.fullmatch(resolved):
            continue  # a variable without a default, or text no URL has
        parts = urlsplit(resolved)
        if parts.scheme in ("http", "https") and parts.netloc:
            return resolved
    return None


def error_class_name(package: str) -> str:
    """``acme`` → ``AcmeError``: the package's base exception (``openai_sdk`` → ``OpenaiSdkError``)."""
    name = pascal(package) + "Error"
    return name if name not in _ERROR_NAMES else pascal(package) + "PackageError"


def retry_count_header(package: str) -> str:
    """``openai_sdk`` → ``X-Openai-Sdk-Retry-Count`` (no underscores: proxies drop such headers)."""
    words = [w.capitalize() for w in re.split(r"[^0-9A-Za-z]+", package) if w]
    return "-".join(["X", *words, "Retry", "Count"])


def load_vendor(path: Path, module: str = MODULE) -> Spec:
    """Read and normalise one vendor document into a :class:`Spec` of one document."""
    data, text = read(path)
    normalised = Normaliser(data).run()
    doc = VendorDocument(
        path=f"{module}.yaml", data=normalised, lines={"": 1}, text=text, source_file=str(path)
    )
    return Spec(root=path.parent, documents={doc.path: doc})


def _component_name(kind: str, value: Any) -> str | None:
    """``X`` when ``value`` is ``{$ref: "#/components/<kind>/X"}``."""
    ref = value.get("$ref") if isinstance(value, dict) else None
    prefix = f"#/components/{kind}/"
    return ref[len(prefix) :] if isinstance(ref, str) and ref.startswith(prefix) else None


def _ref_name(ref: str) -> str | None:
    """The component name of a ``#/components/schemas/X`` reference, else None."""
    if ref.startswith("#" + SCHEMAS):
        name = ref[len(SCHEMAS) + 1 :]
        if "/" not in name:
            return name.replace("~1", "/").replace("~0", "~")
    return None


def _ref(name: str) -> str:
    return "#" + SCHEMAS + name.replace("~", "~0").replace("/", "~1")


def _any(value: Any) -> bool:
    return True


_JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null" and len(schema) == 1


class Normaliser:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        components = data.get("components") or {}
        self.raw: dict[str, Any] = dict(components.get("schemas") or {})
        self.schemas: dict[str, Any] = {}  # normalised named schemas
        self.busy: set[str] = set()
        self.nullable: set[str] = set()  # named schemas whose references admit null
        self.taken: set[str] = set()  # Python class names in use
        self.errors: list[SchemaError] = []
        # components/responses used by several operations: one entry (and class) each.
        self.shared_responses: dict[str, dict[str, Any]] = {}
        self.response_names: dict[int, str] = {}
        self.by_shape: dict[str, str] | None = None

    # --- pass 1: per-schema rewrites ----------------------------------------------------

    def component(self, name: str) -> Any:
        """The normalised named schema ``name`` (normalised on first use)."""
        if name in self.schemas:
            return self.schemas[name]
        if name in self.busy or name not in self.raw:
            return {}
        self.busy.add(name)
        schema = self.schema(self.raw[name], name, root=True)
        self.busy.discard(name)
        self.schemas[name] = schema
        return schema

    def resolve(self, schema: Any) -> Any:
        """Follow a reference to a named schema (normalised); other schemas as they are."""
        seen: set[str] = set()
        while isinstance(schema, dict) and "$ref" in schema:
            name = _ref_name(schema["$ref"])
            if name is None or name in seen:
                return {}
            seen.add(name)
            schema = self.component(name)
        return schema

    def schema(self, schema: Any, owner: str, root: bool = False) -> Any:
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key.startswith("x-") or key in _DROP:
                continue
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {k: self.schema(v, owner) for k, v in value.items()}
            elif key in _SCHEMA_ONE:
                out[key] = self.schema(value, owner)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.schema(v, owner) for v in value]
            elif key == "$recursiveRef":
                out["$ref"] = _ref(owner)
            else:
                out[key] = value
        if "$ref" in out:
            nullable = out.get("nullable") is True
            out = {k: out[k] for k in ("$ref", *_ANNOTATIONS) if k in out}
            if nullable:
                out["nullable"] = True
        if out.get("format") == "binary" and out.get("type") == "string":
            # A file field of a multipart body: bytes, a file object or (name, bytes, type).
            out = {k: v for k, v in out.items() if k in _ANNOTATIONS}
        if out.get("format") == "unixtime":
            del out["format"]
            if out.get("type") in (None, "number", "string"):
                out["type"] = "integer"
        if isinstance(out.get("type"), list) and "null" in out["type"] and "enum" in out:
            # `type: [string, "null"]` with an enum: the enum alone would drop the null.
            out["type"] = [t for t in out["type"] if t != "null"]
            out["nullable"] = True
            if len(out["type"]) == 1:
                out["type"] = out["type"][0]
        if isinstance(out.get("enum"), list) and None in out["enum"]:
            out["enum"] = [v for v in out["enum"] if v is not None]
            out["nullable"] = True
        if "discriminator" in out and not ("oneOf" in out or "anyOf" in out):
            del out["discriminator"]  # 3.0 inheritance: children merge their parent (allOf)
        if "allOf" in out:
            out = self.merge_all_of(out)
        if root:
            out = self.collapse(out)
        if out.pop("nullable", False) is True:
            if root:
                self.nullable.add(owner)
            else:
                out = self.admit_null(out)
        return out

    def collapse(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A named ``anyOf: [{...}, {type: null}]`` (or a one-member ``oneOf``) is its member.

        The member keeps the schema's name (one class, not an alias of an inline class); a
        null alternative makes the named schema nullable, so its references admit null.
        """
        for combinator in ("anyOf", "oneOf"):
            members = schema.get(combinator)
            if not isinstance(members, list) or "discriminator" in schema:
                continue
            rest = [m for m in members if not _is_null(m)]
            if len(rest) != 1 or not isinstance(rest[0], dict) or "$ref" in rest[0]:
                continue
            others = {k: v for k, v in schema.items() if k != combinator}
            if set(others) - {*_ANNOTATIONS, "nullable", "type"}:
                continue
            out = {**rest[0], **{k: v for k, v in others.items() if k in _ANNOTATIONS}}
            if len(rest) != len(members) or others.get("nullable") is True:
                out["nullable"] = True
            return out
        return schema

    def admit_null(self, schema: dict[str, Any]) -> dict[str, Any]:
        kind = schema.get("type")
        structural = ("enum", "const", "$ref", "oneOf", "anyOf", "properties", "discriminator")
        if isinstance(kind, str) and not any(k in schema for k in structural):
            return {**schema, "type": [kind, "null"]}
        if isinstance(kind, list) and not any(k in schema for k in structural):
            return {**schema, "type": [*kind, "null"]} if "null" not in kind else schema
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema and "discriminator" not in schema:
                members = schema[combinator]
                if not any(_is_null(m) for m in members):
                    return {**schema, combinator: [*members, dict(_NULL)]}
                return schema
        outer = {k: schema[k] for k in _ANNOTATIONS if k in schema}
        inner = {k: v for k, v in schema.items() if k not in _ANNOTATIONS}
        return {"anyOf": [inner, dict(_NULL)], **outer}

    def merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``allOf`` as one schema: objects merged in order, or the one member that matters."""
        members = schema.pop("allOf")
        own = {k: v for k, v in schema.items() if k not in _ANNOTATIONS and k != "nullable"}
        annotations = {k: v for k, v in schema.items() if k in _ANNOTATIONS or k == "nullable"}
        if own.get("properties") or own.get("required") or own.get("additionalProperties"):
            members = [*members, own]
            own = {}
        objects: list[dict[str, Any]] = []
        cores: list[Any] = []
        for member in members:
            resolved = self.resolve(member)
            if not isinstance(resolved, dict):
                cores.append(member)
                continue
            meaningful = {k for k in resolved if k not in (*_ANNOTATIONS, "required", "type")}
            if "properties" in resolved or (
                resolved.get("type") == "object" and not ({"oneOf", "anyOf"} & meaningful)
            ):
                objects.append(resolved)
            elif meaningful or "type" in resolved:
                cores.append(member)
            elif "required" in resolved:
                objects.append(resolved)
            elif not annotations.get("description") and resolved.get("description"):
                annotations["description"] = resolved["description"]
        if len(objects) == 1 and not cores and "properties" in objects[0]:
            only = [m for m in members if self.resolve(m) is objects[0]]
            if only and isinstance(only[0], dict) and "$ref" in only[0]:
                return {"$ref": only[0]["$ref"], **annotations}
        if not objects and len(cores) == 1:
            core = cores[0]
            if isinstance(core, dict) and "$ref" in core:
                return {"$ref": core["$ref"], **annotations}
            return {**core, **annotations} if isinstance(core, dict) else core
        if not objects:
            # Several non-object members (a string constrained twice): keep the first.
            return {**cores[0], **annotations} if cores and isinstance(cores[0], dict) else {}
        merged: dict[str, Any] = {"type": "object"}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for obj in objects:
            for name, prop in (obj.get("properties") or {}).items():
                properties[name] = copy.deepcopy(prop)
            for name in obj.get("required") or []:
                if name not in required:
                    required.append(name)
            if "additionalProperties" in obj:
                merged["additionalProperties"] = copy.deepcopy(obj["additionalProperties"])
        merged["properties"] = properties
        required = [r for r in required if r in properties]
        if required:
            merged["required"] = required
        for key in ("description", "title"):
            if key not in annotations:
                found = next((o[key] for o in objects if key in o), None)
                if found is not None:
                    annotations[key] = found
        return {**merged, **own, **annotations}

    # --- pass 2: unions, names ---------------------------------------------------------

    def claim(self, candidates: list[str], where: str) -> str:
        for name in candidates:
            if name not in self.taken and not _reserved(name):
                self.taken.add(name)
                return name
        self.errors.append(
            SchemaError(
                "",
                where,
                None,
                f"no free class name for this inline schema (tried {', '.join(candidates)})",
            )
        )
        return candidates[-1]

    def shape(self, paths: dict[str, Any]) -> None:
        """Name every class and make every tagged union one build can take."""
        renamed = self.numbered_duplicates()
        names: dict[str, str] = {}
        for name in sorted(self.schemas):
            if name in renamed:
                continue
            py = pascal(name)
            if py in self.taken or _reserved(py):
                continue
            self.taken.add(py)
            names[name] = py
        for name, candidates in sorted(renamed.items()):
            names[name] = self.claim([*candidates, pascal(name)], SCHEMAS + name)
        for name in sorted(self.schemas):
            if name not in names:
                # Two schema names with one Python spelling, or a reserved one: say the kind.
                names[name] = self.claim(
                    [pascal(name) + "Schema", pascal(name) + "Object"], SCHEMAS + name
                )
            self.schemas[name]["x-sdk-name"] = names[name]
        before = set(self.schemas)
        self.lift_operation_schemas(paths)
        bodies = sorted(set(self.schemas) - before)
        for name in sorted(names):
            self.walk(self.schemas[name], names[name], [])
        for name in bodies:
            self.walk(self.schemas[name], name, [])

    def numbered_duplicates(self) -> dict[str, list[str]]:
        """Schemas the vendor numbered to tell two of one name apart (``Error-2``).

        One that is its original again (annotations aside) becomes that schema: references
        move to it. Another is named after itself or its place: its title, else the property
        that refers to it (``VideoResourceError``); the vendor's spelling comes last.
        """
        numbered = {}
        for name in self.schemas:
            match = re.fullmatch(r"(.+)-\d+", name)
            if match:
                numbered[name] = match.group(1)
        if not numbered:
            return {}
        moves: dict[str, str] = {}
        for name, base in numbered.items():
            if base in self.schemas and _bare(self.schemas[name]) == _bare(self.schemas[base]):
                moves[_ref(name)] = _ref(base)
        places: dict[str, list[str]] = {}
        for owner in sorted(self.schemas):
            for place, node in _schema_places(self.schemas[owner], pascal(owner)):
                ref = node.get("$ref")
                target = _ref_name(ref) if isinstance(ref, str) else None
                if target in numbered and _ref(target) not in moves:
                    places.setdefault(target, []).extend(place_names(place[0], place[1], {}))
        for schema in self.schemas.values():
            for _, node in _schema_nodes(schema):
                if node.get("$ref") in moves:
                    node["$ref"] = moves[node["$ref"]]
                mapping = (node.get("discriminator") or {}).get("mapping") or {}
                for tag, ref in mapping.items():
                    mapping[tag] = moves.get(ref, ref)
        for ref in moves:
            del self.schemas[_ref_name(ref) or ""]
        out: dict[str, list[str]] = {}
        for name in numbered:
            if _ref(name) in moves:
                continue
            title = self.schemas[name].get("title")
            own = [pascal(title)] if isinstance(title, str) and title.strip() else []
            out[name] = [*own, *sorted(set(places.get(name, [])))]
        return out

    def lift(self, schema: dict[str, Any], name: str) -> dict[str, Any]:
        """Move an inline schema into components under ``name``; return a reference to it."""
        self.schemas[name] = schema
        schema["x-sdk-name"] = name
        return {"$ref": _ref(name)}

    def walk(self, schema: Any, owner: str, place: list[tuple[str, Any]]) -> Any:
        """Name the inline objects under ``schema``; lift inline unions. Returns the schema."""
        if not isinstance(schema, dict):
            return schema
        if place and "discriminator" in schema:
            name = self.claim(place_names(owner, place, schema), owner)
            lifted = self.lift(schema, name)
            self.walk(schema, name, [])
            return lifted
        if "discriminator" in schema:
            self.fix_union(schema, owner)
        elif place and "properties" in schema and "x-sdk-name" not in schema:
            owner = schema["x-sdk-name"] = self.claim(place_names(owner, place, schema), owner)
            place = []
        for key in _SCHEMA_MAPS:
            if isinstance(schema.get(key), dict):
                for prop, value in schema[key].items():
                    schema[key][prop] = self.walk(value, owner, [*place, ("prop", prop)])
        for key in _SCHEMA_ONE:
            if key in schema:
                schema[key] = self.walk(schema[key], owner, [*place, (key, None)])
        for key in _SCHEMA_LISTS:
            if isinstance(schema.get(key), list):
                members = schema[key]
                for index, member in enumerate(members):
                    others = [m for i, m in enumerate(members) if i != index]
                    lone = bool(others) and all(_is_null(m) for m in others)
                    members[index] = self.walk(
                        member, owner, [*place, (key, None if lone else member)]
                    )
        return schema

    def fix_union(self, schema: dict[str, Any], name: str) -> None:
        """Make a named ``oneOf`` + ``discriminator`` a tagged union build accepts, or untag it."""
        combinator = "oneOf" if "oneOf" in schema else "anyOf"
        prop = schema["discriminator"].get("propertyName")
        mapping: dict[str, str] = dict(schema["discriminator"].get("mapping") or {})
        members: list[Any] = []
        for member in schema[combinator]:
            target = self.resolve(member)
            if isinstance(target, dict) and "discriminator" in target and "$ref" in member:
                inner = target["discriminator"].get("propertyName")
                inner_members = target.get("oneOf") or target.get("anyOf") or []
                if inner == prop and all(
                    isinstance(m, dict) and "$ref" in m for m in inner_members
                ):
                    members.extend({"$ref": m["$ref"]} for m in inner_members)
                    for tag, ref in (target["discriminator"].get("mapping") or {}).items():
                        mapping.setdefault(tag, ref)
                    continue
            if isinstance(member, dict) and "$ref" not in member and "properties" in member:
                tags = tag_values(member, prop, self)
                label = pascal(str(tags[0])) if tags else pascal(member.get("title", ""))
                variant = self.claim(
                    [name + label, name + label + "Variant"], join_pointer(SCHEMAS + name)
                )
                self.walk(member, variant, [])
                member = self.lift(member, variant)
            elif isinstance(member, dict) and "$ref" in member:
                member = {"$ref": member["$ref"]}
            members.append(member)
        listed = {m.get("$ref") for m in members if isinstance(m, dict)}
        for ref in mapping.values():
            if ref not in listed and _ref_name(ref) in self.schemas:
                members.append({"$ref": ref})  # the mapping says the server sends it
                listed.add(ref)
        schema[combinator] = members
        by_tag: dict[str, str] = {}
        ok = True
        for member in members:
            target_name = (
                _ref_name(member["$ref"]) if isinstance(member, dict) and "$ref" in member else None
            )
            target = self.schemas.get(target_name or "")
            if (
                target_name is None
                or not isinstance(target, dict)
                or "properties" not in target
                or "oneOf" in target
                or "anyOf" in target
            ):
                ok = False
                break
            # The mapping is authoritative: Cohere's variants all inherit one `type` enum
            # listing every event, and only the mapping says which one each is.
            mapped = [t for t, ref in mapping.items() if _ref_name(ref) == target_name]
            tags = mapped or tag_values(target, prop, self)
            if prop not in (target.get("properties") or {}) and mapped:
                target["properties"][prop] = {"type": "string", "enum": mapped}
            if not tags:
                ok = False
                break
            for tag in tags:
                if by_tag.setdefault(str(tag), target_name) != target_name:
                    ok = False
            required = target.setdefault("required", [])
            if prop not in required:
                required.append(prop)
        if not ok:
            del schema["discriminator"]
            return
        schema["discriminator"] = {
            "propertyName": prop,
            "mapping": {tag: _ref(target) for tag, target in sorted(by_tag.items())},
        }

    # --- the nullable references -------------------------------------------------------

    def null_refs(self, schema: Any, tagged: bool = False) -> Any:
        """Every reference to a nullable named schema admits null (except union variants)."""
        if isinstance(schema, list):
            return [self.null_refs(s, tagged) for s in schema]
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            name = _ref_name(schema["$ref"])
            if name in self.nullable and not tagged:
                outer = {k: schema[k] for k in _ANNOTATIONS if k in schema}
                return {"anyOf": [{"$ref": schema["$ref"]}, dict(_NULL)], **outer}
            return schema
        for key in _SCHEMA_MAPS:
            if isinstance(schema.get(key), dict):
                schema[key] = {k: self.null_refs(v) for k, v in schema[key].items()}
        for key in _SCHEMA_ONE:
            if key in schema:
                schema[key] = self.null_refs(schema[key])
        for key in _SCHEMA_LISTS:
            if isinstance(schema.get(key), list):
                schema[key] = self.null_refs(schema[key], tagged="discriminator" in schema)
        return schema

    def fits(self, value: Any, schema: Any) -> bool:
        """Whether ``value`` is an instance of ``schema`` (the keywords that decide the type)."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return schema is not False
        if "const" in schema:
            return bool(value == schema["const"])
        if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
            return False
        for combinator in ("anyOf", "oneOf"):
            if isinstance(schema.get(combinator), list):
                return any(self.fits(value, member) for member in schema[combinator])
        kinds = schema.get("type")
        if kinds is None:
            if "properties" in schema:
                kinds = "object"
            elif "items" in schema:
                kinds = "array"
            else:
                return True
        return any(
            _JSON_TYPES.get(k, _any)(value) for k in ([kinds] if isinstance(kinds, str) else kinds)
        )

    # --- everything -----------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        for name in self.raw:
            self.component(name)
        paths = self.paths()
        self.shape(paths)
        for name in list(self.schemas):
            self.schemas[name] = self.null_refs(self.schemas[name])
        self.stream_errors(paths)
        for schema in self.schemas.values():
            drop_undefined_required(schema)
            for _, node in _schema_nodes(schema):
                if "default" in node and not self.fits(node["default"], node):
                    del node["default"]  # e.g. `default: ""` on an array: not a usable default
        if self.errors:
            raise SchemaErrors(self.errors)
        out = {k: v for k, v in self.data.items() if not k.startswith("x-")}
        out["openapi"] = "3.1.0"
        info = dict(out.get("info") or {})
        info["version"] = pep440(str(info.get("version") or ""))
        out["info"] = info
        out["components"] = {
            **{k: v for k, v in (self.data.get("components") or {}).items() if k != "schemas"},
            "schemas": self.schemas,
        }
        out["paths"] = paths
        return out

    # --- operations --------------------------------------------------------------------------

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
                entry["schema"] = self.schema(param.get("schema") or {}, "")
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
                        media: {"schema": self.schema((obj or {}).get("schema") or {}, "")}
                        for media, obj in body["content"].items()
                    },
                }
            responses: dict[str, Any] = {}
            for status, raw in (op.get("responses") or {}).items():
                shared = _component_name("responses", raw)
                if shared is not None and shared in self.shared_responses:
                    responses[str(status)] = self.shared_responses[shared]
                    continue
                response = self.component_ref("responses", raw)
                if not isinstance(response, dict):
                    continue
                entry = {"description": response.get("description", "")}
                if isinstance(response.get("content"), dict):
                    entry["content"] = {
                        media: {"schema": self.schema((obj or {}).get("schema") or {}, "")}
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
                    events = self.resolve(media.get("schema"))
                    members = [events]
                    if isinstance(events, dict):
                        members += [
                            self.resolve(m)
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
            "application/json": {"schema": self.schema(fern["response"], "")},
            "text/event-stream": {
                "schema": self.schema(fern["response-stream"], ""),
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
                    answer = _ref_name(content["application/json"]["schema"].get("$ref", ""))
                    body = ((op.get("requestBody") or {}).get("content") or {}).get(
                        "application/json"
                    )
                    request = self.resolve((body or {}).get("schema"))
                    flag = ((request or {}).get("properties") or {}).get("stream")
                    named = [f"{answer}StreamEvent"]
                    if answer and answer.endswith("Response"):
                        named.append(answer[: -len("Response")] + "StreamResponse")
                    events = next((n for n in named if n in self.schemas), "")
                    if answer and isinstance(flag, dict) and events:
                        if flag.get("type") in ("boolean", ["boolean", "null"]):
                            content["text/event-stream"] = {
                                "schema": {"$ref": _ref(events)},
                                "x-sdk-stream": {"framing": "data-only", "terminator": "[DONE]"},
                            }

    def same_schema(self, schema: dict[str, Any]) -> str | None:
        """The named schema ``schema`` repeats (annotations aside), if any: Cohere's stream
        of events is written inline and again as ``StreamedChatResponseV2``."""
        if self.by_shape is None:
            self.by_shape = {}
            for name in sorted(self.schemas):
                shape = json.dumps(_bare(self.schemas[name]), sort_keys=True)
                self.by_shape.setdefault(shape, name)
        return self.by_shape.get(json.dumps(_bare(schema), sort_keys=True))

    def lift_operation_schemas(self, paths: dict[str, Any]) -> None:
        """Inline object bodies become named schemas: ``<OperationId>Request``/``…Response``."""
        for path, item in paths.items():
            for method, op in item.items():
                stem = pascal(op.get("operationId") or f"{method} {path}")
                where = join_pointer("/paths", path, method)
                for obj in ((op.get("requestBody") or {}).get("content") or {}).values():
                    schema = obj.get("schema")
                    if isinstance(schema, dict) and "properties" in schema:
                        name = self.claim([stem + "Request", stem + "Body"], where)
                        obj["schema"] = self.lift(schema, name)
                for status, response in sorted((op.get("responses") or {}).items()):
                    for media, obj in (response.get("content") or {}).items():
                        schema = obj.get("schema")
                        if media == "text/event-stream" and isinstance(schema, dict):
                            if "$ref" not in schema and schema:
                                same = self.same_schema(schema)
                                if same is not None:
                                    obj["schema"] = {"$ref": _ref(same)}
                                else:
                                    name = self.claim([stem + "StreamEvent", stem + "Event"], where)
                                    obj["schema"] = self.lift(schema, name)
                            continue
                        if isinstance(schema, dict) and "properties" in schema:
                            shared = self.response_names.get(id(response))
                            if shared is not None:
                                base = pascal(shared)
                                base += "" if base.endswith("Response") else "Response"
                                candidates = [base, base + "Body"]
                            else:
                                suffix = (
                                    "Response" if status.startswith("2") else f"{status}Response"
                                )
                                candidates = [stem + suffix, stem + suffix + "Body"]
                            same = self.same_schema(schema)
                            if same is not None:
                                obj["schema"] = {"$ref": _ref(same)}
                            else:
                                obj["schema"] = self.lift(schema, self.claim(candidates, where))


def pep440(version: str) -> str:
    """A package version from the document's: ``2024-10-21`` → ``2024.10.21``,
    ``2025-04-01-preview`` → ``2025.4.1+preview``; one that is already valid stays."""
    if re.fullmatch(r"\d+(\.\d+)*", version):
        return version
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[-.]?([A-Za-z0-9.]+))?", version)
    if match:
        year, month, day, label = match.groups()
        base = f"{int(year)}.{int(month)}.{int(day)}"
        return f"{base}+{label}" if label else base
    return "0.0.0"


def drop_undefined_required(schema: Any) -> None:
    """``required`` names only defined properties (some published schemas list others)."""
    for _, node in _schema_nodes(schema):
        props, required = node.get("properties"), node.get("required")
        if isinstance(props, dict) and isinstance(required, list):
            node["required"] = [r for r in required if r in props]


def _bare(schema: Any) -> Any:
    """``schema`` without its annotations, to compare two schemas for what they accept."""
    if isinstance(schema, dict):
        return {k: _bare(v) for k, v in schema.items() if k not in (*_ANNOTATIONS, "x-sdk-name")}
    if isinstance(schema, list):
        return [_bare(v) for v in schema]
    return schema


def _schema_places(
    schema: Any, owner: str, place: tuple[tuple[str, Any], ...] = ()
) -> Iterator[tuple[tuple[str, list[tuple[str, Any]]], dict[str, Any]]]:
    """Every schema object under ``schema`` with its place: (owner class, steps from it)."""
    if not isinstance(schema, dict):
        return
    yield (owner, list(place)), schema
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for name, value in schema[key].items():
                yield from _schema_places(value, owner, (*place, ("prop", name)))
    for key in _SCHEMA_ONE:
        if key in schema:
            yield from _schema_places(schema[key], owner, (*place, (key, None)))
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            members = schema[key]
            for value in members:
                others = [m for m in members if m is not value]
                lone = bool(others) and all(_is_null(m) for m in others)
                yield from _schema_places(value, owner, (*place, (key, None if lone else value)))


def _schema_nodes(schema: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object under ``schema`` (itself included), depth first."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for name, value in schema[key].items():
                yield from _schema_nodes(value, join_pointer(pointer, key, name))
    for key in _SCHEMA_ONE:
        if key in schema:
            yield from _schema_nodes(schema[key], join_pointer(pointer, key))
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for index, value in enumerate(schema[key]):
                yield from _schema_nodes(value, join_pointer(pointer, key, index))


def tag_values(schema: dict[str, Any], prop: str, normaliser: Normaliser) -> list[Any]:
    """The values a variant's tag property may take: its ``const`` or its ``enum``."""
    tag = normaliser.resolve((schema.get("properties") or {}).get(prop))
    if not isinstance(tag, dict):
        return []
    if "const" in tag:
        return [tag["const"]]
    values = tag.get("enum")
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def place_names(owner: str, place: list[tuple[str, Any]], schema: dict[str, Any]) -> list[str]:
    """Class names for an inline schema, from its place under ``owner``: short, then longer."""
    short, long = [owner], [owner]
    for kind, detail in place:
        if kind == "prop":
            short.append(pascal(detail))
            long.append(pascal(detail))
        elif kind == "items":
            long.append("Item")
        elif kind == "additionalProperties":
            long.append("Value")
        elif kind in ("oneOf", "anyOf", "prefixItems") and detail is not None:
            label = variant_label(detail)
            short.append(label)
            long.append(label)
    names = ["".join(short), "".join(long)]
    title = schema.get("title")
    if isinstance(title, str) and title.strip():
        names.append("".join(long) + pascal(title))
    return list(dict.fromkeys(names))


def variant_label(schema: Any) -> str:
    """A word for one member of an untagged ``oneOf``: its title, its constant, its fields."""
    if not isinstance(schema, dict):
        return "Value"
    title = schema.get("title")
    if isinstance(title, str) and title.strip():
        return pascal(title)
    props = schema.get("properties") or {}
    for prop in props.values():
        if isinstance(prop, dict):
            if "const" in prop and isinstance(prop["const"], str):
                return pascal(prop["const"])
            enum = prop.get("enum")
            if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
                return pascal(enum[0])
    required = [r for r in schema.get("required") or [] if r in props] or list(props)
    if required:
        return "With" + pascal(required[0])
    kind = schema.get("type")
    return pascal(kind) if isinstance(kind, str) else "Value"


_ACTIONS = {"get": "list", "post": "create", "put": "update", "patch": "update", "delete": "delete"}
_ON_ITEM = {
    "get": "retrieve",
    "post": "update",
    "put": "update",
    "patch": "update",
    "delete": "delete",
}


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def py_identifier(text: str) -> str:
    """A snake_case Python name for a path segment or an operation id."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    name = re.sub(r"\W+", "_", name).strip("_").lower() or "call"
    if name[0].isdigit():
        name = "v" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def name_operations(paths: dict[str, Any]) -> None:
    """``x-sdk-resource``/``x-sdk-method`` from each path, the way SDKs of these APIs read.

    ``POST /threads/{thread_id}/runs`` is ``threads.runs.create``; ``GET`` on a collection is
    ``list``, on an item ``retrieve``; ``POST /batches/{id}/cancel`` (a last word after an
    item the document has operations on, that nothing extends) is ``batches.cancel``. A leading ``v1`` is dropped when
    the document has one version. Two operations that would share a name take their
    operation ids instead.
    """
    split = {path: [s for s in path.split("?")[0].strip("/").split("/") if s] for path in paths}
    # Anthropic's `/v1/messages?beta=true`: the same path, another flavour of the API.
    flavour = {path: [py_identifier(k) for k in parse_qs(urlsplit(path).query)] for path in paths}
    versions = {segs[0] for segs in split.values() if segs and re.fullmatch(r"v\d+", segs[0])}
    methods_at = {path: set(item) for path, item in paths.items()}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for path, item in paths.items():
        segs = split[path]
        if len(versions) == 1 and segs and segs[0] in versions:
            segs = segs[1:]
        for method in item:
            literals = [py_identifier(s) for s in segs if not _is_param(s)] or ["api"]
            if segs and _is_param(segs[-1]):
                resource, name = literals, _ON_ITEM.get(method, method)
            else:
                extended = any(
                    other != path
                    and flavour[other] == flavour[path]
                    and split[other][: len(split[path])] == split[path]
                    for other in paths
                )
                # `/batches/{id}` is an item when the document has operations on it or on
                # `/batches`; a `/deployments/{deployment-id}` with neither is a scope.
                item = any(
                    flavour[other] == flavour[path]
                    and split[other] in (split[path][:-1], split[path][:-2])
                    for other in paths
                )
                action = (
                    len(segs) >= 2
                    and _is_param(segs[-2])
                    and item
                    and not extended
                    and len(methods_at[path]) == 1
                    and len(literals) > 1
                )
                if action:
                    resource, name = literals[:-1], literals[-1]
                else:
                    resource, name = literals, _ACTIONS.get(method, method)
            names[(path, method)] = (".".join(flavour[path] + resource), name)
    taken: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, named in names.items():
        taken.setdefault(named, []).append(key)
    resources: set[str] = set()  # every resource and its parents: a method may not shadow one
    for dotted, _ in names.values():
        parts = dotted.split(".")
        resources.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    for (dotted, word), keys in taken.items():
        clash = len(keys) > 1 or f"{dotted}.{word}" in resources or word == "with_raw_response"
        for path, method in keys:
            op = paths[path][method]
            op["x-sdk-resource"] = dotted
            op["x-sdk-method"] = py_identifier(op["operationId"]) if clash else word


def render_vendor_tree(
    spec_file: Path, package: str, env_prefix: str | None = None
) -> dict[str, str]:
    """The package ``package`` generated from a vendor OpenAPI document, as files."""
    from generator.core.render import render
    from generator.vendor.layout import VendorLayout

    return render(build_package(spec_file, package, env_prefix), VendorLayout())
