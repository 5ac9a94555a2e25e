"""The API detail's cached payload (docs/api.md#the-detail-cache): never stale after a write, never
served to a reader who may not see the case or who sees another view of it.

Each write test reads the detail as every kind of reader (so each payload is cached), writes
through the services (or, for what the admin edits, the rows themselves), reads again, then
empties the cache and reads once more: the second read must equal the rebuilt one, and differ from
the first for the readers the write concerns.
"""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from review.models import Department, Enterprise, User
from review.selectors import calendar_current
from services import documents, workflow
from tests.case_fixtures import PDF, token_client, upload
from tests.conftest import stage_of
from tests.factories import EnterpriseFactory, second_office, shanghai_credit_code, user_with_role

# The payload is cached under the case's fingerprint, a PostgreSQL function (migration review 0039);
# elsewhere (SQLite, ``make demo``) every read builds the case and there is nothing to go stale.
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the API detail is cached on PostgreSQL only (review_case_fingerprint)")


def detail(app):
    return f"/api/v1/applications/{app.pk}/"


@pytest.fixture
def readers(users):
    """The owner, a supervisor of the case's office (staff: internal view) and the district's
    industry officer (no dossier), each with a token client."""
    return {"enterprise": token_client(users.enterprise), "staff": token_client(users.supervisor),
            "officer": token_client(users.officer)}


def read_all(readers, app) -> dict:
    out = {}
    for name, client in readers.items():
        response = client.get(detail(app))
        assert response.status_code == 200, (name, response.content)
        out[name] = response.json()
    return out


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def assert_fresh_after(readers, app, write, *, changed_for):
    before = read_all(readers, app)
    # Cached now: a second read is the token's statement and the case's scope and fingerprint.
    assert queries_of(readers["enterprise"], detail(app)) == 2
    assert read_all(readers, app) == before
    write()
    served = read_all(readers, app)
    cache.clear()
    rebuilt = read_all(readers, app)
    assert served == rebuilt
    for name in changed_for:
        assert served[name] != before[name], f"{name}: the write changed nothing this reader sees"
    return served


def stages(body) -> dict:
    return {s["kind"]: s for s in body["stages"]}


# --- every kind of write that changes a detail -----------------------------------------------------
def test_stage_pause_and_resume(users, in_review, readers):
    app = in_review()
    paused = assert_fresh_after(readers, app, lambda: workflow.stage_pause(
        stage=stage_of(app, "technical_review"), actor=users.reviewer, reason="expert", note="专家咨询"),
        changed_for=readers)
    assert stages(paused["enterprise"])["technical_review"]["state"] == "paused"
    resumed = assert_fresh_after(readers, app, lambda: workflow.stage_resume(
        stage=stage_of(app, "technical_review"), actor=users.reviewer), changed_for=readers)
    assert stages(resumed["enterprise"])["technical_review"]["state"] == "running"


def test_stage_completion_opens_the_next_phase(users, in_review, readers):
    app = in_review()

    def complete_both():
        workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                outcome="approve", note="同意")
        workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                outcome="passed", note="通过")

    body = assert_fresh_after(readers, app, complete_both, changed_for=readers)
    assert body["enterprise"]["state"] == "decision"
    assert stages(body["staff"])["technical_review"]["outcome_note"] == "同意"


def test_extension(users, in_review, readers):
    app = in_review()
    body = assert_fresh_after(readers, app, lambda: workflow.stage_extend(
        stage=stage_of(app, "technical_review"), actor=users.supervisor, days=5, reason="专家意见分歧"),
        changed_for=readers)
    assert stages(body["enterprise"])["technical_review"]["extension_days"] == 5


