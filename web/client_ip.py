"""The client's address, for everything keyed on it: the look-up and API rate limits (DRF
throttles) and the sign-in lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``). One rule for all.

``X-Forwarded-For`` is written by whoever sends the request, so it is trusted only as far as our
own reverse proxies wrote it, and only when ``TRUSTED_PROXY_COUNT`` says how many there are.
Each proxy *appends* the address it received the request from, so with N proxies in front of the
app the client is the N-th entry from the right; anything further left is what the client sent
and can be anything. With 0 (the default: the app faces the network directly) the header is
ignored and the address is the socket's (``REMOTE_ADDR``).

Before this, DRF's throttles (``NUM_PROXIES`` unset) keyed on the *whole* header, so a client
that sent a different made-up ``X-Forwarded-For`` with each request was a new client each time
and was never limited. django-axes reads ``REMOTE_ADDR`` (django-ipware is not installed), which
cannot be spoofed but behind a proxy makes every client the proxy.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client as our own proxies saw it (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    entries = [e for e in forwarded.split(",") if e.strip()]
    if len(entries) < proxies:
        # Fewer entries than proxies: the request did not come through all of them (or one of
        # them does not append); nothing in the header is known to be ours.
        return remote
    # An entry our proxy wrote is an address; garbage there means a misconfigured proxy, and
    # an address column (axes stores it in a GenericIPAddressField) must not receive it.
    return _valid(entries[-proxies]) or remote

