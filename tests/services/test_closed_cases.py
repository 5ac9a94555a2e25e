"""a finished or closed case takes no more stage commands.

The probe recorded a hand-over (200 and a ``handover done→done`` log row) on approved and refused
cases, through the API and the admin. Every stage command now checks the case's and the stage's
state first (``services.workflow.core.locked_stage``): 409, and nothing written, for every command
on every stage of a case in every closed state.
"""

import pytest
from django.test import Client

from review.exceptions import NotAllowedNow
from review.models import Application, Stage, TransitionLog
from services import workflow
from tests.case_fixtures import token_client
from tests.conftest import MONDAY, stage_of

pytestmark = pytest.mark.django_db


def _commands(users):
    """Every stage command with arguments that would pass its other checks, run by a user of
    the role it needs."""
    return {
        "start": lambda s: workflow.stage_start(stage=s, actor=users.reviewer),
        "complete": lambda s: workflow.stage_complete(stage=s, actor=users.reviewer, outcome="approve",
                                                      note="同意"),
        "record_handover": lambda s: workflow.stage_record_handover(stage=s, actor=users.acceptance),
        "request_supplement": lambda s: workflow.stage_request_supplement(stage=s, actor=users.reviewer,
                                                                          items="检验报告"),
        "notify_missing_items": lambda s: workflow.stage_notify_missing_items(stage=s, actor=users.acceptance,
                                                                              items="营业执照"),
        "request_rectification": lambda s: workflow.stage_request_rectification(stage=s, actor=users.inspector,
                                                                                items="缺陷"),
        "pause": lambda s: workflow.stage_pause(stage=s, actor=users.supervisor, reason="expert", note="专家咨询"),
        "resume": lambda s: workflow.stage_resume(stage=s, actor=users.supervisor),
        "answer": lambda s: workflow.stage_answer(stage=s, actor=users.enterprise, response="已补正",
                                                  document_count=1),
        "extend": lambda s: workflow.stage_extend(stage=s, actor=users.supervisor, days=5, reason="复杂"),
        "reassign": lambda s: workflow.stage_reassign(stage=s, actor=users.supervisor, assignee=None),
        "refuse_lapsed": lambda s: workflow.stage_refuse_lapsed(stage=s, actor=users.approver),
    }


@pytest.fixture
def closed_cases(users, reviewing):
    """One case in each closed state, each with its technical review (hand-over due) among its stages."""
    def finish(outcome):
        app = reviewing(on=MONDAY)
        workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                outcome=outcome, note="意见")
        workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                outcome="passed", note="通过")
        workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome=outcome,
                                note="决定")
        if outcome == "approve":
            workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                                    reference="渝械注准20262140001")
        return app

    withdrawn, terminated = reviewing(on=MONDAY), reviewing(on=MONDAY)
    workflow.application_withdraw(application=withdrawn, actor=users.enterprise, reason="不再申请")
    workflow.application_terminate(application=terminated, actor=users.supervisor, reason="申请人已注销")
    cases = {"approved": finish("approve"), "refused": finish("refuse"), "withdrawn": withdrawn,
             "terminated": terminated}
    for state, app in cases.items():
        app.refresh_from_db()
        assert app.state == state
        assert stage_of(app, "technical_review").handover_due is not None
    return cases


def _written():
    return (TransitionLog.objects.count(), list(Stage.objects.order_by("pk").values_list("pk", "state", "version")),
            list(Application.objects.order_by("pk").values_list("pk", "state", "version")))


def test_every_stage_command_is_refused_on_every_stage_of_a_closed_case(users, closed_cases):
    before = _written()
    tried = 0
    for app in closed_cases.values():
        for stage in app.stages.all():
            for run in _commands(users).values():
                with pytest.raises(NotAllowedNow):
                    run(stage)
                tried += 1
    assert _written() == before
    assert tried >= 4 * 5 * 12


def test_the_hand_over_on_an_approved_or_refused_case_is_409_in_the_api_and_refused_in_the_admin(
        users, closed_cases):
    api = token_client(users.acceptance)
    admin = Client()
    admin.force_login(users.acceptance)
    before = _written()
    for state in ("approved", "refused"):
        app = closed_cases[state]
        review = stage_of(app, "technical_review")
        response = api.post(f"/api/v1/applications/{app.pk}/actions/record_handover/",
                            {"stage": review.pk, "version": review.version}, format="json")
        assert response.status_code == 409, response.content
        response = admin.post(f"/admin/review/application/{app.pk}/act/record_handover/",
                              {"stage": review.pk, "version": review.version}, follow=True)
        assert "不能再记录任何办理事项" in response.content.decode()
    assert _written() == before


def test_every_stage_command_is_refused_on_a_finished_stage_of_an_open_case(users, reviewing):
    """The acceptance is done while the case is under review: nothing more is recorded on it."""
    app = reviewing(on=MONDAY)
    accepted = stage_of(app, "acceptance")
    assert accepted.state == "done" and app.state == "review"
    before = _written()
    for name, run in _commands(users).items():
        with pytest.raises(NotAllowedNow):
            run(accepted)
        assert _written() == before, name
