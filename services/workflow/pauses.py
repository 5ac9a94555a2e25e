"""Pause commands: the requests to the applicant (supplement, one-time notice of missing items,
rectification) with their deadlines, the staff pauses (expert consultation, hearing, objection, a
verification delayed or awaited), resumption and the applicant's answer, and the refusal of a
case whose request lapsed unanswered (Order 47 Art. 54; Order 48 Art. 53)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import has_transition_perm

from clock.periods import applicant_months_deadline, supplement_answer_deadline
from notices.content import lapsed_supplement_reason
from review import permissions as perms
from review.citations import ORDER_48_ARTICLES
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import ClockStop, Stage
from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    DOSSIER_KINDS,
    CaseState,
    Category,
    LogAction,
    PauseReason,
    StageKind,
    StageState,
)
from review.selectors import calendar_current
from services import notices
from services.workflow.clocks import (
    limits_for,
    pause_stage,
    resume_stage,
)
from services.workflow.core import bump, check, locked_stage, log, require, today_or, transition
from services.workflow.phases import close_all_stages

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
