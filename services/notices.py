"""Official notices: issued by the workflow command whose transition they announce.

Each ``notice_*`` function is called with ONE line from inside a workflow command, in the
command's transaction and under its case lock, so a notice exists if and only if the transition
committed. The notice is numbered (the case's office's ``notice_number_pattern``, one sequence per
office, document code and year, taken under a row lock), its text is built by ``notices.content`` and its PDF by
``notices.pdf``; both are stored in the database and never change. A correction is a new notice
(``notice_correct``) that names the one it replaces.

Call sites (re-wire here if the workflow commands move):

- ``services.workflow.stages.stage_complete``: acceptance → ``notice_acceptance``; issuance and
  licence issuance → ``notice_approval``; a refusing outcome → ``notice_refusal``;
- ``services.workflow.pauses._applicant_pause``: supplement, missing items and rectification →
  ``notice_for_request``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from notices import content as text
from notices import pdf, signing
from notices.models import CERTIFICATE_KINDS, Notice, NoticeCounter, NoticeKind, ProductData
from review.exceptions import InvalidInput
from review.models import Application, Certificate, ClockStop, Office, Stage, TransitionLog
from review.models.enums import ApplicationType, LogAction, PauseReason, StageKind
from services import notice_verification as verification

PREVIEW_NUMBER = "（预览件，签发时编号）"
_REQUEST_KINDS = {
    PauseReason.SUPPLEMENT: NoticeKind.SUPPLEMENT,
    PauseReason.MISSING_ITEMS: NoticeKind.MISSING_ITEMS,
    PauseReason.RECTIFICATION: NoticeKind.RECTIFICATION,
}
# Refusals this office decides; a Class III refusal is the national administration's decision.
_REFUSAL_STAGES = {StageKind.DECISION, StageKind.LICENCE_DECISION}
_LICENCE_STAGES = {StageKind.LICENCE_ACCEPTANCE, StageKind.LICENCE_DECISION, StageKind.LICENCE_ISSUANCE}


def _office(app: Application) -> dict:
    office = app.office
    return {"office": office.name, "contact": office.public_contact()}


def _facts(app: Application) -> text.CaseFacts:
    return text.CaseFacts(
        reference=app.reference, product_name=app.product_name, device_class=app.device_class,
        category=app.category, application_type=app.application_type, enterprise=app.enterprise.name,
        credit_code=app.enterprise.credit_code, submitted_on=app.submitted_on)


def _licence(app: Application, stage: Stage | None) -> bool:
    return app.application_type == ApplicationType.LICENCE or (stage is not None and stage.kind in _LICENCE_STAGES)


def _receipt(app: Application, stage: Stage | None) -> tuple[dt.date | None, dt.date | None]:
    """(the day the dossier was received, the day it was deemed accepted as of, if it was).

    The receipt is the acceptance stage's, not the filing (``submitted_on``): after registration
    testing the dossier arrives weeks later. A deemed acceptance is known from its log row, which
    ``services.workflow.stages._accept`` writes with the day of receipt it counted from
    (Licensing Law Art. 32); the same fallback as there otherwise.
    """
    if stage is not None and stage.pk is not None:
        row = (TransitionLog.objects.filter(application=app, stage=stage, action=LogAction.DEEMED_ACCEPTED)
               .order_by("-pk").first())
        if row is not None and row.details.get("received_on"):
            return None, dt.date.fromisoformat(row.details["received_on"])
    received = app.dossier_received_on or (stage.started_on if stage is not None else None) or app.submitted_on
    return received, None


def build(kind: str, app: Application, *, number: str, issued_on: dt.date, stage: Stage | None = None,
          stop: ClockStop | None = None, reasons: str = "", certificate: Certificate | None = None,
          certificate_number: str = "", deemed: bool = False) -> text.NoticeText:
    """The text of a notice of ``kind`` for the case as it stands (pure apart from reading it).

    ``deemed``: for a preview, the acceptance the form would record is a deemed one (once issued,
    the log row says so)."""
    common = {"number": number, "issued_on": issued_on, **_office(app)}
    case = _facts(app)
    if kind == NoticeKind.ACCEPTANCE:
        received_on, deemed_on = _receipt(app, stage)
        return text.acceptance(case, lookup_url=settings.SITE_URL.rstrip("/") + reverse("portal:lookup"),
                               received_on=deemed_on or received_on, deemed=deemed or deemed_on is not None,
                               licence=_licence(app, stage), **common)
    if kind in (NoticeKind.SUPPLEMENT, NoticeKind.MISSING_ITEMS, NoticeKind.RECTIFICATION):
        request = {"items": [str(i) for i in (stop.items or [])], "note": stop.note,
                   "deadline": stop.applicant_deadline}
        if kind == NoticeKind.SUPPLEMENT:
            return text.supplement(case, **request, **common)
        if kind == NoticeKind.MISSING_ITEMS:
            return text.missing_items(case, **request, **common)
        return text.rectification(case, stage_kind=stop.stage.kind, **request, **common)
    if kind == NoticeKind.REFUSAL:
        return text.refusal(case, reasons=reasons, licence=_licence(app, stage),
                            reconsideration_body=app.office.reconsideration_body, **common)
    if kind == NoticeKind.APPROVAL:
        from services.workflow import certificate_expiry

        licence = _licence(app, stage)
        if app.application_type == "change" and not licence:
            # Order 47 Art. 81: the change document goes with the original certificate, whose
            # validity stands (unknown here when the original is not on record: none is invented).
            original = certificate or app.change_of
            return text.approval(case, certificate_number=certificate.number if certificate else certificate_number,
                                 valid_from=original.valid_from if original else None,
                                 valid_until=original.expires_on if original else None,
                                 licence=False, **common)
        valid_from = (certificate.valid_from or certificate.issued_on) if certificate else issued_on
        return text.approval(case, certificate_number=certificate.number if certificate else certificate_number,
                             valid_from=valid_from,
                             valid_until=certificate.expires_on if certificate else certificate_expiry(valid_from),
                             licence=licence, **common)
    raise ValueError(f"unknown notice kind {kind!r}")


def _series(kind: str, app: Application, stage: Stage | None) -> str:
    """The key of the notice's number series in ``settings.NOTICE_KIND_CODES``: a production
    licence's approval (Order 53) has its own, apart from the registration approvals' 准."""
    if kind == NoticeKind.APPROVAL and _licence(app, stage):
        return "approval_licence"
    return kind


def _number(series: str, year: int, office: Office) -> str:
    """The office's next document number of that series and year; the counter row is locked until
    commit.

    A series is counted per office and code, so adding one leaves every number already issued,
    and the next numbers of the other series and offices, as they were."""
    code = settings.NOTICE_KIND_CODES[series]
    NoticeCounter.objects.get_or_create(office=office, code=code, year=year)
    counter = NoticeCounter.objects.select_for_update().get(office=office, code=code, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return office.notice_number_pattern.format(code=code, year=year, seq=counter.last)


def _issue(kind, app, *, actor, today, stage=None, stop=None, reasons="", certificate=None,
           corrects: Notice | None = None) -> Notice:
    number = _number(_series(kind, app, stage), today.year, app.office)
    if kind in CERTIFICATE_KINDS:
        body = build_document(kind, app, number=number, issued_on=today, certificate=certificate)
    else:
        body = build(kind, app, number=number, issued_on=today, stage=stage, stop=stop, reasons=reasons,
                     certificate=certificate)
    if corrects is not None:
        correction = f"本文书更正{corrects.issued_on.year}年签发的{corrects.number}，原文书同时作废。"
        if kind in CERTIFICATE_KINDS:
            body.facts.append(["更正说明", correction])
        else:
            body.paragraphs.insert(0, correction)
    content = body.as_dict()
    data, code = sign_document(content, title=body.title)
    notice = Notice.objects.create(
        application=app, stage=stage, clock_stop=stop, kind=kind, number=number, title=body.title,
        issued_on=today, issued_by=actor, content=content, pdf=data, verification_code=code, signed=True,
        sha256=hashlib.sha256(data).hexdigest(), corrects=corrects)
    from notifications.emails import document_issued

    document_issued(app, notice)
    return notice


def verification_url(number: str, code: str) -> str:
    """The public verification page with this document's number and code filled in (its QR code)."""
    return (settings.SITE_URL.rstrip("/") + reverse("portal:verify") + "?"
            + urlencode({"number": number, "code": code}))


