# A core schema is untyped nested dicts (narrowed from ``Any`` by isinstance), so its element
# types are unknown by nature; mypy --strict still checks this module in full.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false, reportUnknownArgumentType=false
"""Quick validators for stream events: the same classes, with nested tagged unions dispatched
inside pydantic-core.

A tagged union's discriminator is a Python function (``_models.tagged_union``), so that an
unknown tag reaches the union's ``Unknown…`` variant while a known tag with a bad body still
fails precisely; validating JSON, pydantic-core converts the nested object to Python to call
it. For the events a stream reads by the thousand, :func:`quick_validator` builds a validator
from a copy of the event class's core schema in which each such union dispatches on its tag
property itself (a string discriminator) and has no unknown variant. What it accepts, it
builds exactly as the class's own validator would (a known tag picks the same variant); what
it refuses (an unknown tag, a bad body) the caller reads again the exact way, which says why.
"""

from __future__ import annotations

import functools
from typing import Any

import pydantic
import pydantic_core

from ._models import UNKNOWN_TAG

__all__ = ["quick_validator"]


@functools.cache
def quick_validator(cls: type[pydantic.BaseModel]) -> pydantic_core.SchemaValidator | None:
    """``cls``'s validator with its nested tagged unions dispatched by tag in pydantic-core,
    or None when it cannot be built (the caller then uses the exact one). Built once per
    class."""
    try:
        if not cls.__pydantic_complete__:  # its instances' own methods need it built too
            cls.model_rebuild()
    except pydantic.PydanticUserError:
        return None
    if not cls.__pydantic_complete__:
        return None
    schema: Any = cls.__pydantic_core_schema__
    if not isinstance(schema, dict):
        return None
    quick = _tags_in_core(schema)
    # pydantic-core takes a complete class's own validator for its "model" node (its prebuilt
    # validator), which would bring the Python discriminators back: while the quick one is
    # built, the classes it holds read as incomplete (they stay built; nothing else reads
    # the flag meanwhile but a rebuild, which would find them built all the same).
    classes = [c for c in _model_classes(quick) if c.__dict__.get("__pydantic_complete__")]
    try:
        for model in classes:
            model.__pydantic_complete__ = False
        return pydantic_core.SchemaValidator(quick)
    except (pydantic_core.SchemaError, TypeError, ValueError):
        return None
    finally:
        for model in classes:
            model.__pydantic_complete__ = True


def _model_classes(node: Any) -> list[type[pydantic.BaseModel]]:
    """The classes of the "model" nodes of a core schema."""
    found: list[type[pydantic.BaseModel]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            model = item.get("cls")
            if item.get("type") == "model" and isinstance(model, type):
                if issubclass(model, pydantic.BaseModel) and model not in found:
                    found.append(model)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _tags_in_core(schema: dict[str, Any]) -> Any:
    definitions: dict[Any, Any] = {}
    if schema.get("type") == "definitions":
        definitions = {d.get("ref"): d for d in schema.get("definitions", [])}

    def prop_of(choices: dict[str, Any]) -> str | None:
        """The tag property of a union's variants (``__sdk_tag__``, set by tagged_union)."""
        props: set[Any] = set()
        for tag, choice in choices.items():
            if tag == UNKNOWN_TAG:
                continue
            target = choice
            if isinstance(choice, dict) and choice.get("type") == "definition-ref":
                target = definitions.get(choice.get("schema_ref"))
            model = target.get("cls") if isinstance(target, dict) else None
            props.add(getattr(model, "__sdk_tag__", None))
        prop = props.pop() if len(props) == 1 else None
        return prop if isinstance(prop, str) else None

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        if out.get("type") == "tagged-union" and callable(out.get("discriminator")):
            prop = prop_of(out["choices"])
            if prop is not None:
                out["discriminator"] = prop
                out["choices"] = {k: v for k, v in out["choices"].items() if k != UNKNOWN_TAG}
        return out

    return walk(schema)
