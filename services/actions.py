"""The user-facing actions on a case, for interfaces that show buttons (admin, later the API).

Each action names the workflow service it runs, the fields its form needs, and a quick test of
whether to offer it to this user now. The test only decides which buttons to show: the service
checks state and permission again on the server, under the row lock, whatever the interface sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review import permissions as perms
from review.exceptions import InvalidInput
from review.models import Office
from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    CaseState,
    Outcome,
    PauseReason,
    StageKind,
    StageState,
)
from services import documents, workflow

# Outcomes offered per stage kind, in the order of the buttons' select.
OUTCOME_CHOICES = {
    kind: [(o, Outcome(o).label) for o in sorted(outcomes, key=list(Outcome.values).index)]
    for kind, outcomes in workflow.OUTCOMES.items()
}
def pause_choices(stage) -> tuple:
    """The staff pause reasons of this stage's kind (Order 47 Art. 98(2), 98(5) name their stage)."""
    return tuple((r, PauseReason(r).label) for r in workflow.pause_reasons_for(stage.kind if stage else ""))


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | textarea | int | choice | user | date | files
    required: bool = True
    choices: tuple = ()
    help: str = ""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    scope: str  # "case" or "stage"
    offer: Callable  # (application, stage | None, user) -> bool
    run: Callable  # (application, stage | None, user, data: dict, version: int) -> object
    fields: tuple[Field, ...] = ()
    danger: bool = False
    fields_for: Callable | None = field(default=None)  # stage -> fields, when they vary by kind

    def form_fields(self, stage=None) -> tuple[Field, ...]:
        return self.fields_for(stage) if self.fields_for else self.fields


REASON = Field("reason", _("Reason"), "textarea")
RECEIPT_LABELS = {
    StageKind.TESTING: _("Samples received on"),
    StageKind.ACCEPTANCE: _("Dossier received on"),
    StageKind.LICENCE_ACCEPTANCE: _("Licence dossier received on"),
    StageKind.QMS_VERIFICATION: _("National centre's notice received on"),
    StageKind.MERGED_INSPECTION: _("National centre's notice received on"),
    StageKind.LICENCE_INSPECTION: _("National centre's notice received on"),
}
NOTE = Field("note", _("Note"), "textarea", required=False)
DAYS_LABEL = _("Working days")


def _other_offices(application):
    return Office.objects.filter(active=True).exclude(pk=application.office_id)


def _running(stage) -> bool:
    return stage is not None and stage.state == StageState.RUNNING


def _open_stop(stage):
    return next((s for s in stage.clock_stops.all() if s.ended_on is None), None)


INSPECTION_KINDS = (StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION)


def _complete_fields(stage) -> tuple[Field, ...]:
    help_text = ""
    if stage.kind in INSPECTION_KINDS:
        help_text = _("Failed: defects that cannot be rectified, or the six-month rectification period "
                      "ended without a re-check request (NMPA QMS verification procedure, Art. 17). "
                      "Defects the applicant can rectify: use “Request rectification” instead.")
    fields = [Field("outcome", _("Outcome"), "choice", choices=tuple(OUTCOME_CHOICES[stage.kind]),
                    help=help_text)]
    if stage.kind in workflow.NEEDS_NOTE:
        fields.append(Field("note", _("Opinion or result"), "textarea"))
    else:
        fields.append(NOTE)
    if stage.kind in workflow.NEEDS_REFERENCE:
        fields.append(Field("reference", _("Report, certificate or licence number"), "text"))
    return tuple(fields)


def decision_warning(application, stage, stages) -> str | None:
    """Shown above the approver's decision form before anything is sent: the case's verification
    (or inspection) failed, so only the refusal is possible; ``stage_complete`` refuses an approval
    on the server whatever the form sends. ``stages``: the case's stages, already loaded."""
    if stage is None or stage.state == StageState.PENDING:
        return None
    if application.renewal_filed_late and stage.kind in (StageKind.ACCEPTANCE, StageKind.DECISION,
                                                          StageKind.LICENCE_DECISION):
        # Order 47 Art. 82, 83(1) / Order 53 Art. 17: offer the refusal with its reason, in the
        # notice's language (it is what the refusal will say).
        return _("This renewal was filed outside its window and is to be refused, never deemed granted. "
                 "Reason for the refusal: %(reason)s") % {"reason": workflow.renewal_late_reason(application)}
    failed = workflow.failed_inspection(application, stage, stages)
    if failed is None:
        return None
    if stage.kind == StageKind.LICENCE_DECISION or application.application_type == "licence":
        text = _("%(inspection)s was recorded as failed on %(d)s: the licence can only be refused.")
    else:
        text = _("%(inspection)s was recorded as failed on %(d)s: the application can only be refused.")
    return text % {"inspection": failed.get_kind_display(), "d": failed.finished_on}


