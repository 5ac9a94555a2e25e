"""Workflow commands: the only code that changes the state of cases and stages.

Every command has one shape (Zulip's ``do_*`` actions): open a transaction, lock the case row,
refuse a stale caller (``Conflict``), check the permission for that transition on that object
(django-fsm never does it for you), run the pure transition, save with ``update_fields``, write
the log row in the same transaction, and leave side effects to ``transaction.on_commit``.

The case is the unit of locking: stage commands lock their application too, so the join of a
parallel phase cannot be raced by two branches finishing at once.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from notifications.emails import answer_received_queue, case_event_queue
from review import permissions as perms
from review.models import (
    Application,
    Certificate,
    ClockStop,
    Enterprise,
    Extension,
    Stage,
    TransitionLog,
)
from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    FINAL_STAGE_STATES,
    FRESH_BUDGET_REASONS,
    KIND_CASE_STATE,
    MANUAL_START_KINDS,
    ApplicationType,
    CaseState,
    Category,
    DeviceClass,
    Outcome,
    Pathway,
    PauseReason,
    StageKind,
    StageState,
)
from review.selectors import (
    application_attrs,
    calendar_current,
    policy_levels,
    policy_pack_in_force,
)
from services import sla
from services.exceptions import Conflict, InvalidInput, NotAllowedNow, PermissionDenied
from services.routes import plan_stages, route_for


def supplement_answer_deadline(notified_on: dt.date) -> dt.date:
    """Order 47 Art. 54: the applicant answers within one year of the notice.

    A year ends on the same date of the next year, or on Feb 28 when there is no Feb 29 (Civil
    Code Art. 202). Fix: this was ``notified_on + 365 days``, one day short whenever the year
    crosses a Feb 29 (a notice of 2027-06-01 expired on 2028-05-31).
    """
    try:
        return notified_on.replace(year=notified_on.year + 1)
    except ValueError:  # Feb 29
        return notified_on.replace(year=notified_on.year + 1, day=28)


CERTIFICATE_YEARS = 5  # Order 47 Art. 58/82, Order 53 Art. 14: valid five years


def certificate_expiry(issued_on: dt.date) -> dt.date:
    """The last day of a five-year validity: the day before the same date five years on."""
    try:
        return issued_on.replace(year=issued_on.year + CERTIFICATE_YEARS) - dt.timedelta(days=1)
    except ValueError:  # Feb 29
        return issued_on.replace(year=issued_on.year + CERTIFICATE_YEARS, day=28)


def _record_certificate(app, stage, number: str, today: dt.date) -> None:
    """Issuance records the certificate (or licence) with its expiry, for the renewal watch; a
    renewal or change closes the watch on the certificate it replaces."""
    licence = stage.kind == StageKind.LICENCE_ISSUANCE or app.application_type == ApplicationType.LICENCE
    kind = Certificate.Kind.LICENCE if licence else Certificate.Kind.REGISTRATION
    if Certificate.objects.filter(kind=kind, number=number).exists():
        raise InvalidInput(_("Number: certificate or licence %(n)s already exists; check the number.")
                           % {"n": number}, {"field": "reference"})
    Certificate.objects.create(application=app, enterprise_id=app.enterprise_id, kind=kind, number=number,
                               product_name=app.product_name, issued_on=today,
                               expires_on=certificate_expiry(today))


# --- plumbing --------------------------------------------------------------------------------
def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


@contextmanager
def _locked_case(application: Application, *, expected_version: int | None = None, check: bool = True):
    """Lock the case row for the transaction; refuse a caller whose copy is stale."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        seen = application.version if expected_version is None else expected_version
        if check and locked.version != seen:
            raise Conflict(
                _("Case %(ref)s was changed by someone else since you opened it (it is now “%(state)s”). "
                  "Reload the page and try again.")
                % {"ref": locked.reference, "state": locked.get_state_display()},
                {"version": locked.version},
            )
        yield locked
        # Hand the fresh values back to the caller's instance, so it is not stale itself.
        application.refresh_from_db()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check(obj, name: str, actor, *, what: str) -> None:
    """409 when the transition is not possible now, 403 when this actor may not run it."""
    bound = getattr(obj, name)
    if not can_proceed(bound):
        raise NotAllowedNow(
            _("%(what)s is not possible while it is “%(state)s”.")
            % {"what": what, "state": obj.get_state_display()}
        )
    if actor is not None:
        _require(
            has_transition_perm(bound, actor),
            _("You are not permitted to do this: %(what)s.") % {"what": what},
        )


