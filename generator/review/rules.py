"""The review rules: their ids, what they detect, and how each is graded on each side.

A finding gets two verdicts, each ``safe``, ``warning`` or ``breaking``:

* **wire**: does traffic that was valid before still work between old and new parties?
  On the request side, old clients keep sending what they sent; on the response side, old
  clients keep expecting what they got.
* **SDK**: does code written against the previous ``chatsdk`` still run and type-check,
  and does the previous ``chatsdk`` still parse what the server now sends?

A schema that travels both ways (content blocks are received, then sent back in the next
request) is graded on both sides and keeps the worse verdict of each kind. This table is
the single description of the grading; ``docs/review.md`` prints it
(``sdkforge review --rules``) and the cases in ``tests/review/cases`` pin it down.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.review.rules_surface import SURFACE_RULES

SAFE, WARNING, BREAKING = "safe", "warning", "breaking"
VERDICTS = (SAFE, WARNING, BREAKING)
REQUEST, RESPONSE, BOTH = "request", "response", "both"


def worst(*verdicts: str) -> str:
    return max(verdicts, key=VERDICTS.index) if verdicts else SAFE


@dataclass(frozen=True)
class Grade:
    """The verdicts of one change on one side of the wire, and why."""

    wire: str
    sdk: str
    reason: str


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    request: str  # how a request-side change is graded: "wire / SDK", with conditions
    response: str
    oasdiff: bool = False  # the id is oasdiff's own


_RULES = [
    # objects
    Rule(
        "property-added",
        "An object gained a property.",
        "optional: safe / safe; required: breaking / breaking",
        "safe / safe while the previous model keeps unknown fields (required: safe / warning, as "
        "`required-added`); closed object (`additionalProperties: false`): breaking / breaking",
    ),
    Rule(
        "property-renamed",
        "An object lost a property and gained one of the same schema: probably a rename, with "
        "a confidence (high: one candidate, same schema and description; medium: same schema; "
        "low: similar names, same type).",
        "as `property-removed` and `property-added` together",
        "as `property-removed` and `property-added` together",
    ),
    Rule(
        "property-deprecated",
        "A property is now deprecated (`deprecated: true`), or no longer.",
        "safe / warning (it works; plan to stop sending it)",
        "safe / warning (plan to stop reading it)",
    ),
    Rule(
        "property-removed",
        "An object lost a property.",
        "closed object: breaking / breaking (old requests carrying it are rejected); "
        "open object: warning / breaking (the server ignores it)",
        "was required: breaking / breaking; was optional: warning / breaking",
    ),
    Rule(
        "required-added",
        "An existing property became required.",
        "breaking / breaking",
        "safe / warning: the new SDK, against a server that predates the change, keeps the "
        "answer with `validation_errors` by default (reading the field raises "
        "`MissingFieldError`) and raises under `strict_response_validation`",
    ),
    Rule(
        "required-removed",
        "A required property became optional.",
        "safe / safe",
        "breaking / breaking (readers must now handle its absence)",
    ),
    Rule(
        "additional-properties-opened",
        "An object now accepts properties it does not declare.",
        "safe / safe",
        "warning / breaking (the previous SDK's model rejects unknown fields)",
    ),
    Rule(
        "additional-properties-closed",
        "An object now rejects properties it does not declare (`additionalProperties: false`).",
        "breaking / breaking",
        "safe / safe",
    ),
    # types
    Rule(
        "type-changed",
        "A value's type changed to an incompatible one (or a `$ref` now names another schema).",
        "breaking / breaking",
        "breaking / breaking",
    ),
    Rule(
        "type-widened",
        "A value accepts more types than before (`integer` to `number`, a new `oneOf` branch).",
        "safe / safe",
        "breaking / breaking",
    ),
    Rule(
        "type-narrowed",
        "A value accepts fewer types than before.",
        "breaking / breaking",
        "safe / safe",
    ),
    Rule(
        "nullable-added",
        "A value may now be `null`.",
        "safe / safe",
        "breaking / breaking; breaking / safe when the previous SDK already types the field "
        "`… | None`",
    ),
    Rule(
        "nullable-removed",
        "A value may no longer be `null`.",
        "breaking / breaking",
        "safe / safe",
    ),
    Rule(
        "format-changed",
        "A string's `format` was added, removed or changed.",
        "added or changed: breaking / safe; removed: safe / safe (the SDK types formats as `str`)",
        "removed or changed: warning / safe; added: safe / safe",
    ),
    # values
    Rule(
        "enum-value-added",
        "An enum gained a value.",
        "safe / safe",
        "warning / safe when the enum is open (the SDK keeps unknown values); "
        "closed enum: warning / breaking",
    ),
    Rule(
        "enum-value-removed",
        "An enum lost a value.",
        "breaking / breaking",
        "safe / breaking (the Python member is gone); an inline enum typed "
        "`Literal[…] | str`: safe / safe",
    ),
    Rule(
        "const-changed",
        "A constant value changed, appeared or disappeared.",
        "breaking / breaking",
        "breaking / breaking when the field is typed as a `Literal`; "
        "breaking / warning when it is typed as `str`",
    ),
    Rule(
        "default-changed",
        "A default value was added, removed or changed.",
        "warning / warning (callers that omit it get another behaviour)",
        "warning / warning (an absent value now means something else)",
    ),
    # bounds
    Rule(
        "numeric-bounds-tightened",
        "`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` or `multipleOf` "
        "now allows fewer values.",
        "breaking / breaking",
        "safe / safe",
    ),
    Rule(
        "numeric-bounds-relaxed",
        "A numeric bound now allows more values.",
        "safe / safe",
        "breaking / breaking (the previous SDK validates the old bound)",
    ),
    Rule(
        "length-bounds-tightened",
        "`minLength` or `maxLength` now allows fewer strings.",
        "breaking / breaking",
        "safe / safe",
    ),
    Rule(
        "length-bounds-relaxed",
        "A string length bound now allows more strings.",
        "safe / safe",
        "breaking / breaking (the previous SDK validates the old bound)",
    ),
    Rule(
        "items-bounds-tightened",
        "`minItems`, `maxItems` or `uniqueItems` now allows fewer arrays.",
        "breaking / breaking (`uniqueItems`: breaking / safe, the SDK does not check it)",
        "safe / safe",
    ),
    Rule(
        "items-bounds-relaxed",
        "An array bound now allows more arrays.",
        "safe / safe",
        "breaking / breaking (the previous SDK validates the old bound)",
    ),
    Rule(
        "properties-bounds-tightened",
        "`minProperties` or `maxProperties` now allows fewer objects.",
        "breaking / safe (the SDK does not check it; the server rejects)",
        "safe / safe",
    ),
    Rule(
        "properties-bounds-relaxed",
        "An object-size bound now allows more objects.",
        "safe / safe",
        "breaking / safe (the SDK does not check it)",
    ),
    Rule(
        "pattern-changed",
        "A string `pattern` was added, removed or changed.",
        "added or changed: breaking / breaking; removed: safe / safe",
        "removed or changed: warning / breaking (the previous SDK checks the old pattern); "
        "added: safe / safe",
    ),
    # tagged unions
    Rule(
        "union-variant-added",
        "A tagged union gained a variant.",
        "safe / safe",
        "warning / safe when the union is open (an unknown tag parses as its `Unknown…` "
        "variant, kept whole); closed union: warning / breaking",
    ),
    Rule(
        "union-variant-removed",
        "A tagged union lost a variant.",
        "breaking / breaking",
        "safe / breaking (the variant's class no longer parses from the union)",
    ),
    Rule(
        "union-variant-renamed",
        "A variant kept its schema but its tag value changed.",
        "breaking / breaking",
        "breaking / breaking",
    ),
    Rule(
        "discriminator-property-changed",
        "A tagged union is tagged by another property.",
        "breaking / breaking",
        "breaking / breaking",
    ),
    Rule(
        "discriminator-mapping-changed",
        "A tag now selects another schema.",
        "breaking / breaking",
        "breaking / breaking",
    ),
    # operations and streams
    Rule("operation-added", "A new operation (a new client method).", "safe / safe", "safe / safe"),
    Rule(
        "operation-removed",
        "An operation was removed (its client method is gone).",
        "breaking / breaking",
        "breaking / breaking",
    ),
    Rule(
        "operation-changed",
        "An operation moved (same `operationId`, another path or method), or its request, "
        "response or stream item names another schema, or its stream framing, terminator or "
        "authentication changed.",
        "breaking / breaking",
        "breaking / breaking",
    ),
    Rule(
        "operation-stream-added",
        "An operation can now stream (`text/event-stream`).",
        "safe / safe",
        "safe / safe",
    ),
    Rule(
        "operation-stream-removed",
        "An operation can no longer stream.",
        "breaking / breaking",
        "breaking / breaking",
    ),
    Rule(
        "stream-event-added",
        "The event union of a stream gained an event.",
        "-",
        "warning / safe when the union is open (unknown events are kept); "
        "closed union: warning / breaking",
    ),
    Rule(
        "stream-event-removed",
        "The event union of a stream lost an event.",
        "-",
        "safe / breaking (the event's class no longer parses from the stream)",
    ),
    # components
    Rule(
        "component-added", "A new named schema (a new Python type).", "safe / safe", "safe / safe"
    ),
    Rule(
        "component-removed",
        "A named schema was removed (its Python type is gone); references to it are reported "
        "where they changed.",
        "safe / breaking",
        "safe / breaking",
    ),
    Rule(
        "component-renamed",
        "A named schema reappears under another name with the same structure: the JSON is "
        "unchanged, the Python class is renamed.",
        "safe / breaking (safe when `x-sdk-name` keeps the Python name)",
        "safe / breaking (safe when `x-sdk-name` keeps the Python name)",
    ),
    # SDK-only (x-sdk-* extensions, generator naming)
    Rule(
        "sdk-symbol-added",
        "A Python symbol appeared without a wire change (constructor, accessor, constant).",
        "safe / safe; a new required method argument: safe / breaking",
        "safe / safe; a new required method argument: safe / breaking",
    ),
    Rule(
        "sdk-symbol-removed",
        "A Python symbol disappeared without a wire change.",
        "safe / breaking",
        "safe / breaking",
    ),
    Rule(
        "sdk-symbol-renamed",
        "A Python symbol was renamed without a wire change (`x-sdk-name`, `x-sdk-method`).",
        "safe / breaking",
        "safe / breaking",
    ),
    Rule(
        "sdk-symbol-changed",
        "A Python symbol's signature, type, default or openness changed without a wire change.",
        "safe / breaking; a default changed: safe / warning; an enum or union opened, or a new "
        "optional constructor parameter: safe / safe",
        "same as the request side",
    ),
]

_RULES += [Rule(*entry) for entry in SURFACE_RULES]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rules_table() -> str:
    """The rule table, as Markdown: what ``docs/review.md`` shows."""
    from generator.review.oasdiff import EQUIVALENTS

    lines = [
        "| rule | oasdiff | what it detects | request side: wire / SDK | response side: wire / SDK |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in _RULES:
        theirs = "same id" if rule.oasdiff else EQUIVALENTS.get(rule.id, "—")
        lines.append(
            f"| `{rule.id}` | {theirs} | {rule.summary} | {rule.request} | {rule.response} |"
        )
    return "\n".join(lines) + "\n"
