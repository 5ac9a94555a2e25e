"""The dashboard's monthly summaries (docs/dashboard.md#summaries): the stages finished in a
complete month, counted once by ``build_month`` into ``StageMonth`` rows, so the page reads a few
thousand rows instead of every finished stage and its case.

Exactness. A summary row holds counts, sums, minimums and maximums only, per stage kind, filter
dimension and working days used (a histogram): any set of rows adds up to exactly the figures of
the stages it counts, the 90th percentile included (``percentile_cont`` computed from the
histogram with PostgreSQL's own float arithmetic, ``percentile_from_histogram``; calendar-day
averages with its interval division, ``interval_avg``). The raw reads in ``kpi.selectors`` give
the same shapes, and the two are added.

Which month comes from where (``split``): a month entirely inside the period, built after it
ended and not marked stale since, is read from its summary; every other day of the period (the
first and last months when they are partial, the current month, a month never built or stale) is
read from the stages. So a figure never depends on when the summary was built: a missing or stale
summary only costs time.

Kept current by: ``refresh`` (hourly, ``kpi.tasks``: the months marked stale, the complete months not
built since they ended, and once a day the last ``RECENT_MONTHS`` months), ``mark_stale`` (the
workflow, when a stage finishes on a day of a month already built or a case's filter dimensions
change) and ``manage.py kpi_summaries`` (every month, or the ones named).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from review.models import ClockStop, Stage
from review.models.enums import APPLICANT_SIDE_REASONS, StageKind, StageState

from .models import StageMonth, SummaryMonth

# Once a day the refresh rebuilds the last complete months: a case's filter dimensions changed by
# hand (an enterprise's district) reach them within a day; older months at ``kpi_summaries``.
RECENT_MONTHS = 3

# The summary's dimensions: its field, the finished stage's path to the same value.
DIMENSIONS = {
    "office": "application__office_id",
    "kind": "kind",
    "consumed_days": "consumed_days",
    "department": "department_id",
    "device_class": "application__device_class",
    "category": "application__category",
    "pathway": "application__pathway",
    "application_type": "application__application_type",
    "policy_pack": "application__policy_pack_id",
    "district": "application__enterprise__district",
    "park": "application__enterprise__park",
}


# --- what a finished stage counts for: one definition, read by the raw figures and the build ----
def days(end, start):
    """Calendar days between two dates, as PostgreSQL's interval (``date - date`` days)."""
    return ExpressionWrapper(end - start, output_field=DurationField())


def statutory_local() -> Q:
    """Stages with a statutory limit of their own (the national review's is a reference only)."""
    return Q(statutory_days__isnull=False, statutory_reference=False)


def met_target() -> Q:
    # A target that is the statutory limit itself counts from the hand-over too
    # (clock.sla.target_handover_days; docs/regulatory-basis.md#o47-91).
    return Q(target_days__isnull=False) & (
        Q(consumed_days__lte=F("target_days") + F("extension_days"))
        | Q(target_days=F("statutory_days"),
            consumed_days__lte=F("target_days") + F("extension_days") + F("handover_days")))


def met_statutory() -> Q:
    # The review's statutory limit counts from the hand-over (docs/regulatory-basis.md#o47-91).
    return statutory_local() & Q(consumed_days__lte=F("statutory_days") + F("extension_days") + F("handover_days"))


def finished_measures() -> dict:
    """The stage table's and the trend's sums over finished stages (``StageMonth``'s columns)."""
    return {
        "n": Count("pk"), "sum_days": Sum("consumed_days"),
        "target_min": Min("target_days"), "target_max": Max("target_days"),
        "statutory_min": Min("statutory_days", filter=statutory_local()),
        "statutory_max": Max("statutory_days", filter=statutory_local()),
        "n_target": Count("target_days"), "n_on_target": Count("pk", filter=met_target()),
        "n_statutory": Count("pk", filter=statutory_local()),
        "n_on_statutory": Count("pk", filter=met_statutory()),
    }


def summary_measures() -> dict:
    """The same figures added up from ``StageMonth`` rows."""
    return {
        # sum_days first: after the annotation "n", F("n") would name the sum, not the column
        "sum_days": Sum(F("consumed_days") * F("n")), "n": Sum("n"),
        "target_min": Min("target_min"), "target_max": Max("target_max"),
        "statutory_min": Min("statutory_min"), "statutory_max": Max("statutory_max"),
        "n_target": Sum("n_target"), "n_on_target": Sum("n_on_target"),
        "n_statutory": Sum("n_statutory"), "n_on_statutory": Sum("n_on_statutory"),
    }


