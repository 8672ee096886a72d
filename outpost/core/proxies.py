"""Reverse proxies (反向代理) in front of Outpost: which ones are believed, and what they say.

TLS ends at a proxy (nginx, Caddy); Outpost's own server speaks plain HTTP. A proxy tells
the client's scheme and address in ``X-Forwarded-Proto`` and ``X-Forwarded-For``, but any
client can send those headers too, so they are believed only from the addresses named in
``OUTPOST_TRUSTED_PROXIES`` (see `middleware.TrustedProxyMiddleware`).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers a proxy (or a client pretending to be one) uses to speak about the client.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # Invalid entries are left out here and reported by the deploy check.
    invalid = set(invalid_proxy_entries(entries))
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries if e not in invalid)


def invalid_proxy_entries(entries) -> list[str]:
    """The entries of OUTPOST_TRUSTED_PROXIES that are neither an address nor a network."""
    invalid = []
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            invalid.append(entry)
    return invalid


def trusted_proxy_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.OUTPOST_TRUSTED_PROXIES))


def _address(text: str):
    text = text.strip().strip('"')
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 203.0.113.7:50000
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address: str, networks: tuple[Network, ...]) -> bool:
    parsed = _address(address or "")
    return parsed is not None and any(parsed in network for network in networks)


def forwarded_client(forwarded_for: str, networks: tuple[Network, ...]) -> str | None:
    """The client address in an X-Forwarded-For chain, or None when it names none.

    Each proxy appends the address it received the request from, so the chain is read from
    the right: the first address that is not itself a trusted proxy is the client. Entries
    further left were written by the client and prove nothing.
    """
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return None
        if not any(address in network for network in networks):
            return str(address)
    return str(_address(hops[0])) if hops else None
