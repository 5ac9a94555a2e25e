""""My work" per role, and the case page's polish: late wording, which limit, finished late,
explicit decision choice, statutory warning, eligible assignees, result at the top, page title."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from review.models import Department
from review.selectors import calendar_current
from review.worklist import worklist
from services import workflow
from tests.conftest import MONDAY, stage_of
from tests.factories import user_with_role


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def depts(users):
    review, inspection = Department.objects.get(code="review"), Department.objects.get(code="inspection")
    for user, dept in ((users.reviewer, review), (users.inspector, inspection), (users.supervisor, review)):
        user.department = dept
        user.save(update_fields=["department"])
    return review, inspection


def _kinds(items):
    return [(i.stage.application.product_name, i.stage.kind, i.mine) for i in items]


def test_reviewer_sees_own_then_departments_unassigned_in_urgency_order(users, depts, reviewing):
    cal = calendar_current()
    old = reviewing(on=MONDAY, product_name="old")  # its review is the most late
    mine = reviewing(on=cal.add_working_days(MONDAY, 20), product_name="mine")
    priority = reviewing(on=cal.add_working_days(MONDAY, 20), product_name="priority", pathway="priority")
    fresh = reviewing(on=cal.add_working_days(MONDAY, 30), product_name="fresh")
    workflow.stage_reassign(stage=stage_of(mine, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer)
    other = user_with_role("reviewer", department=depts[0])
    workflow.stage_reassign(stage=stage_of(fresh, "technical_review"), actor=users.supervisor, assignee=other)
    today = cal.add_working_days(MONDAY, 45)  # old: 45 used of 40 (late); mine and priority: 25
    items, total = worklist(users.reviewer, today=today, cal=cal)
    assert _kinds(items) == [
        ("mine", "technical_review", True),
        ("old", "technical_review", False),  # past its target
        ("priority", "technical_review", False),  # priority pathway before the standard one
    ]
    assert total == 3  # not QMS stages (another role), not a colleague's assigned stage
    assert items[1].remaining < 0 and items[1].level == "overdue"
    # The inspector sees the unassigned QMS verifications of the inspection department instead.
    kinds = {i.stage.kind for i in worklist(users.inspector, today=today, cal=cal)[0]}
    assert kinds == {"qms_verification"}
    del old, priority


def test_supervisor_sees_the_whole_departments_unassigned(users, depts, reviewing):
    app, assigned = reviewing(), reviewing()
    workflow.stage_reassign(stage=stage_of(assigned, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer)
    items, _ = worklist(users.supervisor, today=MONDAY, cal=calendar_current())
    # The unassigned review only: the assigned one is the reviewer's, within its limits.
    assert [(i.stage.application_id, i.stage.kind, i.mine) for i in items] == [(app.pk, "technical_review", False)]


def test_supervisor_also_sees_the_teams_statutory_breaches(users, depts, reviewing):
    """Statutory alerts go to the supervisors: their start page lists the department's stages past
    the statutory limit that colleagues hold (not those within it, not other departments')."""
    cal = calendar_current()
    late = reviewing(on=MONDAY, product_name="late")
    on_time = reviewing(on=cal.add_working_days(MONDAY, 30), product_name="on time")
    colleague = user_with_role("reviewer", department=depts[0])
    for app in (late, on_time):
        workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                                assignee=colleague)
    rows = [(i.stage.application.product_name, i.stage.kind, i.mine) for i in
            worklist(users.supervisor, today=cal.add_working_days(MONDAY, 45), cal=cal)[0]]
    assert ("late", "technical_review", False) not in rows  # past its 40-WD target only
    # late: past its 60-WD statutory limit, counted from the hand-over 3 WD after acceptance (Order 47
    # Arts. 91, 92): 63 WD after Monday is its last day, 64 past it.
    today = cal.add_working_days(MONDAY, 64)
    rows = [(i.stage.application.product_name, i.stage.kind, i.mine) for i in
            worklist(users.supervisor, today=today, cal=cal)[0]]
    assert ("late", "technical_review", False) in rows
    assert ("on time", "technical_review", False) not in rows
    assert all(kind == "technical_review" for _, kind, _ in rows)  # the review department's only
    # A reviewer does not get a colleague's late work.
    assert "late" not in [i.stage.application.product_name for i in worklist(users.reviewer, today=today, cal=cal)[0]]
    with time_machine.travel(dt.datetime.combine(today, dt.time(10)), tick=False):
        page = _client(users.supervisor).get("/admin/").content.decode()
    assert late.reference in page and (colleague.get_full_name() or colleague.username) in page


