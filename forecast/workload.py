"""The supervisors' workload forecast on the dashboard: per stage kind, next month's
expected finished stages, their average working days and the share past the target and past the
statutory limit, each with an 80% band; the stages whose statutory limit falls in the next 10
working days, with the chance each finishes in time; and the open stages over the coming weeks.

Computed, not sampled: each open stage's chance of finishing by a day is read off its kind's
Kaplan–Meier curve (latest refresh, the kind's widest group) conditioned on the working days it
has used, S(e + d) / S(e); new stages start at the rate of the last 20 working days (the intake)
and follow the same curve from day 0. Expected counts add up; their 80% band is the normal
approximation of a sum of independent yes/no outcomes (± 1.28 standard deviations). The band says
how much chance alone moves the figures; a change in intake or staffing is not in it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count

from review.models import ClockStop
from review.models.enums import APPLICANT_SIDE_REASONS, StageKind, StageState

from .estimation import Curve
from .models import Refresh, StageDistribution

Z80 = 1.2816  # the normal distribution's 90th percentile: an 80% two-sided band
WATCH_DAYS = 10  # "in the next 10 working days"
INTAKE_DAYS = 20  # the intake of the last 20 working days (four weeks)
FAN_WEEKS = 8
WATCH_SHOWN = 50  # the watch list's rows on the page (the least likely to finish in time first)


@dataclass
class KindForecast:
    kind: str
    label: str
    open_now: int
    finish_expected: float = 0
    finish_band: tuple[float, float] = (0, 0)
    avg_days: float | None = None
    past_target_share: float | None = None
    past_target_band: tuple[float, float] | None = None
    past_statutory_share: float | None = None
    past_statutory_band: tuple[float, float] | None = None
    target: str = ""
    basis: int = 0


@dataclass
class WorkloadForecast:
    as_of: dt.date | None
    month_start: dt.date
    month_end: dt.date
    kinds: list[KindForecast] = field(default_factory=list)
    watch: list[dict] = field(default_factory=list)
    watch_total: int = 0
    fan: list[tuple[dt.date, float, float, float]] = field(default_factory=list)  # (week end, low, mid, high)
    missing: list[str] = field(default_factory=list)  # kinds without enough history


def _band(mean: float, var: float, lo: float = 0.0, hi: float | None = None) -> tuple[float, float]:
    sd = math.sqrt(max(var, 0))
    low, high = max(lo, mean - Z80 * sd), mean + Z80 * sd
    return (round(low, 1), round(min(high, hi) if hi is not None else high, 1))


def _pmf(curve: Curve, elapsed: int):
    """The finishing time's conditional distribution given ``elapsed``: [(total days, prob)], plus
    the probability left beyond the curve's last event (finishing after ``curve.last``)."""
    base = curve.s(elapsed)
    if base <= 0:
        return [(max(elapsed, curve.last), 1.0)], 0.0
    out, prev = [], 1.0
    for t, s in zip(curve.times, curve.surv, strict=True):
        if t <= elapsed:
            continue
        p = prev - s / base
        if p > 0:
            out.append((t, p))
        prev = s / base
    return out, max(prev, 0.0)


