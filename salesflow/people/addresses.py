"""The client's address as seen through trusted proxies (``SALESFLOW_TRUSTED_PROXIES``).

Behind a reverse proxy every request comes from the proxy's address; the client's own address is
in ``X-Forwarded-For``. That header is written by whoever sends the request, so it is believed only
when the request comes from a proxy the operator declared trusted, and only as far as the chain of
trusted proxies goes: the address used is the right-most one in the chain that is not itself a
trusted proxy (RFC 7239's rule for a chain of forwarders).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings

#: Longest address string kept (an IPv6 address with zone id fits).
MAX_ADDRESS = 64
#: Most ``X-Forwarded-For`` entries read (a longer header is cut from the left, where the untrusted ones are).
MAX_HOPS = 20


def _parse(text: str) -> Any | None:
    """An `ipaddress` address from text (brackets and an IPv4 port removed), or None."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Any, proxies: Iterable[Any]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(request: Any | None, proxies: Iterable[Any] | None = None) -> str:
    """The client's address: ``REMOTE_ADDR``, or from ``X-Forwarded-For`` when it came through trusted proxies."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")[:MAX_ADDRESS]
    proxies = list(getattr(settings, "SALESFLOW_TRUSTED_PROXIES", []) if proxies is None else proxies)
    if not proxies:
        return remote
    current = _parse(remote)
    if current is None or not _trusted(current, proxies):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()][-MAX_HOPS:]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a garbled entry: believe nothing left of it
        current = address
        if not _trusted(address, proxies):
            break
    return str(current)[:MAX_ADDRESS]
