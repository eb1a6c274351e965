"""Read ``schemas/``: parse every document with a source map, validate it, check every ``$ref``.

Nothing here builds Python names or types; that is ``ir.py``'s job. The result is a
:class:`Spec`: the parsed documents, their line maps and a registry for resolving references.
Every problem becomes a :class:`SchemaError`; all of them are raised together at the end.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from generator.core.components import inline_components
from generator.core.errors import SchemaError, SchemaErrors, join_pointer, unescape_token
from generator.core.source import compose, decode

BASE_URI = "https://sdkforge.invalid/schemas/"
EXTENSIONS_FILE = Path(__file__).with_name("extensions.yaml")


@dataclass
class Document:
    """One schema file: its contents, where each JSON pointer starts, and its kind."""

    path: str  # relative to the schemas root, with forward slashes: "shared/openai_tools.yaml"
    data: Any
    lines: dict[str, int]
    text: str

    @property
    def uri(self) -> str:
        return BASE_URI + self.path

    @property
    def source(self) -> str:
        """How generated files and errors name this document."""
        return f"schemas/{self.path}"

    @property
    def is_openapi(self) -> bool:
        return isinstance(self.data, dict) and "openapi" in self.data

    def line(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def error(self, pointer: str, message: str) -> SchemaError:
        return SchemaError(self.source, pointer, self.line(pointer), message)


@dataclass
class Spec:
    """Every document under ``schemas/``, keyed by relative path, sorted."""

    root: Path
    documents: dict[str, Document] = field(default_factory=dict)

    @cached_property
    def registry(self) -> Registry[Any]:
        resources = [
            (doc.uri, DRAFT202012.create_resource(doc.data)) for doc in self.documents.values()
        ]
        return Registry().with_resources(resources)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for path, doc in self.documents.items():
            h.update(path.encode() + b"\0" + doc.text.encode() + b"\0")
        return h.hexdigest()

    def resolve_ref(self, doc: Document, ref: str) -> tuple[Document, str]:
        """Turn a ``$ref`` found in ``doc`` into (target document, JSON pointer)."""
        url, fragment = urldefrag(urljoin(doc.uri, ref))
        if not url.startswith(BASE_URI):
            raise KeyError(f"reference {ref!r} leaves the schemas folder")
        target = self.documents.get(url[len(BASE_URI) :])
        if target is None:
            raise KeyError(f"reference {ref!r}: no file schemas/{url[len(BASE_URI) :]}")
        if fragment and not fragment.startswith("/"):
            raise KeyError(f"reference {ref!r}: only JSON pointer fragments are supported")
        if lookup(target.data, fragment) is _MISSING:
            raise KeyError(
                f"reference {ref!r}: nothing at {fragment or '/'} in schemas/{target.path}"
            )
        return target, fragment

    def node(self, doc: Document, pointer: str) -> Any:
        return lookup(doc.data, pointer)


_MISSING = object()

# JSON Schema 2020-12 keywords whose values are schemas, by shape: one place for every walker
# of schemas (direction marking, vendor normalisation, test bundling).
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SCHEMA_SINGLES = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)
SCHEMA_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")


def lookup(data: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``data``, or a sentinel when there is none."""
    if not pointer:
        return data
    for raw in pointer.lstrip("/").split("/"):
        token = unescape_token(raw)
        if isinstance(data, dict) and token in data:
            data = data[token]
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return _MISSING
    return data


class _NonFinite(ValueError):
    pass


