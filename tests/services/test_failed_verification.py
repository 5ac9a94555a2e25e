"""A failed QMS verification leaves the decision only the refusal (walkthrough: a product was
approved after its verification had failed). Refused on the server, through the service, the admin
and the API, and announced on the approver's form beforehand."""

import pytest
from django.urls import reverse

from notices.models import Notice
from review.exceptions import InvalidInput
from review.models import TransitionLog
from services import workflow
from tests.case_fixtures import token_client
from tests.conftest import MONDAY, stage_of
from tests.review.test_admin import _act, _client

pytestmark = pytest.mark.django_db


def _failed_then_reviewed(app, users):
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY,
                            outcome="failed", note="关键项不符合，无法整改")
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer, today=MONDAY,
                            outcome="approve", note="同意")
    app.refresh_from_db()
    assert app.state == "decision"


def _written(app):
    return TransitionLog.objects.filter(application=app).count(), Notice.objects.filter(application=app).count()


def test_approval_after_a_failed_verification_is_refused_and_writes_nothing(users, reviewing, english):
    app = reviewing()
    _failed_then_reviewed(app, users)
    before = _written(app)
    with pytest.raises(InvalidInput) as err:
        workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                                note="同意", today=MONDAY)
    assert err.value.extra == {"field": "outcome"}
    assert "QMS verification failed" in str(err.value.message)
    assert "can only be refused" in str(err.value.message)
    decision = stage_of(app, "decision")
    assert (decision.state, decision.outcome) == ("running", "")
    assert _written(app) == before
    # The refusal goes through.
    workflow.stage_complete(stage=decision, actor=users.approver, outcome="refuse", note="体系核查未通过",
                            today=MONDAY)
    app.refresh_from_db()
    assert app.state == "refused"


def test_a_passed_verification_still_allows_the_approval(users, reviewing):
    app = reviewing()
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY,
                            outcome="passed", note="通过")
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer, today=MONDAY,
                            outcome="approve", note="同意")
    workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                            note="同意", today=MONDAY)
    app.refresh_from_db()
    assert app.state == "issuance"


def test_a_failed_merged_inspection_blocks_the_registration_approval(users, reviewing, english):
    app = reviewing(with_production_licence=True)
    workflow.stage_complete(stage=stage_of(app, "merged_inspection"), actor=users.inspector, today=MONDAY,
                            outcome="failed", note="现场检查不通过")
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer, today=MONDAY,
                            outcome="approve", note="同意")
    with pytest.raises(InvalidInput, match="can only be refused"):
        workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                                note="同意", today=MONDAY)


def test_admin_warns_on_the_form_and_refuses_the_post_in_chinese(users, reviewing):
    app = reviewing()
    _failed_then_reviewed(app, users)
    client = _client(users.approver)
    page = client.get(reverse("admin:review_application_change", args=[app.pk])).content.decode()
    assert 'id="failed-inspection"' in page
    assert "体系核查已于 2026-03-02 记录为未通过，只能作出不予注册的决定。" in page
    before = _written(app)
    response = _act(client, app, "complete", stage_of(app, "decision"), outcome="approve", note="同意")
    text = response.content.decode()
    assert "结论：" in text and "未通过" in text and "只能作出不予注册的决定" in text
    assert _written(app) == before
    assert stage_of(app, "decision").state == "running"


def test_the_warning_is_not_shown_when_the_verification_passed(users, reviewing):
    app = reviewing()
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY,
                            outcome="passed", note="通过")
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer, today=MONDAY,
                            outcome="approve", note="同意")
    page = _client(users.approver).get(reverse("admin:review_application_change", args=[app.pk]))
    assert 'id="failed-inspection"' not in page.content.decode()


def test_the_api_refuses_the_approval_with_400_naming_the_outcome(users, reviewing):
    app = reviewing()
    _failed_then_reviewed(app, users)
    stage = stage_of(app, "decision")
    before = _written(app)
    response = token_client(users.approver).post(
        f"/api/v1/applications/{app.pk}/actions/complete/",
        {"stage": stage.pk, "version": stage.version, "outcome": "approve", "note": "同意"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "outcome" and "只能作出不予注册的决定" in body["detail"]
    assert _written(app) == before


def test_a_failed_licence_inspection_leaves_the_licence_only_the_refusal(users, make_application, english):
    app = make_application(application_type="licence")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=MONDAY)
    workflow.stage_complete(stage=stage_of(app, "licence_inspection"), actor=users.inspector, today=MONDAY,
                            outcome="failed", note="现场检查不通过")
    with pytest.raises(InvalidInput, match="the licence can only be refused"):
        workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                                note="同意", today=MONDAY)