def _transition(obj, name: str, actor, *args, what: str):
    """Run a named transition after ``_check``; ``actor=None`` for consequences of a checked one."""
    _check(obj, name, actor, what=what)
    bound = getattr(obj, name)
    before = obj.state
    try:
        bound(*args)
    except TransitionNotAllowed as exc:  # a condition turned false between check and call
        raise NotAllowedNow(str(exc)) from exc
    return before


def _log(application, *, action: str, actor, stage=None, from_state="", to_state="",
         reason="", details=None, for_applicant=True) -> TransitionLog:
    entry = TransitionLog.objects.create(
        application=application, stage=stage, action=action, from_state=from_state,
        to_state=to_state, actor=actor, reason=reason, details=details or {},
        for_applicant=for_applicant,
    )
    if for_applicant:
        # The enterprise's e-mail goes into the outbox in this same transaction; it is sent
        # after commit (notifications.emails), so a broker or mail outage never fails this.
        case_event_queue(application, entry)
    return entry


def _bump(application: Application, *fields: str) -> None:
    application.version += 1
    application.save(update_fields=["state", "version", "updated_at", *fields])


@contextmanager
def _locked_stage(stage: Stage, *, expected_version: int | None = None):
    """Lock the stage's case and yield (case, fresh stage); refuse a caller whose stage is stale.

    Staleness is judged on the stage, not the case: the reviewer's form for the technical review
    stays valid when the inspector finishes the parallel QMS verification, but not when someone
    else acted on the same stage (or a suspension or withdrawal touched it).
    """
    with _locked_case(stage.application, check=False) as app:
        try:
            fresh = app.stages.get(pk=stage.pk)
        except Stage.DoesNotExist:
            raise InvalidInput(_("This stage does not belong to case %(ref)s.")
                               % {"ref": app.reference}) from None
        seen = stage.version if expected_version is None else expected_version
        if fresh.version != seen:
            raise Conflict(
                _("%(stage)s of case %(ref)s was changed by someone else since you opened it (it is "
                  "now “%(state)s”). Reload the page and try again.")
                % {"stage": fresh.get_kind_display(), "ref": app.reference,
                   "state": fresh.get_state_display()},
                {"version": fresh.version},
            )
        yield app, fresh
    stage.refresh_from_db()


# --- clocks ----------------------------------------------------------------------------------
_CLOCK_FIELDS = [
    "state", "started_on", "clock_started_on", "consumed_days", "statutory_days", "target_days",
    "original_statutory_days", "extension_days", "warning_days", "statutory_reference",
    "rule_source", "target_due", "statutory_due", "deadline_provisional",
]


def _limits_for(application: Application, kind: str) -> sla.Limits:
    if application.policy_pack is None:
        return sla.Limits()
    return sla.resolve_limits(
        policy_levels(application.policy_pack), kind=kind, attrs=application_attrs(application)
    )


def _project(stage: Stage, cal) -> None:
    """Store both deadlines of a running stage from its clock fields."""
    kwargs = {"clock_start": stage.clock_started_on, "consumed": stage.consumed_days,
              "extension": stage.extension_days}
    stage.target_due = sla.due_date(cal, budget=stage.target_days, **kwargs)
    stage.statutory_due = sla.due_date(cal, budget=stage.statutory_days, **kwargs)
    stage.deadline_provisional = any(
        d is not None and cal.is_provisional(d) for d in (stage.target_due, stage.statutory_due)
    )


def _start_clock(application: Application, stage: Stage, today: dt.date, cal) -> None:
    limits = _limits_for(application, stage.kind)
    stage.started_on = today
    stage.statutory_days = limits.statutory_days
    stage.original_statutory_days = limits.statutory_days
    stage.target_days = limits.target_days
    stage.warning_days = limits.warning_days
    stage.statutory_reference = limits.statutory_reference
    stage.rule_source = limits.source[:400]
    stage.extension_days = 0
    stage.consumed_days = 0
    # Order 53 Art. 13: the licence decision counts 20 WD from acceptance, not from the stage.
    anchored = limits.anchor == "acceptance" and application.accepted_on
    stage.clock_started_on = today
    if anchored:
        # Fix: the clock used to start at accepted_on with nothing consumed, so rectification
        # during the inspection (not counted, Order 53 Art. 13; Order 47 Art. 98) was counted
        # against the decision. Carry over only the days counted since acceptance instead.
        stage.consumed_days = _counted_since(application, application.accepted_on, today, cal)
    _project(stage, cal)


