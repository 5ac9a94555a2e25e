"""Random sequences of workflow commands on one case, checking invariants after every step
(hypothesis stateful testing).

Each example drives a fresh Class II first registration through a random mix of pauses
(expert, supplement), answers, resumptions, extensions, completions (with any outcome, valid or
not), suspensions and withdrawals, by the right and the wrong people, on random working days.
A refused command (409/403/400) must leave nothing written; every command must keep:

- the case's state consistent with its stages (closed cases have no running or paused stage;
  a suspended one has none running; an open phase has something in hand);
- one log row per state change of the case and of each stage, and an intact hash chain;
- every running stage with a deadline (target or statutory), and no stage paused without an
  open clock stop (nor an open stop on a stage that is not paused).
"""

import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from review import logchain
from review.exceptions import ApplicationError
from review.models import Application, ClockStop, Stage, TransitionLog
from review.models.enums import CLOSED_STATES, StageState
from services import workflow
from tests.conftest import MONDAY

KINDS = ["acceptance", "technical_review", "qms_verification", "decision", "issuance"]
ROLES = ["enterprise", "acceptance", "reviewer", "inspector", "approver", "supervisor", "officer"]
OUTCOMES = ["accepted", "approve", "refuse", "passed", "failed", "issued", "closed"]


class CaseMachine(RuleBasedStateMachine):
    users = None  # set by the test (pytest fixtures cannot reach a state machine's __init__)

    @initialize()
    def file_the_case(self):
        self.day = MONDAY
        self.app = workflow.application_create(
            enterprise=self.users.enterprise_obj, product_name="一次性使用无菌注射器", device_class="II",
            category="passive", application_type="first", actor=self.users.enterprise, today=self.day)
        workflow.application_submit(application=self.app, actor=self.users.enterprise, today=self.day)
        self.states = self._snapshot()
        self.first_row = TransitionLog.objects.filter(application=self.app).order_by("-id").first().pk
        self.changes = 0
        self.refused = 0

    # --- helpers ---------------------------------------------------------------------------
    def _snapshot(self):
        return (self.app.state, {s.pk: s.state for s in Stage.objects.filter(application=self.app)})

    def _stage(self, kind):
        return Stage.objects.filter(application=self.app, kind=kind).first()

    def _run(self, command):
        """Run a command; a refusal must change nothing. Count state changes it made."""
        before_log = TransitionLog.objects.filter(application=self.app).count()
        before_version = Application.objects.get(pk=self.app.pk).version
        before_states = self._snapshot()
        try:
            command()
        except ApplicationError:
            self.refused += 1
            assert TransitionLog.objects.filter(application=self.app).count() == before_log
            assert Application.objects.get(pk=self.app.pk).version == before_version
            assert self._snapshot() == before_states
        self.app.refresh_from_db()
        after = self._snapshot()
        self.changes += (after[0] != before_states[0]) + sum(
            1 for pk, state in after[1].items() if before_states[1].get(pk) != state)

    def _advance(self, days):
        self.day += dt.timedelta(days=days)
        while self.day.weekday() >= 5:
            self.day += dt.timedelta(days=1)

    # --- rules -----------------------------------------------------------------------------
    @rule(kind=st.sampled_from(KINDS), outcome=st.sampled_from(OUTCOMES), role=st.sampled_from(ROLES),
          days=st.integers(0, 20))
    def complete(self, kind, outcome, role, days):
        self._advance(days)
        stage = self._stage(kind)
        if stage is not None:
            self._run(lambda: workflow.stage_complete(
                stage=stage, actor=getattr(self.users, role), outcome=outcome, note="意见",
                reference="NO-1", today=self.day))

    @rule(kind=st.sampled_from(KINDS[1:3]), role=st.sampled_from(ROLES), reason=st.sampled_from(["expert", "hearing"]))
    def staff_pause(self, kind, role, reason):
        stage = self._stage(kind)
        if stage is not None:
            self._run(lambda: workflow.stage_pause(stage=stage, actor=getattr(self.users, role), reason=reason,
                                                   note="咨询", today=self.day))

    @rule(role=st.sampled_from(ROLES))
    def request_supplement(self, role):
        stage = self._stage("technical_review")
        if stage is not None:
            self._run(lambda: workflow.stage_request_supplement(
                stage=stage, actor=getattr(self.users, role), items=["补充资料"], today=self.day))

    @rule(kind=st.sampled_from(KINDS[:3]), role=st.sampled_from(ROLES), days=st.integers(0, 30))
    def resume(self, kind, role, days):
        self._advance(days)
        stage = self._stage(kind)
        if stage is not None:
            self._run(lambda: workflow.stage_resume(stage=stage, actor=getattr(self.users, role),
                                                    response="已补充", today=self.day))

    @rule(kind=st.sampled_from(KINDS[1:3]), days=st.integers(-2, 40), role=st.sampled_from(ROLES))
    def extend(self, kind, days, role):
        stage = self._stage(kind)
        if stage is not None:
            self._run(lambda: workflow.stage_extend(stage=stage, actor=getattr(self.users, role), days=days,
                                                    reason="专家咨询需要", today=self.day))

    @rule(role=st.sampled_from(ROLES))
    def suspend(self, role):
        self._run(lambda: workflow.application_suspend(application=self.app, actor=getattr(self.users, role),
                                                       reason="中止", today=self.day))

    @rule(role=st.sampled_from(ROLES), days=st.integers(0, 10))
    def resume_case(self, role, days):
        self._advance(days)
        self._run(lambda: workflow.application_resume(application=self.app, actor=getattr(self.users, role),
                                                      today=self.day))

    @rule(role=st.sampled_from(ROLES))
    def withdraw(self, role):
        self._run(lambda: workflow.application_withdraw(application=self.app, actor=getattr(self.users, role),
                                                        reason="撤回", today=self.day))

    # --- invariants ------------------------------------------------------------------------
    @invariant()
    def state_agrees_with_stages(self):
        stages = list(Stage.objects.filter(application=self.app))
        states = {s.state for s in stages}
        if self.app.state in CLOSED_STATES:
            assert not states & {StageState.RUNNING, StageState.PAUSED}, (self.app.state, states)
        elif self.app.state == "suspended":
            assert StageState.RUNNING not in states
        else:
            assert states & {StageState.RUNNING, StageState.PAUSED, StageState.PENDING}, (self.app.state, states)
        for s in stages:
            open_stops = ClockStop.objects.filter(stage=s, ended_on__isnull=True).count()
            assert open_stops == (1 if s.state == StageState.PAUSED else 0), (s.kind, s.state, open_stops)
            if s.state == StageState.RUNNING:
                assert s.target_due or s.statutory_due, s.kind

    @invariant()
    def one_log_row_per_state_change_and_an_intact_chain(self):
        rows = list(TransitionLog.objects.filter(application=self.app).order_by("id"))
        assert logchain.check_chain(rows) is None
        moves = [(r.action, r.from_state, r.to_state) for r in rows
                 if r.pk > self.first_row and r.from_state != r.to_state]
        assert len(moves) == self.changes, moves


@pytest.mark.django_db
def test_random_command_sequences_keep_every_invariant(users):
    CaseMachine.users = users
    runner = CaseMachine.TestCase
    runner.settings = settings(max_examples=25, stateful_step_count=15, deadline=None, database=None,
                               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    runner().runTest()