def _int(data, name, label):
    """A whole number from the form; the error names the field by its label, as the form shows it."""
    try:
        return int(data.get(name, ""))
    except (TypeError, ValueError):
        raise InvalidInput(_("%(f)s: enter a whole number.") % {"f": label}, {"field": name}) from None


# The reassign form's deliberate "no one" (the API's is ``"assignee": null``): the stage goes back
# to its department's unassigned work. An empty choice is not that; it is a form not filled in.
TO_DEPARTMENT = "department"


def _assignee(data, stage=None):
    """The user a stage is reassigned to, or None when the supervisor chose to hand it back to
    the department. A missing or empty assignee is refused: the form marks it required, and an
    empty select used to clear the assignee and log a reassignment to no one."""
    from review.models import User
    from review.worklist import is_eligible_assignee

    value = data.get("assignee", "")
    if value is None or value == TO_DEPARTMENT:
        return None
    if value == "":
        raise InvalidInput(_("Assignee: choose who takes the stage, or “Nobody: back to the department's "
                             "unassigned work”."), {"field": "assignee"})
    try:
        user = User.objects.get(pk=int(value), is_active=True)
    except (ValueError, User.DoesNotExist):
        raise InvalidInput(_("Assignee: choose an active user from the list."), {"field": "assignee"}) from None
    if stage is not None and not is_eligible_assignee(user, stage):
        raise InvalidInput(
            _("Assignee: %(user)s cannot take %(stage)s; choose a member of its department with the role "
              "that handles it.") % {"user": user, "stage": stage.get_kind_display()}, {"field": "assignee"})
    return user


