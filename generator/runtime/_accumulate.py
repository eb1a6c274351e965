# The snapshot is untyped JSON (dicts and lists narrowed from ``Any`` by isinstance), so its
# element types are unknown by nature; mypy --strict still checks this module in full.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false, reportUnknownArgumentType=false
"""Folding the events of a stream into the object a non-streamed call would have returned.

Nothing here knows an API family. The generator turns each ``x-sdk-accumulate`` annotation of
the schemas into a :class:`FieldRule` or :class:`ClassRule` (see the package's ``_operations``), and
:class:`Accumulator` applies whichever rules belong to the class of each event it is given.
Because the rules are generated from the same schemas as the event unions, a new delta
type or a new field needs a schema change, not a change here.

Strategies, for a field whose value arrives in an event:

``replace``
    the value replaces the target's (a null never overwrites a value already there);
``concat``
    strings are appended to the target string (``text``, ``arguments``);
``append``
    a list is extended with the value's items, or a single value appended to it;
``merge``
    an object's fields are folded into the target object, each by its own rule;
``merge-by-index``
    each item of a list is folded into the target list's item with the same ``key`` (the
    ``index`` field), or by ``identity`` (an ``id``) when a server leaves the key out,
    otherwise into the last item; new items are kept in key order;
``partial-json``
    fragments of JSON text are collected and parsed into the target field when the event
    named by a ``finish`` rule arrives (or when the stream ends, tolerating truncation);
``ignore``
    the field says where things go (an ``index``) or what kind of delta it is (a tag).

Fields without a rule are replaced when their object is merged; a top-level event applies
only its fields that carry an ``at`` path, or itself as a whole.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeGuard, TypeVar, cast

import pydantic
import pydantic_core

from ._errors import APIResponseValidationError, excerpt
from ._lenient import lenient

__all__ = ["Accumulator", "ClassRule", "FieldRule"]

_F = TypeVar("_F", bound=pydantic.BaseModel)

# Bookkeeping kept inside the snapshot's dicts and removed before the final object is built.
_HIDDEN = "\x00"
_KEY = "\x00key"
_PARTIAL = "\x00partial-json:"
_ROOT = "root"


_BLOCK = 64  # fragments joined at a time by _Text


class _Text:
    """A string built by ``concat``, fragment by fragment.

    Appending to a ``str`` would copy the whole text for every fragment of a long stream, and
    keeping every fragment would cost about 60 bytes per fragment (a 4-byte token is a 53-byte
    object plus its list slot). So fragments are joined in blocks of ``_BLOCK``, and a block
    merges with the last one while that is no longer than it: block sizes keep halving, every
    character is copied O(log n) times, and memory stays close to the text's own size.
    """

    __slots__ = ("blocks", "parts")

    def __init__(self, *parts: str) -> None:
        self.blocks: list[str] = []
        self.parts = [p for p in parts if p]

    def append(self, part: str) -> None:
        parts = self.parts
        parts.append(part)
        if len(parts) >= _BLOCK:
            block = "".join(parts)
            parts.clear()
            blocks = self.blocks
            while blocks and len(blocks[-1]) <= len(block):
                block = blocks.pop() + block
            blocks.append(block)

    def __str__(self) -> str:
        return "".join(self.blocks + self.parts)


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


def _is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def _is_dict(value: object) -> TypeGuard[dict[Any, Any]]:
    return isinstance(value, dict)


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


class Accumulator(Generic[_F]):
    """Folds events into a snapshot; :meth:`final` validates it as ``final_class``.

    ``rules`` maps generated classes to their :class:`ClassRule`; events of other classes
    (pings, stops, unknown events) change nothing. ``final_set`` fields are written last
    (a chunk's ``object`` is ``chat.completion.chunk``, the completion's is not).
    """

    def __init__(
        self,
        rules: Mapping[type, ClassRule],
        final_class: type[_F],
        final_set: Mapping[str, Any] | None = None,
        *,
        strict: bool = True,
    ) -> None:
        self._rules = rules
        self._final_class = final_class
        self._strict = strict  # else a final object that does not validate is kept (_lenient)
        self._final_set = dict(final_set or {})
        self._box: dict[str, Any] = {_ROOT: {}}
        # per event class: its fields placed at their own path (``at``), found once
        self._placed: dict[type, list[tuple[str, FieldRule, str]]] = {}

    # --- folding ---------------------------------------------------------------------

    def add(self, event: Any) -> list[str]:
        """Fold one parsed event in; returns the text fragments it added (see ``text_stream``)."""
        rules = self._rules_of(event)
        if rules is None or not isinstance(event, pydantic.BaseModel):
            return []
        data: dict[str, Any] = cast("Any", event).to_dict()
        texts: list[str] = []
        if rules.finish is not None:
            self._finish(self._resolve(rules.finish, data))
        if rules.whole is not None:
            whole = rules.whole
            used = _variables(whole.at or "")
            value = {k: v for k, v in data.items() if k not in used} if used else data
            holder, key = self._slot(self._resolve(whole.at or "", data))
            self._apply(whole, holder, key, value, event, rules, texts, True)
        placed = self._placed.get(type(event))
        if placed is None:
            placed = self._placed[type(event)] = [
                (wire, rule, rule.at) for wire, rule in rules.fields.items() if rule.at is not None
            ]
        for wire, rule, at in placed:
            if wire not in data:
                continue
            holder, key = self._slot(self._resolve(at, data))
            model = getattr(event, rule.attr, None) if rule.attr else None
            self._apply(rule, holder, key, data[wire], model, None, texts, True)
        return texts

    def _rules_of(self, value: object) -> ClassRule | None:
        return None if value is None else self._rules.get(type(value))

    def _resolve(self, path: str, data: Mapping[str, Any]) -> list[str | int]:
        segments: list[str | int] = [_ROOT]
        for is_var, name in _template(path):
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

    def _slot(self, segments: list[str | int]) -> tuple[Any, str | int]:
        """The container of the last segment, creating the containers on the way."""
        node: Any = self._box
        for segment, following in itertools.pairwise(segments):
            child: Any = _get(node, segment)
            if not (_is_dict(child) or _is_list(child)):
                child = [] if isinstance(following, int) else {}
                _put(node, segment, child)
            node = child
        return node, segments[-1]

    def _apply(
        self,
        rule: FieldRule,
        holder: Any,
        key: str | int,
        value: Any,
        model: Any,
        rules: ClassRule | None,
        texts: list[str],
        primary: bool,
    ) -> None:
        strategy = rule.strategy
        if strategy == "ignore":
            return
        if value is None:
            if strategy != "partial-json" and not _has(holder, key):
                _put(holder, key, None)
            return
        current = _get(holder, key)
        if strategy == "concat" and isinstance(value, str):
            if isinstance(current, _Text):
                current.append(value)
            else:
                _put(holder, key, _Text(current if isinstance(current, str) else "", value))
            if rule.text and primary and value:
                texts.append(value)
        elif strategy == "append":
            items: list[Any] = current if isinstance(current, list) else []
            if isinstance(value, list):
                items.extend(value)
            else:
                items.append(value)
            _put(holder, key, items)
        elif strategy == "merge" and isinstance(value, dict):
            target = current if isinstance(current, dict) else self._start(model, rules)
            _put(holder, key, target)
            self._merge(target, value, model, rules, texts, primary)
        elif strategy == "merge-by-index" and isinstance(value, list):
            target_list: list[Any] = current if isinstance(current, list) else []
            _put(holder, key, target_list)
            models: list[Any] = model if isinstance(model, list) else []
            for position, item in enumerate(value):
                item_model = models[position] if position < len(models) else None
                self._merge_item(target_list, item, item_model, rule, texts, primary)
        elif strategy == "partial-json" and isinstance(value, str) and _is_dict(holder):
            buffer_key = _PARTIAL + str(key)
            buffer = holder.get(buffer_key)
            if isinstance(buffer, _Text):
                buffer.append(value)
            else:
                holder[buffer_key] = _Text(value)
        else:
            _put(holder, key, value)

    def _merge(
        self,
        target: dict[str, Any],
        data: dict[str, Any],
        model: Any,
        rules: ClassRule | None,
        texts: list[str],
        primary: bool,
    ) -> None:
        if rules is None:
            rules = self._rules_of(model)
        fields = rules.fields if rules is not None else {}
        ignore_others = rules is not None and rules.default == "ignore"
        for wire, value in data.items():
            rule = fields.get(wire)
            if rule is None:
                if ignore_others:
                    continue
                # ``_apply`` of ``replace`` into a dict, inlined: most fields of most events
                # take this path (a None keeps what is there).
                if value is None:
                    target.setdefault(wire, None)
                else:
                    target[wire] = value
                continue
            if rule.at is not None:
                continue  # placed at its own path by ``add``
            if value is None and rule.strategy not in ("ignore", "partial-json"):
                target.setdefault(rule.into or wire, None)  # as ``_apply`` does with a None
                continue
            sub = getattr(model, rule.attr, None) if rule.attr and model is not None else None
            self._apply(rule, target, rule.into or wire, value, sub, None, texts, primary)

    def _merge_item(
        self,
        items: list[Any],
        item: Any,
        model: Any,
        rule: FieldRule,
        texts: list[str],
        primary: bool,
    ) -> None:
        if not isinstance(item, dict):
            items.append(item)
            return
        fragment: dict[str, Any] = item
        key = fragment.get(rule.key)
        position: int | None = None
        if isinstance(key, int) and not isinstance(key, bool):
            for i, existing in enumerate(items):
                if _item_key(existing, rule) == key:
                    position = i
                    break
        elif rule.identity and fragment.get(rule.identity) is not None:
            wanted = fragment[rule.identity]
            position = next(
                (i for i, e in enumerate(items) if _get(e, rule.identity) == wanted), None
            )
        elif items:
            position = len(items) - 1  # no key and no identity: it continues the latest item
        if position is None:
            target: dict[str, Any] = self._start(model, None)
            if isinstance(key, int) and not isinstance(key, bool):
                target[_KEY] = key
                position = next(
                    (i for i, e in enumerate(items) if (_item_key(e, rule) or 0) > key),
                    len(items),
                )
            else:
                position = len(items)
            items.insert(position, target)
        else:
            existing = items[position]
            target = existing if _is_dict(existing) else {}
            items[position] = target
        data = fragment if rule.keep_key else {k: v for k, v in fragment.items() if k != rule.key}
        is_primary = primary and (
            key == 0 if isinstance(key, int) and not isinstance(key, bool) else position == 0
        )
        self._merge(target, data, model, None, texts, is_primary)

    def _start(self, model: Any, rules: ClassRule | None) -> dict[str, Any]:
        if rules is None:
            rules = self._rules_of(model)
        init = rules.init if rules is not None else None
        return _copy(dict(init)) if init else {}

    # --- partial JSON ------------------------------------------------------------------

    def _finish(self, segments: list[str | int]) -> None:
        holder, key = self._slot(segments)
        target = _get(holder, key)
        if _is_dict(target):
            _complete_partial_json(target, strict=True)

    # --- results -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The object so far, in wire form (partial JSON parsed as far as it goes).

        A new structure every time: the accumulation goes on unchanged underneath it.
        """
        cleaned = _clean(self._box[_ROOT], strict=False)
        return cleaned if _is_dict(cleaned) else {}

    def final(self) -> _F:
        """The accumulated object, validated as the final class."""
        data = self.snapshot()
        data.update(_copy(self._final_set))
        try:
            return self._final_class.model_validate(data)
        except pydantic.ValidationError as exc:
            kept = None if self._strict else lenient(self._final_class, data, exc)
            if kept is not None:
                return cast("_F", kept)
            raise APIResponseValidationError(
                f"the stream does not add up to a {self._final_class.__name__}: "
                f"{exc.errors(include_url=False, include_input=False)}; "
                f"accumulated {excerpt(json.dumps(data, default=str))}"
            ) from exc