def decision_start():
    """The day a decided case's clock counts from: its acceptance; a licence decision's, the
    licence's acceptance (Order 53 Art. 10, 11)."""
    return Case(When(kind=StageKind.LICENCE_DECISION,
                     then=Coalesce("application__licence_accepted_on", "application__accepted_on")),
                default=F("application__accepted_on"), output_field=DateField())


def counted_decision_q() -> Q:
    """The one decision a decided case is counted by: its registration decision, else (a Class III
    case's only provincial decision) its licence decision (docs/dashboard.md, case-level)."""
    has_registration_decision = Exists(Stage.objects.filter(
        application_id=OuterRef("application_id"), kind=StageKind.DECISION))
    return Q(kind=StageKind.DECISION) | (Q(kind=StageKind.LICENCE_DECISION) & ~has_registration_decision)


def applicant_end():
    """An unanswered pause is the applicant's only up to their deadline (the rest was the office's)."""
    return Case(When(answered=False, applicant_deadline__lt=F("ended_on"), then=F("applicant_deadline")),
                default=F("ended_on"))


def applicant_days_of_decision():
    """The applicant's days of a decided case, for a decision annotated with ``start``: its
    applicant-side pauses that began within the span from the start of its clock to the decision
    and ended (a decision needs the review done, so every request was answered, lapsed or closed),
    each up to ``applicant_end``. A licence's rectification after the registration's decision is
    not in it. A subquery per decision, through the case's stages (an index probe each)."""
    stops = (ClockStop.objects.filter(stage__application_id=OuterRef("application_id"),
                                      reason__in=APPLICANT_SIDE_REASONS, ended_on__isnull=False,
                                      started_on__gte=OuterRef("start"), started_on__lte=OuterRef("finished_on"))
             .order_by().values("stage__application_id")
             .annotate(d=Sum(days(applicant_end(), F("started_on")))).values("d"))
    return Subquery(stops, output_field=DurationField())


def lishui_q() -> Q:
    """Lishui's intent-to-licence figure counts the licences issued under the Lishui pack."""
    return ((Q(kind=StageKind.LICENCE_ISSUANCE) | Q(kind=StageKind.ISSUANCE, application__application_type="licence"))
            & Q(application__policy_pack__jurisdiction="LS"))


def lishui_days():
    return days(F("finished_on"), TruncDate("application__created_at"))


# --- PostgreSQL's arithmetic, for figures added up from parts ---------------------------------
def percentile_from_histogram(histogram: dict[int, int], p: float) -> float | None:
    """``percentile_cont(p) WITHIN GROUP (ORDER BY x)`` of the values ``{value: how many}``, in
    PostgreSQL's own steps and float arithmetic (``percentile_cont_final_common``: the rows at
    floor and ceil of p·(n−1), 0-based, and ``float8_lerp``), so the figure is the same to the bit."""
    n = sum(histogram.values())
    if not n:
        return None
    position = p * (n - 1)
    first, second = math.floor(position), math.ceil(position)
    lo = hi = None
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if lo is None and first < seen + count:
            lo = float(value)
        if second < seen + count:
            hi = float(value)
            break
        seen += count
    return lo + (hi - lo) * (position - first)


def interval_avg(total_days: int, n: int) -> dt.timedelta | None:
    """``avg`` of ``n`` whole-day intervals summing to ``total_days``, as PostgreSQL computes it
    (``interval_div`` of the sum by n as a float8: whole days truncated, the remainder in seconds
    rounded to microseconds, ``rint`` rounding halves to even as Python's ``round`` does)."""
    if not n:
        return None
    factor = float(n)
    day = int(total_days / factor)
    seconds = (total_days / factor - day) * 86400
    seconds = round(seconds * 1_000_000) / 1_000_000
    if abs(seconds) >= 86400:
        day += int(seconds / 86400)
        seconds -= int(seconds / 86400) * 86400
    return dt.timedelta(days=day, microseconds=round(seconds * 1_000_000))


# --- months ---------------------------------------------------------------------------------------
def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


@dataclass
class Split:
    """The period's days: the months and the days read from their summaries, and the ranges read
    from the stages."""

    months: list[dt.date]
    days: list[dt.date]
    raw: list[tuple[dt.date, dt.date]]

    def raw_q(self, prefix: str = "") -> Q:
        q = Q(pk__in=[])
        for start, end in self.raw:
            q |= Q(**{f"{prefix}finished_on__gte": start, f"{prefix}finished_on__lte": end})
        return q

    def summary_q(self) -> Q | None:
        """The summaries' rows of the spans read from them (None: none)."""
        q = Q(pk__in=[])
        if self.months:
            q |= Q(daily=False, month__in=self.months)
        if self.days:
            q |= Q(daily=True, month__in=self.days)
        return q if (self.months or self.days) else None


