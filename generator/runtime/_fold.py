# The box is untyped JSON (dicts and lists narrowed from ``Any`` by isinstance), so its
# element types are unknown by nature; mypy --strict still checks this module in full.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false, reportUnknownArgumentType=false
"""The ``x-sdk-accumulate`` rules, compiled into one folding function per event class.

:class:`FieldRule` and :class:`ClassRule` are what the generator prints for each annotated
class (see :mod:`._accumulate` for what each strategy does). The first time an event class
is folded, its rules become closures with every choice made once: which strategy each field
takes, which fields an event places at their own path, which class (and so which rules) a
nested object has, from the declared field types and a tagged union's tag. The closures fold
the event's decoded JSON, the dict its bytes parsed to, into the box: the typed event is not
read, so it costs nothing to fold an event nobody iterates, and nothing is re-serialised.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pydantic

from ._box import (
    BLOCK,
    KEY,
    PARTIAL,
    ROOT,
    Text,
    complete_partial_json,
    copy_json,
    is_dict,
    shared_text,
)
from ._errors import APIResponseValidationError, excerpt
from ._lenient import model_class, model_target, union_variants

__all__ = ["BLOCK", "HANDOFF", "ClassRule", "FieldRule", "Text", "compiled", "hand_off"]


@dataclass(frozen=True)
class FieldRule:
    """How one field of an event is folded into the snapshot."""

    strategy: str
    attr: str = ""  # the Python attribute holding the field's parsed model(s), for nested rules
    into: str = ""  # key written in the target object; "" is the field's own wire name
    at: str | None = None  # absolute place in the snapshot ("" is the root), for event fields
    key: str = "index"  # merge-by-index: the field that says which item a fragment extends
    identity: str = ""  # merge-by-index: the field that identifies an item without a key
    keep_key: bool = True  # merge-by-index: whether the key field is written to the item
    text: bool = False  # concat: the fragments are the stream's text (``text_stream``)


@dataclass(frozen=True)
class ClassRule:
    """The rules of one generated class, by wire name, and its whole-object rules."""

    fields: Mapping[str, FieldRule] = field(default_factory=lambda: {})
    default: str = "replace"  # strategy of fields without a rule when the object is merged
    whole: FieldRule | None = None  # the event itself goes here (``strategy`` + ``at``)
    finish: str | None = None  # the partial JSON under this path is complete
    init: Mapping[str, Any] | None = None  # starting value of a target this object creates


@functools.lru_cache(maxsize=256)
def _template(path: str) -> tuple[tuple[bool, str], ...]:
    """``/content/{index}`` → ((False, "content"), (True, "index")): literal or variable."""
    parts = [p for p in path.split("/") if p]
    return tuple(
        (True, p[1:-1]) if p.startswith("{") and p.endswith("}") else (False, p) for p in parts
    )


@functools.lru_cache(maxsize=256)
def _variables(path: str) -> frozenset[str]:
    """The variable names of a path template: ``/content/{index}`` → {"index"}."""
    return frozenset(name for is_var, name in _template(path) if is_var)


# The holders below are the snapshot's dicts nearly always: they are tested first, with
# ``isinstance`` inline, because these run several times for every field of every event.


def _get(holder: object, key: str | int) -> Any:
    if isinstance(holder, dict):
        return holder.get(key)
    if isinstance(holder, list):
        return holder[key] if isinstance(key, int) and 0 <= key < len(holder) else None
    return None


def _has(holder: object, key: str | int) -> bool:
    if isinstance(holder, dict):
        return key in holder
    if isinstance(holder, list):
        return isinstance(key, int) and 0 <= key < len(holder) and holder[key] is not None
    return False


def _put(holder: object, key: str | int, value: Any) -> None:
    if isinstance(holder, dict):
        holder[key] = value
    elif isinstance(holder, list):
        if not isinstance(key, int) or key < 0:
            raise ValueError(f"list position {key!r}")
        if key >= len(holder):
            holder.extend([None] * (key + 1 - len(holder)))
        holder[key] = value


# The folding functions, built once per rules table and class (see :class:`_Compiled`).
# A merge folds one decoded object into its target dict; an apply folds one value into
# ``holder[key]``; an event fold folds one whole event into the box.
_Merge = Callable[[dict[str, Any], dict[str, Any], list[str], bool], None]
_ApplyFn = Callable[[Any, "str | int", Any, list[str], bool], None]
_EventFold = Callable[[dict[str, Any], dict[str, Any], list[str]], None]
# The class a decoded value is read as, for its rules: a class, a function of the value (a
# tagged union's variant by tag), or None (no rules).
_Kind: TypeAlias = Any

# The strategies a merge does in its own loop (see ``_Compiled._merge``).
_REPLACE, _CONCAT, _MERGE, _PARTIAL, _OTHER = range(5)
_CODES = {"replace": _REPLACE, "concat": _CONCAT, "merge": _MERGE, "partial-json": _PARTIAL}

_SKIP_FIELD: Any = object()

HANDOFF = threading.local()
"""``HANDOFF.pair``: the event a stream's iteration yields last, with the decoded JSON it was
validated from (or the JSON text, when it was validated from that), for the accumulator that
folds it.

