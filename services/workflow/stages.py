"""Stage commands: start, complete (acceptance, decisions, issuance), reassignment and the
dossier's hand-over. Pauses are in ``pauses``, extensions in ``extensions``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from review import permissions as perms
from review.deadlines import past_own_limit
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Stage
from review.models.enums import (
    DOSSIER_KINDS,
    ApplicationType,
    CaseState,
    LogAction,
    Outcome,
    PauseReason,
    StageKind,
    StageState,
)
from review.selectors import calendar_current, policy_pack_in_force
from review.validation import iso_date, single_line
from services import notices
from services.workflow.certificates import certificate_number, record_certificate
from services.workflow.clocks import (
    CLOCK_FIELDS,
    resume_stage,
    start_clock,
    stop_clock,
)
from services.workflow.core import bump, check, deadline_details, locked_stage, log, require, today_or, transition
from services.workflow.phases import after_stage_final, close_all_stages


def _received_on(value, today, app, *, field: str = "received_on", label=None) -> dt.date:
    """A date the handler records (a receipt, a hand-over): today by default, never in the
    future, never before the case was filed. Errors name ``field`` with its ``label``."""
    label = label or _("Received on")
    if value in (None, ""):
        return today
    if isinstance(value, str):
        value = iso_date(value, field=field, label=label)
    if value > today:
        raise InvalidInput(_("%(label)s: the date cannot be in the future.") % {"label": label}, {"field": field})
    if app.submitted_on and value < app.submitted_on:
        raise InvalidInput(_("%(label)s: the date cannot be before the case was filed (%(d)s).")
                           % {"label": label, "d": app.submitted_on}, {"field": field})
    return value


def stage_start(*, stage: Stage, actor, received_on=None, today=None, expected_version=None) -> Stage:
    """Record a receipt that starts a stage's clock: the samples (testing), the dossier (acceptance,
    licence acceptance: Order 47 Art. 53, 5 WD from receipt) or the national centre's notice (Class
    III QMS verification: Art. 93, 30 WD from receipt). ``received_on`` may be earlier than today:
    the clock counts from the day of receipt."""
    today, cal = today_or(today), calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if app.state == CaseState.SUSPENDED:
            raise NotAllowedNow(_("The case is suspended: resume it first."))
        if stage.phase != app.phase:
            raise NotAllowedNow(_("This stage starts when its phase opens, after the earlier phases."))
        received = _received_on(received_on, today, app)
        before = transition(stage, "start", actor, what=_("start the stage"))
        start_clock(app, stage, today, cal, clock_from=received)
        stage.save(update_fields=CLOCK_FIELDS)
        if stage.kind in DOSSIER_KINDS:
            app.dossier_received_on = received
        bump(app, "dossier_received_on")
        log(app, stage=stage, action="stage_start", actor=actor, from_state=before,
            to_state=stage.state, details={**deadline_details(stage), "received_on": received.isoformat()})
    return stage


# Which outcomes each stage kind may record, and what they mean for the case.
OUTCOMES = {
    StageKind.PRESUBMISSION: {Outcome.CLOSED},
    StageKind.TESTING: {Outcome.PASSED},
    StageKind.ACCEPTANCE: {Outcome.ACCEPTED},
    StageKind.LICENCE_ACCEPTANCE: {Outcome.ACCEPTED},
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
# The national approval of a Class III case records the certificate NMPA issued (its number is
# asked for with an approval only).
CERTIFYING = {StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE}
# The inspections whose failure rules out an approval: a failed QMS verification (or the merged
# inspection that is that verification) blocks the registration, a failed licence inspection (or the
# merged one) the licence. "Failed" includes a rectification period that ended without a re-check
# request (NMPA QMS verification procedure 2015, Art. 17).
_REGISTRATION_INSPECTIONS = (StageKind.QMS_VERIFICATION, StageKind.MERGED_INSPECTION)
_LICENCE_INSPECTIONS = (StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION)


def _licence_decision(app, decision: Stage) -> bool:
    return decision.kind == StageKind.LICENCE_DECISION or app.application_type == ApplicationType.LICENCE


def blocking_inspection_kinds(app, decision: Stage) -> tuple[str, ...]:
    """The inspections whose failure leaves ``decision`` only the refusal (none for other stages)."""
    if decision.kind not in (StageKind.DECISION, StageKind.LICENCE_DECISION):
        return ()
    return _LICENCE_INSPECTIONS if _licence_decision(app, decision) else _REGISTRATION_INSPECTIONS


def failed_inspection(app, decision: Stage, stages) -> Stage | None:
    """The case's inspection recorded as failed that rules out approving at ``decision``, if any.
    ``stages``: the case's stages, prefetched (the case page) or a queryset (the command)."""
    kinds = blocking_inspection_kinds(app, decision)
    return next((s for s in stages if s.kind in kinds and s.state == StageState.DONE
                 and s.outcome == Outcome.FAILED), None) if kinds else None


