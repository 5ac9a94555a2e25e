"""Buttons' addresses opened with GET: back to the page the button is on, never a bare 405.

A form button POSTs. When the session has expired the POST is answered with the login page,
whose ``next`` is the button's address; after signing in the browser *GETs* that address, and a
view decorated with ``require_POST`` answered with an empty "405 Method Not Allowed". Now a GET
(or HEAD) leads back to the page with the button and a message saying nothing was done; nothing
is ever run by a GET. Other methods still get 405.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect


def post_only(back: Callable[..., str], message: Callable[..., str] | None = None):
    """``back(request, *args, **kwargs)`` gives the address of the page with the button (it may
    raise to refuse, e.g. a case the user cannot see); ``message`` the same way, its text (or None:
    no message)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["POST"])
            target = back(request, *args, **kwargs)
            text = message(request, *args, **kwargs) if message and request.method == "GET" else None
            if text:
                messages.warning(request, text)
            return HttpResponseRedirect(target)

        return wrapper

    return decorator
