"""Stage clocks: which limits a stage gets, where its deadlines fall, and how pauses move them.

The arithmetic is pure (clock.sla, clock.calendar); this module reads the stage's policy
rules and writes the stage's clock fields, inside the command's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils.translation import gettext as _

from clock import sla
from review import citations
from review.models import Application, ClockStop, Stage
from review.models.enums import (
    FRESH_BUDGET_REASONS,
    Anchor,
    PauseReason,
)
from review.selectors import application_attrs, policy_levels
from services.workflow.core import deadline_details, log, transition

CLOCK_FIELDS = [
    "state", "started_on", "clock_started_on", "consumed_days", "statutory_days", "target_days",
    "original_statutory_days", "extension_days", "warning_days", "statutory_reference",
    "rule_source", "target_due", "statutory_due", "deadline_provisional", "handover_due", "handover_days",
]


def limits_for(application: Application, kind: str) -> sla.Limits:
    """The stage's limits from the case's pack; an IVD case's basis cites Order 48 (review.citations)."""
    if application.policy_pack is None:
        return sla.Limits()
    limits = sla.resolve_limits(
        policy_levels(application.policy_pack), kind=kind, attrs=application_attrs(application)
    )
    return dataclasses.replace(limits, source=citations.for_category(limits.source, application.category))


def project(stage: Stage, cal) -> None:
    """Store both deadlines of a running stage from its clock fields.

    A renewal is decided before the renewed certificate expires, or it is deemed granted (Order 47
    Art. 82; Licensing Law Art. 50): that date caps the statutory deadline of every local stage up
    to and including the decision (``sla.capped_by_expiry``), never the issuance that follows the
    decision within its own 10 WD (Art. 95). A renewal filed late has no ``decide_by`` (Art. 83).

    The technical review's statutory limit counts from the hand-over (Order 47 Arts. 91, 92;
    ``sla.handover_days``): the stage's ``handover_days`` are not counted in it; a plan's own target
    counts from the stage's start (``sla.target_handover_days``).
    """
    kwargs = {"clock_start": stage.clock_started_on, "consumed": stage.consumed_days}
    target_handover = sla.target_handover_days(target_days=stage.target_days, statutory_days=stage.statutory_days,
                                               handover_days=stage.handover_days)
    stage.target_due = sla.due_date(cal, budget=stage.target_days, extension=stage.extension_days + target_handover,
                                    **kwargs)
    stage.statutory_due = sla.due_date(cal, budget=stage.statutory_days,
                                       extension=stage.extension_days + stage.handover_days, **kwargs)
    decide_by = stage.application.decide_by
    if decide_by and not stage.statutory_reference and sla.capped_by_expiry(stage.kind):
        stage.statutory_due = sla.expiry_cap(stage.statutory_due, decide_by)
        if stage.target_due is not None and stage.target_due > stage.statutory_due:
            stage.target_due = stage.statutory_due  # a target is never after the legal deadline
    stage.deadline_provisional = any(
        d is not None and cal.is_provisional(d) for d in (stage.target_due, stage.statutory_due)
    )


# Where an anchored rule counts from (Order 53 Art. 13: the licence decision counts 20 WD from the
# licence's acceptance, rectification excluded).
ANCHOR_DATES = {
    Anchor.ACCEPTANCE: lambda app: app.accepted_on,
    Anchor.LICENCE_ACCEPTANCE: lambda app: app.licence_accepted_on,
}


def start_clock(application: Application, stage: Stage, today: dt.date, cal, *,
                clock_from: dt.date | None = None) -> None:
    """Give a starting stage its limits and deadlines.

    ``clock_from``: the day the clock counts from when it is not today: a receipt recorded after
    the fact (samples, dossier, the national centre's notice), or the day of receipt for the stages
    that follow a deemed acceptance (Licensing Law Art. 32). The start day itself is not counted.
    """
    limits = limits_for(application, stage.kind)
    start = clock_from or today
    stage.started_on = start
    stage.statutory_days = limits.statutory_days
    stage.original_statutory_days = limits.statutory_days
    stage.target_days = limits.target_days
    stage.warning_days = limits.warning_days
    stage.statutory_reference = limits.statutory_reference
    stage.rule_source = limits.source[:400]
    stage.extension_days = 0
    stage.consumed_days = 0
    stage.clock_started_on = start
    stage.handover_days = 0
    if stage.kind in sla.HANDOVER_KINDS and application.accepted_on:
        # Order 47 Art. 91: the accepted dossier reaches technical review within 3 WD of acceptance.
        stage.handover_due = cal.add_working_days(application.accepted_on, sla.HANDOVER_DAYS)
        if limits.handover_days:
            stage.handover_days = sla.handover_days(cal, started_on=start, handover_due=stage.handover_due,
                                                    handed_over_on=stage.handed_over_on)
    anchor_date = ANCHOR_DATES.get(limits.anchor, lambda app: None)(application)
    if anchor_date:
        # Carry over only the days counted since the anchor: rectification during the
        # inspection is not counted (Order 53 Art. 13; Order 47 Art. 98).
        stage.clock_started_on = today
        stage.consumed_days = counted_since(application, anchor_date, today, cal)
    project(stage, cal)


