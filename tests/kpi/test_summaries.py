"""The monthly summaries (docs/dashboard.md#summaries) give exactly the figures computed from the
stages: over several periods (whole months, partial edges, a single month, the year so far), every
filter, the offices and the industry officer's scope. On PostgreSQL: its percentile_cont and
interval averages are what the summaries must reproduce to the bit."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.utils import timezone

from kpi import summaries
from kpi.models import StageMonth, SummaryMonth
from kpi.selectors import KpiFilters, Scope, case_figures, stage_table, trend
from review.models import Application, Department, Stage
from services import workflow
from tests.conftest import stage_of

D = dt.date
TODAY = D(2026, 6, 1)
PERIODS = [(D(2026, 3, 1), D(2026, 6, 30)), (D(2026, 3, 10), D(2026, 5, 20)), (D(2026, 4, 1), D(2026, 4, 30)),
           (D(2026, 1, 1), D(2026, 11, 30))]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def test_interval_avg_is_postgresqls(db):
    rng = random.Random(7)
    with connection.cursor() as cur:
        for _ in range(300):
            values = [rng.randint(0, 400) for _ in range(rng.choice([1, 3, 7, 20, 140, 141, 999]))]
            cur.execute("SELECT avg(interval '1 day' * x) FROM unnest(%s::int[]) AS x", [values])
            assert summaries.interval_avg(sum(values), len(values)) == cur.fetchone()[0], values


def test_percentile_from_histogram_is_percentile_cont(db):
    rng = random.Random(11)
    with connection.cursor() as cur:
        for _ in range(300):
            values = [rng.randint(0, 90) for _ in range(rng.randint(1, 60))]
            for p in (0.9, 0.5, 0.25):
                cur.execute("SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY x) FROM unnest(%s::int[]) AS x",
                            [p, values])
                histogram = {}
                for v in values:
                    histogram[v] = histogram.get(v, 0) + 1
                assert summaries.percentile_from_histogram(histogram, p) == cur.fetchone()[0], (p, values)


def test_split_reads_whole_built_months_only(db):
    SummaryMonth.objects.create(month=D(2026, 4, 1), built_on=D(2026, 5, 2))
    SummaryMonth.objects.create(month=D(2026, 5, 1), built_on=D(2026, 5, 20))  # built before it ended
    SummaryMonth.objects.create(month=D(2026, 3, 1), built_on=D(2026, 4, 2), stale=True)
    s = summaries.split(D(2026, 3, 1), D(2026, 6, 30))
    assert s.months == [D(2026, 4, 1)]
    assert s.raw == [(D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 5, 1), D(2026, 6, 30))]
    # April cut at either end is read from the stages.
    assert summaries.split(D(2026, 4, 2), D(2026, 6, 30)).months == []
    assert summaries.split(D(2026, 3, 1), D(2026, 4, 29)).months == []
    # Days of a month not summarised whole: each from its day summary when built after it ended.
    SummaryMonth.objects.create(month=D(2026, 5, 3), daily=True, built_on=D(2026, 5, 4))
    SummaryMonth.objects.create(month=D(2026, 5, 4), daily=True, built_on=D(2026, 5, 4))  # not yet ended
    s = summaries.split(D(2026, 5, 1), D(2026, 5, 10))
    assert (s.months, s.days) == ([], [D(2026, 5, 3)])
    assert s.raw == [(D(2026, 5, 1), D(2026, 5, 2)), (D(2026, 5, 4), D(2026, 5, 10))]


def _figures(f, scope):
    return stage_table(f, today=TODAY, scope=scope), trend(f, scope=scope), case_figures(f, scope=scope)


def _filters(users, offices):
    default, other = offices
    review = Department.objects.get(code="review")
    pack = Application.objects.values_list("policy_pack_id", flat=True).first()
    return [{}, {"device_class": "II"}, {"category": "passive"}, {"category": "ivd"}, {"pathway": "priority"},
            {"application_type": "first"}, {"department": review.pk}, {"district": users.enterprise_obj.district},
            {"policy_pack": pack}, {"office": default.pk}, {"office": other.pk},
            {"category": "passive", "department": review.pk, "office": default.pk}]


def test_the_summaries_give_the_figures_of_the_stages(offices_cases, users):
    scopes = [Scope(), Scope(users.officer)]
    combos = [(KpiFilters(start=s, end=e, **kw), scope)
              for s, e in PERIODS for kw in _filters(users, offices_cases) for scope in scopes]
    assert not StageMonth.objects.exists()
    from_stages = [_figures(f, scope) for f, scope in combos]
    assert any(t[0] and t[0][0].done for t in from_stages)  # the comparison compares something
    # April summarised whole, March and May day by day: months, days and stages added.
    summaries.build_month(D(2026, 4, 1))
    for first in (D(2026, 3, 1), D(2026, 5, 1)):
        for n in range(summaries.month_end(first).day):
            summaries.build_day(first + dt.timedelta(days=n))
    assert StageMonth.objects.filter(daily=True, month__month=5).exists()
    assert summaries.split(D(2026, 3, 10), D(2026, 5, 20)).raw == []
    for (f, scope), expected in zip(combos, from_stages, strict=True):
        assert _figures(f, scope) == expected, (f, scope.user)
    # Every month summarised whole.
    for month in summaries.months_with_finished_stages():
        summaries.build_month(month)
    assert StageMonth.objects.filter(month=D(2026, 4, 1), daily=False).exists()
    assert summaries.split(D(2026, 3, 1), D(2026, 6, 30)).months == [D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1),
                                                                     D(2026, 6, 1)]
    for (f, scope), expected in zip(combos, from_stages, strict=True):
        assert _figures(f, scope) == expected, (f, scope.user)


def test_office_figures_add_up_and_staff_see_their_own(offices_cases, users):
    default, other = offices_cases
    for month in summaries.months_with_finished_stages():
        summaries.build_month(month)
    f = KpiFilters(start=D(2026, 3, 1), end=D(2026, 6, 30))
    every = {r.kind: r.done for r in stage_table(f, today=TODAY)}
    mine = {r.kind: r.done for r in stage_table(KpiFilters(start=f.start, end=f.end, office=default.pk),
                                                today=TODAY)}
    theirs = {r.kind: r.done for r in stage_table(KpiFilters(start=f.start, end=f.end, office=other.pk),
                                                  today=TODAY)}
    # D, moved to the second office: its acceptance and review finished, its QMS verification open.
    assert theirs == {"acceptance": 1, "technical_review": 1, "qms_verification": 0}
    assert {k: mine.get(k, 0) + theirs.get(k, 0) for k in every} == every
    # The industry officer of the first office does not see the second office's case in their district.
    officer = {r.kind: r.done for r in stage_table(f, today=TODAY, scope=Scope(users.officer))}
    assert officer["technical_review"] == mine["technical_review"]


def test_a_stage_finished_in_a_built_month_is_counted_at_once(offices_cases, users, reviewing):
    for month in summaries.months_with_finished_stages():
        summaries.build_month(month)
    april = KpiFilters(start=D(2026, 4, 1), end=D(2026, 4, 30))
    before = next(r for r in stage_table(april, today=TODAY) if r.kind == "qms_verification").done
    late = Stage.objects.filter(kind="qms_verification", state="running").select_related("application").first()
    workflow.stage_complete(stage=stage_of(late.application, "qms_verification"), actor=users.inspector,
                            today=D(2026, 4, 28), outcome="passed", note="通过")
    assert SummaryMonth.objects.get(month=D(2026, 4, 1)).stale
    assert next(r for r in stage_table(april, today=TODAY) if r.kind == "qms_verification").done == before + 1
    # The next refresh rebuilds it; the figures stay the same.
    assert D(2026, 4, 1) in summaries.refresh()
    assert not SummaryMonth.objects.get(month=D(2026, 4, 1)).stale
    assert next(r for r in stage_table(april, today=TODAY) if r.kind == "qms_verification").done == before + 1
    assert summaries.refresh() == []  # nothing due until tomorrow's rebuild of the recent months


def test_the_hourly_task_refreshes_and_the_sweep_does_not(offices_cases):
    """The summaries have their own schedule (docs/dashboard.md#summaries): the deadline sweep
    leaves them alone, the hourly task rebuilds what is due."""
    from django_celery_beat.models import PeriodicTask

    from kpi.tasks import summaries_refresh_task
    from notifications.sweep import deadlines_sweep

    task = PeriodicTask.objects.get(task="kpi.summaries_refresh")  # created by migration kpi.0005
    assert task.enabled and (task.crontab.minute, task.crontab.hour) == ("5", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    due = summaries.due_months()
    assert due, "the cases finished stages in months now complete"
    deadlines_sweep(today=timezone.localdate())
    assert not SummaryMonth.objects.exists()
    assert summaries.due_months() == due
    rebuilt = summaries_refresh_task()
    assert rebuilt == [m.isoformat() for m in sorted(due, reverse=True)[:summaries.REFRESH_MONTHS]]
    assert set(SummaryMonth.objects.filter(daily=False).values_list("month", flat=True)) == set(
        sorted(due, reverse=True)[:summaries.REFRESH_MONTHS])


def test_the_command_rebuilds_every_month(offices_cases, capsys):
    from django.core.management import call_command

    call_command("kpi_summaries", "--all")
    months = summaries.months_with_finished_stages()
    assert set(SummaryMonth.objects.filter(daily=False).values_list("month", flat=True)) == set(months)
    assert "month(s) rebuilt" in capsys.readouterr().out
    with pytest.raises(Exception, match="has not ended"):
        call_command("kpi_summaries", "--month", dt.date.today().strftime("%Y-%m"))
