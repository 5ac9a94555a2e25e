"""The product data a certificate prints: entered by the applicant, checked by the reviewer.

The applicant enters it with the intent and may change it until the case is accepted (the
accepted dossier is what is reviewed); the reviewer then checks it against the dossier. Each
field is checked against the document font's characters (``notices.pdf.missing_glyphs``), so
what is entered is what the certificate prints. Same command shape as the workflow: lock the
case, check the state and the permission, write, log.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import ProductData
from notices.pdf import missing_glyphs
from review import permissions as perms
from review.exceptions import InvalidInput, NotAllowedNow, PermissionDenied
from review.models import Application
from review.models.enums import StageKind
from services.workflow import locked_case, log

FIELDS = ("registrant_address", "production_address", "agent_name", "agent_address", "models_specs",
          "structure", "intended_use", "attachments", "legal_representative", "enterprise_head",
          "production_scope", "change_description")


def _label(name: str) -> str:
    return str(ProductData._meta.get_field(name).verbose_name)


def product_data_update(*, application: Application, actor, expected_version: int | None = None,
                        **changes) -> ProductData:
    """Set some of ``FIELDS`` (the others keep their value); only the owner, only before acceptance."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput(_("%(f)s: this field is not part of the product data.") % {"f": unknown[0]},
                           {"field": unknown[0]})
    for name, value in changes.items():
        limit = ProductData._meta.get_field(name).max_length
        value = str(value or "").strip()
        if limit and len(value) > limit:
            raise InvalidInput(_("%(label)s: at most %(n)d characters; you entered %(m)d.")
                               % {"label": _label(name), "n": limit, "m": len(value)}, {"field": name})
        missing = missing_glyphs(value)
        if missing:
            raise InvalidInput(_("%(label)s: the certificate cannot print “%(chars)s”. Use the standard "
                                 "(GB 2312) form of the character.") % {"label": _label(name), "chars": missing},
                               {"field": name})
        changes[name] = value
    with locked_case(application, expected_version=expected_version) as app:
        if not perms.is_owner(app, actor):
            raise PermissionDenied(_("Only the applicant enters the product data of its own application."))
        if app.accepted_on is not None:
            raise NotAllowedNow(_("The application was accepted on %(d)s: the product data can no longer be "
                                  "changed. Ask the reviewer to correct it during the review.")
                                % {"d": app.accepted_on})
        data, _created = ProductData.objects.get_or_create(application=app)
        before = {name: getattr(data, name) for name in changes}
        for name, value in changes.items():
            setattr(data, name, value)
        data.checked_by, data.checked_on = None, None  # a change needs a new check
        data.save()
        changed = {k: [before[k], v] for k, v in changes.items() if before[k] != v}
        app.version += 1
        app.save(update_fields=["version", "updated_at"])
        log(app, action="edit", actor=actor, from_state=app.state, to_state=app.state,
            details={"product_data": changed})
    return data


def product_data_check(*, application: Application, actor, today: dt.date | None = None) -> ProductData:
    """The reviewer confirms the product data matches the accepted dossier."""
    if not (perms.can_handle_kind(StageKind.TECHNICAL_REVIEW, actor) and perms.in_office(application, actor)):
        raise PermissionDenied(_("Only a reviewer checks the product data."))
    with locked_case(application, check=False) as app:
        data = ProductData.objects.select_for_update().filter(application=app).first()
        if data is None:
            raise NotAllowedNow(_("The applicant has entered no product data yet."))
        data.checked_by, data.checked_on = actor, today or timezone.localdate()
        data.save(update_fields=["checked_by", "checked_on", "updated_at"])
        log(app, action="edit", actor=actor, from_state=app.state, to_state=app.state,
            details={"product_data_checked": str(data.checked_on)})
    return data
