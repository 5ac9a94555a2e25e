"""Case commands: register an intent, submit, withdraw, terminate, suspend and resume."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from review import permissions as perms
from review.models import Application, Certificate, ClockStop, Enterprise, Stage
from review.models.enums import ApplicationType, CaseState, Category, DeviceClass, Pathway, PauseReason, StageState
from review.selectors import calendar_current, policy_pack_in_force
from services.exceptions import InvalidInput, NotAllowedNow
from services.references import reference_next
from services.routes import plan_stages, route_for
from services.validation import single_line
from services.workflow.clocks import pause_stage, resume_stage
from services.workflow.core import bump, locked_case, log, require, today_or, transition
from services.workflow.phases import close_all_stages, open_phase


def _next_reference(today: dt.date) -> str:
    return reference_next(today)  # A locked counter per year, not max + 1


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
    qms_on_change: bool = False, renewal_of: Certificate | None = None, today: dt.date | None = None,
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
        created_by=actor,
    )
    if app.application_type == ApplicationType.LICENCE and app.with_production_licence:
        app.with_production_licence = False  # a licence application is the licence itself
    require(perms.can_file(app, actor),
             _("You may register intents only for your own enterprise."))
    app.route = route_for(app)
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
        app.reference = _next_reference(today)
        app.save()
        log(app, action="create", actor=actor, to_state=app.state)
    return app


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
        app.policy_pack = policy_pack_in_force(today, settings.REVIEW_JURISDICTION)
        app.submitted_on = today
        first = open_phase(app, stages, actor, today, cal, at_submission=True)
        if first is None:
            raise InvalidInput(_("The route %(r)s has no stage for this application.") % {"r": app.route})
        transition(app, "submit", actor, first, what=_("submit"))
        bump(app, "policy_pack", "submitted_on", "phase", "dossier_received_on")
        log(app, action="submit", actor=actor, from_state=CaseState.DRAFT, to_state=app.state,
             details={"policy_pack": app.policy_pack.code if app.policy_pack else None})
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


