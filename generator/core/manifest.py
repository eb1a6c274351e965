r"""The API manifest: every public symbol of the generated package, as sorted data.

The manifest is computed from the IR alone (never by importing generated code), so it can
be produced for any commit whose schemas load, including commits that predate the
manifest. ``sdkforge review`` diffs two manifests to say which Python symbols a schema
change touches; ``generated/api-manifest.json`` is the committed copy for readers and tools.

Each symbol is a dotted path with one record:

* ``chatsdk.messages.TextBlock``: a model (``class``), an ``enum``, a tagged ``union`` or a
  type ``alias``;
* ``chatsdk.messages.TextBlock.text``: a ``field``; ``chatsdk.messages.StopReason.END_TURN``:
  an ``enum-member``; ``chatsdk.messages.ContentBlock[text]``: a union ``variant``;
* ``chatsdk.messages.Message.user``: a ``constructor``; ``….first_text``: an ``accessor``;
  ``….DEFAULT_MAX_TOKENS``: a ``constant``;
* ``chatsdk.messages.MessageParam``: the ``typeddict`` of a request-side model or union, with
  its ``owner``; its keys are the owner's fields, so review reports it with its owner;
* ``client.messages.create``: the client ``method`` of an operation (``Client`` and
  ``AsyncClient`` share it), ``client.messages.create(max_tokens=…)`` one of its keyword
  ``param``\ s, ``client.messages.stream``: the accumulating stream helper.

Every record has ``kind`` and ``decl`` (the Python declaration, as shown in review reports)
plus the attributes a diff needs. ``source`` (the schema location) is for mapping symbols
back to schemas and is not part of the API: moving a schema changes no symbol.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.core import ir

FORMAT = 1
CLIENT = "client"

Symbols = dict[str, dict[str, Any]]


_KNOWN_ONLY = re.compile(r"Annotated\[(\w+), KNOWN_VALUES_ONLY\]")


def public_hint(hint: str) -> str:
    """The hint as type checkers see it: ``KNOWN_VALUES_ONLY`` is run-time metadata only."""
    return _KNOWN_ONLY.sub(r"\1", hint)


def _field_decl(field: ir.Field) -> str:
    default = f" = {field.default_repr}" if field.default_repr is not None else ""
    return f"{field.py_name}: {public_hint(field.type_hint)}{default}"


def _constructor(c: ir.Constructor, owner: str) -> dict[str, Any]:
    prefix = "@staticmethod " if c.is_static else "@classmethod "
    return {
        "kind": "constructor",
        "decl": f"{prefix}def {c.name}({public_hint(c.signature)}) -> {c.return_hint}",
        "params": [[p.py_name, public_hint(p.type_hint), p.default_repr] for p in c.params],
        "returns": c.return_hint,
        "owner": owner,
    }


def _accessor(a: ir.Accessor, owner: str, alias: str | None = None) -> dict[str, Any]:
    params = f"value: {alias}" if alias else "self"
    return {
        "kind": "accessor",
        "decl": f"def {a.name}({params}) -> {a.return_hint}",
        "returns": a.return_hint,
        "owner": owner,
    }


def _constant(c: ir.Constant, owner: str) -> dict[str, Any]:
    return {
        "kind": "constant",
        "decl": f"{c.name}: ClassVar[{c.type_hint}] = {c.value_repr}",
        "value": c.value_repr,
        "owner": owner,
    }


def _members(
    out: Symbols,
    owner: str,
    constructors: tuple[ir.Constructor, ...] = (),
    accessors: tuple[ir.Accessor, ...] = (),
    constants: tuple[ir.Constant, ...] = (),
) -> None:
    for c in constructors:
        out[f"{owner}.{c.name}"] = _constructor(c, owner)
    for a in accessors:
        out[f"{owner}.{a.name}"] = _accessor(a, owner)
    for k in constants:
        out[f"{owner}.{k.name}"] = _constant(k, owner)


def _module_symbols(package: ir.Package, module: ir.Module, out: Symbols) -> None:
    prefix = f"{package.name}.{module.name}"
    for enum in module.enums:
        sym = f"{prefix}.{enum.name}"
        base = "OpenEnum" if enum.is_open else "str, enum.Enum"
        out[sym] = {
            "kind": "enum",
            "decl": f"class {enum.name}({base})",
            "open": enum.is_open,
            "source": enum.source,
        }
        for member in enum.members:
            out[f"{sym}.{member.py_name}"] = {
                "kind": "enum-member",
                "decl": f"{member.py_name} = {member.value_repr}",
                "value": member.value_repr,
                "owner": sym,
            }
        _members(out, sym, accessors=enum.accessors)
    for union in module.unions:
        sym = f"{prefix}.{union.name}"
        out[sym] = {
            "kind": "union",
            "decl": (
                # the variants are symbols of their own: adding one changes no declaration
                f"{union.name}: TypeAlias = Union[...]"
                if union.is_type_alias
                else f"class {union.name}(UnionBase)"
            ),
            "discriminator": union.discriminator,
            "unknown": union.unknown_class,
            "source": union.source,
        }
        for variant in union.variants:
            out[f"{sym}[{variant.tag}]"] = {
                "kind": "variant",
                "decl": f"{union.discriminator}={variant.tag!r}: {variant.class_name}",
                "class": variant.class_name,
                "owner": sym,
            }
        _members(out, sym, union.constructors, (), union.constants)
        if union.param_name:
            out[f"{prefix}.{union.param_name}"] = {
                "kind": "typeddict",
                "decl": f"{union.param_name}: TypeAlias = Union[...]",
                "owner": sym,
            }
    for model in module.models:
        sym = f"{prefix}.{model.name}"
        out[sym] = {
            "kind": "class",
            "decl": f"class {model.name}({model.bases})",
            "bases": model.bases,
            "source": model.source,
        }
        for field in model.fields:
            out[f"{sym}.{field.py_name}"] = {
                "kind": "field",
                "decl": _field_decl(field),
                "type": public_hint(field.type_hint),
                "default": field.default_repr,
                "constraints": field.field_args,
                "wire": field.wire_name,
                "owner": sym,
            }
        _members(out, sym, model.constructors, model.accessors, model.constants)
        if model.param is not None:
            # its keys are the model's fields (listed above), so a property change shows once
            out[f"{prefix}.{model.param.name}"] = {
                "kind": "typeddict",
                "decl": f"class {model.param.name}(TypedDict, total=False)",
                "owner": sym,
            }
    for alias in module.aliases:
        sym = f"{prefix}.{alias.name}"
        out[sym] = {
            "kind": "alias",
            "decl": f"{alias.name} = {alias.type_hint}",
            "type": alias.type_hint,
            "source": alias.source,
        }
        for a in alias.accessors:
            # Accessors of an alias are module-level functions taking the value.
            out[f"{prefix}.{a.name}"] = _accessor(a, sym, alias=alias.name)


def find_model(package: ir.Package, module: str, name: str) -> tuple[ir.Module, ir.Model] | None:
    """The model ``name`` as seen from ``module``: its own, or one it imports."""
    ordered = sorted(package.modules, key=lambda m: m.name != module)
    for mod in ordered:
        for model in mod.models:
            if model.name == name:
                return mod, model
    return None


def method_symbol(op: ir.Operation) -> str:
    return f"{CLIENT}.{op.resource}.{op.method}"


_MODULE_REF = re.compile(r"\b_\w+\.")


def _plain(hint: str) -> str:
    """A client-module hint as users read it: ``_messages.ChatResponse`` is ``ChatResponse``."""
    return public_hint(_MODULE_REF.sub("", hint))


def param_symbol(method: str, py_name: str) -> str:
    return f"{method}({py_name}=…)"


def _operation_symbols(package: ir.Package, op: ir.Operation, out: Symbols) -> None:
    """The client method of ``op``, one ``param`` per keyword, and its ``stream()`` helper.

    Every method also takes ``extra_headers``, ``extra_query``, ``extra_body``, ``timeout``
    and ``max_retries``; they are the same everywhere and left out here.
    """
    sym = method_symbol(op)
    found = find_model(package, op.module, op.request_class)
    request = f"{package.name}.{found[0].name}.{found[1].name}" if found else ""
    params = [_plain(p.declaration) for p in op.params]
    returns = _plain(op.response_ref) if op.response_ref else op.response_class
    call = params
    if op.stream is not None:
        item = _plain(op.stream.item_ref) if op.stream.item_ref else op.stream.item_hint
        call = [*params, "stream: bool | NotGiven = NOT_GIVEN"]
        returns = f"{returns} | Stream[{item}]"
    out[sym] = {
        "kind": "method",
        "decl": f"def {op.method}({', '.join(['self', '*', *call])}) -> {returns}",
        "http": f"{op.http_method} {op.path}",
        "request": request,
        "response": f"{package.name}.{op.module}.{op.response_class}",
        "stream": f"{package.name}.{op.stream.item_module}.{op.stream.item_hint}"
        if op.stream
        else None,
        "source": op.source,
    }
    for p in op.params:
        out[param_symbol(sym, p.py_name)] = {
            "kind": "param",
            "decl": _plain(p.declaration),
            "type": _plain(p.type_hint),
            "required": p.required,
            "wire": p.wire_name,
            "owner": sym,
        }
    if op.stream_class:
        helper = f"{CLIENT}.{op.resource}.stream"
        out[helper] = {
            "kind": "method",
            "decl": f"def stream({', '.join(['self', '*', *params])}) -> "
            f"StreamManager[{op.stream_class}]",
            "final": op.stream.final_method if op.stream else None,
            "request": request,
            "params_of": sym,
            "source": op.source,
        }


def build_manifest(package: ir.Package) -> dict[str, Any]:
    """The manifest of ``package``: ``{"format", "package", "version", "symbols"}``."""
    symbols: Symbols = {}
    for module in package.modules:
        _module_symbols(package, module, symbols)
    for op in package.operations:
        _operation_symbols(package, op, symbols)
    return {
        "format": FORMAT,
        "package": package.name,
        "version": package.version,
        "symbols": dict(sorted(symbols.items())),
    }


def dumps(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
