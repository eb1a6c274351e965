"""What the generated round-trip tests check, computed from the builder's view of the schemas.

The tests under ``generated/tests`` (templates/tests) prove that every component schema and
its generated model agree. They need, per schema: the schema itself with every ``$ref``
resolved inside one bundle (``schemas.json``, so a copy of ``generated/`` runs them alone),
its examples, which side of the wire it is on, and instances the schema rejects together
with what the model must do with each. All of that is decided here, from the same
classification the models are generated from (sides, open enums and unions, union tags), so
the templates only loop over it.

The cases themselves (mutations, injections, acceptances) are made in
:mod:`generator.roundtrip.mutations`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from generator.core import ir
from generator.core.load import Document, lookup, named_schemas
from generator.roundtrip import ir as rt_ir
from generator.roundtrip.ir import SchemaKind, Side
from generator.roundtrip.mutations import _DATA, _DROPPED, _MAPS, CaseMaker

if TYPE_CHECKING:
    from generator.core.build import Builder
    from generator.core.index import Named


class RoundTripBuilder:
    def __init__(self, builder: Builder) -> None:
        self.b = builder
        self.cases = CaseMaker(builder)
        self.keys: dict[tuple[str, str], str] = {}
        for doc in builder.spec.documents.values():
            for name, pointer, _ in named_schemas(doc):
                named = builder.named.get(self.key_of(doc, pointer))
                if named is not None:
                    self.keys[(doc.path, pointer)] = f"{named.module}.{name}"

    def key_of(self, doc: Document, pointer: str) -> Any:
        from generator.core.index import Key

        return Key(doc.path, pointer)

    # --- the bundle ----------------------------------------------------------------------

    def bundle(self, doc: Document, node: Any) -> Any:
        """``node`` as plain JSON Schema: refs point into the bundle, extensions dropped."""
        if isinstance(node, list):
            return [self.bundle(doc, item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("x-") or key in _DROPPED:
                continue
            if key in _MAPS and isinstance(value, dict):
                out[key] = {name: self.bundle(doc, sub) for name, sub in value.items()}
            elif key in _DATA:
                out[key] = copy.deepcopy(value)
            elif key == "$ref":
                target_doc, pointer = self.b.spec.resolve_ref(doc, value)
                bundled = self.keys.get((target_doc.path, pointer))
                if bundled is not None:
                    out[key] = f"#/$defs/{bundled}"
                else:  # a reference into the middle of a schema: inline its target
                    target = lookup(target_doc.data, pointer)
                    out.setdefault("allOf", []).append(self.bundle(target_doc, target))
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = {"propertyName": value.get("propertyName")}
                mapping = value.get("mapping") or {}
                if mapping:
                    out[key]["mapping"] = {
                        tag: self.bundle(doc, {"$ref": target})["$ref"]
                        for tag, target in mapping.items()
                    }
            else:
                out[key] = self.bundle(doc, value)
        return out

    # --- shapes ------------------------------------------------------------------------

    def side_of(self, named: Named) -> Side:
        sides = named.directions
        if sides >= {"request", "response"}:
            return "both"
        return "request" if sides == {"request"} else "response"

    def check(self, named: Named, key: str) -> rt_ir.SchemaCheck:
        examples = named.schema.get("examples") or []
        lenient = self.b.is_response_side(named)
        mutations: list[rt_ir.Mutation] = []
        injections: list[rt_ir.Injection] = []
        acceptances: list[rt_ir.Mutation] = []
        if examples:
            if named.kind == "model":
                self.cases.model_cases(named, examples, lenient, mutations, injections)
                acceptances += self.cases.acceptance_cases(named, examples)
            elif named.kind == "union":
                self.cases.union_cases(named, mutations, injections, examples)
            elif named.kind == "enum":
                self.cases.enum_cases(named, mutations, injections)
            else:
                self.cases.alias_cases(named, mutations)
        return rt_ir.SchemaCheck(
            key=key,
            module=named.module,
            class_name=named.py_name,
            kind=classified(named),
            side=self.side_of(named),
            lenient=lenient,
            source=f"schemas/{named.doc.path}#{named.key.pointer}",
            examples=len(examples),
            sends={
                wire: prop["default"]
                for wire, prop in (named.schema.get("properties") or {}).items()
                if isinstance(prop, dict) and prop.get("x-sdk-send-default") and "default" in prop
            },
            mutations=tuple(mutations),
            injections=tuple(injections),
            acceptances=tuple(acceptances),
        )

    def streams(self, package: ir.Package) -> list[rt_ir.StreamExample]:
        consts = {op.operation_id: op for op in package.operations}
        out: list[rt_ir.StreamExample] = []
        for doc in self.b.spec.documents.values():
            if not doc.is_openapi:
                continue
            for item in (doc.data.get("paths") or {}).values():
                for op in item.values():
                    if not isinstance(op, dict) or op.get("operationId") not in consts:
                        continue
                    built = consts[op["operationId"]]
                    for status, response in sorted((op.get("responses") or {}).items()):
                        if not str(status).startswith("2"):
                            continue
                        content = response.get("content") or {}
                        events = content.get("text/event-stream") or {}
                        body = content.get("application/json") or {}
                        into = ((events.get("x-sdk-stream") or {}).get("accumulate") or {}).get(
                            "into"
                        ) or body.get("schema")
                        if not isinstance(into, dict) or "$ref" not in into:
                            continue
                        target_doc, pointer, _ = self.cases.shapes.named_at(doc, into["$ref"])
                        final_key = self.keys.get((target_doc.path, pointer))
                        finals = body.get("examples") or {}
                        for name, example in (events.get("examples") or {}).items():
                            if final_key is None or not isinstance(example, dict):
                                continue
                            final = finals.get(name)
                            out.append(
                                rt_ir.StreamExample(
                                    case=f"{built.module}.{op['operationId']}:{name}",
                                    module=built.module,
                                    operation=built.const_name,
                                    final_key=final_key,
                                    body=str(example.get("value", "")),
                                    final=final.get("value") if isinstance(final, dict) else None,
                                )
                            )
        return sorted(out, key=lambda s: s.case)

    # --- all -------------------------------------------------------------------------------

    def build(self, package: ir.Package) -> rt_ir.RoundTrip:
        defs: dict[str, Any] = {}
        checks: list[rt_ir.SchemaCheck] = []
        for doc in self.b.spec.documents.values():
            for _, pointer, schema in named_schemas(doc):
                key = self.keys.get((doc.path, pointer))
                if key is None:
                    continue
                named = self.b.named[self.key_of(doc, pointer)]
                bundled = self.bundle(doc, schema)
                if schema.get("examples"):
                    bundled["examples"] = copy.deepcopy(schema["examples"])
                defs[key] = bundled
                checks.append(self.check(named, key))
        return rt_ir.RoundTrip(
            schemas=tuple(sorted(checks, key=lambda c: c.key)),
            streams=tuple(self.streams(package)),
            defs=dict(sorted(defs.items())),
        )


def classified(named: Named) -> SchemaKind:
    if named.kind is None:
        raise AssertionError(f"{named.name} was never classified")  # the builder classifies all
    return named.kind


def build_round_trip(builder: Builder, package: ir.Package) -> rt_ir.RoundTrip:
    return RoundTripBuilder(builder).build(package)