def test_supplement_request_and_answer(users, in_review, readers):
    app = in_review()
    asked = assert_fresh_after(readers, app, lambda: workflow.stage_request_supplement(
        stage=stage_of(app, "technical_review"), actor=users.reviewer, items=["检验报告"]), changed_for=readers)
    [stop] = stages(asked["enterprise"])["technical_review"]["pauses"]
    assert stop["items"] == ["检验报告"] and asked["enterprise"]["applicant_deadline"]
    assert stages(asked["officer"])["technical_review"]["pauses"][0]["items"] == []
    open_stop = stage_of(app, "technical_review").clock_stops.get()
    answered = assert_fresh_after(readers, app, lambda: documents.supplement_answer(
        clock_stop=open_stop, actor=users.enterprise, response="已补充", files=[upload("a.pdf", PDF)]),
        changed_for=readers)
    assert stages(answered["enterprise"])["technical_review"]["pauses"][0]["response"] == "已补充"


def test_assignment(users, in_review, readers):
    app = in_review()
    body = assert_fresh_after(readers, app, lambda: workflow.stage_reassign(
        stage=stage_of(app, "technical_review"), actor=users.supervisor, assignee=users.reviewer,
        reason="均衡工作量"), changed_for=["staff"])
    assert stages(body["staff"])["technical_review"]["assignee"] == users.reviewer.username
    assert stages(body["enterprise"])["technical_review"]["assignee"] is None


def test_case_suspension_and_resumption(users, in_review, readers):
    app = in_review()
    body = assert_fresh_after(readers, app, lambda: workflow.application_suspend(
        application=app, actor=users.supervisor, reason="司法程序"), changed_for=readers)
    assert body["enterprise"]["state"] == "suspended"
    body = assert_fresh_after(readers, app, lambda: workflow.application_resume(
        application=app, actor=users.supervisor, reason="恢复"), changed_for=readers)
    assert body["enterprise"]["state"] == "review"


def test_withdrawal(users, in_review, readers):
    app = in_review()
    body = assert_fresh_after(readers, app, lambda: workflow.application_withdraw(
        application=app, actor=users.enterprise, reason="不再申请"), changed_for=readers)
    assert body["enterprise"]["state"] == "withdrawn"


def test_rows_edited_in_the_admin(users, in_review, readers):
    """The enterprise, a department and a user name, edited outside the workflow services (the
    admin saves the rows; ``update`` even skips ``save``): each still changes the fingerprint."""
    app = in_review()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="均衡工作量")
    body = assert_fresh_after(readers, app, lambda: Enterprise.objects.filter(pk=app.enterprise_id).update(
        name="改名后的企业"), changed_for=readers)
    assert body["enterprise"]["enterprise"]["name"] == "改名后的企业"
    department = stage_of(app, "technical_review").department
    body = assert_fresh_after(readers, app, lambda: Department.objects.filter(pk=department.pk).update(
        name="改名后的审评部门"), changed_for=readers)
    assert stages(body["officer"])["technical_review"]["department"] == "改名后的审评部门"
    body = assert_fresh_after(readers, app, lambda: User.objects.filter(pk=users.reviewer.pk).update(
        username="renamed-reviewer"), changed_for=["staff"])
    assert stages(body["staff"])["technical_review"]["assignee"] == "renamed-reviewer"


def test_the_next_working_day(users, in_review, readers):
    """Remaining days count from today: the key has the date, so the next day rebuilds, even
    minutes after the last read (well within the cache's lifetime)."""
    app = in_review()
    cal = calendar_current()
    day = cal.add_working_days(timezone.localdate(), 1)
    while not cal.is_working_day(day + dt.timedelta(days=1)):
        day = cal.add_working_days(day, 1)
    zone = timezone.get_current_timezone()
    with time_machine.travel(dt.datetime.combine(day, dt.time(23, 58), tzinfo=zone), tick=False):
        before = read_all(readers, app)
    with time_machine.travel(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 2), tzinfo=zone),
                             tick=False):
        served = read_all(readers, app)
        cache.clear()
        assert read_all(readers, app) == served
    left = [stages(body["enterprise"])["technical_review"]["remaining_target_days"] for body in (before, served)]
    assert left[1] == left[0] - 1