def _item_key(item: Any, rule: FieldRule) -> int | None:
    if not isinstance(item, dict):
        return None
    value = item[_KEY] if _KEY in item else item.get(rule.key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _parse_json(text: str, strict: bool) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        if strict:
            raise
    try:
        return pydantic_core.from_json(text, allow_partial=True)
    except ValueError as exc:
        raise APIResponseValidationError(
            f"streamed JSON does not parse: {exc}: {excerpt(text)}"
        ) from exc


def _complete_partial_json(target: dict[Any, Any], strict: bool) -> None:
    for buffer_key in [k for k in target if isinstance(k, str) and k.startswith(_PARTIAL)]:
        text = str(target[buffer_key])
        if not text.strip():
            del target[buffer_key]  # nothing arrived: keep the block's starting value
            continue
        try:
            target[buffer_key[len(_PARTIAL) :]] = _parse_json(text, strict)
        except ValueError:
            continue  # not complete JSON yet; the end of the stream parses it leniently
        del target[buffer_key]


def _clean(value: Any, strict: bool) -> Any:
    """A new wire-form structure: fragments joined, bookkeeping dropped, partial JSON parsed.

    The box itself is left as it is (``_finish`` is what completes partial JSON in place), so
    a snapshot costs no copy of the box first.
    """
    if _is_dict(value):
        out: dict[Any, Any] = {}
        partial: list[tuple[str, Any]] = []
        for k, v in value.items():
            if isinstance(k, str) and k.startswith(_HIDDEN):
                if k.startswith(_PARTIAL):
                    partial.append((k[len(_PARTIAL) :], v))
                continue
            out[k] = _clean(v, strict)
        for key, buffer in partial:
            text = str(buffer)
            if not text.strip():
                continue  # nothing arrived: keep the block's starting value
            try:
                out[key] = _parse_json(text, strict)
            except ValueError:
                continue  # not JSON even in part: keep the starting value
        return out
    if _is_list(value):
        return [_clean(v, strict) for v in value]
    if isinstance(value, _Text):
        return str(value)
    return value


def _copy(value: Any) -> Any:
    """A copy of JSON data (dicts, lists, scalars): ``copy.deepcopy`` without its bookkeeping."""
    if _is_dict(value):
        return {k: _copy(v) for k, v in value.items()}
    if _is_list(value):
        return [_copy(v) for v in value]
    return value
