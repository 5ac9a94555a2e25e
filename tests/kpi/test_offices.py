"""Offices on the dashboard (docs/dashboard.md#offices): staff see their office's figures only, the
national role every office's, and the comparison of offices measures each against its own plan."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from kpi import summaries
from kpi.offices import office_comparison
from kpi.selectors import KpiFilters, stage_table
from review.models import Stage, User
from review.selectors import policy_pack_in_force

D = dt.date
PERIOD = "?start=2026-03-01&end=2026-06-30"


@pytest.fixture
def national(db):
    user = User.objects.create_user("national-reader", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="全国查阅 National reader"))
    return User.objects.get(pk=user.pk)


def _done(response):
    return {r.kind: r.done for r in response.context["stages"]}


def _expected(office=None):
    f = KpiFilters(start=D(2026, 3, 1), end=D(2026, 6, 30), office=office)
    return {r.kind: r.done for r in stage_table(f, today=dt.date.today())}


def test_staff_see_their_offices_figures_only(client, offices_cases, users):
    default, other = offices_cases
    client.force_login(users.supervisor)
    response = client.get("/dashboard/" + PERIOD)
    assert response.status_code == 200
    assert _done(response) == _expected(default.pk) != _expected()
    assert "office" not in response.context["form"].fields
    # Asking for the other office changes nothing: the office is the reader's, not a choice.
    assert _done(client.get("/dashboard/" + PERIOD + f"&office={other.pk}")) == _expected(default.pk)
    csv = client.get("/dashboard/export.csv" + PERIOD + f"&table=stages&office={other.pk}").content.decode()
    review = next(line for line in csv.splitlines() if line.startswith(("Technical review", "技术审评")))
    assert review.split(",")[5] == str(_expected(default.pk)["technical_review"])


def test_the_national_role_sees_every_office_or_one(client, offices_cases, national):
    default, other = offices_cases
    client.force_login(national)
    assert _done(client.get("/dashboard/" + PERIOD)) == _expected()
    assert _done(client.get("/dashboard/" + PERIOD + f"&office={other.pk}")) == _expected(other.pk)


def test_the_officer_sees_their_offices_cases_in_their_district(client, offices_cases, users):
    default, _other = offices_cases
    client.force_login(users.officer)
    response = client.get("/portal/dashboard/" + PERIOD)
    assert response.status_code == 200
    assert _done(response) == _expected(default.pk)


def test_the_comparison_is_for_the_national_role(client, offices_cases, users, national):
    client.force_login(users.supervisor)
    assert client.get("/dashboard/offices/").status_code == 403
    client.force_login(national)
    response = client.get("/dashboard/offices/" + PERIOD)
    assert response.status_code == 200
    assert [r.office.code for r in response.context["rows"]] == sorted(r.office.code for r in response.context["rows"])


def test_each_office_against_its_own_plan(offices_cases):
    default, other = offices_cases
    f = KpiFilters(start=D(2026, 3, 1), end=D(2026, 6, 30))
    today = D(2026, 6, 1)
    rows = {r.office.pk: r for r in office_comparison(f, today=today)}
    assert set(rows) >= {default.pk, other.pk}
    # Each office's plan is its own jurisdiction's pack in force.
    assert rows[default.pk].plan == policy_pack_in_force(today, default.jurisdiction)
    assert rows[other.pk].plan == policy_pack_in_force(today, "SH")
    assert rows[default.pk].plan != rows[other.pk].plan
    # The figures per office are the dashboard's for that office, and add up to every office's.
    for office in (default, other):
        mine = {r.kind: (r.done, r.avg_days, r.p90_days, r.on_target)
                for r in stage_table(KpiFilters(start=f.start, end=f.end, office=office.pk), today=today) if r.done}
        assert {k.kind: (k.done, k.avg_days, k.p90_days, k.on_target) for k in rows[office.pk].kinds} == mine
    done = Stage.objects.filter(state="done", finished_on__gte=f.start, finished_on__lte=f.end).count()
    assert sum(r.done for r in rows.values()) == done
    open_now = Stage.objects.filter(state__in=["running", "paused"]).count()
    assert sum(r.open_now for r in rows.values()) == open_now
    # The plan's target for technical review is shown beside the office's average.
    review = next(k for k in rows[default.pk].kinds if k.kind == "technical_review")
    assert review.plan_target == "40"  # Chongqing's plan (tests/kpi/conftest.py: target 40 WD)
    # The same from the summaries.
    for month in summaries.months_with_finished_stages():
        summaries.build_month(month)
    again = {r.office.pk: r for r in office_comparison(f, today=today)}
    assert [(r.done, r.on_target, r.decided, r.avg_total, r.kinds) for r in again.values()] == \
        [(r.done, r.on_target, r.decided, r.avg_total, r.kinds) for r in rows.values()]


def test_the_monthly_report_of_one_office(offices_cases, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    default, other = offices_cases
    call_command("kpi_report", "--start", "2026-03-01", "--end", "2026-06-30", "--office", "sh",
                 "-o", str(tmp_path / "sh.xlsx"))
    done = sum(_expected(other.pk).values())
    assert f", {done} stages finished" in capsys.readouterr().out and done < sum(_expected().values())
    with pytest.raises(CommandError, match="--office: no office has the code 'XX'"):
        call_command("kpi_report", "--month", "2026-04", "--office", "XX", "-o", str(tmp_path / "x.xlsx"))
