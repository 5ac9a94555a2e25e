"""Re-projecting stored deadlines after the calendar changes."""

from __future__ import annotations

from review.models import ClockStop, Stage
from review.models.enums import PauseReason, StageState
from review.selectors import calendar_current
from services.workflow.clocks import project
from services.workflow.core import bump, deadline_details, locked_case, log


def deadlines_reproject(*, actor, cause: str, stages=None, cal=None) -> int:
    """Recompute the stored deadlines of running stages; log each one that moved.

    Called after a new official schedule is loaded (deadlines of its year move). The command shape:
    the candidates are found without locks (most stages do not move), then each moving stage is
    re-read and re-projected under its case's lock, logged, and the case's version bumped, so a
    form opened on the old deadlines is refused as stale.
    """
    cal = cal or calendar_current()
    qs = stages if stages is not None else Stage.objects.filter(state=StageState.RUNNING)
    candidates = []
    for stage in qs.select_related("application"):
        before = (stage.target_due, stage.statutory_due, stage.deadline_provisional)
        project(stage, cal)
        if (stage.target_due, stage.statutory_due, stage.deadline_provisional) != before:
            candidates.append(stage)
    moved = 0
    for candidate in candidates:
        with locked_case(candidate.application, check=False) as app:
            stage = app.stages.filter(pk=candidate.pk, state=StageState.RUNNING).first()
            if stage is None:  # finished or paused meanwhile: its deadlines are no longer running
                continue
            before = (stage.target_due, stage.statutory_due, stage.deadline_provisional)
            project(stage, cal)
            if (stage.target_due, stage.statutory_due, stage.deadline_provisional) == before:
                continue
            stage.save(update_fields=["target_due", "statutory_due", "deadline_provisional"])
            bump(app)
            log(app, stage=stage, action="reproject", actor=actor, from_state=stage.state,
                to_state=stage.state, reason=cause,
                details={"before": {"target_due": iso(before[0]), "statutory_due": iso(before[1])},
                         "after": deadline_details(stage)})
            moved += 1
    return moved


def iso(d):
    return d.isoformat() if d else None



def applicant_deadlines_reproject(app, *, actor, cal, cause: str) -> int:
    """Move the open applicant deadlines of a locked case onto the current counting rules (a
    supplement's year, a rectification's months: Civil Code Art. 201-203, a last day on a rest day
    ending on the next working day); log each move. Only later: a period once granted to the
    applicant is never shortened by a re-projection. Returns the number of deadlines moved."""
    from services.workflow.pauses import applicant_deadline

    moved = 0
    stops = ClockStop.objects.filter(stage__application=app, ended_on__isnull=True,
                                     reason__in=[PauseReason.SUPPLEMENT, PauseReason.RECTIFICATION],
                                     applicant_deadline__isnull=False).select_related("stage")
    for stop in stops:
        after = applicant_deadline(app, stop.stage, stop.reason, stop.started_on, cal)
        if after is None or after <= stop.applicant_deadline:
            continue
        before, stop.applicant_deadline = stop.applicant_deadline, after
        stop.save(update_fields=["applicant_deadline"])
        log(app, stage=stop.stage, action="reproject", actor=actor, from_state=stop.stage.state,
            to_state=stop.stage.state, reason=cause,
            details={"applicant_deadline": {"before": iso(before), "after": iso(after)}, "clock_stop": stop.pk})
        moved += 1
    return moved


def licence_anchor_reproject(app, *, actor, cal, cause: str) -> int:
    """A parallel licence (Chongqing plan item 15) counted its 20 WD from the registration's approval;
    they count from the certificate's issue (Order 53 Art. 10(1), docs/regulatory-basis.md#o53-10).
    Moves the locked case's licence acceptance date to the issue and takes the working days between
    the two off the licence stages' clocks; logs each stage that moved. Returns the number moved."""
    from review.models.enums import StageKind
    from services.workflow.clocks import CLOCK_FIELDS, counted_since

    if not app.with_production_licence or app.licence_accepted_on is None:
        return 0
    issued = (app.stages.filter(kind=StageKind.ISSUANCE, state=StageState.DONE)
              .values_list("finished_on", flat=True).first())
    if issued is None or issued <= app.licence_accepted_on:
        return 0
    early = counted_since(app, app.licence_accepted_on, issued, cal)
    before_anchor, app.licence_accepted_on = app.licence_accepted_on, issued
    app.save(update_fields=["licence_accepted_on"])
    moved = 0
    for stage in app.stages.filter(kind=StageKind.LICENCE_DECISION,
                                   state__in=[StageState.RUNNING, StageState.PAUSED]):
        before = deadline_details(stage) | {"consumed_days": stage.consumed_days}
        stage.consumed_days = max(0, stage.consumed_days - early)
        if stage.state == StageState.RUNNING:
            project(stage, cal)
        stage.save(update_fields=CLOCK_FIELDS)
        log(app, stage=stage, action="reproject", actor=actor, from_state=stage.state, to_state=stage.state,
            reason=cause, details={"before": before, "after": deadline_details(stage) | {
                "consumed_days": stage.consumed_days},
                "licence_accepted_on": {"before": iso(before_anchor), "after": iso(issued)}})
        moved += 1
    return moved


def handover_reproject(app, *, actor, cal, cause: str) -> int:
    """The technical review's statutory limit counts from the hand-over, at the latest 3 WD after
    acceptance (Order 47 Arts. 91, 92; docs/regulatory-basis.md#o47-91); stages started while it
    counted from the acceptance get the hand-over's days (``sla.handover_days``), so their statutory
    date moves later, never earlier. Running and paused technical reviews of the locked case still on
    their first budget only: after a supplement the fresh 60 WD count from the answer. Logs each
    stage that moved; returns the number moved."""
    from clock import sla
    from review.models.enums import FRESH_BUDGET_REASONS
    from services.workflow.clocks import CLOCK_FIELDS, limits_for

    moved = 0
    for stage in app.stages.filter(kind__in=sla.HANDOVER_KINDS, handover_days=0, handover_due__isnull=False,
                                   state__in=[StageState.RUNNING, StageState.PAUSED]):
        limits = limits_for(app, stage.kind)
        if not limits.handover_days or stage.clock_stops.filter(reason__in=FRESH_BUDGET_REASONS).exists():
            continue
        days = sla.handover_days(cal, started_on=stage.started_on, handover_due=stage.handover_due,
                                 handed_over_on=stage.handed_over_on)
        if not days:
            continue
        before = deadline_details(stage) | {"handover_days": 0}
        stage.handover_days = days
        stage.rule_source = limits.source[:400]
        if stage.state == StageState.RUNNING:
            project(stage, cal)
        stage.save(update_fields=CLOCK_FIELDS)
        bump(app)
        log(app, stage=stage, action="reproject", actor=actor, from_state=stage.state, to_state=stage.state,
            reason=cause, details={"before": before, "after": deadline_details(stage) | {"handover_days": days}})
        moved += 1
    return moved