ACTIONS: tuple[Action, ...] = (
    Action(
        "submit", _("Submit the application"), "case",
        offer=lambda a, s, u: a.state == CaseState.DRAFT and perms.can_file(a, u),
        run=lambda a, s, u, d, v: workflow.application_submit(application=a, actor=u, expected_version=v),
    ),
    Action(
        "start", _("Record the receipt (starts the clock)"), "stage",
        # A pending stage of the open phase is one waiting for its receipt: the others started
        # with the phase (services.workflow.phases.waits_for_receipt).
        offer=lambda a, s, u: s.state == StageState.PENDING and s.phase == a.phase
        and a.state != CaseState.SUSPENDED and perms.can_handle_stage(s, u),
        run=lambda a, s, u, d, v: workflow.stage_start(
            stage=s, actor=u, received_on=d.get("received_on") or None, expected_version=v),
        fields_for=lambda s: (Field("received_on", RECEIPT_LABELS.get(s.kind, _("Received on")), "date",
                                    required=False, help=_("Empty: today. The clock counts from this day.")),),
    ),
    Action(
        "record_handover", _("Record the hand-over to technical review"), "stage",
        offer=lambda a, s, u: _running(s) and s.kind == StageKind.TECHNICAL_REVIEW
        and s.handover_due is not None and s.handed_over_on is None
        and (perms.can_handle_stage(s, u)
             or (perms.can_handle_kind(StageKind.ACCEPTANCE, u) and perms.in_office(a, u))),
        run=lambda a, s, u, d, v: workflow.stage_record_handover(
            stage=s, actor=u, handed_over_on=d.get("handed_over_on") or None, expected_version=v),
        fields=(Field("handed_over_on", _("Handed over on"), "date", required=False,
                      help=_("Order 47 Art. 91: within 3 working days of acceptance. Empty: today.")),),
    ),
    Action(
        "refuse_lapsed", _("Refuse: supplement not received within one year"), "stage", danger=True,
        offer=lambda a, s, u: s.state == StageState.PAUSED and (stop := _open_stop(s)) is not None
        and stop.reason == PauseReason.SUPPLEMENT and stop.applicant_deadline is not None
        and timezone.localdate() > stop.applicant_deadline and perms.can_refuse(a, u),
        run=lambda a, s, u, d, v: workflow.stage_refuse_lapsed(stage=s, actor=u, expected_version=v),
    ),
    Action(
        "complete", _("Record the outcome"), "stage",
        offer=lambda a, s, u: (_running(s) or workflow.lapsed_rectification(s, timezone.localdate()) is not None)
        and perms.can_handle_stage(s, u),
        run=lambda a, s, u, d, v: workflow.stage_complete(
            stage=s, actor=u, outcome=d.get("outcome", ""), note=d.get("note", ""),
            reference=d.get("reference", ""), expected_version=v),
        fields_for=_complete_fields,
    ),
    Action(
        "notify_missing_items", _("One-time notice of missing items"), "stage",
        offer=lambda a, s, u: _running(s) and s.kind in (StageKind.ACCEPTANCE, StageKind.LICENCE_ACCEPTANCE)
        and perms.can_handle_stage(s, u),
        run=lambda a, s, u, d, v: workflow.stage_notify_missing_items(
            stage=s, actor=u, items=d.get("items", ""), note=d.get("note", ""), expected_version=v),
        fields=(Field("items", _("Missing items, one per line"), "textarea"), NOTE),
    ),
    Action(
        "request_supplement", _("Request a supplement"), "stage",
        offer=lambda a, s, u: _running(s) and s.kind == StageKind.TECHNICAL_REVIEW
        and perms.can_handle_stage(s, u)
        and not any(c.reason == PauseReason.SUPPLEMENT for c in s.clock_stops.all()),
        run=lambda a, s, u, d, v: workflow.stage_request_supplement(
            stage=s, actor=u, items=d.get("items", ""), note=d.get("note", ""), expected_version=v),
        fields=(Field("items", _("Everything to supplement, one item per line"), "textarea",
                      help=_("Order 47 Art. 54: one notice listing everything.")), NOTE),
    ),
    Action(
        "request_rectification", _("Request rectification"), "stage",
        offer=lambda a, s, u: _running(s) and s.kind in (
            StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION)
        and perms.can_handle_stage(s, u),
        run=lambda a, s, u, d, v: workflow.stage_request_rectification(
            stage=s, actor=u, items=d.get("items", ""), note=d.get("note", ""), expected_version=v),
        fields=(Field("items", _("Defects to rectify, one per line"), "textarea"), NOTE),
    ),
    Action(
        "pause", _("Stop the clock"), "stage",
        offer=lambda a, s, u: _running(s) and a.state != CaseState.SUSPENDED and s.kind != StageKind.TESTING
        and perms.can_pause_stage(s, u),
        run=lambda a, s, u, d, v: workflow.stage_pause(
            stage=s, actor=u, reason=d.get("reason", ""), note=d.get("note", ""), expected_version=v),
        fields_for=lambda s: (Field("reason", _("Reason"), "choice", choices=pause_choices(s)),
                              Field("note", _("Note"), "textarea")),
    ),
    Action(
        "resume", _("Restart the clock"), "stage",
        offer=lambda a, s, u: s.state == StageState.PAUSED and (stop := _open_stop(s)) is not None
        and stop.reason != PauseReason.SUSPENSION and stop.reason not in APPLICANT_SIDE_REASONS
        and perms.can_pause_stage(s, u),
        run=lambda a, s, u, d, v: workflow.stage_resume(
            stage=s, actor=u, response=d.get("response", ""), expected_version=v),
        fields=(Field("response", _("Note"), "textarea", required=False),),
    ),
    Action(
        "answer_at_counter", _("Record an answer handed in at the counter"), "stage",
        # The applicant answers on the portal or through the API; staff record a paper answer
        # with its scanned documents (services.documents.supplement_answer labels it so).
        offer=lambda a, s, u: s.state == StageState.PAUSED and (stop := _open_stop(s)) is not None
        and stop.reason in APPLICANT_SIDE_REASONS and perms.can_pause_stage(s, u),
        run=lambda a, s, u, d, v: documents.supplement_answer(
            clock_stop=_open_stop(s), actor=u, response=d.get("response", ""), files=d.get("files", []),
            expected_version=v),
        fields=(Field("response", _("What was supplied, item by item"), "textarea"),
                Field("files", _("Scanned documents"), "files",
                      help=_("PDF, images, Office documents or zip; the applicant's paper answer."))),
    ),
    Action(
        "extend", _("Extend the deadline"), "stage",
        offer=lambda a, s, u: s.state in (StageState.RUNNING, StageState.PAUSED)
        and s.kind in workflow.extendable_kinds(a.policy_pack) and perms.can_supervise(a, u),
        run=lambda a, s, u, d, v: workflow.stage_extend(
            stage=s, actor=u, days=_int(d, "days", DAYS_LABEL), reason=d.get("reason", ""), expected_version=v),
        fields=(Field("days", DAYS_LABEL, "int",
                      help=_("At most half of the original limit in all (Order 47 Art. 96).")), REASON),
    ),
    Action(
        "reassign", _("Reassign"), "stage",
        offer=lambda a, s, u: not s.is_final and perms.can_supervise(a, u),
        run=lambda a, s, u, d, v: workflow.stage_reassign(
            stage=s, actor=u, assignee=_assignee(d, s), reason=d.get("reason", ""), expected_version=v),
        fields=(Field("assignee", _("Assignee"), "user"), Field("reason", _("Reason"), "textarea", required=False)),
    ),
    Action(
        "suspend", _("Suspend the case"), "case",
        offer=lambda a, s, u: a.state in (CaseState.PRESUBMISSION, CaseState.TESTING, CaseState.ACCEPTANCE,
                                          CaseState.REVIEW, CaseState.DECISION, CaseState.ISSUANCE)
        and perms.can_supervise(a, u),
        run=lambda a, s, u, d, v: workflow.application_suspend(
            application=a, actor=u, reason=d.get("reason", ""), expected_version=v),
        fields=(REASON,),
    ),
    Action(
        "resume_case", _("Resume the case"), "case",
        offer=lambda a, s, u: a.state == CaseState.SUSPENDED and perms.can_supervise(a, u),
        run=lambda a, s, u, d, v: workflow.application_resume(
            application=a, actor=u, reason=d.get("reason", ""), expected_version=v),
        fields=(Field("reason", _("Note"), "textarea", required=False),),
    ),
    Action(
        "withdraw", _("Withdraw"), "case", danger=True,
        offer=lambda a, s, u: a.is_open and perms.can_withdraw(a, u),
        run=lambda a, s, u, d, v: workflow.application_withdraw(
            application=a, actor=u, reason=d.get("reason", ""), expected_version=v),
        fields=(REASON,),
    ),
    Action(
        "move_office", _("Move to another office"), "case",
        offer=lambda a, s, u: a.is_open and perms.can_supervise(a, u) and _other_offices(a).exists(),
        run=lambda a, s, u, d, v: workflow.application_move_office(
            application=a, actor=u, office=_other_offices(a).filter(code=d.get("office", "")).first(),
            reason=d.get("reason", ""), expected_version=v),
        fields_for=lambda s: (Field("office", _("Office"), "choice",
                                    choices=tuple((o.code, o.name) for o in Office.objects.filter(active=True))),
                              REASON),
    ),
    Action(
        "terminate", _("Terminate"), "case", danger=True,
        offer=lambda a, s, u: a.is_open and a.state != CaseState.DRAFT and perms.can_supervise(a, u),
        run=lambda a, s, u, d, v: workflow.application_terminate(
            application=a, actor=u, reason=d.get("reason", ""), expected_version=v),
        fields=(REASON,),
    ),
)
ACTIONS_BY_NAME = {a.name: a for a in ACTIONS}


def available_actions(application, stages, user) -> list[tuple[Action, object]]:
    """(action, stage or None) pairs this user may run now; no query beyond prefetched data."""
    if application.is_closed:
        return []
    found = [(a, None) for a in ACTIONS if a.scope == "case" and a.offer(application, None, user)]
    for stage in stages:
        if stage.is_final:
            continue
        found += [(a, stage) for a in ACTIONS if a.scope == "stage" and a.offer(application, stage, user)]
    return found
