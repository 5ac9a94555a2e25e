"""Notices are listed on the case (portal, API, admin) and download through the same visibility
checks as supplement documents; staff preview the notice an action would issue, nothing stored."""

from notices.models import Notice
from tests.case_fixtures import portal_client, token_client
from tests.conftest import MONDAY, stage_of
from tests.notices.conftest import pdf_text


def test_owner_downloads_others_get_404(users, reviewing):
    app = reviewing()
    notice = Notice.objects.get(application=app)
    owner = portal_client(users.enterprise)
    page = owner.get(f"/portal/applications/{app.pk}/")
    assert notice.number in page.content.decode() and f"/portal/notices/{notice.pk}/" in page.content.decode()
    response = owner.get(f"/portal/notices/{notice.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "受理通知书" in pdf_text(response.content)
    assert owner.get(f"/portal/notices/{notice.pk}/?view=1")["Content-Disposition"].startswith("inline")

    assert portal_client(users.other_enterprise).get(f"/portal/notices/{notice.pk}/").status_code == 404
    assert portal_client(users.other_enterprise).get("/portal/notices/99999999/").status_code == 404
    assert portal_client(users.officer).get(f"/portal/notices/{notice.pk}/").status_code == 200  # their district
    from django.test import Client
    anonymous = Client().get(f"/portal/notices/{notice.pk}/")
    assert anonymous.status_code == 302 and "/portal/login/" in anonymous["Location"]


def test_api_lists_and_downloads_with_the_same_scope(users, reviewing):
    app = reviewing()
    notice = Notice.objects.get(application=app)
    api = token_client(users.enterprise)
    listed = api.get(f"/api/v1/applications/{app.pk}/notices/").json()
    assert [(n["kind"], n["number"], n["sha256"]) for n in listed] == [("acceptance", notice.number, notice.sha256)]
    response = api.get(listed[0]["url"])
    assert response.status_code == 200 and bytes(response.content) == bytes(notice.pdf)
    other = token_client(users.other_enterprise)
    assert other.get(f"/api/v1/applications/{app.pk}/notices/").status_code == 404
    assert other.get(f"/api/v1/notices/{notice.pk}/").json()["code"] == "not_found"


def test_staff_preview_shows_the_notice_and_stores_nothing(users, reviewing):
    app = reviewing()
    stage = stage_of(app, "technical_review")
    staff = portal_client(users.reviewer)
    change = staff.get(f"/admin/review/application/{app.pk}/change/").content.decode()
    assert f"/admin/notice-preview/{app.pk}/request_supplement/" in change
    assert Notice.objects.get(application=app).number in change  # listed on the admin's case page
    before = Notice.objects.count()
    response = staff.post(f"/admin/notice-preview/{app.pk}/request_supplement/",
                          {"stage": stage.pk, "version": stage.version, "items": "1、检验方法\n2、说明书", "note": ""})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "预览件" in text and "补正通知书" in text and "1．检验方法" in text and "2．说明书" in text
    assert Notice.objects.count() == before
    stage.refresh_from_db()
    assert stage.state == "running"
    # Nothing to preview without items: the error names the field.
    empty = staff.post(f"/admin/notice-preview/{app.pk}/request_supplement/", {"stage": stage.pk, "items": ""})
    assert empty.status_code == 400


def test_preview_is_for_whoever_may_run_the_action(users, reviewing):
    app = reviewing()
    stage = stage_of(app, "technical_review")
    data = {"stage": stage.pk, "items": "检验方法"}
    assert portal_client(users.inspector).post(
        f"/admin/notice-preview/{app.pk}/request_supplement/", data).status_code == 404
    enterprise = portal_client(users.enterprise).post(f"/admin/notice-preview/{app.pk}/request_supplement/", data)
    assert enterprise.status_code == 302  # to the admin's sign-in
    decision_preview = portal_client(users.approver).post(
        f"/admin/notice-preview/{app.pk}/complete/", {"stage": stage_of(app, "decision").pk, "outcome": "refuse"})
    assert decision_preview.status_code == 404  # the decision stage is not running yet


def test_refusal_preview_before_issuing(users, reviewing):
    app = reviewing()
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"})):
        from services import workflow
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=MONDAY, **kw)
    stage = stage_of(app, "decision")
    response = portal_client(users.approver).post(
        f"/admin/notice-preview/{app.pk}/complete/", {"stage": stage.pk, "outcome": "refuse", "note": "资料不足"})
    text = pdf_text(response.content)
    assert "不予注册决定书" in text and "1．资料不足" in text and "六十日内" in text
    approve = portal_client(users.approver).post(
        f"/admin/notice-preview/{app.pk}/complete/", {"stage": stage.pk, "outcome": "approve", "note": "同意"})
    assert approve.status_code == 400  # approving the decision issues no notice (issuance does)


def test_admin_lists_notices_and_only_a_supervisor_issues_a_correction(users, reviewing):
    app = reviewing()
    notice = Notice.objects.get(application=app)
    reviewer = portal_client(users.reviewer)
    listing = reviewer.get("/admin/notices/notice/")
    assert listing.status_code == 200 and notice.number in listing.content.decode()
    action = {"action": "issue_correction", "_selected_action": [notice.pk]}
    reviewer.post("/admin/notices/notice/", action)
    assert Notice.objects.count() == 1  # refused: a reviewer may not correct
    portal_client(users.supervisor).post("/admin/notices/notice/", action)
    correction = Notice.objects.exclude(pk=notice.pk).get()
    assert correction.corrects == notice and correction.number != notice.number
    assert portal_client(users.enterprise).get("/admin/notices/notice/").status_code == 302  # not staff
