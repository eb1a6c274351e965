"""oasdiff's rule ids for our findings, so users of both tools can map one onto the other.

Rules about the surface of an operation (parameters, bodies, status codes, headers,
security) carry oasdiff's id as their own. Schema rules are ours and direction-free
(``property-removed`` is graded on each side it travels); oasdiff splits them by side and
place (``request-property-removed``, ``response-required-property-removed``,
``request-parameter-max-decreased``). :func:`oasdiff_ids` names those for one finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.review.findings import Finding

# Our rules that are oasdiff's own ids (no mapping needed) are listed in rules.py with
# ``oasdiff=True``; these are the schema rules and how oasdiff names them.
_BOUND_NAMES = {
    "minimum": "min",
    "maximum": "max",
    "exclusiveMinimum": "exclusive-min",
    "exclusiveMaximum": "exclusive-max",
    "minLength": "min-length",
    "maxLength": "max-length",
    "minItems": "min-items",
    "maxItems": "max-items",
}
_GROWS = {"min": "increased", "max": "decreased"}  # when the bound tightens
_SAME = {
    "type-changed": "type-changed",
    "const-changed": "const-changed",
    "enum-value-added": "enum-value-added",
    "enum-value-removed": "enum-value-removed",
    "nullable-added": "became-nullable",
    "nullable-removed": "became-not-nullable",
    "union-variant-added": "one-of-added",
    "union-variant-removed": "one-of-removed",
    "discriminator-property-changed": "discriminator-property-name-changed",
    "discriminator-mapping-changed": "discriminator-mapping-changed",
    "property-deprecated": "deprecated",
}
_WHOLE = {
    "operation-removed": "api-removed-without-deprecation",
    "operation-added": "endpoint-added",
    "component-removed": "api-schema-removed",
}


def _prefixes(finding: Finding) -> list[str]:
    """oasdiff's prefix for each side the finding is graded on."""
    sides = ["request", "response"] if finding.direction == "both" else [finding.direction]
    if finding.area == "parameter":
        return ["request-parameter"]
    if finding.area == "header":
        return ["response-header"]
    place = "property" if "/properties/" in finding.pointer else "body"
    return [f"{side}-{place}" for side in sides]


def _change(detail: str) -> str:
    """added, removed or changed, from a detail ``before → after``."""
    before, _, after = detail.partition(" → ")
    if before.endswith("(none)"):
        return "added"
    if after == "(none)":
        return "removed"
    return "changed"


def _bound(prefix: str, rule: str, detail: str) -> str | None:
    keyword = detail.split(" ", 1)[0]
    name = _BOUND_NAMES.get(keyword)
    if name is None:
        return None
    change = _change(detail.partition(" ")[2])
    tightened = rule.endswith("-tightened")
    if change == "added" and tightened:
        return f"{prefix}-{name}-set"
    if change == "removed" and not tightened:
        return f"{prefix}-{name}-unset"
    end = name.rsplit("-", 1)[-1] if "-" in name else name
    grow = _GROWS["min" if end == "min" else "max"]
    if not tightened:
        grow = "decreased" if grow == "increased" else "increased"
    return f"{prefix}-{name}-{grow}"


