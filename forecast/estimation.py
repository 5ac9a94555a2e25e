"""The forecast's arithmetic, pure: no database, no Django. Everything here takes plain values
(durations, curves, a ``clock.calendar.WorkingCalendar``) and returns plain values, so it can
be checked by hand (tests/forecast/test_estimation.py) and reused by the refresh, the case pages
and the backtest alike.

* ``kaplan_meier``: the survival curve of a stage's office working days, from finished stages
  (events) and stages still running (censored at the days they have used so far).
* ``conditional_quantile`` / ``sample``: the days a stage still needs *given the days it has
  already used* (S(t) / S(elapsed)).
* ``choose``: the narrowest group of past stages (class, category, type, pathway) with enough
  finished ones; wider where there are too few, and it says which.
* ``simulate``: Monte Carlo over the case's remaining phases (parallel stages: the slowest
  branch), the office's part on the working-day calendar, the applicant's part (a supplement or
  a rectification, in calendar days) apart; the dates by which the case is done with 50% and 90%
  confidence.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

# A group's distribution is used only when at least this many of its stages finished (events):
# below it, the group is widened (fewer keys). Not a legal number: a statistical default.
MIN_BASIS = 30
# Monte Carlo draws per case: the 90th percentile's sampling error at 400 draws is about ±1.5
# percentage points of coverage (binomial, sqrt(0.9·0.1/400)); 400 draws cost ~2 ms per case.
DRAWS = 400
# The split office curves (with or without a request to the applicant) are used only when the
# side has at least this many finished stages; else the pooled curve (a statistical default).
SPLIT_MIN = 20


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier survival step function: ``surv[i]`` is S(t) for ``times[i] <= t <
    times[i+1]``; S(t) = 1 before ``times[0]``. ``last`` is the longest duration seen (an event or
    a censoring): beyond the last event the curve is flat, and draws that fall there are put at
    ``last`` (a lower bound: said in docs/forecast.md)."""

    times: tuple[int, ...]
    surv: tuple[float, ...]
    events: int
    censored: int
    last: int

    def s(self, t: float) -> float:
        """S(t): the share of stages still running after ``t`` days."""
        i = bisect.bisect_right(self.times, t)
        return 1.0 if i == 0 else self.surv[i - 1]

    @cached_property
    def descending(self) -> tuple[float, ...]:
        """``-surv``: ascending, so the first time S falls to a level is a bisection."""
        return tuple(-x for x in self.surv)

    def to_json(self) -> dict:
        return {"t": list(self.times), "s": [round(x, 6) for x in self.surv], "events": self.events,
                "censored": self.censored, "last": self.last}

    @classmethod
    def from_json(cls, data: dict) -> Curve:
        return cls(tuple(data["t"]), tuple(data["s"]), data["events"], data["censored"], data["last"])


EMPTY = Curve((), (), 0, 0, 0)


@dataclass(frozen=True)
class ByRequest:
    """The office working days of stages with a request to the applicant, by how many office
    working days the stage had used when the request came: ``curves[i]`` holds the stages whose
    request came after at most ``edges[i]`` days (and more than ``edges[i - 1]``). A review slow
    to reach its request tends to be slow after the answer as well; where it does not, the bins
    simply look alike."""

    edges: tuple[int, ...]
    curves: tuple[Curve, ...]

    def curve(self, before: int) -> Curve:
        return self.curves[min(bisect.bisect_left(self.edges, before), len(self.curves) - 1)]

    def to_json(self) -> dict:
        return {"edges": list(self.edges), "curves": [c.to_json() for c in self.curves]}

    @classmethod
    def from_json(cls, data: dict | None) -> ByRequest | None:
        if not data:
            return None
        return cls(tuple(data["edges"]), tuple(Curve.from_json(c) for c in data["curves"]))


