"""Who sees the dashboard, its downloads and the monthly report command."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from tests.factories import user_with_role

TODAY = dt.datetime(2026, 6, 1, 10, 0)
QUERY = "?start=2026-03-01&end=2026-06-30"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_supervisors_and_directors_see_the_dashboard(kpi_cases, users):
    for who in (users.supervisor, users.director):
        response = _client(who).get("/dashboard/" + QUERY)
        assert response.status_code == 200
        page = response.content.decode()
        assert "16.2" in page and "31.8" in page and "80.0%" in page
        # The charts are inline SVG; nothing is loaded from another site. (A bare "cdn"
        # search once matched the random CSRF token.)
        assert "<svg" in page
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
        # One of the admin's pages: its user tools (log out, language) are there.
        assert 'id="logout-form"' in page and 'name="language"' in page
    # The overdue list links into the admin.
    page = _client(users.supervisor).get("/dashboard/" + QUERY).content.decode()
    assert "/admin/review/application/" in page


def test_the_period_applied_is_the_period_shown(kpi_cases, users):
    """No period chosen: the date fields show the default period the figures are for."""
    page = _client(users.supervisor).get("/dashboard/").content.decode()
    assert 'name="start" value="2026-01-01"' in page and 'name="end" value="2026-06-01"' in page
    page = _client(users.supervisor).get("/dashboard/?device_class=II&end=2026-05-31").content.decode()
    assert 'name="start" value="2026-01-01"' in page and 'name="end" value="2026-05-31"' in page
    assert "2026-01-01" in page and "2026-05-31" in page


@pytest.mark.parametrize(("query", "start", "end"), [
    # An end alone: from 1 January of its year (it used to start on 1 January of this year, 2026,
    # after the end: a 400 naming the field the user left blank).
    ("?end=2025-06-30", "2025-01-01", "2025-06-30"),
    # A start alone: to today; a start after today (2026-06-01): to the end of its year.
    ("?start=2026-03-01", "2026-03-01", "2026-06-01"),
    ("?start=2027-02-01", "2027-02-01", "2027-12-31"),
])
def test_a_blank_period_side_follows_the_day_given(kpi_cases, users, query, start, end):
    response = _client(users.supervisor).get("/dashboard/" + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="start" value="{start}"' in page and f'name="end" value="{end}"' in page
    assert f"{start} 至 {end}" in page  # the period the figures are for, told above them
    assert "统计期间起：" not in page


def test_other_staff_need_the_permission(kpi_cases, users):
    response = _client(users.reviewer).get("/dashboard/")
    assert response.status_code == 403
    # Staff read why in the admin's look, with the way back to the admin (it was the portal's
    # 403 page, "返回门户", and the reason only in the log).
    page = response.content.decode()
    assert "绩效看板供科室负责人、处局领导及获得授权的工作人员使用。" in page
    assert 'href="/admin/"' in page and 'id="logout-form"' in page
    assert "返回门户" not in page and "医疗器械注册服务平台" not in page
    page = _client(users.enterprise).get("/dashboard/").content.decode()
    assert "返回门户" in page and "绩效看板供" not in page  # enterprises: the portal's page, as before
    assert _client(users.enterprise).get("/dashboard/").status_code == 403
    response = Client().get("/dashboard/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert _client(users.reviewer).get("/dashboard/export.xlsx").status_code == 403


def test_bad_period_is_a_400_naming_the_field(kpi_cases, users):
    response = _client(users.supervisor).get("/dashboard/?start=2026-07-01&end=2026-06-01")
    assert response.status_code == 400
    assert "统计期间起：请选择不晚于统计期间止的日期。" in response.content.decode()  # the user's language
    response = _client(users.supervisor).get("/dashboard/export.csv?table=nope")
    assert response.status_code == 400 and b"table" in response.content


def test_excel_export_has_every_table(kpi_cases, users):
    response = _client(users.supervisor).get("/dashboard/export.xlsx" + QUERY)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert {"各环节", "案件层面指标", "月度趋势", "工作量", "申请人一方用时", "已超期和即将到期"} <= set(wb.sheetnames)
    rows = list(wb["各环节"].iter_rows(values_only=True))
    review = next(r for r in rows[2:] if r[0] == "技术审评")  # the supervisor's language: Chinese
    assert review[5] == 5 and review[6] == 16.2 and review[7] == 31.8 and review[11] == 80.0
    response = _client(users.supervisor).get("/dashboard/export.xlsx" + QUERY + "&table=case_list")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    cases = [r[0] for r in list(wb["案件清单"].iter_rows(values_only=True))[2:]]
    assert kpi_cases.a.reference in cases and len(cases) == 5


def test_csv_exports(kpi_cases, users):
    client = _client(users.supervisor)
    body = client.get("/dashboard/export.csv" + QUERY + "&table=stages").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    review = next(r for r in rows if r[0] == "技术审评")
    assert review[6] == "16.2" and review[7] == "31.8"
    response = client.get("/dashboard/export.csv" + QUERY + "&table=case_list")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert kpi_cases.e.reference in body


def test_officers_see_their_district_in_aggregate_only(kpi_cases, users):
    page = _client(users.officer).get("/portal/dashboard/" + QUERY).content.decode()
    assert "16.2" in page
    assert kpi_cases.a.reference not in page  # aggregate only: no case named
    other = user_with_role("officer", district="另一区")
    page = _client(other).get("/portal/dashboard/" + QUERY).content.decode()
    assert "16.2" not in page
    assert _client(users.enterprise).get("/portal/dashboard/").status_code == 403


def test_kpi_report_command(kpi_cases, tmp_path):
    out = io.StringIO()
    path = tmp_path / "report.xlsx"
    call_command("kpi_report", "--start", "2026-03-01", "--end", "2026-06-30", "-o", str(path), stdout=out)
    assert "2 cases decided" in out.getvalue()
    wb = load_workbook(path, read_only=True)
    assert "各环节" in wb.sheetnames
    csv_path = tmp_path / "stages.csv"
    call_command("kpi_report", "--month", "2026-04", "--format", "csv", "-o", str(csv_path),
                 "--language", "en", stdout=io.StringIO())
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "Technical review" in text


def test_dashboard_query_count_does_not_grow(kpi_cases, users, reviewing):
    """Figures by aggregation: the same number of queries for 5 or 10 cases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(users.supervisor)
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboard/" + QUERY)
    for _ in range(5):
        reviewing(on=dt.date(2026, 3, 2))
    with CaptureQueriesContext(connection) as large:
        client.get("/dashboard/" + QUERY)
    assert len(large) == len(small)


