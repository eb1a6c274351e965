"""``sdkforge generate --spec``: a published vendor OpenAPI document → an installable package.

The document is normalised into the shapes ``schemas/`` uses and then goes through the core
pipeline; ``runtime/`` holds what only such packages need (parameters, encodings, binary answers).
"""
