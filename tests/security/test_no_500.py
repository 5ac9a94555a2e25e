"""Hostile or careless input gets a 4xx naming the problem, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import OutboundEmail
from review.models import Application, Enterprise
from services import workflow
from tests.case_fixtures import portal_client, token_client
from tests.conftest import MONDAY

GOOD = {"product_name": "便携式心电监护仪", "device_class": "II", "category": "active",
        "application_type": "first"}


def _staff(user) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


@pytest.mark.parametrize("depth", [50, 5_000, 100_000])
def test_deeply_nested_json_is_a_400(users, depth):
    body = "[" * depth + "]" * depth
    response = token_client(users.enterprise).generic("POST", "/api/v1/intents/", body,
                                                      content_type="application/json")
    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize("method", ["options", "post", "put", "delete"])
def test_api_docs_answers_every_method_without_a_500(users, method):
    response = getattr(_staff(users.supervisor), method)("/api/docs/")
    assert response.status_code in (200, 405)


@pytest.mark.parametrize("object_id, stage", [
    ("abc", "1"), ("1 OR 1=1", "1"), ("99999999999999999999999", "1"), ("-1", "1"),
    ("{pk}", "x"), ("{pk}", "1e9"), ("{pk}", "99999999999999999999999"), ("{pk}", ""),
])
def test_admin_action_url_with_a_bad_id_or_stage_is_a_404(users, make_application, object_id, stage):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    url = reverse("admin:review_application_act", args=[object_id.format(pk=app.pk), "complete"])
    response = _staff(users.acceptance).post(url, {"stage": stage, "version": 1, "outcome": "accepted"})
    assert response.status_code == 404


def test_admin_over_long_completion_reference_is_refused_with_a_message(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    stage = app.stages.get(kind="acceptance")
    url = reverse("admin:review_application_act", args=[app.pk, "complete"])
    response = _staff(users.acceptance).post(url, {"stage": stage.pk, "version": stage.version,
                                                   "outcome": "accepted", "reference": "9" * 61},
                                             follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "最多 60 个字符" in body  # the officer's language (Chinese), not the test's
    stage.refresh_from_db()
    assert stage.state == "running" and stage.outcome_reference == ""  # nothing half-written


@pytest.mark.parametrize("name", ["注射器\r\nBcc: attacker@example.com", "注射器\n", "注\t射器",
                                  "注射器\x00", "注射器\u2028第二行", "注射器\x1b[31m"])
def test_control_characters_in_the_product_name_are_refused_naming_the_field(users, name, english):
    response = token_client(users.enterprise).post("/api/v1/intents/", {**GOOD, "product_name": name},
                                                   format="json")
    body = response.json()
    if name == "注射器\n":  # a trailing line break is trimmed like any surrounding space
        assert response.status_code == 201
        return
    assert response.status_code == 400 and body["field"] == "product_name", body
    assert name == "注射器\x00" or "U+" in body["detail"]  # DRF refuses NUL itself
    assert not Application.objects.filter(product_name__startswith="注").exists()


def test_portal_intent_form_refuses_a_line_break(users, english):
    response = portal_client(users.enterprise).post("/portal/intents/new/", {
        **GOOD, "pathway": "standard", "product_name": "注射器\r\n第二行"})
    assert response.status_code == 400
    assert "U+000A, U+000D" in response.content.decode()
    assert not Application.objects.exists()


def test_enterprise_e_mails_still_go_out_for_a_case_filed_with_odd_spacing(users, make_application):
    app = make_application(product_name="  注射器  ")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.product_name == "注射器"
    assert all("\n" not in e.subject for e in OutboundEmail.objects.filter(application=app))


def test_admin_refuses_an_enterprise_name_with_a_line_break(users, english):
    c = Client()
    c.force_login(users.sysadmin)
    url = reverse("admin:review_enterprise_add")
    response = c.post(url, {"name": "甲公司\r\n乙", "credit_code": "91500000MA5U7XXXXX"})
    assert response.status_code == 200  # the form again, with the error
    assert not Enterprise.objects.filter(name__startswith="甲公司").exists()


# a NUL anywhere in input is a 400 naming where it is, one rule for every entry point.
NUL_ADDRESSES = [
    "/portal/lookup/?reference=CQ202600001%00&credit_code=91500000MA5U7E2L0X",
    "/api/v1/lookup/?reference=CQ202600001%00&credit_code=91500000MA5U7E2L0X",
    "/admin/review/application/?state=review%00", "/admin/review/application/?district=%00",
    "/admin/review/application/?q=%00", "/admin/review/transitionlog/?action=%00",
    "/admin/review/enterprise/?district=%00", "/api/v1/applications/?state=%00",
    "/portal/applications/?state=%00", "/api/v1/notices/verify/?number=%00&code=1",
    "/api/v1/calendar/add-working-days?start=2026-03-02%00&days=1", "/portal/applications/1%00/",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_a_nul_in_the_address_or_query_is_a_400(users, address):
    client = _staff(users.sysadmin) if address.startswith("/admin/") else Client(raise_request_exception=False)
    response = client.get(address)
    assert response.status_code == 400, (address, response.status_code)
    assert "NUL" in response.content.decode()


def test_every_admin_action_form_with_a_nul_is_a_400_and_writes_nothing(users, reviewing):
    from review.models import TransitionLog
    from services.actions import ACTIONS

    app = reviewing(on=MONDAY)
    stage = app.stages.get(kind="technical_review")
    client = _staff(users.supervisor)
    before = (TransitionLog.objects.count(), app.version)
    for action in ACTIONS:
        data = {"stage": stage.pk, "version": stage.version}
        data.update({f.name: "意见\x00" for f in action.form_fields(stage) if f.kind != "files"} or {"note": "\x00"})
        response = client.post(f"/admin/review/application/{app.pk}/act/{action.name}/", data)
        assert response.status_code == 400, (action.name, response.status_code)
    app.refresh_from_db()
    assert (TransitionLog.objects.count(), app.version) == before


@pytest.mark.parametrize(("body", "field"), [
    ({**GOOD, "product_name": "注射器\u0000"}, "product_name"),
    ({**GOOD, "items": ["a", "b\u0000"]}, "items.1"),
])
def test_a_nul_in_a_json_body_is_a_400_naming_the_field(users, body, field):
    response = token_client(users.enterprise).post("/api/v1/intents/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Application.objects.exists()


def test_a_nul_in_a_token_or_a_cookie_is_a_400(users):
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/applications/", HTTP_AUTHORIZATION="Token abc\x00def").status_code == 400
    client.cookies["sessionid"] = "abcdefghij\x00klm"
    assert client.get("/portal/").status_code == 400