def sign_document(content: dict, *, title: str) -> tuple[bytes, str]:
    """(the signed PDF of ``content``, its new verification code): rendered with the verification
    block, then signed over that block with the office's key (``notices.signing``)."""
    code = verification.new_code()
    rendered = pdf.render_document(content, verify_url=verification_url(content["number"], code), code=code,
                                   signer=signing.signer_subject())
    page, box = rendered.seal
    return signing.sign(rendered.pdf, box=box, page=page, reason=f"{title} {content['number']}",
                        location=content.get("office", "")), code


def product_facts(app: Application) -> text.ProductFacts:
    data = ProductData.objects.filter(application=app).first()
    if data is None:
        return text.ProductFacts()
    return text.ProductFacts(
        registrant_address=data.registrant_address, production_address=data.production_address,
        agent_name=data.agent_name, agent_address=data.agent_address, models=data.models_specs,
        structure=data.structure, intended_use=data.intended_use, attachments=data.attachments,
        legal_representative=data.legal_representative, enterprise_head=data.enterprise_head,
        production_scope=data.production_scope, change_description=data.change_description)


def document_kind(app: Application, stage: Stage | None) -> str:
    """Which document issuance produces: the licence, a change registration's change document, or
    the certificate (a renewal's too: it keeps the number)."""
    if _licence(app, stage):
        return NoticeKind.LICENCE
    if app.application_type == ApplicationType.CHANGE:
        return NoticeKind.CHANGE_DOCUMENT
    return NoticeKind.CERTIFICATE


