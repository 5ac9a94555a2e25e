"""One status model: each deadline level of a stage, defined once, in the three forms readers need
(docs/architecture.md#one-status-model). Overdue is a fact read from the stored dates at request
time, never a scheduled message or a stored flag.

The levels of a running stage, worst first, and a stage has exactly one (``clock.sla``):

- ``breach``: past its statutory limit (a reference-only limit, the national review's, never);
- ``statutory_near``: the statutory limit within ``BREACH_LEAD_DAYS`` working days;
- ``overdue``: past its target;
- ``due_soon``: the target within the stage's own warning lead time;
- ``on_track``.

A paused stage is never late: its clock stands still and its dates are projected afresh when it
restarts. Each level has

- a **Q** of its own condition (``past_target_q``, ``past_statutory_q``, ``statutory_near_q``,
  ``due_soon_q``), which the sweep raises alerts from (a stage past both limits gets both alerts),
- an **exclusive Q** (``level_q``: this level and no worse one), which lists and counts filter by,
- an **annotation** (``level_annotation``: the level as a value per row), which lists order by,
- an **in-memory predicate** (``stage_level``, via ``clock.sla.running_level``), for a row already read;

and one label (``LABELS``) that the admin, the portal, the API's documentation, the dashboard and the
e-mails show. A test holds the three forms equal over a grid of stages. Readers differ in *which*
cases they are sent, never in how a case is classified. ``prefix`` reaches the stage across a
relation, e.g. ``"stages__"`` from an application.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clock import sla
from clock.sla import BREACH, BREACH_LEAD_DAYS, DUE_SOON, ON_TRACK, OVERDUE, RUNNING_LEVELS, STATUTORY_NEAR
from review.models.enums import StageState

# One label per level and stage state, shown everywhere the level is (the badges of the admin and
# the portal, the dashboard and its downloads, the digests). 已超法定时限 / 已超目标时限 /
# 临近法定时限 / 临近目标时限 name the limit they speak of.
LABELS = {
    BREACH: _("Statutory limit passed"),
    OVERDUE: _("Past target"),
    STATUTORY_NEAR: _("Statutory limit near"),
    DUE_SOON: pgettext_lazy("deadline state", "Due soon"),
    ON_TRACK: _("On track"),
    "paused": _("Clock stopped"),
    "pending": _("Not started"),
    "done": _("Done"),
    "skipped": _("Not needed"),
    "cancelled": _("Cancelled"),
    "provisional": _("Provisional"),
    # A finished stage (``finished_late``).
    "late": _("Finished late"),
    "on_time": _("Finished on time"),
}


def past_target_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": StageState.RUNNING, f"{prefix}target_due__lt": today})


def past_statutory_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": StageState.RUNNING, f"{prefix}statutory_reference": False,
                f"{prefix}statutory_due__lt": today})


def statutory_near_q(today: dt.date, cal, prefix: str = "") -> Q:
    """The statutory limit today or within ``BREACH_LEAD_DAYS`` working days."""
    return Q(**{f"{prefix}state": StageState.RUNNING, f"{prefix}statutory_reference": False,
                f"{prefix}statutory_due__gte": today,
                f"{prefix}statutory_due__lte": cal.add_working_days(today, BREACH_LEAD_DAYS)})


def due_soon_q(today: dt.date, cal, leads: Iterable[int], prefix: str = "") -> Q:
    """The target today or within the stage's own warning lead time. ``leads`` are the distinct
    ``warning_days`` of the stages asked about (``warning_leads``): the bound is a date per lead."""
    q = Q(pk__in=[])
    for lead in sorted(set(leads)):
        q |= Q(**{f"{prefix}warning_days": lead, f"{prefix}target_due__gte": today,
                  f"{prefix}target_due__lte": cal.add_working_days(today, lead)})
    return Q(**{f"{prefix}state": StageState.RUNNING}) & q


def warning_leads() -> list[int]:
    """The distinct warning lead times of running stages (a handful: one per pack rule)."""
    from review.models import Stage

    return sorted(set(Stage.objects.filter(state=StageState.RUNNING).order_by()
                      .values_list("warning_days", flat=True).distinct()))


def overdue_stage_q(today: dt.date, prefix: str = "") -> Q:
    """A running stage past its target or its statutory limit."""
    return past_target_q(today, prefix) | past_statutory_q(today, prefix)


def level_conditions(today: dt.date, cal, leads: Iterable[int], prefix: str = "") -> list[tuple[str, Q]]:
    """Each running level with its own (non-exclusive) condition, worst first."""
    return [(BREACH, past_statutory_q(today, prefix)), (STATUTORY_NEAR, statutory_near_q(today, cal, prefix)),
            (OVERDUE, past_target_q(today, prefix)),
            (DUE_SOON, due_soon_q(today, cal, leads, prefix)),
            (ON_TRACK, Q(**{f"{prefix}state": StageState.RUNNING}))]


def level_q(level: str, today: dt.date, cal, leads: Iterable[int], prefix: str = "") -> Q:
    """Running stages whose level is ``level``: its condition and no worse one's."""
    leads = list(leads)
    q = Q()
    for name, cond in level_conditions(today, cal, leads, prefix):
        if name == level:
            return q & cond
        q &= ~cond
    raise ValueError(f"unknown level {level!r}; one of {', '.join(RUNNING_LEVELS)}")


