"""Refusing fetches to private addresses.

A user-supplied URL may point, directly or through DNS or a redirect, at the machine
Storyline runs on or at its private network. Every connection is therefore checked
*after* DNS resolution, at the moment of connecting (so DNS rebinding between a check and
the connection cannot slip through), and every redirect hop goes through the same check.
``STORYLINE_ALLOW_PRIVATE_URLS`` turns the check off (tests serve fixtures on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class BlockedAddressError(httpcore.ConnectError):
    """The host resolves only to addresses Storyline may not fetch from."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
    seen: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


def check_host(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses of ``host`` that may be connected to; raises when there are none."""
    addresses = resolve_host(host, port)
    if allow_private:
        return addresses
    allowed = [a for a in addresses if is_public_address(a)]
    if not allowed:
        shown = ", ".join(addresses)
        raise BlockedAddressError(
            f"refused: {host} resolves to a private, loopback or link-local address ({shown}); "
            "set STORYLINE_ALLOW_PRIVATE_URLS to allow it"
        )
    return allowed


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in check_host(host, port, allow_private=self._allow_private):
            try:
                return super().connect_tcp(
                    address, port, timeout, local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:  # try the host's next address
                last_error = exc
        assert last_error is not None
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport, connecting only to addresses the guard allows."""

    def __init__(self, *, allow_private: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        limits: httpx.Limits = kwargs.get("limits", httpx.Limits())
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(allow_private),
        )
