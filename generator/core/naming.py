"""How a name from the schemas becomes a Python name (docs/schema-extensions.md, "Names").

Every identifier the generator writes that comes from a schema (a class, a field, an enum
member, a module) is made here, so the rules are in one place:

- The result is a valid Python identifier that is stable under NFKC, the normalisation
  Python applies to identifiers when it reads source (``ﬁ`` would silently become ``fi``): the
  name is normalised first, so the field's alias keeps the wire name and two wire names that
  normalise alike are reported as a collision rather than one silently defining both.
- A name never shadows what a generated module binds. A class (module level) avoids Python
  keywords, builtins and the names the module imports (``Field``, ``Any``, ``Literal``,
  ``SDKModel``, ...); a field avoids keywords, pydantic's attributes, the SDK's own methods and
  the names a class body evaluates (a field named ``int`` breaks every ``int`` annotation
  after it). Such a name gets a trailing ``_`` (``from`` → ``from_``, a schema named ``Field``
  → class ``Field_``) and the wire name stays the alias.
- Module names come from file names and may not take a runtime module's place: names that
  start with ``_`` (``_errors``, ``__init__``) are refused, not renamed.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from typing import Any

from pydantic import BaseModel

__all__ = [
    "CLASS_BODY_NAMES",
    "MODULE_BINDINGS",
    "RESERVED_FIELD_NAMES",
    "SHARED_MODULE",
    "check_module_name",
    "class_name",
    "enum_member_name",
    "is_reserved",
    "module_name_for",
    "pascal",
    "py_field_name",
    "reserved_identifier_problem",
    "snake",
]

SHARED_MODULE = "shared"

# What templates/module.py.jinja imports into every API module (tests/core/test_naming.py
# checks this against a rendered module, so a new import cannot slip past it).
MODULE_BINDINGS = frozenset(
    {
        "annotations",
        "enum",
        "Mapping",
        "Sequence",
        "TYPE_CHECKING",
        "Annotated",
        "Any",
        "ClassVar",
        "Literal",
        "Field",
        "model_validator",
        "KNOWN_VALUES_ONLY",
        "OpenEnum",
        "RequestModel",
        "SDKModel",
        "SendsDefaults",
        "Required",
        "TypeAlias",
        "TypedDict",
        "UnionBase",
        "UnknownTag",
        "UnknownVariant",
        "attach",
        "bind_union",
        "union_class",
        "with_request_defaults",
    }
)

_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_BUILTINS = frozenset(dir(builtins))

# Names a model field cannot take without clashing with pydantic or the SDK's own methods.
RESERVED_FIELD_NAMES = frozenset(
    {n for n in dir(BaseModel) if not n.startswith("__")}
    | {"from_json", "from_dict", "to_json", "to_dict", "is_set", "validation_errors"}
)
# Names a class body of a generated model evaluates (annotations, decorators, defaults): a
# field of that name would shadow it for the rest of the class (``int: int | None`` breaks).
# Other builtins stay usable as field names: ``id``, ``type``, ``object``, ``format`` are wire
# names real APIs use and nothing in a class body refers to them.
CLASS_BODY_NAMES = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "frozenset"}
    | {"classmethod", "staticmethod", "property"}
    | MODULE_BINDINGS
)


def is_reserved(name: str) -> bool:
    """Whether ``name`` would shadow a keyword, a builtin or a name every module imports."""
    return name in _KEYWORDS or name in _BUILTINS or name in MODULE_BINDINGS


def reserved_identifier_problem(name: str) -> str | None:
    """Why a name chosen in an extension (``x-sdk-name``, ``x-sdk-method``) cannot be used."""
    if name in _KEYWORDS:
        return f"{name!r} is a Python keyword"
    if name in _BUILTINS or name in MODULE_BINDINGS:
        return f"{name!r} would shadow the name {name} that generated modules use"
    return None


def _identifier(text: str) -> str:
    """``text`` normalised as Python reads identifiers, with what cannot be in one as ``_``."""
    text = unicodedata.normalize("NFKC", text)
    out = [ch if ("a" + ch).isidentifier() else "_" for ch in text]
    return unicodedata.normalize("NFKC", "".join(out))


def pascal(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", unicodedata.normalize("NFKC", name))
    out = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not out or out[0].isdigit():
        out = "T" + out
    return out


def class_name(name: str) -> str:
    """The class a schema named ``name`` becomes: PascalCase, never a reserved name."""
    out = pascal(name)
    return out + "_" if is_reserved(out) else out


def snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"\W+", "_", s, flags=re.ASCII).strip("_").lower()


def py_field_name(wire: str) -> str:
    """The attribute a property named ``wire`` becomes; the wire name is its alias if they differ."""
    name = _identifier(wire)
    if not name or not name[0].isidentifier():
        name = "f_" + name
    if name.startswith("_"):
        name = "f" + name
    if name in _KEYWORDS or name in CLASS_BODY_NAMES or name in RESERVED_FIELD_NAMES:
        name += "_"
    return name


def enum_member_name(value: Any) -> str:
    name = re.sub(r"\W+", "_", unicodedata.normalize("NFKC", str(value)))
    name = _identifier(name).strip("_").upper()
    if not name or not name[0].isidentifier():
        name = "V_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def module_name_for(path: str) -> str:
    """The module a schema file becomes: ``chat-completions.yaml`` → ``chat_completions``."""
    if path.startswith("shared/"):
        return SHARED_MODULE
    stem = unicodedata.normalize("NFKC", path.rsplit(".", 1)[0]).lower()
    name = re.sub(r"[^0-9a-z_]", "_", stem)
    if name[:1].isdigit():
        name = "m_" + name
    return name + "_" if name in _KEYWORDS else name


def check_module_name(path: str) -> str | None:
    """Why the file at ``path`` cannot be a module of the package, or None."""
    name = module_name_for(path)
    if name.startswith("_"):
        return (
            f"the file would become module {name}, which starts with '_' like the package's "
            "runtime modules (_client, _errors, ...); rename the file"
        )
    if name == SHARED_MODULE and not path.startswith("shared/"):
        return "the file would become module shared, which holds the files under shared/"
    return None