def build_document(kind: str, app: Application, *, number: str, issued_on: dt.date,
                   certificate: Certificate | None) -> text.NoticeText:
    """The text of the certificate, change document or licence for ``certificate`` (pure apart from reading)."""
    case, product = _facts(app), product_facts(app)
    common = {"number": number, "issued_on": issued_on, **_office(app)}
    approved_on = (certificate.approved_on or certificate.issued_on) if certificate else issued_on
    valid_until = certificate.expires_on if certificate else issued_on
    cert_number = certificate.number if certificate else ""
    if kind == NoticeKind.LICENCE:
        return text.licence(case, product, licence_number=cert_number, approved_on=approved_on,
                            valid_until=valid_until, **common)
    if kind == NoticeKind.CHANGE_DOCUMENT:
        # Same number, same expiry as the certificate it changes (Order 47 Art. 81, 115).
        original = (Certificate.objects.filter(kind=Certificate.Kind.REGISTRATION, number=cert_number)
                    .exclude(application=app).order_by("issued_on").first()) if certificate else None
        return text.change_document(case, product, certificate_number=cert_number, approved_on=approved_on,
                                    valid_until=original.expires_on if original else valid_until, **common)
    return text.certificate(case, product, certificate_number=cert_number, approved_on=approved_on,
                            valid_until=valid_until,
                            renews=(app.renewal_of.number, app.renewal_of.expires_on) if app.renewal_of_id else None,
                            **common)


# --- one function per notice, each called from one line in a workflow command ---------------
def notice_acceptance(*, application: Application, stage: Stage, actor, today: dt.date) -> Notice:
    """受理通知书: the acceptance stage finished with "accepted"."""
    return _issue(NoticeKind.ACCEPTANCE, application, actor=actor, today=today, stage=stage)


def notice_missing_items(*, application: Application, stop: ClockStop, actor) -> Notice:
    """一次性告知书 (Order 47 Art. 53): every missing item, in one notice."""
    return _issue(NoticeKind.MISSING_ITEMS, application, actor=actor, today=stop.started_on,
                  stage=stop.stage, stop=stop)


def notice_supplement(*, application: Application, stop: ClockStop, actor) -> Notice:
    """补正通知书 (Order 47 Art. 54): the itemised list and the answer deadline."""
    return _issue(NoticeKind.SUPPLEMENT, application, actor=actor, today=stop.started_on,
                  stage=stop.stage, stop=stop)


def notice_rectification(*, application: Application, stop: ClockStop, actor) -> Notice:
    """整改通知书: the defects found by an inspection, and the deadline to ask for the re-check."""
    return _issue(NoticeKind.RECTIFICATION, application, actor=actor, today=stop.started_on,
                  stage=stop.stage, stop=stop)


_BY_REASON = {PauseReason.SUPPLEMENT: notice_supplement, PauseReason.MISSING_ITEMS: notice_missing_items,
              PauseReason.RECTIFICATION: notice_rectification}


def notice_for_request(*, application: Application, stop: ClockStop, actor) -> Notice | None:
    """The notice of an applicant-side pause (staff pauses such as expert consultation get none)."""
    issue = _BY_REASON.get(stop.reason)
    return issue(application=application, stop=stop, actor=actor) if issue else None


def notice_refusal(*, application: Application, stage: Stage, actor, reasons: str, today: dt.date) -> Notice | None:
    """不予注册/不予许可决定书 with the reasons and the appeal rights; only for this office's decisions.

    Called from the refusing decision, and meant for a refusal because a supplement lapsed too
    (Order 47 Art. 54; ``stage`` is then the technical review). A national review's refusal is
    the national administration's decision: no provincial notice.
    """
    if stage.kind == StageKind.NATIONAL_REVIEW:
        return None
    return _issue(NoticeKind.REFUSAL, application, actor=actor, today=today, stage=stage, reasons=reasons)


