"""The working-day calendar as data: the official schedule per year, editable in the admin.

The counting itself is pure Python in ``clock.calendar``; these rows only feed it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official State Council schedule is loaded.

    A year without a row here is provisional: weekends only, and every deadline falling in it is
    marked provisional until the schedule is published (late October to early December).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that breaks the weekday rule: a holiday on a weekday or a working weekend day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Adjusted working day (调休上班)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        """A weekday is a working day anyway: an adjusted working day (调休上班) is a Saturday or a
        Sunday worked in exchange for a day off. A holiday may fall on a weekend: the official
        schedules list the weekend days of a holiday too."""
        if self.kind == self.Kind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"date": ValidationError(
                _("An adjusted working day must be a Saturday or a Sunday: %(date)s is a %(weekday)s. "
                  "Choose a weekend date, or set the kind to “Holiday (day off)”."),
                code="workday_on_weekday",
                params={"date": self.date.isoformat(), "weekday": formats.date_format(self.date, "l")})})
