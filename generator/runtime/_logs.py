"""The log switch: ``<PREFIX>_LOG=info`` or ``debug`` in the environment (the package's own
prefix, :data:`~._constants.LOG_ENV`) sends the package logger's records to stderr.

``info``: each answer's status line with its time and request id, retries and failures.
``debug``: also each request (method, URL, attempt, headers with credentials masked). Bodies
are never logged, and every line has the call's credentials redacted (see ``_faults``), so
neither an API key sent nor one a server echoes back shows. Without the variable nothing is
configured: the records go wherever the application's ``logging`` setup sends them.
"""

from __future__ import annotations

import logging
import os

from ._constants import LOG_ENV, LOGGER_NAME

__all__ = ["LEVELS", "setup_logging"]

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
"""The values ``<PREFIX>_LOG`` takes, and the level each sets."""

_FORMAT = "[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"


_ADDED: list[logging.Handler] = []  # the handler the switch added, so that it is added once


def setup_logging() -> None:
    """Turn on the package logger as ``<PREFIX>_LOG`` says; an unknown value is ignored."""
    level = LEVELS.get(os.environ.get(LOG_ENV, "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    if not _ADDED:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
        _ADDED.append(handler)
