"""The office's history as it was known on one day (``as_of``), read from the stored stages and
pauses, and the groups of distributions built from it.

Every read is bounded by ``as_of``: stages started by then, pauses begun by then, cases submitted
by then; and whatever those rows say happened later (a stage finished after ``as_of``, a pause
that ended after it, a case closed after it) is read back to its state on ``as_of`` (running,
open, open). So the refresh (``as_of`` = today) and the backtest (a past day) use one code path,
and the backtest cannot see the future (tests/forecast/test_backtest.py changes every later row
and gets the same forecasts).

Known limitation: a stage *skipped* by the route is read as skipped whatever the day (its skip is
decided when the case is submitted, so before any forecast of it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from review.models import Application, ClockStop, Stage
from review.models.enums import APPLICANT_SIDE_REASONS, StageState

from .estimation import LEVELS, MIN_BASIS, Curve, RemainingStage, StageHistory, group_key, kaplan_meier

# The window of finished stages a refresh learns from: the last two years (the office changes:
# staff, packs, intake; older stages say less about next month). Running stages are all kept.
HISTORY_DAYS = 730
APPLICANT = tuple(APPLICANT_SIDE_REASONS)
CLOSED_STATES = ("approved", "refused", "withdrawn", "terminated")


@dataclass
class Pause:
    started: dt.date
    ended: dt.date | None  # None: still open on as_of
    answered: bool
    deadline: dt.date | None


@dataclass
class StageFact:
    """One stage as it stood on ``as_of``."""

    id: int
    application_id: int
    kind: str
    phase: int
    started: dt.date | None  # None: not started by as_of
    finished: dt.date | None  # None: not finished by as_of
    done: bool  # finished by as_of, as done (not cancelled)
    target_days: int | None
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


def _attrs(row) -> dict:
    return {"pack": row["application__policy_pack__code"] or "", "device_class": row["application__device_class"],
            "category": row["application__category"], "application_type": row["application__application_type"],
            "pathway": row["application__pathway"]}


STAGE_COLUMNS = ("id", "application_id", "kind", "phase", "state", "started_on", "finished_on", "target_days",
                 "statutory_days", "application__policy_pack__code", "application__device_class",
                 "application__category", "application__application_type", "application__pathway")


def _fact(row, as_of: dt.date) -> StageFact:
    started = row["started_on"] if row["started_on"] and row["started_on"] <= as_of else None
    finished = row["finished_on"] if started and row["finished_on"] and row["finished_on"] <= as_of else None
    return StageFact(
        id=row["id"], application_id=row["application_id"], kind=row["kind"], phase=row["phase"],
        started=started, finished=finished, done=bool(finished) and row["state"] == StageState.DONE,
        target_days=row["target_days"], statutory_days=row["statutory_days"], attrs=_attrs(row))


def _attach_pauses(facts: dict[int, StageFact], stops, as_of: dt.date) -> None:
    for stage_id, started, ended, answered, deadline in stops:
        fact = facts.get(stage_id)
        if fact is None or started > as_of:
            continue
        later = ended is None or ended > as_of
        fact.pauses.append(Pause(started, None if later else ended, False if later else answered, deadline))


def history_facts(as_of: dt.date, *, days: int = HISTORY_DAYS) -> list[StageFact]:
    """The stages to learn from on ``as_of``: finished in the window before it, or running on it.
    Two queries (stages with their case's keys; the applicant's pauses of those stages)."""
    since = as_of - dt.timedelta(days=days)
    qs = (Stage.objects.filter(started_on__isnull=False, started_on__lte=as_of)
          .filter(Q(finished_on__isnull=True) | Q(finished_on__gte=since))
          .exclude(state=StageState.SKIPPED).order_by())
    facts = {r["id"]: _fact(r, as_of) for r in qs.values(*STAGE_COLUMNS).iterator(chunk_size=20_000)}
    stops = (ClockStop.objects.filter(reason__in=APPLICANT, started_on__lte=as_of, stage__started_on__lte=as_of)
             .filter(Q(stage__finished_on__isnull=True) | Q(stage__finished_on__gte=since)).order_by()
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
    its office curve (finished stages as events, running ones censored), the share of finished
    stages with a request to the applicant, and the applicant's answer curve."""
    office: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    answers: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    asked: dict[tuple, int] = defaultdict(int)
    for f in facts:
        if f.finished and not f.done:
            continue  # cancelled: neither an event nor a running stage
        days = f.office_days(cal, as_of)
        replies = f.answer_days(as_of)
        keys = [group_key(f.kind, f.attrs, level) for level in range(len(LEVELS))]
        for key in keys:
            durations, observed = office[key]
            durations.append(days)
            observed.append(f.done)
            if f.done and f.pauses:
                asked[key] += 1
            if replies:
                a_days, a_obs = answers[key]
                for d, o in replies:
                    a_days.append(d)
                    a_obs.append(o)
    out = {}
    least = min_basis if min_basis is not None else globals()["min_basis"]()
    for key, (durations, observed) in office.items():
        events = sum(observed)
        if events < least:
            continue
        level = len(key) - 1
        a_days, a_obs = answers.get(key, ([], []))
        out[key] = StageHistory(
            kind=key[0], level=level, key=dict(zip(LEVELS[level], key[1:], strict=True)),
            office=kaplan_meier(durations, observed), supplement_share=asked[key] / events,
            answer=kaplan_meier(a_days, a_obs))
    return out


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
            kind=f.kind, phase=f.phase,
            elapsed=f.office_days(cal, as_of) if f.started else 0,
            waiting=(as_of - open_pause.started).days if open_pause else None,
            supplemented=any(p.ended is not None for p in f.pauses)))
    return out


def case_facts(application_ids, as_of: dt.date) -> dict[int, list[StageFact]]:
    """Every stage (skipped ones left out) of the given cases as it stood on ``as_of``. Two
    queries."""
    qs = (Stage.objects.filter(application_id__in=application_ids).exclude(state=StageState.SKIPPED)
          .order_by("application_id", "phase", "id"))
    facts = {r["id"]: _fact(r, as_of) for r in qs.values(*STAGE_COLUMNS).iterator(chunk_size=20_000)}
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
