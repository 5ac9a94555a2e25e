"""Editing an intent (draft) before it is submitted.

A draft has no stages and no clocks yet, so its attributes may change freely until submission;
the route is chosen again from them. Discarding a draft is the workflow's withdrawal without a
reason (nothing was filed, so the law asks for none); the record and its log stay, because the
transition log is append-only and hash-chained, and the portal's list leaves discarded drafts out
(``Application.is_discarded_draft``). Same command shape as the workflow.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from review import permissions as perms
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Application
from review.models.enums import ApplicationType, CaseState, Category, DeviceClass, Pathway
from review.routes import route_for
from services.workflow import locked_case, log
from services.workflow.core import bump, require, today_or, transition

EDITABLE = ("product_name", "device_class", "category", "application_type", "pathway", "complex_product",
            "key_project", "needs_testing", "with_production_licence", "qms_on_change")
_CHOICES = {"device_class": (DeviceClass, _("Device class")), "category": (Category, _("Category")),
            "application_type": (ApplicationType, _("Application type")), "pathway": (Pathway, _("Pathway"))}


def application_update_draft(*, application: Application, actor, expected_version: int | None = None,
                             **changes) -> Application:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(_("%(f)s: this field cannot be changed.") % {"f": sorted(unknown)[0]},
                           {"field": sorted(unknown)[0]})
    if "product_name" in changes:
        changes["product_name"] = (changes["product_name"] or "").strip()[:200]
        if not changes["product_name"]:
            raise InvalidInput(_("Product name: enter the product's name as it will be registered."),
                               {"field": "product_name"})
    for name, (choices, label) in _CHOICES.items():
        if name in changes and changes[name] not in choices.values:
            raise InvalidInput(_("%(label)s: “%(value)s” is not one of %(allowed)s.")
                               % {"label": label, "value": changes[name], "allowed": ", ".join(choices.values)},
                               {"field": name})
    with locked_case(application, expected_version=expected_version) as app:
        if app.state != CaseState.DRAFT:
            raise NotAllowedNow(_("Only a draft can be edited; this case is “%(s)s”.") % {"s": app.get_state_display()})
        require(perms.can_file(app, actor), _("You may edit only your own enterprise's drafts."))
        before = {name: getattr(app, name) for name in changes}
        for name, value in changes.items():
            setattr(app, name, value)
        if app.application_type == ApplicationType.LICENCE:
            app.with_production_licence = False  # a licence application is the licence itself
        app.route = route_for(app)
        changed = {k: [before[k], getattr(app, k)] for k in changes if before[k] != getattr(app, k)}
        app.version += 1
        app.save(update_fields=[*EDITABLE, "route", "version", "updated_at"])
        log(app, action="edit", actor=actor, from_state=app.state, to_state=app.state, details=changed)
    return application


def application_discard_draft(*, application: Application, actor, today=None,
                              expected_version: int | None = None) -> Application:
    """The enterprise gives up an intent it never submitted: no stage, no clock and no filing
    exist, so no reason is asked (a submitted case is withdrawn with its reason instead)."""
    today = today_or(today)
    with locked_case(application, expected_version=expected_version) as app:
        if app.state != CaseState.DRAFT:
            raise NotAllowedNow(_("Only a draft can be discarded; this case is “%(s)s”: withdraw it instead.")
                                % {"s": app.get_state_display()})
        require(perms.can_file(app, actor), _("You may discard only your own enterprise's drafts."))
        before = transition(app, "withdraw", actor, what=_("discard the draft"))
        app.closed_on = today
        bump(app, "closed_on")
        log(app, action="withdraw", actor=actor, from_state=before, to_state=app.state,
            reason=_("Draft discarded before submission."), details={"discarded_draft": True})
    return application
