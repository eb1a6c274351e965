"""The SDK-level diff: which Python symbols each finding touches, and what else changed.

Both manifests (see :mod:`generator.manifest`) are diffed symbol by symbol. Each finding of
the wire diff names its symbols; those changes are *claimed* by it and shown with their
declarations before and after. A change explained by a component rename (a type hint or
a return type that now names the new class) is claimed by that rename. Whatever is left
changed the SDK without changing the wire (an ``x-sdk-*`` edit: a constructor, an
accessor, a Python name, an enum's openness) and becomes a finding of its own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.core.hints import split_union
from generator.core.index import Key
from generator.core.manifest import param_symbol
from generator.review.findings import Finding, SymbolChange
from generator.review.rules import BREAKING, SAFE, WARNING, Grade
from generator.review.snapshot import Snapshot

Symbols = dict[str, dict[str, Any]]
_NOT_API = ("source",)  # where a symbol comes from is not part of the API


def _api(entry: dict[str, Any] | None) -> str | None:
    if entry is None:
        return None
    return json.dumps({k: v for k, v in entry.items() if k not in _NOT_API}, sort_keys=True)


def _decl(symbols: Symbols, symbol: str | None) -> str | None:
    if symbol is None or symbol not in symbols:
        return None
    return str(symbols[symbol]["decl"])


def _display(old: str | None, new: str | None) -> str:
    if old and new and old != new:
        return f"{old} → {new}"
    return str(old or new)


def _is_member(symbol: str, parent: str) -> bool:
    return symbol.startswith(parent + ".") or symbol.startswith(parent + "[")


def _substitute(text: str, renames: dict[str, str]) -> str:
    # the class, its Unknown… variant and its TypedDict (``TextBlockParam``) move together
    for old, new in renames.items():
        pattern = rf"\b(Unknown)?{re.escape(old)}(Param(?:Dict|\d+)?)?\b"
        text = re.sub(pattern, rf"\g<1>{new}\g<2>", text)  # class names: no backslashes
    return text


class SdkDiff:
    def __init__(self, old: Snapshot, new: Snapshot) -> None:
        self.old, self.new = old, new
        self.changed = {
            s
            for s in set(old.symbols) | set(new.symbols)
            if _api(old.symbols.get(s)) != _api(new.symbols.get(s))
        }
        self.claimed: set[str] = set()

    def methods_taking(self, symbols: Symbols, field: str | None) -> list[str]:
        """Client methods whose keyword arguments include ``field`` (a request model field)."""
        entry = symbols.get(field) if field else None
        if entry is None or entry["kind"] != "field":
            return []
        return sorted(
            s
            for s, e in symbols.items()
            if e["kind"] == "method" and e.get("request") == entry["owner"] and "params_of" not in e
        )

    def attach(self, findings: list[Finding]) -> list[Finding]:
        for finding in findings:
            self.claim_refs(finding)
        renamed = self.sdk_renames()
        self.claim_renames(findings + renamed)
        self.claim_mentions(findings)
        return findings + renamed + self.leftovers()

    def claim_refs(self, finding: Finding) -> None:
        old, new = self.old.symbols, self.new.symbols
        named = {sym for pair in finding.refs for sym in pair if sym is not None}
        for parent in finding.covers:
            both = parent in self.old.symbols and parent in self.new.symbols
            if both and parent in self.changed and parent not in named | self.claimed:
                finding.refs.append((parent, parent))
            self.claimed |= {
                s
                for s in self.changed
                if s == parent
                or _is_member(s, parent)
                or (parent[-1] in "[(" and s.startswith(parent))
            }
        for osym, nsym in finding.refs:
            finding.symbols.append(
                SymbolChange(_display(osym, nsym), _decl(old, osym), _decl(new, nsym))
            )
            self.claimed |= {sym for sym in (osym, nsym) if sym is not None}
            methods = sorted(
                set(self.methods_taking(old, osym)) | set(self.methods_taking(new, nsym))
            )
            for method in methods:
                py_name = str(osym or nsym).rsplit(".", 1)[-1]
                param = param_symbol(method, py_name)
                helpers = {
                    s
                    for symbols in (old, new)
                    for s, e in symbols.items()
                    if e.get("params_of") == method
                }
                self.claimed |= {method, param} | helpers
                before, after = _decl(old, param), _decl(new, param)
                if before is not None or after is not None:
                    finding.symbols.append(SymbolChange(param, before, after))

    def claim_mentions(self, findings: list[Finding]) -> None:
        old, new = self.old.symbols, self.new.symbols
        for finding in (f for f in findings if f.mentions):
            pattern = re.compile(r"\b(" + "|".join(map(re.escape, finding.mentions)) + r")\b")
            for sym in sorted(self.changed - self.claimed):
                decls = [str(e["decl"]) for e in (old.get(sym), new.get(sym)) if e is not None]
                if not any(pattern.search(d) for d in decls):
                    continue
                self.claimed.add(sym)
                entry = new.get(sym) or old.get(sym) or {}
                if entry.get("kind") != "method":  # a method's change is its parameter's
                    finding.symbols.append(SymbolChange(sym, _decl(old, sym), _decl(new, sym)))

    def claim_renames(self, findings: list[Finding]) -> None:
        renaming = [f for f in findings if f.renames]
        if not renaming:
            return
        old, new = self.old.symbols, self.new.symbols
        for sym in sorted(self.changed - self.claimed):
            for finding in renaming:
                if sym in old and sym in new:
                    before = _api(old[sym])
                    if before is not None and _substitute(before, finding.renames) == _api(
                        new[sym]
                    ):
                        finding.symbols.append(SymbolChange(sym, _decl(old, sym), _decl(new, sym)))
                        self.claimed.add(sym)
                        break
                elif sym in old:
                    moved = _substitute(sym, finding.renames)
                    if moved in new and moved not in old:
                        before = _api(old[sym])
                        if before is not None and _substitute(before, finding.renames) == _api(
                            new[moved]
                        ):
                            finding.symbols.append(
                                SymbolChange(
                                    _display(sym, moved), _decl(old, sym), _decl(new, moved)
                                )
                            )
                            self.claimed |= {sym, moved}
                            break

    # --- changes no wire finding explains -----------------------------------------------------

    def locate(self, entry: dict[str, Any], symbols: Symbols) -> tuple[Snapshot, str, str] | None:
        source = entry.get("source")
        owner = entry.get("owner")
        if source is None and owner is not None:
            source = symbols.get(owner, {}).get("source")
        if not isinstance(source, str) or "#" not in source:
            return None
        name, pointer = source.split("#", 1)
        for snap in (self.new, self.old):
            doc = snap.document_of(name)
            if doc is not None:
                return snap, doc.path, pointer
        return None

    def finding(
        self, rule: str, grade: Grade, message: str, osym: str | None, nsym: str | None
    ) -> Finding:
        old, new = self.old.symbols, self.new.symbols
        entry = new.get(nsym or "") or old.get(osym or "") or {}
        where = self.locate(entry, new if nsym in new else old)
        file, line, pointer, directions = "", None, "", {"response"}
        if where is not None:
            snap, path, pointer = where
            doc = snap.spec.documents[path]
            file, line = snap.file_of(doc), doc.line(pointer)
            named = self.new.builder.named.get(Key(path, pointer)) or self.old.builder.named.get(
                Key(path, pointer)
            )
            if named is not None and named.directions:
                directions = set(named.directions)
            elif pointer.startswith("/paths/"):
                directions = {"request", "response"}
        direction = "both" if len(directions) == 2 else next(iter(directions))
        return Finding(
            rule=rule,
            direction=direction,
            wire=grade.wire,
            sdk=grade.sdk,
            reason=grade.reason,
            message=message,
            file=file,
            line=line,
            pointer=pointer,
            subject=_display(osym, nsym),
            refs=[(osym, nsym)],
            symbols=[SymbolChange(_display(osym, nsym), _decl(old, osym), _decl(new, nsym))],
        )

    def sdk_renames(self) -> list[Finding]:
        """Same schema, another Python name (``x-sdk-name``, ``x-sdk-method``): a rename."""
        old, new = self.old.symbols, self.new.symbols
        left = sorted(self.changed - self.claimed)
        added = [s for s in left if s in new and s not in old]
        out = []
        for osym in (s for s in left if s in old and s not in new):
            source = old[osym].get("source")
            match = [
                a
                for a in added
                if source is not None
                and new[a].get("source") == source
                and new[a]["kind"] == old[osym]["kind"]
            ]
            if len(match) != 1:
                continue
            nsym = match[0]
            added.remove(nsym)
            grade = Grade(
                SAFE, BREAKING, f"Wire-neutral; code using `{osym}` must use `{nsym}` now."
            )
            finding = self.finding("sdk-symbol-renamed", grade, f"{osym} is now {nsym}", osym, nsym)
            finding.covers = [osym, nsym]
            if old[osym]["kind"] != "method":
                finding.renames[osym.rsplit(".", 1)[-1]] = nsym.rsplit(".", 1)[-1]
            self.claimed |= {osym, nsym}
            self.claimed |= {s for s in self.changed if _is_member(s, osym) or _is_member(s, nsym)}
            out.append(finding)
        return out

    def leftovers(self) -> list[Finding]:
        old, new = self.old.symbols, self.new.symbols

        def follows_its_owner(sym: str) -> bool:
            """A model's TypedDict (``MessageParam``) has the model's keys and comes and goes
            with the model's request side: the findings of the model and of the operations
            that take it say it, so it is not reported on its own."""
            record = new.get(sym) or old.get(sym) or {}
            return record.get("kind") == "typeddict"

        left = sorted(s for s in self.changed - self.claimed if not follows_its_owner(s))
        removed = [s for s in left if s in old and s not in new]
        added = [s for s in left if s in new and s not in old]
        out: list[Finding] = []
        parents: dict[str, Finding] = {}

        def fold(sym: str) -> bool:
            """A member of a symbol that is itself reported goes under its parent."""
            for parent, finding in parents.items():
                if _is_member(sym, parent):
                    finding.symbols.append(SymbolChange(sym, _decl(old, sym), _decl(new, sym)))
                    return True
            return False

        for osym in removed:
            if fold(osym):
                continue
            grade = Grade(SAFE, BREAKING, f"Wire-neutral; `{osym}` no longer exists.")
            finding = self.finding("sdk-symbol-removed", grade, f"{osym} was removed", osym, None)
            out.append(finding)
            parents[osym] = finding
        for nsym in added:
            if fold(nsym):
                continue
            grade = Grade(SAFE, SAFE, "A new symbol.")
            if new[nsym].get("kind") == "param" and new[nsym].get("required"):
                grade = Grade(SAFE, BREAKING, "A new required argument: existing calls lack it.")
            finding = self.finding("sdk-symbol-added", grade, f"{nsym} was added", None, nsym)
            out.append(finding)
            parents[nsym] = finding
        for sym in left:
            if sym in old and sym in new and not fold(sym):
                out.append(
                    self.finding(
                        "sdk-symbol-changed",
                        self.grade_change(old[sym], new[sym]),
                        f"{sym} changed",
                        sym,
                        sym,
                    )
                )
        return out

    def grade_change(self, before: dict[str, Any], after: dict[str, Any]) -> Grade:
        differs = {
            k
            for k in set(before) | set(after)
            if k not in _NOT_API and before.get(k) != after.get(k)
        }
        if before.get("kind") in {"enum", "union"} and differs <= {"open", "unknown", "decl"}:
            opened = after.get("open") is True or (
                after.get("unknown") is not None and before.get("unknown") is None
            )
            if opened:
                return Grade(SAFE, SAFE, "Now open: unknown values are kept instead of raising.")
            return Grade(
                SAFE,
                BREAKING,
                "Now closed: values the SDK does not know raise instead of being kept.",
            )
        if before.get("kind") == "constructor" and differs <= {"params", "decl"}:
            return _signature_grade(before.get("params") or [], after.get("params") or [])
        if before.get("kind") in {"param", "alias"} and differs <= {"type", "decl"}:
            if _widens(str(before["type"]), str(after["type"])):
                return Grade(SAFE, SAFE, "Wire-neutral; the type accepts more than before.")
        if before.get("kind") == "class" and differs <= {"bases", "decl"}:
            obases, nbases = (set(split_top(str(e.get("bases", "")))) for e in (before, after))
            if obases <= nbases:
                return Grade(
                    SAFE,
                    SAFE,
                    "The class is also an instance of "
                    + ", ".join(f"`{b}`" for b in sorted(nbases - obases))
                    + " now (a union it is a variant of).",
                )
        if before.get("kind") == "method" and differs <= {"decl"}:
            old_sig, new_sig = _method(str(before["decl"])), _method(str(after["decl"]))
            if old_sig is not None and new_sig is not None and old_sig[1] == new_sig[1]:
                return _signature_grade(old_sig[0], new_sig[0])
        if "default" in differs and differs <= {"default", "decl"}:
            return Grade(SAFE, WARNING, "Wire-neutral; the Python default changed.")
        return Grade(SAFE, BREAKING, "Wire-neutral; the Python signature or type changed.")


def split_top(text: str, sep: str = ",") -> list[str]:
    """``text`` split at ``sep`` outside brackets and quotes, each part stripped."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _method(decl: str) -> tuple[list[list[Any]], str] | None:
    """A method declaration as ([name, type, default], return type); None when it does not parse."""
    head, arrow, returns = decl.rpartition(") -> ")
    if not arrow or "(" not in head:
        return None
    params: list[list[Any]] = []
    for part in split_top(head.split("(", 1)[1]):
        if part in {"self", "*"}:
            continue
        name, colon, rest = part.partition(": ")
        if not colon:
            return None
        hint, eq, default = (p.strip() for p in rest.partition(" = "))
        params.append([name, hint, default if eq else None])
    return params, returns


