"""The dashboard's figures, computed in the database: one aggregation per table, whatever the
number of cases (figures by aggregation and window functions, never by looping over rows).

What a figure means
-------------------
* **Working days of a finished stage** are its stored clock, ``consumed_days``: the working days
  counted against the stage's budget, pauses (supplements, rectification, expert consultation,
  suspension; Order 47 Art. 98) excluded. After a supplement the budget starts afresh
  (Order 47 Art. 92), and so does the clock: the figure is the days counted against the last budget.
* **On time** against the target: ``consumed_days <= target_days + extension_days``; against the
  statutory limit the same with ``statutory_days`` (stages whose statutory limit is a reference
  only, the national review, and stages with no statutory limit, such as testing, are left out).
* **Open now / past target now / past statutory limit now** read the stored dates against today
  (``review.deadlines``): no wait for the sweep.
* **Percentile**: the 90th percentile with linear interpolation (PostgreSQL's ``percentile_cont``;
  on SQLite the same formula from ``ROW_NUMBER`` and ``COUNT`` windows).
* **Baseline**: the plan's "from" figure (e.g. Chongqing's testing 60→45 WD) when the policy rule
  carries one in ``baseline_days``; none is shown otherwise (no number is invented).
* **Case-level figures** (FDA MDUFA style) are calendar days: total time from acceptance to the
  decision, the applicant's days (supplement, missing items, rectification) and the office's
  days (the difference).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate, TruncMonth
from django.utils.translation import gettext_lazy as _

from clock.sla import BREACH_LEAD_DAYS, RUNNING_LEVELS
from review.deadlines import (
    LABELS,
    applicant_past_q,
    level_q,
    level_rank_annotation,
    past_statutory_q,
    past_target_q,
    warning_leads,
)
from review.models import Application, ClockStop, PolicyPack, PolicyRule, Stage
from review.models.enums import APPLICANT_SIDE_REASONS, StageKind, StageState
from review.permissions import ALL_OFFICES
from review.selectors import applications_visible_to

PERCENTILE = 0.9
URGENT_LIMIT = 100
# Lishui (丽水市市场监督管理局关于市政协五届三次会议10号提案的答复, 丽市监提〔2024〕4号;
# docs/regulatory-basis.md#ls-speed): one reported best case, from an enterprise's intent to its
# production licence in 5 working days. A case-level reference figure, shown beside the office's
# own average; not a target or a limit.
LISHUI_REFERENCE_WD = 5
LISHUI_REFERENCE_SOURCE = _("a reported best case, 丽水市市场监督管理局关于市政协五届三次会议10号提案的答复 "
                            "(丽市监提〔2024〕4号)")


class Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


@dataclass
class KpiFilters:
    start: dt.date
    end: dt.date
    device_class: str = ""
    category: str = ""
    pathway: str = ""
    application_type: str = ""
    department: int | None = None
    district: str = ""
    policy_pack: int | None = None

    def application_q(self, prefix: str = "") -> Q:
        q = Q()
        for name in ("device_class", "category", "pathway", "application_type"):
            value = getattr(self, name)
            if value:
                q &= Q(**{f"{prefix}{name}": value})
        if self.district:
            q &= Q(**{f"{prefix}enterprise__district": self.district})
        if self.policy_pack:
            q &= Q(**{f"{prefix}policy_pack_id": self.policy_pack})
        return q

    def stage_q(self, prefix: str = "") -> Q:
        q = self.application_q(f"{prefix}application__")
        if self.department:
            q &= Q(**{f"{prefix}department_id": self.department})
        return q


@dataclass
class Scope:
    """Whose cases: every office's (no user: commands; the national reader), one office's (its
    staff), or those an industry officer may follow."""

    user: object | None = None

    @property
    def everything(self) -> bool:
        return self.user is None or (self.user.has_perm(ALL_OFFICES)
                                     and self.user.has_perm("review.view_all_applications"))

    @property
    def office_id(self):
        """Staff who see their whole office: filtered by office alone (no subquery)."""
        if not self.everything and self.user.has_perm("review.view_all_applications") and not self.user.enterprise_id:
            return self.user.office_id or 0
        return None

    def applications(self):
        if self.everything:
            return Application.objects.all()
        return applications_visible_to(self.user)

    def stages(self):
        if self.everything:
            return Stage.objects.all()
        if self.office_id is not None:
            return Stage.objects.filter(application__office_id=self.office_id)
        return Stage.objects.filter(application__in=self.applications().values("pk"))


_FLOAT_NOISE = Decimal("1e-9")
_ONE_PLACE = Decimal("0.1")


def half_up(value) -> float | None:
    """A figure to one decimal place, halves rounded up (四舍五入: 33.25 → 33.3, 17.25 → 17.3), as
    people round, and as the page, the downloads and ``kpi_report`` all show it. Python's
    ``round`` rounds halves to even and works on the binary float (33.25 → 33.2). The only
    rounding of the dashboard's figures.

    A float (PostgreSQL's ``percentile_cont``, SQLite's ``AVG``) is first read as the decimal it
    prints as, cut to nine places, so binary noise (33.249999999999996) does not turn a half
    into less than a half."""
    if value is None:
        return None
    if isinstance(value, float):
        value = Decimal(repr(value)).quantize(_FLOAT_NOISE)
    return float(_decimal_days(value).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP))


def _decimal_days(value) -> Decimal | None:
    """An unrounded figure as a decimal (a duration, an average of date differences, in days),
    for arithmetic before the one rounding."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return Decimal(value.days) + Decimal(value.seconds) / 86400 + Decimal(value.microseconds) / 86400_000_000
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _rate(hits, total):
    return None if not total else half_up(Decimal(100 * hits) / Decimal(total))


