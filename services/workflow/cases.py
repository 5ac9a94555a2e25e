"""Case commands: register an intent, submit, withdraw, terminate, suspend and resume."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from clock import periods
from notices.content import ORDER_53, citation, zh_date
from review import permissions as perms
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Application, Certificate, ClockStop, Enterprise, Office, Stage
from review.models.enums import (
    FINAL_STAGE_STATES,
    ApplicationType,
    CaseState,
    Category,
    DeviceClass,
    LogAction,
    Pathway,
    PauseReason,
    StageState,
)
from review.routes import plan_stages, route_for
from review.selectors import calendar_current, policy_pack_in_force
from review.validation import single_line
from services.references import reference_next
from services.workflow.clocks import pause_stage, resume_stage
from services.workflow.core import bump, locked_case, log, require, today_or, transition
from services.workflow.phases import close_all_stages, open_phase


def _next_reference(today: dt.date, office) -> str:
    return reference_next(today, office)  # A locked counter per office and year, not max + 1


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
    qms_on_change: bool = False, renewal_of: Certificate | None = None, change_of: Certificate | None = None,
    today: dt.date | None = None,
) -> Application:
    """Register an intent (意向登记): a draft case on the route its attributes choose.

    A renewal names the certificate it renews (by default the enterprise's latest registration
    certificate of the same product): the case must be decided before that certificate expires.
    """
    today = today_or(today)
    product_name = single_line(product_name, field="product_name", label=_("Product name"), max_length=200)
    if not product_name:
        raise InvalidInput(_("Product name: enter the product's name as it will be registered."),
                           {"field": "product_name"})
    app = Application(
        enterprise=enterprise, product_name=product_name,
        device_class=_choice(device_class, DeviceClass, "device_class", _("Device class")),
        category=_choice(category, Category, "category", _("Category")),
        application_type=_choice(application_type, ApplicationType, "application_type", _("Application type")),
        pathway=_choice(pathway, Pathway, "pathway", _("Pathway")),
        complex_product=complex_product, key_project=key_project, needs_testing=needs_testing,
        with_production_licence=with_production_licence, qms_on_change=qms_on_change,
        created_by=actor, office=Office.objects.for_credit_code(enterprise.credit_code),
    )
    if app.application_type == ApplicationType.LICENCE and app.with_production_licence:
        app.with_production_licence = False  # a licence application is the licence itself
    require(perms.can_file(app, actor),
             _("You may register intents only for your own enterprise."))
    app.route = route_for(app)
    if app.application_type == ApplicationType.LICENCE and renewal_of is not None:
        # A licence renewal names the licence it renews (Order 53 Art. 17); decided before that
        # licence expires, else the renewal is granted (Licensing Law Art. 50).
        if renewal_of.enterprise_id != enterprise.pk or renewal_of.kind != Certificate.Kind.LICENCE:
            raise InvalidInput(_("Licence renewed: choose one of your enterprise's own production licences."),
                               {"field": "renewal_of"})
        if renewal_of.expires_on < today:
            raise InvalidInput(_("Licence renewed: %(n)s expired on %(d)s; an expired licence cannot be "
                                 "renewed (Order 53 Art. 17).") % {"n": renewal_of.number, "d": renewal_of.expires_on},
                               {"field": "renewal_of"})
        app.renewal_of, app.decide_by = renewal_of, renewal_of.expires_on
    if app.application_type == ApplicationType.CHANGE:
        # Order 47 Art. 81: the change document goes with the original certificate (by default the
        # enterprise's certificate in force for the same product), which keeps its number and expiry.
        if change_of is None:
            change_of = (Certificate.objects.filter(
                enterprise=enterprise, kind=Certificate.Kind.REGISTRATION, product_name=app.product_name,
                renewal__isnull=True, expires_on__gte=today).order_by("-expires_on").first())
        elif change_of.enterprise_id != enterprise.pk or change_of.kind != Certificate.Kind.REGISTRATION:
            raise InvalidInput(_("Certificate changed: choose one of your enterprise's own registration "
                                 "certificates."), {"field": "change_of"})
        app.change_of = change_of
    if app.application_type == ApplicationType.RENEWAL:
        if renewal_of is None:
            # Only a certificate still valid can be renewed (an expired one needs a new registration).
            renewal_of = (Certificate.objects.filter(
                enterprise=enterprise, kind=Certificate.Kind.REGISTRATION, product_name=app.product_name,
                renewal__isnull=True, expires_on__gte=today).order_by("-expires_on").first())
        elif renewal_of.enterprise_id != enterprise.pk:
            raise InvalidInput(_("Certificate renewed: choose one of your enterprise's own certificates."),
                               {"field": "renewal_of"})
        elif renewal_of.expires_on < today:
            raise InvalidInput(_("Certificate renewed: %(n)s expired on %(d)s; an expired certificate cannot "
                                 "be renewed (Order 47 Art. 82).")
                               % {"n": renewal_of.number, "d": renewal_of.expires_on}, {"field": "renewal_of"})
        if renewal_of is not None:
            # Order 47 Art. 82: decided before the old certificate expires, else deemed granted.
            app.renewal_of, app.decide_by = renewal_of, renewal_of.expires_on
    with transaction.atomic():
        app.reference = _next_reference(today, app.office)
        app.save()
        log(app, action="create", actor=actor, to_state=app.state)
    return app


def renewal_filing_check(app: Application, filed_on: dt.date, cal) -> periods.RenewalFiling | None:
    """A renewal filed outside its window (Order 47 Art. 82, 83(1); Order 53 Art. 17) is flagged and
    loses its ``decide_by``: the deemed grant of Art. 82 (Licensing Law Art. 50) never covers it, so no
    stage is capped at the expiry and nothing calls it deemed granted. Returns the filing when late."""
    if app.renewal_of is None:
        return None
    filing = periods.renewal_filing(app.renewal_of.kind, app.renewal_of.expires_on, filed_on, cal)
    if filing.in_time:
        return None
    app.renewal_filed_late, app.decide_by = True, None
    return filing


def renewal_late_reproject(app: Application, *, actor, cal) -> bool:
    """A renewal submitted before this check existed was never checked: check it against its filing date now
    (the locked case of ``manage.py reproject_cases``), flag and log it when late. The caller then
    re-projects its stages, which lose the expiry cap. Returns whether it was flagged."""
    if app.renewal_filed_late or app.submitted_on is None:
        return False
    late = renewal_filing_check(app, app.submitted_on, cal)
    if late is None:
        return False
    app.save(update_fields=["renewal_filed_late", "decide_by"])
    log(app, action="renewal_filed_late", actor=actor, from_state=app.state, to_state=app.state,
        reason=renewal_late_reason(app), for_applicant=False,
        details={"filed_on": app.submitted_on.isoformat(), "expires_on": late.window.expires_on.isoformat(),
                 "last_filing_day": late.window.closes.isoformat(),
                 "first_filing_day": late.window.opens.isoformat() if late.window.opens else None,
                 "checked_after_filing": True})
    return True


def renewal_late_reason(app: Application) -> str:
    """Why a renewal flagged at filing is to be refused, with its article: the staff's warning and
    the refusal's proposed reason (in the office's language: it goes into the notice)."""
    if not app.renewal_filed_late or app.renewal_of is None:
        return ""
    cert = app.renewal_of
    if cert.kind == Certificate.Kind.LICENCE:
        return (f"延续申请未在生产许可证有效期届满前90个工作日至30个工作日期间提出（许可证{cert.number}，"
                f"有效期至{zh_date(cert.expires_on)}），依据{ORDER_53}第十七条，不予受理。")
    basis = citation(app.category, ApplicationType.RENEWAL, {"47": "第八十二条、第八十三条第（一）项"})
    return (f"延续注册申请未在医疗器械注册证有效期届满6个月前提出（注册证{cert.number}，有效期至"
            f"{zh_date(cert.expires_on)}），依据{basis}，不予延续注册。")


def application_submit(*, application: Application, actor, today: dt.date | None = None,
                       expected_version: int | None = None) -> Application:
    """File the case: build its stages from the route and open the first phase."""
    today, cal = today_or(today), calendar_current()
    with locked_case(application, expected_version=expected_version) as app:
        if not can_proceed(app.submit):
            raise NotAllowedNow(_("Only a draft can be submitted; this case is “%(s)s”.")
                                % {"s": app.get_state_display()})
        require(has_transition_perm(app.submit, actor),
                 _("You may submit only your own enterprise's applications."))
        steps = list(app.route.steps.all())
        plan = plan_stages(app, steps)
        stages = []
        for p in plan:
            stage = Stage(application=app, kind=p.kind, phase=p.phase, manual_start=p.manual_start,
                          department_id=p.department_id, skip_reason=p.skip_reason)
            stage.save()
            if p.skip_reason:
                stage.skip()
                stage.save(update_fields=["state"])
                log(app, stage=stage, action="stage_skip", actor=actor, from_state=StageState.PENDING,
                     to_state=stage.state, reason=stage.get_skip_reason_display())
            stages.append(stage)
        app.policy_pack = policy_pack_in_force(today, app.office.jurisdiction)
        app.submitted_on = today
        late = renewal_filing_check(app, today, cal)
        first = open_phase(app, stages, actor, today, cal, at_submission=True)
        if first is None:
            raise InvalidInput(_("The route %(r)s has no stage for this application.") % {"r": app.route})
        transition(app, "submit", actor, first, what=_("submit"))
        bump(app, "policy_pack", "submitted_on", "phase", "dossier_received_on", "renewal_filed_late", "decide_by")
        log(app, action="submit", actor=actor, from_state=CaseState.DRAFT, to_state=app.state,
             details={"policy_pack": app.policy_pack.code if app.policy_pack else None})
        if late is not None:
            log(app, action="renewal_filed_late", actor=actor, from_state=app.state, to_state=app.state,
                reason=renewal_late_reason(app), for_applicant=False,
                details={"filed_on": today.isoformat(), "expires_on": late.window.expires_on.isoformat(),
                         "last_filing_day": late.window.closes.isoformat(),
                         "first_filing_day": late.window.opens.isoformat() if late.window.opens else None})
    return application


def _close_case(application, *, name: str, actor, reason: str, today, what: str,
                expected_version=None, require_reason=True):
    if require_reason and not (reason or "").strip():
        raise InvalidInput(_("Reason: the law asks for the reason; write it in the reason field."),
                           {"field": "reason"})
    today, cal = today_or(today), calendar_current()
    with locked_case(application, expected_version=expected_version) as app:
        before = transition(app, name, actor, what=what)
        close_all_stages(app, actor, today, cal, reason)
        app.closed_on = today
        app.suspended_from = ""  # a suspended case that is closed is no longer waiting to resume
        bump(app, "closed_on", "suspended_from")
        log(app, action=name, actor=actor, from_state=before, to_state=app.state, reason=reason)
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
    today, cal = today_or(today), calendar_current()
    with locked_case(application, expected_version=expected_version) as app:
        before = transition(app, "suspend", actor, what=_("suspend the case"))
        for stage in app.stages.filter(state=StageState.RUNNING):
            pause_stage(app, stage, PauseReason.SUSPENSION, actor, today, cal, note=reason)
        bump(app, "suspended_from")
        log(app, action="suspend", actor=actor, from_state=before, to_state=app.state, reason=reason)
    return application


def application_resume(*, application, actor, reason: str = "", today=None, expected_version=None):
    """End a suspension: the clocks it paused continue with the budget they had left."""
    today, cal = today_or(today), calendar_current()
    with locked_case(application, expected_version=expected_version) as app:
        before = transition(app, "resume", actor, what=_("resume the case"))
        for stop in ClockStop.objects.filter(stage__application=app, reason=PauseReason.SUSPENSION,
                                             ended_on__isnull=True).select_related("stage"):
            resume_stage(app, stop.stage, stop, actor, today, cal, response="")
        bump(app, "suspended_from")
        log(app, action="resume", actor=actor, from_state=before, to_state=app.state, reason=reason)
    return application




def application_move_office(*, application, actor, office: Office, reason: str, today=None,
                            expected_version=None) -> Application:
    """Move a case to another office (e.g. the enterprise's registration moved, or the credit code
    routed it wrongly): a supervisor of the case's office, with a reason (docs/offices.md).

    The reference stays (it was issued, and documents cite it); the stages' holders are the old
    office's staff, so every unfinished stage is left unassigned for the new office's department;
    the bound policy pack stays until a system administrator re-projects the case.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Reason: say why the case moves to another office."), {"field": "reason"})
    with locked_case(application, expected_version=expected_version) as app:
        require(perms.can_supervise(app, actor), _("Only a supervisor of the case's office may move it."))
        if office is None or not office.active:
            raise InvalidInput(_("Office: choose one of the active offices."), {"field": "office"})
        if office.pk == app.office_id:
            raise InvalidInput(_("Office: the case is already with %(o)s; choose another office.")
                               % {"o": office}, {"field": "office"})
        previous = app.office
        released = app.stages.exclude(state__in=FINAL_STAGE_STATES).filter(assignee__isnull=False).update(
            assignee=None)
        app.office = office
        bump(app, "office")
        log(app, action=LogAction.OFFICE_REASSIGN, actor=actor, from_state=app.state, to_state=app.state,
            reason=reason, for_applicant=False,
            details={"from": previous.code, "to": office.code, "stages_unassigned": released})
    return application