def test_admin_index_leads_with_my_work(users, depts, reviewing):
    app = reviewing()
    client = _client(users.reviewer)
    with CaptureQueriesContext(connection) as one:
        page = client.get("/admin/").content.decode()
    assert page.index('id="my-work"') < page.index('id="content-main"')
    assert app.reference in page
    assert "<title>" in page and "Django" not in page.split("<title>")[1].split("</title>")[0]
    # Which date is shown, in Chinese brackets.
    assert "（法定时限）" in page and "(法定时限)" not in page  # reviewed since March: long past it
    for _ in range(4):
        reviewing()
    with CaptureQueriesContext(connection) as five:
        client.get("/admin/")
    assert len(five) == len(one)


def test_case_page_says_late_not_minus_and_which_limit(users, depts, reviewing):
    app = reviewing()
    review = stage_of(app, "technical_review")
    late_day = calendar_current().add_working_days(review.target_due, 8)
    with time_machine.travel(dt.datetime.combine(late_day, dt.time(10)), tick=False):
        page = _client(users.supervisor).get(reverse("admin:review_application_change", args=[app.pk]))
    text = page.content.decode()
    assert "超期 8 个工作日" in text
    assert "还剩 -" not in text and "-8 个工作日" not in text
    assert "目标时限 40" in text and "法定时限 60" in text


def test_a_stage_finished_late_is_marked(users, depts, reviewing, english):
    app = reviewing()
    day = calendar_current().add_working_days(MONDAY, 45)
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer, outcome="approve",
                            note="同意", today=day)
    users.supervisor.language = "en"
    users.supervisor.save(update_fields=["language"])
    page = _client(users.supervisor).get(reverse("admin:review_application_change", args=[app.pk])).content.decode()
    assert "Finished after the target" in page and "Finished after the statutory limit" not in page


def test_decision_needs_an_explicit_choice_and_warns_past_the_limit(users, depts, reviewing):
    app = reviewing()
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"})):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=MONDAY, **kw)
    decision = stage_of(app, "decision")
    url = reverse("admin:review_application_change", args=[app.pk])
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(10)), tick=False):
        page = _client(users.approver).get(url).content.decode()
    form = page[page.index('data-action="complete"'):]
    form = form[:form.index("</form>")]
    assert '<option value="" selected>' in form and 'value="approve" selected' not in form
    assert "法定时限已于" not in form
    # Posting without a choice is refused, naming the field.
    response = _client(users.approver).post(reverse("admin:review_application_act", args=[app.pk, "complete"]),
                                            {"stage": decision.pk, "version": decision.version, "note": "x"},
                                            follow=True)
    assert "结论：请选择一项结论（同意、不同意）。" in response.content.decode()
    assert stage_of(app, "decision").state == "running"
    late = calendar_current().add_working_days(decision.statutory_due, 2)
    with time_machine.travel(dt.datetime.combine(late, dt.time(10)), tick=False):
        page = _client(users.approver).get(url).content.decode()
    form = page[page.index('data-action="complete"'):]
    assert decision.statutory_due.isoformat() in form[:form.index("</form>")]


def test_reassignment_offers_and_accepts_only_eligible_staff(users, depts, reviewing):
    app = reviewing()
    review = stage_of(app, "technical_review")
    elsewhere = user_with_role("reviewer", department=depts[1])  # a reviewer of another department
    page = _client(users.supervisor).get(reverse("admin:review_application_change", args=[app.pk])).content.decode()
    form = page[page.index(f'name="stage" value="{review.pk}"', page.index('data-action="reassign"')):]
    form = form[:form.index("</form>")]
    assert f'value="{users.reviewer.pk}"' in form
    assert f'value="{elsewhere.pk}"' not in form and f'value="{users.inspector.pk}"' not in form
    act = reverse("admin:review_application_act", args=[app.pk, "reassign"])
    response = _client(users.supervisor).post(act, {"stage": review.pk, "version": review.version,
                                                    "assignee": users.inspector.pk})
    assert response["Location"].endswith("#actions")  # refused: back to the form with its error
    assert stage_of(app, "technical_review").assignee_id is None
    response = _client(users.supervisor).post(act, {"stage": review.pk, "version": review.version,
                                                    "assignee": users.reviewer.pk})
    # Done: the page itself (message and stage table at the top), not the action list.
    assert response["Location"] == reverse("admin:review_application_change", args=[app.pk])
    assert stage_of(app, "technical_review").assignee_id == users.reviewer.pk


def _rows(user, today):
    return [(i.stage.application.reference, i.stage.kind) for i in
            worklist(user, today=today, cal=calendar_current())[0]]


