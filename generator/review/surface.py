"""An operation's surface outside its body schemas: parameters, request body, responses, security.

:class:`Surface` compares one operation as written (before the vendor front end normalises
it, so ``style``, ``explode``, ``deprecated``, response headers and security requirements are
still there; ``$ref``s to ``components/parameters``, ``requestBodies``, ``responses`` and
``headers`` are followed) and hands the schemas of parameters and headers to the schema walk,
graded on their side of the wire. Rule ids are oasdiff's where oasdiff has the rule.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.core.errors import join_pointer
from generator.core.index import REQUEST as DIR_REQUEST
from generator.core.index import RESPONSE as DIR_RESPONSE
from generator.core.index import Key, Named
from generator.core.load import lookup
from generator.core.manifest import param_symbol
from generator.core.naming import py_field_name
from generator.review.comparison import Comparison, Part
from generator.review.responses import Responses, resolve
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.schemas import Schemas
from generator.review.side import Side

_PARAM_DEFAULTS = {"query": ("form", True), "cookie": ("form", True), "path": ("simple", False)}
_ENCODINGS = {
    "json": ("application/json",),
    "multipart": ("multipart/form-data",),
    "form": ("application/x-www-form-urlencoded",),
}


class Surface(Part):
    """Compares what an operation takes and answers besides its body schemas."""

    def __init__(self, comparison: Comparison, schemas: Schemas) -> None:
        super().__init__(comparison)
        self.schemas = schemas
        self.responses = Responses(comparison, schemas, self)

    # reading -------------------------------------------------------------------------------

    def raw_op(self, side: Side) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The document as written, its operation and its path item."""
        raw = side.snap.raw.get(side.doc.path, side.doc.data)
        op = lookup(raw, side.pointer)
        item = lookup(raw, side.pointer.rsplit("/", 1)[0])
        return raw, op if isinstance(op, dict) else {}, item if isinstance(item, dict) else {}

    def parameters(self, side: Side) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
        """(in, name) → (pointer as written, parameter); the operation's override the path's."""
        raw, op, item = self.raw_op(side)
        out: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        item_pointer = side.pointer.rsplit("/", 1)[0]
        for base, params in (
            (item_pointer, item.get("parameters")),
            (side.pointer, op.get("parameters")),
        ):
            for index, value in enumerate(params if isinstance(params, list) else []):
                param = resolve(raw, value)
                if param is None or not isinstance(param.get("name"), str):
                    continue
                where = str(param.get("in"))
                name = param["name"] if where != "header" else param["name"].lower()
                out[(where, name)] = (join_pointer(base, "parameters", index), param)
        return out

    def sides_of(self, side: Side, directions: set[str], label: str, symbol: str) -> Side:
        owner = Named(Key(side.doc.path, side.pointer), label, label, "", {}, side.doc)
        owner.directions = set(directions)
        return replace(side, owner=owner, label=label, symbol=symbol, field=None)

    def ir_op(self, side: Side) -> Any:
        source = f"{side.doc.source}#{side.pointer}"
        return next((op for op in side.snap.package.operations if op.source == source), None)

    def param_symbol(self, side: Side, name: str, where: str) -> str:
        ir_op = self.ir_op(side)
        if ir_op is not None:
            params = {"path": ir_op.path_params, "query": ir_op.query_params}.get(
                where, ir_op.header_params
            )
            for p in params:
                if p.wire_name.lower() == name.lower():
                    return param_symbol(side.symbol, p.py_name)
        return param_symbol(side.symbol, py_field_name(name))

    def normalised_param(self, side: Side, where: str, name: str) -> tuple[str, Any] | None:
        """The parameter's schema in the normalised document (what the SDK was built from)."""
        op = lookup(side.doc.data, side.pointer)
        params = op.get("parameters") if isinstance(op, dict) else None
        for index, param in enumerate(params if isinstance(params, list) else []):
            if not isinstance(param, dict) or str(param.get("in")) != where:
                continue
            pname = str(param.get("name"))
            if (pname.lower() if where == "header" else pname) == name:
                return join_pointer(side.pointer, "parameters", index, "schema"), param.get(
                    "schema"
                )
        return None

    # the comparison ------------------------------------------------------------------------

    def compare(self, o: Side, n: Side, label: str) -> None:
        self.compare_parameters(o, n, label)
        self.compare_body(o, n, label)
        self.responses.compare_responses(o, n, label)
        self.compare_deprecation(o, n, label)

    def emit_request(
        self, rule: str, o: Side | None, n: Side | None, grade: Grade, message: str, **kw: Any
    ) -> None:
        self.emit(
            rule, o, n, request=grade, response=None, message=message, sides={DIR_REQUEST}, **kw
        )

    def compare_parameters(self, o: Side, n: Side, label: str) -> None:
        old, new = self.parameters(o), self.parameters(n)
        for key in sorted(set(old) | set(new)):
            where, name = key
            what = f"{label}: {where} parameter `{name}`"
            if key not in new:
                pointer, param = old[key]
                osym = self.param_symbol(o, name, where)
                ps = replace(o, pointer=pointer)
                if param.get("deprecated") is True:
                    rule, grade = (
                        "request-parameter-removed-with-deprecation",
                        Grade(
                            WARNING,
                            BREAKING,
                            "It was deprecated first, so clients were told; code that still passes "
                            f"`{osym.rsplit('(', 1)[1][:-2]}` fails: the keyword argument is gone.",
                        ),
                    )
                else:
                    rule, grade = (
                        "request-parameter-removed",
                        Grade(
                            BREAKING if where == "path" or param.get("required") else WARNING,
                            BREAKING,
                            "The server no longer reads it (old clients still send it); the keyword "
                            "argument is gone.",
                        ),
                    )
                self.emit_request(rule, ps, None, grade, f"{what} was removed", refs=[(osym, None)])
                continue
            pointer, param = new[key]
            ns = replace(n, pointer=pointer)
            nsym = self.param_symbol(n, name, where)
            if key not in old:
                required = where == "path" or param.get("required") is True
                if where == "path":
                    rule = "new-request-path-parameter"
                elif required:
                    rule = "new-required-request-parameter"
                else:
                    rule = "new-optional-request-parameter"
                grade = (
                    Grade(
                        BREAKING,
                        BREAKING,
                        "Old clients do not send it; it is a new required argument.",
                    )
                    if required
                    else Grade(SAFE, SAFE, "A new optional argument.")
                )
                self.emit_request(rule, None, ns, grade, f"{what} was added", refs=[(None, nsym)])
                continue
            opointer, oparam = old[key]
            os_ = replace(o, pointer=opointer)
            osym = self.param_symbol(o, name, where)
            self.compare_parameter(os_, ns, oparam, param, what, (osym, nsym), key)
            self.parameter_schema(o, n, what, (osym, nsym), key)

    def compare_parameter(
        self,
        o: Side,
        n: Side,
        oparam: dict[str, Any],
        nparam: dict[str, Any],
        what: str,
        symbols: tuple[str, str],
        key: tuple[str, str],
    ) -> None:
        where = key[0]
        oreq, nreq = oparam.get("required") is True, nparam.get("required") is True
        if where != "path" and oreq != nreq:
            if nreq:
                self.emit_request(
                    "request-parameter-became-required",
                    o,
                    n,
                    Grade(
                        BREAKING,
                        BREAKING,
                        "Old clients may leave it out; the argument is now required.",
                    ),
                    f"{what} is now required",
                    refs=[symbols],
                )
            else:
                self.emit_request(
                    "request-parameter-became-optional",
                    o,
                    n,
                    Grade(
                        SAFE, SAFE, "Old clients still send it; the argument may now be left out."
                    ),
                    f"{what} is no longer required",
                    refs=[symbols],
                )
        style, explode = _PARAM_DEFAULTS.get(where, ("simple", False))
        ostyle, nstyle = oparam.get("style", style), nparam.get("style", style)
        oexp = oparam.get("explode", ostyle == "form" if "style" in oparam else explode)
        nexp = nparam.get("explode", nstyle == "form" if "style" in nparam else explode)
        if (ostyle, oexp) != (nstyle, nexp):
            self.emit_request(
                "request-parameter-style-changed",
                o,
                n,
                Grade(
                    BREAKING,
                    BREAKING,
                    "The server now reads the value in another form; old clients, and the previous "
                    "SDK, serialise it the old way.",
                ),
                f"{what}: style {ostyle}/explode {str(oexp).lower()} → {nstyle}/explode "
                f"{str(nexp).lower()}",
                detail=f"{ostyle} {oexp} → {nstyle} {nexp}",
                refs=[symbols],
            )
        odep, ndep = oparam.get("deprecated") is True, nparam.get("deprecated") is True
        if odep != ndep:
            self.emit_request(
                "request-parameter-deprecated" if ndep else "request-parameter-reactivated",
                o,
                n,
                Grade(
                    SAFE, WARNING, "It still works; plan to stop passing it before it is removed."
                )
                if ndep
                else Grade(SAFE, SAFE, "No longer deprecated."),
                f"{what} is " + ("deprecated" if ndep else "no longer deprecated"),
                refs=[symbols],
            )

    def parameter_schema(
        self, o: Side, n: Side, what: str, symbols: tuple[str, str], key: tuple[str, str]
    ) -> None:
        """The schemas, as the SDK was built from them, graded as request-side values."""
        where, name = key
        found_o = self.normalised_param(o, where, name)
        found_n = self.normalised_param(n, where, name)
        if found_o is None or found_n is None:
            return
        label = f"{what.split(': ', 1)[0]} {where} parameter {name}"
        oside = self.sides_of(replace(o, pointer=found_o[0]), {DIR_REQUEST}, label, symbols[0])
        nside = self.sides_of(replace(n, pointer=found_n[0]), {DIR_REQUEST}, label, symbols[1])
        self.schemas.node(
            replace(oside, area="parameter"),
            replace(nside, area="parameter"),
            found_o[1] or {},
            found_n[1] or {},
        )

    # request body --------------------------------------------------------------------------

    def body(self, side: Side) -> tuple[str, dict[str, Any] | None]:
        raw, op, _ = self.raw_op(side)
        return join_pointer(side.pointer, "requestBody"), resolve(raw, op.get("requestBody"))

    def sent_media(self, side: Side) -> tuple[str, ...]:
        ir_op = self.ir_op(side)
        if ir_op is None:
            return ("application/json",)
        return _ENCODINGS.get(ir_op.body_encoding, ())

    def compare_body(self, o: Side, n: Side, label: str) -> None:
        opointer, obody = self.body(o)
        npointer, nbody = self.body(n)
        os_, ns = replace(o, pointer=opointer), replace(n, pointer=npointer)
        if obody is None and nbody is None:
            return
        covers = [o.symbol + "(", n.symbol + "("]
        if obody is None:
            assert nbody is not None
            required = nbody.get("required") is True
            self.emit_request(
                "request-body-added-required" if required else "request-body-added-optional",
                o,
                ns,
                Grade(BREAKING, BREAKING, "Old clients send no body.")
                if required
                else Grade(SAFE, SAFE, "Old clients may go on sending none."),
                f"{label} now takes a request body" + (" (required)" if required else ""),
                covers=covers,
            )
            return
        if nbody is None:
            self.emit_request(
                "request-body-removed",
                os_,
                n,
                Grade(
                    BREAKING,
                    BREAKING,
                    "Old clients send a body the operation no longer takes; the body's arguments are gone.",
                ),
                f"{label} no longer takes a request body",
                covers=covers,
            )
            return
        oreq, nreq = obody.get("required") is True, nbody.get("required") is True
        if oreq != nreq:
            self.emit_request(
                "request-body-became-required" if nreq else "request-body-became-optional",
                os_,
                ns,
                Grade(
                    BREAKING,
                    WARNING,
                    "Old clients may send no body; the previous SDK always sends one.",
                )
                if nreq
                else Grade(SAFE, SAFE, "Old clients still send one."),
                f"{label}: the request body is " + ("now required" if nreq else "now optional"),
            )
        omedia = set((obody.get("content") or {}).keys())
        nmedia = set((nbody.get("content") or {}).keys())
        sent = self.sent_media(o)
        for media in sorted(omedia - nmedia):
            uses = media in sent
            self.emit_request(
                "request-body-media-type-removed",
                replace(os_, pointer=join_pointer(opointer, "content", media)),
                ns,
                Grade(
                    BREAKING,
                    BREAKING if uses else SAFE,
                    f"Old clients that send `{media}` are rejected; "
                    + (
                        "the previous SDK sends it."
                        if uses
                        else "the previous SDK sends another type."
                    ),
                ),
                f"{label}: the request body no longer accepts `{media}`",
                detail=media,
            )
        for media in sorted(nmedia - omedia):
            self.emit_request(
                "request-body-media-type-added",
                os_,
                replace(ns, pointer=join_pointer(npointer, "content", media)),
                Grade(SAFE, SAFE, "Old clients send what they sent."),
                f"{label}: the request body also accepts `{media}`",
                detail=media,
            )

    # deprecation -----------------------------------------------------------------------------

    def compare_deprecation(self, o: Side, n: Side, label: str) -> None:
        _, oop, _ = self.raw_op(o)
        _, nop, _ = self.raw_op(n)
        odep, ndep = oop.get("deprecated") is True, nop.get("deprecated") is True
        if odep == ndep:
            return
        self.emit(
            "endpoint-deprecated" if ndep else "endpoint-reactivated",
            o,
            n,
            request=Grade(
                SAFE,
                WARNING,
                f"It still works; plan to stop calling `{n.symbol}` before it is removed.",
            )
            if ndep
            else Grade(SAFE, SAFE, "No longer deprecated."),
            response=None,
            message=f"{label} is " + ("deprecated" if ndep else "no longer deprecated"),
            sides={DIR_REQUEST, DIR_RESPONSE},
            refs=[(o.symbol, n.symbol)],
        )
