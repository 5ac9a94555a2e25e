"""Refusals through the services: 403 for the wrong role, 409 for the wrong moment, 400 for bad
input naming the field. A refused command leaves no trace: no log row, no state change, the
case's version unchanged.
"""

from functools import cached_property

import pytest

from review.exceptions import ApplicationError, InvalidInput, NotAllowedNow, PermissionDenied
from review.models import Application, ClockStop, Extension, Stage, TransitionLog
from services import workflow
from tests.conftest import MONDAY, stage_of

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a command could have written, read back from the database."""
    return (
        list(Application.objects.order_by("pk").values_list("pk", "state", "version", "phase",
                                                            "closed_on", "suspended_from")),
        list(Stage.objects.order_by("pk").values_list(
            "pk", "state", "assignee", "consumed_days", "clock_started_on", "target_due",
            "statutory_due", "extension_days", "outcome")),
        TransitionLog.objects.count(),
        list(ClockStop.objects.order_by("pk").values_list("pk", "ended_on")),
        Extension.objects.count(),
    )


class Cases:
    """Cases of ``users.enterprise_obj`` in the states the commands below need, each built on
    first use (building every one for every test would triple the file's run time)."""

    def __init__(self, users, reviewing, make_application):
        self.users, self._reviewing, self._make = users, reviewing, make_application

    def prepare(self, command) -> None:
        """Build every case a command names (``c.review``...), before the snapshot is taken."""
        for name in ("review", "draft", "supplement", "expert", "acceptance", "decision",
                     "testing"):
            if name in command.__code__.co_names:
                getattr(self, name)

    @cached_property
    def review(self):
        """Technical review and QMS verification running."""
        return self._reviewing()

    @cached_property
    def draft(self):
        return self._make()

    @cached_property
    def acceptance(self):
        app = self._make()
        workflow.application_submit(application=app, actor=self.users.enterprise, today=MONDAY)
        return app

    @cached_property
    def supplement(self):
        """The technical review waits for the applicant's supplement."""
        app = self._reviewing()
        workflow.stage_request_supplement(stage=stage_of(app, "technical_review"),
                                          actor=self.users.reviewer, items=["临床评价"], today=MONDAY)
        return app

    @cached_property
    def expert(self):
        """The technical review is paused for an expert consultation."""
        app = self._reviewing()
        workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=self.users.reviewer,
                             reason="expert", note="专家咨询", today=MONDAY)
        return app

    @cached_property
    def decision(self):
        app = self._reviewing()
        workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=self.users.reviewer,
                                outcome="approve", note="同意", today=MONDAY)
        workflow.stage_complete(stage=stage_of(app, "qms_verification"),
                                actor=self.users.inspector, outcome="passed", note="通过",
                                today=MONDAY)
        assert app.state == "decision"
        return app

    @cached_property
    def testing(self):
        """Registration testing waits for the samples."""
        app = self._make(needs_testing=True)
        workflow.application_submit(application=app, actor=self.users.enterprise, today=MONDAY)
        assert app.state == "testing"
        return app


@pytest.fixture
def case(users, reviewing, make_application):
    return Cases(users, reviewing, make_application)


def run_refused(case, command, *args):
    """Run a command that must be refused; return the exception after checking it left no trace."""
    case.prepare(command)
    before = snapshot()
    with pytest.raises(ApplicationError) as exc:
        command(case, *args)
    assert snapshot() == before
    return exc.value


def _stage(app, kind):
    return stage_of(app, kind)