def test_acceptance_waiting_for_the_dossier_is_on_the_acceptance_officers_list(users, make_application):
    """An acceptance opened after testing waits for the dossier (pending, "Record the receipt" on
    the case page): it belongs on the acceptance officer's list, like testing waiting for samples
    on the testing centre's, in two queries whatever the number of cases."""
    acceptance = Department.objects.get(code="acceptance")
    officer = user_with_role("acceptance", department=acceptance)
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    assert (app.reference, "acceptance") not in _rows(officer, MONDAY)  # not its phase yet
    workflow.stage_complete(stage=stage_of(app, "testing"), actor=users.tester, outcome="passed",
                            reference="渝械检2026-0001", today=MONDAY)
    assert stage_of(app, "acceptance").state == "pending"
    with CaptureQueriesContext(connection) as queries:
        rows = _rows(officer, MONDAY)
    assert (app.reference, "acceptance") in rows
    assert len(queries) == 2  # the rows (an officer's list is one query) and the count (one statement)
    # Other roles do not get it; a suspended case's waiting stage is not offered either.
    assert (app.reference, "acceptance") not in _rows(user_with_role("reviewer", department=acceptance), MONDAY)
    workflow.application_suspend(application=app, actor=users.supervisor, reason="资料可能虚假")
    assert (app.reference, "acceptance") not in _rows(officer, MONDAY)
    workflow.application_resume(application=app, actor=users.supervisor, reason="核实无误")
    workflow.stage_start(stage=stage_of(app, "acceptance"), actor=officer, today=MONDAY)
    assert [k for r, k in _rows(officer, MONDAY) if r == app.reference] == ["acceptance"]  # now running


def test_a_director_sees_every_stage_past_its_statutory_limit(users, reviewing):
    """Statutory alerts go to the directors too (docs/operations.md#alert-levels-and-recipients): with no department, a
    director's list holds every stage past its statutory limit, in every department, assigned or
    not; the query count does not grow with them."""
    cal = calendar_current()
    director = users.director
    assert director.department_id is None and director.has_perm("notifications.receive_breach_alerts")
    late = reviewing(on=MONDAY, product_name="late")
    on_time = reviewing(on=cal.add_working_days(MONDAY, 30), product_name="on time")
    review = stage_of(late, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor,
                            assignee=user_with_role("reviewer", department=review.department))
    # late's review: past its 60-WD statutory limit, counted from the hand-over (acceptance + 3 WD).
    today = cal.add_working_days(MONDAY, 64)
    assert _rows(director, cal.add_working_days(MONDAY, 45)) == []  # past the target only
    with CaptureQueriesContext(connection) as one:
        rows = _rows(director, today)
    assert (late.reference, "technical_review") in rows
    assert all(ref != on_time.reference for ref, _ in rows)
    for _ in range(3):
        reviewing(on=MONDAY)  # unassigned, also past the limit
    with CaptureQueriesContext(connection) as four:
        rows = _rows(director, today)
    assert len([r for r in rows if r[1] == "technical_review"]) == 4
    assert len(four) == len(one)
    _, total = worklist(director, today=today, cal=cal)
    assert total == len(rows)
    # A reviewer without that permission gets none of it.
    assert _rows(user_with_role("reviewer"), today) == []


def test_my_work_is_in_the_order_of_the_dates_it_shows(users, depts, reviewing):
    """The list shows the target (the statutory date once that has passed) and is sorted by it:
    sorted by the statutory date it read "30 days left" before "12 days left"."""
    from review.models import Stage

    cal = calendar_current()
    today = cal.add_working_days(MONDAY, 2)
    soon, later = reviewing(product_name="soon"), reviewing(product_name="later")
    Stage.objects.filter(application=soon, kind="technical_review").update(
        target_due=cal.add_working_days(today, 5), statutory_due=cal.add_working_days(today, 40))
    Stage.objects.filter(application=later, kind="technical_review").update(
        target_due=cal.add_working_days(today, 12), statutory_due=cal.add_working_days(today, 30))
    items = [i for i in worklist(users.reviewer, today=today, cal=cal)[0] if i.stage.kind == "technical_review"]
    assert [(i.stage.application.product_name, i.which, i.remaining) for i in items] == [
        ("soon", "target", 5), ("later", "target", 12)]


def test_badges_name_the_limit_they_are_about(users, depts, reviewing):
    """One name per state everywhere (the dashboard's words): near the target is not "due"."""
    app = reviewing()
    review = stage_of(app, "technical_review")
    cal = calendar_current()
    for day, badge in ((cal.add_working_days(review.target_due, -2), "临近目标时限"),
                       (cal.add_working_days(review.target_due, 1), "已超目标时限")):
        with time_machine.travel(dt.datetime.combine(day, dt.time(10)), tick=False):
            page = _client(users.reviewer).get("/admin/").content.decode()
        assert f">{badge}</span>" in page, badge
        assert "即将到期" not in page