def _counted_since(application: Application, since: dt.date, today: dt.date, cal) -> int:
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


def _stop_clock(stage: Stage, today: dt.date, cal) -> None:
    stage.consumed_days = sla.elapsed_days(
        cal, clock_start=stage.clock_started_on, consumed=stage.consumed_days, running=True, today=today
    )
    stage.clock_started_on = None
    stage.target_due = stage.statutory_due = None
    stage.deadline_provisional = False


def _restart_clock(application: Application, stage: Stage, reason: str, today: dt.date, cal) -> None:
    if reason in FRESH_BUDGET_REASONS:
        # Order 47 Art. 92: after the supplement the review gets a fresh budget (60 WD).
        limits = _limits_for(application, stage.kind)
        fresh = limits.after_supplement_days or stage.original_statutory_days
        stage.statutory_days = fresh if stage.statutory_days is not None else None
        stage.original_statutory_days = stage.statutory_days
        stage.target_days = min(x for x in (stage.target_days, fresh) if x is not None) if (
            stage.target_days is not None or fresh is not None) else None
        stage.consumed_days = 0
        stage.extension_days = 0
    stage.clock_started_on = today
    _project(stage, cal)


# --- routes and phases -----------------------------------------------------------------------
def _open_phase(application: Application, stages: list[Stage], actor, today, cal) -> str | None:
    """Start the next phase's stages; return the case state it means, or None when none is left.

    Phases whose every stage was skipped are passed over: they hold no pending stage.
    """
    waiting = [s for s in stages if s.state == StageState.PENDING and s.phase > application.phase]
    if not waiting:
        return None
    application.phase = min(s.phase for s in waiting)
    opened = [s for s in waiting if s.phase == application.phase]
    for stage in opened:
        if stage.kind in MANUAL_START_KINDS:
            continue  # the testing centre starts the clock when it receives the samples
        before = _transition(stage, "start", None, what=_("start"))
        _start_clock(application, stage, today, cal)
        stage.save(update_fields=_CLOCK_FIELDS)
        _log(application, stage=stage, action="stage_start", actor=actor, from_state=before,
             to_state=stage.state, details=_deadline_details(stage))
    return KIND_CASE_STATE[opened[0].kind]


def _after_stage_final(application: Application, actor, today, cal) -> None:
    """The join: when every branch of the current phase is final, open the next phase."""
    stages = list(application.stages.all())
    if any(s.phase == application.phase and s.state not in FINAL_STAGE_STATES for s in stages):
        return
    current = application.state
    next_state = _open_phase(application, stages, actor, today, cal)
    if next_state is None:
        next_state = CaseState.APPROVED
        application.closed_on = today
    _transition(application, "advance", None, next_state, what=_("advance"))
    _bump(application, "closed_on", "phase")
    _log(application, action="advance", actor=actor, from_state=current, to_state=application.state)


def _close_all_stages(application: Application, actor, today, cal, reason: str) -> None:
    for stage in application.stages.all():
        if stage.state in FINAL_STAGE_STATES:
            continue
        before = stage.state
        stop = stage.clock_stops.filter(ended_on__isnull=True).first()
        if stop:
            stop.ended_on, stop.ended_by = today, actor
            stop.save(update_fields=["ended_on", "ended_by"])
        if stage.state == StageState.RUNNING:
            _stop_clock(stage, today, cal)
        stage.cancel()
        stage.finished_on = today
        stage.save(update_fields=[*_CLOCK_FIELDS, "finished_on"])
        _log(application, stage=stage, action="stage_cancel", actor=actor, from_state=before,
             to_state=stage.state, reason=reason)


def _deadline_details(stage: Stage) -> dict:
    return {
        "target_due": stage.target_due.isoformat() if stage.target_due else None,
        "statutory_due": stage.statutory_due.isoformat() if stage.statutory_due else None,
        "provisional": stage.deadline_provisional,
    }


# --- applications ----------------------------------------------------------------------------
def _next_reference(today: dt.date) -> str:
    prefix = f"{settings.REVIEW_JURISDICTION}{today.year}"
    last = (
        Application.objects.filter(reference__startswith=prefix)
        .order_by("-reference").values_list("reference", flat=True).first()
    )
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:05d}"


