"""The dashboard's figures against hand-computed values (tests/kpi/conftest.py)."""

import datetime as dt

from kpi.selectors import (
    KpiFilters,
    Scope,
    applicant_waits,
    baseline_days,
    case_figures,
    percentiles,
    percentiles_window,
    stage_table,
    trend,
    urgent_stages,
    workload,
)
from review.models import Stage
from review.selectors import calendar_current

PERIOD = KpiFilters(start=dt.date(2026, 3, 1), end=dt.date(2026, 6, 30))
TODAY = dt.date(2026, 6, 1)


def _row(rows, kind="technical_review"):
    return next(r for r in rows if r.kind == kind)


def test_the_stored_clocks_are_the_hand_computed_ones(kpi_cases):
    used = {s.application.product_name: s.consumed_days
            for s in Stage.objects.filter(kind="technical_review").select_related("application")}
    assert used == {"A": 10, "B": 8, "C": 12, "D": 45, "E": 6}


def test_average_percentile_and_on_time_rates(kpi_cases):
    r = _row(stage_table(PERIOD, today=TODAY))
    assert r.done == 5
    assert r.avg_days == 16.2
    assert r.p90_days == 31.8
    assert (r.target, r.statutory) == ("40", "60")
    assert r.on_target == 80.0 and r.late_target == 1
    assert r.on_statutory == 100.0 and r.late_statutory == 0


def test_the_baseline_is_the_plans_of_the_filtered_cases(kpi_cases):
    """Chongqing's plan gives "from" figures (testing 60/45/120 by category, review 60): shown beside
    the stage kinds of its cases, and nothing when no filtered case is bound to the plan."""
    assert _row(stage_table(PERIOD, today=TODAY)).baseline == "60"
    # Every fixture case is a passive device: the testing baseline that applies to them is 60.
    assert baseline_days(PERIOD) == {"technical_review": "60", "testing": "60"}
    nobody = KpiFilters(start=PERIOD.start, end=PERIOD.end, pathway="priority")
    assert baseline_days(nobody) == {}
    other_pack = kpi_cases.a.policy_pack.__class__.objects.exclude(pk=kpi_cases.a.policy_pack_id).first()
    assert baseline_days(KpiFilters(start=PERIOD.start, end=PERIOD.end, policy_pack=other_pack.pk)) == {}


def test_the_window_fallback_gives_the_same_percentile(kpi_cases):
    """SQLite has no percentile_cont: the window-function formula must agree with it."""
    qs = Stage.objects.filter(kind="technical_review", state="done")
    assert percentiles_window(qs, "kind", "consumed_days") == {"technical_review": 31.8}
    assert percentiles(qs, "kind", "consumed_days") == {"technical_review": 31.8}
    # Exact positions too: the median of five is the third value.
    assert percentiles_window(qs, "kind", "consumed_days", 0.5) == {"technical_review": 10.0}
    assert percentiles(qs, "kind", "consumed_days", 0.5) == {"technical_review": 10.0}


