"""Certificates and licences: recorded at issuance with their validity, for the renewal watch."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from review.exceptions import InvalidInput
from review.models import Certificate
from review.models.enums import ApplicationType, StageKind


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


def certificate_expiry(valid_from: dt.date) -> dt.date:
    """The last day of a five-year validity: the day before the same date five years on."""
    try:
        return valid_from.replace(year=valid_from.year + CERTIFICATE_YEARS) - dt.timedelta(days=1)
    except ValueError:  # Feb 29
        return valid_from.replace(year=valid_from.year + CERTIFICATE_YEARS, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` later, or the month's last day when it has no such date (Civil
    Code Art. 202): the applicant's rectification period (six months) is counted this way."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


# Renewal windows. A registration certificate's renewal is filed at least six months before it
# expires (Order 47 Art. 82); a production licence's between 90 and 30 working days before it
# expires (Order 53 Art. 17; filed later, it is no longer accepted).
REGISTRATION_RENEWAL_MONTHS = 6  # Order 47 Art. 82
LICENCE_RENEWAL_OPENS_WD = 90  # Order 53 Art. 17
LICENCE_RENEWAL_CLOSES_WD = 30  # Order 53 Art. 17


@dataclass(frozen=True)
class RenewalWindow:
    """When a certificate's renewal is filed: from ``opens`` (None: no earliest day) up to and
    including ``closes``. ``expires_on`` is the certificate's last valid day, not a filing date."""

    expires_on: dt.date
    opens: dt.date | None
    closes: dt.date

    def missed(self, today: dt.date) -> bool:
        return today > self.closes


def renewal_window(kind: str, expires_on: dt.date, cal) -> RenewalWindow:
    """The filing window of a certificate's renewal (pure: the calendar is passed in).

    Six months before a registration certificate's expiry is counted like any month period
    (``add_months``, Civil Code Art. 202): 2027-05-09 gives 2026-11-09. A licence's window is
    counted in working days back from its expiry."""
    if kind == Certificate.Kind.LICENCE:
        return RenewalWindow(expires_on, cal.add_working_days(expires_on, -LICENCE_RENEWAL_OPENS_WD),
                             cal.add_working_days(expires_on, -LICENCE_RENEWAL_CLOSES_WD))
    return RenewalWindow(expires_on, None, add_months(expires_on, -REGISTRATION_RENEWAL_MONTHS))


def validity_start(approved_on: dt.date, renewed=None) -> dt.date:
    """Order 47 Art. 58, 84: validity runs from the approval date the certificate states; a renewal
    approved before the old certificate expires runs from the day after that expiry."""
    if renewed is not None and approved_on <= renewed.expires_on:
        return renewed.expires_on + dt.timedelta(days=1)
    return approved_on


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
    replaces."""
    licence = stage.kind == StageKind.LICENCE_ISSUANCE or app.application_type == ApplicationType.LICENCE
    kind = Certificate.Kind.LICENCE if licence else Certificate.Kind.REGISTRATION
    if Certificate.objects.filter(kind=kind, number=number).exists():
        raise InvalidInput(_("Number: certificate or licence %(n)s already exists; check the number.")
                           % {"n": number}, {"field": "reference"})
    approving = app.stages.filter(kind=_APPROVING[stage.kind]).values_list("finished_on", flat=True).first()
    approved_on = approving or today
    renewed = app.renewal_of if kind == Certificate.Kind.REGISTRATION else None
    valid_from = validity_start(approved_on, renewed)
    certificate = Certificate.objects.create(
        application=app, enterprise_id=app.enterprise_id, kind=kind, number=number,
        product_name=app.product_name, approved_on=approved_on, valid_from=valid_from, issued_on=today,
        expires_on=certificate_expiry(valid_from))
    if renewed is not None:
        Certificate.objects.filter(pk=renewed.pk, renewal__isnull=True).update(renewal=app)
    return certificate