def test_office_move(users, in_review, readers):
    """The case moves to Shanghai: Chongqing's staff no longer read it (even cached), Shanghai's do,
    and the stages the move left unassigned show no assignee."""
    app = in_review()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="均衡工作量")
    before = read_all(readers, app)
    assert stages(before["staff"])["technical_review"]["assignee"] == users.reviewer.username
    workflow.application_move_office(application=app, actor=users.supervisor, office=second_office(),
                                     reason="企业迁址")
    assert readers["staff"].get(detail(app)).status_code == 404
    sh_supervisor = user_with_role("supervisor", office=second_office(),
                                   department=Department.objects.get(code="review"))
    moved = token_client(sh_supervisor).get(detail(app)).json()
    assert stages(moved)["technical_review"]["assignee"] is None
    served = readers["enterprise"].get(detail(app)).json()
    cache.clear()
    assert readers["enterprise"].get(detail(app)).json() == served


# --- never across readers --------------------------------------------------------------------------
def test_another_enterprise_never_gets_the_cached_payload(users, in_review):
    app = in_review()
    assert token_client(users.enterprise).get(detail(app)).status_code == 200
    assert token_client(users.other_enterprise).get(detail(app)).status_code == 404


def test_another_offices_staff_never_get_the_cached_payload(users, in_review):
    app = in_review()
    sh_supervisor = user_with_role("supervisor", office=second_office(),
                                   department=Department.objects.get(code="review"))
    assert token_client(users.supervisor).get(detail(app)).status_code == 200
    assert token_client(sh_supervisor).get(detail(app)).status_code == 404
    sh_enterprise = user_with_role("enterprise", enterprise=EnterpriseFactory(credit_code=shanghai_credit_code(1)))
    sh_app = workflow.application_create(enterprise=sh_enterprise.enterprise, product_name="上海的注射器",
                                         device_class="II", category="passive", application_type="first",
                                         actor=sh_enterprise)
    assert token_client(sh_supervisor).get(detail(sh_app)).status_code == 200
    assert token_client(users.supervisor).get(detail(sh_app)).status_code == 404


def test_a_revoked_permission_applies_to_the_next_request(users, in_review):
    """Whether the reader may see the case is asked on every request, with permissions read anew."""
    app = in_review()
    staff = user_with_role("supervisor")
    client = token_client(staff)
    assert client.get(detail(app)).status_code == 200
    staff.groups.clear()
    assert client.get(detail(app)).status_code == 404


def test_staff_and_enterprise_views_stay_apart(users, in_review):
    app = in_review()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="均衡工作量")
    staff = stages(token_client(users.supervisor).get(detail(app)).json())["technical_review"]
    owner = stages(token_client(users.enterprise).get(detail(app)).json())["technical_review"]
    assert staff["assignee"] == users.reviewer.username and owner["assignee"] is None
    # The other way round: the enterprise's payload cached first, then a second staff reader.
    assert stages(token_client(users.director).get(detail(app)).json())["technical_review"]["assignee"] == \
        users.reviewer.username


def test_owner_and_officer_views_stay_apart(users, in_review):
    app = in_review()
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["检验报告"])
    owner = stages(token_client(users.enterprise).get(detail(app)).json())["technical_review"]
    officer = stages(token_client(users.officer).get(detail(app)).json())["technical_review"]
    assert owner["pauses"][0]["items"] == ["检验报告"] and officer["pauses"][0]["items"] == []


def test_languages_stay_apart(users, in_review):
    app = in_review()
    client = token_client(users.enterprise)
    chinese = client.get(detail(app), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get(detail(app), HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["state_display"] != english["state_display"]
    assert client.get(detail(app), HTTP_ACCEPT_LANGUAGE="zh-hans").json() == chinese
    cache.clear()
    assert client.get(detail(app), HTTP_ACCEPT_LANGUAGE="en").json() == english


def test_the_links_follow_the_address_asked(users, in_review):
    app = in_review()
    client = token_client(users.enterprise)
    first = client.get(detail(app)).json()["url"]
    other = client.get(detail(app), HTTP_HOST="localhost").json()["url"]
    assert first.startswith("http://testserver/") and other.startswith("http://localhost/")