def failed_inspection_message(app, decision: Stage, failed: Stage) -> str:
    if _licence_decision(app, decision):
        text = _("Outcome: %(inspection)s failed (recorded on %(d)s): the licence can only be refused; "
                 "choose “%(refuse)s”.")
    else:
        text = _("Outcome: %(inspection)s failed (recorded on %(d)s): the application can only be refused; "
                 "choose “%(refuse)s”.")
    return text % {"inspection": failed.get_kind_display(), "d": failed.finished_on,
                   "refuse": Outcome.REFUSE.label}


def _refuse_approval_after_failure(app, stage: Stage, outcome: str) -> None:
    kinds = blocking_inspection_kinds(app, stage)
    if outcome != Outcome.APPROVE or not kinds:
        return
    failed = failed_inspection(app, stage, app.stages.filter(kind__in=kinds, outcome=Outcome.FAILED))
    if failed is not None:
        raise InvalidInput(failed_inspection_message(app, stage, failed), {"field": "outcome"})


def stage_complete(*, stage: Stage, actor, outcome: str, note: str = "", reference: str = "",
                   today=None, expected_version=None) -> Stage:
    """Finish a stage with its outcome; the case moves on when the phase's join is complete."""
    today, cal = today_or(today), calendar_current()
    note = (note or "").strip()
    reference = single_line(reference, field="reference", label=_("Number"), max_length=60)
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        allowed = OUTCOMES[stage.kind]
        if outcome not in allowed:
            names = pgettext("enumeration separator", ", ").join(str(Outcome(o).label) for o in sorted(allowed))
            raise InvalidInput(
                _("Outcome: choose an outcome (%(allowed)s).") % {"allowed": names} if not outcome else
                _("Outcome: choose one of %(allowed)s for %(stage)s.")
                % {"allowed": names, "stage": stage.get_kind_display()},
                {"field": "outcome"},
            )
        if stage.kind in NEEDS_NOTE and not note:
            raise InvalidInput(_("Opinion: write the opinion or result; it is part of the record."),
                               {"field": "note"})
        national_certificate = stage.kind == StageKind.NATIONAL_REVIEW and outcome == Outcome.APPROVE
        if (stage.kind in NEEDS_REFERENCE or national_certificate) and not reference:
            raise InvalidInput(_("Number: enter the test report, certificate or licence number."),
                               {"field": "reference"})
        _refuse_approval_after_failure(app, stage, outcome)
        if stage.kind in CERTIFYING or national_certificate:
            reference = certificate_number(app, stage, reference)
        lapsed = lapsed_rectification(stage, today)
        if lapsed is not None and outcome != Outcome.FAILED:
            raise InvalidInput(_("Outcome: the rectification period ended on %(d)s without a re-check request; "
                                 "record the verification as failed.") % {"d": lapsed.applicant_deadline},
                               {"field": "outcome"})
        if lapsed is not None:
            # The six months ended without the re-check request: the verification has failed
            # (NMPA QMS verification procedure 2015, Art. 17). The pause ends here, unanswered.
            check(stage, "resume", None, what=_("end the rectification period"))
            resume_stage(app, stage, lapsed, actor, today, cal,
                         response=_("Rectification period ended on %(d)s without a request for the re-check.")
                         % {"d": lapsed.applicant_deadline})
        before = transition(stage, "complete", actor, what=_("complete %(s)s") % {"s": stage.get_kind_display()})
        deemed = stage.kind in DOSSIER_KINDS and past_own_limit(stage, today, cal)
        stop_clock(stage, today, cal)
        stage.finished_on = today
        stage.outcome, stage.outcome_note, stage.outcome_reference = outcome, note, reference
        stage.save(update_fields=[*CLOCK_FIELDS, "finished_on", "outcome", "outcome_note",
                                  "outcome_reference"])
        log(app, stage=stage, action="stage_complete", actor=actor, from_state=before,
            to_state=stage.state, reason=note, details={"outcome": outcome, "reference": reference})
        clock_from = None
        if stage.kind in DOSSIER_KINDS:
            accepted = _accept(app, stage, actor, today, deemed=deemed)
            clock_from = accepted if deemed else None
            notices.notice_acceptance(application=app, stage=stage, actor=actor, today=today)
        if stage.kind == StageKind.ISSUANCE and app.with_production_licence:
            # Parallel licensing (Chongqing plan item 15, a local arrangement, not Order 53): the
            # licence application needs the registration certificate (Order 53 Art. 10(1)), so the
            # earliest day the law lets its 20 WD (Art. 13) count from is the certificate's issue.
            # Labelled reading (docs/regulatory-basis.md#o53-10): never a licence alert early.
            app.licence_accepted_on = today
            app.save(update_fields=["licence_accepted_on"])
        if stage.kind in CERTIFYING or national_certificate:
            if not app.certificate_number:  # the registration's number stays the case's number
                app.certificate_number = reference
                app.save(update_fields=["certificate_number"])
            record_certificate(app, stage, reference, today)
            if stage.kind in CERTIFYING:  # NMPA's own certificate gets no notice from this office
                notices.notice_approval(application=app, stage=stage, actor=actor, today=today)
        if (stage.kind, outcome) in _REFUSING:
            case_before = transition(app, "refuse", actor, what=_("refuse the application"))
            close_all_stages(app, actor, today, cal, note)
            app.closed_on = today
            bump(app, "closed_on")
            log(app, action="refuse", actor=actor, from_state=case_before, to_state=app.state, reason=note)
            notices.notice_refusal(application=app, stage=stage, actor=actor, reasons=note, today=today)
        else:
            after_stage_final(app, actor, today, cal, clock_from=clock_from)
            bump(app)
    return stage


