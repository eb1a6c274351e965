"""The rules about an operation's surface and a document's servers and security.

Each entry: id, what it detects, request side and response side (wire / SDK), and whether
the id is oasdiff's own. :mod:`generator.review.rules` adds them to its table.
"""

from __future__ import annotations

_NA = "-"

SURFACE_RULES: list[tuple[str, str, str, str, bool]] = [
    # parameters (path, query, header)
    (
        "new-required-request-parameter",
        "An operation takes a new required query or header parameter.",
        "breaking / breaking (a new required argument)",
        _NA,
        True,
    ),
    (
        "new-request-path-parameter",
        "An operation's path takes a new parameter.",
        "breaking / breaking",
        _NA,
        True,
    ),
    (
        "new-optional-request-parameter",
        "An operation takes a new optional parameter.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "request-parameter-removed",
        "A parameter was removed.",
        "path or required: breaking / breaking; optional: warning / breaking (the server ignores "
        "it; the keyword argument is gone)",
        _NA,
        True,
    ),
    (
        "request-parameter-removed-with-deprecation",
        "A parameter that was deprecated was removed.",
        "warning / breaking (clients were told; code passing the argument still fails)",
        _NA,
        True,
    ),
    (
        "request-parameter-became-required",
        "A parameter is now required.",
        "breaking / breaking",
        _NA,
        True,
    ),
    (
        "request-parameter-became-optional",
        "A parameter is no longer required.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "request-parameter-style-changed",
        "A parameter's `style` or `explode` changed: its value is written another way.",
        "breaking / breaking (the previous SDK serialises it the old way)",
        _NA,
        False,
    ),
    (
        "request-parameter-deprecated",
        "A parameter is now deprecated.",
        "safe / warning",
        _NA,
        True,
    ),
    (
        "request-parameter-reactivated",
        "A parameter is no longer deprecated.",
        "safe / safe",
        _NA,
        True,
    ),
    # request bodies
    (
        "request-body-added-required",
        "An operation now needs a request body.",
        "breaking / breaking",
        _NA,
        True,
    ),
    (
        "request-body-added-optional",
        "An operation now takes an optional request body.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "request-body-removed",
        "An operation no longer takes a request body.",
        "breaking / breaking",
        _NA,
        True,
    ),
    (
        "request-body-became-required",
        "`requestBody.required` became true.",
        "breaking / warning (the previous SDK always sends a body)",
        _NA,
        True,
    ),
    (
        "request-body-became-optional",
        "`requestBody.required` became false.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "request-body-media-type-added",
        "The request body accepts another media type.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "request-body-media-type-removed",
        "The request body no longer accepts a media type.",
        "breaking / breaking when the previous SDK sends it, else breaking / safe",
        _NA,
        True,
    ),
    # responses
    (
        "response-success-status-added",
        "An operation may answer another 2xx status.",
        _NA,
        "safe / safe (the SDK takes any 2xx as success)",
        True,
    ),
    (
        "response-success-status-removed",
        "A 2xx status is no longer answered.",
        _NA,
        "breaking / safe while another 2xx remains; else breaking / breaking",
        True,
    ),
    (
        "response-non-success-status-added",
        "An operation may answer another error status.",
        _NA,
        "safe / safe (the SDK raises the typed error of its status class)",
        True,
    ),
    (
        "response-non-success-status-removed",
        "An error status is no longer answered.",
        _NA,
        "safe / safe",
        True,
    ),
    (
        "response-media-type-added",
        "A status may answer another media type.",
        _NA,
        "warning / safe when the status had a media type (the SDK asks for JSON); else safe / safe",
        True,
    ),
    (
        "response-media-type-removed",
        "A status no longer answers a media type.",
        _NA,
        "success: breaking / breaking for JSON (the SDK parses it), breaking / safe for others; "
        "error: safe / safe",
        True,
    ),
    (
        "response-header-added",
        "A response header was added.",
        _NA,
        "safe / safe",
        True,
    ),
    (
        "required-response-header-removed",
        "A required response header was removed.",
        _NA,
        "breaking / warning (the SDK does not read headers; code reading them from "
        "`.with_raw_response` does)",
        True,
    ),
    (
        "optional-response-header-removed",
        "An optional response header was removed.",
        _NA,
        "warning / safe",
        True,
    ),
    (
        "response-header-became-optional",
        "A response header is no longer required.",
        _NA,
        "breaking / warning",
        True,
    ),
    # lifecycle
    (
        "endpoint-deprecated",
        "An operation is now deprecated.",
        "safe / warning (it works; plan to stop calling it)",
        "same",
        True,
    ),
    (
        "endpoint-reactivated",
        "An operation is no longer deprecated.",
        "safe / safe",
        "same",
        True,
    ),
    (
        "api-removed-with-deprecation",
        "An operation that was deprecated was removed.",
        "warning / breaking (clients were told; the client method is gone all the same)",
        "same",
        True,
    ),
    # security
    (
        "api-security-component-added",
        "A security scheme was added.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "api-security-component-removed",
        "A security scheme was removed (operations that used it are reported there).",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "api-security-component-type-changed",
        "A security scheme takes its credential another way (type, `in`, header name).",
        "breaking / breaking",
        _NA,
        True,
    ),
    (
        "api-security-added",
        "An operation accepts another security requirement.",
        "safe / safe; breaking / breaking when it needed none before",
        _NA,
        True,
    ),
    (
        "api-security-removed",
        "An operation no longer accepts a security requirement.",
        "breaking / breaking when the previous SDK used it, else breaking / safe; safe / safe when "
        "authentication becomes optional",
        _NA,
        True,
    ),
    (
        "api-security-scope-added",
        "A requirement needs another OAuth scope.",
        "breaking / safe (the SDK sends the token it is given)",
        _NA,
        True,
    ),
    (
        "api-security-scope-removed",
        "A requirement needs one OAuth scope less.",
        "safe / safe",
        _NA,
        True,
    ),
    (
        "api-global-security-added",
        "The document's own security requirement gained an alternative.",
        "as `api-security-added`, for every operation without its own",
        _NA,
        True,
    ),
    (
        "api-global-security-removed",
        "The document's own security requirement lost an alternative.",
        "as `api-security-removed`, for every operation without its own",
        _NA,
        True,
    ),
    (
        "api-global-security-scope-added",
        "The document's own security requirement needs another OAuth scope.",
        "breaking / safe",
        _NA,
        True,
    ),
    (
        "api-global-security-scope-removed",
        "The document's own security requirement needs one OAuth scope less.",
        "safe / safe",
        _NA,
        True,
    ),
    # servers
    (
        "api-server-added",
        "A server URL was added.",
        "safe / safe",
        _NA,
        False,
    ),
    (
        "api-server-removed",
        "A server URL was removed.",
        "breaking / breaking when it was the previous SDK's default base URL, else breaking / safe",
        _NA,
        False,
    ),
    (
        "api-server-default-changed",
        "The SDK's default base URL (the first absolute server URL) is another one; the old one "
        "is still listed.",
        "safe / warning (the new SDK calls another URL by default)",
        _NA,
        False,
    ),
]
