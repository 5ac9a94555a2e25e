"""Two people acting on the same case at once: one wins, the other is told to reload.

The threaded races need real row locks and concurrent connections, so they run on PostgreSQL
only (CI always does); the sequential stale-instance tests run everywhere. Threaded tests use
``transaction=True`` (each thread commits on its own connection) with ``serialized_rollback`` so
the reference data the migrations seeded (groups, routes, packs, calendar) is restored for them.
"""

import threading

import pytest
from django.db import connection
from django.utils import translation

from review.exceptions import Conflict
from review.models import Application, Stage, TransitionLog
from services import workflow
from tests.conftest import MONDAY, log_of, stage_of

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent connections: PostgreSQL only (SQLite serialises writers)",
)
threaded_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(*commands):
    """Run each command in its own thread, released together; return what each returned or raised.

    Every thread closes its own database connection, or the test database could not be dropped.
    """
    barrier = threading.Barrier(len(commands))
    results = [None] * len(commands)
    language = translation.get_language()  # the active language is per thread

    def run(i, command):
        try:
            translation.activate(language)
            barrier.wait(timeout=10)
            results[i] = command()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(commands)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


def assert_conflict(exc):
    assert isinstance(exc, Conflict), exc
    assert (exc.status, exc.code) == (409, "conflict")
    assert "reload" in str(exc).lower()


def stale_stage(app, kind):
    """The stage with its own copy of the case, as a form opened earlier would hold it."""
    return Stage.objects.select_related("application").get(application=app, kind=kind)


# --- threaded races (PostgreSQL) -------------------------------------------------------------
@postgresql_only
@threaded_db
def test_two_officers_accept_the_same_case_at_once(users, make_application, english):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    first, second = stale_stage(app, "acceptance"), stale_stage(app, "acceptance")
    results = race(
        lambda: workflow.stage_complete(stage=first, actor=users.acceptance, outcome="accepted",
                                        today=MONDAY),
        lambda: workflow.stage_complete(stage=second, actor=users.acceptance, outcome="accepted",
                                        today=MONDAY),
    )
    winners = [r for r in results if isinstance(r, Stage)]
    losers = [r for r in results if not isinstance(r, Stage)]
    assert len(winners) == len(losers) == 1
    assert_conflict(losers[0])
    app.refresh_from_db()
    assert app.state == "review"
    assert log_of(app, action="stage_complete") == [
        ("stage_complete", "acceptance", "running", "done")]
    assert len(log_of(app, action="advance")) == 1
    assert Stage.objects.filter(application=app, state="running").count() == 2  # review + QMS


@postgresql_only
@threaded_db
def test_two_withdrawals_at_once(users, make_application, english):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    first, second = Application.objects.get(pk=app.pk), Application.objects.get(pk=app.pk)
    results = race(
        lambda: workflow.application_withdraw(application=first, actor=users.enterprise,
                                              reason="撤回", today=MONDAY),
        lambda: workflow.application_withdraw(application=second, actor=users.supervisor,
                                              reason="书面撤回", today=MONDAY),
    )
    assert sum(isinstance(r, Application) for r in results) == 1
    assert_conflict(next(r for r in results if not isinstance(r, Application)))
    app.refresh_from_db()
    assert app.state == "withdrawn"
    assert len(log_of(app, action="withdraw")) == 1
    assert len(log_of(app, action="stage_cancel")) == 5  # each open stage cancelled once


@postgresql_only
@threaded_db
def test_the_join_opens_the_decision_exactly_once(users, reviewing):
    """Both parallel branches finish at the same moment: the decision opens once.

    Each thread holds its own copy of the case; the case row lock serialises the two commands,
    so the later one sees the earlier one's branch done. Under optimistic locking the later one
    may instead be told to reload (its copy is stale): it then reloads and completes, as a user
    would. Either way the join runs once.
    """
    app = reviewing()
    review, qms = stale_stage(app, "technical_review"), stale_stage(app, "qms_verification")

    def finish(stage, actor, outcome, note):
        try:
            return workflow.stage_complete(stage=stage, actor=actor, outcome=outcome, note=note,
                                           today=MONDAY)
        except Conflict:
            fresh = stale_stage(app, stage.kind)
            return workflow.stage_complete(stage=fresh, actor=actor, outcome=outcome, note=note,
                                           today=MONDAY)

    results = race(
        lambda: finish(review, users.reviewer, "approve", "同意"),
        lambda: finish(qms, users.inspector, "passed", "通过"),
    )
    assert all(isinstance(r, Stage) for r in results), results
    app.refresh_from_db()
    assert app.state == "decision"
    assert log_of(app, action="advance") == [
        ("advance", "", "acceptance", "review"), ("advance", "", "review", "decision")]
    assert log_of(app, action="stage_start")[-1] == ("stage_start", "decision", "pending", "running")
    assert len(log_of(app, action="stage_start")) == 4  # acceptance, review, QMS, decision
    assert stage_of(app, "decision").state == "running"


# --- stale instances, one after the other (every database) -----------------------------------
@pytest.mark.django_db
def test_a_stale_acceptance_is_refused(users, make_application, english):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    first, second = stale_stage(app, "acceptance"), stale_stage(app, "acceptance")
    workflow.stage_complete(stage=first, actor=users.acceptance, outcome="accepted", today=MONDAY)
    rows = TransitionLog.objects.count()
    with pytest.raises(Conflict) as exc:
        workflow.stage_complete(stage=second, actor=users.acceptance, outcome="accepted",
                                today=MONDAY)
    assert_conflict(exc.value)
    # Stage commands judge staleness on the stage itself (see services.workflow.core.locked_stage).
    assert exc.value.extra == {"version": stale_stage(app, "acceptance").version}
    assert TransitionLog.objects.count() == rows
    assert len(log_of(app, action="stage_complete")) == 1


@pytest.mark.django_db
def test_a_stale_withdrawal_is_refused(users, make_application, english):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    first, second = Application.objects.get(pk=app.pk), Application.objects.get(pk=app.pk)
    workflow.application_withdraw(application=first, actor=users.enterprise, reason="撤回",
                                  today=MONDAY)
    assert first.state == "withdrawn"  # the caller's instance is refreshed
    version = first.version
    with pytest.raises(Conflict) as exc:
        workflow.application_withdraw(application=second, actor=users.enterprise, reason="撤回",
                                      today=MONDAY)
    assert_conflict(exc.value)
    assert second.state == "acceptance"  # untouched: the caller reloads
    assert Application.objects.get(pk=app.pk).version == version
    assert len(log_of(app, action="withdraw")) == 1


@pytest.mark.django_db
def test_a_stale_form_version_is_refused(users, reviewing, english):
    """An admin or API form posts the version of the stage it was rendered with."""
    app = reviewing()
    rendered = stage_of(app, "technical_review").version
    workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor, days=5,
                          reason="延期", expected_version=rendered)
    with pytest.raises(Conflict):
        workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                              days=5, reason="再延期", expected_version=rendered)
    assert stage_of(app, "technical_review").extension_days == 5
    assert len(log_of(app, action="extend")) == 1
