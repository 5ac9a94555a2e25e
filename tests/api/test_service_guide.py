"""The public service guide (docs/api.md#the-service-guide-办事指南): every parameter, every error, and agreement with
the clocks a real case gets. Numbers asserted here are the local plans' and the Orders' (see
docs/regulatory-basis.md), read back through the endpoint."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from services import workflow
from tests.conftest import MONDAY

URL = "/api/v1/service-guide/"
CQ_II = {"jurisdiction": "CQ", "device_class": "II", "category": "passive", "application_type": "first"}


def get(params, **headers):
    return Client().get(URL, params, **headers)


def guide(params):
    response = get(params)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def by_kind(body):
    return {s["kind"]: s for s in body["stages"]}


def kinds(body):
    return [s["kind"] for s in body["stages"]]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_contract_shape_without_login(db):
    body = guide(CQ_II)
    assert body["jurisdiction"] == "CQ"
    assert {"code", "name", "version", "effective_from"} <= set(body["pack"])
    assert body["pack"]["code"].startswith("cq-")
    assert body["route"] == "II-first"
    for stage in body["stages"]:
        assert {"kind", "target_days", "statutory_days", "unit", "basis"} <= set(stage)
        assert stage["unit"] == "working_days"


def test_stages_in_route_order_with_both_limits_and_a_readable_basis(db):
    body = guide(CQ_II)
    order = kinds(body)
    # needs_testing defaults to true for a first registration; no pre-submission without a trigger
    assert "presubmission" not in order
    assert order.index("testing") < order.index("acceptance") < order.index("technical_review")
    assert order.index("technical_review") < order.index("decision") < order.index("issuance")
    stages = by_kind(body)
    assert stages["testing"]["target_days"] == 45  # Chongqing item 19: passive 60 -> 45 (average)
    assert stages["technical_review"]["target_days"] == 40  # item 19: Class II review 60 -> 40
    assert stages["technical_review"]["statutory_days"] == 60  # Order 47 Art. 92
    assert stages["acceptance"]["statutory_days"] == 5  # Order 47 Art. 53
    assert stages["decision"]["statutory_days"] == 20  # Order 47 Art. 94
    assert stages["issuance"]["statutory_days"] == 10  # Order 47 Art. 95
    for stage in body["stages"]:
        assert stage["basis"] and ".txt" not in stage["basis"]
        assert stage["applicant_task"]


@pytest.mark.parametrize(("category", "target"), [("passive", 45), ("ivd", 30), ("active", 90)])
def test_category_chooses_the_testing_target(db, category, target):
    assert by_kind(guide({**CQ_II, "category": category}))["testing"]["target_days"] == target


def test_complex_product_has_no_shortened_testing_target(db):
    testing = by_kind(guide({**CQ_II, "complex_product": "true"}))["testing"]
    assert testing["target_days"] != 45


def test_needs_testing_false_drops_testing(db):
    assert "testing" not in kinds(guide({**CQ_II, "needs_testing": "false"}))


def test_needs_testing_defaults_to_false_for_a_renewal(db):
    body = guide({**CQ_II, "application_type": "renewal"})
    assert body["route"] == "II-renewal"
    assert kinds(body) == ["acceptance", "technical_review", "decision", "issuance"]


def test_key_project_adds_the_presubmission_service_first_without_a_statutory_limit(db):
    body = guide({**CQ_II, "key_project": "true"})
    assert kinds(body)[0] == "presubmission"
    assert by_kind(body)["presubmission"]["statutory_days"] is None


def test_with_licence_merges_the_inspections(db):
    order = kinds(guide({**CQ_II, "with_licence": "true"}))
    assert "merged_inspection" in order
    assert "qms_verification" not in order and "licence_inspection" not in order
    assert "merged_inspection" not in kinds(guide(CQ_II))


def test_pathway_is_accepted(db):
    assert guide({**CQ_II, "pathway": "priority"})["route"] == "II-first"


def test_shanghai_halves_the_class_ii_review_while_its_plan_ran(db):
    with time_machine.travel(dt.datetime(2023, 6, 1, 10), tick=False):  # the plan's goals ran to 2023
        body = guide({**CQ_II, "jurisdiction": "SH"})
    stages = by_kind(body)
    assert (body["pack"]["code"], body["ended_pack"]) == ("sh-2021", None)
    assert stages["technical_review"]["target_days"] == 30  # Shanghai plan: 50 % below 60 WD
    assert stages["technical_review"]["statutory_days"] == 60


def test_after_2023_shanghai_shows_the_statutory_pack_and_says_its_plan_ended(db):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10), tick=False):
        body = guide({**CQ_II, "jurisdiction": "SH"})
    assert body["jurisdiction"] == "SH" and body["pack"]["code"] == "cn-statutory"
    assert body["ended_pack"] == {"code": "sh-2021", "name": body["ended_pack"]["name"],
                                  "effective_until": "2023-12-31"}
    assert by_kind(body)["technical_review"]["target_days"] == 60  # no shortened target any more


def test_national_pack_has_the_statutory_limits_only(db):
    body = guide({**CQ_II, "jurisdiction": "CN"})
    assert body["pack"]["code"] == "cn-statutory"
    assert by_kind(body)["technical_review"]["target_days"] == 60


def test_class_iii_national_review_is_a_reference(db):
    body = guide({**CQ_II, "device_class": "III"})
    review = by_kind(body)["national_review"]
    assert review["statutory_days"] == 90 and review["statutory_reference"] is True  # Art. 92
    assert "technical_review" not in kinds(body)


@pytest.mark.parametrize("missing", ["jurisdiction", "device_class", "category", "application_type"])
def test_a_missing_required_parameter_is_named(db, missing):
    params = {k: v for k, v in CQ_II.items() if k != missing}
    response = get(params)
    assert response.status_code == 400
    assert response.json()["field"] == missing and missing in response.json()["detail"]


@pytest.mark.parametrize(("name", "value"), [
    ("jurisdiction", "XX"), ("jurisdiction", "cq"), ("device_class", "I"), ("category", "software"),
    ("application_type", "transfer"), ("pathway", "fast"),
    ("complex_product", "1"), ("with_licence", "True"), ("key_project", "yes"), ("needs_testing", "0"),
])
def test_a_bad_value_is_named(db, name, value):
    response = get({**CQ_II, name: value})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == name and name in body["detail"] and value in body["detail"]


def test_a_bad_value_is_explained_in_chinese(db):
    response = get({**CQ_II, "key_project": "yes"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "key_project" in response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_a_jurisdiction_without_a_pack_in_force_is_a_404_naming_it(db):
    with time_machine.travel(dt.datetime(2024, 6, 3, 10, 0, tzinfo=dt.UTC), tick=False):
        response = get(CQ_II)  # the Chongqing plan is not yet in force in 2024
        assert response.status_code == 404
        assert response.json()["field"] == "jurisdiction" and "CQ" in response.json()["detail"]
        assert get({**CQ_II, "jurisdiction": "CN"}).status_code == 200


def test_stage_names_and_tasks_follow_the_language(db):
    zh = get(CQ_II, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    en = get(CQ_II, HTTP_ACCEPT_LANGUAGE="en").json()
    assert by_kind(en)["technical_review"]["name"] == "Technical review"
    assert by_kind(zh)["technical_review"]["name"] == "技术审评"
    assert by_kind(zh)["acceptance"]["applicant_task"] != by_kind(en)["acceptance"]["applicant_task"]


def test_the_guide_agrees_with_a_real_case(users, make_application, settings):
    """The stages and the limits a filed case gets are the ones the guide promised."""
    settings.REVIEW_JURISDICTION = "CQ"
    app = make_application(needs_testing=False, with_production_licence=True)
    app = workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    body = guide({**CQ_II, "needs_testing": "false", "with_licence": "true"})
    real = app.stages.exclude(state="skipped").order_by("phase", "id")
    assert sorted(kinds(body)) == sorted(s.kind for s in real)
    acceptance = app.stages.get(kind="acceptance")
    promised = by_kind(body)["acceptance"]
    assert (acceptance.statutory_days, acceptance.target_days) == (
        promised["statutory_days"], promised["target_days"])
    assert acceptance.rule_source == promised["basis"]


def test_a_licence_application_runs_the_licence_route(db):
    body = guide({**CQ_II, "application_type": "licence", "with_licence": "true"})
    assert body["route"] == "licence"
    assert "merged_inspection" not in kinds(body) and "licence_inspection" in kinds(body)
