"""Stage commands: start, complete, pauses (supplement, missing items, rectification, staff pauses),
resume, extension and reassignment."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_fsm import has_transition_perm

from clock import sla
from clock.periods import applicant_months_deadline, supplement_answer_deadline
from notices.content import lapsed_supplement_reason
from review import permissions as perms
from review.citations import ORDER_48_ARTICLES
from review.deadlines import past_own_limit
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import ClockStop, Extension, Stage
from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    DOSSIER_KINDS,
    ApplicationType,
    CaseState,
    Category,
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
    limits_for,
    pause_stage,
    project,
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
        app.policy_pack = policy_pack_in_force(accepted, settings.REVIEW_JURISDICTION) or app.policy_pack
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


# The items' field as each form labels it: an error names the field the user sees.
ITEMS_LABELS = {
    PauseReason.SUPPLEMENT: gettext_lazy("Everything to supplement, one item per line"),
    PauseReason.MISSING_ITEMS: gettext_lazy("Missing items, one per line"),
    PauseReason.RECTIFICATION: gettext_lazy("Defects to rectify, one per line"),
}


def items_error(reason) -> InvalidInput:
    return InvalidInput(_("%(label)s: enter at least one item.")
                        % {"label": ITEMS_LABELS[reason]}, {"field": "items"})


def _items(items, reason) -> list[str]:
    if isinstance(items, str):
        items = items.splitlines()
    cleaned = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not cleaned:
        raise items_error(reason)
    return cleaned


def stage_request_supplement(*, stage: Stage, actor, items, note: str = "", today=None,
                             expected_version=None) -> ClockStop:
    """发补: one notice listing everything; the clock stops and the applicant has one year."""
    return _applicant_pause(
        stage, actor, items, note, today, expected_version, reason=PauseReason.SUPPLEMENT,
        kinds={StageKind.TECHNICAL_REVIEW},
        once=_("%(article)s allows one supplement notice per review, listing everything; "
               "this review already had one."), once_article=54,
    )


def stage_notify_missing_items(*, stage: Stage, actor, items, note: str = "", today=None,
                               expected_version=None) -> ClockStop:
    """一次性告知 (Order 47 Art. 53): the acceptance clock stops until the materials are complete."""
    return _applicant_pause(
        stage, actor, items, note, today, expected_version, reason=PauseReason.MISSING_ITEMS,
        kinds=DOSSIER_KINDS,
        once=_("The notice of missing items is given once, listing everything (%(article)s)."), once_article=53,
    )


def stage_request_rectification(*, stage: Stage, actor, items, note: str = "", today=None,
                                expected_version=None) -> ClockStop:
    """Inspection found defects: the applicant rectifies; that time is not counted (Art. 98)."""
    return _applicant_pause(
        stage, actor, items, note, today, expected_version, reason=PauseReason.RECTIFICATION,
        kinds={StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION},
        once=None,
    )


def _applicant_pause(stage, actor, items, note, today, expected_version, *, reason, kinds, once,
                     once_article=None):
    today, cal = today_or(today), calendar_current()
    items = _items(items, reason)
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if stage.kind not in kinds:
            raise NotAllowedNow(_("%(r)s is not possible for %(s)s.")
                                % {"r": PauseReason(reason).label, "s": stage.get_kind_display()})
        if once and stage.clock_stops.filter(reason=reason).exists():
            raise NotAllowedNow(once % {"article": article_of(app, once_article)})
        check(stage, "pause", actor, what=PauseReason(reason).label)
        require(perms.can_handle_stage(stage, actor),
                 _("Only the handler of %(s)s may do this.") % {"s": stage.get_kind_display()})
        deadline = applicant_deadline(app, stage, reason, today)
        stop = pause_stage(app, stage, reason, actor, today, cal, note=note, items=items,
                      applicant_deadline=deadline)
        notices.notice_for_request(application=app, stop=stop, actor=actor)
        bump(app)
    return stop


def applicant_deadline(app, stage, reason, today, cal=None):
    """The applicant's deadline for an answer (docs/regulatory-basis.md):
    supplement: one calendar year (Order 47 Art. 54); rectification: the pack's months (six, NMPA
    QMS verification procedure 2015, Art. 17); missing items at acceptance: none, the dossier is
    simply not accepted until it is complete (Art. 53). Years and months are counted by the Civil
    Code (Art. 201-203): a last day that is a rest day or holiday moves to the next working day."""
    cal = cal or calendar_current()
    if reason == PauseReason.SUPPLEMENT:
        return supplement_answer_deadline(today, cal)
    if reason == PauseReason.RECTIFICATION:
        months = limits_for(app, stage.kind).rectification_months
        return applicant_months_deadline(today, months, cal) if months else None
    return None


OBJECTION_DAYS = 15  # Order 47 Art. 57 (IVD: Order 48 Art. 56): 15 WD, not counted in the limit
_STAFF_PAUSES = {PauseReason.EXPERT, PauseReason.HEARING, PauseReason.OBJECTION,
                 PauseReason.APPLICANT_DELAY, PauseReason.AWAITING_QMS}
# Order 47 Art. 98(2): a verification delayed at the applicant's request; 98(5): a review waiting for
# the QMS verification's result. Each stops the clock of the stage it names, and only that one.
PAUSE_KINDS = {
    PauseReason.APPLICANT_DELAY: frozenset({StageKind.QMS_VERIFICATION, StageKind.MERGED_INSPECTION}),
    PauseReason.AWAITING_QMS: frozenset({StageKind.TECHNICAL_REVIEW, StageKind.DECISION}),
}


def pause_reasons_for(kind: str) -> list[str]:
    """The staff pause reasons offered on a stage of this kind."""
    return [r for r in (PauseReason.EXPERT, PauseReason.HEARING, PauseReason.OBJECTION,
                        PauseReason.APPLICANT_DELAY, PauseReason.AWAITING_QMS)
            if r not in PAUSE_KINDS or kind in PAUSE_KINDS[r]]


def stage_pause(*, stage: Stage, actor, reason: str, note: str, today=None,
                expected_version=None) -> ClockStop:
    """Expert consultation, hearing, objection, a verification delayed at the applicant's request
    (Order 47 Art. 98(2)) or a review waiting for the QMS result (98(5)): the clock stops, then
    continues where it was. While it stands no deadline runs, so no statutory alert is raised."""
    if reason not in _STAFF_PAUSES:
        raise InvalidInput(
            _("Reason: choose expert consultation, hearing, objection, a verification delayed at the "
              "applicant's request or waiting for the QMS verification result; supplements, missing items "
              "and rectification have their own buttons."), {"field": "reason"})
    if not (note or "").strip():
        raise InvalidInput(_("Note: say why the clock stops."), {"field": "note"})
    today, cal = today_or(today), calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        if app.state == CaseState.SUSPENDED:
            raise NotAllowedNow(_("The case is suspended: its clocks are already stopped."))
        if stage.kind == StageKind.TESTING:
            # Expert consultation, hearing and objection belong to the review and the decision;
            # testing runs outside the licensing limits (docs/regulatory-basis.md#ll-45).
            raise NotAllowedNow(_("Registration testing has no clock of the office's to stop: testing is "
                                  "not counted in the licensing limits (Administrative Licensing Law "
                                  "Art. 45)."))
        if reason in PAUSE_KINDS and stage.kind not in PAUSE_KINDS[reason]:
            raise InvalidInput(
                _("Reason: “%(r)s” does not stop the clock of %(s)s (Order 47 Art. 98).")
                % {"r": PauseReason(reason).label, "s": stage.get_kind_display()}, {"field": "reason"})
        check(stage, "pause", actor, what=_("pause the clock"))
        # The objection is the applicant's window: 15 WD to object to the proposed refusal.
        deadline = cal.add_working_days(today, OBJECTION_DAYS) if reason == PauseReason.OBJECTION else None
        stop = pause_stage(app, stage, reason, actor, today, cal, note=note, applicant_deadline=deadline)
        bump(app)
    return stop


def stage_resume(*, stage: Stage, actor, response: str = "", today=None,
                 expected_version=None) -> Stage:
    """End a staff pause (expert consultation, hearing, objection): the clock continues.

    A supplement, missing items or rectification is never closed by a bare resume: it is closed
    by an answer with its documents (``services.documents.supplement_answer``)."""
    return _end_pause(stage, actor, response, today, expected_version, document_count=None)


def stage_answer(*, stage: Stage, actor, response: str, document_count: int, today=None,
                 expected_version=None) -> Stage:
    """Close the applicant's pause (supplement, missing items, rectification) with its answer.

    Called by ``services.documents.supplement_answer`` in the transaction that stores the
    documents: by the applicant (portal, API), or by staff recording an answer handed in at the
    counter with its scanned documents (logged as such)."""
    return _end_pause(stage, actor, response, today, expected_version, document_count=document_count)


def _end_pause(stage, actor, response, today, expected_version, *, document_count):
    today, cal = today_or(today), calendar_current()
    answer = document_count is not None
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
        if applicant and not answer:
            raise NotAllowedNow(
                _("%(r)s is closed by the applicant's answer with its documents (on the portal or through "
                  "the API), or by recording an answer handed in at the counter with its scanned "
                  "documents; not by restarting the clock.") % {"r": stop.get_reason_display()})
        if answer and not applicant:
            raise NotAllowedNow(_("This clock stop is not waiting for the applicant."))
        if applicant and not (response or "").strip():
            raise InvalidInput(_("Answer: describe what was supplied, item by item."),
                               {"field": "response"})
        if answer and document_count < 1:
            raise InvalidInput(_("Files: attach the documents that answer the request (PDF, images, "
                                 "Office documents or zip)."), {"field": "files"})
        owner = applicant and perms.is_owner(app, actor)
        allowed = perms.can_pause_stage(stage, actor) or owner
        require(allowed and has_transition_perm(stage.resume, actor),
                _("You are not permitted to resume %(s)s.") % {"s": stage.get_kind_display()})
        if applicant and stop.applicant_deadline and today > stop.applicant_deadline:
            if stop.reason == PauseReason.SUPPLEMENT:
                raise NotAllowedNow(
                    _("The one-year deadline for this answer passed on %(d)s (%(article)s): the "
                      "application can only be refused now (不予注册).")
                    % {"d": stop.applicant_deadline, "article": supplement_article(app)})
            raise NotAllowedNow(
                _("The six-month rectification period ended on %(d)s: the verification has failed.")
                % {"d": stop.applicant_deadline})
        resume_stage(app, stage, stop, actor, today, cal, response=(response or "").strip(),
                     counter=answer and not owner, answered=answer)
        if stop.reason == PauseReason.MISSING_ITEMS:
            app.dossier_received_on = today  # the completed dossier: its 5 WD count from here
        bump(app, "dossier_received_on")
    return stage


def stage_extend(*, stage: Stage, actor, days: int, reason: str, today=None,
                 expected_version=None) -> Extension:
    """Extension approved by a supervisor (Order 47 Art. 96): at most half the original limit."""
    label = _("Working days")  # the field's label on the form
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput(_("%(f)s: enter a whole number.") % {"f": label}, {"field": "days"}) from None
    if days < 1:
        raise InvalidInput(_("%(label)s: enter at least 1.") % {"label": label}, {"field": "days"})
    if not (reason or "").strip():
        raise InvalidInput(_("Reason: the law asks for the reason of an extension."), {"field": "reason"})
    cal = calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        require(perms.can_supervise(app, actor), _("Only a supervisor may approve an extension."))
        if stage.state not in (StageState.RUNNING, StageState.PAUSED):
            raise NotAllowedNow(_("Only a running or paused stage can be extended."))
        if stage.kind not in extendable_kinds(app.policy_pack):
            raise NotAllowedNow(
                _("%(s)s cannot be extended: %(article)s allows extensions of technical review "
                  "and verification only.") % {"s": stage.get_kind_display(), "article": article_of(app, 96)})
        cap = sla.max_extension(stage.original_statutory_days or stage.target_days)
        if stage.extension_days + days > cap:
            raise InvalidInput(
                _("%(label)s: at most %(cap)d working days in all (half of the %(limit)d-day limit, Order 47 "
                  "Art. 96); %(used)d are already granted.")
                % {"label": label, "cap": cap, "limit": stage.original_statutory_days or stage.target_days or 0,
                   "used": stage.extension_days}, {"field": "days"})
        own_due = sla.due_date(cal, clock_start=stage.clock_started_on, budget=stage.statutory_days,
                               consumed=stage.consumed_days, extension=stage.extension_days) \
            if stage.state == StageState.RUNNING else None
        if sla.extension_swallowed(own_due, app.decide_by, stage.kind):
            raise NotAllowedNow(
                _("An extension would move nothing: this renewal must be decided by %(d)s, the day the "
                  "certificate expires (%(article)s), and the stage's deadline is already held there. "
                  "Decide by then, or the renewal is deemed granted.")
                % {"d": app.decide_by, "article": article_of(app, 82)})
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




def article_of(app, order_47_article: int) -> str:
    """An Order 47 article as this case cites it: IVD reagents have their own order with its own
    numbers (review.citations, docs/regulatory-basis.md#o48); one with no Order 48 number on
    record is cited by the order alone, never a guessed number."""
    if app.category == Category.IVD:
        n48 = ORDER_48_ARTICLES.get(order_47_article)
        return _("Order 48 Art. %(n)d") % {"n": n48} if n48 else _("Order 48")
    return _("Order 47 Art. %(n)d") % {"n": order_47_article}


def supplement_article(app) -> str:
    """The article a supplement rests on (Order 47 Art. 54; IVD: Order 48 Art. 53)."""
    return article_of(app, 54)


def stage_refuse_lapsed(*, stage: Stage, actor, today=None, expected_version=None):
    """The applicant did not answer the supplement request within one year: the technical review
    ends and the application is refused (不予注册, Order 47 Art. 54). A refusal, not a termination:
    its own log row, and the enterprise is told by e-mail like any refusal."""
    today, cal = today_or(today), calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        stop = stage.clock_stops.filter(ended_on__isnull=True, reason=PauseReason.SUPPLEMENT).first()
        if stop is None:
            raise NotAllowedNow(_("%(s)s is not waiting for a supplement.") % {"s": stage.get_kind_display()})
        if stop.applicant_deadline is None or today <= stop.applicant_deadline:
            raise NotAllowedNow(
                _("The applicant may still answer until %(d)s (%(article)s).")
                % {"d": stop.applicant_deadline, "article": supplement_article(app)})
        reason = _("The supplement requested on %(asked)s was not received by %(d)s: the technical review "
                   "ends and the application is refused (%(article)s).") % {
            "asked": stop.started_on, "d": stop.applicant_deadline, "article": supplement_article(app)}
        before = transition(app, "refuse", actor, what=_("refuse the application"))
        close_all_stages(app, actor, today, cal, reason)
        app.closed_on = today
        bump(app, "closed_on")
        log(app, stage=stage, action=LogAction.REFUSE_LAPSED, actor=actor, from_state=before,
            to_state=app.state, reason=reason,
            details={"requested_on": stop.started_on.isoformat(),
                     "applicant_deadline": stop.applicant_deadline.isoformat()})
        # The notice states its reason in its own language (Chinese), not in the clicker's.
        official = lapsed_supplement_reason(app.category, app.application_type, asked=stop.started_on,
                                            deadline=stop.applicant_deadline)
        notices.notice_refusal(application=app, stage=stage, actor=actor, today=today, reasons=official)
    return app


DEFAULT_EXTENDABLE = (StageKind.TECHNICAL_REVIEW, StageKind.QMS_VERIFICATION, StageKind.MERGED_INSPECTION)


def extendable_kinds(pack) -> frozenset[str]:
    """Order 47 Art. 96 (技术审评、核查等): the pack's setting, inherited from its parent, by default
    technical review and QMS verification (the merged inspection is that verification)."""
    while pack is not None:
        if pack.extendable_kinds:
            return frozenset(pack.extendable_kinds)
        pack = pack.parent
    return frozenset(DEFAULT_EXTENDABLE)


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
        require(perms.can_handle_stage(stage, actor) or perms.can_handle_kind(StageKind.ACCEPTANCE, actor),
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
