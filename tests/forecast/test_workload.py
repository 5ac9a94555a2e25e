"""The supervisors' workload forecast (forecast/workload.py) and its place on the dashboard."""

import datetime as dt

import pytest

from forecast.estimation import kaplan_meier
from forecast.services import refresh
from forecast.workload import _pmf, workload_forecast
from kpi.selectors import Scope
from review.selectors import calendar_current
from tests.forecast.test_forecast_cases import history  # noqa: F401

D = dt.date


@pytest.fixture(autouse=True)
def _small_basis(settings):
    settings.FORECAST_MIN_BASIS = 3


def test_the_finishing_chances_of_a_stage_given_its_days():
    # Durations 2, 3, 3+, 5, 6+, 8 (tests/forecast/test_estimation.py): S = 5/6, 2/3, 4/9, 0.
    c = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])
    pmf, beyond = _pmf(c, 3)  # used 3 days: S(5)/S(3) = 2/3, S(8)/S(3) = 0
    assert pmf == [(5, pytest.approx(1 / 3)), (8, pytest.approx(2 / 3))]
    assert beyond == pytest.approx(0)


def test_the_workload_forecast_counts_open_stages_and_watches_statutory_limits(history):  # noqa: F811
    _finished, open_case = history
    refresh(as_of=D(2026, 4, 15))
    # Today 2026-04-15: the open case's review (accepted 04-01, 60 WD statutory) is not near its
    # limit; its QMS verification has none (Class II, Order 47 Art. 48, 98).
    result = workload_forecast(Scope().stages(), today=D(2026, 4, 15), cal=calendar_current())
    review = next(k for k in result.kinds if k.kind == "technical_review")
    assert review.open_now == 1 and review.basis == 3
    assert (result.month_start, result.month_end) == (D(2026, 5, 1), D(2026, 5, 31))
    assert len(result.fan) == 8 and all(lo <= mid <= hi for _d, lo, mid, hi in result.fan)
    assert result.watch == []
    # Ten working days before the review's statutory date, it is on the watch list.
    due = open_case.stages.get(kind="technical_review").statutory_due
    day = calendar_current().add_working_days(due, -10)
    watched = workload_forecast(Scope().stages(), today=day, cal=calendar_current()).watch
    assert [w["reference"] for w in watched] == [open_case.reference]
    assert watched[0]["left"] == 10


def test_the_dashboard_shows_the_forecast_and_its_fan_chart(history, users, client):  # noqa: F811
    refresh()
    client.force_login(users.supervisor)
    page = client.get("/dashboard/").content.decode()
    assert 'id="workload-forecast"' in page and "<polygon" in page
