"""The number recorded when a certificate is issued is checked against its form (walkthrough:
"abc" was printed on the signed approval notice and entered in the certificate register). A refused
number writes nothing and issues no notice; the error names the field and shows the form."""

import pytest
from django.urls import reverse

from notices.models import Notice
from review.exceptions import InvalidInput
from review.models import Certificate, TransitionLog
from services import workflow
from tests.case_fixtures import token_client
from tests.conftest import MONDAY, stage_of
from tests.review.test_admin import _act, _client
from tests.services.test_certificates import _to_issuance

pytestmark = pytest.mark.django_db


def _nothing_written(app, before):
    app.refresh_from_db()
    assert app.state == "issuance" and stage_of(app, "issuance").state == "running"
    assert app.certificate_number == ""
    assert not Certificate.objects.filter(application=app).exists()
    assert not Notice.objects.filter(application=app, kind="approval").exists()
    assert TransitionLog.objects.filter(application=app).count() == before


@pytest.mark.parametrize("number", [
    "abc", "渝械注准", "渝械注准2026214001", "渝械注准202621400011", "渝械注准 20262140001",
    "渝械注准２０２６２１４０００１", "国械注准20262140001", "X械注准20262140001", "渝械备20262140001",
    "渝药监械生产许20260001号",
])
def test_a_registration_certificate_number_out_of_form_is_refused(users, reviewing, english, number):
    app = reviewing()
    _to_issuance(app, users, MONDAY)
    before = TransitionLog.objects.filter(application=app).count()
    with pytest.raises(InvalidInput) as err:
        workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                                reference=number, today=MONDAY)
    assert err.value.extra == {"field": "reference"}
    assert "e.g. 渝械注准20262140001" in str(err.value.message)
    _nothing_written(app, before)


def test_the_class_digit_must_match_the_device(users, reviewing, english):
    app = reviewing()  # Class II
    _to_issuance(app, users, MONDAY)
    with pytest.raises(InvalidInput, match="class"):
        workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                                reference="渝械注准20263140001", today=MONDAY)
    workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140001", today=MONDAY)
    assert Certificate.objects.get(application=app).number == "渝械注准20262140001"


def test_the_national_approval_needs_an_nmpa_number(users, make_application, english):
    app = make_application(device_class="III")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    national = stage_of(app, "national_review")
    for number in ("渝械注准20263010001", "国械注准2026301001", "abc"):
        with pytest.raises(InvalidInput, match="国械注准20263010001") as err:
            workflow.stage_complete(stage=stage_of(app, "national_review"), actor=users.acceptance,
                                    outcome="approve", reference=number, today=MONDAY)
        assert err.value.extra == {"field": "reference"}
    assert stage_of(app, "national_review").state == national.state
    assert not Certificate.objects.filter(application=app).exists()
    for ok in ("国械注进20263010001",):
        workflow.stage_complete(stage=stage_of(app, "national_review"), actor=users.acceptance,
                                outcome="approve", reference=ok, today=MONDAY)
    assert Certificate.objects.get(application=app).number == "国械注进20263010001"


@pytest.mark.parametrize("number", ["abc", "渝药监械生产许 20260001号", "渝药监械生产许", "20260001号",
                                    "渝械注准20262140001"])
def test_a_production_licence_number_out_of_form_is_refused(users, make_application, english, number):
    app = make_application(application_type="licence")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    for kind, actor, kw in (("acceptance", users.acceptance, {"outcome": "accepted"}),
                            ("licence_inspection", users.inspector, {"outcome": "passed", "note": "通过"}),
                            ("decision", users.approver, {"outcome": "approve", "note": "准予许可"})):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=MONDAY, **kw)
    before = TransitionLog.objects.filter(application=app).count()
    with pytest.raises(InvalidInput, match="渝药监械生产许20260001号") as err:
        workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                                reference=number, today=MONDAY)
    assert err.value.extra == {"field": "reference"}
    _nothing_written(app, before)


def test_admin_issuance_with_a_bad_number_names_the_field_in_chinese(users, reviewing):
    app = reviewing()
    _to_issuance(app, users, MONDAY)
    before = TransitionLog.objects.filter(application=app).count()
    response = _act(_client(users.approver), app, "complete", stage_of(app, "issuance"), outcome="issued",
                    reference="abc")
    text = response.content.decode()
    assert "注册证编号：格式应为" in text and "渝械注准20262140001" in text
    _nothing_written(app, before)
    response = _act(_client(users.approver), app, "complete", stage_of(app, "issuance"), outcome="issued",
                    reference="渝械注准20262140001")
    app.refresh_from_db()
    assert app.state == "approved" and app.certificate_number == "渝械注准20262140001"
    assert Notice.objects.filter(application=app, kind="approval").count() == 1
    assert reverse("admin:review_application_change", args=[app.pk])  # the page still opens


def test_api_issuance_with_a_bad_number_is_400_naming_the_field(users, reviewing):
    app = reviewing()
    _to_issuance(app, users, MONDAY)
    before = TransitionLog.objects.filter(application=app).count()
    stage = stage_of(app, "issuance")
    response = token_client(users.approver).post(
        f"/api/v1/applications/{app.pk}/actions/complete/",
        {"stage": stage.pk, "version": stage.version, "outcome": "issued", "reference": "abc"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "reference" and "注册证编号：格式应为" in body["detail"]
    _nothing_written(app, before)
