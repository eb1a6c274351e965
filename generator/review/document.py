"""What a document says beside its operations and schemas: servers and security.

:class:`DocumentLevel` compares the ``servers``, the ``components.securitySchemes`` and the
global ``security`` of each document, and (:meth:`DocumentLevel.operation`) the security
requirements each operation ends up with. A requirement is a set of alternatives, each a
set of schemes (with OAuth scopes): a client that used an alternative which is gone is
rejected; one more alternative takes nothing from anyone. The SDK verdict follows how the
previous SDK authenticates the operation (the builder's ``security`` of it).
"""

from __future__ import annotations

import re
from typing import Any

from generator.core.errors import join_pointer
from generator.core.index import REQUEST as DIR_REQUEST
from generator.core.index import RESPONSE as DIR_RESPONSE
from generator.core.index import Key, Named
from generator.core.load import Document, lookup
from generator.review.comparison import Part
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.side import Side
from generator.review.snapshot import Snapshot

Requirement = dict[str, frozenset[str]]  # scheme → scopes, one alternative
_VARIABLE = re.compile(r"\{([^{}]*)\}")


def server_url(servers: Any) -> str | None:
    """The SDK's default base URL: the first absolute server URL, variables at their defaults
    (what ``generate --spec`` gives a package; a relative or unresolvable URL gives none)."""
    for server in servers if isinstance(servers, list) else []:
        url = server.get("url") if isinstance(server, dict) else None
        if not isinstance(url, str):
            continue
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
        for name in _VARIABLE.findall(url):
            default = (variables.get(name) or {}).get("default")
            if isinstance(default, str):
                url = url.replace("{" + name + "}", default)
        if not _VARIABLE.search(url) and url.startswith(("http://", "https://")):
            return url.strip()
    return None


def requirements(value: Any) -> list[Requirement] | None:
    """A ``security`` value as alternatives (None: not declared here)."""
    if not isinstance(value, list):
        return None
    out: list[Requirement] = []
    for alt in value:
        if isinstance(alt, dict):
            out.append({str(k): frozenset(map(str, v or [])) for k, v in alt.items()})
    return out


def _key(alt: Requirement) -> frozenset[str]:
    return frozenset(alt)


def _show(alt: frozenset[str]) -> str:
    return " + ".join(sorted(alt)) or "no authentication"


