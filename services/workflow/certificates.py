"""Certificates and licences: recorded at issuance with their validity, for the renewal watch."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from review.models import Certificate
from review.models.enums import ApplicationType, StageKind
from services.exceptions import InvalidInput


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


def record_certificate(app, stage, number: str, today: dt.date) -> None:
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


