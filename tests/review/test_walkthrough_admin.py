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
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
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


# --- the calendar admin ------------------------------------------------------------------------
def test_an_adjusted_working_day_on_a_weekday_is_refused(users):
    from review.models import CalendarDay, TransitionLog

    response = _client(users.sysadmin).post("/admin/review/calendarday/add/", {
        "date": "2026-03-04", "kind": "workday", "name": "调休"})  # a Wednesday
    assert response.status_code == 200  # the form again, with the error by the date field
    errors = response.context["adminform"].form.errors
    assert errors["date"] == ["调休上班日必须是星期六或星期日：2026-03-04 是星期三。请改选周末的日期，"
                              "或将类型改为“节假日（休息）”。"]
    assert not CalendarDay.objects.filter(date=D(2026, 3, 4)).exists()
    assert not TransitionLog.objects.filter(action="reproject").exists()


def test_weekend_working_days_and_weekend_holidays_are_accepted(users):
    from review.models import CalendarDay

    client = _client(users.sysadmin)
    response = client.post("/admin/review/calendarday/add/", {
        "date": "2026-03-07", "kind": "workday", "name": "调休"})  # a Saturday
    assert response.status_code == 302, response.content[:500]
    # Official schedules list a holiday's weekend days too (National Day, Sat 2026-10-03).
    CalendarDay.objects.filter(date=D(2026, 10, 3)).delete()
    response = client.post("/admin/review/calendarday/add/", {
        "date": "2026-10-03", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 302, response.content[:500]
    assert set(CalendarDay.objects.filter(date__in=[D(2026, 3, 7), D(2026, 10, 3)]).values_list(
        "kind", flat=True)) == {"workday", "holiday"}


def test_the_calendar_forms_explain_their_fields(users):
    client = _client(users.sysadmin)
    page = client.get("/admin/review/calendaryear/add/").content.decode()
    assert "国务院办公厅" in page and "“正式”即指此" in page and "便于核对" in page
    page = client.get("/admin/review/calendarday/add/").content.decode()
    assert "只录入与一般规则不同的日期" in page and "只能是周末" in page and "例如春节、国庆节" in page


# --- the policy pack admin ---------------------------------------------------------------------
def _pack_post(**overrides):
    data = {"code": "test-pack", "name": "测试政策包", "jurisdiction": "CQ", "version": "1",
            "effective_from": "2026-01-01", "active": "on",
            "rules-TOTAL_FORMS": "0", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "1000"}
    data.update(overrides)
    return data


def test_extendable_kinds_are_checkboxes_of_known_stage_kinds(users):
    from review.models import PolicyPack

    client = _client(users.sysadmin)
    page = client.get("/admin/review/policypack/add/").content.decode()
    assert 'type="checkbox" name="extendable_kinds" value="technical_review"' in page
    assert "可延期的环节" in page and "技术审评" in page

    response = client.post("/admin/review/policypack/add/", _pack_post(extendable_kinds=["foo"]))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["extendable_kinds"]
    assert error.startswith("以下不是环节：“foo”。请从以下环节中选择：")
    assert "technical_review（技术审评）、" in error and "qms_verification（体系核查）" in error
    assert not PolicyPack.objects.filter(code="test-pack").exists()

    response = client.post("/admin/review/policypack/add/", _pack_post(
        extendable_kinds=["technical_review", "qms_verification"]))
    assert response.status_code == 302, response.content[:500]
    pack = PolicyPack.objects.get(code="test-pack")
    assert pack.extendable_kinds == ["technical_review", "qms_verification"]


def test_the_history_names_the_extendable_kinds_in_chinese(users):
    from django.contrib.admin.models import LogEntry
    from django.utils import translation

    from review.models import PolicyPack

    client = _client(users.sysadmin)
    client.post("/admin/review/policypack/add/", _pack_post(extendable_kinds=["technical_review"]))
    pack = PolicyPack.objects.get(code="test-pack")
    page = client.get(f"/admin/review/policypack/{pack.pk}/change/").content.decode()
    assert re.search(r'<input type="checkbox" name="extendable_kinds" value="technical_review"[^>]* checked>', page)
    response = client.post(f"/admin/review/policypack/{pack.pk}/change/", _pack_post(
        extendable_kinds=["technical_review", "merged_inspection"]))
    assert response.status_code == 302, response.content[:500]
    entry = LogEntry.objects.filter(object_id=str(pack.pk)).latest("action_time")
    with translation.override("zh-hans"):
        assert entry.get_change_message() == "已修改可延期的环节。"


def test_a_pack_with_an_unknown_kind_fails_model_validation(users):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from review.models import PolicyPack

    pack = PolicyPack(code="x", name="x", jurisdiction="CQ", effective_from=D(2026, 1, 1),
                      extendable_kinds=["technical_review", "foo"])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        pack.full_clean()
    [message] = exc.value.message_dict["extendable_kinds"]
    assert message.startswith("Not a stage kind: “foo”. Choose from: presubmission (Pre-submission service), ")


# --- the admin index ---------------------------------------------------------------------------
def test_the_index_has_no_recent_actions_module(users):
    page = _client(users.reviewer).get("/admin/").content.decode()
    assert 'id="my-work"' in page  # my work is there
    assert 'id="recent-actions-module"' not in page and 'id="content-related"' not in page
    assert "最近动作" not in page and "我的动作" not in page
    # No empty sidebar column either: the content takes the full width, headers on one line.
    assert '<div id="content" class="colM">' in page
    assert "#my-work thead th { white-space: nowrap; }" in page


def test_the_sign_in_lockout_section_is_in_chinese(admin_user):
    """django-axes ships no Simplified Chinese: its admin section and lists read English before."""
    c = _client(admin_user)
    page = c.get("/admin/").content.decode()
    assert "登录锁定" in page and "登录尝试" in page and "登录失败记录" in page
    assert "Access attempts" not in page and "Access failures" not in page and "Access logs" not in page
    listing = c.get("/admin/axes/accessattempt/").content.decode()
    assert "选择 登录尝试 来修改" in listing and "access attempt" not in listing.lower()
