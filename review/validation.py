"""Checks of free text that services apply before anything is written.

Forms and serializers may check earlier for a nicer message; this is the guard every interface
passes through, so a field is never truncated or stored with a line break where one breaks
something later (e-mail headers, CSV exports, the admin's one-line cells).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from review.exceptions import InvalidInput
from review.validators import control_characters


def single_line(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """``value`` stripped; ``InvalidInput`` naming the field when it is too long, has control
    characters or (``required``) is empty."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(_("%(label)s: this field is required.") % {"label": label}, {"field": field})
    bad = control_characters(text)
    if bad:
        raise InvalidInput(
            _("%(label)s: write it on one line, without line breaks, tabs or other control "
              "characters (found %(chars)s).") % {"label": label, "chars": ", ".join(bad)},
            {"field": field})
    if len(text) > max_length:
        raise InvalidInput(
            _("%(label)s: at most %(max)d characters; this one has %(n)d.")
            % {"label": label, "max": max_length, "n": len(text)}, {"field": field})
    return text


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: str, *, field: str, label) -> dt.date:
    """A date typed as YYYY-MM-DD. Two different mistakes, two messages naming the field: a
    date in another shape, and a well-formed date that is not in the calendar (2026-02-30),
    where "use the format YYYY-MM-DD" would tell the user to do what they already did."""
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        if ISO_DAY.fullmatch(text):
            raise InvalidInput(_("%(label)s: %(value)s is not a day in the calendar; check the month and the day.")
                               % {"label": label, "value": text}, {"field": field}) from None
        raise InvalidInput(_("%(label)s: enter a date as YYYY-MM-DD.") % {"label": label},
                           {"field": field}) from None