class DocumentLevel(Part):
    """Servers, security schemes and requirements of the documents on both sides."""

    def doc_side(self, snap: Snapshot, doc: Document, pointer: str = "") -> Side:
        owner = Named(Key(doc.path, ""), doc.path, doc.path, "", {}, doc)
        owner.directions = {DIR_REQUEST, DIR_RESPONSE}
        return Side(snap, doc, pointer, owner, "client", doc.path)

    def raw(self, snap: Snapshot, doc: Document) -> Any:
        return snap.raw.get(doc.path, doc.data)

    def run(self) -> None:
        for path in sorted(set(self.old.spec.documents) & set(self.new.spec.documents)):
            odoc, ndoc = self.old.spec.documents[path], self.new.spec.documents[path]
            if not (odoc.is_openapi and ndoc.is_openapi):
                continue
            self.servers(odoc, ndoc)
            self.schemes(odoc, ndoc)
            self.global_security(odoc, ndoc)

    # servers -------------------------------------------------------------------------------

    def servers(self, odoc: Document, ndoc: Document) -> None:
        oraw, nraw = self.raw(self.old, odoc), self.raw(self.new, ndoc)
        ourls = [s.get("url") for s in oraw.get("servers") or [] if isinstance(s, dict)]
        nurls = [s.get("url") for s in nraw.get("servers") or [] if isinstance(s, dict)]
        odefault, ndefault = server_url(oraw.get("servers")), server_url(nraw.get("servers"))
        o, n = self.doc_side(self.old, odoc, "/servers"), self.doc_side(self.new, ndoc, "/servers")
        for url in (u for u in ourls if u not in nurls):
            was_default = (
                odefault is not None
                and url is not None
                and odefault.startswith(str(url).split("{", 1)[0])
            )
            self.emit(
                "api-server-removed",
                o,
                n,
                request=Grade(
                    BREAKING,
                    BREAKING if was_default else SAFE,
                    f"Clients configured with {url} must move; "
                    + (
                        "it is the previous SDK's default base URL."
                        if was_default
                        else "the previous SDK does not call it by default."
                    ),
                ),
                response=None,
                message=f"server {url} was removed",
                detail=str(url),
                refs=[],
                sides={DIR_REQUEST, DIR_RESPONSE},
            )
        for url in (u for u in nurls if u not in ourls):
            self.emit(
                "api-server-added",
                o,
                n,
                request=Grade(SAFE, SAFE, "One more place to call."),
                response=None,
                message=f"server {url} was added",
                detail=str(url),
                refs=[],
                sides={DIR_REQUEST, DIR_RESPONSE},
            )
        # The old default still listed, but no longer first: the new SDK calls elsewhere. (An
        # old default that is gone is api-server-removed.)
        if odefault != ndefault and odefault is not None and odefault in nurls:
            self.emit(
                "api-server-default-changed",
                o,
                n,
                request=Grade(
                    SAFE,
                    WARNING,
                    f"The new SDK calls {ndefault or 'no URL'} by default instead of {odefault}.",
                ),
                response=None,
                message=f"default base URL {odefault} → {ndefault}",
                refs=[],
                sides={DIR_REQUEST, DIR_RESPONSE},
            )

    # security schemes ------------------------------------------------------------------------

    def schemes(self, odoc: Document, ndoc: Document) -> None:
        oraw, nraw = self.raw(self.old, odoc), self.raw(self.new, ndoc)
        oschemes = (oraw.get("components") or {}).get("securitySchemes") or {}
        nschemes = (nraw.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(set(oschemes) | set(nschemes)):
            pointer = join_pointer("/components/securitySchemes", name)
            o = self.doc_side(self.old, odoc, pointer)
            n = self.doc_side(self.new, ndoc, pointer)
            if name not in nschemes:
                self.emit(
                    "api-security-component-removed",
                    o,
                    None,
                    request=Grade(
                        SAFE,
                        SAFE,
                        "A scheme no longer declared; where operations used it, that is reported there.",
                    ),
                    response=None,
                    message=f"security scheme {name} was removed",
                    detail=name,
                    refs=[],
                    sides={DIR_REQUEST},
                )
            elif name not in oschemes:
                self.emit(
                    "api-security-component-added",
                    None,
                    n,
                    request=Grade(SAFE, SAFE, "A new way to authenticate."),
                    response=None,
                    message=f"security scheme {name} was added",
                    detail=name,
                    refs=[],
                    sides={DIR_REQUEST},
                )
            else:
                before, after = _scheme(oschemes[name]), _scheme(nschemes[name])
                if before != after:
                    self.emit(
                        "api-security-component-type-changed",
                        o,
                        n,
                        request=Grade(
                            BREAKING,
                            BREAKING,
                            "Clients send the credential the old way; so does the previous SDK.",
                        ),
                        response=None,
                        message=f"security scheme {name}: {before} → {after}",
                        detail=name,
                        refs=[],
                        sides={DIR_REQUEST},
                    )

    # security requirements -----------------------------------------------------------------

    def global_security(self, odoc: Document, ndoc: Document) -> None:
        oraw, nraw = self.raw(self.old, odoc), self.raw(self.new, ndoc)
        before = requirements(oraw.get("security")) or []
        after = requirements(nraw.get("security")) or []
        o, n = (
            self.doc_side(self.old, odoc, "/security"),
            self.doc_side(self.new, ndoc, "/security"),
        )
        self.compare_requirements(o, n, before, after, "api-global-security", "the document", None)

    def operation(self, o: Side, n: Side, label: str) -> None:
        """One operation's effective requirements, when it declares its own on either side."""
        oraw = self.raw(self.old, o.doc)
        nraw = self.raw(self.new, n.doc)
        oop, nop = lookup(oraw, o.pointer), lookup(nraw, n.pointer)
        own_o = requirements(oop.get("security")) if isinstance(oop, dict) else None
        own_n = requirements(nop.get("security")) if isinstance(nop, dict) else None
        if own_o is None and own_n is None:
            return  # the document's requirement: compared once, for the document
        before = own_o if own_o is not None else requirements(oraw.get("security")) or []
        after = own_n if own_n is not None else requirements(nraw.get("security")) or []
        self.compare_requirements(
            Side(o.snap, o.doc, join_pointer(o.pointer, "security"), o.owner, o.symbol, o.label),
            Side(n.snap, n.doc, join_pointer(n.pointer, "security"), n.owner, n.symbol, n.label),
            before,
            after,
            "api-security",
            label,
            (o, n),
        )

    def sdk_changed(self, ops: tuple[Side, Side] | None) -> bool:
        """Whether the SDK authenticates the operation(s) another way now."""

        def security(snap: Snapshot, side: Side | None) -> list[tuple[str, ...]]:
            return sorted(
                op.security
                for op in snap.package.operations
                if side is None or op.source == f"{side.doc.source}#{side.pointer}"
            )

        if ops is None:
            return security(self.old, None) != security(self.new, None)
        return security(self.old, ops[0]) != security(self.new, ops[1])

    def compare_requirements(
        self,
        o: Side,
        n: Side,
        before: list[Requirement],
        after: list[Requirement],
        prefix: str,
        label: str,
        ops: tuple[Side, Side] | None,
    ) -> None:
        okeys = {_key(a): a for a in before}
        nkeys = {_key(a): a for a in after}
        sdk = BREAKING if self.sdk_changed(ops) else SAFE
        sdk_why = (
            "the previous SDK authenticates another way than the new one."
            if sdk == BREAKING
            else "the SDK sends the key it is given as before."
        )
        refs: list[tuple[str | None, str | None]] = [(o.symbol, n.symbol)] if ops else []
        open_before = not okeys or frozenset() in okeys
        open_after = not nkeys or frozenset() in nkeys
        for alt in sorted(set(okeys) - set(nkeys), key=sorted):
            if open_after:
                grade = Grade(SAFE, SAFE, "Authentication is now optional here.")
            else:
                grade = Grade(
                    BREAKING,
                    sdk,
                    f"Clients that authenticate with {_show(alt)} are rejected; {sdk_why}",
                )
            self.emit(
                f"{prefix}-removed",
                o,
                n,
                request=grade,
                response=None,
                message=f"{label}: security {_show(alt)} was removed",
                detail=_show(alt),
                refs=refs,
                sides={DIR_REQUEST},
            )
        for alt in sorted(set(nkeys) - set(okeys), key=sorted):
            if open_before and alt:
                grade = Grade(BREAKING, sdk, f"Old clients send no credentials; {sdk_why}")
            else:
                grade = Grade(SAFE, SAFE, f"One more way to authenticate; {sdk_why}")
            self.emit(
                f"{prefix}-added",
                o,
                n,
                request=grade,
                response=None,
                message=f"{label}: security {_show(alt)} was added",
                detail=_show(alt),
                refs=refs,
                sides={DIR_REQUEST},
            )
        for alt in sorted(set(okeys) & set(nkeys), key=sorted):
            for scheme in sorted(alt):
                oscopes, nscopes = okeys[alt][scheme], nkeys[alt][scheme]
                for scope in sorted(nscopes - oscopes):
                    self.emit(
                        f"{prefix}-scope-added",
                        o,
                        n,
                        request=Grade(
                            BREAKING,
                            SAFE,
                            f"Tokens without the scope {scope!r} are rejected; the SDK sends whatever token it is given.",
                        ),
                        response=None,
                        message=f"{label}: {scheme} now needs the scope {scope!r}",
                        detail=f"{scheme} {scope}",
                        refs=refs,
                        sides={DIR_REQUEST},
                    )
                for scope in sorted(oscopes - nscopes):
                    self.emit(
                        f"{prefix}-scope-removed",
                        o,
                        n,
                        request=Grade(SAFE, SAFE, f"Tokens no longer need the scope {scope!r}."),
                        response=None,
                        message=f"{label}: {scheme} no longer needs the scope {scope!r}",
                        detail=f"{scheme} {scope}",
                        refs=refs,
                        sides={DIR_REQUEST},
                    )


def _scheme(value: Any) -> str:
    """What a client must do for a scheme: its type, and where the credential goes."""
    if not isinstance(value, dict):
        return "?"
    kind = str(value.get("type"))
    if kind == "http":
        return f"http {str(value.get('scheme', '')).lower()}"
    if kind == "apiKey":
        return f"apiKey in {value.get('in')} {str(value.get('name', '')).lower()}"
    return kind
