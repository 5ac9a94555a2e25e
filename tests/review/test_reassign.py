"""Reassigning a stage (B4): the assignee is required. An empty choice is refused, naming the
field, with nothing written; handing a stage back to its department is its own, labelled choice."""

import pytest
from django.test import Client
from django.urls import reverse

from review.models import Department, TransitionLog
from services.actions import TO_DEPARTMENT
from tests.case_fixtures import token_client
from tests.conftest import stage_of


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def case(users, reviewing):
    review = Department.objects.get(code="review")
    for user in (users.reviewer, users.supervisor):  # the review department's reviewer may take it
        user.department = review
        user.save(update_fields=["department"])
    return reviewing()


def _state(app):
    stage = stage_of(app, "technical_review")
    app.refresh_from_db()
    return (stage.assignee_id, app.version,
            TransitionLog.objects.filter(application=app, action="reassign").count())


def _post(user, app, **data):
    stage = stage_of(app, "technical_review")
    act = reverse("admin:review_application_act", args=[app.pk, "reassign"])
    return _client(user).post(act, {"stage": stage.pk, "version": stage.version, **data})


def test_empty_assignee_is_refused_by_the_admin_and_writes_nothing(users, case):
    before = _state(case)
    client = _client(users.supervisor)
    stage = stage_of(case, "technical_review")
    act = reverse("admin:review_application_act", args=[case.pk, "reassign"])
    response = client.post(act, {"stage": stage.pk, "version": stage.version, "assignee": "", "reason": ""})
    assert response.status_code == 302 and response["Location"].endswith("#actions")
    assert _state(case) == before
    page = client.get(response["Location"]).content.decode()
    assert "已完成：改派" not in page
    assert "经办人：请选择承办该环节的人员" in page  # the message, and the reopened form's error
    form = page[page.index('data-action="reassign"'):]
    form = form[:form.index("</form>")]
    assert '<details open data-action="reassign">' in page
    assert 'name="assignee" required' in form
    # Nothing assigned yet: "nobody" is not offered, there is nothing to hand back.
    assert f'value="{TO_DEPARTMENT}"' not in form


def test_a_missing_assignee_is_refused_too(users, case):
    before = _state(case)
    _post(users.supervisor, case)
    assert _state(case) == before


def test_handing_back_to_the_department_is_a_deliberate_choice(users, case):
    assert _post(users.supervisor, case, assignee=users.reviewer.pk).status_code == 302
    assert stage_of(case, "technical_review").assignee_id == users.reviewer.pk
    page = _client(users.supervisor).get(reverse("admin:review_application_change", args=[case.pk]))
    form = page.content.decode()[page.content.decode().index('data-action="reassign"'):]
    assert f'<option value="{TO_DEPARTMENT}">不指定经办人（退回科室待分派）</option>' in form[:form.index("</form>")]
    response = _post(users.supervisor, case, assignee=TO_DEPARTMENT, reason="经办人长期病假")
    assert response["Location"] == reverse("admin:review_application_change", args=[case.pk])
    assert stage_of(case, "technical_review").assignee_id is None
    row = TransitionLog.objects.filter(application=case, action="reassign").latest("pk")
    assert row.details == {"from": users.reviewer.username, "to": None}


def test_reassigning_to_whoever_has_it_already_writes_nothing(users, case):
    _post(users.supervisor, case, assignee=users.reviewer.pk)
    before = _state(case)
    _post(users.supervisor, case, assignee=users.reviewer.pk)
    assert _state(case) == before
    _post(users.supervisor, case, assignee=TO_DEPARTMENT)
    before = _state(case)
    _post(users.supervisor, case, assignee=TO_DEPARTMENT)
    assert _state(case) == before


def test_api_needs_the_assignee_and_null_is_the_department(users, case):
    stage = stage_of(case, "technical_review")
    url = f"/api/v1/applications/{case.pk}/actions/reassign/"
    api = token_client(users.supervisor)
    before = _state(case)
    refused = api.post(url, {"stage": stage.pk, "version": stage.version}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "assignee"
    assert _state(case) == before
    assert api.post(url, {"stage": stage.pk, "version": stage.version, "assignee": users.reviewer.pk},
                    format="json").status_code == 200
    stage = stage_of(case, "technical_review")
    assert api.post(url, {"stage": stage.pk, "version": stage.version, "assignee": None},
                    format="json").status_code == 200
    assert stage_of(case, "technical_review").assignee_id is None