def lapsed_rectification(stage: Stage, today):
    """The stage's open rectification pause whose six months have ended, if any."""
    if stage.state != StageState.PAUSED:
        return None
    stop = next((s for s in stage.clock_stops.all() if s.ended_on is None), None)
    lapsed = stop and stop.reason == PauseReason.RECTIFICATION and stop.applicant_deadline
    if lapsed and today > stop.applicant_deadline:
        return stop
    return None


def _accept(app, stage, actor, today, *, deemed: bool) -> dt.date:
    """Record the acceptance. Decided after the 5 WD, the case is deemed accepted as of the day
    of receipt (Licensing Law Art. 32; Order 47 Art. 53) and later clocks count from that day."""
    received = app.dossier_received_on or stage.started_on
    accepted = received if deemed else today
    fields = ["deemed_accepted"]
    if stage.kind == StageKind.ACCEPTANCE:
        # The pack in force at acceptance binds the case from here on
        # (docs/policy-packs.md#how-a-stages-numbers-are-found).
        app.accepted_on = accepted
        app.policy_pack = policy_pack_in_force(accepted, app.office.jurisdiction) or app.policy_pack
        fields += ["accepted_on", "policy_pack"]
    if stage.kind == StageKind.LICENCE_ACCEPTANCE or app.application_type == ApplicationType.LICENCE:
        app.licence_accepted_on = accepted  # Order 53 Art. 13: the licence's 20 WD count from here
        fields.append("licence_accepted_on")
    app.deemed_accepted = app.deemed_accepted or deemed
    app.save(update_fields=fields)
    if deemed:
        log(app, stage=stage, action=LogAction.DEEMED_ACCEPTED, actor=actor, from_state=stage.state,
            to_state=stage.state,
            reason=_("No decision within 5 working days of receipt: accepted as of the day of receipt, "
                     "%(d)s (Administrative Licensing Law Art. 32; Order 47 Art. 53).") % {"d": received},
            details={"received_on": received.isoformat(), "recorded_on": today.isoformat()})
    return accepted


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
        if assignee == previous:  # nothing would change; a log row saying so would mislead
            raise InvalidInput(
                _("Assignee: the stage is already with %(u)s; choose someone else.") % {"u": assignee}
                if assignee else _("Assignee: the stage is already unassigned; choose who takes it."),
                {"field": "assignee"})
        stage.assignee = assignee
        stage.save(update_fields=["assignee"])
        bump(app)
        log(app, stage=stage, action="reassign", actor=actor, from_state=stage.state,
             to_state=stage.state, reason=reason, for_applicant=False,
             details={"from": previous.username if previous else None,
                      "to": assignee.username if assignee else None})
    return stage




def stage_record_handover(*, stage: Stage, actor, handed_over_on=None, today=None,
                          expected_version=None) -> Stage:
    """The technical review received the accepted dossier (Order 47 Art. 91: within 3 WD of
    acceptance). The review's own clock already counts from acceptance; this records the hand-over
    whose deadline the case page shows and the sweep watches."""
    today = today_or(today)
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if stage.kind != StageKind.TECHNICAL_REVIEW or stage.handover_due is None:
            raise NotAllowedNow(_("Only an accepted dossier's technical review records a hand-over."))
        if stage.handed_over_on is not None:
            raise NotAllowedNow(_("The hand-over was already recorded on %(d)s.") % {"d": stage.handed_over_on})
        require(perms.can_handle_stage(stage, actor)
                or (perms.can_handle_kind(StageKind.ACCEPTANCE, actor) and perms.in_office(app, actor)),
                _("Only the acceptance office or the reviewer records the hand-over."))
        day = _received_on(handed_over_on, today, app, field="handed_over_on", label=_("Handed over on"))
        if app.accepted_on and day < app.accepted_on:
            raise InvalidInput(_("Handed over on: the date cannot be before the acceptance (%(d)s).")
                               % {"d": app.accepted_on}, {"field": "handed_over_on"})
        stage.handed_over_on = day
        stage.save(update_fields=["handed_over_on"])
        bump(app)
        log(app, stage=stage, action=LogAction.HANDOVER, actor=actor, from_state=stage.state,
            to_state=stage.state, for_applicant=False,
            details={"handed_over_on": day.isoformat(), "due": stage.handover_due.isoformat(),
                     "late": day > stage.handover_due})
    return stage
