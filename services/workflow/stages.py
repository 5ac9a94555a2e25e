"""Stage commands: start, complete, pauses (supplement, missing items, rectification, staff pauses),
resume, extension and reassignment."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from review import permissions as perms
from review.models import ClockStop, Extension, Stage
from review.models.enums import APPLICANT_SIDE_REASONS, CaseState, Outcome, PauseReason, StageKind, StageState
from review.selectors import calendar_current, policy_pack_in_force
from services import sla
from services.exceptions import InvalidInput, NotAllowedNow
from services.validation import single_line
from services.workflow.certificates import record_certificate, supplement_answer_deadline
from services.workflow.clocks import (
    CLOCK_FIELDS,
    pause_stage,
    project,
    resume_stage,
    start_clock,
    stop_clock,
)
from services.workflow.core import bump, check, deadline_details, locked_stage, log, require, today_or, transition
from services.workflow.phases import after_stage_final, close_all_stages


def stage_start(*, stage: Stage, actor, today=None, expected_version=None) -> Stage:
    """Start a stage whose clock starts by hand (testing: samples received)."""
    today, cal = today_or(today), calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if app.state == CaseState.SUSPENDED:
            raise NotAllowedNow(_("The case is suspended: resume it first."))
        if stage.phase != app.phase:
            raise NotAllowedNow(_("This stage starts when its phase opens, after the earlier phases."))
        before = transition(stage, "start", actor, what=_("start the stage"))
        start_clock(app, stage, today, cal)
        stage.save(update_fields=CLOCK_FIELDS)
        bump(app)
        log(app, stage=stage, action="stage_start", actor=actor, from_state=before,
             to_state=stage.state, details=deadline_details(stage))
    return stage


# Which outcomes each stage kind may record, and what they mean for the case.
OUTCOMES = {
    StageKind.PRESUBMISSION: {Outcome.CLOSED},
    StageKind.TESTING: {Outcome.PASSED},
    StageKind.ACCEPTANCE: {Outcome.ACCEPTED},
    StageKind.TECHNICAL_REVIEW: {Outcome.APPROVE, Outcome.REFUSE},
    StageKind.NATIONAL_REVIEW: {Outcome.APPROVE, Outcome.REFUSE},
    StageKind.QMS_VERIFICATION: {Outcome.PASSED, Outcome.FAILED},
    StageKind.LICENCE_INSPECTION: {Outcome.PASSED, Outcome.FAILED},
    StageKind.MERGED_INSPECTION: {Outcome.PASSED, Outcome.FAILED},
    StageKind.DECISION: {Outcome.APPROVE, Outcome.REFUSE},
    StageKind.LICENCE_DECISION: {Outcome.APPROVE, Outcome.REFUSE},
    StageKind.ISSUANCE: {Outcome.ISSUED},
    StageKind.LICENCE_ISSUANCE: {Outcome.ISSUED},
}
# Outcomes that end the case as refused (不予注册/不予许可).
_REFUSING = {
    (StageKind.NATIONAL_REVIEW, Outcome.REFUSE),
    (StageKind.DECISION, Outcome.REFUSE),
    (StageKind.LICENCE_DECISION, Outcome.REFUSE),
}
NEEDS_NOTE = {StageKind.TECHNICAL_REVIEW, StageKind.DECISION, StageKind.LICENCE_DECISION,
               StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION}
NEEDS_REFERENCE = {StageKind.TESTING, StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE}


def stage_complete(*, stage: Stage, actor, outcome: str, note: str = "", reference: str = "",
                   today=None, expected_version=None) -> Stage:
    """Finish a stage with its outcome; the case moves on when the phase's join is complete."""
    today, cal = today_or(today), calendar_current()
    note = (note or "").strip()
    reference = single_line(reference, field="reference", label=_("Number"), max_length=60)
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        allowed = OUTCOMES[stage.kind]
        if outcome not in allowed:
            raise InvalidInput(
                _("Outcome: choose one of %(allowed)s for %(stage)s.")
                % {"allowed": ", ".join(str(Outcome(o).label) for o in sorted(allowed)),
                   "stage": stage.get_kind_display()},
                {"field": "outcome"},
            )
        if stage.kind in NEEDS_NOTE and not note:
            raise InvalidInput(_("Opinion: write the opinion or result; it is part of the record."),
                               {"field": "note"})
        if stage.kind in NEEDS_REFERENCE and not reference:
            raise InvalidInput(_("Number: enter the test report, certificate or licence number."),
                               {"field": "reference"})
        if outcome == Outcome.FAILED:
            raise InvalidInput(
                _("Outcome: a failed inspection is not an end; request rectification instead, "
                  "or propose refusal in the review opinion."), {"field": "outcome"})
        before = transition(stage, "complete", actor, what=_("complete %(s)s") % {"s": stage.get_kind_display()})
        stop_clock(stage, today, cal)
        stage.finished_on = today
        stage.outcome, stage.outcome_note, stage.outcome_reference = outcome, note, reference
        stage.save(update_fields=[*CLOCK_FIELDS, "finished_on", "outcome", "outcome_note",
                                  "outcome_reference"])
        log(app, stage=stage, action="stage_complete", actor=actor, from_state=before,
             to_state=stage.state, reason=note, details={"outcome": outcome, "reference": reference})
        if stage.kind == StageKind.ACCEPTANCE:
            # The pack in force at acceptance binds the case from here on (DESIGN.md section 3).
            app.accepted_on = today
            app.policy_pack = policy_pack_in_force(today, settings.REVIEW_JURISDICTION) or app.policy_pack
            app.save(update_fields=["accepted_on", "policy_pack"])
        if stage.kind in (StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE):
            app.certificate_number = reference
            app.save(update_fields=["certificate_number"])
            record_certificate(app, stage, reference, today)
        if (stage.kind, outcome) in _REFUSING:
            case_before = transition(app, "refuse", actor, what=_("refuse the application"))
            close_all_stages(app, actor, today, cal, note)
            app.closed_on = today
            bump(app, "closed_on")
            log(app, action="refuse", actor=actor, from_state=case_before, to_state=app.state, reason=note)
        else:
            after_stage_final(app, actor, today, cal)
            bump(app)
    return stage


