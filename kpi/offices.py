"""The national comparison of offices (docs/dashboard.md#offices): each office's figures beside the
others', each measured against its own plan. A stage's on-time rate is against the target its own
case ran under, which its office's jurisdiction chose (``Office.jurisdiction`` → the policy pack in
force); the plan's targets per stage kind are shown beside the office's averages.

A fixed number of queries whatever the number of offices and cases: the open stages grouped by
office, the finished ones and the decided cases by office (complete months from the summaries),
and the plans' rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, Sum

from review.deadlines import past_statutory_q, past_target_q
from review.models import Office, PolicyPack, PolicyRule, Stage
from review.models.enums import StageKind
from review.selectors import policy_pack_in_force

from .selectors import (
    OPEN_STATES,
    KpiFilters,
    Scope,
    _as_days,
    _rate,
    _span,
    _split,
    _summary_rows,
    _whole_days,
    case_decisions,
    finished_by_office,
)
from .summaries import days, interval_avg


@dataclass
class OfficeKind:
    kind: str
    label: str
    done: int
    avg_days: float | None
    p90_days: float | None
    plan_target: str  # the office's plan's target for the kind ("" when the plan sets none)
    on_target: float | None
    n_target: int


@dataclass
class OfficeRow:
    office: Office
    plan: PolicyPack | None
    open_now: int = 0
    past_target: int = 0
    past_statutory: int = 0
    done: int = 0
    on_target: float | None = None
    on_statutory: float | None = None
    late_target: int = 0
    late_statutory: int = 0
    decided: int = 0
    avg_total: float | None = None
    kinds: list[OfficeKind] = field(default_factory=list)


def plan_targets(pack: PolicyPack | None, cache: dict) -> dict[str, str]:
    """The targets a plan sets per stage kind: the span over its rules (they differ by class,
    category, pathway), a pack's own rules before those it inherits (``review.selectors``'
    ``policy_levels`` order: child first)."""
    if pack is None:
        return {}
    if pack.pk not in cache:
        out, seen, level = {}, set(), pack
        while level is not None and level.pk not in seen:
            seen.add(level.pk)
            rows = (PolicyRule.objects.filter(pack=level, target_days__isnull=False).values("stage_kind")
                    .annotate(lo=Min("target_days"), hi=Max("target_days")).order_by())
            for r in rows:
                out.setdefault(r["stage_kind"], _span(r["lo"], r["hi"]))
            level = level.parent
        cache[pack.pk] = out
    return cache[pack.pk]


def office_comparison(f: KpiFilters, *, today: dt.date) -> list[OfficeRow]:
    """One row per office (the active ones, and any other with figures in the period), in code order."""
    scope = Scope()
    opened = {r["application__office_id"]: r for r in Stage.objects.filter(f.stage_q(), state__in=OPEN_STATES)
              .order_by().values("application__office_id").annotate(
                  open_now=Count("pk"), past_target=Count("pk", filter=past_target_q(today)),
                  past_statutory=Count("pk", filter=past_statutory_q(today)))}
    finished = finished_by_office(f, scope=scope)
    decided = _decided_by_office(f, scope)
    with_figures = set(opened) | {office for office, _kind in finished} | set(decided)
    offices = Office.objects.filter(Q(active=True) | Q(pk__in=with_figures)).order_by("code")
    plans, cache, out = {}, {}, []
    for office in offices:
        if office.jurisdiction not in plans:
            plans[office.jurisdiction] = policy_pack_in_force(today, office.jurisdiction)
        plan = plans[office.jurisdiction]
        targets = plan_targets(plan, cache)
        row = OfficeRow(office=office, plan=plan)
        o = opened.get(office.pk)
        if o:
            row.open_now, row.past_target, row.past_statutory = o["open_now"], o["past_target"], o["past_statutory"]
        totals = {"n_target": 0, "n_on_target": 0, "n_statutory": 0, "n_on_statutory": 0}
        for kind, label in StageKind.choices:
            d = finished.get((office.pk, kind))
            if not d:
                continue
            row.done += d["n"]
            for key in totals:
                totals[key] += d[key]
            row.kinds.append(OfficeKind(kind=kind, label=str(label), done=d["n"], avg_days=d["avg_days"],
                                        p90_days=d["p90_days"], plan_target=targets.get(kind, ""),
                                        on_target=_rate(d["n_on_target"], d["n_target"]), n_target=d["n_target"]))
        row.on_target = _rate(totals["n_on_target"], totals["n_target"])
        row.on_statutory = _rate(totals["n_on_statutory"], totals["n_statutory"])
        row.late_target = totals["n_target"] - totals["n_on_target"]
        row.late_statutory = totals["n_statutory"] - totals["n_on_statutory"]
        n, total = decided.get(office.pk, (0, 0))
        row.decided, row.avg_total = n, _as_days(interval_avg(total, n))
        out.append(row)
    return out


def _decided_by_office(f: KpiFilters, scope: Scope) -> dict[int, tuple[int, int]]:
    """``{office id: (cases decided in the period, their total calendar days)}``: the decisions
    ``case_figures`` counts, from the summaries for complete months and the stages for the rest."""
    split = _split(f, scope)
    out: dict[int, list[int]] = {}
    raw = (case_decisions(f, scope=scope, finished=split.raw_q())
           .annotate(total=days(F("finished_on"), F("start"))).values("application__office_id")
           .annotate(n=Count("pk"), days=Sum("total")).order_by())
    for r in raw:
        acc = out.setdefault(r["application__office_id"], [0, 0])
        acc[0] += r["n"]
        acc[1] += _whole_days(r["days"])
    summary = _summary_rows(f, scope, split)
    if summary is not None:
        for r in summary.values("office").annotate(n=Sum("decided"), days=Sum("decided_days")):
            if r["n"]:
                acc = out.setdefault(r["office"], [0, 0])
                acc[0] += r["n"]
                acc[1] += r["days"] or 0
    return {k: (v[0], v[1]) for k, v in out.items()}

