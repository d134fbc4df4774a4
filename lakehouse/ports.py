"""Loopback ports for the servers Peloton starts."""

from __future__ import annotations

import errno
import socket


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the caller binds it soon after)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_taken(host: str, port: int) -> bool:
    """Whether `port` on `host` is bound by some program, listening or not.

    As a server binds it (with SO_REUSEADDR): connections of a stopped server waiting out
    TIME_WAIT leave it free. A host that is not this machine's says nothing: False.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False