def _choice(value, choices, field: str, label: str):
    if value not in choices.values:
        raise InvalidInput(
            _("%(label)s: “%(value)s” is not one of %(allowed)s.")
            % {"label": label, "value": value, "allowed": ", ".join(choices.values)},
            {"field": field},
        )
    return value


def application_create(
    *, enterprise: Enterprise, product_name: str, device_class: str, category: str,
    application_type: str, actor, pathway: str = Pathway.STANDARD, complex_product: bool = False,
    key_project: bool = False, needs_testing: bool = False, with_production_licence: bool = False,
    qms_on_change: bool = False, today: dt.date | None = None,
) -> Application:
    """Register an intent (意向登记): a draft case on the route its attributes choose."""
    today = _today(today)
    product_name = (product_name or "").strip()
    if not product_name:
        raise InvalidInput(_("Product name: enter the product's name as it will be registered."),
                           {"field": "product_name"})
    app = Application(
        enterprise=enterprise, product_name=product_name[:200],
        device_class=_choice(device_class, DeviceClass, "device_class", _("Device class")),
        category=_choice(category, Category, "category", _("Category")),
        application_type=_choice(application_type, ApplicationType, "application_type", _("Application type")),
        pathway=_choice(pathway, Pathway, "pathway", _("Pathway")),
        complex_product=complex_product, key_project=key_project, needs_testing=needs_testing,
        with_production_licence=with_production_licence, qms_on_change=qms_on_change,
        created_by=actor,
    )
    if app.application_type == ApplicationType.LICENCE and app.with_production_licence:
        app.with_production_licence = False  # a licence application is the licence itself
    _require(perms.can_file(app, actor),
             _("You may register intents only for your own enterprise."))
    app.route = route_for(app)
    with transaction.atomic():
        app.reference = _next_reference(today)
        app.save()
        _log(app, action="create", actor=actor, to_state=app.state)
    return app


def application_submit(*, application: Application, actor, today: dt.date | None = None,
                       expected_version: int | None = None) -> Application:
    """File the case: build its stages from the route and open the first phase."""
    today, cal = _today(today), calendar_current()
    with _locked_case(application, expected_version=expected_version) as app:
        if not can_proceed(app.submit):
            raise NotAllowedNow(_("Only a draft can be submitted; this case is “%(s)s”.")
                                % {"s": app.get_state_display()})
        _require(has_transition_perm(app.submit, actor),
                 _("You may submit only your own enterprise's applications."))
        steps = list(app.route.steps.all())
        plan = plan_stages(app, steps)
        stages = []
        for p in plan:
            stage = Stage(application=app, kind=p.kind, phase=p.phase,
                          department_id=p.department_id, skip_reason=p.skip_reason)
            stage.save()
            if p.skip_reason:
                stage.skip()
                stage.save(update_fields=["state"])
                _log(app, stage=stage, action="stage_skip", actor=actor, from_state=StageState.PENDING,
                     to_state=stage.state, reason=stage.get_skip_reason_display())
            stages.append(stage)
        app.policy_pack = policy_pack_in_force(today, settings.REVIEW_JURISDICTION)
        app.submitted_on = today
        first = _open_phase(app, stages, actor, today, cal)
        if first is None:
            raise InvalidInput(_("The route %(r)s has no stage for this application.") % {"r": app.route})
        _transition(app, "submit", actor, first, what=_("submit"))
        _bump(app, "policy_pack", "submitted_on", "phase")
        _log(app, action="submit", actor=actor, from_state=CaseState.DRAFT, to_state=app.state,
             details={"policy_pack": app.policy_pack.code if app.policy_pack else None})
    return application


def _close_case(application, *, name: str, actor, reason: str, today, what: str,
                expected_version=None, require_reason=True):
    if require_reason and not (reason or "").strip():
        raise InvalidInput(_("Reason: the law asks for the reason; write it in the reason field."),
                           {"field": "reason"})
    today, cal = _today(today), calendar_current()
    with _locked_case(application, expected_version=expected_version) as app:
        before = _transition(app, name, actor, what=what)
        _close_all_stages(app, actor, today, cal, reason)
        app.closed_on = today
        app.suspended_from = ""  # a suspended case that is closed is no longer waiting to resume
        _bump(app, "closed_on", "suspended_from")
        _log(app, action=name, actor=actor, from_state=before, to_state=app.state, reason=reason)
    return application