def _items(items) -> list[str]:
    if isinstance(items, str):
        items = items.splitlines()
    cleaned = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not cleaned:
        raise InvalidInput(_("Items: list everything the applicant must provide, one item per line."),
                           {"field": "items"})
    return cleaned


def stage_request_supplement(*, stage: Stage, actor, items, note: str = "", today=None,
                             expected_version=None) -> ClockStop:
    """发补: one notice listing everything; the clock stops and the applicant has one year."""
    return _applicant_pause(
        stage, actor, items, note, today, expected_version, reason=PauseReason.SUPPLEMENT,
        kinds={StageKind.TECHNICAL_REVIEW},
        once=_("Order 47 Art. 54 allows one supplement notice per review, listing everything; "
               "this review already had one."),
    )


def stage_notify_missing_items(*, stage: Stage, actor, items, note: str = "", today=None,
                               expected_version=None) -> ClockStop:
    """一次性告知 (Order 47 Art. 53): the acceptance clock stops until the materials are complete."""
    return _applicant_pause(
        stage, actor, items, note, today, expected_version, reason=PauseReason.MISSING_ITEMS,
        kinds={StageKind.ACCEPTANCE},
        once=_("The notice of missing items is given once, listing everything (Order 47 Art. 53)."),
    )


def stage_request_rectification(*, stage: Stage, actor, items, note: str = "", today=None,
                                expected_version=None) -> ClockStop:
    """Inspection found defects: the applicant rectifies; that time is not counted (Art. 98)."""
    return _applicant_pause(
        stage, actor, items, note, today, expected_version, reason=PauseReason.RECTIFICATION,
        kinds={StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION},
        once=None,
    )


def _applicant_pause(stage, actor, items, note, today, expected_version, *, reason, kinds, once):
    today, cal = today_or(today), calendar_current()
    items = _items(items)
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if stage.kind not in kinds:
            raise NotAllowedNow(_("%(r)s is not possible for %(s)s.")
                                % {"r": PauseReason(reason).label, "s": stage.get_kind_display()})
        if once and stage.clock_stops.filter(reason=reason).exists():
            raise NotAllowedNow(once)
        check(stage, "pause", actor, what=PauseReason(reason).label)
        require(perms.can_handle_stage(stage, actor),
                 _("Only the handler of %(s)s may do this.") % {"s": stage.get_kind_display()})
        deadline = supplement_answer_deadline(today)
        stop = pause_stage(app, stage, reason, actor, today, cal, note=note, items=items,
                      applicant_deadline=deadline)
        bump(app)
    return stop


_STAFF_PAUSES = {PauseReason.EXPERT, PauseReason.HEARING, PauseReason.OBJECTION}


def stage_pause(*, stage: Stage, actor, reason: str, note: str, today=None,
                expected_version=None) -> ClockStop:
    """Expert consultation, hearing or objection: the clock stops, then continues where it was."""
    if reason not in _STAFF_PAUSES:
        raise InvalidInput(
            _("Reason: choose expert consultation, hearing or objection; supplements, missing items "
              "and rectification have their own buttons."), {"field": "reason"})
    if not (note or "").strip():
        raise InvalidInput(_("Note: say why the clock stops."), {"field": "note"})
    today, cal = today_or(today), calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if app.state == CaseState.SUSPENDED:
            raise NotAllowedNow(_("The case is suspended: its clocks are already stopped."))
        check(stage, "pause", actor, what=_("pause the clock"))
        stop = pause_stage(app, stage, reason, actor, today, cal, note=note)
        bump(app)
    return stop


