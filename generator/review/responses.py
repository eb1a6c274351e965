"""An operation's answers: status codes, media types and headers.

:class:`Responses` compares the responses of one operation as written (``$ref``s to
``components/responses`` and ``headers`` followed); header schemas go to the schema walk,
graded on the response side. Rule ids are oasdiff's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from generator.core.errors import join_pointer
from generator.core.index import RESPONSE as DIR_RESPONSE
from generator.core.load import lookup
from generator.review.comparison import Comparison, Part
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.schemas import Schemas
from generator.review.side import Side

if TYPE_CHECKING:
    from generator.review.surface import Surface

_STREAM = "text/event-stream"


def resolve(raw: Any, value: Any, limit: int = 16) -> Any:
    """``value`` with a local ``$ref`` chain followed (a dict, or None when it leads nowhere)."""
    seen = 0
    while isinstance(value, dict) and isinstance(value.get("$ref"), str) and seen < limit:
        ref = value["$ref"]
        if not ref.startswith("#"):
            return None
        value = lookup(raw, ref[1:])
        seen += 1
    return value if isinstance(value, dict) else None


def is_success(status: str) -> bool:
    return status.startswith("2") or status.upper() == "2XX"


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A header's schema without ``$ref``s left at its top (they point into the raw document)."""
    return {k: v for k, v in schema.items() if k != "$ref"}


