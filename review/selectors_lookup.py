"""The public progress look-up (办件查询): milestones of one case, by acceptance number and
the applicant's unified social credit code, for anyone who holds both.

What it discloses is chosen field by field (``LookupResult``): the product, the state, each
stage's name, state and dates, whether a running stage is past its date, the current step and
the next date. Never the assignee, a
department's members, opinions, reasons, items or log rows. A wrong pair and a missing case give
the same ``None``, so the look-up cannot be used to find out which references exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from review.deadlines import case_late_level
from review.models import Application
from review.models.enums import CaseState, StageState


@dataclass(frozen=True)
class Milestone:
    kind: str
    name: str
    state: str
    state_display: str
    started_on: dt.date | None
    finished_on: dt.date | None
    due: dt.date | None  # the target date of a running stage (the statutory one when it has none)
    late: str | None = None  # a running stage past its date: "overdue" (target) or "breach" (statutory)


@dataclass(frozen=True)
class LookupResult:
    reference: str
    product_name: str
    state: str
    state_display: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    closed_on: dt.date | None
    current_step: str
    next_date: dt.date | None
    provisional: bool
    milestones: list[Milestone] = field(default_factory=list)
    late: str | None = None  # the worst of the milestones' ``late``
    forecast: object = None  # forecast.estimation.Forecast or None (docs/forecast.md): the page shows it
    office: str = ""  # the office handling the case (docs/offices.md)
    office_contact: str = ""


def normalise(value: str, limit: int) -> str:
    return (value or "").strip().upper()[:limit]


def application_lookup(*, reference: str, credit_code: str, today: dt.date | None = None,
                       forecast=None) -> LookupResult | None:
    """The case whose reference and applicant's credit code both match, else ``None``; drafts
    (intents not yet filed) are not public. Two queries.

    ``next_date`` is the nearest date still ahead, as on the portal's case page
    (``selectors_cases.next_date``): a running stage's target or statutory limit, today or later.
    A date already passed is never offered as "next": it stays on its milestone, marked ``late``
    (the levels of ``review.deadlines``). Before, the earliest target of the running stages was
    shown as the next date even when it had passed, while a parallel stage restarted after a
    supplement had a later date the portal rightly showed."""
    today = today or timezone.localdate()
    reference, credit_code = normalise(reference, 30), normalise(credit_code, 18)
    if not reference or len(credit_code) != 18:
        return None
    app = (Application.objects.exclude(state=CaseState.DRAFT).select_related("office")
           .filter(reference=reference, enterprise__credit_code=credit_code).first())
    if app is None:
        return None
    stages = list(app.stages.exclude(state=StageState.SKIPPED).order_by("phase", "id"))
    milestones, current, ahead = [], [], []
    for s in stages:
        due, late = None, None
        if s.state == StageState.RUNNING:
            statutory = None if s.statutory_reference else s.statutory_due
            due = s.target_due or statutory
            late = case_late_level(s.target_due, statutory, today)
            ahead += [(day, s.deadline_provisional) for day in (s.target_due, statutory) if day and day >= today]
        if s.state in (StageState.RUNNING, StageState.PAUSED):
            current.append(s.get_kind_display())
        milestones.append(Milestone(
            kind=s.kind, name=s.get_kind_display(), state=s.state, state_display=s.get_state_display(),
            started_on=s.started_on, finished_on=s.finished_on, due=due, late=late))
    next_day, provisional = min(ahead, default=(None, False))
    levels = {m.late for m in milestones}
    return LookupResult(
        reference=app.reference, product_name=app.product_name, state=app.state,
        state_display=app.get_state_display(), submitted_on=app.submitted_on, accepted_on=app.accepted_on,
        closed_on=app.closed_on, current_step=" · ".join(str(c) for c in current) or str(app.get_state_display()),
        next_date=next_day, provisional=provisional, milestones=milestones,
        late="breach" if "breach" in levels else "overdue" if "overdue" in levels else None,
        forecast=forecast(app, stages) if forecast else None,
        office=app.office.name, office_contact=app.office.public_contact())
