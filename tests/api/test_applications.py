"""The applications API: list, detail, stages, timeline; scoping, filters, pagination, auth."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from review.models import TransitionLog
from services import workflow
from tests.case_fixtures import token_client, working_day
from tests.conftest import stage_of
from tests.factories import EnterpriseFactory, user_with_role

LIST = "/api/v1/applications/"


def detail(app):
    return f"/api/v1/applications/{app.pk}/"


def refs(response):
    assert response.status_code == 200, response.content
    return {item["reference"] for item in response.json()["results"]}


def test_list_carries_reference_and_url_of_each_visible_case(users, in_review, make_application):
    app = in_review()
    draft = make_application()
    body = token_client(users.enterprise).get(LIST).json()
    assert body["count"] == 2
    by_ref = {item["reference"]: item for item in body["results"]}
    assert set(by_ref) == {app.reference, draft.reference}
    item = by_ref[app.reference]
    assert item["url"] == f"http://testserver/api/v1/applications/{app.pk}/"
    assert item["state"] == "review" and item["enterprise"]["credit_code"] == users.enterprise_obj.credit_code
    review = stage_of(app, "technical_review")
    qms = stage_of(app, "qms_verification")
    assert item["next_target_due"] == min(review.target_due, qms.target_due).isoformat()
    assert item["overdue"] is False
    # acceptance done of five stages counted (pre-submission and testing skipped)
    assert item["progress"] == 20
    assert by_ref[draft.reference]["progress"] == 0


def test_an_enterprise_sees_only_its_own_enterprise(users, in_review):
    mine = in_review()
    theirs_user = users.other_enterprise
    theirs = workflow.application_create(
        enterprise=theirs_user.enterprise, product_name="医用口罩", device_class="II", category="passive",
        application_type="first", actor=theirs_user)
    assert refs(token_client(users.enterprise).get(LIST)) == {mine.reference}
    assert refs(token_client(theirs_user).get(LIST)) == {theirs.reference}
    assert token_client(theirs_user).get(detail(mine)).status_code == 404


def test_staff_see_everything_and_officers_their_district_or_park(users, in_review):
    mine = in_review()
    elsewhere = EnterpriseFactory(district="沙坪坝区", park="西永微电园")
    other_user = user_with_role("enterprise", enterprise=elsewhere)
    theirs = workflow.application_create(enterprise=elsewhere, product_name="血糖仪", device_class="II",
                                         category="active", application_type="first", actor=other_user)
    assert refs(token_client(users.director).get(LIST)) == {mine.reference, theirs.reference}
    assert refs(token_client(users.officer).get(LIST)) == {mine.reference}
    park_officer = user_with_role("officer", district="沙坪坝区", park="西永微电园")
    assert refs(token_client(park_officer).get(LIST)) == {theirs.reference}
    assert token_client(park_officer).get(detail(mine)).status_code == 404
    other_park = user_with_role("officer", district="沙坪坝区", park="大学城")
    assert refs(token_client(other_park).get(LIST)) == set()


def test_a_user_with_no_scope_sees_nothing(users, in_review):
    app = in_review()
    nobody = user_with_role("officer", district="")
    assert refs(token_client(nobody).get(LIST)) == set()
    assert token_client(nobody).get(detail(app)).status_code == 404


def test_anonymous_and_bad_tokens_get_401(users, in_review):
    app = in_review()
    anonymous = APIClient()
    response = anonymous.get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert anonymous.get(detail(app)).status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert forged.get(LIST).status_code == 401


def test_session_authentication_works_too(users, in_review):
    app = in_review()
    client = APIClient()
    client.force_login(users.enterprise)
    assert refs(client.get(LIST)) == {app.reference}


@pytest.mark.parametrize(("params", "expected"), [
    ({"state": "review"}, {"reviewing", "late"}),
    ({"state": ["withdrawn", "draft"]}, {"withdrawn", "draft", "class3"}),
    ({"progress": "intent"}, {"draft", "class3"}),
    ({"progress": "in_progress"}, {"reviewing", "late"}),
    ({"progress": "closed"}, {"withdrawn"}),
    ({"device_class": "III"}, {"class3"}),
    ({"category": "ivd"}, {"class3"}),
    ({"pathway": "priority"}, {"draft"}),
    ({"overdue": "true"}, {"late"}),
    ({"overdue": "false"}, {"reviewing", "draft", "class3", "withdrawn"}),
    ({"q": "注射"}, {"reviewing", "late"}),
    ({"state": "review", "overdue": "true"}, {"late"}),
])
def test_filters(users, in_review, make_application, params, expected):
    cases = {
        "reviewing": in_review(),
        "draft": make_application(product_name="输液泵", pathway="priority"),
        "class3": make_application(product_name="检测试剂", device_class="III", category="ivd"),
        "late": in_review(),
    }
    withdrawn = make_application(product_name="口罩")  # submitted, then withdrawn: a case that stays listed
    workflow.application_submit(application=withdrawn, actor=users.enterprise)
    workflow.application_withdraw(application=withdrawn, actor=users.enterprise, reason="调整设计")
    cases["withdrawn"] = withdrawn
    # "late": its acceptance was 80 working days ago, so its reviews are past their targets.
    late = cases["late"]
    late_day = working_day(-80)
    for kind in ("technical_review", "qms_verification"):
        stage = stage_of(late, kind)
        stage.target_due = late_day
        stage.save(update_fields=["target_due"])
    names = {app.reference: name for name, app in cases.items()}
    got = refs(token_client(users.enterprise).get(LIST, params))
    assert {names[r] for r in got} == expected


@pytest.mark.parametrize(("params", "field"), [
    ({"state": "nonsense"}, "state"),
    ({"device_class": "IV"}, "device_class"),
    ({"progress": "later"}, "progress"),
])
def test_bad_filter_is_400_naming_it(users, params, field):
    response = token_client(users.enterprise).get(LIST, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field


def test_pagination(users, make_application):
    for i in range(5):
        make_application(product_name=f"产品{i}")
    client = token_client(users.enterprise)
    page1 = client.get(LIST, {"page_size": 2}).json()
    assert page1["count"] == 5 and len(page1["results"]) == 2 and page1["next"]
    page3 = client.get(LIST, {"page_size": 2, "page": 3}).json()
    assert len(page3["results"]) == 1 and page3["next"] is None
    assert client.get(LIST, {"page": 99}).status_code == 404
    assert len(client.get(LIST, {"page_size": 1000}).json()["results"]) == 5  # capped at 100, here 5


def test_detail_has_stages_with_both_deadlines_and_pause_history(users, case_with_requests):
    app, answered, open_stop, _doc = case_with_requests
    body = token_client(users.enterprise).get(detail(app)).json()
    assert body["reference"] == app.reference and body["state"] == "review"
    stages = {s["kind"]: s for s in body["stages"]}
    acceptance, review = stages["acceptance"], stages["technical_review"]
    assert acceptance["state"] == "done" and acceptance["target_due"] and acceptance["statutory_due"]
    assert acceptance["target_met"] in (True, False)
    [pause] = acceptance["pauses"]
    assert pause["reason"] == "missing_items" and pause["ended_on"] and pause["response"] == "已补充营业执照副本"
    assert review["state"] == "paused" and review["deadline_status"] == "paused"
    [supplement] = review["pauses"]
    assert supplement["items"] == open_stop.items and supplement["applicant_deadline"] == \
        open_stop.applicant_deadline.isoformat()
    assert body["applicant_deadline"] == open_stop.applicant_deadline.isoformat()
    qms = stages["qms_verification"]
    assert qms["state"] == "running" and qms["target_due"] and qms["remaining_target_days"] is not None
    assert body["clock"]["applicant_days"] > 0
    assert body["next_date"]["date"] <= open_stop.applicant_deadline.isoformat()
    assert body["links"]["log"].endswith(f"/api/v1/applications/{app.pk}/log/")
    # Enterprises see the department, not the assignee or staff opinions.
    assert review["department"] and review["assignee"] is None
    assert all(s["outcome_note"] == "" for s in body["stages"])


def test_staff_see_assignees_and_opinions(users, in_review):
    app = in_review()
    review = stage_of(app, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor, assignee=users.reviewer, reason="均衡工作量")
    body = token_client(users.director).get(detail(app)).json()
    stages = {s["kind"]: s for s in body["stages"]}
    assert stages["technical_review"]["assignee"] == users.reviewer.username
    enterprise_view = token_client(users.enterprise).get(detail(app)).json()
    assert {s["kind"]: s for s in enterprise_view["stages"]}["technical_review"]["assignee"] is None


def test_stages_endpoint_lists_the_route(users, in_review):
    app = in_review()
    body = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/stages/").json()
    assert [s["kind"] for s in body] == list(app.stages.values_list("kind", flat=True))
    running = {s["kind"]: s for s in body if s["state"] == "running"}
    assert set(running) == {"technical_review", "qms_verification"}
    review = running["technical_review"]
    assert (review["target_days"], review["statutory_days"]) == (40, 60)  # Chongqing pack; Order 47 Art. 92
    assert review["target_due"] < review["statutory_due"]
    # Class II QMS verification has no statutory limit (Order 47 Art. 48): a target only.
    assert running["qms_verification"]["target_due"] and running["qms_verification"]["statutory_due"] is None


def test_log_hides_internal_rows_from_the_enterprise(users, in_review):
    app = in_review()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="内部调整")
    url = f"/api/v1/applications/{app.pk}/log/"
    enterprise_rows = token_client(users.enterprise).get(url).json()["results"]
    staff_rows = token_client(users.director).get(url).json()["results"]
    assert "reassign" not in {r["action"] for r in enterprise_rows}
    assert "reassign" in {r["action"] for r in staff_rows}
    assert len(staff_rows) == TransitionLog.objects.filter(application=app).count()
    assert all(r["actor"] is None for r in enterprise_rows)
    assert any(r["actor"] == users.acceptance.username for r in staff_rows)
    assert [r["id"] for r in enterprise_rows] == sorted(r["id"] for r in enterprise_rows)


def test_ids_out_of_range_are_404_not_500(users):
    client = token_client(users.enterprise)
    assert client.get("/api/v1/applications/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/documents/9223372036854775808/").status_code == 404


def test_reverse_names(db):
    assert reverse("api-application-list") == LIST


def test_unknown_api_addresses_answer_json_and_portal_ones_html(users):
    response = token_client(users.enterprise).get("/api/v1/applications/not-a-number/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = APIClient().get("/portal/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