class Responses(Part):
    """Compares the status codes, media types and headers of an operation's answers."""

    def __init__(self, comparison: Comparison, schemas: Schemas, surface: Surface) -> None:
        super().__init__(comparison)
        self.schemas = schemas
        self.surface = surface

    # responses -----------------------------------------------------------------------------

    def responses(self, side: Side) -> tuple[Any, dict[str, tuple[str, dict[str, Any]]]]:
        raw, op, _ = self.surface.raw_op(side)
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for status, value in (op.get("responses") or {}).items():
            response = resolve(raw, value)
            if response is not None:
                out[str(status)] = (join_pointer(side.pointer, "responses", str(status)), response)
        return raw, out

    def emit_response(
        self, rule: str, o: Side | None, n: Side | None, grade: Grade, message: str, **kw: Any
    ) -> None:
        self.emit(
            rule, o, n, request=None, response=grade, message=message, sides={DIR_RESPONSE}, **kw
        )

    def compare_responses(self, o: Side, n: Side, label: str) -> None:
        oraw, old = self.responses(o)
        nraw, new = self.responses(n)
        osuccess = {s for s in old if is_success(s)}
        nsuccess = {s for s in new if is_success(s)}
        for status in sorted(set(old) | set(new)):
            if status not in new:
                pointer = old[status][0]
                if status in osuccess:
                    kept = bool(nsuccess)
                    grade = Grade(
                        BREAKING,
                        SAFE if kept else BREAKING,
                        f"Clients that expect {status} get another status; "
                        + (
                            "the SDK takes any 2xx answer as success and parses its body the same way."
                            if kept
                            else "no success answer is left."
                        ),
                    )
                    rule = "response-success-status-removed"
                else:
                    grade = Grade(
                        SAFE,
                        SAFE,
                        "Clients no longer get this error; the SDK raises by status class.",
                    )
                    rule = "response-non-success-status-removed"
                self.emit_response(
                    rule,
                    replace(o, pointer=pointer),
                    n,
                    grade,
                    f"{label} no longer answers {status}",
                    detail=status,
                )
            elif status not in old:
                pointer = new[status][0]
                if status in nsuccess:
                    grade = Grade(SAFE, SAFE, "The SDK takes any 2xx answer as success.")
                    rule = "response-success-status-added"
                else:
                    grade = Grade(
                        SAFE,
                        SAFE,
                        "A new error answer: the SDK raises the typed error of its status class.",
                    )
                    rule = "response-non-success-status-added"
                self.emit_response(
                    rule,
                    o,
                    replace(n, pointer=pointer),
                    grade,
                    f"{label} may now answer {status}",
                    detail=status,
                )
            else:
                self.compare_response(o, n, label, status, old[status], new[status], (oraw, nraw))

    def compare_response(
        self,
        o: Side,
        n: Side,
        label: str,
        status: str,
        old: tuple[str, dict[str, Any]],
        new: tuple[str, dict[str, Any]],
        raws: tuple[Any, Any],
    ) -> None:
        (opointer, oresp), (npointer, nresp) = old, new
        os_, ns = replace(o, pointer=opointer), replace(n, pointer=npointer)
        omedia = set((oresp.get("content") or {}).keys()) - {_STREAM}
        nmedia = set((nresp.get("content") or {}).keys()) - {_STREAM}
        success = is_success(status)
        for media in sorted(omedia - nmedia):
            parsed = success and media == "application/json"
            self.emit_response(
                "response-media-type-removed",
                replace(os_, pointer=join_pointer(opointer, "content", media)),
                ns,
                Grade(
                    BREAKING if success else SAFE,
                    BREAKING if parsed else SAFE,
                    f"Clients that read `{media}` no longer get it"
                    + ("; the previous SDK parses the JSON answer." if parsed else "."),
                ),
                f"{label} {status} no longer answers `{media}`",
                detail=f"{status} {media}",
            )
        for media in sorted(nmedia - omedia):
            self.emit_response(
                "response-media-type-added",
                os_,
                replace(ns, pointer=join_pointer(npointer, "content", media)),
                Grade(
                    WARNING if success and omedia else SAFE,
                    SAFE,
                    f"Clients that do not ask for a type may get `{media}`; the SDK asks for JSON."
                    if success and omedia
                    else "A new form of answer.",
                ),
                f"{label} {status} may now answer `{media}`",
                detail=f"{status} {media}",
            )
        self.compare_headers(os_, ns, label, status, oresp, nresp, raws)

    def headers(self, raw: Any, response: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for name, value in (response.get("headers") or {}).items():
            header = resolve(raw, value)
            if header is not None:
                out[str(name).lower()] = (str(name), header)
        return out

    def compare_headers(
        self,
        o: Side,
        n: Side,
        label: str,
        status: str,
        oresp: dict[str, Any],
        nresp: dict[str, Any],
        raws: tuple[Any, Any],
    ) -> None:
        old, new = self.headers(raws[0], oresp), self.headers(raws[1], nresp)
        raw_note = "the SDK does not read it (code reading it from `.with_raw_response` does)"
        for key in sorted(set(old) | set(new)):
            what = f"{label} {status}: header `{(new.get(key) or old[key])[0]}`"
            if key not in new:
                name, header = old[key]
                required = header.get("required") is True
                self.emit_response(
                    "required-response-header-removed"
                    if required
                    else "optional-response-header-removed",
                    replace(o, pointer=join_pointer(o.pointer, "headers", name)),
                    n,
                    Grade(
                        BREAKING if required else WARNING,
                        WARNING if required else SAFE,
                        f"Clients that read it no longer get it; {raw_note}.",
                    ),
                    f"{what} was removed",
                    detail=key,
                )
                continue
            nname, nheader = new[key]
            ns = replace(n, pointer=join_pointer(n.pointer, "headers", nname))
            if key not in old:
                self.emit_response(
                    "response-header-added",
                    o,
                    ns,
                    Grade(SAFE, SAFE, "Clients get one more header."),
                    f"{what} was added",
                    detail=key,
                )
                continue
            oname, oheader = old[key]
            os_ = replace(o, pointer=join_pointer(o.pointer, "headers", oname))
            if oheader.get("required") is True and nheader.get("required") is not True:
                self.emit_response(
                    "response-header-became-optional",
                    os_,
                    ns,
                    Grade(BREAKING, WARNING, f"Clients that read it may now miss it; {raw_note}."),
                    f"{what} is no longer required",
                    detail=key,
                )
            oschema = resolve(raws[0], oheader.get("schema")) or {}
            nschema = resolve(raws[1], nheader.get("schema")) or {}
            hlabel = f"{label} {status} header {nname}"
            oside = self.surface.sides_of(
                replace(os_, pointer=join_pointer(os_.pointer, "schema")),
                {DIR_RESPONSE},
                hlabel,
                o.symbol,
            )
            nside = self.surface.sides_of(
                replace(ns, pointer=join_pointer(ns.pointer, "schema")),
                {DIR_RESPONSE},
                hlabel,
                n.symbol,
            )
            self.schemas.node(
                replace(oside, area="header"),
                replace(nside, area="header"),
                _inline(oschema),
                _inline(nschema),
            )
