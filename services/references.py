"""Case numbers: ``<office code><year><five digits>``, consecutive per office and never issued twice.

``max(reference) + 1`` read without a lock gave two concurrent intents the same number (the
second then failed the unique constraint: a 500). The counter row of the prefix is locked for
the rest of the creating transaction instead, so intents of one year queue on it for the few
milliseconds their insert takes; on SQLite, which has one writer at a time, the lock is implicit.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from review.models import Application, Office, ReferenceCounter


def _highest_issued(prefix: str) -> int:
    """Numbers issued before the counter existed (a database migrated from an older version)."""
    last = (Application.objects.filter(reference__startswith=prefix)
            .order_by("-reference").values_list("reference", flat=True).first())
    tail = last[len(prefix):] if last else ""
    return int(tail) if tail.isdigit() else 0


def reference_next(today: dt.date, office: Office | None = None) -> str:
    """The next case number of ``office`` (default: the default office) in ``today``'s year; call
    inside the transaction that saves the case."""
    office = office or Office.objects.default()
    prefix = f"{office.code}{today.year}"
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            prefix=prefix, defaults={"last": _highest_issued(prefix)})
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}{counter.last:05d}"