def _span(lo, hi):
    if lo is None:
        return ""
    return str(lo) if lo == hi else f"{lo}–{hi}"


@dataclass
class StageRow:
    kind: str
    label: str
    open_now: int = 0
    past_target: int = 0
    past_statutory: int = 0
    applicant_waiting: int = 0
    done: int = 0
    avg_days: float | None = None
    p90_days: float | None = None
    target: str = ""
    statutory: str = ""
    baseline: str = ""
    on_target: float | None = None
    on_statutory: float | None = None
    late_target: int = 0
    late_statutory: int = 0
    n_target: int = 0  # the finished stages each on-time rate is computed over (those with that limit)
    n_statutory: int = 0


def _done_q(f: KpiFilters) -> Q:
    return Q(state=StageState.DONE, finished_on__gte=f.start, finished_on__lte=f.end)


def _statutory_local() -> Q:
    return Q(statutory_days__isnull=False, statutory_reference=False)


OPEN_STATES = [StageState.RUNNING, StageState.PAUSED]


def stage_table(f: KpiFilters, *, today: dt.date, scope: Scope | None = None) -> list[StageRow]:
    """Per stage kind: open now, past target and statutory limit now, and for the stages finished
    in the period their count, average and 90th percentile working days, target and statutory limit
    beside them, and on-time rates. Four queries (open stages, finished stages, percentile,
    baseline), whatever the number of cases.

    The open and the finished stages are read by two aggregations, not one over "open or finished
    in the period": each reads only its own rows through its own partial index, so the finished
    part grows with the period asked for, not with the years of history in the table (and each
    row is tested against its own few conditions only)."""
    scope = scope or Scope()
    base = scope.stages().filter(f.stage_q()).order_by()
    # A subquery, not a join: a join with the clock stops would repeat a stage once per pause.
    applicant_wait = Q(state=StageState.PAUSED, pk__in=ClockStop.objects.filter(
        ended_on__isnull=True, reason__in=APPLICANT_SIDE_REASONS).values("stage_id"))
    open_rows = base.filter(state__in=OPEN_STATES).values("kind").annotate(
        open_now=Count("pk"),
        past_target=Count("pk", filter=past_target_q(today)),
        past_statutory=Count("pk", filter=past_statutory_q(today)),
        applicant_waiting=Count("pk", filter=applicant_wait),
        # The limits the open stages run against: shown when none of the kind finished in the period.
        target_min=Min("target_days"), target_max=Max("target_days"),
        statutory_min=Min("statutory_days", filter=_statutory_local()),
        statutory_max=Max("statutory_days", filter=_statutory_local()),
    )
    done = base.filter(_done_q(f))
    statutory = _statutory_local()
    met_target = Q(consumed_days__lte=F("target_days") + F("extension_days"))
    met_statutory = Q(consumed_days__lte=F("statutory_days") + F("extension_days"))
    done_rows = done.values("kind").annotate(
        done=Count("pk"),
        avg_days=Avg("consumed_days"),
        target_min=Min("target_days"), target_max=Max("target_days"),
        statutory_min=Min("statutory_days", filter=statutory),
        statutory_max=Max("statutory_days", filter=statutory),
        n_target=Count("target_days"),
        n_on_target=Count("pk", filter=Q(target_days__isnull=False) & met_target),
        n_statutory=Count("pk", filter=statutory),
        n_on_statutory=Count("pk", filter=statutory & met_statutory),
    )
    opened = {r["kind"]: r for r in open_rows}
    finished = {r["kind"]: r for r in done_rows}
    p90 = percentiles(done, "kind", "consumed_days")
    baselines = baseline_days(f, scope=scope)
    nothing = {"open_now": 0, "past_target": 0, "past_statutory": 0, "applicant_waiting": 0,
               "target_min": None, "target_max": None, "statutory_min": None, "statutory_max": None}
    out = []
    for kind, label in StageKind.choices:
        o, d = opened.get(kind, nothing), finished.get(kind)
        if not (o["open_now"] or d):
            continue  # pending or skipped stages only: nothing to show for this kind
        limits = d or o  # the finished stages' limits, else the open ones'
        d = d or {"done": 0, "avg_days": None, "n_target": 0, "n_on_target": 0, "n_statutory": 0,
                  "n_on_statutory": 0}
        out.append(StageRow(
            kind=kind, label=str(label), open_now=o["open_now"], past_target=o["past_target"],
            past_statutory=o["past_statutory"], applicant_waiting=o["applicant_waiting"], done=d["done"],
            avg_days=half_up(d["avg_days"]),
            p90_days=p90.get(kind), target=_span(limits["target_min"], limits["target_max"]),
            statutory=_span(limits["statutory_min"], limits["statutory_max"]), baseline=baselines.get(kind, ""),
            on_target=_rate(d["n_on_target"], d["n_target"]),
            on_statutory=_rate(d["n_on_statutory"], d["n_statutory"]),
            late_target=d["n_target"] - d["n_on_target"], late_statutory=d["n_statutory"] - d["n_on_statutory"],
            n_target=d["n_target"], n_statutory=d["n_statutory"],
        ))
    return out


