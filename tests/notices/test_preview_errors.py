"""Nothing to preview: the reason as one of the admin's pages, with the way back to the case."""

import pytest

from notices.models import Notice
from services import workflow
from tests.case_fixtures import portal_client
from tests.conftest import MONDAY, stage_of

pytestmark = pytest.mark.django_db


def _assert_admin_error_page(response, app, message):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'id="site-name"' in page and 'id="logout-form"' in page  # the admin's header and user tools
    assert f'<li class="error" role="alert">{message}</li>' in page
    assert f'href="/admin/review/application/{app.pk}/change/#actions"' in page
    assert f"返回案件 {app.reference}" in page


def test_a_supplement_without_items(users, reviewing):
    app = reviewing()
    stage = stage_of(app, "technical_review")
    before = Notice.objects.count()
    response = portal_client(users.reviewer).post(
        f"/admin/notice-preview/{app.pk}/request_supplement/", {"stage": stage.pk, "items": ""})
    _assert_admin_error_page(response, app, "全部补正内容，每行一项：请至少填写一项。")  # the field by its label
    assert Notice.objects.count() == before


def test_an_outcome_that_issues_no_notice(users, reviewing):
    app = reviewing()
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"})):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=MONDAY, **kw)
    response = portal_client(users.approver).post(
        f"/admin/notice-preview/{app.pk}/complete/",
        {"stage": stage_of(app, "decision").pk, "outcome": "approve", "note": "同意"})
    _assert_admin_error_page(response, app, "所选结论不签发文书。")