def stage_resume(*, stage: Stage, actor, response: str = "", today=None,
                 expected_version=None) -> Stage:
    """End the stage's open clock stop: an applicant's answer or the end of a consultation."""
    today, cal = today_or(today), calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        stop = stage.clock_stops.filter(ended_on__isnull=True).first()
        if stop is None or stage.state != StageState.PAUSED:
            raise NotAllowedNow(_("%(s)s is not paused.") % {"s": stage.get_kind_display()})
        if stop.reason == PauseReason.SUSPENSION or app.state == CaseState.SUSPENDED:
            # Fix: a stage paused before the suspension (expert, supplement) could be resumed
            # during it, so its clock ran while the case was suspended (Order 47 Art. 56) and
            # application_resume, which restarts only suspension stops, never accounted for it.
            raise NotAllowedNow(_("The case is suspended: a supervisor resumes the whole case."))
        applicant = stop.reason in APPLICANT_SIDE_REASONS
        if applicant and not (response or "").strip():
            raise InvalidInput(_("Answer: describe what was supplied, item by item."),
                               {"field": "response"})
        allowed = perms.can_pause_stage(stage, actor) or (applicant and perms.is_owner(app, actor))
        require(allowed and has_transition_perm(stage.resume, actor),
                 _("You are not permitted to resume %(s)s.") % {"s": stage.get_kind_display()})
        if applicant and stop.applicant_deadline and today > stop.applicant_deadline:
            raise NotAllowedNow(
                _("The one-year deadline for this answer passed on %(d)s (Order 47 Art. 54): the case "
                  "can only be terminated now.") % {"d": stop.applicant_deadline})
        resume_stage(app, stage, stop, actor, today, cal, response=(response or "").strip())
        bump(app)
    return stage


def stage_extend(*, stage: Stage, actor, days: int, reason: str, today=None,
                 expected_version=None) -> Extension:
    """Extension approved by a supervisor (Order 47 Art. 96): at most half the original limit."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput(_("Days: enter a whole number of working days."), {"field": "days"}) from None
    if days <= 0:
        raise InvalidInput(_("Days: enter a positive number of working days."), {"field": "days"})
    if not (reason or "").strip():
        raise InvalidInput(_("Reason: the law asks for the reason of an extension."), {"field": "reason"})
    cal = calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        require(perms.can_supervise(app, actor), _("Only a supervisor may approve an extension."))
        if stage.state not in (StageState.RUNNING, StageState.PAUSED):
            raise NotAllowedNow(_("Only a running or paused stage can be extended."))
        cap = sla.max_extension(stage.original_statutory_days or stage.target_days)
        if stage.extension_days + days > cap:
            raise InvalidInput(
                _("Days: at most %(cap)d working days in all (half of the %(limit)d-day limit, Order 47 "
                  "Art. 96); %(used)d are already granted.")
                % {"cap": cap, "limit": stage.original_statutory_days or stage.target_days or 0,
                   "used": stage.extension_days}, {"field": "days"})
        old = deadline_details(stage)
        stage.extension_days += days
        if stage.state == StageState.RUNNING:
            project(stage, cal)
        stage.save(update_fields=CLOCK_FIELDS)
        ext = Extension.objects.create(stage=stage, days=days, reason=reason.strip(), approved_by=actor)
        bump(app)
        log(app, stage=stage, action="extend", actor=actor, from_state=stage.state,
             to_state=stage.state, reason=reason,
             details={"days": days, "before": old, "after": deadline_details(stage)})
    return ext


def stage_reassign(*, stage: Stage, actor, assignee, reason: str = "", today=None,
                   expected_version=None) -> Stage:
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        require(perms.can_supervise(app, actor), _("Only a supervisor may reassign a stage."))
        if stage.is_final:
            raise NotAllowedNow(_("A finished stage cannot be reassigned."))
        if assignee is not None and not perms.can_handle_stage(stage, assignee):
            raise InvalidInput(_("Assignee: %(u)s does not handle %(s)s; choose a member of that role.")
                               % {"u": assignee, "s": stage.get_kind_display()}, {"field": "assignee"})
        previous = stage.assignee
        stage.assignee = assignee
        stage.save(update_fields=["assignee"])
        bump(app)
        log(app, stage=stage, action="reassign", actor=actor, from_state=stage.state,
             to_state=stage.state, reason=reason, for_applicant=False,
             details={"from": previous.username if previous else None,
                      "to": assignee.username if assignee else None})
    return stage