def percentiles(qs, group: str, value: str, p: float = PERCENTILE) -> dict:
    """``{group value: p-th percentile of value}`` with linear interpolation, in the database."""
    if connection.vendor == "postgresql":
        rows = qs.order_by().values(group).annotate(v=Percentile(value, p))
        return {r[group]: half_up(r["v"]) for r in rows if r["v"] is not None}
    return percentiles_window(qs, group, value, p)


def percentiles_window(qs, group: str, value: str, p: float = PERCENTILE) -> dict:
    """The same figure from window functions (SQLite has no percentile_cont): rank each row in
    its group, keep only the (at most two) rows around position 1 + p·(n-1), interpolate.
    Reads at most two rows per group, whatever the group's size."""
    ranked = qs.order_by().annotate(
        rn=Window(RowNumber(), partition_by=[F(group)], order_by=[F(value).asc(), F("pk").asc()]),
        n=Window(Count("pk"), partition_by=[F(group)]),
    )
    # Rows whose rank is floor(pos) or ceil(pos), pos = 1 + p(n-1): (rn - 1) within 1 of p(n-1).
    pos = ExpressionWrapper((F("n") - 1) * Value(p), output_field=FloatField())
    near = ranked.annotate(pos=pos).filter(rn__gte=F("pos"), rn__lte=F("pos") + 2)
    found: dict = {}
    for g, v, rn, n in near.values_list(group, value, "rn", "n"):
        found.setdefault(g, {"n": n, "v": {}})["v"][rn] = v
    out = {}
    for g, data in found.items():
        # In decimals, so a half (12 + 0.25·5 = 13.25) stays a half for the rounding.
        position = 1 + Decimal(repr(p)) * (data["n"] - 1)
        lo, hi = math.floor(position), math.ceil(position)
        vlo, vhi = data["v"].get(lo), data["v"].get(hi, data["v"].get(lo))
        if vlo is None:
            continue
        vlo, vhi = Decimal(repr(vlo)), Decimal(repr(vhi))
        out[g] = half_up(vlo + (position - lo) * (vhi - vlo))
    return out