def level_annotation(today: dt.date, cal, leads: Iterable[int], prefix: str = "") -> Case:
    """The level of each running stage as a value (NULL for a stage that is not running)."""
    return Case(*(When(cond, then=Value(name)) for name, cond in level_conditions(today, cal, list(leads), prefix)),
                default=Value(None), output_field=CharField())


def level_rank_annotation(today: dt.date, cal, leads: Iterable[int], prefix: str = "") -> Case:
    """The level as its rank in ``RUNNING_LEVELS`` (0 = breach ... 4 = on track; 9 = not running)."""
    return Case(*(When(cond, then=Value(rank)) for rank, (_name, cond)
                  in enumerate(level_conditions(today, cal, list(leads), prefix))),
                default=Value(9), output_field=IntegerField())


def stage_level(stage, today: dt.date, cal) -> str | None:
    """``level_annotation`` for one stage already in memory; None when it is not running."""
    if stage.state != StageState.RUNNING:
        return None
    return sla.running_level(cal, target_due=stage.target_due, statutory_due=stage.statutory_due,
                             statutory_reference=stage.statutory_reference, warning_days=stage.warning_days,
                             today=today)


def past_statutory(stage, today: dt.date) -> bool:
    """``past_statutory_q`` for one stage already in memory (a digest row at send time)."""
    return (stage.state == StageState.RUNNING and not stage.statutory_reference
            and stage.statutory_due is not None and stage.statutory_due < today)


def past_own_limit(stage, today: dt.date, cal) -> bool:
    """The stage's own statutory budget has run out, counted from its clock without any cap (a
    renewal's expiry cap on the stored date is not, e.g., the acceptance's 5 WD): the test that
    makes an acceptance decided late a deemed acceptance (Licensing Law Art. 32), in the command
    and in the notice preview alike."""
    due = sla.due_date(cal, clock_start=stage.clock_started_on, budget=stage.statutory_days,
                       consumed=stage.consumed_days, extension=stage.extension_days + stage.handover_days)
    return due is not None and today > due


def finished_late(stage) -> str:
    """A done stage that used more than its budget: ``breach`` (past the statutory limit),
    ``overdue`` (past its target), or "" (on time, or not done)."""
    if stage.state != StageState.DONE:
        return ""
    return sla.finished_late(consumed_days=stage.consumed_days, statutory_days=stage.statutory_days,
                             target_days=stage.target_days, extension_days=stage.extension_days or 0,
                             statutory_reference=stage.statutory_reference, handover_days=stage.handover_days)


# The applicant's side (docs/operations.md#alert-levels-and-recipients): an open supplement or
# rectification whose deadline is within 30 calendar days, or has passed.
APPLICANT_LEAD_DAYS = 30


def applicant_due_q(today: dt.date, prefix: str = "") -> Q:
    """Open requests to the applicant (``ClockStop``) due within ``APPLICANT_LEAD_DAYS`` or past:
    the sweep's "applicant's deadline" alert."""
    from review.models.enums import APPLICANT_SIDE_REASONS

    return Q(**{f"{prefix}ended_on__isnull": True, f"{prefix}reason__in": APPLICANT_SIDE_REASONS,
                f"{prefix}applicant_deadline__lte": today + dt.timedelta(days=APPLICANT_LEAD_DAYS)})


def applicant_past_q(today: dt.date, prefix: str = "") -> Q:
    """Open requests to the applicant whose deadline has passed (the dashboard's count)."""
    from review.models.enums import APPLICANT_SIDE_REASONS

    return Q(**{f"{prefix}ended_on__isnull": True, f"{prefix}reason__in": APPLICANT_SIDE_REASONS,
                f"{prefix}applicant_deadline__lt": today})


def application_overdue_q(today: dt.date, *, statutory_only: bool = False) -> Q:
    """Applications with an overdue stage (an EXISTS, so no join multiplies the case rows)."""
    from review.models import Stage

    late = past_statutory_q(today) if statutory_only else overdue_stage_q(today)
    return Q(Exists(Stage.objects.filter(late, application=OuterRef("pk"))))


def case_late_level(next_target: dt.date | None, next_statutory: dt.date | None, today: dt.date) -> str | None:
    """The worst lateness of a case from its running stages' earliest dates (the list
    annotations ``next_target`` and ``next_statutory``, the latter without reference-only
    limits): ``breach`` past a statutory limit, else ``overdue`` past a target, else None: the
    first two levels of ``stage_level`` over the case's running stages."""
    if next_statutory and next_statutory < today:
        return BREACH
    if next_target and next_target < today:
        return OVERDUE
    return None