def _widens(before: str, after: str) -> bool:
    """Whether the hint ``after`` is a union holding every member of ``before``."""
    return set(split_union(before)) <= set(split_union(after))


def _signature_grade(before: list[list[Any]], after: list[list[Any]]) -> Grade:
    """Parameter by parameter, as a caller sees it (names, order, types, defaults)."""
    old = {p[0]: p for p in before}
    new = {p[0]: p for p in after}
    breaking: list[str] = []
    warning: list[str] = []
    safe: list[str] = []
    breaking += [f"`{n}` was removed" for n in old if n not in new]
    breaking += [
        f"`{n}` is a new required parameter" for n in new if n not in old and new[n][2] is None
    ]
    safe += [
        f"`{n}` is a new optional parameter" for n in new if n not in old and new[n][2] is not None
    ]
    for name in (n for n in old if n in new):
        if old[name][1] != new[name][1]:
            if _widens(old[name][1], new[name][1]):
                safe.append(f"`{name}` also accepts `{new[name][1]}`")
            else:
                breaking.append(f"`{name}` is now `{new[name][1]}`")
        if old[name][2] != new[name][2]:
            (breaking if new[name][2] is None else warning).append(
                f"`{name}` defaults to {new[name][2]} instead of {old[name][2]}"
                if new[name][2] is not None
                else f"`{name}` is now required"
            )
    kept = [n for n in old if n in new]
    if kept != [n for n in new if n in old]:
        breaking.append("the parameters are in another order")
    reason = "Wire-neutral; " + "; ".join(breaking + warning + safe) + "."
    return Grade(SAFE, BREAKING if breaking else WARNING if warning else SAFE, reason)
