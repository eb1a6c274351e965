"""``sdkforge serve``: the reference server built from the schemas, with fault injection.

Needs the ``serve`` extra (``pip install 'sdkforge[serve]'``): starlette and uvicorn. Importing
this package does not: the names below are loaded from their modules on first use.

* :mod:`~generator.serve.operations`: the operations read from the schemas
* :mod:`~generator.serve.events`: stream events cut from an answer, and their SSE framing
* :mod:`~generator.serve.faults`: the ``x-sdkforge-fault`` header and what each fault does
* :mod:`~generator.serve.sessions`: server-side sessions
* :mod:`~generator.serve.tool_loop`, :mod:`~generator.serve.structured`: conversations that go
  round, structured answers from the request's schemas (:mod:`~generator.serve.instances`),
  in each family's places (:mod:`~generator.serve.families`)
* :mod:`~generator.serve.recording`: the requests seen, for ``/_sdkforge/requests/{key}``
* :mod:`~generator.serve.plans`, :mod:`~generator.serve.resets`: how an answer goes out
* :mod:`~generator.serve.app`: the Starlette application
* :mod:`~generator.serve.runner`: the socket, uvicorn and ``serve -- COMMAND``
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.serve.app import ReferenceServer
    from generator.serve.events import chat_completion_chunks, message_events, session_events
    from generator.serve.faults import Fault
    from generator.serve.headers import FAULT_HEADER
    from generator.serve.operations import read_operations
    from generator.serve.runner import announce, bind, run, run_command

_HOMES = {
    "FAULT_HEADER": "headers",
    "Fault": "faults",
    "ReferenceServer": "app",
    "announce": "runner",
    "bind": "runner",
    "chat_completion_chunks": "events",
    "message_events": "events",
    "read_operations": "operations",
    "run": "runner",
    "run_command": "runner",
    "session_events": "events",
}

__all__ = [
    "FAULT_HEADER",
    "Fault",
    "ReferenceServer",
    "announce",
    "bind",
    "chat_completion_chunks",
    "message_events",
    "read_operations",
    "run",
    "run_command",
    "session_events",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
