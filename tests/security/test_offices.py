"""One deployment, many offices (docs/offices.md): each office's staff see and act on its cases only,
in every interface; the national reader reads every office and acts on none; an enterprise's case
goes to the office of its region; numbers and documents are the office's own.
"""

import datetime as dt

import pytest

from notifications.models import Alert, Delivery
from notifications.sweep import deadlines_sweep
from review.exceptions import InvalidInput, PermissionDenied
from review.models import Department, Office, TransitionLog
from review.selectors import applications_visible_to
from review.worklist import worklist_stages
from services import workflow
from tests.case_fixtures import portal_client, token_client
from tests.conftest import MONDAY, stage_of
from tests.factories import EnterpriseFactory, second_office, shanghai_credit_code, user_with_role


@pytest.fixture
def shanghai(users):
    """The Shanghai office with a reviewer, an inspector, a supervisor and an acceptance officer,
    and an accepted case of a Shanghai enterprise in technical review."""

    class SH:
        pass

    sh = SH()
    sh.office = second_office()
    departments = {"acceptance": "acceptance", "reviewer": "review", "inspector": "inspection",
                   "supervisor": "review", "approver": "approval"}
    for role, code in departments.items():
        setattr(sh, role, user_with_role(role, office=sh.office, email=f"sh-{role}@example.com",
                                         department=Department.objects.get(code=code)))
    sh.enterprise = user_with_role("enterprise", enterprise=EnterpriseFactory(credit_code=shanghai_credit_code(1)))
    sh.app = workflow.application_create(
        enterprise=sh.enterprise.enterprise, product_name="上海的注射器", device_class="II", category="passive",
        application_type="first", actor=sh.enterprise, today=MONDAY)
    workflow.application_submit(application=sh.app, actor=sh.enterprise, today=MONDAY)
    workflow.stage_complete(stage=stage_of(sh.app, "acceptance"), actor=sh.acceptance, outcome="accepted",
                            today=MONDAY)
    sh.national = user_with_role("reviewer")
    sh.national.groups.set([])
    from django.contrib.auth.models import Group

    sh.national.groups.add(Group.objects.get(name="全国查阅 National reader"))
    sh.national = type(sh.national).objects.get(pk=sh.national.pk)
    return sh


def test_the_enterprises_region_chooses_the_office_and_its_prefix(users, reviewing, shanghai):
    cq = reviewing()
    default = Office.objects.default()
    assert cq.office == default and cq.reference.startswith(f"{default.code}2026")
    assert shanghai.app.office == shanghai.office and shanghai.app.reference == "SH202600001"
    # Each office counts its own numbers: the second Chongqing case is CQ…00002, whatever Shanghai did.
    assert reviewing().reference == f"{default.code}202600002"
    # A region no office serves goes to the default office.
    elsewhere = EnterpriseFactory(credit_code="91440300MA5F00000" + "0")
    assert Office.objects.for_credit_code(elsewhere.credit_code) == default
    # Shanghai's pack binds Shanghai's case (its jurisdiction), Chongqing's Chongqing's.
    assert shanghai.app.policy_pack.jurisdiction in ("SH", "CN") and cq.policy_pack.jurisdiction == "CQ"


def test_each_office_reads_only_its_own_cases_and_the_national_reader_reads_all(users, reviewing, shanghai):
    cq = reviewing()
    assert set(applications_visible_to(users.reviewer)) == {cq}
    assert set(applications_visible_to(shanghai.reviewer)) == {shanghai.app}
    assert set(applications_visible_to(shanghai.national)) == {cq, shanghai.app}
    # An industry officer of Chongqing with the same district name as a Shanghai enterprise: still
    # only their office's cases.
    shanghai.enterprise.enterprise.district = users.officer.district
    shanghai.enterprise.enterprise.save()
    assert shanghai.app not in set(applications_visible_to(users.officer))


def test_staff_of_another_office_are_refused_every_action(users, reviewing, shanghai):
    cq = reviewing()
    before = TransitionLog.objects.filter(application=cq).count()
    with pytest.raises(PermissionDenied):
        workflow.stage_complete(stage=stage_of(cq, "technical_review"), actor=shanghai.reviewer,
                                outcome="approve", note="越权")
    with pytest.raises(PermissionDenied):
        workflow.application_suspend(application=cq, actor=shanghai.supervisor, reason="越权")
    with pytest.raises(PermissionDenied):
        workflow.stage_request_supplement(stage=stage_of(cq, "technical_review"), actor=shanghai.reviewer,
                                          items=["越权"])
    with pytest.raises(PermissionDenied):  # the national reader reads; it never acts
        workflow.stage_complete(stage=stage_of(cq, "technical_review"), actor=shanghai.national,
                                outcome="approve", note="越权")
    cq.refresh_from_db()
    assert cq.state == "review" and TransitionLog.objects.filter(application=cq).count() == before