def workload_forecast(stages_qs, *, today: dt.date, cal) -> WorkloadForecast:
    """``stages_qs``: the dashboard's filtered stages (its scope and filters). Four queries."""
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    latest = Refresh.objects.order_by("-version").first()
    out = WorkloadForecast(as_of=latest.as_of if latest else None, month_start=first, month_end=last)
    if latest is None:
        return out
    curves = {d.kind: (Curve.from_json(d.office_curve), d.finished)
              for d in StageDistribution.objects.filter(refresh=latest, level=0)}
    waiting = ClockStop.objects.filter(ended_on__isnull=True, reason__in=APPLICANT_SIDE_REASONS).values("stage_id")
    open_rows = list(stages_qs.filter(state__in=[StageState.RUNNING, StageState.PAUSED]).order_by()
                     .exclude(pk__in=waiting)
                     .values_list("pk", "kind", "started_on", "consumed_days", "target_days", "statutory_days",
                                  "extension_days", "statutory_reference", "statutory_due", "state",
                                  "application_id", "application__reference", "application__product_name"))
    since = cal.add_working_days(today, -INTAKE_DAYS)
    intake = dict(stages_qs.filter(started_on__gt=since, started_on__lte=today).order_by()
                  .values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    # Working days from today to the window's edges and to each coming week's end.
    to_first = cal.working_days_between(today, first - dt.timedelta(days=1))
    to_last = cal.working_days_between(today, last)
    weeks = [today + dt.timedelta(days=7 * w) for w in range(1, FAN_WEEKS + 1)]
    to_week = [cal.working_days_between(today, d) for d in weeks]
    fan_mean = [0.0] * FAN_WEEKS
    fan_var = [0.0] * FAN_WEEKS
    per_kind: dict[str, dict] = {}
    labels = dict(StageKind.choices)
    cache: dict[tuple[str, int], tuple] = {}
    for (_pk, kind, _started, consumed, target, statutory, ext, reference, statutory_due, state, app_id, ref,
         product) in open_rows:
        acc = per_kind.setdefault(kind, _new_acc())
        acc["open"] += 1
        if target:
            acc["targets"].add(target)
        if statutory and not reference:
            acc.setdefault("statutes", set()).add(statutory)
        if kind not in curves:
            continue
        curve, _basis = curves[kind]
        # Working days used: the stage's clock since its (re)start; a new budget after a supplement
        # starts a new clock, so the stage's own clock is the best "age" on record.
        elapsed = max(0, consumed or 0)
        key = (kind, elapsed)
        if key not in cache:
            cache[key] = _pmf(curve, elapsed)
        pmf, beyond = cache[key]
        lo, hi = elapsed + to_first, elapsed + to_last
        _add_window(acc, pmf, lo, hi, elapsed, target, ext, None if reference else statutory)
        for w, d in enumerate(to_week):
            still = sum(p for t, p in pmf if t > elapsed + d) + beyond
            fan_mean[w] += still
            fan_var[w] += still * (1 - still)
        if (state == StageState.RUNNING and statutory_due and not reference and today <= statutory_due
                and cal.working_days_between(today, statutory_due) <= WATCH_DAYS):
            left = cal.working_days_between(today, statutory_due)
            in_time = sum(p for t, p in pmf if t <= elapsed + left)
            out.watch.append({"reference": ref, "product": product, "application_id": app_id,
                              "kind": str(labels.get(kind, kind)), "due": statutory_due, "left": left,
                              "chance": round(100 * in_time)})
    # The intake: new stages start at the recent rate on every working day until the window's end.
    for kind, n in intake.items():
        if kind not in curves:
            continue
        rate = n / INTAKE_DAYS
        curve, _basis = curves[kind]
        pmf, _beyond = cache.setdefault((kind, 0), _pmf(curve, 0))
        acc = per_kind.setdefault(kind, _new_acc())
        # New stages run against the limits the open ones of the kind run against (the lowest, if
        # they differ: a new stage is not known to be of the longer kind).
        target = min(acc["targets"]) if acc["targets"] else None
        statutory = min(acc["statutes"]) if acc.get("statutes") else None
        for start in range(1, to_last + 1):
            _add_window(acc, pmf, to_first - start, to_last - start, 0, target, 0, statutory, weight=rate)
        for w, d in enumerate(to_week):
            for start in range(1, d + 1):
                still = sum(p for t, p in pmf if t > d - start) + _beyond
                fan_mean[w] += rate * still
                fan_var[w] += rate * still * (1 - still)
    _summarise(out, per_kind, curves)
    out.watch.sort(key=lambda r: (r["chance"], r["due"], r["reference"]))
    out.watch_total = len(out.watch)
    out.watch = out.watch[:WATCH_SHOWN]
    out.fan = [(d, *_band(m, v)[:1], round(m, 1), *_band(m, v)[1:])
               for d, m, v in zip(weeks, fan_mean, fan_var, strict=True)]
    return out


def _new_acc() -> dict:
    """One stage kind's running sums: expected finishes, days, late shares and their variances."""
    return {"open": 0, "n": 0.0, "var": 0.0, "days": 0.0, "late_t": 0.0, "late_t_var": 0.0, "with_t": 0.0,
            "late_s": 0.0, "late_s_var": 0.0, "with_s": 0.0, "targets": set()}


def _summarise(out: WorkloadForecast, per_kind: dict, curves: dict) -> None:
    """Each kind's sums into its ``KindForecast``, in the kinds' order; a kind with no history is
    named as missing."""
    for kind, label in StageKind.choices:
        acc = per_kind.get(kind)
        if not acc:
            continue
        if kind not in curves:
            out.missing.append(str(label))
            continue
        k = KindForecast(kind=kind, label=str(label), open_now=acc["open"], basis=curves[kind][1],
                         finish_expected=round(acc["n"], 1), finish_band=_band(acc["n"], acc["var"]))
        if acc["targets"]:
            lo, hi = min(acc["targets"]), max(acc["targets"])
            k.target = str(lo) if lo == hi else f"{lo}–{hi}"
        if acc["n"] > 0:
            k.avg_days = round(acc["days"] / acc["n"], 1)
        if acc["with_t"] > 0:
            k.past_target_share = round(100 * acc["late_t"] / acc["with_t"], 1)
            k.past_target_band = tuple(round(100 * x / acc["with_t"], 1) for x in _band(
                acc["late_t"], acc["late_t_var"], hi=acc["with_t"]))
        if acc["with_s"] > 0:
            k.past_statutory_share = round(100 * acc["late_s"] / acc["with_s"], 1)
            k.past_statutory_band = tuple(round(100 * x / acc["with_s"], 1) for x in _band(
                acc["late_s"], acc["late_s_var"], hi=acc["with_s"]))
        out.kinds.append(k)


def _add_window(acc, pmf, lo, hi, elapsed, target, ext, statutory, weight: float = 1.0) -> None:
    """Add a stage's chance of finishing in (lo, hi] days, the expected days of those that do, and
    the chance they finish past the target and past the statutory limit."""
    if hi <= 0:
        return
    p_in = days = late_t = late_s = 0.0
    for t, p in pmf:
        if lo < t <= hi:
            p_in += p
            days += p * t
            if target and t > target + (ext or 0):
                late_t += p
            if statutory and t > statutory + (ext or 0):
                late_s += p
    if p_in <= 0:
        return
    acc["n"] += weight * p_in
    acc["var"] += weight * p_in * (1 - p_in)
    acc["days"] += weight * days
    if target:
        acc["with_t"] += weight * p_in
        acc["late_t"] += weight * late_t
        acc["late_t_var"] += weight * late_t * (1 - late_t)
    if statutory:
        acc["with_s"] += weight * p_in
        acc["late_s"] += weight * late_s
        acc["late_s_var"] += weight * late_s * (1 - late_s)

