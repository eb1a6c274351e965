"""Pass 2 of the normaliser: every class named, every tagged union one the core takes.

:class:`Shaper` gives each named schema its class name (the vendor's numbered duplicates
merged or renamed), lifts inline bodies, answers and unions into named schemas, names every
inline object from its place, and makes each discriminator one the core honours, or drops it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.core.errors import SchemaError, join_pointer
from generator.core.load import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLES
from generator.vendor.names import pascal, place_names, reserved
from generator.vendor.rewrite import SchemaRewriter
from generator.vendor.trees import (
    SCHEMAS,
    bare,
    is_null,
    ref_name,
    schema_nodes,
    schema_places,
    schema_ref,
)

__all__ = ["Shaper", "tag_values"]


class Shaper:
    """Names and unions over ``rewriter``'s schemas; a name it cannot find is an error."""

    def __init__(self, rewriter: SchemaRewriter) -> None:
        self.rewriter = rewriter
        self.taken: set[str] = set()  # Python class names in use
        self.errors: list[SchemaError] = []
        self.by_shape: dict[str, str] | None = None

    @property
    def schemas(self) -> dict[str, Any]:
        """The named schemas, normalised (the rewriter's; lifted ones are added to it)."""
        return self.rewriter.schemas

    def claim(self, candidates: list[str], where: str) -> str:
        """The first free class name of ``candidates``; none free is an error at ``where``."""
        for name in candidates:
            if name not in self.taken and not reserved(name):
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

    def shape(self, paths: dict[str, Any], response_names: dict[int, str]) -> None:
        """Name every class and make every tagged union one build can take."""
        renamed = self.numbered_duplicates()
        names: dict[str, str] = {}
        for name in sorted(self.schemas):
            if name in renamed:
                continue
            py = pascal(name)
            if py in self.taken or reserved(py):
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
        self.lift_operation_schemas(paths, response_names)
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
            if base in self.schemas and bare(self.schemas[name]) == bare(self.schemas[base]):
                moves[schema_ref(name)] = schema_ref(base)
        places: dict[str, list[str]] = {}
        for owner in sorted(self.schemas):
            for place, node in schema_places(self.schemas[owner], pascal(owner)):
                ref = node.get("$ref")
                target = ref_name(ref) if isinstance(ref, str) else None
                if target in numbered and schema_ref(target) not in moves:
                    places.setdefault(target, []).extend(place_names(place[0], place[1], {}))
        for schema in self.schemas.values():
            for _, node in schema_nodes(schema):
                if node.get("$ref") in moves:
                    node["$ref"] = moves[node["$ref"]]
                mapping = (node.get("discriminator") or {}).get("mapping") or {}
                for tag, ref in mapping.items():
                    mapping[tag] = moves.get(ref, ref)
        for ref in moves:
            del self.schemas[ref_name(ref) or ""]
        out: dict[str, list[str]] = {}
        for name in numbered:
            if schema_ref(name) in moves:
                continue
            title = self.schemas[name].get("title")
            own = [pascal(title)] if isinstance(title, str) and title.strip() else []
            out[name] = [*own, *sorted(set(places.get(name, [])))]
        return out

    def lift(self, schema: dict[str, Any], name: str) -> dict[str, Any]:
        """Move an inline schema into components under ``name``; return a reference to it."""
        self.schemas[name] = schema
        schema["x-sdk-name"] = name
        return {"$ref": schema_ref(name)}

    def walk(self, schema: Any, owner: str, place: list[tuple[str, Any]]) -> Any:
        """Name the inline objects under ``schema``; lift inline unions. Returns the schema."""
        if not isinstance(schema, dict):
            return schema
        if place and "discriminator" in schema:
            rule = schema.pop("x-sdk-accumulate", None) if place[-1][0] == "prop" else None
            name = self.claim(place_names(owner, place, schema), owner)
            lifted = self.lift(schema, name)
            self.walk(schema, name, [])
            return lifted if rule is None else {**lifted, "x-sdk-accumulate": rule}
        if "discriminator" in schema:
            self.fix_union(schema, owner)
        elif place and "properties" in schema and "x-sdk-name" not in schema:
            at_property = place[-1][0] == "prop"
            owner = schema["x-sdk-name"] = self.claim(place_names(owner, place, schema), owner)
            place = []
            if at_property and "x-sdk-accumulate" in schema:
                # How the property folds (an overlay's rule), not what its class does as a
                # whole: the class is lifted and the rule stays on the property, beside its
                # $ref (an inline union, above, likewise).
                rule = schema.pop("x-sdk-accumulate")
                self.walk(schema, owner, [])
                return {**self.lift(schema, owner), "x-sdk-accumulate": rule}
        for key in SCHEMA_MAPS:
            if isinstance(schema.get(key), dict):
                for prop, value in schema[key].items():
                    schema[key][prop] = self.walk(value, owner, [*place, ("prop", prop)])
        for key in SCHEMA_SINGLES:
            if key in schema:
                schema[key] = self.walk(schema[key], owner, [*place, (key, None)])
        for key in SCHEMA_LISTS:
            if isinstance(schema.get(key), list):
                members = schema[key]
                for index, member in enumerate(members):
                    others = [m for i, m in enumerate(members) if i != index]
                    lone = bool(others) and all(is_null(m) for m in others)
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
            target = self.rewriter.resolve(member)
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
                tags = tag_values(member, prop, self.rewriter)
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
            if ref not in listed and ref_name(ref) in self.schemas:
                members.append({"$ref": ref})  # the mapping says the server sends it
                listed.add(ref)
        schema[combinator] = members
        by_tag: dict[str, str] = {}
        ok = True
        for member in members:
            target_name = (
                ref_name(member["$ref"]) if isinstance(member, dict) and "$ref" in member else None
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
            mapped = [t for t, ref in mapping.items() if ref_name(ref) == target_name]
            tags = mapped or tag_values(target, prop, self.rewriter)
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
            "mapping": {tag: schema_ref(target) for tag, target in sorted(by_tag.items())},
        }

    def same_schema(self, schema: dict[str, Any]) -> str | None:
        """The named schema ``schema`` repeats (annotations aside), if any: Cohere's stream
        of events is written inline and again as ``StreamedChatResponseV2``."""
        if self.by_shape is None:
            self.by_shape = {}
            for name in sorted(self.schemas):
                shape = json.dumps(bare(self.schemas[name]), sort_keys=True)
                self.by_shape.setdefault(shape, name)
        return self.by_shape.get(json.dumps(bare(schema), sort_keys=True))

    def lift_operation_schemas(self, paths: dict[str, Any], response_names: dict[int, str]) -> None:
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
                                    obj["schema"] = {"$ref": schema_ref(same)}
                                else:
                                    name = self.claim([stem + "StreamEvent", stem + "Event"], where)
                                    obj["schema"] = self.lift(schema, name)
                            continue
                        if isinstance(schema, dict) and "properties" in schema:
                            shared = response_names.get(id(response))
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
                                obj["schema"] = {"$ref": schema_ref(same)}
                            else:
                                obj["schema"] = self.lift(schema, self.claim(candidates, where))


def tag_values(schema: dict[str, Any], prop: str, rewriter: SchemaRewriter) -> list[Any]:
    """The values a variant's tag property may take: its ``const`` or its ``enum``."""
    tag = rewriter.resolve((schema.get("properties") or {}).get(prop))
    if not isinstance(tag, dict):
        return []
    if "const" in tag:
        return [tag["const"]]
    values = tag.get("enum")
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