# (who, what): each a role doing another role's action.
REFUSED = {
    "reviewer accepts": ("reviewer", lambda c, u: workflow.stage_complete(
        stage=_stage(c.acceptance, "acceptance"), actor=u, outcome="accepted", today=MONDAY)),
    "approver accepts": ("approver", lambda c, u: workflow.stage_complete(
        stage=_stage(c.acceptance, "acceptance"), actor=u, outcome="accepted", today=MONDAY)),
    "enterprise accepts its own case": ("enterprise", lambda c, u: workflow.stage_complete(
        stage=_stage(c.acceptance, "acceptance"), actor=u, outcome="accepted", today=MONDAY)),
    "enterprise completes the review": ("enterprise", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "technical_review"), actor=u, outcome="approve", note="自己批准",
        today=MONDAY)),
    "inspector completes the review": ("inspector", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "technical_review"), actor=u, outcome="approve", note="同意",
        today=MONDAY)),
    "reviewer completes QMS": ("reviewer", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "qms_verification"), actor=u, outcome="passed", note="通过",
        today=MONDAY)),
    "supervisor completes the review": ("supervisor", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "technical_review"), actor=u, outcome="approve", note="同意",
        today=MONDAY)),
    "acceptance officer requests a supplement": ("acceptance", lambda c, u:
        workflow.stage_request_supplement(stage=_stage(c.review, "technical_review"), actor=u,
                                          items=["资料"], today=MONDAY)),
    "enterprise requests a supplement": ("enterprise", lambda c, u:
        workflow.stage_request_supplement(stage=_stage(c.review, "technical_review"), actor=u,
                                          items=["资料"], today=MONDAY)),
    "enterprise pauses for experts": ("enterprise", lambda c, u: workflow.stage_pause(
        stage=_stage(c.review, "technical_review"), actor=u, reason="expert", note="拖延",
        today=MONDAY)),
    "enterprise ends an expert consultation": ("enterprise", lambda c, u: workflow.stage_resume(
        stage=_stage(c.expert, "technical_review"), actor=u, response="结束", today=MONDAY)),
    "other enterprise answers a supplement": ("other_enterprise", lambda c, u:
        workflow.stage_answer(stage=_stage(c.supplement, "technical_review"), actor=u,
                              document_count=1, response="替别人补正", today=MONDAY)),
    "inspector answers the supplement for the applicant": ("inspector", lambda c, u:
        workflow.stage_answer(stage=_stage(c.supplement, "technical_review"), actor=u,
                              document_count=1, response="代为补正", today=MONDAY)),
    "other enterprise submits": ("other_enterprise", lambda c, u: workflow.application_submit(
        application=c.draft, actor=u, today=MONDAY)),
    "reviewer submits": ("reviewer", lambda c, u: workflow.application_submit(
        application=c.draft, actor=u, today=MONDAY)),
    "other enterprise withdraws": ("other_enterprise", lambda c, u: workflow.application_withdraw(
        application=c.review, actor=u, reason="恶意撤回", today=MONDAY)),
    "reviewer withdraws": ("reviewer", lambda c, u: workflow.application_withdraw(
        application=c.review, actor=u, reason="撤回", today=MONDAY)),
    "acceptance officer decides": ("acceptance", lambda c, u: workflow.stage_complete(
        stage=_stage(c.decision, "decision"), actor=u, outcome="approve", note="准予",
        today=MONDAY)),
    "reviewer refuses at decision": ("reviewer", lambda c, u: workflow.stage_complete(
        stage=_stage(c.decision, "decision"), actor=u, outcome="refuse", note="不予",
        today=MONDAY)),
    "enterprise suspends": ("enterprise", lambda c, u: workflow.application_suspend(
        application=c.review, actor=u, reason="中止", today=MONDAY)),
    "approver terminates": ("approver", lambda c, u: workflow.application_terminate(
        application=c.review, actor=u, reason="终止", today=MONDAY)),
    "reviewer extends": ("reviewer", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u, days=5, reason="延期")),
    "inspector reassigns": ("inspector", lambda c, u: workflow.stage_reassign(
        stage=_stage(c.review, "qms_verification"), actor=u, assignee=u)),
    "director extends": ("director", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u, days=5, reason="延期")),
    "reviewer starts testing": ("reviewer", lambda c, u: workflow.stage_start(
        stage=_stage(c.testing, "testing"), actor=u, today=MONDAY)),
    # The industry officer only reads (docs/security.md#who-reads-what).
    "officer creates": ("officer", lambda c, u: workflow.application_create(
        enterprise=c.review.enterprise, product_name="x", device_class="II", category="passive",
        application_type="first", actor=u, today=MONDAY)),
    "officer submits": ("officer", lambda c, u: workflow.application_submit(
        application=c.draft, actor=u, today=MONDAY)),
    "officer withdraws": ("officer", lambda c, u: workflow.application_withdraw(
        application=c.review, actor=u, reason="撤回", today=MONDAY)),
    "officer completes a stage": ("officer", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "qms_verification"), actor=u, outcome="passed", note="通过",
        today=MONDAY)),
    "officer requests a supplement": ("officer", lambda c, u: workflow.stage_request_supplement(
        stage=_stage(c.review, "technical_review"), actor=u, items=["资料"], today=MONDAY)),
    "officer pauses": ("officer", lambda c, u: workflow.stage_pause(
        stage=_stage(c.review, "technical_review"), actor=u, reason="expert", note="x",
        today=MONDAY)),
    "officer answers a supplement": ("officer", lambda c, u: workflow.stage_answer(
        stage=_stage(c.supplement, "technical_review"), actor=u, document_count=1, response="x", today=MONDAY)),
    "officer suspends": ("officer", lambda c, u: workflow.application_suspend(
        application=c.review, actor=u, reason="中止", today=MONDAY)),
    "officer extends": ("officer", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u, days=5, reason="延期")),
}


