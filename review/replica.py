"""Reads that may go to a read replica (docs/deployment.md#a-read-replica).

Three readers may be served by a streaming replica instead of the primary: the dashboard and its
downloads, ``kpi_report``, and the public look-up (page and API). Each wraps its reads in
``reading()``; the router below sends those reads to the replica alias named by
``settings.READ_REPLICA`` (set when ``DATABASE_REPLICA_URL`` is), and everything else to
``default``:

- every write goes to ``default``, whatever alias the instance was read from;
- a read inside a transaction on ``default`` stays on ``default``: a transaction that writes must
  read its own writes, and a replica (asynchronous streaming) may be a moment behind;
- a read outside ``reading()`` goes to ``default`` even for an object fetched from the replica.

Without ``READ_REPLICA`` every read goes to ``default``, as before (the demo, the tests unless a
test turns it on).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_reading = contextvars.ContextVar("review_replica_reading", default=False)


def replica_alias() -> str | None:
    """The replica's database alias, or None when none is configured."""
    alias = getattr(settings, "READ_REPLICA", "")
    return alias if alias and alias in settings.DATABASES else None


@contextmanager
def reading() -> Iterator[None]:
    """The reads inside may be served by the replica (when one is configured)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def streamed(items: Iterable) -> Iterator:
    """A streamed response's body, read inside ``reading()``: a StreamingHttpResponse is
    iterated after its view has returned, outside the view's own ``with reading()``."""
    with reading():
        yield from items


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: see the module docstring."""

    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias and _reading.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a physical replica follows default's schema by itself