def oasdiff_ids(finding: Finding) -> list[str]:
    """oasdiff's ids for ``finding`` (one per side it is graded on; empty: oasdiff has none)."""
    from generator.review.rules import RULES

    rule = finding.rule
    if rule in RULES and RULES[rule].oasdiff:
        return [rule]
    if rule in _WHOLE:
        return [_WHOLE[rule]]
    if rule == "operation-changed" and finding.detail == "path":
        return ["api-path-removed-without-deprecation", "endpoint-added"]
    out: list[str] = []
    for prefix in _prefixes(finding):
        side = prefix.split("-", 1)[0]
        mapped: str | None = None
        if rule in _SAME:
            mapped = f"{prefix}-{_SAME[rule]}"
            if rule == "type-narrowed" or (
                rule == "enum-value-added" and prefix == "response-body"
            ):
                mapped = None
        elif rule == "type-widened":
            mapped = f"{prefix}-type-generalized"
        elif rule == "type-narrowed":
            became_enum = "now limited to" in finding.message
            mapped = (
                f"{prefix}-became-enum"
                if became_enum and side == "request"
                else f"{prefix}-type-specialized"
                if side == "response"
                else f"{prefix}-type-changed"
            )
        elif rule == "property-added" and prefix.endswith("-property"):
            required = finding.kind == "required"
            if side == "request":
                mapped = f"new-{'required' if required else 'optional'}-request-property"
            else:
                mapped = f"response-{'required' if required else 'optional'}-property-added"
        elif rule == "property-removed" and prefix.endswith("-property"):
            if side == "request":
                mapped = "request-property-removed"
            else:
                mapped = f"response-{finding.kind or 'optional'}-property-removed"
        elif rule == "required-added":
            mapped = f"{prefix}-became-required"
        elif rule == "required-removed":
            mapped = f"{prefix}-became-optional"
        elif rule == "default-changed":
            mapped = f"{prefix}-default-value-{_change(finding.detail)}"
        elif rule == "pattern-changed":
            mapped = f"{prefix}-pattern-{_change(finding.detail)}"
        elif rule.endswith("-bounds-tightened") or rule.endswith("-bounds-relaxed"):
            mapped = _bound(prefix, rule, finding.detail)
        if mapped is not None and mapped not in out:
            out.append(mapped)
    return out


def oasdiff_id(finding: Finding) -> str | None:
    ids = oasdiff_ids(finding)
    return ids[0] if ids else None


# For the rule table: oasdiff's ids beside each of our schema rules (``X`` stands for
# ``request-property``, ``response-property``, ``request-body``, ``response-body``,
# ``request-parameter`` or ``response-header``, by where the change is).
EQUIVALENTS = {
    "property-added": "`new-required-request-property`, `new-optional-request-property`, "
    "`response-required-property-added`, `response-optional-property-added`",
    "property-removed": "`request-property-removed`, `response-required-property-removed`, "
    "`response-optional-property-removed`",
    "property-renamed": "— (a removal and an addition)",
    "property-deprecated": "`request-property-deprecated`, `response-property-deprecated`",
    "required-added": "`X-became-required`",
    "required-removed": "`X-became-optional`",
    "type-changed": "`X-type-changed`",
    "type-widened": "`X-type-generalized`",
    "type-narrowed": "`X-type-changed`, `response-X-type-specialized`, `X-became-enum`",
    "nullable-added": "`X-became-nullable`",
    "nullable-removed": "`X-became-not-nullable`",
    "enum-value-added": "`X-enum-value-added`",
    "enum-value-removed": "`X-enum-value-removed`",
    "const-changed": "`X-const-changed`",
    "default-changed": "`X-default-value-added`, `-removed`, `-changed`",
    "pattern-changed": "`X-pattern-added`, `-removed`, `-changed`",
    "numeric-bounds-tightened": "`X-max-decreased`, `X-min-increased`, `X-max-set`, "
    "`X-min-set` (and `exclusive-`)",
    "numeric-bounds-relaxed": "`X-max-increased`, `X-min-decreased`",
    "length-bounds-tightened": "`X-max-length-decreased`, `X-min-length-increased`, "
    "`X-max-length-set`",
    "length-bounds-relaxed": "`X-max-length-increased`, `X-min-length-decreased`, "
    "`X-max-length-unset`",
    "items-bounds-tightened": "`X-max-items-decreased`, `X-min-items-increased`, `X-min-items-set`",
    "items-bounds-relaxed": "`X-max-items-increased`, `X-min-items-decreased`, `X-min-items-unset`",
    "union-variant-added": "`X-one-of-added`",
    "union-variant-removed": "`X-one-of-removed`",
    "discriminator-property-changed": "`X-discriminator-property-name-changed`",
    "discriminator-mapping-changed": "`X-discriminator-mapping-changed`",
    "operation-added": "`endpoint-added`",
    "operation-removed": "`api-removed-without-deprecation`",
    "operation-changed": "`api-path-removed-without-deprecation` + `endpoint-added` (a move)",
    "component-removed": "`api-schema-removed`",
}