def test_admin_api_and_portal_refuse_another_offices_case(users, reviewing, shanghai):
    cq = reviewing()
    admin = portal_client(shanghai.supervisor)
    listed = admin.get("/admin/review/application/").content.decode()
    assert shanghai.app.reference in listed and cq.reference not in listed
    # Answered as for a case that does not exist (Django's admin: back to the start page).
    theirs, missing = (admin.get(f"/admin/review/application/{pk}/change/") for pk in (cq.pk, 10**9))
    assert (theirs.status_code, theirs["Location"]) == (missing.status_code, missing["Location"]) == (302, "/admin/")
    assert admin.get(f"/admin/review/application/{shanghai.app.pk}/change/").status_code == 200
    log = admin.get("/admin/review/transitionlog/").content.decode()
    assert cq.reference not in log
    api = token_client(shanghai.supervisor)
    assert api.get(f"/api/v1/applications/{cq.pk}/").status_code == 404
    refs = {a["reference"] for a in api.get("/api/v1/applications/", {"page_size": 100}).json()["results"]}
    assert refs == {shanghai.app.reference}
    response = api.post(f"/api/v1/applications/{cq.pk}/actions/suspend/",
                        {"version": cq.version, "reason": "越权"}, format="json")
    assert response.status_code == 404
    # The national reader: both, with the office named in the list.
    national = portal_client(shanghai.national)
    page = national.get("/admin/review/application/").content.decode()
    assert cq.reference in page and shanghai.app.reference in page and "上海市药品监督管理局" in page


def test_a_stage_is_offered_and_given_only_to_its_offices_staff(users, reviewing, shanghai):
    """Both offices have reviewers in the same department: the reassignment form of a Chongqing
    stage lists Chongqing's, and a Shanghai reviewer chosen anyway is refused with the field named."""
    from review.worklist import eligible_assignees, is_eligible_assignee

    cq = reviewing()
    stage = stage_of(cq, "technical_review")
    for reviewer in (users.reviewer, shanghai.reviewer):  # one department, two offices
        reviewer.department_id = stage.department_id
        reviewer.save(update_fields=["department"])
    offered = eligible_assignees([stage])[stage.pk]
    assert users.reviewer in offered and shanghai.reviewer not in offered
    assert is_eligible_assignee(users.reviewer, stage) and not is_eligible_assignee(shanghai.reviewer, stage)
    page = portal_client(users.supervisor).get(f"/admin/review/application/{cq.pk}/change/").content.decode()
    assert users.reviewer.username in page and shanghai.reviewer.username not in page
    response = token_client(users.supervisor).post(
        f"/api/v1/applications/{cq.pk}/actions/reassign/",
        {"version": cq.version, "stage": stage.pk, "assignee": shanghai.reviewer.pk, "reason": "换人"}, format="json")
    assert response.status_code == 400 and "assignee" in response.content.decode()
    stage.refresh_from_db()
    assert stage.assignee_id != shanghai.reviewer.pk


def test_the_dashboard_and_its_downloads_count_the_readers_office(users, reviewing, shanghai):
    cq = reviewing()
    shanghai.supervisor.user_permissions.add(_perm("kpi", "view_dashboard"))
    national = shanghai.national
    national.user_permissions.add(_perm("kpi", "view_dashboard"))
    params = {"start": "2026-01-01", "end": "2026-12-31", "table": "case_list"}
    mine = _download(shanghai.supervisor, params)
    assert shanghai.app.reference in mine and cq.reference not in mine
    everyone = _download(national, params)
    assert shanghai.app.reference in everyone and cq.reference in everyone


