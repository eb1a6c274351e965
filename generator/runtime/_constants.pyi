# The names of the package the runtime is copied into. Each package has its own _constants.py,
# rendered from templates/package/_constants.py.jinja; this stub types the runtime at its source.

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "LOGGER_NAME",
    "LOG_ENV",
    "NO_API_KEY",
    "NO_BASE_URL",
    "PACKAGE",
    "RETRY_COUNT_HEADER",
    "USER_AGENT_PRODUCT",
    "PackageError",
]

PACKAGE: str
API_KEY_ENV: str
BASE_URL_ENV: str
DEFAULT_BASE_URL: str | None
NO_BASE_URL: str
NO_API_KEY: str
LOG_ENV: str
LOGGER_NAME: str
USER_AGENT_PRODUCT: str
RETRY_COUNT_HEADER: str

class PackageError(Exception): ...
