"""The client's address behind a reverse proxy.

Every limit that counts by address (sign-in throttle, intake limits, follow limits) reads
REMOTE_ADDR. Behind nginx that is the proxy's address, so every resident would share one limit
and one attacker's failures would slow everyone. X-Forwarded-For cannot simply be believed: a
client writes whatever it likes there. So the header is read only when the connection comes from
a proxy listed in TRUSTED_PROXIES, from the right (the entry our own proxy appended) leftwards,
skipping our proxies; the first address that is not one of ours is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks_parse(values: list[str]) -> list[Network]:
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(*, remote_addr: str, forwarded_for: str, trusted: list[Network]) -> str:
    """REMOTE_ADDR, or the nearest untrusted hop of X-Forwarded-For when REMOTE_ADDR is one of
    our proxies. A malformed hop stops the walk at the last good address."""
    if not trusted or not _trusted(remote_addr, trusted):
        return remote_addr
    client = remote_addr
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _trusted(hop, trusted):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = networks_parse(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            request.META["REMOTE_ADDR"] = client_address(
                remote_addr=request.META.get("REMOTE_ADDR", ""),
                forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
                trusted=self.trusted,
            )
        return self.get_response(request)
