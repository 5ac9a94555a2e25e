"""Working-day calendar: the arithmetic behind every statutory and target deadline.

Counting rule
-------------
All registration time limits are working days (工作日):

* Order 47 (《医疗器械注册与备案管理办法》, SAMR Order No. 47, 2021), Art. 99: the time limits of
  the Order are counted in working days.
* Administrative Licensing Law (《行政许可法》) Art. 82: licensing time limits are counted in
  working days, statutory holidays (法定节假日) excluded.

The start day is never counted: "within 60 working days of acceptance" ends on the 60th working
day *after* the acceptance date. So ``add_working_days(accepted_on, 60)`` is the statutory due date,
and ``working_days_between(accepted_on, today)`` counts the half-open interval (accepted_on, today].

What a working day is
---------------------
A day is a working day iff it is Monday-Friday and not a holiday, or it is an adjusted working day
(调休上班, a weekend day the State Council notice turns into a working day). The official
schedule of each year comes from the State Council's annual notice
(国务院办公厅关于某年部分节假日安排的通知), published between late October and early December
of the year before. A year whose schedule is not
loaded is *provisional*: only weekends (and any holidays given for it) are days off, and deadlines
that fall in it must be shown as provisional until the official schedule is loaded.

Why precompute
--------------
Deadlines are recomputed for every open stage on every sweep, every list page and every
re-projection, so the calendar precomputes, once, over a fixed span (1990-01-01..2100-12-31 at
least):

* ``_dates``: the sorted tuple of all working days in the span (about 29,000 dates);
* ``_rank``: for each day of the span, how many working days fall on or before it (a prefix count:
  ``_rank[k]`` is what ``bisect_right(ordinals, first + k)`` would return, looked up instead of
  searched).

Every question is then one or two tuple lookups: O(1), no per-day loop and no search. A
``bisect`` over the sorted ordinals (O(log n)) was measured first: 480 ns a call, 17x the naive
loop; the lookup table is about 130 ns, ~60x (``benchmarks/calendar_bench.py``,
``docs/benchmarks.md``), for about 2.5 MB per calendar. ``naive_add_working_days`` is the
day-by-day reference used by the tests and the benchmark only.

This module is pure Python: no Django, no ORM, no I/O. The database-backed calendar builds a
``WorkingCalendar`` from its rows; ``clock.calendar_sources`` builds one from the maintained
package.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = [
    "SPAN_FIRST",
    "SPAN_LAST",
    "WorkingCalendar",
    "naive_add_working_days",
    "naive_working_days_between",
]

# The calendar answers for every day in at least this span; it is widened to whole years to cover
# any holiday or adjusted working day it is given. 1990 covers any historical record we may import,
# 2100 any realistic deadline (5-year certificates renewed many times over).
SPAN_FIRST = date(1990, 1, 1)
SPAN_LAST = date(2100, 12, 31)

_SATURDAY = 5  # date.weekday(): Monday == 0 ... Saturday == 5, Sunday == 6


def _as_date_set(name: str, values: Iterable[date]) -> frozenset[date]:
    """Coerce to a frozenset of plain dates, refusing datetimes.

    A ``datetime`` never compares equal to a ``date``, so one slipping in would silently be ignored
    by the membership tests of the naive reference: refuse it instead.
    """
    result = frozenset(values)
    for value in result:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(
                f"WorkingCalendar.{name} must contain datetime.date objects, got {value!r}; "
                "pass value.date() for a datetime."
            )
    return result


@dataclass(frozen=True, repr=False)
class WorkingCalendar:
    """An immutable working-day calendar.

    ``holidays`` are days off (normally weekdays, e.g. 2026-02-16; weekend holidays are accepted
    and change nothing); ``workdays`` are adjusted working days (normally weekend days, e.g.
    2026-01-04); ``official_years`` are the years whose official schedule is loaded, every other
    year is provisional. Instances are immutable and thread-safe, so one can be cached per process
    and shared; build a new one when the schedule changes.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    official_years: frozenset[int] = frozenset()

    # Derived state, excluded from equality, hashing and repr.
    _dates: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _rank: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _first: int = field(init=False, repr=False, compare=False)  # ordinal of the span's first day
    _size: int = field(init=False, repr=False, compare=False)  # last ordinal - first ordinal

    def __post_init__(self) -> None:
        holidays = _as_date_set("holidays", self.holidays)
        workdays = _as_date_set("workdays", self.workdays)
        official_years = frozenset(operator.index(year) for year in self.official_years)
        both = holidays & workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both)[:5])
            raise ValueError(
                f"{listed}: a day cannot be both a holiday and an adjusted working day; "
                "remove it from one of the two lists."
            )

        first, last = SPAN_FIRST, SPAN_LAST
        given = holidays | workdays
        if given:
            first = min(first, date(min(given).year, 1, 1))
            last = max(last, date(max(given).year, 12, 31))
        first_ord, last_ord = first.toordinal(), last.toordinal()

        off = {d.toordinal() for d in holidays}
        on = {d.toordinal() for d in workdays}
        working: list[date] = []
        rank: list[int] = []
        count = 0
        for o in range(first_ord, last_ord + 1):
            # date.fromordinal(1) is a Monday, so (ordinal + 6) % 7 == date.weekday().
            if o in on or ((o + 6) % 7 < _SATURDAY and o not in off):
                working.append(date.fromordinal(o))
                count += 1
            rank.append(count)

        # Frozen dataclass: derived fields are set once, here, through object.__setattr__.
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "official_years", official_years)
        object.__setattr__(self, "_dates", tuple(working))
        object.__setattr__(self, "_rank", tuple(rank))
        object.__setattr__(self, "_first", first_ord)
        object.__setattr__(self, "_size", last_ord - first_ord)

    @functools.cached_property
    def digest(self) -> str:
        """The schedule as a short string, the same in every process for the same schedule
        (``hash()`` of dates is salted per process): a key for what was computed with it."""
        text = ";".join((",".join(sorted(d.isoformat() for d in self.holidays)),
                         ",".join(sorted(d.isoformat() for d in self.workdays)),
                         ",".join(str(y) for y in sorted(self.official_years))))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def __repr__(self) -> str:
        # The default repr would print thousands of dates; summarise instead.
        years = sorted(self.official_years)
        official = f"{years[0]}..{years[-1]} ({len(years)} years)" if years else "none"
        return (
            f"<WorkingCalendar official={official} holidays={len(self.holidays)} "
            f"workdays={len(self.workdays)} span={self.first_day}..{self.last_day}>"
        )

    # ------------------------------------------------------------------ construction helpers

    @classmethod
    def empty(cls) -> WorkingCalendar:
        """A provisional-only calendar: weekends off, no holidays, no official year.

        Useful before any schedule is loaded and in tests; every date it answers for is
        provisional.
        """
        return cls()

    @classmethod
    def from_schedule(
        cls,
        schedule: Mapping[int, Mapping[str, Any]],
        *,
        official: bool = True,
    ) -> WorkingCalendar:
        """Build from ``{year: {"holidays": [(date, name), ...], "workdays": [...]}}``.

        That is the shape returned by ``clock.calendar_sources.official_schedule`` and
        ``load_schedule_file``. The schedule's years become official unless ``official`` is false
        (e.g. to preview a file before loading it).
        """
        holidays: set[date] = set()
        workdays: set[date] = set()
        for entry in schedule.values():
            holidays.update(day for day, _name in entry.get("holidays", ()))
            workdays.update(day for day, _name in entry.get("workdays", ()))
        return cls(
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            official_years=frozenset(schedule) if official else frozenset(),
        )

    # ------------------------------------------------------------------ span

    @property
    def first_day(self) -> date:
        """First day the calendar answers for."""
        return date.fromordinal(self._first)

    @property
    def last_day(self) -> date:
        """Last day the calendar answers for."""
        return date.fromordinal(self._first + self._size)

    def _out_of_span(self, d: date) -> ValueError:
        return ValueError(
            f"{d.isoformat()} is outside the working-day calendar "
            f"({self.first_day.isoformat()}..{self.last_day.isoformat()}); "
            "working days cannot be counted for it."
        )

    # ------------------------------------------------------------------ queries

    def is_working_day(self, d: date) -> bool:
        """True iff ``d`` is a working day (see the module docstring for the rule)."""
        k = d.toordinal() - self._first
        if not 0 <= k <= self._size:
            raise self._out_of_span(d)
        rank = self._rank
        return rank[k] != (rank[k - 1] if k else 0)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start``; ``start`` itself is never counted.

        ``days == 0`` returns ``start`` unchanged (even on a day off). A negative ``days`` gives
        the ``|days|``-th working day *before* ``start``; the statutory API never accepts it, but
        re-projection uses it to recover the start a stored deadline was computed from.

        Raises ValueError if ``start`` or the result falls outside the calendar's span.
        """
        # Hot path (the benchmark's million calls): local lookups only, no search, no loop.
        k = start.toordinal() - self._first
        if not 0 <= k <= self._size:
            raise self._out_of_span(start)
        if days > 0:
            # _rank[k] working days fall on or before start, so the first one after it is
            # _dates[_rank[k]] and the days-th one is days - 1 further.
            i = self._rank[k] + days - 1
            if i < len(self._dates):
                return self._dates[i]
            raise ValueError(
                f"{days} working days after {start.isoformat()} is beyond the calendar's "
                f"last day {self.last_day.isoformat()}."
            )
        if days == 0:
            return start
        # Working days strictly before start, then step back |days| of them (days < 0 here).
        i = (self._rank[k - 1] if k else 0) + operator.index(days)
        if i < 0:
            raise ValueError(
                f"{-days} working days before {start.isoformat()} is before the calendar's "
                f"first day {self.first_day.isoformat()}."
            )
        return self._dates[i]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval (start, end].

        So ``working_days_between(d, add_working_days(d, n)) == n`` for ``n >= 0``. If
        ``end < start`` the result is ``-working_days_between(end, start)``, so elapsed time
        computed against an earlier "today" is negative rather than silently zero.
        """
        first, size = self._first, self._size
        s = start.toordinal() - first
        e = end.toordinal() - first
        if not 0 <= s <= size:
            raise self._out_of_span(start)
        if not 0 <= e <= size:
            raise self._out_of_span(end)
        # A difference of prefix counts; its sign flips by itself when end < start.
        return self._rank[e] - self._rank[s]

    def is_provisional(self, d: date) -> bool:
        """True if ``d``'s year has no official schedule loaded (weekends-only guess)."""
        return d.year not in self.official_years

    def provisional_between(self, start: date, end: date) -> bool:
        """True if any year from ``start``'s to ``end``'s (inclusive, either order) is provisional.

        A deadline computed across such a year may move when its schedule is published.
        """
        low, high = sorted((start.year, end.year))
        official = self.official_years
        return any(year not in official for year in range(low, high + 1))


# ---------------------------------------------------------------------- naive reference


def _naive_is_working_day(calendar: WorkingCalendar, d: date) -> bool:
    """The definition itself, evaluated from the calendar's sets, not its precomputed table."""
    return (d.weekday() < _SATURDAY and d not in calendar.holidays) or d in calendar.workdays


def naive_add_working_days(calendar: WorkingCalendar, start: date, days: int) -> date:
    """Day-by-day reference for ``WorkingCalendar.add_working_days`` (tests and benchmark only).

    Deliberately independent of the precomputed table, so agreement between the two is evidence
    that the fast path is right. Same contract, without the span checks.
    """
    if days == 0:
        return start
    step = date.resolution if days > 0 else -date.resolution
    remaining = abs(days)
    d = start
    while remaining:
        d += step
        if _naive_is_working_day(calendar, d):
            remaining -= 1
    return d


def naive_working_days_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Day-by-day reference for ``WorkingCalendar.working_days_between`` (tests only)."""
    if end < start:
        return -naive_working_days_between(calendar, end, start)
    count = 0
    d = start
    while d < end:
        d += date.resolution
        count += _naive_is_working_day(calendar, d)
    return count
