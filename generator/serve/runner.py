"""Running the server: the listening socket, uvicorn, and ``serve -- COMMAND``."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

import uvicorn

from generator.serve.app import ReferenceServer
from generator.serve.resets import protocol_class
from generator.serve.routes import format_routes, route_table

__all__ = ["ListenError", "announce", "bind", "run", "run_command", "url_of"]


class ListenError(Exception):
    """The server cannot listen where it was asked to; the message says why in one line."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port).

    Raises :class:`ListenError` when the port is taken or the address cannot be used.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio turns TCP_NODELAY on only for sockets that say so,
    # and without it every answer's body waits ~40 ms behind the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(
                f"port {port} on {host} is in use; choose another with --port (0 picks a free one)"
            ) from None
        raise ListenError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _uvicorn(server: ReferenceServer, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        server.app(),
        http=protocol_class(),
        lifespan="off",
        log_level=log_level,
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def run(server: ReferenceServer, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    _uvicorn(server, log_level).run(sockets=[sock])


def run_command(
    server: ReferenceServer,
    sock: socket.socket,
    command: Sequence[str],
    *,
    api_key: str | None = None,
    log_level: str = "warning",
) -> int:
    """Serve while ``command`` runs with ``CHATSDK_BASE_URL`` pointing here; its exit status.

    ``CHATSDK_API_KEY`` is set too unless the environment has one, so a program that reads
    its configuration from the environment works unchanged.
    """
    runner = _uvicorn(server, log_level)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not runner.started:
        raise RuntimeError("the reference server did not start")
    env = {**os.environ, "CHATSDK_BASE_URL": url_of(sock)}
    env.setdefault("CHATSDK_API_KEY", api_key or "sdkforge-local-key")
    try:
        return subprocess.call(list(command), env=env)
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(sock: socket.socket, server: ReferenceServer) -> None:
    """List the routes (on stderr) and say where the server listens (on stdout, one line that
    tests and scripts read)."""
    routes = format_routes(route_table(server.operations))
    print(
        f"sdkforge serve: {len(routes)} routes",
        *(f"  {r}" for r in routes),
        sep="\n",
        file=sys.stderr,
    )
    sys.stderr.flush()
    print(f"sdkforge serve: listening on {url_of(sock)}", flush=True)