def baseline_days(f: KpiFilters, *, scope: Scope | None = None) -> dict[str, str]:
    """The plan's baseline per stage kind, from the rules that apply to the filtered cases: a rule
    of a pack the cases are bound to, carrying a baseline (``PolicyRule.baseline_days``), whose keys
    (class, category, pathway, type, complex flag; blank matches anything) match at least one of
    those cases. So IVD cases show testing's IVD baseline (45), not the span over every category.
    "" when none applies. The rules with a baseline are few: each is tested with an EXISTS over the
    filtered cases of its pack (an index probe on the case's pack; the first match ends it)."""
    scope = scope or Scope()
    bound = scope.applications().filter(f.application_q(), policy_pack_id=OuterRef("pack_id"))
    for key in ("device_class", "category", "pathway", "application_type"):
        rule_value = ExpressionWrapper(OuterRef(key), output_field=CharField())
        bound = bound.annotate(**{f"rule_{key}": rule_value}).filter(
            Q(**{f"rule_{key}": ""}) | Q(**{key: F(f"rule_{key}")}))
    rule_complex = ExpressionWrapper(OuterRef("complex_product"), output_field=BooleanField())
    bound = bound.annotate(rule_complex=rule_complex).filter(
        Q(rule_complex__isnull=True) | Q(complex_product=F("rule_complex")))
    rows = (PolicyRule.objects.filter(Exists(bound), baseline_days__isnull=False)
            .values("stage_kind").annotate(lo=Min("baseline_days"), hi=Max("baseline_days")).order_by())
    return {r["stage_kind"]: _span(r["lo"], r["hi"]) for r in rows}


# --- case-level figures ------------------------------------------------------------------------
def _days(end, start):
    return ExpressionWrapper(end - start, output_field=DurationField())


def _as_days(value) -> float | None:
    return half_up(value)


@dataclass
class CaseFigures:
    decided: int = 0
    avg_total: float | None = None
    avg_applicant: float | None = None
    avg_office: float | None = None
    max_total: float | None = None
    lishui_count: int = 0
    lishui_avg: float | None = None
    lishui_reference: int = LISHUI_REFERENCE_WD
    lishui_source: str = field(default_factory=lambda: str(LISHUI_REFERENCE_SOURCE))


