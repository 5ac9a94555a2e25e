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
    assert wb.sheetnames == ["各环节", "案件层面指标", "月度趋势", "工作量", "申请人一方用时", "已超期和即将到期"]
    rows = list(wb["各环节"].iter_rows(values_only=True))
    review = next(r for r in rows[2:] if r[0] == "技术审评")
    # Target and statutory limit (Chongqing pack, Class II technical review: 40 and 60 WD), as numbers.
    assert (review[8], review[9]) == (40, 60)
    # What the on-time rates are over: all five have both limits.
    assert rows[1][15:17] == ("有目标时限的办结件数", "有法定时限的办结件数") and review[15:17] == (5, 5)

    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx" + QUERY + "&table=case_list").content),
                       read_only=True)
    assert wb.sheetnames == ["案件清单"]
    rows = list(wb["案件清单"].iter_rows(values_only=True))
    assert _case_row(rows[2:], kpi_cases.b.reference)[4:8] == ("第二类", "无源医疗器械", "首次注册", "常规")


def test_every_sheet_title_is_valid_in_excel(settings):
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name in SHEET_TITLES:
                title = sheet_title(name)
                assert title and len(title) <= 31 and not set(title) & set("[]:*?/\\"), title
