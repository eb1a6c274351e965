"""Connection resets: the ``reset`` fault ends a connection with a TCP RST, not an answer."""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["ResetResponse", "protocol_class", "reset_connection"]

# Transports of open connections by client address, so a fault can reset one. uvicorn does not
# hand the transport to the application; the protocol below records it (see `protocol_class`).
_TRANSPORTS: dict[tuple[Any, ...], asyncio.Transport] = {}


def protocol_class() -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class RecordingH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client is not None:
                _TRANSPORTS[tuple(self.client)] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                _TRANSPORTS.pop(tuple(self.client), None)
            super().connection_lost(exc)

    return RecordingH11Protocol


async def reset_connection(scope: Scope) -> None:
    """Reset the request's connection (RST, not FIN) once what was written has left."""
    client = scope.get("client")
    transport = _TRANSPORTS.get(tuple(client)) if client else None
    if transport is None:  # not served by `serve()`: failing the response closes the connection
        raise ConnectionResetError("connection reset by x-sdkforge-fault")
    for _ in range(200):
        if transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.02)  # the kernel hands loopback data over before the reset
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0.01)  # let the protocol see connection_lost before the app returns


class ResetResponse(Response):
    """No answer at all: the connection is reset."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await reset_connection(scope)