@pytest.mark.parametrize(("role", "command"), REFUSED.values(), ids=REFUSED.keys())
def test_a_role_cannot_do_another_roles_action(users, case, role, command):
    exc = run_refused(case, command, getattr(users, role))
    assert isinstance(exc, PermissionDenied)
    assert (exc.status, exc.code) == (403, "permission_denied")


def test_an_intent_for_another_enterprise_is_refused_and_not_stored(users):
    count = Application.objects.count()
    with pytest.raises(PermissionDenied):
        workflow.application_create(
            enterprise=users.enterprise_obj, product_name="别人的产品", device_class="II",
            category="passive", application_type="first", actor=users.other_enterprise,
            today=MONDAY)
    assert Application.objects.count() == count
    assert TransitionLog.objects.count() == 0


def test_the_acceptance_officer_may_file_on_paper_for_an_enterprise(users):
    app = workflow.application_create(
        enterprise=users.enterprise_obj, product_name="纸质申请", device_class="II",
        category="passive", application_type="first", actor=users.acceptance, today=MONDAY)
    workflow.application_submit(application=app, actor=users.acceptance, today=MONDAY)
    assert app.state == "acceptance"


def test_the_owner_and_a_supervisor_may_withdraw(users, reviewing):
    own, paper = reviewing(), reviewing()
    workflow.application_withdraw(application=own, actor=users.enterprise, reason="撤回", today=MONDAY)
    workflow.application_withdraw(application=paper, actor=users.supervisor, reason="书面撤回",
                                  today=MONDAY)
    assert own.state == paper.state == "withdrawn"


def test_the_owner_answers_its_supplement(users, case):
    workflow.stage_answer(stage=stage_of(case.supplement, "technical_review"), actor=users.enterprise,
                          document_count=1, response="已补正", today=MONDAY)
    assert stage_of(case.supplement, "technical_review").state == "running"


