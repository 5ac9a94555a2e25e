"""The public progress look-up (办件查询, issue 9): milestones of one case, by acceptance number and
the applicant's unified social credit code, for anyone who holds both.

What it discloses is chosen field by field (``LookupResult``): the product, the state, each
stage's name, state and dates, the current step and the next date. Never the assignee, a
department's members, opinions, reasons, items or log rows. A wrong pair and a missing case give
the same ``None``, so the look-up cannot be used to find out which references exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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


def normalise(value: str, limit: int) -> str:
    return (value or "").strip().upper()[:limit]


def application_lookup(*, reference: str, credit_code: str) -> LookupResult | None:
    """The case whose reference and applicant's credit code both match, else ``None``; drafts
    (intents not yet filed) are not public. Two queries."""
    reference, credit_code = normalise(reference, 30), normalise(credit_code, 18)
    if not reference or len(credit_code) != 18:
        return None
    app = (Application.objects.exclude(state=CaseState.DRAFT)
           .filter(reference=reference, enterprise__credit_code=credit_code).first())
    if app is None:
        return None
    stages = list(app.stages.exclude(state=StageState.SKIPPED).order_by("phase", "id"))
    milestones, current, next_dates = [], [], []
    for s in stages:
        due = None
        if s.state == StageState.RUNNING:
            due = s.target_due or (None if s.statutory_reference else s.statutory_due)
            if due:
                next_dates.append((due, s.deadline_provisional))
        if s.state in (StageState.RUNNING, StageState.PAUSED):
            current.append(s.get_kind_display())
        milestones.append(Milestone(
            kind=s.kind, name=s.get_kind_display(), state=s.state, state_display=s.get_state_display(),
            started_on=s.started_on, finished_on=s.finished_on, due=due))
    return LookupResult(
        reference=app.reference, product_name=app.product_name, state=app.state,
        state_display=app.get_state_display(), submitted_on=app.submitted_on, accepted_on=app.accepted_on,
        closed_on=app.closed_on, current_step=" · ".join(str(c) for c in current) or str(app.get_state_display()),
        next_date=min(next_dates, default=(None, False))[0], provisional=min(next_dates, default=(None, False))[1],
        milestones=milestones)