def request_bins(tally: dict[tuple[int, tuple[int, bool]], int], *, most: int = 10,
                 least: int = 0) -> ByRequest | None:
    """``ByRequest`` from ``{(days before the request, (office days, finished)): how many}``: up to
    ``most`` bins of about equal size by the days before the request, each with at least ``least``
    (default ``2 · SPLIT_MIN``) finished stages; None when fewer than two such bins fit."""
    least = least or 2 * SPLIT_MIN
    events = sum(n for (_b, (_d, done)), n in tally.items() if done)
    k = min(most, events // least)
    if k < 2:
        return None
    by_before: dict[int, dict] = {}
    for (b, x), n in tally.items():
        by_before.setdefault(b, {})[x] = by_before.get(b, {}).get(x, 0) + n
    edges: list[int] = []
    bins: list[dict] = []
    current: dict = {}
    current_events = 0
    for b in sorted(by_before):
        for x, n in by_before[b].items():
            current[x] = current.get(x, 0) + n
            current_events += n if x[1] else 0
        if current_events >= events / k and len(bins) < k - 1:
            edges.append(b)
            bins.append(current)
            current, current_events = {}, 0
    if current:
        if current_events >= least:
            edges.append(max(by_before))
            bins.append(current)
        else:  # a thin tail joins the last bin
            edges[-1] = max(by_before)
            for x, n in current.items():
                bins[-1][x] = bins[-1].get(x, 0) + n
    if len(bins) < 2:
        return None
    curves = [kaplan_meier_counts(t) for t in bins]
    return ByRequest(tuple(edges), tuple(curves))


def kaplan_meier(durations: Sequence[int], observed: Sequence[bool]) -> Curve:
    """The product-limit estimate S(t) = Π_{t_i <= t} (1 - d_i / n_i): at each distinct event time
    t_i, d_i stages finished out of the n_i still at risk (durations >= t_i). A censored stage
    (``observed`` false: still running, used ``duration`` days so far) counts as at risk up to and
    including its duration (events before censorings at the same time, the usual convention, as in
    lifelines)."""
    if len(durations) != len(observed):
        raise ValueError("durations and observed must have the same length")
    tally: dict[tuple[int, bool], int] = {}
    for d, o in zip(durations, observed, strict=True):
        tally[(d, bool(o))] = tally.get((d, bool(o)), 0) + 1
    return kaplan_meier_counts(tally)


def kaplan_meier_counts(tally: dict[tuple[int, bool], int]) -> Curve:
    """``kaplan_meier`` from tallies: ``{(duration, finished): how many}``."""
    if not tally:
        return EMPTY
    events: dict[int, int] = {}
    leaving: dict[int, int] = {}
    for (d, o), n in tally.items():
        if n <= 0:
            continue
        leaving[d] = leaving.get(d, 0) + n
        if o:
            events[d] = events.get(d, 0) + n
    at_risk = sum(leaving.values())
    total = at_risk
    s = 1.0
    times, surv = [], []
    for t in sorted(leaving):
        d = events.get(t, 0)
        if d:
            s *= 1 - d / at_risk
            times.append(t)
            surv.append(s)
        at_risk -= leaving[t]
    n_events = sum(events.values())
    return Curve(tuple(times), tuple(surv), n_events, total - n_events, max(leaving))


def conditional_quantile(curve: Curve, p: float, elapsed: int = 0) -> int | None:
    """The total duration t by which a stage that has used ``elapsed`` days is done with
    probability ``p``: the smallest event time t > elapsed with S(t) / S(elapsed) <= 1 - p. None
    when the curve never gets that low (too many still running: the data cannot say)."""
    base = curve.s(elapsed)
    if base <= 0:
        return None
    goal = base * (1 - p) + 1e-12
    start = bisect.bisect_right(curve.times, elapsed)
    # S is non-increasing: the first index from ``start`` with S <= goal, by bisection.
    i = bisect.bisect_left(curve.descending, -goal, lo=start)
    return curve.times[i] if i < len(curve.times) else None


def sample(curve: Curve, u: float, elapsed: int = 0) -> int:
    """One draw of the total duration given ``elapsed`` (inverse transform: the ``u``-quantile of
    the conditional distribution). Past the curve's last event, the longest duration seen (at
    least ``elapsed``)."""
    t = conditional_quantile(curve, u, elapsed)
    return max(elapsed, curve.last) if t is None else t


# --- groups ------------------------------------------------------------------------------------
# From the widest to the narrowest: a stage kind alone, then the policy pack, then class, category,
# application type and pathway. The narrowest with MIN_BASIS finished stages is used.
LEVELS: tuple[tuple[str, ...], ...] = (
    (),
    ("pack",),
    ("pack", "device_class"),
    ("pack", "device_class", "category"),
    ("pack", "device_class", "category", "application_type"),
    ("pack", "device_class", "category", "application_type", "pathway"),
)
KEYS = LEVELS[-1]


def group_key(kind: str, attrs: dict, level: int) -> tuple:
    return (kind, *(attrs.get(k, "") for k in LEVELS[level]))


@dataclass
class StageHistory:
    """What the refresh keeps of one group: the office curve, the supplement share and the
    applicant's answer curve (calendar days)."""

    kind: str
    level: int
    key: dict
    office: Curve
    supplement_share: float
    answer: Curve
    # By month of the year a stage starts in (January first): how much slower or faster than the
    # kind's average it runs (the Spring Festival, the year's busy months). 1.0 = average.
    season: tuple[float, ...] = (1.0,) * 12
    # Office working days from the stage's start to the request to the applicant, over the stages
    # that had one: a stage past the usual moment without a request is unlikely to get one.
    asked: Curve = EMPTY
    # The office curve split by whether the stage had a request to the applicant (a stage with a
    # supplement takes more office days: the answer is reviewed on a fresh budget, Order 47
    # Art. 92). Empty when the refresh did not store them; then ``office`` serves both.
    plain: Curve = EMPTY
    with_request: Curve = EMPTY
    by_request: ByRequest | None = None

    def office_for(self, requested: bool, before: int | None = None) -> Curve:
        """The office curve of stages with (``requested``) or without a request, where it has at
        least ``SPLIT_MIN`` finished stages; else the pooled one. With the office days ``before``
        a request already made, the stages whose request came about as late."""
        if requested and before is not None and self.by_request is not None:
            return self.by_request.curve(before)
        c = self.with_request if requested else self.plain
        return c if c.events >= SPLIT_MIN else self.office

    def supplement_chance(self, elapsed: int) -> float:
        """The chance of a request still to come for a stage that has used ``elapsed`` days
        without one: p·S(e) / (1 − p + p·S(e)), S the share of requests made after day e."""
        p = self.supplement_share
        if not self.asked.events or elapsed <= 0:
            return p
        later = p * self.asked.s(elapsed)
        return later / (1 - p + later) if later else 0.0

    @property
    def basis(self) -> int:
        return self.office.events


def choose(groups: dict[tuple, StageHistory], kind: str, attrs: dict,
           min_basis: int = MIN_BASIS) -> StageHistory | None:
    """The narrowest group of the stage's kind matching the case with at least ``min_basis``
    finished stages; None when even the kind alone has fewer (too little history)."""
    for level in range(len(LEVELS) - 1, -1, -1):
        g = groups.get(group_key(kind, attrs, level))
        if g is not None and g.basis >= min_basis:
            return g
    return None


# --- one case ----------------------------------------------------------------------------------
@dataclass
class RemainingStage:
    """A stage of the case still to finish, as known on the forecast's day.

    ``elapsed``: office working days it has used (0 if not started); ``waiting``: calendar days the
    applicant has had an open supplement or rectification request (None if none is open);
    ``supplemented``: a request was already answered (the one-time notice: Order 47 Art. 54, no
    second one expected)."""

    kind: str
    phase: int
    elapsed: int = 0
    waiting: int | None = None
    supplemented: bool = False
    history: StageHistory | None = None
    started: dt.date | None = None
    # Office working days from the start to the request to the applicant, when one was made.
    asked_after: int | None = None


@dataclass
class Forecast:
    p50: dt.date
    p90: dt.date
    office_days_p50: int
    applicant_days_p50: int
    basis_cases: int
    as_of: dt.date
    provisional: bool = False
    groups: list[tuple[str, int, int]] = field(default_factory=list)  # (kind, level, basis)
    # The model's own chance that the case is done by p50 and by p90: above 0.5 and 0.9 when many
    # draws fall on the same day (a case with one short stage left), which the backtest compares.
    own_p50: float = 0.5
    own_p90: float = 0.9

    def as_api(self) -> dict:
        return {"p50": self.p50.isoformat(), "p90": self.p90.isoformat(),
                "office_days_p50": self.office_days_p50, "applicant_days_p50": self.applicant_days_p50,
                "basis_cases": self.basis_cases, "as_of": self.as_of.isoformat()}


def _office_draw(curve: Curve, u: float, elapsed: int, factor: float) -> int:
    """The office working days a stage still needs: drawn given the days it has used, then
    stretched by its month's factor. (Stretching the whole stage instead, the curve kept at an
    average month's pace and the days used divided by the factor, did no better in the backtest:
    docs/forecast.md.)"""
    office = sample(curve, u, elapsed) - elapsed
    return round(office * factor) if factor != 1.0 else office


def _quantile(values: list, p: float):
    """The p-quantile of a sorted list (nearest rank, the higher one: a date, never interpolated)."""
    return values[min(len(values) - 1, max(0, math.ceil(p * len(values)) - 1))]


def simulate(stages: Iterable[RemainingStage], *, as_of: dt.date, cal, seed: int = 0,
             draws: int = DRAWS) -> Forecast | None:
    """Monte Carlo over the remaining phases: each draw walks the phases in order from ``as_of``;
    in a phase every stage draws its office working days (conditioned on those used) and, where
    the applicant may be asked, their answer time in calendar days; the phase ends with its
    slowest stage. None when a stage has no usable history."""
    stages = list(stages)
    if not stages or any(s.history is None for s in stages):
        return None
    phases: dict[int, list[RemainingStage]] = {}
    for s in stages:
        phases.setdefault(s.phase, []).append(s)
    order = [phases[k] for k in sorted(phases)]
    rng = random.Random(seed)
    last_day = cal.last_day
    ends, office_totals, applicant_totals = [], [], []
    for _ in range(draws):
        cursor = as_of
        office_sum = applicant_sum = 0
        for phase in order:
            phase_end, phase_office, phase_applicant = cursor, 0, 0
            for s in phase:
                h = s.history
                applicant = 0
                requested = s.waiting is not None or s.supplemented
                if s.waiting is not None:
                    applicant = sample(h.answer, rng.random(), s.waiting) - s.waiting
                elif not s.supplemented and h.answer.events and rng.random() < h.supplement_chance(s.elapsed):
                    applicant = sample(h.answer, rng.random())
                    requested = True
                factor = h.season[((s.started or cursor).month - 1)]
                office = _office_draw(h.office_for(requested, s.asked_after), rng.random(), s.elapsed, factor)
                end = cal.add_working_days(cursor, office) if office > 0 else cursor
                if applicant:
                    end = min(last_day, end + dt.timedelta(days=applicant))
                if end > phase_end:
                    phase_end, phase_office, phase_applicant = end, office, applicant
            cursor = phase_end
            office_sum += phase_office
            applicant_sum += phase_applicant
        ends.append(cursor)
        office_totals.append(office_sum)
        applicant_totals.append(applicant_sum)
    ends.sort()
    office_totals.sort()
    applicant_totals.sort()
    p50, p90 = _quantile(ends, 0.5), _quantile(ends, 0.9)
    return Forecast(
        own_p50=bisect.bisect_right(ends, p50) / len(ends), own_p90=bisect.bisect_right(ends, p90) / len(ends),
        p50=p50, p90=p90, office_days_p50=_quantile(office_totals, 0.5),
        applicant_days_p50=_quantile(applicant_totals, 0.5),
        basis_cases=min(s.history.basis for s in stages), as_of=as_of,
        provisional=cal.provisional_between(as_of, p90),
        groups=[(s.kind, s.history.level, s.history.basis) for s in stages],
    )


# How far a month's own figure is trusted against the kind's average: a month with SEASON_PRIOR
# finished stages counts half (a statistical default, not a measured one).
SEASON_PRIOR = 100


def season_factors(log_days_by_month: dict[int, tuple[float, int]]) -> tuple[float, ...]:
    """Per month of the year (1..12), exp(w · (mean log days of stages started in that month − the
    mean over all months)), w = n / (n + SEASON_PRIOR): a month with few stages stays near 1."""
    total = sum(t for t, _n in log_days_by_month.values())
    count = sum(n for _t, n in log_days_by_month.values())
    if not count:
        return (1.0,) * 12
    mean = total / count
    out = []
    for month in range(1, 13):
        t, n = log_days_by_month.get(month, (0.0, 0))
        out.append(round(math.exp(n / (n + SEASON_PRIOR) * (t / n - mean)), 4) if n else 1.0)
    return tuple(out)


def target_sum(stages: Iterable[tuple[int, int, int | None]], *, as_of: dt.date, cal) -> dt.date | None:
    """Today's estimate, for comparison: the remaining targets added up, phase by phase (the
    slowest target of a phase), from ``as_of``. ``stages``: (phase, elapsed, target_days); a stage
    without a target counts its statutory limit, or nothing."""
    phases: dict[int, int] = {}
    for phase, elapsed, target in stages:
        left = max(0, (target or 0) - elapsed)
        phases[phase] = max(phases.get(phase, 0), left)
    total = sum(phases.values())
    return cal.add_working_days(as_of, total) if total else as_of