_YAML_1_1_BREAKS = {0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def _refuse_constant(name: str) -> None:
    raise _NonFinite(name)


def parse_document(path: str, text: str) -> tuple[Document | None, list[SchemaError]]:
    """Parse YAML or JSON keeping, for each JSON pointer, the line it starts on."""
    where = f"schemas/{path}"
    json_data: Any = None
    yaml_text = text
    if path.endswith(".json"):
        # YAML accepts what JSON forbids (trailing commas, comments, single quotes), so a .json
        # file must first pass the JSON parser, whose data it is; YAML then supplies the line
        # map and the limits. PyYAML reads NEL and the Unicode line and paragraph separators
        # as line breaks even inside strings (YAML 1.1), so they reach it as escapes (they
        # can only stand inside JSON strings, and the lines are unchanged).
        try:
            json_data = json.loads(text, parse_constant=_refuse_constant)
            yaml_text = text.translate(_YAML_1_1_BREAKS)
        except json.JSONDecodeError as exc:
            message = f"cannot parse: {exc.msg} (column {exc.colno})"
            return None, [SchemaError(where, "", exc.lineno, message)]
        except _NonFinite as exc:  # Python's json reads NaN and Infinity; JSON has neither
            found = re.search(rf"(?<![\w\"]){re.escape(str(exc))}(?![\w\"])", text)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            return None, [SchemaError(where, "", line, f"{exc} is not a JSON number")]
        except ValueError as exc:  # e.g. an integer beyond Python's digit limit for int()
            return None, [SchemaError(where, "", None, f"cannot parse: {exc}")]
    try:
        parsed, errors = compose(where, yaml_text, construct=json_data is None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = str(exc.problem or exc.context)
        if exc.problem and exc.context:
            # e.g. "did not find expected ',' or ']' (while parsing a flow sequence from line 31)"
            start = exc.context_mark
            since = f" from line {start.line + 1}" if start is not None else ""
            message += f" ({exc.context}{since})"
        return None, [SchemaError(where, "", line, f"cannot parse: {message}")]
    except yaml.YAMLError as exc:
        return None, [SchemaError(where, "", None, f"cannot parse: {exc}")]
    if parsed is None:
        return None, errors
    data, lines = (parsed.data if json_data is None else json_data), parsed.lines
    if not isinstance(data, dict):
        return None, [SchemaError(where, "", 1, "a schema document must be a mapping")]
    return Document(path=path, data=data, lines=lines, text=text), errors


def read_documents(root: Path) -> tuple[Spec, list[SchemaError]]:
    spec = Spec(root=root)
    errors: list[SchemaError] = []
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in {".yaml", ".yml", ".json"}
    )
    if not files:
        errors.append(SchemaError(str(root), "", None, "no schema files found"))
    for file in files:
        rel = file.relative_to(root).as_posix()
        if not rel.isprintable():
            shown = rel.encode("unicode_escape").decode("ascii")
            message = "a schema file name must be printable (no newline or control character)"
            errors.append(SchemaError(f"schemas/{shown}", "", None, message))
            continue
        text, read_errors = decode(f"schemas/{rel}", file.read_bytes())
        errors.extend(read_errors)
        if text is None:
            continue
        doc, parse_errors = parse_document(rel, text)
        errors.extend(parse_errors)
        if doc is not None:
            spec.documents[rel] = doc
    return spec, errors


# --- validation -------------------------------------------------------------------------


def _validator_errors(doc: Document, errors: Iterator[Any], prefix: str) -> list[SchemaError]:
    out = []
    for err in errors:
        # Report the deepest, most specific error of each branch.
        best = err
        while best.context:
            best = min(best.context, key=lambda e: -len(e.absolute_path))
        pointer = join_pointer(prefix, *best.absolute_path)
        out.append(doc.error(pointer, best.message))
    return out


def _openapi_validator() -> Any:
    """openapi-spec-validator's 3.1 validator, with schema errors located in the document.

    The library checks each Schema Object against the JSON Schema meta-schema, and each
    ``default`` against its schema, but reports the error's path relative to that schema or
    value (``/properties/id/type``, ``/``), so two schemas with the same mistake would be one
    error with no usable line. Prefixing the schema's own place in the document turns it into
    ``/components/schemas/Thing/properties/id/type``.
    """
    from openapi_spec_validator import OpenAPIV31SpecValidator
    from openapi_spec_validator.validation import keywords

    class LocatedSchemaValidator(keywords.OpenAPIV31SchemaValidator):
        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            err = super()._validate_schema_meta(schema, schema_value)
            if err is not None:
                err.path.extendleft(reversed(schema.parts))
            return err

    class LocatedDefaultValidator(keywords.OpenAPIV31ValueValidator):
        def __call__(self, schema: Any, value: Any) -> Iterator[Any]:
            for err in super().__call__(schema, value):
                err.path.extendleft(reversed((*schema.parts, "default")))
                yield err

    class LocatedValidator(OpenAPIV31SpecValidator):
        keyword_validators = {  # noqa: RUF012 - the library's own attribute is a plain dict
            **OpenAPIV31SpecValidator.keyword_validators,
            "schema": LocatedSchemaValidator,
            "default": LocatedDefaultValidator,
        }

    return LocatedValidator


def check_structure(spec: Spec) -> list[SchemaError]:
    """OpenAPI 3.1 documents against the OpenAPI spec; plain files against the 2020-12 meta-schema."""
    validator_class = _openapi_validator()
    errors: list[SchemaError] = []
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for doc in spec.documents.values():
        if doc.is_openapi:
            version = doc.data.get("openapi")
            if not isinstance(version, str):
                message = f"openapi must be a string such as '3.1.0', not {version!r}"
                errors.append(doc.error("/openapi", message))
                continue
            if version.split(".")[:2] != ["3", "1"]:
                errors.append(doc.error("/openapi", "only OpenAPI 3.1 documents are supported"))
                continue
            bad_paths = _check_path_templates(doc)
            if bad_paths:  # the OpenAPI validator raises on these instead of reporting them
                errors.extend(bad_paths)
                continue
            # The OpenAPI validator follows $refs itself; ours (check_refs) reports dangling ones
            # with better locations, so give it a registry-free document: refs are checked there.
            validator = validator_class(_without_refs(doc.data))
            try:
                errors.extend(_validator_errors(doc, validator.iter_errors(), ""))
            except Exception as exc:  # a document it cannot walk is still the document's fault
                message = f"the OpenAPI validator cannot read this document: {exc}"
                errors.append(doc.error("", message))
        else:
            errors.extend(_validator_errors(doc, meta.iter_errors(doc.data), ""))
    return errors


_PATH_TEMPLATE = re.compile(r"/([^{}]|\{[^{}/]+\})*")


def _check_path_templates(doc: Document) -> list[SchemaError]:
    """Path keys are ``/``-rooted templates whose ``{parameters}`` are closed and not nested."""
    paths = doc.data.get("paths")
    out = []
    for path in paths if isinstance(paths, dict) else ():
        if not _PATH_TEMPLATE.fullmatch(path):
            message = "a path must start with / and close every { with } (no nesting, no /)"
            out.append(doc.error(join_pointer("/paths", path), message))
    return out


def _without_refs(data: Any) -> Any:
    if isinstance(data, dict):
        if "$ref" in data:
            return {k: _without_refs(v) for k, v in data.items() if k != "$ref"}
        return {k: _without_refs(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_refs(v) for v in data]
    return data


def walk(data: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, mapping) in ``data``, depth first, in document order."""
    if isinstance(data, dict):
        yield pointer, data
        for key, value in data.items():
            yield from walk(value, join_pointer(pointer, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, join_pointer(pointer, index))


def _is_schema_location(pointer: str) -> bool:
    """Whether a mapping at ``pointer`` is a schema, so ``$ref`` in it is a schema reference.

    Values under ``examples``/``example``/``default``/``const``/``enum`` are data, where a key
    named ``$ref`` means nothing.
    """
    parts = pointer.split("/")
    data_keys = {"examples", "example", "default", "const", "enum", "x-sdk-constructors"}
    return not any(p in data_keys for p in parts)


def check_refs(spec: Spec) -> list[SchemaError]:
    errors = []
    for doc in spec.documents.values():
        for pointer, mapping in walk(doc.data):
            ref = mapping.get("$ref")
            if ref is None or not _is_schema_location(pointer):
                continue
            if not isinstance(ref, str):
                errors.append(doc.error(join_pointer(pointer, "$ref"), "$ref must be a string"))
                continue
            try:
                spec.resolve_ref(doc, ref)
            except KeyError as exc:
                errors.append(doc.error(join_pointer(pointer, "$ref"), f"dangling {exc.args[0]}"))
    return errors


def check_required(spec: Spec) -> list[SchemaError]:
    """``required`` names only properties the same schema defines.

    JSON Schema allows the opposite, but for a generated model it is a typo: checked here,
    before the examples, so the report names the cause and not the examples it breaks.
    """
    errors = []
    for doc in spec.documents.values():
        for pointer, mapping in walk(doc.data):
            properties, required = mapping.get("properties"), mapping.get("required")
            if not (_is_schema_location(pointer) and isinstance(properties, dict)):
                continue
            if not isinstance(required, list):
                continue
            for name in required:
                if isinstance(name, str) and name not in properties:
                    errors.append(
                        doc.error(
                            join_pointer(pointer, "required"),
                            f"required property {name!r} is not defined",
                        )
                    )
    return errors


@dataclass(frozen=True)
class _Extensions:
    schemas: dict[str, Any]
    validators: dict[str, Draft202012Validator]


def _extensions() -> _Extensions:
    data = yaml.safe_load(EXTENSIONS_FILE.read_text(encoding="utf-8"))
    schemas = data["extensions"]
    return _Extensions(
        schemas=schemas,
        validators={name: Draft202012Validator(schema) for name, schema in schemas.items()},
    )


def check_extensions(spec: Spec) -> list[SchemaError]:
    """Every ``x-sdk-*`` key is a known extension and its value has the documented shape."""
    ext = _extensions()
    errors: list[SchemaError] = []
    for doc in spec.documents.values():
        for pointer, mapping in walk(doc.data):
            if (
                not _is_schema_location(pointer)
                and "x-sdk-constructors" not in pointer.split("/")[-1:]
            ):
                continue
            for key, value in mapping.items():
                if not isinstance(key, str) or not key.startswith("x-sdk"):
                    continue
                where = join_pointer(pointer, key)
                validator = ext.validators.get(key)
                if validator is None:
                    close = difflib.get_close_matches(key, ext.schemas, n=1)
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    errors.append(doc.error(where, f"unknown extension {key}{hint}"))
                    continue
                errors.extend(_validator_errors(doc, validator.iter_errors(value), where))
    return errors


def check_examples(spec: Spec) -> list[SchemaError]:
    """Each ``examples`` entry of a schema validates against that schema, refs resolved."""
    errors: list[SchemaError] = []
    registry = spec.registry
    for doc in spec.documents.values():
        for pointer, schema in _named_schemas(doc):
            examples = schema.get("examples")
            if examples is None:
                continue
            if not isinstance(examples, list):
                errors.append(
                    doc.error(join_pointer(pointer, "examples"), "examples must be a list")
                )
                continue
            validator = Draft202012Validator(
                {"$ref": f"{doc.uri}#{pointer}"},
                registry=registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            for index, example in enumerate(examples):
                try:
                    found = list(validator.iter_errors(example))
                except Unresolvable as exc:
                    errors.append(doc.error(pointer, f"cannot resolve {exc}"))
                    break
                for err in found:
                    where = join_pointer(pointer, "examples", index, *err.absolute_path)
                    errors.append(
                        doc.error(where, f"example does not match its schema: {err.message}")
                    )
    return errors


def _named_schemas(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """The named schemas of a document: ``components/schemas`` or top-level ``$defs``."""
    if doc.is_openapi:
        container, base = doc.data.get("components", {}).get("schemas", {}), "/components/schemas"
    else:
        container, base = doc.data.get("$defs", {}), "/$defs"
    if isinstance(container, dict):
        for name, schema in container.items():
            if isinstance(schema, dict):
                yield join_pointer(base, name), schema


def named_schemas(doc: Document) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, pointer, schema) of every named schema in ``doc``."""
    return [(p.rsplit("/", 1)[1], p, s) for p, s in _named_schemas(doc)]


def load(root: Path) -> Spec:
    """Load and validate every document under ``root``; raise all problems at once."""
    spec, errors = read_documents(root)
    if not errors:
        errors += check_refs(spec)
        inlined = inline_components(spec) if not errors else []
        errors += inlined + check_extensions(spec)
        if not inlined:  # a reference left in place would be reported again as a bad object
            errors += check_structure(spec)
        errors += check_required(spec)
        if not errors:
            errors += check_examples(spec)
    if errors:
        raise SchemaErrors(errors)
    return spec