def counted_since(application: Application, since: dt.date, today: dt.date, cal) -> int:
    """Working days in (since, today] on which no clock of the case stood still.

    A clock stop covers (started_on, ended_on], the days its stage's clock did not count.
    """
    stopped: set[dt.date] = set()
    for stop in ClockStop.objects.filter(stage__application=application, started_on__lt=today):
        day, end = max(stop.started_on, since), min(stop.ended_on or today, today)
        while day < end:
            day += dt.timedelta(days=1)
            stopped.add(day)
    return cal.working_days_between(since, today) - sum(map(cal.is_working_day, stopped))


def stop_clock(stage: Stage, today: dt.date, cal) -> None:
    stage.consumed_days = sla.elapsed_days(
        cal, clock_start=stage.clock_started_on, consumed=stage.consumed_days, running=True, today=today
    )
    stage.clock_started_on = None
    stage.target_due = stage.statutory_due = None
    stage.deadline_provisional = False


def fresh_budget(limits: sla.Limits, reason: str, original: int | None) -> int | None:
    """The budget a stage restarts with after an applicant's pause (docs/regulatory-basis.md)."""
    if reason == PauseReason.SUPPLEMENT:
        return limits.after_supplement_days or original  # Order 47 Art. 92: 60 WD after supplement
    if reason == PauseReason.RECTIFICATION:
        return limits.after_rectification_days  # re-check within 30 WD (NMPA procedure 2015, Art. 17)
    return original  # missing items: the 5 WD count again from the completed dossier (Art. 53)


def restart_clock(application: Application, stage: Stage, reason: str, today: dt.date, cal) -> None:
    limits = limits_for(application, stage.kind)
    if reason in FRESH_BUDGET_REASONS and not (reason == PauseReason.RECTIFICATION
                                               and limits.after_rectification_days is None):
        fresh = fresh_budget(limits, reason, stage.original_statutory_days)
        stage.statutory_days = fresh if stage.statutory_days is not None else None
        stage.original_statutory_days = stage.statutory_days
        stage.target_days = min(x for x in (stage.target_days, fresh) if x is not None) if (
            stage.target_days is not None or fresh is not None) else None
        stage.consumed_days = 0
        stage.extension_days = 0
        stage.handover_days = 0  # the fresh budget counts from the answer, the hand-over long past
    stage.clock_started_on = today
    project(stage, cal)


def pause_stage(app, stage, reason, actor, today, cal, *, note="", items=None, applicant_deadline=None):
    before = transition(stage, "pause", None, what=_("pause"))
    stop_clock(stage, today, cal)
    stage.save(update_fields=CLOCK_FIELDS)
    stop = ClockStop.objects.create(
        stage=stage, reason=reason, note=note, items=items or [], started_on=today,
        applicant_deadline=applicant_deadline, started_by=actor,
    )
    log(app, stage=stage, action=f"pause_{reason}", actor=actor, from_state=before,
         to_state=stage.state, reason=note,
         details={"items": items or [], "applicant_deadline":
                  applicant_deadline.isoformat() if applicant_deadline else None,
                  "consumed_days": stage.consumed_days})
    return stop


def resume_stage(app, stage, stop, actor, today, cal, *, response: str, counter: bool = False,
                 answered: bool = False):
    """``answered``: the applicant's answer closes the pause (not a lapse, not a staff resume)."""
    before = transition(stage, "resume", None, what=_("resume"))
    stop.ended_on, stop.ended_by, stop.response, stop.answered = today, actor, response, answered
    stop.save(update_fields=["ended_on", "ended_by", "response", "answered"])
    restart_clock(app, stage, stop.reason, today, cal)
    stage.save(update_fields=CLOCK_FIELDS)
    # ``counter``: staff recorded an answer the applicant handed in at the counter.
    log(app, stage=stage, action=f"resume_{stop.reason}", actor=actor, from_state=before,
        to_state=stage.state, reason=response,
        details={**deadline_details(stage), **({"counter": True} if counter else {})})