def case_decisions(f: KpiFilters, *, scope: Scope | None = None):
    """One decision per case decided in the period, each case counted once, with ``start`` (the day
    its clock counts from) annotated:

    * the registration decision (``decision``) where the case has one, counted from the case's
      acceptance. A Class II case with a production licence in parallel is counted by it, never a
      second time by its licence decision;
    * otherwise the licence decision: a Class III case's only provincial decision is its licence,
      counted from the licence's acceptance (Order 53 Art. 10, 11), not from the registration's.

    A case refused because the supplement was not received within a year (Order 47 Art. 54) closes
    without a decision stage: it is not a decided case here."""
    scope = scope or Scope()
    has_registration_decision = Exists(Stage.objects.filter(
        application_id=OuterRef("application_id"), kind=StageKind.DECISION))
    start = Case(When(kind=StageKind.LICENCE_DECISION,
                      then=Coalesce("application__licence_accepted_on", "application__accepted_on")),
                 default=F("application__accepted_on"), output_field=DateField())
    return scope.stages().filter(
        Q(kind=StageKind.DECISION) | (Q(kind=StageKind.LICENCE_DECISION) & ~has_registration_decision),
        f.stage_q(), state=StageState.DONE, finished_on__gte=f.start, finished_on__lte=f.end,
    ).order_by().annotate(start=start).filter(start__isnull=False)


def case_figures(f: KpiFilters, *, scope: Scope | None = None) -> CaseFigures:
    """Cases decided in the period (``case_decisions``: one decision per case): calendar days from
    the start of its clock to the decision, the applicant's days in that span, and the office's
    (the difference). Two queries."""
    scope = scope or Scope()
    decisions = case_decisions(f, scope=scope)
    agg = decisions.annotate(total=_days(F("finished_on"), F("start"))).aggregate(
        n=Count("pk"), avg_total=Avg("total"), max_total=Max("total"))
    # The applicant's days: every applicant-side pause of these cases that began within the span
    # counted (a licence's rectification after the registration's decision is not in it) and
    # ended (a decision needs the review done, so every request was answered, lapsed or closed).
    # An unanswered pause is the applicant's only up to their deadline: the days after it, until
    # the office recorded the lapse (a failed verification), were the office's. Summed in one
    # query over the pauses, then divided by the number of cases: no subquery per case.
    within = Exists(decisions.filter(application_id=OuterRef("stage__application_id"),
                                     start__lte=OuterRef("started_on"), finished_on__gte=OuterRef("started_on")))
    stops = ClockStop.objects.filter(within, reason__in=APPLICANT_SIDE_REASONS, ended_on__isnull=False).order_by()
    applicant_end = Case(When(answered=False, applicant_deadline__lt=F("ended_on"), then=F("applicant_deadline")),
                         default=F("ended_on"))
    applicant = stops.aggregate(d=Sum(_days(applicant_end, F("started_on"))))["d"]
    out = CaseFigures(decided=agg["n"], avg_total=_as_days(agg["avg_total"]),
                      max_total=_as_days(agg["max_total"]))
    if agg["n"]:
        # The office's days from the unrounded averages, then each rounded once.
        applicant_avg = (_decimal_days(applicant) or Decimal(0)) / agg["n"]
        out.avg_applicant = half_up(applicant_avg)
        out.avg_office = half_up(_decimal_days(agg["avg_total"]) - applicant_avg)
    # Lishui: from the intent (the case's creation) to the production licence issued.
    licences = scope.stages().filter(
        Q(kind=StageKind.LICENCE_ISSUANCE) | Q(kind=StageKind.ISSUANCE, application__application_type="licence"),
        f.stage_q(), state=StageState.DONE,
        application__policy_pack__jurisdiction="LS", finished_on__gte=f.start, finished_on__lte=f.end,
    ).order_by().annotate(total=_days(F("finished_on"), TruncDate("application__created_at")))
    ls = licences.aggregate(n=Count("pk"), avg_total=Avg("total"))
    out.lishui_count, out.lishui_avg = ls["n"], _as_days(ls["avg_total"])
    # The reference figure is the pack's own (review.0006), with its citation.
    reference = (PolicyPack.objects.filter(jurisdiction="LS", reference_total_days__isnull=False)
                 .order_by("-effective_from").values("reference_total_days", "reference_total_label").first())
    if reference:
        out.lishui_reference = reference["reference_total_days"]
        out.lishui_source = reference["reference_total_label"]
    return out