def application_withdraw(*, application, actor, reason: str, today=None, expected_version=None):
    """The enterprise withdraws its application (撤回); every running clock is cancelled."""
    return _close_case(application, name="withdraw", actor=actor, reason=reason, today=today,
                       what=_("withdraw the application"), expected_version=expected_version)


def application_terminate(*, application, actor, reason: str, today=None, expected_version=None):
    """Termination (终止), e.g. a supplement not received within one year (Order 47 Art. 54)."""
    return _close_case(application, name="terminate", actor=actor, reason=reason, today=today,
                       what=_("terminate the case"), expected_version=expected_version)


def application_suspend(*, application, actor, reason: str, today=None, expected_version=None):
    """Suspension (中止, Order 47 Art. 56): every running clock of the case pauses."""
    if not (reason or "").strip():
        raise InvalidInput(_("Reason: say why the case is suspended."), {"field": "reason"})
    today, cal = _today(today), calendar_current()
    with _locked_case(application, expected_version=expected_version) as app:
        before = _transition(app, "suspend", actor, what=_("suspend the case"))
        for stage in app.stages.filter(state=StageState.RUNNING):
            _pause(app, stage, PauseReason.SUSPENSION, actor, today, cal, note=reason)
        _bump(app, "suspended_from")
        _log(app, action="suspend", actor=actor, from_state=before, to_state=app.state, reason=reason)
    return application


def application_resume(*, application, actor, reason: str = "", today=None, expected_version=None):
    """End a suspension: the clocks it paused continue with the budget they had left."""
    today, cal = _today(today), calendar_current()
    with _locked_case(application, expected_version=expected_version) as app:
        before = _transition(app, "resume", actor, what=_("resume the case"))
        for stop in ClockStop.objects.filter(stage__application=app, reason=PauseReason.SUSPENSION,
                                             ended_on__isnull=True).select_related("stage"):
            _resume(app, stop.stage, stop, actor, today, cal, response="")
        _bump(app, "suspended_from")
        _log(app, action="resume", actor=actor, from_state=before, to_state=app.state, reason=reason)
    return application


# --- stages ----------------------------------------------------------------------------------
def _pause(app, stage, reason, actor, today, cal, *, note="", items=None, applicant_deadline=None):
    before = _transition(stage, "pause", None, what=_("pause"))
    _stop_clock(stage, today, cal)
    stage.save(update_fields=_CLOCK_FIELDS)
    stop = ClockStop.objects.create(
        stage=stage, reason=reason, note=note, items=items or [], started_on=today,
        applicant_deadline=applicant_deadline, started_by=actor,
    )
    _log(app, stage=stage, action=f"pause_{reason}", actor=actor, from_state=before,
         to_state=stage.state, reason=note,
         details={"items": items or [], "applicant_deadline":
                  applicant_deadline.isoformat() if applicant_deadline else None,
                  "consumed_days": stage.consumed_days})
    return stop


def _resume(app, stage, stop, actor, today, cal, *, response: str):
    before = _transition(stage, "resume", None, what=_("resume"))
    stop.ended_on, stop.ended_by, stop.response = today, actor, response
    stop.save(update_fields=["ended_on", "ended_by", "response"])
    _restart_clock(app, stage, stop.reason, today, cal)
    stage.save(update_fields=_CLOCK_FIELDS)
    _log(app, stage=stage, action=f"resume_{stop.reason}", actor=actor, from_state=before,
         to_state=stage.state, reason=response, details=_deadline_details(stage))
    if stop.reason in APPLICANT_SIDE_REASONS:
        answer_received_queue(app, stage, stop)  # the reviewer hears of it (after commit)


def stage_start(*, stage: Stage, actor, today=None, expected_version=None) -> Stage:
    """Start a stage whose clock starts by hand (testing: samples received)."""
    today, cal = _today(today), calendar_current()
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
        if app.state == CaseState.SUSPENDED:
            raise NotAllowedNow(_("The case is suspended: resume it first."))
        if stage.phase != app.phase:
            raise NotAllowedNow(_("This stage starts when its phase opens, after the earlier phases."))
        before = _transition(stage, "start", actor, what=_("start the stage"))
        _start_clock(app, stage, today, cal)
        stage.save(update_fields=_CLOCK_FIELDS)
        _bump(app)
        _log(app, stage=stage, action="stage_start", actor=actor, from_state=before,
             to_state=stage.state, details=_deadline_details(stage))
    return stage


