"""The guard that keeps tests off the network must itself work."""

import socket

import pytest

from tests.support.network_guard import NetworkAccessDenied


def test_non_loopback_connect_is_refused_before_sending() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkAccessDenied):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed; refused locally
    finally:
        sock.close()


def test_hostnames_other_than_localhost_are_refused() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkAccessDenied):
            sock.connect(("example.com", 443))
    finally:
        sock.close()


def test_loopback_is_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket()
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
