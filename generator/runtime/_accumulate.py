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

import json
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast

import pydantic
import pydantic_core

from ._box import HIDDEN, PARTIAL, ROOT, Text, copy_json, is_dict, parse_json
from ._errors import APIResponseValidationError, excerpt
from ._fold import HANDOFF, ClassRule, FieldRule, compiled
from ._lenient import lenient
from ._quick import quick_validator

__all__ = ["Accumulator", "ClassRule", "FieldRule"]

_F = TypeVar("_F", bound=pydantic.BaseModel)
_UNSEEN: Any = object()


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
        self._compiled = compiled(rules)
        self._folds = self._compiled.events  # by event class, filled as classes are seen
        self._final_class = final_class
        self._strict = strict  # else a final object that does not validate is kept (_lenient)
        self._final_set = dict(final_set or {})
        self._box: dict[str, Any] = {ROOT: {}}

    # --- folding ---------------------------------------------------------------------

    def add(self, event: Any, data: Mapping[str, Any] | None = None) -> list[str]:
        """Fold one parsed event in; returns the text fragments it added (see ``text_stream``).

        ``data`` is the event's decoded JSON when the caller has it; else the JSON the stream
        decoded it from, or the JSON text it validated it from (:func:`hand_off`), else its
        ``to_dict()``. The event's class chooses the rules; nothing else of the typed event
        is read.
        """
        if event is None:
            return []
        fold = self._folds.get(type(event), _UNSEEN)
        if fold is _UNSEEN:
            fold = self._compiled.event(type(event))
        pair = getattr(HANDOFF, "pair", None)  # handed(event), inline: this runs per event
        if pair is not None and pair[0] is event:
            HANDOFF.pair = None
            if data is None:
                data = pair[1]
        if fold is None:
            return []
        if data is None:
            data = event.to_dict()
        elif isinstance(data, str):  # the JSON text the event was validated from
            try:
                data = pydantic_core.from_json(data, cache_strings="keys")
            except ValueError:
                data = json.loads(data)
        texts: list[str] = []
        if isinstance(data, dict):
            fold(self._box, data, texts)
        return texts

    # --- results -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The object so far, in wire form (partial JSON parsed as far as it goes).

        A new structure every time: the accumulation goes on unchanged underneath it.
        """
        cleaned = _clean(self._box[ROOT], strict=False)
        return cleaned if is_dict(cleaned) else {}

    def final(self) -> _F:
        """The accumulated object, validated as the final class."""
        data = self.snapshot()
        data.update(copy_json(self._final_set))
        quick = quick_validator(self._final_class)
        if quick is not None:
            try:
                return cast("_F", quick.validate_python(data))
            except pydantic.ValidationError:
                pass  # read again the exact way, which says why (or keeps what it can)
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


_NESTED = (dict, list, Text)  # what _clean rebuilds; any other value is kept as it is


def _clean(value: Any, strict: bool) -> Any:
    """A new wire-form structure: fragments joined, bookkeeping dropped, partial JSON parsed.

    The box itself is left as it is (``_finish`` is what completes partial JSON in place), so
    a snapshot costs no copy of the box first.
    """
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        partial: list[tuple[str, Any]] = []
        for k, v in value.items():
            if isinstance(k, str) and k.startswith(HIDDEN):
                if k.startswith(PARTIAL):
                    partial.append((k[len(PARTIAL) :], v))
                continue
            out[k] = _clean(v, strict) if isinstance(v, _NESTED) else v
        for key, buffer in partial:
            text = str(buffer)
            if not text.strip():
                continue  # nothing arrived: keep the block's starting value
            try:
                out[key] = parse_json(text, strict)
            except ValueError:
                continue  # not JSON even in part: keep the starting value
        return out
    if isinstance(value, list):
        return [_clean(v, strict) if isinstance(v, _NESTED) else v for v in value]
    if isinstance(value, Text):
        return str(value)
    return value