# Which outcomes each stage kind may record, and what they mean for the case.
_OUTCOMES = {
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
_NEEDS_NOTE = {StageKind.TECHNICAL_REVIEW, StageKind.DECISION, StageKind.LICENCE_DECISION,
               StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION, StageKind.MERGED_INSPECTION}
_NEEDS_REFERENCE = {StageKind.TESTING, StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE}


def stage_complete(*, stage: Stage, actor, outcome: str, note: str = "", reference: str = "",
                   today=None, expected_version=None) -> Stage:
    """Finish a stage with its outcome; the case moves on when the phase's join is complete."""
    today, cal = _today(today), calendar_current()
    note, reference = (note or "").strip(), (reference or "").strip()
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
        allowed = _OUTCOMES[stage.kind]
        if outcome not in allowed:
            raise InvalidInput(
                _("Outcome: choose one of %(allowed)s for %(stage)s.")
                % {"allowed": ", ".join(str(Outcome(o).label) for o in sorted(allowed)),
                   "stage": stage.get_kind_display()},
                {"field": "outcome"},
            )
        if stage.kind in _NEEDS_NOTE and not note:
            raise InvalidInput(_("Opinion: write the opinion or result; it is part of the record."),
                               {"field": "note"})
        if stage.kind in _NEEDS_REFERENCE and not reference:
            raise InvalidInput(_("Number: enter the test report, certificate or licence number."),
                               {"field": "reference"})
        if outcome == Outcome.FAILED:
            raise InvalidInput(
                _("Outcome: a failed inspection is not an end; request rectification instead, "
                  "or propose refusal in the review opinion."), {"field": "outcome"})
        before = _transition(stage, "complete", actor, what=_("complete %(s)s") % {"s": stage.get_kind_display()})
        _stop_clock(stage, today, cal)
        stage.finished_on = today
        stage.outcome, stage.outcome_note, stage.outcome_reference = outcome, note, reference
        stage.save(update_fields=[*_CLOCK_FIELDS, "finished_on", "outcome", "outcome_note",
                                  "outcome_reference"])
        _log(app, stage=stage, action="stage_complete", actor=actor, from_state=before,
             to_state=stage.state, reason=note, details={"outcome": outcome, "reference": reference})
        if stage.kind == StageKind.ACCEPTANCE:
            # The pack in force at acceptance binds the case from here on (DESIGN.md section 3).
            app.accepted_on = today
            app.policy_pack = policy_pack_in_force(today, settings.REVIEW_JURISDICTION) or app.policy_pack
            app.save(update_fields=["accepted_on", "policy_pack"])
        if stage.kind in (StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE):
            app.certificate_number = reference
            app.save(update_fields=["certificate_number"])
            _record_certificate(app, stage, reference, today)
        if (stage.kind, outcome) in _REFUSING:
            case_before = _transition(app, "refuse", actor, what=_("refuse the application"))
            _close_all_stages(app, actor, today, cal, note)
            app.closed_on = today
            _bump(app, "closed_on")
            _log(app, action="refuse", actor=actor, from_state=case_before, to_state=app.state, reason=note)
        else:
            _after_stage_final(app, actor, today, cal)
            _bump(app)
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
    today, cal = _today(today), calendar_current()
    items = _items(items)
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
        if stage.kind not in kinds:
            raise NotAllowedNow(_("%(r)s is not possible for %(s)s.")
                                % {"r": PauseReason(reason).label, "s": stage.get_kind_display()})
        if once and stage.clock_stops.filter(reason=reason).exists():
            raise NotAllowedNow(once)
        _check(stage, "pause", actor, what=PauseReason(reason).label)
        _require(perms.can_handle_stage(stage, actor),
                 _("Only the handler of %(s)s may do this.") % {"s": stage.get_kind_display()})
        deadline = supplement_answer_deadline(today)
        stop = _pause(app, stage, reason, actor, today, cal, note=note, items=items,
                      applicant_deadline=deadline)
        _bump(app)
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
    today, cal = _today(today), calendar_current()
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
        if app.state == CaseState.SUSPENDED:
            raise NotAllowedNow(_("The case is suspended: its clocks are already stopped."))
        _check(stage, "pause", actor, what=_("pause the clock"))
        stop = _pause(app, stage, reason, actor, today, cal, note=note)
        _bump(app)
    return stop


def stage_resume(*, stage: Stage, actor, response: str = "", today=None,
                 expected_version=None) -> Stage:
    """End the stage's open clock stop: an applicant's answer or the end of a consultation."""
    today, cal = _today(today), calendar_current()
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
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
        _require(allowed and has_transition_perm(stage.resume, actor),
                 _("You are not permitted to resume %(s)s.") % {"s": stage.get_kind_display()})
        if applicant and stop.applicant_deadline and today > stop.applicant_deadline:
            raise NotAllowedNow(
                _("The one-year deadline for this answer passed on %(d)s (Order 47 Art. 54): the case "
                  "can only be terminated now.") % {"d": stop.applicant_deadline})
        _resume(app, stage, stop, actor, today, cal, response=(response or "").strip())
        _bump(app)
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
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
        _require(perms.can_supervise(app, actor), _("Only a supervisor may approve an extension."))
        if stage.state not in (StageState.RUNNING, StageState.PAUSED):
            raise NotAllowedNow(_("Only a running or paused stage can be extended."))
        cap = sla.max_extension(stage.original_statutory_days or stage.target_days)
        if stage.extension_days + days > cap:
            raise InvalidInput(
                _("Days: at most %(cap)d working days in all (half of the %(limit)d-day limit, Order 47 "
                  "Art. 96); %(used)d are already granted.")
                % {"cap": cap, "limit": stage.original_statutory_days or stage.target_days or 0,
                   "used": stage.extension_days}, {"field": "days"})
        old = _deadline_details(stage)
        stage.extension_days += days
        if stage.state == StageState.RUNNING:
            _project(stage, cal)
        stage.save(update_fields=_CLOCK_FIELDS)
        ext = Extension.objects.create(stage=stage, days=days, reason=reason.strip(), approved_by=actor)
        _bump(app)
        _log(app, stage=stage, action="extend", actor=actor, from_state=stage.state,
             to_state=stage.state, reason=reason,
             details={"days": days, "before": old, "after": _deadline_details(stage)})
    return ext


def stage_reassign(*, stage: Stage, actor, assignee, reason: str = "", today=None,
                   expected_version=None) -> Stage:
    with _locked_stage(stage, expected_version=expected_version) as (app, stage):
        _require(perms.can_supervise(app, actor), _("Only a supervisor may reassign a stage."))
        if stage.is_final:
            raise NotAllowedNow(_("A finished stage cannot be reassigned."))
        if assignee is not None and not perms.can_handle_stage(stage, assignee):
            raise InvalidInput(_("Assignee: %(u)s does not handle %(s)s; choose a member of that role.")
                               % {"u": assignee, "s": stage.get_kind_display()}, {"field": "assignee"})
        previous = stage.assignee
        stage.assignee = assignee
        stage.save(update_fields=["assignee"])
        _bump(app)
        _log(app, stage=stage, action="reassign", actor=actor, from_state=stage.state,
             to_state=stage.state, reason=reason, for_applicant=False,
             details={"from": previous.username if previous else None,
                      "to": assignee.username if assignee else None})
    return stage


# --- calendar and policy changes -------------------------------------------------------------
def deadlines_reproject(*, actor, cause: str, stages=None, cal=None) -> int:
    """Recompute the stored deadlines of running stages; log each one that moved.

    Called after a new official schedule is loaded (deadlines of its year move) and when an
    administrator re-projects cases onto another policy pack.
    """
    cal = cal or calendar_current()
    moved = 0
    qs = stages if stages is not None else Stage.objects.filter(state=StageState.RUNNING)
    for stage in qs.select_related("application"):
        before = (stage.target_due, stage.statutory_due, stage.deadline_provisional)
        _project(stage, cal)
        if (stage.target_due, stage.statutory_due, stage.deadline_provisional) == before:
            continue
        with transaction.atomic():
            stage.save(update_fields=["target_due", "statutory_due", "deadline_provisional"])
            _log(stage.application, stage=stage, action="reproject", actor=actor,
                 from_state=stage.state, to_state=stage.state, reason=cause,
                 details={"before": {"target_due": _iso(before[0]), "statutory_due": _iso(before[1])},
                          "after": _deadline_details(stage)})
        moved += 1
    return moved


def _iso(d):
    return d.isoformat() if d else None


