"""Transitions through the API: the admin's actions, same services, same checks (403/409/400/404)."""

import pytest

from review.models import Application, TransitionLog
from services import workflow
from tests.case_fixtures import token_client
from tests.conftest import MONDAY, stage_of


def run(user, app, action, **body):
    return token_client(user).post(f"/api/v1/applications/{app.pk}/actions/{action}/", body, format="json")


@pytest.fixture
def submitted(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    app.refresh_from_db()
    return app


def log_count(app):
    return TransitionLog.objects.filter(application=app).count()


def test_acceptance_officer_accepts_through_the_api(users, submitted):
    stage = stage_of(submitted, "acceptance")
    response = run(users.acceptance, submitted, "complete", stage=stage.pk, version=stage.version,
                   outcome="accepted")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "review"
    assert {s["kind"]: s["state"] for s in body["stages"]}["technical_review"] == "running"
    assert TransitionLog.objects.filter(application=submitted, action="stage_complete", actor=users.acceptance).exists()


def test_not_permitted_is_403_and_writes_nothing(users, submitted, english):
    stage = stage_of(submitted, "acceptance")
    before = log_count(submitted)
    response = run(users.reviewer, submitted, "complete", stage=stage.pk, version=stage.version, outcome="accepted")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    submitted.refresh_from_db()
    assert submitted.state == "acceptance" and log_count(submitted) == before


def test_stale_version_is_409_conflict_with_the_current_version(users, submitted):
    stage = stage_of(submitted, "acceptance")
    stale = stage.version
    workflow.stage_notify_missing_items(stage=stage, actor=users.acceptance, items="营业执照", today=MONDAY)
    response = run(users.acceptance, submitted, "complete", stage=stage.pk, version=stale, outcome="accepted")
    assert response.status_code == 409
    body = response.json()
    # The message tells the user to reload, in their language (zh-hans by default).
    assert body["code"] == "conflict" and body["detail"].endswith("请刷新页面后重试。"), body
    assert body["version"] == stage_of(submitted, "acceptance").version


def test_not_possible_now_is_409(users, submitted):
    review = stage_of(submitted, "technical_review")  # pending until acceptance
    response = run(users.reviewer, submitted, "complete", stage=review.pk, version=review.version,
                   outcome="approve", note="同意")
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed_now"


@pytest.mark.parametrize(("body", "field"), [
    ({"stage": "this", "outcome": "accepted"}, "version"),
    ({"version": "current", "outcome": "accepted"}, "stage"),
    ({"stage": "this", "version": "x", "outcome": "accepted"}, "version"),
    ({"stage": "this", "version": "current", "outcome": "granted"}, "outcome"),
    ({"stage": "other case", "version": "current", "outcome": "accepted"}, "stage"),
    ({"stage": "this", "version": "current", "outcome": ["accepted"]}, "outcome"),
])
def test_bad_input_is_400_naming_the_field(users, submitted, make_application, body, field):
    stage = stage_of(submitted, "acceptance")
    other = make_application()
    workflow.application_submit(application=other, actor=users.enterprise, today=MONDAY)
    stages = {"this": stage.pk, "other case": stage_of(other, "acceptance").pk}
    body = {k: stages.get(v, v) if k == "stage" else (stage.version if v == "current" else v)
            for k, v in body.items()}
    before = log_count(submitted)
    response = run(users.acceptance, submitted, "complete", **body)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert log_count(submitted) == before


def test_unknown_action_is_404(users, submitted):
    assert run(users.supervisor, submitted, "approve_everything", version=0).status_code == 404


def test_industry_officer_is_read_only(users, submitted):
    stage = stage_of(submitted, "acceptance")
    assert token_client(users.officer).get(f"/api/v1/applications/{submitted.pk}/").status_code == 200
    for action, body in (("complete", {"stage": stage.pk, "version": stage.version, "outcome": "accepted"}),
                         ("withdraw", {"version": submitted.version, "reason": "x"}),
                         ("suspend", {"version": submitted.version, "reason": "x"})):
        assert run(users.officer, submitted, action, **body).status_code == 403
    assert token_client(users.officer).get(f"/api/v1/applications/{submitted.pk}/actions/").json() == []
    submitted.refresh_from_db()
    assert submitted.state == "acceptance"


def test_enterprise_submits_and_withdraws_its_own_case(users, make_application):
    app = make_application()
    offered = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/actions/").json()
    assert {a["action"] for a in offered} == {"submit", "withdraw"}
    response = run(users.enterprise, app, "submit", version=app.version)
    assert response.status_code == 200 and response.json()["state"] == "acceptance"
    app.refresh_from_db()
    response = run(users.enterprise, app, "withdraw", version=app.version, reason="调整产品设计")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"


def test_enterprise_cannot_run_staff_actions_or_resume_without_documents(users, case_with_requests):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    before = log_count(app)
    for action, body in (("resume", {"stage": review.pk, "version": review.version, "response": "已补充"}),
                         ("extend", {"stage": review.pk, "version": review.version, "days": 5, "reason": "x"}),
                         ("complete", {"stage": review.pk, "version": review.version, "outcome": "approve"})):
        assert run(users.enterprise, app, action, **body).status_code == 403
    assert log_count(app) == before
    open_stop.refresh_from_db()
    assert open_stop.ended_on is None


def test_another_enterprise_gets_404_for_actions(users, submitted):
    stage = stage_of(submitted, "acceptance")
    response = run(users.other_enterprise, submitted, "withdraw", version=submitted.version, reason="x")
    assert response.status_code == 404
    response = run(users.other_enterprise, submitted, "complete", stage=stage.pk, version=stage.version,
                   outcome="accepted")
    assert response.status_code == 404
    assert Application.objects.get(pk=submitted.pk).state == "acceptance"


def test_actions_list_offers_what_the_admin_offers(users, submitted):
    acceptance = {a["action"]: a for a in token_client(users.acceptance).get(
        f"/api/v1/applications/{submitted.pk}/actions/").json()}
    assert set(acceptance) == {"complete", "notify_missing_items", "pause"}
    stage = stage_of(submitted, "acceptance")
    assert acceptance["complete"]["stage"] == stage.pk and acceptance["complete"]["version"] == stage.version
    assert [f["name"] for f in acceptance["complete"]["fields"]] == ["outcome", "note"]
    supervisor = {a["action"] for a in token_client(users.supervisor).get(
        f"/api/v1/applications/{submitted.pk}/actions/").json()}
    assert {"suspend", "terminate", "reassign"} <= supervisor
    assert "extend" not in supervisor  # Order 47 Art. 96: the acceptance is not extendable


def test_supplement_request_through_the_api_lists_the_items(users, in_review):
    app = in_review()
    review = stage_of(app, "technical_review")
    response = run(users.reviewer, app, "request_supplement", stage=review.pk, version=review.version,
                   items=["检验报告", "临床评价资料"], note="一次性告知")
    assert response.status_code == 200, response.json()
    supplements = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/supplements/").json()
    assert [s["items"] for s in supplements] == [["检验报告", "临床评价资料"]]
    assert supplements[0]["days_left"] >= 365


# the API advertised received_on and handed_over_on, dropped them in silence and
# started the clock today with a 200.
def test_every_field_the_actions_list_advertises_is_one_the_api_takes(db):  # move_office lists the offices
    """For every action and every stage kind its form varies by: the input serializer knows the field."""
    from api.applications import ADMIN_ONLY_ACTIONS, ApplicationActionRunApi
    from review.models import Stage
    from review.models.enums import StageKind
    from services.actions import ACTIONS

    taken = set(ApplicationActionRunApi.InputSerializer().fields)
    for action in ACTIONS:
        if action.name in ADMIN_ONLY_ACTIONS:
            continue
        stages = [Stage(kind=k) for k in StageKind.values] if action.scope == "stage" else [None]
        for stage in stages:
            names = {f.name for f in action.form_fields(stage)}
            assert names <= taken, (action.name, stage and stage.kind, names - taken)


def test_the_receipt_date_sent_through_the_api_starts_the_clock_on_that_day(users, make_application):
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    testing = stage_of(app, "testing")
    listed = token_client(users.tester).get(f"/api/v1/applications/{app.pk}/actions/").json()
    assert [f["name"] for a in listed if a["action"] == "start" for f in a["fields"]] == ["received_on"]
    response = run(users.tester, app, "start", stage=testing.pk, version=testing.version, received_on="2026-03-04")
    assert response.status_code == 200, response.json()
    testing.refresh_from_db()
    assert testing.started_on.isoformat() == "2026-03-04"


def test_the_hand_over_date_sent_through_the_api_is_recorded(users, reviewing):
    app = reviewing(on=MONDAY)
    review = stage_of(app, "technical_review")
    response = run(users.acceptance, app, "record_handover", stage=review.pk, version=review.version,
                   handed_over_on="2026-03-03")
    assert response.status_code == 200, response.json()
    review.refresh_from_db()
    assert review.handed_over_on.isoformat() == "2026-03-03"


@pytest.mark.parametrize("field", ["received_on", "bogus", "handed_over_on"])
def test_a_field_the_action_does_not_take_is_400_naming_it(users, submitted, field):
    stage = stage_of(submitted, "acceptance")
    before = log_count(submitted)
    response = run(users.acceptance, submitted, "complete", stage=stage.pk, version=stage.version,
                   outcome="accepted", **{field: "2026-03-03"})
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert log_count(submitted) == before
