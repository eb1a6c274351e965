"""Names a vendor document leaves to the generator: classes, operations, the package's own.

Schema and class names (:func:`pascal`, :func:`reserved`), the names of inline schemas from
their place (:func:`place_names`, :func:`variant_label`), ``x-sdk-resource``/``x-sdk-method``
from paths (:func:`name_operations`, :func:`py_identifier`), and the names a package takes
from its own (:func:`error_class_name`, :func:`retry_count_header`).
"""

from __future__ import annotations

import keyword
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.core.naming import is_reserved

__all__ = [
    "error_class_name",
    "name_operations",
    "pascal",
    "place_names",
    "py_identifier",
    "reserved",
    "retry_count_header",
    "variant_label",
]

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
        "Required",
        "TypeAlias",
        "TypedDict",
        "UnionBase",
        "UnknownTag",
        "UnknownVariant",
    }
)


def reserved(name: str) -> bool:
    """A class name the generated modules cannot take (their imports, keywords, builtins)."""
    return name in _RESERVED or is_reserved(name)


def pascal(name: str) -> str:
    """``chat.completion_chunk`` → ``ChatCompletionChunk``: the core's rule, without its NFKC."""
    parts = re.split(r"[^0-9A-Za-z]+", name)
    out = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not out or out[0].isdigit():
        out = "T" + out
    return out


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
        reserved = word in ("with_raw_response", "with_streaming_response")
        clash = len(keys) > 1 or f"{dotted}.{word}" in resources or reserved
        for path, method in keys:
            op = paths[path][method]
            op["x-sdk-resource"] = dotted
            op["x-sdk-method"] = py_identifier(op["operationId"]) if clash else word


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


def error_class_name(package: str) -> str:
    """``acme`` → ``AcmeError``: the package's base exception (``openai_sdk`` → ``OpenaiSdkError``)."""
    name = pascal(package) + "Error"
    return name if name not in _ERROR_NAMES else pascal(package) + "PackageError"


def retry_count_header(package: str) -> str:
    """``openai_sdk`` → ``X-Openai-Sdk-Retry-Count`` (no underscores: proxies drop such headers)."""
    words = [w.capitalize() for w in re.split(r"[^0-9A-Za-z]+", package) if w]
    return "-".join(["X", *words, "Retry", "Count"])
