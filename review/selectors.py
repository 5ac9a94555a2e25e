"""Reads that feed services, pages and APIs, each doing its own joins.

The working calendar is loaded once per process and kept until a write to the calendar tables
calls ``calendar_cache_clear`` (same process) or ``CALENDAR_TTL`` passes (other processes).
"""

from __future__ import annotations

import threading
import time
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from clock.calendar import WorkingCalendar
from clock.calendar_sources import PROVISIONAL_YEARS_AHEAD, provisional_holidays
from review.models import (
    Application,
    CalendarDay,
    CalendarYear,
    PolicyPack,
    PolicyRule,
    Stage,
)
from review.models.enums import APPLICANT_SIDE_REASONS
from review.permissions import ALL_OFFICES

CALENDAR_TTL = 60.0  # seconds another process may use an old calendar after an edit
_calendar_lock = threading.Lock()
_calendar_cache: tuple[float, WorkingCalendar] | None = None


def calendar_current() -> WorkingCalendar:
    """The working calendar from the database (two queries, then cached)."""
    global _calendar_cache
    with _calendar_lock:
        if _calendar_cache and time.monotonic() - _calendar_cache[0] < CALENDAR_TTL:
            return _calendar_cache[1]
        cal = calendar_load()
        _calendar_cache = (time.monotonic(), cal)
        return cal


def calendar_load() -> WorkingCalendar:
    """The working calendar as this transaction sees it, never cached: a calendar write projects
    deadlines with it before it commits (the cache is cleared only on commit)."""
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    if years:  # the years after the last official one: statutory holidays, provisionally
        after = max(years) + 1
        for day, _name in provisional_holidays(after, after + PROVISIONAL_YEARS_AHEAD - 1):
            if day not in workdays and day.weekday() < 5:
                holidays.add(day)
    return WorkingCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays), official_years=years)


def calendar_cache_clear() -> None:
    global _calendar_cache
    with _calendar_lock:
        _calendar_cache = None


def policy_pack_in_force(on: date, jurisdiction: str) -> PolicyPack | None:
    """The jurisdiction's active pack on ``on``; the national statutory pack when it has none."""
    in_force = PolicyPack.objects.filter(active=True, effective_from__lte=on).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=on)
    ).order_by("-effective_from", "-version")
    return in_force.filter(jurisdiction=jurisdiction).first() or in_force.filter(jurisdiction="CN").first()


def policy_levels(pack: PolicyPack) -> list[list[PolicyRule]]:
    """The rules of a pack and of each ancestor, child first (one query per level)."""
    levels, seen = [], set()
    while pack is not None and pack.pk not in seen:
        seen.add(pack.pk)
        levels.append(list(pack.rules.all()))
        pack = pack.parent
    return levels


def application_attrs(application: Application) -> dict:
    return {
        "device_class": application.device_class,
        "category": application.category,
        "pathway": application.pathway,
        "application_type": application.application_type,
        "complex_product": application.complex_product,
    }


def applications_visible_to(user):
    """Every list and detail goes through here: enterprise users see their enterprise only,
    industry officers their district or park in their office, staff with the permission their
    office's cases, and the national role (``view_all_offices``) every office's
    (docs/security.md#who-reads-what, docs/offices.md)."""
    qs = Application.objects.select_related("enterprise", "route", "office")
    if not user.is_authenticated:
        return qs.none()
    if user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.has_perm(ALL_OFFICES):
        return qs if user.has_perm("review.view_all_applications") else qs.none()
    if user.office_id is None:
        return qs.none()
    qs = qs.filter(office_id=user.office_id)
    if user.has_perm("review.view_all_applications"):
        return qs
    if user.district:
        qs = qs.filter(enterprise__district=user.district)
        return qs.filter(enterprise__park=user.park) if user.park else qs
    return qs.none()


def stages_with_stops():
    return Stage.objects.prefetch_related(Prefetch("clock_stops"))


# --- case pages ------------------------------------------------------------------------------
def case_clock(application: Application, stages: list[Stage], *, today: date,
               cal: WorkingCalendar) -> dict:
    """Like the FDA's "total time" and "FDA days": working days since acceptance, and those on
    the applicant's side (supplements, missing items, rectification)."""
    end = application.closed_on or today
    total = cal.working_days_between(application.accepted_on, end) if application.accepted_on else None
    applicant = sum(
        cal.working_days_between(c.started_on, c.ended_on or end)
        for s in stages for c in s.clock_stops.all() if c.reason in APPLICANT_SIDE_REASONS
    )
    # A pack's case-level reference figure (Lishui: one reported case, intent to licence in 5 WD)
    # is compared with this case's own total over the same span, never split into stages.
    pack = application.policy_pack
    reference = pack.reference_total_days if pack is not None else None
    intent_days = (cal.working_days_between(timezone.localdate(application.created_at), end)
                   if reference is not None and application.created_at else None)
    return {
        "total_days": total,
        "applicant_days": applicant,
        "authority_days": None if total is None else max(total - applicant, 0),
        "reference_total_days": reference,
        "reference_total_label": pack.reference_total_label if reference is not None else "",
        "intent_days": intent_days,
    }
