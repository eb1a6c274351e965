"""sdkforge: turn the JSON Schema / OpenAPI 3.1 definitions in ``schemas/`` into the ``chatsdk`` SDK."""

__version__ = "0.1.0"
