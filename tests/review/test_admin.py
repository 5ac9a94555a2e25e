"""The case admin through HTTP: pages, actions as POSTs, permissions, stale forms, query budgets."""

import pytest
from django.test import Client
from django.urls import reverse

from review.models import Application, ClockStop, TransitionLog
from services import workflow
from tests.case_fixtures import uploads  # noqa: F401 - fixture
from tests.conftest import MONDAY


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, app, action, stage=None, **data):
    url = reverse("admin:review_application_act", args=[app.pk, action])
    payload = {"version": app.version, **data}
    if stage is not None:  # stage actions carry the stage's own version
        payload.update(stage=stage.pk, version=stage.version)
    return client.post(url, payload, follow=True)


@pytest.fixture
def submitted(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    return app


def test_acceptance_officer_accepts_through_admin_post(users, submitted):
    stage = submitted.stages.get(kind="acceptance")
    response = _act(_client(users.acceptance), submitted, "complete", stage, outcome="accepted")
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == "review"
    assert TransitionLog.objects.filter(application=submitted, action="stage_complete").count() == 1


def test_reviewer_cannot_accept_through_admin_post(users, submitted):
    stage = submitted.stages.get(kind="acceptance")
    before = TransitionLog.objects.filter(application=submitted).count()
    response = _act(_client(users.reviewer), submitted, "complete", stage, outcome="accepted")
    submitted.refresh_from_db()
    assert submitted.state == "acceptance"
    assert TransitionLog.objects.filter(application=submitted).count() == before
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("您无权执行此操作：") for m in messages), messages  # the reviewer's language: Chinese


