"""An administrator re-projects a running case onto another pack; logged; others refused."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from review.exceptions import PermissionDenied
from review.models import PolicyPack, TransitionLog
from services import policy, workflow
from tests.conftest import MONDAY


@pytest.fixture
def in_review(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_complete(stage=app.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=MONDAY)
    app.refresh_from_db()
    return app


def test_a_new_pack_does_not_touch_running_cases_until_reprojected(users, in_review):
    review = in_review.stages.get(kind="technical_review")
    assert (in_review.policy_pack.code, review.target_days) == ("cq-2025", 40)
    national = PolicyPack.objects.get(code="cn-statutory")
    changed = policy.application_rebind_policy(application=in_review, actor=users.sysadmin,
                                               pack=national, today=MONDAY + dt.timedelta(days=7))
    review.refresh_from_db()
    in_review.refresh_from_db()
    assert changed == 1  # only the review's target changes; QMS and statutory limits are equal
    assert in_review.policy_pack == national
    assert review.target_days == 60 and review.target_due == review.statutory_due
    entry = TransitionLog.objects.get(stage=review, action="reproject_policy")
    assert entry.details["before"]["target_days"] == 40 and entry.details["after"]["target_days"] == 60
    assert TransitionLog.objects.filter(application=in_review, action="rebind_policy").count() == 1


def test_only_an_administrator_may_reproject(users, in_review):
    with pytest.raises(PermissionDenied):
        policy.application_rebind_policy(application=in_review, actor=users.supervisor)
    client = Client()
    client.force_login(users.supervisor)
    response = client.post(reverse("admin:review_application_changelist"),
                           {"action": "rebind_policy", "_selected_action": [in_review.pk]})
    assert response.status_code == 200  # Django answers "no action selected": not offered
    assert not TransitionLog.objects.filter(action="rebind_policy").exists()
