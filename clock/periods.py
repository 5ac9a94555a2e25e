"""Calendar periods of the law: years, months and validity, and the windows they make.

Pure Python (docs/architecture.md#the-house): functions of dates and a
``WorkingCalendar`` passed in; no ORM, no Django. The workflow's writers, the sweep, the digests and
the notices all import these rules from here (docs/regulatory-basis.md, keys ``cc-201``, ``cc-203``,
``o47-58``, ``o47-82``, ``o53-17``).

How a period in years or months is counted (Civil Code, 《中华人民共和国民法典》):

* Art. 201: a period counts from the day after its start (the start day is not counted);
* Art. 202: a period in months or years ends on the corresponding day of the last month; where that
  month has no such day, on the month's last day;
* Art. 203: where the last day is a statutory rest day or holiday (法定休假日), the period ends on the
  day after the rest ends, that is the next working day on the official calendar.

Order 47 says nothing of how its year (Art. 54) or the rectification months are counted, so the Civil
Code's rules apply as its default (Art. 204: "期间的计算方法依照本法的规定，但是法律另有规定或者当事人另有
约定的除外").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

REGISTRATION = "registration"  # review.models.Certificate.Kind values, spelled here to stay pure
LICENCE = "licence"

CERTIFICATE_YEARS = 5  # Order 47 Art. 58; Order 53 Art. 14: valid five years
REGISTRATION_RENEWAL_MONTHS = 6  # Regulations Art. 22; Order 47 Art. 82: filed 6 months before expiry
LICENCE_RENEWAL_OPENS_WD = 90  # Order 53 Art. 17: filed from 90 WD before expiry ...
LICENCE_RENEWAL_CLOSES_WD = 30  # ... to 30 WD before; outside that window it is not accepted


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` later (or earlier), or the month's last day when it has no such date
    (Civil Code Art. 202): the applicant's rectification period (six months) is counted this way."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


def rest_day_end(last_day: dt.date, cal) -> dt.date:
    """Civil Code Art. 203: a period whose last day is a statutory rest day or holiday ends on the
    day after the rest ends: the next working day of the official calendar. A working day (an
    adjusted working weekend day included) stays as it is. 2026-06-19 (端午, rest until Sun 6/21)
    gives Mon 2026-06-22."""
    if cal.is_working_day(last_day):
        return last_day
    return cal.add_working_days(last_day, 1)


def supplement_answer_deadline(notified_on: dt.date, cal=None) -> dt.date:
    """Order 47 Art. 54 (IVD: Order 48 Art. 53): the applicant answers within one year of the notice.

    A year ends on the same date of the next year, or on Feb 28 when there is no Feb 29 (Civil
    Code Art. 202); with a calendar, a last day that is a rest day moves to the next working day
    (Art. 203). Fix: this was ``notified_on + 365 days``, one day short whenever the year crosses
    a Feb 29 (a notice of 2027-06-01 expired on 2028-05-31).
    """
    last = add_months(notified_on, 12)
    return rest_day_end(last, cal) if cal is not None else last


def applicant_months_deadline(started_on: dt.date, months: int, cal=None) -> dt.date:
    """An applicant's period of ``months`` (the six-month rectification, NMPA QMS procedure 2015
    Art. 17), counted by Civil Code Art. 201-203."""
    last = add_months(started_on, months)
    return rest_day_end(last, cal) if cal is not None else last


def certificate_expiry(valid_from: dt.date) -> dt.date:
    """The last day of a five-year validity: the day before the same date five years on."""
    try:
        return valid_from.replace(year=valid_from.year + CERTIFICATE_YEARS) - dt.timedelta(days=1)
    except ValueError:  # Feb 29
        return valid_from.replace(year=valid_from.year + CERTIFICATE_YEARS, day=28)


def validity_start(approved_on: dt.date, renewed_expires_on: dt.date | None = None) -> dt.date:
    """Order 47 Art. 58, 84: validity runs from the approval date the certificate states; a renewal
    approved before the old certificate expires runs from the day after that expiry."""
    if renewed_expires_on is not None and approved_on <= renewed_expires_on:
        return renewed_expires_on + dt.timedelta(days=1)
    return approved_on


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
    """The filing window of a certificate's renewal.

    Six months before a registration certificate's expiry is counted like any month period
    (``add_months``, Civil Code Art. 202): 2027-05-09 gives 2026-11-09. A licence's window is
    counted in working days back from its expiry (Order 53 Art. 17)."""
    if kind == LICENCE:
        return RenewalWindow(expires_on, cal.add_working_days(expires_on, -LICENCE_RENEWAL_OPENS_WD),
                             cal.add_working_days(expires_on, -LICENCE_RENEWAL_CLOSES_WD))
    return RenewalWindow(expires_on, None, add_months(expires_on, -REGISTRATION_RENEWAL_MONTHS))


@dataclass(frozen=True)
class RenewalFiling:
    """Whether a renewal was filed inside its window, and the article that says so."""

    window: RenewalWindow
    filed_on: dt.date
    too_early: bool
    too_late: bool

    @property
    def in_time(self) -> bool:
        return not (self.too_early or self.too_late)


def renewal_filing(kind: str, expires_on: dt.date, filed_on: dt.date, cal) -> RenewalFiling:
    """Was a renewal filed in time? A registration renewal filed less than six months before expiry
    must be refused (Order 47 Art. 82 para. 1, Art. 83(1)); a licence renewal filed outside 90 to 30
    WD before expiry is not accepted (Order 53 Art. 17).

    Reading (labelled in docs/regulatory-basis.md#o47-83): the last filing day of a registration
    renewal is itself the end of a period counted in months, so where it is a rest day a filing on
    the next working day is still in time (Civil Code Art. 203). A stricter reading would flag such a
    filing; this one never flags a renewal that a court could hold timely. The licence window is in
    working days, so its ends are working days already."""
    window = renewal_window(kind, expires_on, cal)
    closes = rest_day_end(window.closes, cal) if kind != LICENCE else window.closes
    return RenewalFiling(window, filed_on, too_early=window.opens is not None and filed_on < window.opens,
                         too_late=filed_on > closes)
