"""Fail any test that opens a connection to a non-loopback address.

Installed for the whole session from ``conftest.py``; it refuses before any packet is
sent, so a mistake never reaches the network.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NetworkAccessDenied(RuntimeError):
    """A test tried to reach something other than this machine."""


def _check(address: Any) -> None:
    if isinstance(address, (str, bytes)):
        return  # unix socket path
    host = address[0]
    if host in ("localhost", ""):
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise NetworkAccessDenied(f"tests may not resolve or reach {host!r}") from None
    if not ip.is_loopback:
        raise NetworkAccessDenied(f"tests may only connect to loopback, not {host}")


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    _check(address)
    return _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    _check(address)
    return _original_connect_ex(self, address)


def install() -> None:
    """Patch :class:`socket.socket` so every connect is checked."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
