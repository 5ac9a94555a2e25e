"""Certificates and licences: recorded at issuance with their validity, for the renewal watch."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from clock.periods import certificate_expiry, validity_start
from review.exceptions import InvalidInput
from review.models import Certificate
from review.models.enums import ApplicationType, StageKind

# Registration certificate numbers (注册证编号): the issuing authority (a province's abbreviation, or
# 国 for the NMPA), 械注, 准 (domestic), 进 (imported) or 许 (Hong Kong, Macao, Taiwan), then the
# year (4 digits), the management class (1 digit), the classification code (2 digits) and a serial
# number (4 digits): 渝械注准20262140001, 国械注准20263010001.
PROVINCES = "京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川黔贵滇云陕秦甘陇青蒙桂藏宁新"
PROVINCIAL_NUMBER = re.compile(rf"[{PROVINCES}]械注[准进许](?P<year>[0-9]{{4}})(?P<cls>[23])[0-9]{{2}}[0-9]{{4}}")
NATIONAL_NUMBER = re.compile(r"国械注[准进许](?P<year>[0-9]{4})(?P<cls>[23])[0-9]{2}[0-9]{4}")
# Production licence numbers (生产许可证编号) are written by each province (渝药监械生产许20260001号,
# 渝食药监械生产许20260001号): the authority's name, 械生产许, then the number. Only that much is checked.
LICENCE_NUMBER = re.compile(r"[\u4e00-\u9fff]+械生产许[0-9]+号?")
_CLASS_DIGIT = {"II": "2", "III": "3"}


def certificate_number(app, stage, number: str) -> str:
    """The number of the certificate or licence being recorded, checked against its form before
    anything is written (an error names the field and shows the expected form): a production
    licence at licence issuance (or the issuance of a licence case), NMPA's registration
    certificate with a national approval, this office's registration certificate at issuance."""
    if stage.kind == StageKind.LICENCE_ISSUANCE or app.application_type == ApplicationType.LICENCE:
        if not LICENCE_NUMBER.fullmatch(number):
            raise InvalidInput(_("Licence number: enter the production licence number as it is printed, "
                                 "without spaces, e.g. 渝药监械生产许20260001号."), {"field": "reference"})
        return number
    national = stage.kind == StageKind.NATIONAL_REVIEW
    match = (NATIONAL_NUMBER if national else PROVINCIAL_NUMBER).fullmatch(number)
    if match is None:
        raise InvalidInput(
            _("Certificate number: the form is 国械注准 (imported: 国械注进; Hong Kong, Macao, Taiwan: "
              "国械注许) + year + class + classification code + serial number, e.g. 国械注准20263010001.")
            if national else
            _("Certificate number: the form is the province's abbreviation + 械注准 + year + class + "
              "classification code + serial number, e.g. 渝械注准20262140001."),
            {"field": "reference"})
    expected = _CLASS_DIGIT.get(app.device_class)
    if expected and match["cls"] != expected:
        raise InvalidInput(
            _("Certificate number: the digit after the year gives the class (%(digit)s), but this is a "
              "%(cls)s device; check the number.") % {"digit": match["cls"], "cls": app.get_device_class_display()},
            {"field": "reference"})
    return number


# The stage whose approval a certificate states: the decision before its issuance.
_APPROVING = {
    StageKind.ISSUANCE: StageKind.DECISION,
    StageKind.LICENCE_ISSUANCE: StageKind.LICENCE_DECISION,
    StageKind.NATIONAL_REVIEW: StageKind.NATIONAL_REVIEW,
}


def record_certificate(app, stage, number: str, today: dt.date) -> Certificate:
    """Issuance (or the national approval of a Class III case) records the certificate or licence
    with its validity, for the renewal watch; a renewal closes the watch on the certificate it
    replaces.

    A renewal keeps the certificate's number (Order 47 Art. 115): the new row shares it with the
    renewed one, whose watch it closes. A change registration issues a change document used with the
    original certificate (Art. 81): recorded as such, with the original's number and validity, and
    never watched for renewal (the original is)."""
    licence = stage.kind == StageKind.LICENCE_ISSUANCE or app.application_type == ApplicationType.LICENCE
    kind = Certificate.Kind.LICENCE if licence else Certificate.Kind.REGISTRATION
    renewed = app.renewal_of if app.renewal_of is not None and app.renewal_of.kind == kind else None
    original = app.change_of if app.application_type == ApplicationType.CHANGE and not licence else None
    kept = renewed if renewed is not None and kind == Certificate.Kind.REGISTRATION else original
    if kept is not None and number != kept.number:
        raise InvalidInput(
            _("Number: a renewal keeps the certificate's number (Order 47 Art. 115) and a change document "
              "is used with the original certificate (Art. 81); enter %(n)s.") % {"n": kept.number},
            {"field": "reference"})
    approving = app.stages.filter(kind=_APPROVING[stage.kind]).values_list("finished_on", flat=True).first()
    approved_on = approving or today
    if app.application_type == ApplicationType.CHANGE and not licence:
        # Without the original on record its validity is unknown here: none is invented (the notice
        # says the original certificate's validity stands).
        return Certificate.objects.create(
            application=app, enterprise_id=app.enterprise_id, kind=Certificate.Kind.CHANGE, number=number,
            product_name=app.product_name, approved_on=approved_on, issued_on=today,
            valid_from=original.valid_from if original else None,
            expires_on=original.expires_on if original else None)
    if Certificate.objects.filter(kind=kind, number=number, renewal__isnull=True).exclude(
            pk=renewed.pk if renewed else None).exists():
        raise InvalidInput(_("Number: certificate or licence %(n)s already exists; check the number.")
                           % {"n": number}, {"field": "reference"})
    valid_from = validity_start(approved_on, renewed.expires_on if renewed else None)
    if renewed is not None:  # close the old watch first: the number is free for the new row
        Certificate.objects.filter(pk=renewed.pk, renewal__isnull=True).update(renewal=app)
    return Certificate.objects.create(
        application=app, enterprise_id=app.enterprise_id, kind=kind, number=number,
        product_name=app.product_name, approved_on=approved_on, valid_from=valid_from, issued_on=today,
        expires_on=certificate_expiry(valid_from))
