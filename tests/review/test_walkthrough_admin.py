"""Fixes from the staff walkthrough of the admin: the paused stage's statutory limit, the calendar
and policy-pack forms, the index without Django's recent-actions module."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from services import workflow
from tests.conftest import stage_of

pytestmark = pytest.mark.django_db

D = dt.date


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _cell(page: str, kind: str, column: int) -> str:
    """The text of one cell of the admin case page's stage table (0-based column)."""
    row = re.search(rf'<tr id="stage-{kind}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    return re.sub(r"<[^>]+>", "", cells[column]).strip()


def test_a_paused_stage_shows_its_statutory_limit_and_the_pause(users, reviewing):
    app = reviewing()  # Chongqing pack, Class II: technical review 60 WD statutory limit
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items="产品技术要求", note="", today=D(2026, 3, 16))
    review = stage_of(app, "technical_review")
    assert (review.state, review.statutory_due, review.statutory_days) == ("paused", None, 60)

    page = _client(users.reviewer).get(reverse("admin:review_application_change", args=[app.pk])).content.decode()
    cell = _cell(page, "technical_review", 5)  # the statutory-limit column
    assert "无法定时限" not in cell
    assert "60 个工作日（计时暂停）" in cell

    portal = _client(users.enterprise).get(reverse("portal:application", args=[app.pk])).content.decode()
    assert "60 个工作日（计时暂停）" in portal


def test_no_statutory_limit_only_when_there_is_none(users, reviewing):
    app = reviewing()  # Class II QMS verification: a target, no statutory limit (Order 47 Art. 48)
    qms = stage_of(app, "qms_verification")
    assert qms.statutory_days is None and qms.state == "running"
    page = _client(users.reviewer).get(reverse("admin:review_application_change", args=[app.pk])).content.decode()
    assert _cell(page, "qms_verification", 5) == "无法定时限"