# --- trend and workload ------------------------------------------------------------------------
def period_months(f: KpiFilters) -> list[dt.date]:
    """The first day of every month of the period, the first and last months included."""
    first, last = f.start.year * 12 + f.start.month - 1, f.end.year * 12 + f.end.month - 1
    return [dt.date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1)]


def trend(f: KpiFilters, *, scope: Scope | None = None) -> list[dict]:
    """By month of completion (within the period, like the stage table) and stage kind: count,
    average working days, on-time rate against the target. Only the months in which a stage
    finished have a row; the chart gives every month of the period its place (``period_months``)
    and leaves a gap where there is none. One query."""
    scope = scope or Scope()
    met = Q(target_days__isnull=False, consumed_days__lte=F("target_days") + F("extension_days"))
    rows = (scope.stages().filter(f.stage_q(), state=StageState.DONE, finished_on__gte=f.start,
                                  finished_on__lte=f.end)
            .order_by().annotate(month=TruncMonth("finished_on")).values("month", "kind")
            .annotate(n=Count("pk"), avg=Avg("consumed_days"),
                      n_target=Count("pk", filter=Q(target_days__isnull=False)),
                      on_target=Count("pk", filter=met)).order_by("month", "kind"))
    return [{"month": r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"],
             "kind": r["kind"], "label": str(StageKind(r["kind"]).label), "n": r["n"],
             "avg": half_up(r["avg"]), "on_target": _rate(r["on_target"], r["n_target"])}
            for r in rows]


STATE_LABELS = LABELS  # review.deadlines: the one label map

WORKLOAD_STATES = [
    ("breach", STATE_LABELS["breach"], "#8e1b1b"),
    ("statutory_near", STATE_LABELS["statutory_near"], "#b35c00"),
    ("overdue", STATE_LABELS["overdue"], "#d9534f"),
    ("due_soon", STATE_LABELS["due_soon"], "#f0ad4e"),
    ("on_track", _("On track"), "#5cb85c"),
    ("applicant", _("Waiting for the applicant"), "#7a8ba0"),
    ("paused", _("Paused (other reasons)"), "#b8c2cc"),
]


def workload(f: KpiFilters, *, today: dt.date, cal, scope: Scope | None = None) -> list[dict]:
    """Open stages by kind and deadline state, each stage in exactly one state. One query."""
    scope = scope or Scope()
    qs = scope.stages().filter(f.stage_q(), state__in=[StageState.RUNNING, StageState.PAUSED]).order_by()
    leads = sorted(set(qs.filter(state=StageState.RUNNING).values_list("warning_days", flat=True)
                       .distinct().order_by()))
    waiting = Q(pk__in=ClockStop.objects.filter(ended_on__isnull=True, reason__in=APPLICANT_SIDE_REASONS)
                .values("stage_id"))
    # Exclusive states as conditional counts grouped by kind only (a CASE per row made PostgreSQL
    # sort every open stage and, at 100k cases, JIT-compile the plan: 0.7 s against 0.1 s). The
    # running levels are review.deadlines' exclusive ones.
    counts = {
        **{level: level_q(level, today, cal, leads) for level in RUNNING_LEVELS},
        "applicant": Q(state=StageState.PAUSED) & waiting,
        "paused": Q(state=StageState.PAUSED) & ~waiting,
    }
    rows = qs.values("kind").annotate(**{k: Count("pk", filter=q) for k, q in counts.items()})
    table = {r["kind"]: {k: r[k] for k in counts if r[k]} for r in rows}
    return [{"kind": kind, "label": str(label), "counts": table[kind],
             "total": sum(table[kind].values())}
            for kind, label in StageKind.choices if kind in table and table[kind]]