The iteration sets it for each event it yields (:func:`hand_off`); :meth:`Accumulator.add`
folds that JSON when it is given that same event (checked by identity), else the event's
``to_dict()``. The hand-off is per thread and between a yield and the next step of the same
iteration, so nothing can come in between.
"""


def hand_off(item: object, payload: Any) -> None:
    """Hand ``item``'s JSON to the accumulator that folds it (see :data:`HANDOFF`)."""
    HANDOFF.pair = (item, payload)


def _own(value: Any) -> Any:
    """A container about to be kept in the box: copied, since the box grows it in place."""
    return copy_json(value) if isinstance(value, (dict, list)) else value


class _Compiled:
    """The folding functions of one rules table: a merge per class, a fold per event class.

    Each is a closure built the first time its class is seen, with its rules looked up and
    its field strategies chosen once; the nested classes of a merged object come from the
    declared field types (a tagged union's variant by its tag), as validation would read
    them, so no typed object is needed to fold an event.
    """

    def __init__(self, rules: Mapping[type, ClassRule]) -> None:
        self.rules = rules
        self.merges: dict[type | None, _Merge] = {}
        self.events: dict[type, _EventFold | None] = {}

    # --- per class -------------------------------------------------------------------

    def event(self, cls: type) -> _EventFold | None:
        try:
            return self.events[cls]
        except KeyError:
            pass
        rules = self.rules.get(cls)
        fold = None
        if rules is not None and issubclass(cls, pydantic.BaseModel):
            fold = self._event(cls, rules)
        self.events[cls] = fold
        return fold

    def merge(self, cls: type | None) -> _Merge:
        merge = self.merges.get(cls)
        if merge is None:
            merge = self.merges[cls] = self._merge(cls)
        return merge

    def start(self, cls: type | None) -> dict[str, Any]:
        rules = self.rules.get(cls) if cls is not None else None
        init = rules.init if rules is not None else None
        return copy_json(dict(init)) if init else {}

    def _event(self, cls: type, rules: ClassRule) -> _EventFold:
        steps: list[Callable[[dict[str, Any], dict[str, Any], list[str]], None]] = []
        if rules.finish is not None:
            finish = _resolver(_template(rules.finish))

            def finishing(box: dict[str, Any], data: dict[str, Any], texts: list[str]) -> None:
                holder, key = _slot(box, finish(data))
                target = _get(holder, key)
                if is_dict(target):
                    complete_partial_json(target, strict=True)

            steps.append(finishing)
        if rules.whole is not None:
            whole = rules.whole
            at = _template(whole.at or "")
            used = _variables(whole.at or "")
            apply = self._apply(whole, cls)
            if not at and whole.strategy == "merge":
                merges, start = self.merges, self.start

                def folding(box: dict[str, Any], data: dict[str, Any], texts: list[str]) -> None:
                    target = box.get(ROOT)  # the event is the object itself: merged into it
                    if not isinstance(target, dict):
                        target = box[ROOT] = start(cls)
                    merge = merges.get(cls)
                    if merge is None:
                        merge = self.merge(cls)
                    merge(target, data, texts, True)

            else:
                where = _resolver(at)

                def folding(box: dict[str, Any], data: dict[str, Any], texts: list[str]) -> None:
                    value = {k: v for k, v in data.items() if k not in used} if used else data
                    holder, key = _slot(box, where(data))
                    _apply_or_null(apply, whole.strategy, holder, key, value, texts)

            steps.append(folding)
        placed = [
            (
                wire,
                _resolver(_template(rule.at)),
                rule.strategy not in ("ignore", "partial-json"),  # a None fills a gap
                self._apply(rule, self._kind(cls, rule)),
            )
            for wire, rule in rules.fields.items()
            if rule.at is not None
        ]
        if placed:

            def placing(box: dict[str, Any], data: dict[str, Any], texts: list[str]) -> None:
                for wire, where, fills, apply in placed:
                    if wire in data:
                        holder, key = _slot(box, where(data))
                        value = data[wire]
                        if value is not None:
                            apply(holder, key, value, texts, True)
                        elif fills and not _has(holder, key):
                            _put(holder, key, None)

            steps.append(placing)
        if len(steps) == 1:
            return steps[0]

        def fold(box: dict[str, Any], data: dict[str, Any], texts: list[str]) -> None:
            for step in steps:
                step(box, data, texts)

        return fold

    def _merge(self, cls: type | None) -> _Merge:
        """The merge of one class: its fields' strategies chosen once; ``replace``, ``concat``
        and ``merge`` (what nearly every delta field is) done in the loop itself, the others
        by their apply functions."""
        rules = self.rules.get(cls) if cls is not None else None
        if rules is None or cls is None:
            return _replace_all
        ops: dict[str, Any] = {}
        for wire, rule in rules.fields.items():
            if rule.at is not None or rule.strategy == "ignore":
                ops[wire] = _SKIP_FIELD  # placed at its own path by the event's fold
                continue
            kind = self._kind(cls, rule)
            code = _CODES.get(rule.strategy, _OTHER)
            fixed = kind is None or isinstance(kind, type)
            apply = self._apply(rule, kind)
            ops[wire] = (rule.into or wire, code, rule.text, kind, fixed, apply)
        ignore_others = rules.default == "ignore"
        merges, start = self.merges, self.start

        def merge(
            target: dict[str, Any], data: dict[str, Any], texts: list[str], primary: bool
        ) -> None:
            for wire, value in data.items():
                if wire not in ops:
                    if ignore_others:
                        continue
                    if value is None:
                        target.setdefault(wire, None)  # a None keeps what is there
                    elif isinstance(value, (dict, list)):
                        target[wire] = copy_json(value)  # the box grows what it keeps in place
                    else:
                        target[wire] = value
                    continue
                op = ops[wire]
                if op is _SKIP_FIELD:
                    continue
                into, code, text, kind, fixed, apply = op
                if value is None:
                    if code != _PARTIAL:
                        target.setdefault(into, None)
                elif code == _REPLACE:
                    target[into] = copy_json(value) if isinstance(value, (dict, list)) else value
                elif code == _CONCAT and isinstance(value, str):
                    current = target.get(into)
                    if isinstance(current, Text):
                        parts = current.parts  # current.append(value), inline
                        parts.append(value)
                        if len(parts) >= BLOCK:
                            current.join()
                    else:
                        target[into] = Text(current if isinstance(current, str) else "", value)
                    if text and primary and value:
                        texts.append(shared_text(value))
                elif code == _MERGE and isinstance(value, dict):
                    sub = kind if fixed else kind(value)
                    nested = target.get(into)
                    if not isinstance(nested, dict):
                        nested = target[into] = start(sub)
                    fold = merges.get(sub)
                    if fold is None:
                        fold = self.merge(sub)
                    fold(nested, value, texts, primary)
                else:
                    apply(target, into, value, texts, primary)

        return merge

    def _kind(self, cls: type, rule: FieldRule) -> _Kind:
        """Which class a value of ``rule``'s field is read as (for merges: whose rules fold it):
        the class itself when it is always the same, else a function of the value (a tagged
        union's variant by its tag); None when no class has rules for it."""
        if not rule.attr or rule.strategy not in ("merge", "merge-by-index"):
            return None
        if not issubclass(cls, pydantic.BaseModel):
            return None
        if not cls.__pydantic_complete__:  # built so far only as part of another schema
            cls.model_rebuild()  # its annotations are resolved here
        info = cls.model_fields.get(rule.attr)
        if info is None:
            return None
        target = model_target(info.annotation, items=rule.strategy == "merge-by-index")
        if target is None:
            return None
        if isinstance(target, type) and issubclass(target, pydantic.BaseModel):
            return target
        entry = union_variants(getattr(target, "__sdk_union__", target))
        if entry is None:
            return functools.partial(model_class, target)
        prop, variants, unknown = entry

        def variant(value: Any) -> type | None:  # model_class(target, value), its lookups done
            if not isinstance(value, dict):
                return None
            tag = value.get(prop)
            return (variants.get(tag) if isinstance(tag, str) else None) or unknown

        return variant

    # --- per strategy ----------------------------------------------------------------

    def _apply(self, rule: FieldRule, kind: _Kind) -> _ApplyFn:
        """``value`` (never None) folded into ``holder[key]`` by ``rule``'s strategy."""
        strategy = rule.strategy
        if strategy == "ignore":
            return _ignore
        if strategy == "concat":
            return _concat(rule.text)
        if strategy == "append":
            return _append
        if strategy == "merge":
            return self._merge_into(kind)
        if strategy == "merge-by-index":
            return self._merge_by_index(rule, kind)
        if strategy == "partial-json":
            return _partial_json
        return _replace

    def _merge_into(self, kind: _Kind) -> _ApplyFn:
        merges, start = self.merges, self.start
        fixed = kind is None or isinstance(kind, type)
        choose: Any = kind  # called with the value when not fixed

        def apply(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
            if not isinstance(value, dict):
                _put(holder, key, _own(value))
                return
            cls = kind if fixed else choose(value)
            current = holder.get(key) if isinstance(holder, dict) else _get(holder, key)
            if isinstance(current, dict):
                target = current
            else:
                target = start(cls)
                _put(holder, key, target)
            merge = merges.get(cls)
            if merge is None:
                merge = self.merge(cls)
            merge(target, value, texts, primary)

        return apply

    def _merge_by_index(self, rule: FieldRule, kind: _Kind) -> _ApplyFn:
        index, identity, keep_key = rule.key, rule.identity, rule.keep_key
        merges, start = self.merges, self.start
        fixed = kind is None or isinstance(kind, type)
        choose: Any = kind  # called with the value when not fixed

        def apply(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
            if not isinstance(value, list):
                _put(holder, key, _own(value))
                return
            current = _get(holder, key)
            if isinstance(current, list):
                items: list[Any] = current
            else:
                items = []
                _put(holder, key, items)
            for fragment in value:
                if not isinstance(fragment, dict):
                    items.append(_own(fragment))
                    continue
                cls = kind if fixed else choose(fragment)
                position: int | None = None
                at: Any = fragment.get(index)
                keyed = isinstance(at, int) and not isinstance(at, bool)
                if keyed:
                    for i, existing in enumerate(items):
                        if isinstance(existing, dict):  # _item_key(existing, index) == at
                            found = existing[KEY] if KEY in existing else existing.get(index)
                            if found == at and isinstance(found, int) and type(found) is not bool:
                                position = i
                                break
                elif identity and fragment.get(identity) is not None:
                    wanted = fragment[identity]
                    position = next(
                        (i for i, e in enumerate(items) if _get(e, identity) == wanted), None
                    )
                elif items:
                    position = len(items) - 1  # no key and no identity: it continues the latest
                if position is None:
                    target: dict[str, Any] = start(cls)
                    if keyed:
                        target[KEY] = at
                        position = next(
                            (i for i, e in enumerate(items) if (_item_key(e, index) or 0) > at),
                            len(items),
                        )
                    else:
                        position = len(items)
                    items.insert(position, target)
                else:
                    existing = items[position]
                    if isinstance(existing, dict):
                        target = existing
                    else:
                        target = items[position] = {}
                data = fragment if keep_key else {k: v for k, v in fragment.items() if k != index}
                first = primary and (at == 0 if keyed else position == 0)
                merge = merges.get(cls)
                if merge is None:
                    merge = self.merge(cls)
                merge(target, data, texts, first)

        return apply


def _replace_all(
    target: dict[str, Any], data: dict[str, Any], texts: list[str], primary: bool
) -> None:
    """The merge of an object whose class has no rules: every field replaced."""
    for wire, value in data.items():
        if value is None:
            target.setdefault(wire, None)
        elif isinstance(value, (dict, list)):
            target[wire] = copy_json(value)
        else:
            target[wire] = value


def _apply_or_null(
    apply: _ApplyFn, strategy: str, holder: Any, key: str | int, value: Any, texts: list[str]
) -> None:
    """An event's own field (or the event itself) folded at its place; a None only fills a gap."""
    if value is None:
        if strategy not in ("ignore", "partial-json") and not _has(holder, key):
            _put(holder, key, None)
        return
    apply(holder, key, value, texts, True)


def _ignore(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
    return


def _replace(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
    _put(holder, key, _own(value))


def _concat(text: bool) -> _ApplyFn:
    def apply(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
        if not isinstance(value, str):
            _put(holder, key, _own(value))
            return
        if isinstance(holder, dict):
            current = holder.get(key)
            if isinstance(current, Text):
                current.append(value)
            else:
                holder[key] = Text(current if isinstance(current, str) else "", value)
        else:
            current = _get(holder, key)
            if isinstance(current, Text):
                current.append(value)
            else:
                _put(holder, key, Text(current if isinstance(current, str) else "", value))
        if text and primary and value:
            texts.append(shared_text(value))

    return apply


def _append(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
    current = _get(holder, key)
    items: list[Any] = current if isinstance(current, list) else []
    if isinstance(value, list):
        items.extend(value)
    else:
        items.append(value)
    _put(holder, key, items)


def _partial_json(holder: Any, key: str | int, value: Any, texts: list[str], primary: bool) -> None:
    if not (isinstance(value, str) and is_dict(holder)):
        _put(holder, key, _own(value))
        return
    buffer_key = PARTIAL + str(key)
    buffer = holder.get(buffer_key)
    if isinstance(buffer, Text):
        buffer.append(value)
    else:
        holder[buffer_key] = Text(value)


def _resolve(template: tuple[tuple[bool, str], ...], data: Mapping[str, Any]) -> list[str | int]:
    segments: list[str | int] = [ROOT]
    for is_var, name in template:
        if not is_var:
            segments.append(int(name) if name.isdigit() else name)
            continue
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise APIResponseValidationError(
                f"stream event has no usable {name!r} to place it by: "
                f"{excerpt(json.dumps(data, default=str))}"
            )
        segments.append(value)
    return segments


def _resolver(
    template: tuple[tuple[bool, str], ...],
) -> Callable[[Mapping[str, Any]], list[str | int]]:
    """:func:`_resolve` of ``template``, done once when it has no variables."""
    if any(is_var for is_var, _ in template):
        return functools.partial(_resolve, template)
    segments = _resolve(template, {})
    return lambda _data: segments


def _slot(box: dict[str, Any], segments: list[str | int]) -> tuple[Any, str | int]:
    """The container of the last segment, creating the containers on the way."""
    node: Any = box
    last = len(segments) - 1
    for i in range(last):
        segment = segments[i]
        child: Any = node.get(segment) if isinstance(node, dict) else _get(node, segment)
        if not isinstance(child, (dict, list)):
            child = [] if isinstance(segments[i + 1], int) else {}
            _put(node, segment, child)
        node = child
    return node, segments[last]


_TABLES: dict[int, _Compiled] = {}


def compiled(rules: Mapping[type, ClassRule]) -> _Compiled:
    """The folding functions of ``rules``, built once per table (tables live as long as their
    package's ``_operations`` module; the entry keeps its table alive, so the id stays its own)."""
    table = _TABLES.get(id(rules))
    if table is None or table.rules is not rules:
        table = _TABLES[id(rules)] = _Compiled(rules)
    return table


def _item_key(item: Any, key: str) -> int | None:
    if not isinstance(item, dict):
        return None
    value = item[KEY] if KEY in item else item.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
