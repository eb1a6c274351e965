"""The one walk over a document's operations, and the one reading of its security.

Every wing that looks at operations (the IR builder, the vendor front end, the reference
server, review) goes through :func:`iter_operations` and :func:`security_of`, so they agree
on which methods count, where an operation's pointer is, and what a credential is called.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from generator.core.errors import join_pointer

__all__ = [
    "HTTP_METHODS",
    "Credential",
    "Security",
    "iter_operations",
    "operation_pointer",
    "security_of",
]

# The methods an SDK method can stand for, in the order operations are listed.
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def operation_pointer(path: str, method: str) -> str:
    """The JSON pointer of an operation: ``/paths/~1v1~1messages/post``."""
    return join_pointer("/paths", path, method)


def iter_operations(data: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(path, method, operation)`` for every operation of an OpenAPI document's data.

    Path items and operations that are not objects are passed over here; the loader reports
    them where the document is validated.
    """
    paths = data.get("paths") if isinstance(data, Mapping) else None
    if not isinstance(paths, Mapping):
        return
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield str(path), method, op


@dataclass(frozen=True)
class Credential:
    """One way an operation takes its API key.

    ``bearer``: ``Authorization: Bearer KEY``; ``header``: ``NAME: KEY`` where ``name`` is the
    header's name lower-cased (HTTP header names are case-insensitive, and every consumer
    compares them that way).
    """

    kind: Literal["bearer", "header"]
    name: str = "authorization"

    @property
    def wire(self) -> str:
        """The form the IR carries: ``"bearer"`` or ``"header:x-api-key"``."""
        return "bearer" if self.kind == "bearer" else f"header:{self.name}"


@dataclass(frozen=True)
class Security:
    """What an operation's security requirements come to.

    ``unknown``: requirement names with no scheme in ``components/securitySchemes``;
    ``unsupported``: names of schemes that are neither bearer nor an API-key header
    (OAuth2 flows, cookies, query keys). Each consumer decides what those mean to it.
    """

    credentials: tuple[Credential, ...]
    unknown: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()


def security_of(document: Any, op: Mapping[str, Any]) -> Security:
    """The credentials ``op`` needs: its own ``security``, else the document's."""
    data = document if isinstance(document, Mapping) else {}
    components = data.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, Mapping) else None
    schemes = schemes if isinstance(schemes, Mapping) else {}
    requirements = op.get("security", data.get("security"))
    credentials: list[Credential] = []
    unknown: list[str] = []
    unsupported: list[str] = []
    for requirement in requirements if isinstance(requirements, list) else []:
        for name in requirement if isinstance(requirement, Mapping) else []:
            scheme = schemes.get(name)
            if not isinstance(scheme, Mapping):
                unknown.append(str(name))
            elif scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                credentials.append(Credential("bearer"))
            elif (
                scheme.get("type") == "apiKey"
                and scheme.get("in") == "header"
                and isinstance(scheme.get("name"), str)
            ):
                credentials.append(Credential("header", scheme["name"].lower()))
            else:
                unsupported.append(str(name))
    return Security(
        tuple(dict.fromkeys(credentials)),
        tuple(dict.fromkeys(unknown)),
        tuple(dict.fromkeys(unsupported)),
    )
