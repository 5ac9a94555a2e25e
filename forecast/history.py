"""The office's history as it was known on one day (``as_of``), read from the stored stages and
pauses, and the groups of distributions built from it.

Every read is bounded by ``as_of``: stages started by then, pauses begun by then, cases submitted
by then; and whatever those rows say happened later (a stage finished after ``as_of``, a pause
that ended after it, a case closed after it) is read back to its state on ``as_of`` (running,
open, open). So the refresh (``as_of`` = today) and the backtest (a past day) use one code path,
and the backtest cannot see the future (tests/forecast/test_forecast_cases.py changes every later row
and gets the same forecasts).

Known limitation: a stage *skipped* by the route is read as skipped whatever the day (its skip is
decided when the case is submitted, so before any forecast of it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from review.models import Application, ClockStop, Stage
from review.models.enums import APPLICANT_SIDE_REASONS, StageState

from .estimation import (
    LEVELS,
    MIN_BASIS,
    Curve,
    RemainingStage,
    StageHistory,
    kaplan_meier_counts,
    request_bins,
    season_factors,
)

# The window of stages a refresh learns from: those started in the last two years (the office
# changes: staff, packs, intake; older stages say less about next month), finished or running.
HISTORY_DAYS = 730
APPLICANT = tuple(APPLICANT_SIDE_REASONS)
CLOSED_STATES = ("approved", "refused", "withdrawn", "terminated")


@dataclass
class Pause:
    started: dt.date
    ended: dt.date | None  # None: still open on as_of
    answered: bool
    deadline: dt.date | None


@dataclass(slots=True)
class StageFact:
    """One stage as it stood on ``as_of``."""

    id: int
    application_id: int
    kind: str
    phase: int
    started: dt.date | None  # None: not started by as_of
    finished: dt.date | None  # None: not finished by as_of
    done: bool  # finished by as_of, as done (not cancelled)
    target_days: int | None  # as stored now: after a supplement, the fresh budget (a later fact)
    statutory_days: int | None
    attrs: dict
    pauses: list[Pause] = field(default_factory=list)

    def office_days(self, cal, as_of: dt.date) -> int:
        """Working days from its start to its end (or ``as_of``), less the applicant's pauses."""
        end = self.finished or as_of
        days = cal.working_days_between(self.started, end)
        for p in self.pauses:
            stop = min(p.ended or as_of, end)
            if stop > p.started:
                days -= cal.working_days_between(p.started, stop)
        return max(0, days)

    def before_request(self, cal) -> int | None:
        """Working days from the start to the first request to the applicant (None: no request)."""
        if not self.pauses:
            return None
        return max(0, cal.working_days_between(self.started, min(p.started for p in self.pauses)))

    def answer_days(self, as_of: dt.date) -> list[tuple[int, bool]]:
        """The applicant's answers, calendar days: (days, answered-or-lapsed) per request."""
        out = []
        for p in self.pauses:
            if p.ended is None:
                out.append(((as_of - p.started).days, False))
            elif p.answered:
                out.append(((p.ended - p.started).days, True))
            else:  # lapsed or closed by the office: the applicant's time ran to the deadline at most
                end = min(p.ended, p.deadline) if p.deadline else p.ended
                out.append(((end - p.started).days, True))
        return out


STAGE_COLUMNS = ("id", "application_id", "kind", "phase", "state", "started_on", "finished_on", "target_days",
                 "statutory_days")
APPLICATION_COLUMNS = ("id", "policy_pack_id", "policy_pack__code", "device_class", "category", "application_type",
                       "pathway", "complex_product")


def _attrs_of(applications) -> dict[int, dict]:
    """Each case's keys, one dict per case shared by its stages."""
    out = {}
    for pk, pack_id, pack, device_class, category, application_type, pathway, complex_product in (
            applications.order_by().values_list(*APPLICATION_COLUMNS).iterator(chunk_size=20_000)):
        keys = {"pack": pack or "", "device_class": device_class, "category": category,
                "application_type": application_type, "pathway": pathway}
        out[pk] = {**keys, "pack_id": pack_id, "complex_product": complex_product,
                   "_finest": tuple(keys[k] for k in LEVELS[-1])}
    return out


