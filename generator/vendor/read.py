"""Reading a vendor document: the file, its server URL and its version.

:func:`read` parses the file (JSON or YAML, whatever its suffix); :class:`VendorDocument` is
the normalised document as the core's :class:`~generator.core.load.Document`, naming the
original file in errors; :func:`server_url` and :func:`pep440` take the package's default
base URL and version from what the document says.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator.core.errors import SchemaError, SchemaErrors
from generator.core.load import Document, parse_document

__all__ = ["MODULE", "VendorDocument", "pep440", "read", "server_url"]

# The one module of models a vendor package has: the normalised document is ``models.yaml``.
MODULE = "models"
# What a default base URL may contain (RFC 3986's characters): the URL is printed into string
# literals and docstrings of the generated code, so nothing that could end either gets in.
_URL_TEXT = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")


@dataclass
class VendorDocument(Document):
    """A vendor document after normalisation; errors name the original file.

    The line map is only built when an error needs it: parsing the 3 MB OpenAI document with
    one is several times slower than without, and a successful run never looks at it.
    """

    source_file: str = ""
    _lines_ready: bool = field(default=False, repr=False)

    @property
    def source(self) -> str:
        """Generated files name the document by its file name: the same on every machine."""
        return Path(self.source_file).name

    def line(self, pointer: str) -> int | None:
        if not self._lines_ready:
            self._lines_ready = True
            parsed, _ = parse_document(self.path, self.text)
            if parsed is not None:
                self.lines = parsed.lines
        return super().line(pointer)

    def error(self, pointer: str, message: str) -> SchemaError:
        return SchemaError(self.source_file, pointer, self.line(pointer), message)


def read(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a vendor document: JSON when it is JSON (whatever its suffix), else YAML."""
    text = path.read_text(encoding="utf-8")
    data: Any = None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
    if data is None:
        try:
            loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,misc,unused-ignore]
        except AttributeError:  # pragma: no cover - depends on how PyYAML was built
            loader = yaml.SafeLoader
        try:
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise SchemaErrors([SchemaError(str(path), "", None, f"cannot parse: {exc}")]) from exc
    if not isinstance(data, dict) or "openapi" not in data:
        raise SchemaErrors([SchemaError(str(path), "", 1, "not an OpenAPI document")])
    return data, text


def server_url(servers: Any) -> str | None:
    """The first absolute ``http(s)`` URL of ``servers``, its variables set to their defaults.

    A relative URL (``/v1``), a variable without a default or no ``servers`` at all give no
    URL: the client then needs ``base_url=`` or the environment.
    """
    for server in servers if isinstance(servers, list) else []:
        url = server.get("url") if isinstance(server, dict) else None
        if not isinstance(url, str):
            continue
        variables = server.get("variables")
        variables = variables if isinstance(variables, dict) else {}
        resolved = url.strip()
        for name in _SERVER_VARIABLE.findall(resolved):
            variable = variables.get(name)
            default = variable.get("default") if isinstance(variable, dict) else None
            if isinstance(default, str):
                resolved = resolved.replace("{" + name + "}", default)
        if _SERVER_VARIABLE.search(resolved) or not _URL_TEXT.fullmatch(resolved):
            continue  # a variable without a default, or text no URL has
        parts = urlsplit(resolved)
        if parts.scheme in ("http", "https") and parts.netloc:
            return resolved
    return None


def pep440(version: str) -> str:
    """A package version from the document's: ``2024-10-21`` → ``2024.10.21``,
    ``2025-04-01-preview`` → ``2025.4.1+preview``; one that is already valid stays."""
    if re.fullmatch(r"\d+(\.\d+)*", version):
        return version
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[-.]?([A-Za-z0-9.]+))?", version)
    if match:
        year, month, day, label = match.groups()
        base = f"{int(year)}.{int(month)}.{int(day)}"
        return f"{base}+{label}" if label else base
    return "0.0.0"
