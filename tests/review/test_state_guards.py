"""State fields and the transition log cannot be written around the services.

State: the FSM fields are protected (no assignment on a loaded instance) and the querysets refuse
bulk writes of ``state``. Log: append-only in the ORM, and on PostgreSQL in the database itself
(a trigger), so even raw SQL cannot rewrite history.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from review.models import Application, Stage, StateWriteError, TransitionLog
from services import workflow
from tests.conftest import MONDAY, stage_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    app.refresh_from_db()
    return app


def stored_state(model, pk):
    return model.objects.filter(pk=pk).values_list("state", flat=True).get()


# --- state fields ----------------------------------------------------------------------------
def test_assigning_the_case_state_is_refused(app):
    with pytest.raises(AttributeError):
        app.state = "approved"
    assert app.state == "acceptance"
    loaded = Application.objects.get(pk=app.pk)
    with pytest.raises(AttributeError):
        loaded.state = "approved"


def test_assigning_a_stage_state_is_refused(app):
    stage = stage_of(app, "acceptance")
    with pytest.raises(AttributeError):
        stage.state = "done"
    assert stored_state(Stage, stage.pk) == "running"


def test_queryset_update_of_the_case_state_is_refused(app):
    with pytest.raises(StateWriteError):
        Application.objects.filter(pk=app.pk).update(state="approved")
    with pytest.raises(StateWriteError):
        Application.objects.all().update(state="approved", product_name="x")
    assert stored_state(Application, app.pk) == "acceptance"
    # Other fields stay writable in bulk.
    assert Application.objects.filter(pk=app.pk).update(product_name="改名") == 1


def test_queryset_update_of_a_stage_state_is_refused(app):
    with pytest.raises(StateWriteError):
        Stage.objects.filter(application=app).update(state="done")
    with pytest.raises(StateWriteError):
        app.stages.update(state="done")  # related managers share the guard
    assert stored_state(Stage, stage_of(app, "acceptance").pk) == "running"


def test_bulk_update_of_state_is_refused(app):
    stages = list(app.stages.all())
    with pytest.raises(StateWriteError):
        Stage.objects.bulk_update(stages, ["state"])
    with pytest.raises(StateWriteError):
        Application.objects.bulk_update([app], ["product_name", "state"])
    assert Stage.objects.bulk_update(stages, ["skip_reason"]) == len(stages)


def test_update_or_create_cannot_set_the_state_of_an_existing_case(app):
    with pytest.raises(AttributeError):
        Application.objects.update_or_create(pk=app.pk, defaults={"state": "approved"})
    assert stored_state(Application, app.pk) == "acceptance"


# --- transition log --------------------------------------------------------------------------
def test_a_log_row_cannot_be_saved_again(app):
    row = TransitionLog.objects.filter(application=app).first()
    row.reason = "rewritten"
    with pytest.raises(StateWriteError):
        row.save()
    with pytest.raises(StateWriteError):
        row.save(update_fields=["reason"])
    assert TransitionLog.objects.get(pk=row.pk).reason == ""


def test_a_log_row_cannot_be_deleted(app):
    row = TransitionLog.objects.filter(application=app).first()
    with pytest.raises(StateWriteError):
        row.delete()
    assert TransitionLog.objects.filter(pk=row.pk).exists()


def test_log_querysets_refuse_update_and_delete(app):
    count = TransitionLog.objects.count()
    with pytest.raises(StateWriteError):
        TransitionLog.objects.filter(application=app).update(reason="rewritten")
    with pytest.raises(StateWriteError):
        TransitionLog.objects.filter(application=app).delete()
    with pytest.raises(StateWriteError):
        TransitionLog.objects.all().delete()
    rows = list(TransitionLog.objects.all())
    # bulk_update fails inside its own atomic block: a savepoint keeps the test's usable.
    with pytest.raises(StateWriteError), transaction.atomic():
        TransitionLog.objects.bulk_update(rows, ["reason"])
    assert TransitionLog.objects.count() == count
    assert not TransitionLog.objects.filter(reason="rewritten").exists()


def test_a_case_with_history_cannot_be_deleted(app):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Application.objects.get(pk=app.pk).delete()
    assert TransitionLog.objects.filter(application=app).exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE review_transitionlog SET reason = 'rewritten' WHERE application_id = %s",
        "DELETE FROM review_transitionlog WHERE application_id = %s",
    ],
    ids=["update", "delete"],
)
def test_raw_sql_cannot_rewrite_the_log_on_postgresql(app, sql):
    count = TransitionLog.objects.filter(application=app).count()
    assert count > 0
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [app.pk])
    assert TransitionLog.objects.filter(application=app).count() == count
    assert not TransitionLog.objects.filter(reason="rewritten").exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the append-only trigger exists on PostgreSQL only")
def test_raw_sql_can_still_append_to_the_log_on_postgresql(app):
    """The trigger refuses changes, not new rows: the services keep working."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO review_transitionlog (application_id, action, from_state, to_state, at, "
            "reason, details, for_applicant) VALUES (%s, 'note', '', '', now(), '', '{}', true)",
            [app.pk])
    assert TransitionLog.objects.filter(application=app, action="note").exists()