def test_halves_round_up_on_the_page_in_the_downloads_and_the_report(kpi_cases, users, tmp_path):
    """Technical reviews finished 1 March to 10 May: 10, 12, 45, 6 working days, average 18.25:
    18.3 everywhere (18.2 before, Python's round-half-even)."""
    query = "?start=2026-03-01&end=2026-05-10"
    client = _client(users.supervisor)
    page = client.get("/dashboard/" + query).content.decode()
    row = re.search(r'<th scope="row" class="text">技术审评</th>(.*?)</tr>', page, re.S).group(1)
    assert "<td>18.3</td>" in row and "18.2" not in row
    body = client.get("/dashboard/export.csv" + query + "&table=stages").content.decode("utf-8-sig")
    review = next(r for r in csv.reader(io.StringIO(body)) if r[0] == "技术审评")
    assert review[6] == "18.3"
    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx" + query).content), read_only=True)
    review = next(r for r in wb["各环节"].iter_rows(values_only=True) if r[0] == "技术审评")
    assert review[6] == 18.3
    path = tmp_path / "stages.csv"
    call_command("kpi_report", "--start", "2026-03-01", "--end", "2026-05-10", "--format", "csv", "-o", str(path),
                 stdout=io.StringIO())
    review = next(r for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))) if r[0] == "技术审评")
    assert review[6] == "18.3"