def _fact(row, as_of: dt.date, attrs: dict) -> StageFact:
    pk, app_id, kind, phase, state, started_on, finished_on, target_days, statutory_days = row
    started = started_on if started_on and started_on <= as_of else None
    finished = finished_on if started and finished_on and finished_on <= as_of else None
    return StageFact(
        id=pk, application_id=app_id, kind=kind, phase=phase, started=started, finished=finished,
        done=bool(finished) and state == StageState.DONE, target_days=target_days, statutory_days=statutory_days,
        attrs=attrs, pauses=[])


def _attach_pauses(facts: dict[int, StageFact], stops, as_of: dt.date) -> None:
    for stage_id, started, ended, answered, deadline in stops:
        fact = facts.get(stage_id)
        if fact is None or started > as_of:
            continue
        later = ended is None or ended > as_of
        fact.pauses.append(Pause(started, None if later else ended, False if later else answered, deadline))


def history_facts(as_of: dt.date, *, days: int = HISTORY_DAYS) -> list[StageFact]:
    """The stages to learn from on ``as_of``: started in the window before it (finished, or
    running and so censored). Chosen by start day: of the stages started before the window, the
    ones finishing in it are the long ones, and would slow every curve. Three queries (their
    cases' keys, the stages, the applicant's pauses of those stages)."""
    since = as_of - dt.timedelta(days=days)
    qs = (Stage.objects.filter(started_on__gte=since, started_on__lte=as_of)
          .exclude(state=StageState.SKIPPED).order_by())
    attrs = _attrs_of(Application.objects.filter(pk__in=qs.values("application_id")))
    facts = {r[0]: _fact(r, as_of, attrs[r[1]]) for r in qs.values_list(*STAGE_COLUMNS).iterator(chunk_size=20_000)}
    stops = (ClockStop.objects.filter(reason__in=APPLICANT, started_on__lte=as_of, stage__started_on__gte=since,
                                      stage__started_on__lte=as_of).order_by()
             .values_list("stage_id", "started_on", "ended_on", "answered", "applicant_deadline"))
    _attach_pauses(facts, stops.iterator(chunk_size=20_000), as_of)
    return list(facts.values())


def min_basis() -> int:
    """``settings.FORECAST_MIN_BASIS`` (tests lower it), else ``estimation.MIN_BASIS``."""
    from django.conf import settings

    return getattr(settings, "FORECAST_MIN_BASIS", MIN_BASIS)


def build_groups(facts: list[StageFact], *, cal, as_of: dt.date,
                 min_basis: int | None = None) -> dict[tuple, StageHistory]:
    """Every group (kind at each level of narrowing) with at least ``min_basis`` finished stages:
    its office curve (finished stages as events, running ones censored), the same split by
    whether the stage had a request to the applicant, the share of finished stages with a
    request, when in the stage it came, and the applicant's answer curve.

    The season: per kind and month a stage starts in, the mean log of its office days
    read off the month's survival curve (its running stages censored: a month's recent stages,
    of which only the quick ones are done, would otherwise make it look fast).

    Counted once per stage at the narrowest level, as (days, finished) tallies, then the tallies
    are summed into the wider levels: the curves are built from the tallies (``kaplan_meier``
    takes them with their weights), never from one list entry per stage and level."""
    finest = len(LEVELS) - 1
    by_month: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    live, days_of = [], {}
    for f in facts:
        if f.finished and not f.done:
            continue  # cancelled: neither an event nor a running stage
        live.append(f)
        days_of[f.id] = days = f.office_days(cal, as_of)
        by_month[f.kind][f.started.month][(days, f.done)] += 1
    seasons = {kind: season_factors({m: _log_mean(kaplan_meier_counts(t)) for m, t in months.items()})
               for kind, months in by_month.items()}
    flat = (1.0,) * 12
    office: dict[tuple, Counter] = defaultdict(Counter)
    split: dict[tuple, Counter] = defaultdict(Counter)  # ((days, finished), requested)
    answers: dict[tuple, Counter] = defaultdict(Counter)
    asked: Counter = Counter()
    asked_at: dict[tuple, Counter] = defaultdict(Counter)
    by_before: dict[tuple, Counter] = defaultdict(Counter)  # (days before the request, (days, finished))
    for f in live:
        key = (f.kind, *f.attrs["_finest"])
        days = days_of[f.id]
        office[key][(days, f.done)] += 1
        split[key][((days, f.done), bool(f.pauses))] += 1
        if f.pauses:
            before = f.before_request(cal)
            by_before[key][(before, (days, f.done))] += 1
            if f.done:
                asked[key] += 1
                asked_at[key][(before, True)] += 1
            answers[key].update(f.answer_days(as_of))
    tallies: dict[tuple, list] = {}
    for key, counts in office.items():
        for level in range(finest + 1):
            wide = key[:1 + len(LEVELS[level])]
            t = tallies.setdefault(wide, [Counter(), Counter(), 0, Counter(), Counter(), Counter()])
            t[0].update(counts)
            t[1].update(answers.get(key, ()))
            t[2] += asked.get(key, 0)
            t[3].update(asked_at.get(key, ()))
            t[4].update(split[key])
            t[5].update(by_before.get(key, ()))
    out = {}
    least = min_basis if min_basis is not None else globals()["min_basis"]()
    for key, (counts, replies, n_asked, when_asked, sides, before) in tallies.items():
        events = sum(n for (_d, done), n in counts.items() if done)
        if events < least:
            continue
        level = len(key) - 1
        out[key] = StageHistory(
            kind=key[0], level=level, key=dict(zip(LEVELS[level], key[1:], strict=True)),
            office=kaplan_meier_counts(counts), supplement_share=n_asked / events,
            answer=kaplan_meier_counts(replies), season=seasons.get(key[0], flat),
            asked=kaplan_meier_counts(when_asked),
            plain=kaplan_meier_counts({k: n for (k, req), n in sides.items() if not req}),
            with_request=kaplan_meier_counts({k: n for (k, req), n in sides.items() if req}),
            by_request=request_bins(before))
    return out