def _usable(rows, last_day) -> set[dt.date]:
    return {start for start, built_on in rows if built_on > last_day(start)}


def split(start: dt.date, end: dt.date, *, summary: bool = True) -> Split:
    """Which months of [start, end] are read from their summaries (entirely inside the period,
    built after the month ended, not stale since), which other days from their day summaries
    (built after the day ended, not stale), and which days from the stages. Two queries at most."""
    months, days = set(), set()
    if summary:
        first, last = month_of(start) if start.day == 1 else next_month(start), month_of(end)
        if month_end(last) != end:
            last = month_of(last - dt.timedelta(days=1))  # the last month is partial
        if first <= last:
            months = _usable(SummaryMonth.objects.filter(daily=False, month__gte=first, month__lte=last, stale=False)
                             .values_list("month", "built_on"), month_end)
    uncovered, day = [], start
    for month in sorted(months):
        if day < month:
            uncovered.append((day, month - dt.timedelta(days=1)))
        day = next_month(month)
    if day <= end:
        uncovered.append((day, end))
    if summary and uncovered:
        spans = Q(pk__in=[])
        for a, b in uncovered:
            spans |= Q(month__gte=a, month__lte=b)
        days = _usable(SummaryMonth.objects.filter(spans, daily=True, stale=False).values_list("month", "built_on"),
                       lambda d: d)
    return Split(months=sorted(months), days=sorted(days), raw=_runs_without(uncovered, days))


def _runs_without(ranges, days) -> list[tuple[dt.date, dt.date]]:
    """The ranges with the given days cut out, as runs of consecutive days."""
    out = []
    for a, b in ranges:
        day, run = a, None
        while day <= b:
            if day in days:
                if run:
                    out.append((run, day - dt.timedelta(days=1)))
                    run = None
            elif run is None:
                run = day
            day += dt.timedelta(days=1)
        if run:
            out.append((run, b))
    return out


# --- building ---------------------------------------------------------------------------------------
def _rows_of(start: dt.date, end: dt.date, *, daily: bool) -> list[StageMonth]:
    stages = Stage.objects.filter(state=StageState.DONE, finished_on__gte=start, finished_on__lte=end).order_by()
    paths = list(DIMENSIONS.values())
    counted = counted_decision_q()
    decisions = stages.annotate(start=decision_start()).filter(counted, start__isnull=False)
    grouped = stages.annotate(start=decision_start()).values(*paths).annotate(
        **finished_measures(),
        decided=Count("pk", filter=counted & Q(start__isnull=False)),
        decided_days=Sum(days(F("finished_on"), F("start")), filter=counted & Q(start__isnull=False)),
        decided_max=Max(days(F("finished_on"), F("start")), filter=counted & Q(start__isnull=False)),
        lishui_n=Count("pk", filter=lishui_q()),
        lishui_days=Sum(lishui_days(), filter=lishui_q()),
    )
    applicant = defaultdict(int)
    for row in decisions.annotate(d=applicant_days_of_decision()).filter(d__isnull=False).values(*paths, "d"):
        applicant[tuple(row[p] for p in paths)] += row["d"].days
    out = []
    for row in grouped:
        key = tuple(row[p] for p in paths)
        whole = {name: row[path] for name, path in DIMENSIONS.items()}
        out.append(StageMonth(
            month=start, daily=daily, **whole, n=row["n"], n_target=row["n_target"],
            n_on_target=row["n_on_target"], n_statutory=row["n_statutory"], n_on_statutory=row["n_on_statutory"],
            target_min=row["target_min"], target_max=row["target_max"],
            statutory_min=row["statutory_min"], statutory_max=row["statutory_max"],
            decided=row["decided"], decided_days=row["decided_days"].days if row["decided_days"] else 0,
            decided_max=row["decided_max"].days if row["decided_max"] is not None else None,
            applicant_days=applicant.get(key, 0),
            lishui_n=row["lishui_n"], lishui_days=row["lishui_days"].days if row["lishui_days"] else 0,
        ))
    return out


def _build(start: dt.date, end: dt.date, *, daily: bool) -> int:
    today = timezone.localdate()
    if end >= today:
        raise ValueError(f"{start:%Y-%m-%d}–{end:%Y-%m-%d} has not ended: its figures are read from the stages")
    with transaction.atomic():
        # Lock the span's bookkeeping first: two builders of one span take turns.
        SummaryMonth.objects.get_or_create(month=start, daily=daily, defaults={"built_on": dt.date.min, "stale": True})
        SummaryMonth.objects.select_for_update().get(month=start, daily=daily)
        rows = _rows_of(start, end, daily=daily)
        StageMonth.objects.filter(month=start, daily=daily).delete()
        StageMonth.objects.bulk_create(rows, batch_size=2000)
        SummaryMonth.objects.filter(month=start, daily=daily).update(built_on=today, stale=False)
    return len(rows)