# --- not possible now (409) ------------------------------------------------------------------
NOT_NOW = {
    "complete a pending stage": lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "decision"), actor=u.approver, outcome="approve", note="准予",
        today=MONDAY),
    "complete a finished stage": lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "acceptance"), actor=u.acceptance, outcome="accepted",
        today=MONDAY),
    "complete a paused stage": lambda c, u: workflow.stage_complete(
        stage=_stage(c.supplement, "technical_review"), actor=u.reviewer, outcome="approve",
        note="同意", today=MONDAY),
    "submit twice": lambda c, u: workflow.application_submit(
        application=c.review, actor=u.enterprise, today=MONDAY),
    "start a stage of a later phase": lambda c, u: workflow.stage_start(
        stage=_stage(c.review, "decision"), actor=u.approver, today=MONDAY),
    "start a running stage": lambda c, u: workflow.stage_start(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, today=MONDAY),
    "resume a running stage": lambda c, u: workflow.stage_resume(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, today=MONDAY),
    "pause a paused stage": lambda c, u: workflow.stage_pause(
        stage=_stage(c.expert, "technical_review"), actor=u.reviewer, reason="hearing",
        note="听证", today=MONDAY),
    "second supplement while the first is open": lambda c, u: workflow.stage_request_supplement(
        stage=_stage(c.supplement, "technical_review"), actor=u.reviewer, items=["再补"],
        today=MONDAY),
    "suspend a draft": lambda c, u: workflow.application_suspend(
        application=c.draft, actor=u.supervisor, reason="中止", today=MONDAY),
    "resume a case that is not suspended": lambda c, u: workflow.application_resume(
        application=c.review, actor=u.supervisor, today=MONDAY),
    "terminate a draft": lambda c, u: workflow.application_terminate(
        application=c.draft, actor=u.supervisor, reason="终止", today=MONDAY),
    "extend a finished stage": lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "acceptance"), actor=u.supervisor, days=1, reason="延期"),
    "reassign a finished stage": lambda c, u: workflow.stage_reassign(
        stage=_stage(c.review, "acceptance"), actor=u.supervisor, assignee=u.acceptance),
}


@pytest.mark.parametrize("command", NOT_NOW.values(), ids=NOT_NOW.keys())
def test_a_transition_not_possible_now_is_refused_with_409(users, case, command):
    exc = run_refused(case, command, users)
    assert isinstance(exc, NotAllowedNow)
    assert (exc.status, exc.code) == (409, "not_allowed_now")


def test_a_closed_case_refuses_everything(users, reviewing):
    app = reviewing()
    workflow.application_withdraw(application=app, actor=users.enterprise, reason="撤回", today=MONDAY)
    before = snapshot()
    for command in (
        lambda: workflow.application_withdraw(application=app, actor=users.enterprise,
                                              reason="再撤回", today=MONDAY),
        lambda: workflow.application_suspend(application=app, actor=users.supervisor,
                                             reason="中止", today=MONDAY),
        lambda: workflow.application_terminate(application=app, actor=users.supervisor,
                                               reason="终止", today=MONDAY),
        lambda: workflow.stage_complete(stage=stage_of(app, "technical_review"),
                                        actor=users.reviewer, outcome="approve", note="同意",
                                        today=MONDAY),
    ):
        with pytest.raises(NotAllowedNow):
            command()
    assert snapshot() == before


def test_while_suspended_stages_neither_start_nor_complete(users, make_application):
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.application_suspend(application=app, actor=users.supervisor, reason="中止",
                                 today=MONDAY)
    before = snapshot()
    with pytest.raises(NotAllowedNow):
        workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    assert snapshot() == before


# --- invalid input (400) ---------------------------------------------------------------------
def _create(users, **kwargs):
    fields = {"enterprise": users.enterprise_obj, "product_name": "注射器", "device_class": "II",
              "category": "passive", "application_type": "first", "actor": users.enterprise,
              "today": MONDAY, **kwargs}
    return workflow.application_create(**fields)


