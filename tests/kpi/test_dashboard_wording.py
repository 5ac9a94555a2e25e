"""The dashboard page in Chinese: Chinese punctuation, and each on-time rate with its base."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

QUERY = "?start=2026-03-01&end=2026-06-30"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


def _page(user):
    c = Client()
    c.force_login(user)
    return c.get("/dashboard/" + QUERY).content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_no_ascii_colons_in_the_download_links(kpi_cases, users):
    text = _text(_page(users.supervisor))
    assert "下载：" in text and "CSV：各环节" in text and "CSV：案件" in text
    assert "下载:" not in text and "CSV:" not in text
    assert "已超期和即将到期（" in text


def test_the_on_time_rates_name_the_stages_they_are_over(kpi_cases, users):
    page = _page(users.supervisor)
    row = re.search(r'<th scope="row" class="text">技术审评</th>(.*?)</tr>', page, re.S).group(1)
    cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # Five technical reviews finished in the period (column 5), one of them after its target
    # (case D, 45 WD against 40); all five within the 60 WD statutory limit.
    assert cells[4] == "5"
    assert cells[10] == "80.0%（5 件中 1 件超时）"
    assert cells[11] == "100.0%（共 5 件）"
