"""Messages a Chinese reader gets for bad input (W2, W3): the field by its label, what is wrong and
what to do, in words a person would write; never a parameter name or Django's stock sentence."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from review.exceptions import InvalidInput
from review.models import Extension
from services import workflow
from tests.case_fixtures import portal_client
from tests.conftest import stage_of


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _staff(user):
    client = Client()
    client.force_login(user)
    return client


def test_lookup_credit_code_length_in_plain_words(db):
    page = Client().post("/portal/lookup/", {"reference": "CQ209900001", "credit_code": "123456"})
    assert page.status_code == 400
    body = text(page)
    assert "统一社会信用代码应为 18 位，您输入了 6 位。" in body
    assert "确保" not in body and "变量" not in body
    empty = text(Client().post("/portal/lookup/", {"reference": "", "credit_code": ""}))
    assert "请填写受理号。" in empty and "请填写申请人的统一社会信用代码。" in empty


def test_extension_days_named_by_its_label(users, in_review):
    app = in_review()
    stage = stage_of(app, "technical_review")
    act = reverse("admin:review_application_act", args=[app.pk, "extend"])
    client = _staff(users.supervisor)
    response = client.post(act, {"stage": stage.pk, "version": stage.version, "days": "五", "reason": "专家意见"})
    assert response["Location"].endswith("#actions")
    page = text(client.get(response["Location"]))
    assert "工作日数：请输入整数。" in page and "days：" not in page
    assert not Extension.objects.filter(stage=stage).exists()


def test_portal_filter_names_the_field_by_its_label(users, in_review):
    in_review()
    page = portal_client(users.enterprise).get("/portal/", {"device_class": "IV"})
    body = text(page)
    assert "管理类别：“IV”不是可选项，请从列表中选择。" in body
    assert "device_class" not in body.split('class="form-error"')[1].split("</div>")[0]


def test_a_day_that_does_not_exist_is_not_a_format_error(users, in_review):
    app = in_review()
    stage = stage_of(app, "technical_review")
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        workflow.stage_record_handover(stage=stage, actor=users.acceptance, handed_over_on="2026-02-30")
    assert str(caught.value.message) == "移交日期：2026-02-30 这一天不存在，请检查月份和日期。"
    assert caught.value.extra["field"] == "handed_over_on"
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        workflow.stage_record_handover(stage=stage, actor=users.acceptance, handed_over_on="30.02.2026")
    assert str(caught.value.message) == "移交日期：请按 YYYY-MM-DD 格式填写日期。"
    stage.refresh_from_db()
    assert stage.handed_over_on is None


def test_dashboard_names_the_field_and_says_the_day_does_not_exist(users):
    client = _staff(users.supervisor)
    page = client.get("/dashboard/", {"start": "2026-02-30", "end": "2026-06-30"})
    assert page.status_code == 400
    assert "统计期间起：2026-02-30 这一天不存在，请检查月份和日期。" in text(page)
    export = client.get("/dashboard/export.csv", {"start": "2026-02-30", "table": "stages"})
    assert export.status_code == 400 and "统计期间起：2026-02-30 这一天不存在" in export.content.decode()
    assert client.get("/dashboard/", {"start": "2026-03-01"}).status_code == 200