def _log_mean(curve: Curve) -> tuple[float, int]:
    """(mean of log(days + 1) · finished stages, finished stages) of a month's stages, from their
    survival curve: running stages count as censored, so a month whose recent stages are mostly
    unfinished does not look fast; the share past the last finished one is put at it."""
    total, before = 0.0, 1.0
    for t, s in zip(curve.times, curve.surv, strict=True):
        total += math.log(t + 1) * (before - s)
        before = s
    if curve.times:
        total += math.log(curve.times[-1] + 1) * before
    return total * curve.events, curve.events


# --- the open cases of a day ---------------------------------------------------------------------
def open_cases(as_of: dt.date) -> dict[int, dict]:
    """The cases open on ``as_of`` (submitted by then, not closed by then): ``{id: {"closed_on",
    "state", "attrs"}}``. One query."""
    rows = (Application.objects.filter(submitted_on__isnull=False, submitted_on__lte=as_of)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)).exclude(state="draft").order_by()
            .values("id", "closed_on", "state", "policy_pack__code", "device_class", "category",
                    "application_type", "pathway"))
    return {r["id"]: r for r in rows.iterator(chunk_size=20_000)}


def remaining_of(facts: list[StageFact], *, cal, as_of: dt.date) -> list[RemainingStage]:
    """The stages of one case still to finish on ``as_of``, with what they have used."""
    out = []
    for f in facts:
        if f.finished:
            continue
        open_pause = next((p for p in f.pauses if p.ended is None), None)
        out.append(RemainingStage(
            kind=f.kind, phase=f.phase, started=f.started, asked_after=f.before_request(cal) if f.started else None,
            elapsed=f.office_days(cal, as_of) if f.started else 0,
            waiting=(as_of - open_pause.started).days if open_pause else None,
            supplemented=any(p.ended is not None for p in f.pauses)))
    return out


def case_facts(application_ids, as_of: dt.date) -> dict[int, list[StageFact]]:
    """Every stage (skipped ones left out) of the given cases as it stood on ``as_of``. Three
    queries."""
    qs = (Stage.objects.filter(application_id__in=application_ids).exclude(state=StageState.SKIPPED)
          .order_by("application_id", "phase", "id"))
    attrs = _attrs_of(Application.objects.filter(pk__in=application_ids))
    facts = {r[0]: _fact(r, as_of, attrs[r[1]]) for r in qs.values_list(*STAGE_COLUMNS).iterator(chunk_size=20_000)}
    stops = (ClockStop.objects.filter(stage__application_id__in=application_ids, reason__in=APPLICANT,
                                      started_on__lte=as_of).order_by()
             .values_list("stage_id", "started_on", "ended_on", "answered", "applicant_deadline"))
    _attach_pauses(facts, stops.iterator(chunk_size=20_000), as_of)
    by_case: dict[int, list[StageFact]] = defaultdict(list)
    for f in facts.values():
        by_case[f.application_id].append(f)
    return by_case


def curve_of(data: dict) -> Curve:
    return Curve.from_json(data)
