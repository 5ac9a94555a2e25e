"""Writes to the working-day calendar, each followed by re-projecting the open deadlines.

docs/calendar.md#loading-a-newly-published-year: loading the official schedule of a year re-projects
the open deadlines it affects, and logs it. The same holds for an administrator's edit of one day.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from clock.calendar_sources import YearSchedule
from review.models import CalendarDay, CalendarYear
from review.selectors import calendar_cache_clear, calendar_load
from services.workflow import deadlines_reproject


def _reproject(actor, cause: str) -> int:
    """Re-project with the calendar as written in this transaction; this process's cache is
    cleared only once it commits (clearing inside let another request cache the old calendar
    again before the commit, and a rolled-back write could leave a calendar that never was).
    Other processes' caches expire after CALENDAR_TTL."""
    transaction.on_commit(calendar_cache_clear)
    return deadlines_reproject(actor=actor, cause=cause, cal=calendar_load())


def calendar_load_years(*, schedule: dict[int, YearSchedule], actor, source: str = "") -> tuple[int, int]:
    """Replace the days of each year in ``schedule`` and mark the years official.

    Returns (days written, deadlines moved). All or nothing: a failure leaves the old calendar.
    """
    written = 0
    with transaction.atomic():
        for year, data in sorted(schedule.items()):
            CalendarDay.objects.filter(date__year=year).delete()
            days = [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n[:100])
                    for d, n in data["holidays"]]
            days += [CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=n[:100])
                     for d, n in data["workdays"]]
            CalendarDay.objects.bulk_create(days)
            written += len(days)
            CalendarYear.objects.update_or_create(
                year=year, defaults={"source": (source or data.get("source") or "")[:300]}
            )
        years = ", ".join(str(y) for y in sorted(schedule))
        moved = _reproject(actor, _("Official calendar loaded for %(years)s") % {"years": years})
    return written, moved


def calendar_day_save(*, day: CalendarDay, actor) -> int:
    with transaction.atomic():
        day.save()
        return _reproject(actor, _("Calendar day %(d)s edited") % {"d": day.date})


def calendar_day_delete(*, day: CalendarDay, actor) -> int:
    with transaction.atomic():
        when = day.date
        day.delete()
        return _reproject(actor, _("Calendar day %(d)s removed") % {"d": when})


def calendar_year_save(*, year: CalendarYear, actor) -> int:
    with transaction.atomic():
        year.save()
        return _reproject(actor, _("Year %(y)s marked official") % {"y": year.year})


def calendar_year_delete(*, year: CalendarYear, actor) -> int:
    with transaction.atomic():
        y = year.year
        year.delete()
        return _reproject(actor, _("Year %(y)s marked provisional") % {"y": y})