def _download(user, params) -> str:
    response = portal_client(type(user).objects.get(pk=user.pk)).get("/dashboard/export.csv", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _perm(app_label, codename):
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_my_work_and_alerts_stay_in_the_office(users, reviewing, shanghai):
    cq = reviewing()
    cq_reviewer = user_with_role("reviewer", department=shanghai.reviewer.department)
    pool = set(worklist_stages(shanghai.reviewer).values_list("application_id", flat=True))
    assert shanghai.app.pk in pool and cq.pk not in pool
    cq_pool = set(worklist_stages(cq_reviewer).values_list("application_id", flat=True))
    assert cq.pk in cq_pool and shanghai.app.pk not in cq_pool
    # Far past every limit: the supervisors and directors of each case's office are told, no one else.
    deadlines_sweep(today=MONDAY + dt.timedelta(days=200))
    cq_mail = set(Delivery.objects.filter(alert__application=cq).values_list("email", flat=True))
    sh_mail = set(Delivery.objects.filter(alert__application=shanghai.app).values_list("email", flat=True))
    assert Alert.objects.filter(application=cq).exists() and cq_mail and sh_mail
    assert not any(e.startswith("sh-") for e in cq_mail), cq_mail
    assert all(e.startswith("sh-") or e == shanghai.enterprise.enterprise.contact_email for e in sh_mail), sh_mail


def test_documents_carry_the_offices_name_numbering_and_reconsideration_body(users, reviewing, shanghai):
    from notices.models import Notice

    cq = reviewing()
    sh_notice = Notice.objects.get(application=shanghai.app, kind="acceptance")
    cq_notice = Notice.objects.get(application=cq, kind="acceptance")
    assert sh_notice.number == "沪药监械受〔2026〕0001号"
    assert cq_notice.number.endswith("受〔2026〕0001号") and not cq_notice.number.startswith("沪")
    printed = str(sh_notice.content)
    assert "上海市药品监督管理局" in printed and "上海受理窗口" in printed and "重庆" not in printed
    # Another office's staff cannot open the document in the admin.
    admin = portal_client(shanghai.supervisor)
    assert admin.get(f"/admin/notices/notice/{cq_notice.pk}/change/").status_code in (302, 404)


def test_a_supervisor_moves_a_case_to_another_office_with_a_reason(users, reviewing, shanghai):
    cq = reviewing()
    workflow.stage_reassign(stage=stage_of(cq, "technical_review"), actor=users.supervisor, assignee=users.reviewer)
    with pytest.raises(InvalidInput) as missing:
        workflow.application_move_office(application=cq, actor=users.supervisor, office=shanghai.office, reason=" ")
    assert missing.value.extra["field"] == "reason"
    with pytest.raises(PermissionDenied):
        workflow.application_move_office(application=cq, actor=shanghai.supervisor, office=shanghai.office,
                                         reason="企业注册地迁至上海")
    workflow.application_move_office(application=cq, actor=users.supervisor, office=shanghai.office,
                                     reason="企业注册地迁至上海")
    cq.refresh_from_db()
    assert cq.office == shanghai.office and cq.reference.startswith(Office.objects.default().code)
    assert stage_of(cq, "technical_review").assignee is None  # the old office's holder is released
    row = TransitionLog.objects.filter(application=cq, action="office_reassign").get()
    assert row.reason == "企业注册地迁至上海" and row.details["to"] == "SH" and not row.for_applicant
    assert cq not in set(applications_visible_to(users.reviewer))
    assert cq in set(applications_visible_to(shanghai.reviewer))
    with pytest.raises(InvalidInput):
        workflow.application_move_office(application=cq, actor=shanghai.supervisor, office=shanghai.office,
                                         reason="再次")


@pytest.mark.django_db
def test_staff_created_without_an_office_join_the_default_one():
    user = user_with_role("reviewer")
    assert user.office == Office.objects.default()
    enterprise_user = user_with_role("enterprise")
    assert enterprise_user.office is None


def test_the_public_look_up_names_the_office_handling_the_case(users, reviewing, shanghai):
    from rest_framework.test import APIClient

    credit = shanghai.enterprise.enterprise.credit_code
    body = APIClient().get("/api/v1/lookup/", {"reference": shanghai.app.reference, "credit_code": credit}).json()
    assert body["office"] == "上海市药品监督管理局"
    page = APIClient().post("/portal/lookup/", {"reference": shanghai.app.reference, "credit_code": credit})
    assert "上海市药品监督管理局" in page.content.decode() and "上海受理窗口" in page.content.decode()


def test_the_api_moves_a_case_between_offices_as_the_admin_does(users, reviewing, shanghai):
    cq = reviewing()
    api = token_client(users.supervisor)
    offered = {a["action"]: a for a in api.get(f"/api/v1/applications/{cq.pk}/actions/").json()}
    assert "move_office" in offered
    missing = api.post(f"/api/v1/applications/{cq.pk}/actions/move_office/",
                       {"version": cq.version, "office": "SH", "reason": ""}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "reason"
    moved = api.post(f"/api/v1/applications/{cq.pk}/actions/move_office/",
                     {"version": cq.version, "office": "SH", "reason": "企业注册地迁至上海"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["office"] == "SH" and "上海市药品监督管理局" in moved.json()["detail"]
    assert api.get(f"/api/v1/applications/{cq.pk}/").status_code == 404  # no longer this office's
    assert token_client(shanghai.supervisor).get(f"/api/v1/applications/{cq.pk}/").status_code == 200


def test_the_admin_says_where_a_moved_case_went(users, reviewing, shanghai):
    cq = reviewing()
    admin = portal_client(users.supervisor)
    response = admin.post(f"/admin/review/application/{cq.pk}/act/move_office/",
                          {"version": cq.version, "office": "SH", "reason": "企业注册地迁至上海"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/admin/review/application/"
    assert cq.reference in page and "上海市药品监督管理局" in page
