"""Refresh the distributions, forecast one case, backtest a past day (docs/forecast.md).

The interface modules (portal, public look-up, API, admin, e-mail, dashboard) call
``forecast.selectors``; this module holds what writes (``refresh``) and what measures
(``backtest``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from review.selectors import calendar_current

from .estimation import LEVELS, MIN_BASIS, StageHistory, choose, simulate, target_sum
from .history import build_groups, case_facts, history_facts, min_basis, open_cases, remaining_of
from .models import Refresh, StageDistribution


def _distribution_row(refresh: Refresh, g: StageHistory) -> StageDistribution:
    keys = {k: g.key.get(k, "") for k in LEVELS[-1]}
    return StageDistribution(
        refresh=refresh, kind=g.kind, level=g.level, **keys,
        finished=g.office.events, running=g.office.censored,
        median_days=_q(g, 0.5), p90_days=_q(g, 0.9), supplement_share=round(g.supplement_share, 4),
        office_curve=g.office.to_json(), answer_curve=g.answer.to_json(), season=list(g.season),
        asked_curve=g.asked.to_json(), plain_curve=g.plain.to_json(), request_curve=g.with_request.to_json(),
        request_bins=g.by_request.to_json() if g.by_request else {})


def _q(g: StageHistory, p: float):
    from .estimation import conditional_quantile

    return conditional_quantile(g.office, p)


def refresh(*, as_of: dt.date | None = None, trigger: str = "") -> Refresh:
    """Recompute every group's distribution from the history up to ``as_of`` (default today) and
    store them as a new version; older versions are deleted in the same transaction, so a case
    page always reads one whole version."""
    from django.utils import timezone

    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    cal = calendar_current()
    facts = history_facts(as_of)
    groups = build_groups(facts, cal=cal, as_of=as_of)
    with transaction.atomic():
        version = (Refresh.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
        run = Refresh.objects.create(version=version, as_of=as_of, stages_read=len(facts), groups=len(groups),
                                     trigger=trigger[:40])
        StageDistribution.objects.bulk_create([_distribution_row(run, g) for g in groups.values()],
                                              batch_size=1000)
        Refresh.objects.filter(version__lt=version).delete()
        run.seconds = round(time.perf_counter() - started, 3)
        run.save(update_fields=["seconds"])
    return run


# --- the backtest ------------------------------------------------------------------------------
@dataclass
class BacktestResult:
    as_of: dt.date
    cases: int  # forecast and with a known outcome
    no_forecast: int  # open cases with too little history
    still_open: int  # outcome unknown (open at the end of the data, before their p90)
    p50_coverage: float | None
    p90_coverage: float | None
    mae_wd: float | None
    target_sum_mae_wd: float | None
    seconds: float = 0
    # What the model itself expects the coverages to be on these cases (see Forecast.own_p50).
    expected_p50: float | None = None
    expected_p90: float | None = None

    def as_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "cases": self.cases, "p50_coverage": self.p50_coverage,
                "p90_coverage": self.p90_coverage, "mae_wd": self.mae_wd,
                "target_sum_mae_wd": self.target_sum_mae_wd}


def forecasts_on(as_of: dt.date, *, cal=None, draws: int | None = None,
                 sample: int | None = None) -> tuple[dict, dict, int]:
    """Every case open on ``as_of`` forecast from what was known on it: ``({case id: Forecast},
    {case id: target-sum date}, cases without a forecast)``. Reads only rows of ``as_of`` or
    before, or reads later rows back to their state on ``as_of`` (``forecast.history``)."""
    cal = cal or calendar_current()
    groups = build_groups(history_facts(as_of), cal=cal, as_of=as_of)
    cases = open_cases(as_of)
    forecasts, targets, missing = {}, {}, 0
    limits_cache: dict = {}  # (pack, kind, keys) -> sla.Limits
    ids = sorted(cases)
    if sample and sample < len(ids):
        import random

        ids = sorted(random.Random(as_of.toordinal()).sample(ids, sample))
    for i in range(0, len(ids), 5000):
        chunk = ids[i:i + 5000]
        for app_id, facts in case_facts(chunk, as_of).items():
            attrs = {k: v for k, v in facts[0].attrs.items()} if facts else {}
            remaining = remaining_of(facts, cal=cal, as_of=as_of)
            if not remaining:
                continue
            for r in remaining:
                r.history = choose(groups, r.kind, attrs, min_basis())
            kw = {"draws": draws} if draws else {}
            f = simulate(remaining, as_of=as_of, cal=cal, seed=app_id, **kw)
            if f is None:
                missing += 1
                continue
            forecasts[app_id] = f
            by_stage = {x.id: x for x in facts}
            targets[app_id] = target_sum(
                [(x.phase, _used_of_budget(x, cal, as_of), budget_on(x, as_of, limits_cache))
                 for x in by_stage.values() if not x.finished], as_of=as_of, cal=cal)
    return forecasts, targets, missing


def budget_on(fact, as_of: dt.date, cache: dict) -> int | None:
    """The stage's target (else statutory) budget as it stood on ``as_of``, from the case's pack:
    the stored ``target_days`` is today's, which after a later supplement is the fresh budget
    (Order 47 Art. 92), a fact the day did not know."""
    from clock import sla
    from review.models import PolicyPack
    from review.selectors import policy_levels

    attrs = fact.attrs
    key = (attrs["pack_id"], fact.kind, attrs["device_class"], attrs["category"], attrs["pathway"],
           attrs["application_type"], attrs["complex_product"])
    if key not in cache:
        pack = PolicyPack.objects.filter(pk=attrs["pack_id"]).first() if attrs["pack_id"] else None
        cache[key] = sla.resolve_limits(policy_levels(pack), kind=fact.kind, attrs={
            k: attrs[k] for k in ("device_class", "category", "pathway", "application_type", "complex_product")}
        ) if pack else sla.Limits()
    limits = cache[key]
    restarted = [p for p in fact.pauses if p.ended is not None]
    if restarted:
        fresh = (limits.after_rectification_days if fact.kind in ("qms_verification", "merged_inspection",
                                                                 "licence_inspection")
                 else limits.after_supplement_days)
        if fresh:
            return fresh
    return limits.target_days or limits.statutory_days


def _used_of_budget(fact, cal, as_of: dt.date) -> int:
    """Working days counted against the budget on ``as_of``: since the last restart, else since
    the start."""
    if not fact.started:
        return 0
    ended = [p.ended for p in fact.pauses if p.ended is not None]
    since = max(ended) if ended else fact.started
    return max(0, fact.office_days(cal, as_of) if not ended else cal.working_days_between(since, as_of))


def backtest(as_of: dt.date, *, today: dt.date | None = None, draws: int | None = None,
             sample: int | None = None) -> BacktestResult:
    """Forecast every case open on ``as_of`` from what was known then, then compare with what
    happened: the share done by their p50 and p90 dates, the mean absolute error of the p50 date
    in working days, and the same error for the target-sum estimate. A case that ended without a
    decision (withdrawn, terminated) is left out; one still open at the end of the data counts as
    a miss of every date already passed, and is otherwise left out."""
    from django.utils import timezone

    started = time.perf_counter()
    today = today or timezone.localdate()
    cal = calendar_current()
    forecasts, targets, missing = forecasts_on(as_of, cal=cal, draws=draws, sample=sample)
    outcomes = {r["id"]: r for r in _outcomes(list(forecasts))}
    n = hit50 = hit90 = still = 0
    own50 = own90 = 0.0
    err, err_target, n_err = 0, 0, 0
    for app_id, f in forecasts.items():
        o = outcomes.get(app_id)
        if o is None or o["state"] in ("withdrawn", "terminated"):
            continue
        closed = o["closed_on"] if o["state"] in ("approved", "refused") else None
        if closed is None:
            if today <= f.p90:  # nothing known yet about the p90; the p50 alone would bias the count
                still += 1
                continue
            n += 1
            own50 += f.own_p50
            own90 += f.own_p90
            continue
        n += 1
        own50 += f.own_p50
        own90 += f.own_p90
        hit50 += closed <= f.p50
        hit90 += closed <= f.p90
        err += abs(cal.working_days_between(f.p50, closed))
        err_target += abs(cal.working_days_between(targets[app_id], closed))
        n_err += 1
    return BacktestResult(
        as_of=as_of, cases=n, no_forecast=missing, still_open=still,
        p50_coverage=round(hit50 / n, 4) if n else None, p90_coverage=round(hit90 / n, 4) if n else None,
        mae_wd=round(err / n_err, 2) if n_err else None,
        target_sum_mae_wd=round(err_target / n_err, 2) if n_err else None,
        expected_p50=round(own50 / n, 4) if n else None, expected_p90=round(own90 / n, 4) if n else None,
        seconds=round(time.perf_counter() - started, 1))


def _outcomes(ids):
    """How the cases ended (read after the forecasts are made: the comparison, not the forecast)."""
    from review.models import Application

    for i in range(0, len(ids), 5000):
        yield from Application.objects.filter(pk__in=ids[i:i + 5000]).values("id", "state", "closed_on")


__all__ = ["MIN_BASIS", "BacktestResult", "backtest", "forecasts_on", "refresh"]
