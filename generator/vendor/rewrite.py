"""Pass 1 of the normaliser: each schema rewritten into the shapes the core reads.

``nullable``, ``$recursiveRef``, ``format: unixtime``, ``allOf``, a ``$ref`` with siblings, a
named schema that is one member and null: :class:`SchemaRewriter` rewrites each schema on its
own, normalising the named ones on first use, and afterwards makes every reference to a
nullable named schema admit null (:meth:`SchemaRewriter.null_refs`).
"""

from __future__ import annotations

import copy
from typing import Any

from generator.core.load import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLES
from generator.vendor.trees import ANNOTATIONS, NULL, SDK, is_null, ref_name, schema_ref, sdk_keys

__all__ = ["SchemaRewriter"]

# Keys that carry nothing the generated code uses; dropping them keeps the IR small.
_DROP = frozenset(
    {"example", "examples", "externalDocs", "xml", "readOnly", "writeOnly", "deprecated", "$schema"}
)


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


class SchemaRewriter:
    """The document's named schemas, each normalised on first use, and the rewrites of one."""

    def __init__(self, data: dict[str, Any]) -> None:
        components = data.get("components") or {}
        self.raw: dict[str, Any] = dict(components.get("schemas") or {})
        self.schemas: dict[str, Any] = {}  # normalised named schemas
        self.busy: set[str] = set()
        self.nullable: set[str] = set()  # named schemas whose references admit null

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
            name = ref_name(schema["$ref"])
            if name is None or name in seen:
                return {}
            seen.add(name)
            schema = self.component(name)
        return schema

    def schema(self, schema: Any, owner: str, root: bool = False) -> Any:
        """``schema`` rewritten, under the named schema ``owner`` (``root``: it is that one)."""
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if (key.startswith("x-") and not key.startswith(SDK)) or key in _DROP:
                continue
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {k: self.schema(v, owner) for k, v in value.items()}
            elif key in SCHEMA_SINGLES:
                out[key] = self.schema(value, owner)
            elif key in SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.schema(v, owner) for v in value]
            elif key == "$recursiveRef":
                out["$ref"] = schema_ref(owner)
            else:
                out[key] = value
        if "$ref" in out:
            nullable = out.get("nullable") is True
            out = {**{k: out[k] for k in ("$ref", *ANNOTATIONS) if k in out}, **sdk_keys(out)}
            if nullable:
                out["nullable"] = True
        if out.get("format") == "binary" and out.get("type") == "string":
            # A file field of a multipart body: bytes, a file object or (name, bytes, type).
            out = {k: v for k, v in out.items() if k in ANNOTATIONS or k.startswith(SDK)}
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
            rest = [m for m in members if not is_null(m)]
            if len(rest) != 1 or not isinstance(rest[0], dict) or "$ref" in rest[0]:
                continue
            others = {k: v for k, v in schema.items() if k != combinator}
            if {k for k in others if not k.startswith(SDK)} - {*ANNOTATIONS, "nullable", "type"}:
                continue
            kept = {k: v for k, v in others.items() if k in ANNOTATIONS or k.startswith(SDK)}
            out = {**rest[0], **kept}
            if len(rest) != len(members) or others.get("nullable") is True:
                out["nullable"] = True
            return out
        return schema

    def admit_null(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``schema`` that also accepts null: in its type list, its union or a new ``anyOf``."""
        kind = schema.get("type")
        structural = ("enum", "const", "$ref", "oneOf", "anyOf", "properties", "discriminator")
        if isinstance(kind, str) and not any(k in schema for k in structural):
            return {**schema, "type": [kind, "null"]}
        if isinstance(kind, list) and not any(k in schema for k in structural):
            return {**schema, "type": [*kind, "null"]} if "null" not in kind else schema
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema and "discriminator" not in schema:
                members = schema[combinator]
                if not any(is_null(m) for m in members):
                    return {**schema, combinator: [*members, dict(NULL)]}
                return schema
        outer = {**{k: schema[k] for k in ANNOTATIONS if k in schema}, **sdk_keys(schema)}
        inner = {k: v for k, v in schema.items() if k not in outer}
        return {"anyOf": [inner, dict(NULL)], **outer}

    def merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``allOf`` as one schema: objects merged in order, or the one member that matters."""
        members = schema.pop("allOf")
        own = {
            k: v
            for k, v in schema.items()
            if k not in ANNOTATIONS and k != "nullable" and not k.startswith(SDK)
        }
        annotations = {
            k: v
            for k, v in schema.items()
            if k in ANNOTATIONS or k == "nullable" or k.startswith(SDK)
        }
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
            meaningful = {k for k in resolved if k not in (*ANNOTATIONS, "required", "type")}
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

    # --- the nullable references -------------------------------------------------------

    def null_refs(self, schema: Any, tagged: bool = False) -> Any:
        """Every reference to a nullable named schema admits null (except union variants)."""
        if isinstance(schema, list):
            return [self.null_refs(s, tagged) for s in schema]
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            if name in self.nullable and not tagged:
                outer = {**{k: schema[k] for k in ANNOTATIONS if k in schema}, **sdk_keys(schema)}
                return {"anyOf": [{"$ref": schema["$ref"]}, dict(NULL)], **outer}
            return schema
        for key in SCHEMA_MAPS:
            if isinstance(schema.get(key), dict):
                schema[key] = {k: self.null_refs(v) for k, v in schema[key].items()}
        for key in SCHEMA_SINGLES:
            if key in schema:
                schema[key] = self.null_refs(schema[key])
        for key in SCHEMA_LISTS:
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
