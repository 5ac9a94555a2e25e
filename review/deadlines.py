"""One definition of "late", read from the stored dates at request time (docs/architecture.md#clocks:
overdue is a fact computed from stored dates, not from a scheduled message).

A stage is *past its target* when it runs and its stored target date is before today, *past its
statutory limit* when it runs, its statutory limit is not a reference only (the national review
runs outside the province) and that date is before today. *Overdue* is either. A paused stage is
never late: its clock stands still and its dates are projected afresh when it restarts.

Every reader uses these: the admin's filters and badges, the worklist, the portal and API lists,
the dashboard and the sweep's stored flag (which only mirrors them, for old readers).
``prefix`` reaches the stage across a relation, e.g. ``"stages__"`` from an application.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from review.models.enums import StageState


def past_target_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": StageState.RUNNING, f"{prefix}target_due__lt": today})


def past_statutory_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": StageState.RUNNING, f"{prefix}statutory_reference": False,
                f"{prefix}statutory_due__lt": today})


def past_statutory(stage, today: dt.date) -> bool:
    """``past_statutory_q`` for one stage already in memory (a digest row at send time)."""
    return (stage.state == StageState.RUNNING and not stage.statutory_reference
            and stage.statutory_due is not None and stage.statutory_due < today)


def overdue_stage_q(today: dt.date, prefix: str = "") -> Q:
    """A running stage past its target or its statutory limit."""
    return past_target_q(today, prefix) | past_statutory_q(today, prefix)


def application_overdue_q(today: dt.date, *, statutory_only: bool = False) -> Q:
    """Applications with an overdue stage (an EXISTS, so no join multiplies the case rows)."""
    from review.models import Stage

    late = past_statutory_q(today) if statutory_only else overdue_stage_q(today)
    return Q(Exists(Stage.objects.filter(late, application=OuterRef("pk"))))


def case_late_level(next_target: dt.date | None, next_statutory: dt.date | None, today: dt.date) -> str | None:
    """The worst lateness of a case from its running stages' earliest dates (the list
    annotations ``next_target`` and ``next_statutory``, the latter without reference-only
    limits): ``"breach"`` past a statutory limit, else ``"overdue"`` past a target, else ``None``.
    The same levels as a stage's badge (``services.sla.deadline_status``), so a list never shows
    "target passed" for a case whose page says "statutory limit passed"."""
    if next_statutory and next_statutory < today:
        return "breach"
    if next_target and next_target < today:
        return "overdue"
    return None
