"""The transition log's hash chain: each row carries the SHA-256 of its content and of the row
before it in the same case, so a row changed, removed or slipped in afterwards breaks the chain
at that point, whoever did it and however.

The database already refuses UPDATE and DELETE from the application (migration 0003's trigger),
and production connects as a role that owns no table (docs/security.md). The chain covers what
those cannot: the table owner (TRUNCATE, ``DISABLE TRIGGER``, ``session_replication_role``), a
restore of an edited dump, direct file edits. ``manage.py verify_log`` walks every chain and
names the first broken row; the case page in the admin shows its own chain's result.

Limits: the chain proves each case's rows since the first one are the rows written, in that
order. Cutting the newest rows of a case leaves a shorter chain that still verifies; keep the
printed heads (``verify_log --heads``) somewhere else to detect that too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

GENESIS = ""  # prev_hash of a case's first row


def row_payload(row) -> bytes:
    """The hashed content of a row: everything it says, in a fixed canonical JSON form."""
    at = row.at.astimezone(dt.UTC).isoformat(timespec="microseconds") if row.at else ""
    fields = {
        "prev": row.prev_hash, "application": row.application_id, "stage": row.stage_id,
        "action": str(row.action), "from": row.from_state, "to": row.to_state, "actor": row.actor_id,
        "at": at, "reason": row.reason, "details": row.details if row.details is not None else {},
        "for_applicant": bool(row.for_applicant), "reason_for_applicant": bool(row.reason_for_applicant),
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode()


def row_hash(row) -> str:
    return hashlib.sha256(row_payload(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    row_id: int
    application_id: int
    problem: str  # "altered" | "unlinked"

    def describe(self, reference: str = "") -> str:
        what = ("its content no longer matches its hash (the row was changed)" if self.problem == "altered"
                else "it does not follow the row before it (a row before it was removed, inserted or changed)")
        case = reference or f"application {self.application_id}"
        return f"log row #{self.row_id} of {case}: {what}"


def check_chain(rows) -> Break | None:
    """The first break in one case's rows (given oldest first, by id), or None."""
    prev = GENESIS
    for row in rows:
        if row.prev_hash != prev:
            return Break(row.pk, row.application_id, "unlinked")
        if row.hash != row_hash(row):
            return Break(row.pk, row.application_id, "altered")
        prev = row.hash
    return None


def verify_all(queryset, *, on_case=None) -> tuple[int, int, list[Break]]:
    """Walk every case's chain (rows streamed in (case, id) order): (rows, cases, breaks), one
    break (the first) per broken case. ``on_case(application_id, head_hash)`` sees each head."""
    rows = cases = 0
    breaks: list[Break] = []
    current, prev, broken = None, GENESIS, False
    for row in queryset.order_by("application_id", "id").iterator(chunk_size=2000):
        rows += 1
        if row.application_id != current:
            if current is not None and on_case:
                on_case(current, prev)
            current, prev, broken = row.application_id, GENESIS, False
            cases += 1
        if broken:
            continue
        if row.prev_hash != prev:
            breaks.append(Break(row.pk, row.application_id, "unlinked"))
            broken = True
        elif row.hash != row_hash(row):
            breaks.append(Break(row.pk, row.application_id, "altered"))
            broken = True
        prev = row.hash
    if current is not None and on_case:
        on_case(current, prev)
    return rows, cases, breaks
