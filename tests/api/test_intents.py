"""Registering an intent through the API: a draft of the caller's enterprise, validated server-side."""

from rest_framework.test import APIClient

from review.models import Application, TransitionLog
from tests.case_fixtures import token_client

URL = "/api/v1/intents/"
GOOD = {"product_name": "便携式心电监护仪", "device_class": "II", "category": "active",
        "application_type": "first", "needs_testing": True}


def test_enterprise_registers_a_draft_of_its_own_enterprise(users):
    response = token_client(users.enterprise).post(URL, GOOD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    app = Application.objects.get(pk=body["id"])
    assert (app.state, app.enterprise, app.created_by) == ("draft", users.enterprise_obj, users.enterprise)
    assert app.needs_testing and body["route"]["code"] == "II-first" and body["stages"] == []
    assert TransitionLog.objects.filter(application=app, action="create").exists()


def test_bad_choices_are_400_naming_the_field(users, english):
    response = token_client(users.enterprise).post(URL, {**GOOD, "device_class": "IV"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "device_class" and "IV" in body["detail"]
    missing = token_client(users.enterprise).post(URL, {"device_class": "II"}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] in {"product_name", "category",
                                                                       "application_type"}
    blank = token_client(users.enterprise).post(URL, {**GOOD, "product_name": "   "}, format="json")
    assert blank.status_code == 400 and blank.json()["field"] == "product_name"
    assert not Application.objects.exists()


def test_only_enterprise_users_register_intents(users):
    assert token_client(users.officer).post(URL, GOOD, format="json").status_code == 403
    assert token_client(users.acceptance).post(URL, GOOD, format="json").status_code == 403
    assert APIClient().post(URL, GOOD, format="json").status_code == 401
    assert not Application.objects.exists()


def test_errors_come_in_the_users_language(users):
    users.enterprise.language = "zh-hans"
    users.enterprise.save(update_fields=["language"])
    client = APIClient()
    client.force_login(users.enterprise)
    chinese = client.post(URL, {**GOOD, "category": "x"}, format="json").json()["detail"]
    users.enterprise.language = "en"
    users.enterprise.save(update_fields=["language"])
    english = client.post(URL, {**GOOD, "category": "x"}, format="json").json()["detail"]
    assert chinese != english and "valid choice" in english