def build_month(month: dt.date) -> int:
    """(Re)build one complete month's summary from its finished stages, in one transaction (a
    reader sees the old rows or the new, never half). A month not yet ended is refused: its
    stages are still finishing. Returns the number of rows."""
    month = month_of(month)
    return _build(month, month_end(month), daily=False)


def build_day(day: dt.date) -> int:
    """(Re)build one past day's summary: the days of a month not yet summarised as a month."""
    return _build(day, day, daily=True)


def months_with_finished_stages() -> list[dt.date]:
    first = (Stage.objects.filter(state=StageState.DONE, finished_on__isnull=False)
             .order_by("finished_on").values_list("finished_on", flat=True).first())
    if first is None:
        return []
    months, month, last = [], month_of(first), month_of(timezone.localdate())
    while month < last:
        months.append(month)
        month = next_month(month)
    return months


def due_months(*, recent: int = RECENT_MONTHS) -> list[dt.date]:
    """The months a refresh rebuilds: the stale ones, the complete ones not built since they ended
    (the month just over, on its first refresh), and, once a day, the last ``recent`` months."""
    today = timezone.localdate()
    built = dict(SummaryMonth.objects.filter(daily=False).values_list("month", "built_on"))
    stale = set(SummaryMonth.objects.filter(daily=False, stale=True).values_list("month", flat=True))
    recent_months, month = set(), month_of(today)
    for _i in range(recent):
        month = month_of(month - dt.timedelta(days=1))
        recent_months.add(month)
    due = set(stale)
    for month in months_with_finished_stages():
        if built.get(month, dt.date.min) <= month_end(month):
            due.add(month)
        elif month in recent_months and built[month] < today:
            due.add(month)
    return sorted(m for m in due if month_end(m) < today)


def due_days() -> list[dt.date]:
    """The past days of this month (and of the last one, until its month is built) not built since
    they ended, or stale: each refresh's small rebuild, so the page reads only today's finished
    stages from the stages."""
    today = timezone.localdate()
    start = month_of(month_of(today) - dt.timedelta(days=1))
    if SummaryMonth.objects.filter(daily=False, month=start, stale=False, built_on__gt=month_end(start)).exists():
        start = month_of(today)
    built = dict(SummaryMonth.objects.filter(daily=True, month__gte=start, stale=False)
                 .values_list("month", "built_on"))
    out, day = [], start
    while day < today:
        if built.get(day, dt.date.min) <= day:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


# A refresh rebuilds at most this many months (the stale and the just-ended first): on a database
# never summarised, ``kpi_summaries --all`` does the rest at once, or the next refreshes do.
REFRESH_MONTHS = 4


def refresh(*, recent: int = RECENT_MONTHS, limit: int | None = REFRESH_MONTHS) -> list[dt.date]:
    """Rebuild the months and days due (``due_months``, ``due_days``; at most ``limit`` months,
    newest first) and drop the day summaries of months summarised whole; run hourly by
    ``kpi.tasks.summaries_refresh_task``. Returns the months rebuilt."""
    months = sorted(due_months(recent=recent), reverse=True)[:limit]
    for month in months:
        build_month(month)
    for day in due_days():
        build_day(day)
    whole = [m for m, built_on in SummaryMonth.objects.filter(daily=False, stale=False).values_list("month", "built_on")
             if built_on > month_end(m)]
    for month in whole:
        StageMonth.objects.filter(daily=True, month__gte=month, month__lte=month_end(month)).delete()
        SummaryMonth.objects.filter(daily=True, month__gte=month, month__lte=month_end(month)).delete()
    return months


def mark_stale(days) -> int:
    """The finished stages of these days changed (a stage finished on a day already summarised, a
    case's class or pack changed): their months and days are read from the stages until rebuilt."""
    days = {d for d in days if d is not None}
    if not days:
        return 0
    spans = Q(daily=False, month__in={month_of(d) for d in days}) | Q(daily=True, month__in=days)
    return SummaryMonth.objects.filter(spans, stale=False).update(stale=True)


def mark_cases_stale(application_ids) -> int:
    """A case's filter dimensions changed: the months and days its stages finished on are stale."""
    finished = (Stage.objects.filter(application_id__in=application_ids, state=StageState.DONE)
                .values_list("finished_on", flat=True).distinct().order_by())
    return mark_stale(finished)