def test_the_period_selects_the_finished_stages(kpi_cases):
    april = KpiFilters(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    r = _row(stage_table(april, today=TODAY))
    # C (04-01), E (04-10) and D (45 WD after 03-02 is in May? no: early May) finished in April.
    finished = sorted(Stage.objects.filter(kind="technical_review", finished_on__month=4)
                      .values_list("consumed_days", flat=True))
    assert r.done == len(finished) and r.avg_days == round(sum(finished) / len(finished), 1)


def test_filters_narrow_the_cases(kpi_cases, users):
    assert stage_table(KpiFilters(start=PERIOD.start, end=PERIOD.end, pathway="priority"), today=TODAY) == []
    assert _row(stage_table(KpiFilters(start=PERIOD.start, end=PERIOD.end, device_class="II",
                                       district=users.enterprise_obj.district), today=TODAY)).done == 5
    assert stage_table(KpiFilters(start=PERIOD.start, end=PERIOD.end, district="nowhere"), today=TODAY) == []


def test_open_and_past_limits_now(kpi_cases):
    # B's QMS verification (and C's, D's) still run; as of TODAY they are past their targets.
    rows = stage_table(PERIOD, today=TODAY)
    qms = _row(rows, "qms_verification")
    running = Stage.objects.filter(kind="qms_verification", state="running")
    assert qms.open_now == running.count() == 3
    assert qms.past_target == running.filter(target_due__lt=TODAY).count()


def test_a_kind_with_nothing_finished_shows_the_limits_its_open_stages_run_against(kpi_cases):
    may = KpiFilters(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    qms = _row(stage_table(may, today=TODAY), "qms_verification")
    assert qms.done == 0 and qms.avg_days is None and qms.on_target is None
    targets = sorted(set(Stage.objects.filter(kind="qms_verification", state="running")
                         .values_list("target_days", flat=True)))
    assert targets and qms.target == (str(targets[0]) if len(targets) == 1 else f"{targets[0]}–{targets[-1]}")


def test_case_level_figures(kpi_cases):
    c = case_figures(PERIOD)
    assert c.decided == 2
    assert (c.avg_total, c.avg_applicant, c.avg_office) == (30.0, 13.0, 17.0)
    assert c.max_total == 42.0


def test_applicant_side_apart(kpi_cases):
    rows = applicant_waits(PERIOD, today=TODAY)
    assert len(rows) == 1
    assert rows[0]["answered"] == 1 and rows[0]["to_answer"] == 26.0 and rows[0]["open"] == 0


def test_trend_by_month(kpi_cases):
    rows = [r for r in trend(PERIOD) if r["kind"] == "technical_review"]
    by_month = {r["month"].strftime("%Y-%m"): (r["n"], r["avg"], r["on_target"]) for r in rows}
    assert by_month["2026-03"] == (1, 10.0, 100.0)  # A
    assert by_month["2026-04"] == (2, 9.0, 100.0)  # C 12, E 6
    assert by_month["2026-05"] == (2, 26.5, 50.0)  # B 8, D 45 (late)


def test_workload_puts_each_open_stage_in_one_state(kpi_cases):
    rows = workload(PERIOD, today=TODAY, cal=calendar_current())
    total = sum(r["total"] for r in rows)
    assert total == Stage.objects.filter(state__in=["running", "paused"]).count()


def test_urgent_list_order_and_scope(kpi_cases, users, reviewing):
    late, count = urgent_stages(PERIOD, today=TODAY, cal=calendar_current())
    late = list(late)
    assert count == len(late) >= 3
    assert [s.urgency for s in late] == sorted(s.urgency for s in late)
    # An industry officer of another district sees none of these cases.
    from tests.factories import user_with_role

    other = user_with_role("officer", district="另一区")
    assert stage_table(PERIOD, today=TODAY, scope=Scope(other)) == []
    assert _row(stage_table(PERIOD, today=TODAY, scope=Scope(users.officer))).done == 5


def test_halves_round_up(kpi_cases):
    """四舍五入, as people round: up to 10 May, A 10, C 12, D 45 (done 05-08) and E 6 finished:
    73 / 4 = 18.25 working days, shown 18.3 (Python's round() gave 18.2, half to even)."""
    assert Stage.objects.get(kind="technical_review", application=kpi_cases.d).finished_on == dt.date(2026, 5, 8)
    to_may_10 = KpiFilters(start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 10))
    r = _row(stage_table(to_may_10, today=TODAY))
    assert (r.done, r.avg_days) == (4, 18.3)
    # 90th percentile of 6, 10, 12, 45: position 1 + 0.9·3 = 3.7, 12 + 0.7·33 = 35.1.
    assert r.p90_days == 35.1


def test_the_one_rounding_rule():
    import datetime as dt
    from decimal import Decimal

    from kpi.selectors import half_up

    assert half_up(33.25) == 33.3 and half_up(17.25) == 17.3
    assert half_up(Decimal("33.2500000000")) == 33.3  # PostgreSQL's AVG is numeric
    assert half_up(33.249999999999996) == 33.3  # binary noise from percentile_cont
    assert half_up(33.24) == 33.2 and half_up(None) is None
    assert half_up(dt.timedelta(days=30, hours=6)) == 30.3  # an average of date differences