def test_enterprise_user_cannot_enter_the_admin(users, submitted):
    response = _client(users.enterprise).get(reverse("admin:review_application_change", args=[submitted.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = _act(_client(users.enterprise), submitted, "withdraw", reason="x")
    submitted.refresh_from_db()
    assert submitted.state == "acceptance"


def test_stale_form_is_refused_with_reload_message(users, submitted):
    stage = submitted.stages.get(kind="acceptance")
    stale_version = stage.version
    workflow.stage_notify_missing_items(stage=stage, actor=users.acceptance, items="营业执照", today=MONDAY)
    client = _client(users.acceptance)
    url = reverse("admin:review_application_act", args=[submitted.pk, "complete"])
    response = client.post(url, {"version": stale_version, "stage": stage.pk, "outcome": "accepted"},
                           follow=True)
    submitted.refresh_from_db()
    assert submitted.state == "acceptance"
    text = " ".join(str(m) for m in response.context["messages"])
    assert "请刷新页面后重试。" in text, text  # the officer's language: Chinese


def test_bad_input_keeps_what_was_typed_and_writes_nothing(users, submitted):
    workflow.stage_complete(stage=submitted.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=MONDAY)
    submitted.refresh_from_db()
    review = submitted.stages.get(kind="technical_review")
    response = _act(_client(users.reviewer), submitted, "request_supplement", review,
                    items="   ", note="请一次性补齐")
    assert not ClockStop.objects.filter(stage=review).exists()
    page = response.content.decode()
    assert "请一次性补齐" in page  # the note typed is still in the form
    assert 'role="alert"' in page


def test_case_page_shows_only_permitted_buttons(users, submitted):
    page = _client(users.acceptance).get(
        reverse("admin:review_application_change", args=[submitted.pk])).content.decode()
    assert 'data-action="complete"' in page and 'data-action="notify_missing_items"' in page
    assert 'data-action="extend"' not in page
    page = _client(users.supervisor).get(
        reverse("admin:review_application_change", args=[submitted.pk])).content.decode()
    assert 'data-action="suspend"' in page and 'data-action="complete"' not in page
    # Order 47 Art. 96: the acceptance is not extendable, so no extension button either.
    assert 'data-action="extend"' not in page


def test_transition_log_cannot_be_edited_or_deleted_in_admin(users, submitted):
    entry = TransitionLog.objects.filter(application=submitted).first()
    admin_client = Client()
    from review.models import User

    superuser = User.objects.create_superuser("root", "root@example.com", "pw")
    admin_client.force_login(superuser)
    change = admin_client.post(reverse("admin:review_transitionlog_change", args=[entry.pk]),
                               {"reason": "rewritten"})
    delete = admin_client.post(reverse("admin:review_transitionlog_delete", args=[entry.pk]),
                               {"post": "yes"})
    assert change.status_code == 403
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.reason != "rewritten"
    assert TransitionLog.objects.filter(pk=entry.pk).exists()


def _count_queries(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_rows(users, make_application, django_assert_max_num_queries):
    client = _client(users.supervisor)
    url = reverse("admin:review_application_changelist")
    for _ in range(3):
        workflow.application_submit(application=make_application(), actor=users.enterprise, today=MONDAY)
    few = _count_queries(django_assert_max_num_queries, client, url)
    for _ in range(20):
        workflow.application_submit(application=make_application(), actor=users.enterprise, today=MONDAY)
    many = _count_queries(django_assert_max_num_queries, client, url)
    assert many == few
    # Budget: session + user + permissions (3), the counted page of cases with their deadline
    # annotations and enterprise join (1), the count (1), the district filter's choices (1),
    # the route filter's choices (1), plus savepoint-free overhead: 12 leaves room, not growth.
    assert many <= 12, many


def test_case_page_query_count_does_not_grow_with_stages_or_log(users, make_application):
    client = _client(users.supervisor)

    def page_queries(app):
        return _count_queries(None, client, reverse("admin:review_application_change", args=[app.pk]))

    small = make_application(application_type="renewal")
    workflow.application_submit(application=small, actor=users.enterprise, today=MONDAY)
    big = make_application(key_project=True, needs_testing=True, with_production_licence=True)
    workflow.application_submit(application=big, actor=users.enterprise, today=MONDAY)
    workflow.stage_complete(stage=big.stages.get(kind="presubmission"), actor=users.reviewer,
                            outcome="closed", today=MONDAY)
    assert big.stages.count() > small.stages.count()
    assert TransitionLog.objects.filter(application=big).count() > TransitionLog.objects.filter(
        application=small).count()
    assert page_queries(big) == page_queries(small)


def test_staff_registers_a_paper_application_in_admin(users):
    client = _client(users.acceptance)
    response = client.post(reverse("admin:review_application_add"), {
        "enterprise": users.enterprise_obj.pk, "product_name": "医用口罩", "device_class": "II",
        "category": "passive", "application_type": "first", "pathway": "standard",
    })
    assert response.status_code == 302
    app = Application.objects.get(product_name="医用口罩")
    assert app.state == "draft" and app.created_by == users.acceptance


def test_admin_add_form_names_the_field_on_bad_input(users):
    client = _client(users.acceptance)
    response = client.post(reverse("admin:review_application_add"), {
        "enterprise": users.enterprise_obj.pk, "product_name": "", "device_class": "IV",
        "category": "passive", "application_type": "first", "pathway": "standard",
    })
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"product_name", "device_class"}
    assert not Application.objects.exists()


def test_language_choice_is_kept_on_the_account(users):
    client = _client(users.reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'lang="zh-hans"' in page  # the default
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    users.reviewer.refresh_from_db()
    assert users.reviewer.language == "en"
    fresh = _client(users.reviewer)  # a new session, no cookie: the account remembers
    assert 'lang="en"' in fresh.get(reverse("admin:index")).content.decode()


def test_a_form_on_one_branch_survives_work_on_the_parallel_branch(users, submitted):
    workflow.stage_complete(stage=submitted.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=MONDAY)
    review = submitted.stages.get(kind="technical_review")  # the reviewer opens the page
    workflow.stage_complete(stage=submitted.stages.get(kind="qms_verification"), actor=users.inspector,
                            outcome="passed", note="体系核查通过", today=MONDAY)
    response = _act(_client(users.reviewer), submitted, "complete", review, outcome="approve",
                    note="同意注册")
    review.refresh_from_db()
    submitted.refresh_from_db()
    assert review.state == "done", [str(m) for m in response.context["messages"]]
    assert submitted.state == "decision"


@pytest.mark.usefixtures("uploads")
def test_staff_record_a_counter_answer_with_scanned_documents(users, submitted):
    from tests.case_fixtures import PDF, upload

    workflow.stage_complete(stage=submitted.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=MONDAY)
    review = submitted.stages.get(kind="technical_review")
    workflow.stage_request_supplement(stage=review, actor=users.reviewer, items=["说明书"], today=MONDAY)
    client = _client(users.reviewer)
    page = client.get(reverse("admin:review_application_change", args=[submitted.pk])).content.decode()
    assert 'data-action="answer_at_counter"' in page and 'data-action="resume"' not in page
    review.refresh_from_db()
    url = reverse("admin:review_application_act", args=[submitted.pk, "answer_at_counter"])
    # Without documents nothing happens, and the reviewer is told what is missing.
    client.post(url, {"stage": review.pk, "version": review.version, "response": "纸质资料"})
    review.refresh_from_db()
    assert review.state == "paused"
    client.post(url, {"stage": review.pk, "version": review.version, "response": "纸质资料",
                      "files": [upload("scan.pdf", PDF)]})
    review.refresh_from_db()
    assert review.state == "running"
    assert TransitionLog.objects.get(application=submitted, action="documents").details["counter"] is True


@pytest.mark.usefixtures("uploads")
def test_the_reviewer_sees_the_answer_and_its_documents_on_the_case_page(users, submitted):
    from services import documents
    from tests.case_fixtures import PDF, upload

    workflow.stage_complete(stage=submitted.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=MONDAY)
    stop = workflow.stage_request_supplement(stage=submitted.stages.get(kind="technical_review"),
                                             actor=users.reviewer, items=["说明书"], today=MONDAY)
    (doc,) = documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充说明书",
                                         files=[upload("说明书.pdf", PDF)], today=MONDAY)
    client = _client(users.reviewer)
    page = client.get(reverse("admin:review_application_change", args=[submitted.pk])).content.decode()
    link = reverse("portal:document", args=[doc.pk])
    assert "已补充说明书" in page and "说明书.pdf" in page and link in page
    # The link passes the same visibility check: the reviewer downloads it, another enterprise cannot.
    assert client.get(link).status_code == 200
    other = Client()
    other.force_login(users.other_enterprise)
    assert other.get(link).status_code == 404


def test_the_case_page_says_the_review_limit_counts_from_the_hand_over(users, reviewing):
    # Order 47 Arts. 91, 92 (docs/regulatory-basis.md#o47-91): the reviewer reads why the statutory
    # date lies 3 WD beyond 60 WD after acceptance, and the basis begins with Art. 91.
    app = reviewing()
    page = _client(users.reviewer).get(reverse("admin:review_application_change", args=[app.pk]),
                                       HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-handover" in page
    assert "法定审评时限自移交之日起计算：本环节开始后3个工作日不计入法定时限。" in page