INVALID = {
    "empty product name": ("product_name", lambda c, u: _create(u, product_name="")),
    "blank product name": ("product_name", lambda c, u: _create(u, product_name="   ")),
    "unknown device class": ("device_class", lambda c, u: _create(u, device_class="IV")),
    "unknown category": ("category", lambda c, u: _create(u, category="implant")),
    "unknown application type": ("application_type", lambda c, u: _create(
        u, application_type="import")),
    "unknown pathway": ("pathway", lambda c, u: _create(u, pathway="fast")),
    "missing opinion": ("note", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, outcome="approve",
        note="  ", today=MONDAY)),
    "missing inspection result": ("note", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "qms_verification"), actor=u.inspector, outcome="passed",
        today=MONDAY)),
    "outcome not for this stage": ("outcome", lambda c, u: workflow.stage_complete(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, outcome="issued",
        note="x", today=MONDAY)),
    "missing supplement items": ("items", lambda c, u: workflow.stage_request_supplement(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, items=[], today=MONDAY)),
    "missing rectification items": ("items", lambda c, u: workflow.stage_request_rectification(
        stage=_stage(c.review, "qms_verification"), actor=u.inspector, items="", today=MONDAY)),
    "missing supplement answer": ("response", lambda c, u: workflow.stage_answer(
        stage=_stage(c.supplement, "technical_review"), actor=u.enterprise, document_count=1, response=" ",
        today=MONDAY)),
    "zero extension days": ("days", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u.supervisor, days=0, reason="延期")),
    "negative extension days": ("days", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u.supervisor, days=-5, reason="延期")),
    "extension days not a number": ("days", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u.supervisor, days="十", reason="延期")),
    "extension without reason": ("reason", lambda c, u: workflow.stage_extend(
        stage=_stage(c.review, "technical_review"), actor=u.supervisor, days=5, reason="")),
    "withdrawal without reason": ("reason", lambda c, u: workflow.application_withdraw(
        application=c.review, actor=u.enterprise, reason="", today=MONDAY)),
    "suspension without reason": ("reason", lambda c, u: workflow.application_suspend(
        application=c.review, actor=u.supervisor, reason=" ", today=MONDAY)),
    "pause for a reason with its own command": ("reason", lambda c, u: workflow.stage_pause(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, reason="supplement",
        note="x", today=MONDAY)),
    "pause without note": ("note", lambda c, u: workflow.stage_pause(
        stage=_stage(c.review, "technical_review"), actor=u.reviewer, reason="expert", note="",
        today=MONDAY)),
    "assignee of another role": ("assignee", lambda c, u: workflow.stage_reassign(
        stage=_stage(c.review, "technical_review"), actor=u.supervisor, assignee=u.inspector)),
}


@pytest.mark.parametrize(("field", "command"), INVALID.values(), ids=INVALID.keys())
def test_bad_input_is_refused_with_400_naming_the_field(users, case, field, command):
    exc = run_refused(case, command, users)
    assert isinstance(exc, InvalidInput)
    assert (exc.status, exc.code) == (400, "invalid")
    assert exc.extra["field"] == field
    assert exc.as_dict()["field"] == field
    assert str(exc)  # a message for the user, not only a code


def test_missing_issuance_number_is_refused(users, reviewing):
    app = reviewing()
    for kind, actor, outcome in (("technical_review", users.reviewer, "approve"),
                                 ("qms_verification", users.inspector, "passed"),
                                 ("decision", users.approver, "approve")):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, outcome=outcome, note="同意",
                                today=MONDAY)
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver,
                                outcome="issued", reference=" ", today=MONDAY)
    assert exc.value.extra == {"field": "reference"}
    assert snapshot() == before
    app.refresh_from_db()
    assert (app.state, app.certificate_number) == ("issuance", "")


def test_a_stage_of_another_case_is_refused(users, reviewing):
    app, other = reviewing(), reviewing()
    stranger = stage_of(other, "technical_review")
    stranger.application = app  # a tampered form: the stage of one case posted against another
    before = snapshot()
    with pytest.raises(InvalidInput):
        workflow.stage_complete(stage=stranger, actor=users.reviewer, outcome="approve",
                                note="同意", today=MONDAY)
    assert snapshot() == before
