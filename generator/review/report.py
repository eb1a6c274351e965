"""The review report in three forms: a pull-request comment, workflow annotations, JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.review.findings import Finding, SymbolChange, suggested_bump
from generator.review.rules import BREAKING, SAFE, VERDICTS, WARNING

MARKER = "<!-- sdkforge-schema-review -->"  # how CI finds its own comment to update it
FORMATS = ("markdown", "github", "json")
_SECTIONS = ((BREAKING, "Breaking changes"), (WARNING, "Warnings"), (SAFE, "Safe changes"))
_TABLE_SYMBOLS = 3


@dataclass
class Report:
    base: str
    head: str
    base_commit: str | None
    head_commit: str | None
    findings: list[Finding]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def bump(self) -> str:
        return suggested_bump(self.findings)

    def fails(self, fail_on: str) -> bool:
        """Whether ``--fail-on`` (none | warning | breaking) should make the command fail."""
        if fail_on == "none":
            return False
        threshold = VERDICTS.index(fail_on)
        return any(VERDICTS.index(f.severity) >= threshold for f in self.findings)

    def render(self, fmt: str) -> str:
        if fmt == "markdown":
            return markdown(self)
        if fmt == "github":
            return github(self)
        if fmt == "json":
            return json.dumps(to_json(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        raise ValueError(f"unknown format {fmt!r}")


def _side(label: str, commit: str | None) -> str:
    if commit is None:
        return f"`{label}`"
    if commit.startswith(label):  # the ref is already a commit id
        return f"`{commit[:10]}`"
    return f"`{label}` (`{commit[:10]}`)"


def _code(text: str | None) -> str:
    """A table cell holding code: pipes escaped so they do not split the cell."""
    if text is None:
        return "—"
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.line is not None else f.file


def _describe(change: SymbolChange) -> str:
    if change.before is None:
        return f"added `{change.symbol}`"
    if change.after is None:
        return f"removed `{change.symbol}`"
    if " → " in change.symbol:
        old, new = change.symbol.split(" → ", 1)
        return f"renamed `{old}` to `{new}`"
    if change.before == change.after:
        return f"`{change.symbol}`"
    return f"changed `{change.symbol}` from `{change.before}` to `{change.after}`"


def changelog_line(f: Finding) -> str:
    """One line for the release notes, in Python names."""
    if f.symbols:
        text = "; ".join(_describe(s) for s in f.symbols[:2])
        if len(f.symbols) > 2:
            text += f" (and {len(f.symbols) - 2} more)"
        text = text[0].upper() + text[1:]
        unchanged = all(s.before == s.after for s in f.symbols[:2])
        if unchanged:
            text += f": {f.message}"
    else:
        text = f.message[0].upper() + f.message[1:]
    if f.absorbed and f.sdk == SAFE and f.wire != SAFE:
        text += " (earlier chatsdk releases receive it as an unknown value)"
    prefix = "**Breaking:** " if f.severity == BREAKING else ""
    return f"- {prefix}{text}."


def markdown(report: Report) -> str:
    counts = {s: report.count(s) for s in VERDICTS}
    lines = [
        MARKER,
        f"## Schema review: {counts[BREAKING]} breaking, {counts[WARNING]} warning"
        f"{'s' if counts[WARNING] != 1 else ''}, {counts[SAFE]} safe",
        "",
        f"Comparing {_side(report.base, report.base_commit)} with "
        f"{_side(report.head, report.head_commit)}. "
        f"Suggested version bump for chatsdk: **{report.bump}**.",
        "",
    ]
    if not report.findings:
        lines.append("No change to the wire format or to the Python API.")
        return "\n".join(lines) + "\n"
    lines += [
        "| severity | rule | direction | wire | SDK | Python symbols | where |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in report.findings:
        symbols = ", ".join(_code(s.symbol) for s in f.symbols[:_TABLE_SYMBOLS])
        if len(f.symbols) > _TABLE_SYMBOLS:
            symbols += f" +{len(f.symbols) - _TABLE_SYMBOLS} more"
        lines.append(
            f"| {f.severity} | `{f.rule}` | {f.direction} | {f.wire} | {f.sdk} | "
            f"{symbols or '—'} | `{_where(f)}` |"
        )
    for severity, title in _SECTIONS:
        section = [f for f in report.findings if f.severity == severity]
        lines += ["", f"### {title} ({len(section)})"]
        for f in section:
            lines += [
                "",
                f"#### `{f.rule}`: {f.message}",
                "",
                f"{f.direction} · wire: **{f.wire}** · SDK: **{f.sdk}** · `{_where(f)}` · "
                f"fingerprint `{f.fingerprint}`",
                "",
            ]
            if f.symbols:
                lines.append("Python: " + ", ".join(_code(s.symbol) for s in f.symbols))
                lines.append("")
            lines += [
                "<details><summary>Why, and the declarations before and after</summary>",
                "",
                f.reason,
                "",
            ]
            if f.symbols:
                lines += ["| symbol | before | after |", "| --- | --- | --- |"]
                lines += [
                    f"| {_code(s.symbol)} | {_code(s.before)} | {_code(s.after)} |"
                    for s in f.symbols
                ]
                lines.append("")
            lines.append("</details>")
    lines += ["", "### Changelog", ""]
    lines += [changelog_line(f) for f in report.findings]
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """Workflow commands: one annotation per finding, on the schema file and line."""
    level = {BREAKING: "error", WARNING: "warning", SAFE: "notice"}
    out = []
    for f in report.findings:
        props = [f"file={_escape_property(f.file)}"] if f.file else []
        if f.line is not None:
            props.append(f"line={f.line}")
        title = f"{f.rule} ({f.direction}: wire {f.wire}, SDK {f.sdk})"
        props.append(f"title={_escape_property(title)}")
        symbols = ", ".join(s.symbol for s in f.symbols)
        text = f"{f.message}." + (f" Python: {symbols}." if symbols else "") + f" {f.reason}"
        out.append(f"::{level[f.severity]} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(out) + ("\n" if out else "")


def to_json(report: Report) -> dict[str, Any]:
    return {
        "base": {"ref": report.base, "commit": report.base_commit},
        "head": {"ref": report.head, "commit": report.head_commit},
        "summary": {
            "breaking": report.count(BREAKING),
            "warning": report.count(WARNING),
            "safe": report.count(SAFE),
            "bump": report.bump,
        },
        "findings": [f.to_json() for f in report.findings],
        "changelog": [changelog_line(f)[2:] for f in report.findings],
    }
