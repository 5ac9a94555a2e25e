"""Routes at run time: opening a phase, the join after a parallel phase, closing every stage."""

from __future__ import annotations

from django.utils.translation import gettext as _

from review.models import Application, Stage
from review.models.enums import (
    DOSSIER_KINDS,
    FINAL_STAGE_STATES,
    KIND_CASE_STATE,
    MANUAL_START_KINDS,
    CaseState,
    StageState,
)
from services.workflow.clocks import CLOCK_FIELDS, start_clock, stop_clock
from services.workflow.core import bump, deadline_details, log, transition


def waits_for_receipt(stage: Stage, *, at_submission: bool) -> bool:
    return (stage.manual_start or stage.kind in MANUAL_START_KINDS
            or (stage.kind in DOSSIER_KINDS and not at_submission))


def open_phase(application: Application, stages: list[Stage], actor, today, cal, *,
               at_submission: bool = False, clock_from=None) -> str | None:
    """Start the next phase's stages; return the case state it means, or None when none is left.

    Phases whose every stage was skipped are passed over: they hold no pending stage. Stages that
    wait for a receipt stay pending until their handler records it (``stage_start``).
    ``clock_from``: the day the opened clocks count from when it is not today (after a deemed
    acceptance, the day of receipt: Licensing Law Art. 32).
    """
    waiting = [s for s in stages if s.state == StageState.PENDING and s.phase > application.phase]
    if not waiting:
        return None
    application.phase = min(s.phase for s in waiting)
    opened = [s for s in waiting if s.phase == application.phase]
    for stage in opened:
        if waits_for_receipt(stage, at_submission=at_submission):
            continue
        if stage.kind in DOSSIER_KINDS:
            application.dossier_received_on = today  # filed with the submission
        before = transition(stage, "start", None, what=_("start"))
        start_clock(application, stage, today, cal, clock_from=clock_from)
        stage.save(update_fields=CLOCK_FIELDS)
        log(application, stage=stage, action="stage_start", actor=actor, from_state=before,
            to_state=stage.state, details=deadline_details(stage))
    return KIND_CASE_STATE[opened[0].kind]


def after_stage_final(application: Application, actor, today, cal, *, clock_from=None) -> None:
    """The join: when every branch of the current phase is final, open the next phase."""
    stages = list(application.stages.all())
    if any(s.phase == application.phase and s.state not in FINAL_STAGE_STATES for s in stages):
        return
    current = application.state
    next_state = open_phase(application, stages, actor, today, cal, clock_from=clock_from)
    if next_state is None:
        next_state = CaseState.APPROVED
        application.closed_on = today
    transition(application, "advance", None, next_state, what=_("advance"))
    bump(application, "closed_on", "phase", "dossier_received_on")
    log(application, action="advance", actor=actor, from_state=current, to_state=application.state)


def close_all_stages(application: Application, actor, today, cal, reason: str) -> None:
    for stage in application.stages.all():
        if stage.state in FINAL_STAGE_STATES:
            continue
        before = stage.state
        stop = stage.clock_stops.filter(ended_on__isnull=True).first()
        if stop:
            stop.ended_on, stop.ended_by = today, actor
            stop.save(update_fields=["ended_on", "ended_by"])
        if stage.state == StageState.RUNNING:
            stop_clock(stage, today, cal)
        stage.cancel()
        stage.finished_on = today
        stage.save(update_fields=[*CLOCK_FIELDS, "finished_on"])
        log(application, stage=stage, action="stage_cancel", actor=actor, from_state=before,
             to_state=stage.state, reason=reason)