# --- lists ---------------------------------------------------------------------------------------
def urgent_stages(f: KpiFilters, *, today: dt.date, cal, limit: int | None = URGENT_LIMIT, scope: Scope | None = None):
    """Running stages past or near a deadline, most urgent first: statutory limit passed, target
    near, target passed, target near (review.deadlines); then by date; the first ``limit`` of them
    (``None``: every one, for the downloads). One query (plus the count)."""
    scope = scope or Scope()
    leads = warning_leads()
    urgency = level_rank_annotation(today, cal, leads)  # the index in RUNNING_LEVELS: breach first
    # The same conditions as plain date bounds first, so the (state, target_due) and statutory_due
    # indexes find the few candidates; the CASE only orders them.
    latest_soon = cal.add_working_days(today, max(leads, default=0))
    candidates = Q(target_due__lte=latest_soon) | Q(statutory_reference=False,
                                                    statutory_due__lte=cal.add_working_days(today, BREACH_LEAD_DAYS))
    qs = (scope.stages().filter(f.stage_q(), candidates, state=StageState.RUNNING).annotate(urgency=urgency)
          .filter(urgency__lt=4).order_by("urgency", "statutory_due", "target_due", "pk"))
    # Order and cut on the stages alone, then read the few rows shown with their case, department
    # and assignee (joining before the LIMIT made PostgreSQL join every candidate).
    ids = list(qs.values_list("pk", flat=True)[:limit])
    rows = {s.pk: s for s in Stage.objects.filter(pk__in=ids).annotate(urgency=urgency)
            .select_related("application", "department", "assignee")}
    return [rows[pk] for pk in ids], qs.count()


def applicant_waits(f: KpiFilters, *, today: dt.date, scope: Scope | None = None) -> list[dict]:
    """The applicant's side, apart from the office's: open requests per stage kind (how many, the
    average calendar days waited so far, how many past the applicant's deadline) and requests
    answered in the period (how many, average calendar days to answer), and those that ended
    unanswered in the period (lapsed, or closed with the case): never counted as answered, their
    days never averaged as "days to answer". One query."""
    scope = scope or Scope()
    open_q = Q(ended_on__isnull=True)
    ended = Q(ended_on__gte=f.start, ended_on__lte=f.end)
    answered = ended & Q(answered=True)
    unanswered = ended & Q(answered=False)
    stops = ClockStop.objects.filter(f.stage_q("stage__"), open_q | ended, reason__in=APPLICANT_SIDE_REASONS)
    if not scope.everything:
        stops = stops.filter(stage__application__in=scope.applications().values("pk"))
    stops = stops.order_by()
    rows = stops.values("stage__kind", "reason").annotate(
        open=Count("pk", filter=open_q),
        waited=Avg(_days(Value(today), F("started_on")), filter=open_q),
        past=Count("pk", filter=applicant_past_q(today)),  # review.deadlines: the applicant's side
        n_answered=Count("pk", filter=answered),  # not "answered": that is the field filtered on
        to_answer=Avg(_days(F("ended_on"), F("started_on")), filter=answered),
        unanswered=Count("pk", filter=unanswered),
    ).order_by("stage__kind", "reason")
    from review.models.enums import PauseReason

    return [{"kind": str(StageKind(r["stage__kind"]).label), "reason": str(PauseReason(r["reason"]).label),
             "open": r["open"], "waited": _as_days(r["waited"]), "past": r["past"],
             "answered": r["n_answered"], "to_answer": _as_days(r["to_answer"]), "unanswered": r["unanswered"]}
            for r in rows if r["open"] or r["n_answered"] or r["unanswered"]]


def case_list(f: KpiFilters, *, scope: Scope | None = None):
    """The filtered cases for export: open now, or accepted or closed in the period."""
    scope = scope or Scope()
    active = (Q(state__in=["presubmission", "testing", "acceptance", "review", "decision", "issuance",
                           "suspended"])
              | Q(accepted_on__gte=f.start, accepted_on__lte=f.end)
              | Q(closed_on__gte=f.start, closed_on__lte=f.end))
    qs = scope.applications().filter(f.application_q(), active)
    if f.department:
        qs = qs.filter(pk__in=Stage.objects.filter(department_id=f.department).values("application_id"))
    return qs.order_by("reference")