def notice_approval(*, application: Application, stage: Stage, actor, today: dt.date) -> Notice:
    """准予注册/准予许可通知书 with the certificate (licence) number and its validity, and the
    certificate (change document, licence) itself, both in the issuing command's transaction."""
    certificate = (Certificate.objects.filter(application=application, number=stage.outcome_reference)
                   .order_by("-pk").first())
    notice = _issue(NoticeKind.APPROVAL, application, actor=actor, today=today, stage=stage,
                    certificate=certificate)
    _issue(document_kind(application, stage), application, actor=actor, today=today, stage=stage,
           certificate=certificate)
    return notice


# --- corrections and previews ----------------------------------------------------------------
def notice_correct(*, notice: Notice, actor, today: dt.date | None = None) -> Notice:
    """A correction: a new notice with a new number, from the case's current facts, naming the old one.

    The old notice stays as it was (it was served on the applicant); both stay listed on the case.
    """
    from django.db import transaction
    from django.utils import timezone

    from review import permissions as perms

    if not (actor.is_staff and perms.can_supervise(notice.application, actor)):
        from review.exceptions import PermissionDenied

        raise PermissionDenied(_("Only a supervisor may issue a corrected notice."))
    today = today or timezone.localdate()
    reasons = "\n".join(notice.content.get("items", [])) if notice.kind == NoticeKind.REFUSAL else ""
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("enterprise").get(pk=notice.application_id)
        return _issue(notice.kind, app, actor=actor, today=today, stage=notice.stage, stop=notice.clock_stop,
                      reasons=reasons,
                      certificate=Certificate.objects.filter(application=app).order_by("-pk").first()
                      if notice.kind in (NoticeKind.APPROVAL, *CERTIFICATE_KINDS) else None, corrects=notice)


# What each admin action would issue, for the preview button: (action, stage kind, outcome) → kind.
def preview_kind(action: str, stage: Stage | None, data: dict) -> str | None:
    if action == "notify_missing_items":
        return NoticeKind.MISSING_ITEMS
    if action == "request_supplement":
        return NoticeKind.SUPPLEMENT
    if action == "request_rectification":
        return NoticeKind.RECTIFICATION
    if action == "complete" and stage is not None:
        outcome = data.get("outcome", "")
        if stage.kind == StageKind.ACCEPTANCE and outcome == "accepted":
            return NoticeKind.ACCEPTANCE
        if stage.kind in _REFUSAL_STAGES and outcome == "refuse":
            return NoticeKind.REFUSAL
        if stage.kind in (StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE) and outcome == "issued":
            return NoticeKind.APPROVAL
    return None


def notice_preview(*, application: Application, stage: Stage | None, action: str, data: dict,
                   today: dt.date) -> bytes:
    """The PDF the action would issue with this form's data, marked as a preview; nothing is written."""
    return pdf.render(notice_preview_text(application=application, stage=stage, action=action, data=data,
                                          today=today).as_dict(), preview=True)


def notice_preview_text(*, application: Application, stage: Stage | None, action: str, data: dict,
                        today: dt.date) -> text.NoticeText:
    """The text of that notice (the HTML preview shows it; the PDF preview prints it)."""
    from services.workflow import applicant_deadline, items_error

    kind = preview_kind(action, stage, data)
    if kind is None:
        raise InvalidInput(_("This action issues no notice with the outcome chosen."), {"field": "outcome"})
    stop = None
    if kind in (NoticeKind.SUPPLEMENT, NoticeKind.MISSING_ITEMS, NoticeKind.RECTIFICATION):
        items = [i.strip() for i in str(data.get("items", "")).splitlines() if i.strip()]
        reason = {v: k for k, v in _REQUEST_KINDS.items()}[kind]
        if not items:
            raise items_error(reason)
        stop = ClockStop(stage=stage, reason=reason, items=items, note=str(data.get("note", "")).strip(),
                         started_on=today, applicant_deadline=applicant_deadline(application, stage, reason, today))
    deemed = False
    if kind == NoticeKind.ACCEPTANCE and stage is not None:
        # The same test the command applies when it records the acceptance.
        from review.deadlines import past_own_limit
        from review.selectors import calendar_current

        deemed = past_own_limit(stage, today, calendar_current())
    return build(kind, application, number=PREVIEW_NUMBER, issued_on=today, stage=stage, stop=stop,
                 reasons=str(data.get("note", "")), certificate_number=str(data.get("reference", "")).strip(),
                 deemed=deemed)
