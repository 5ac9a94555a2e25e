"""Faults on the real database: the connection dies in the middle of a transition,
after the stage and its log row were written but before the case moved on. Nothing of it may
remain: PostgreSQL rolls the whole transaction back, and the next request works normally."""

import psycopg
import pytest
from django.db import OperationalError, connection

from review.models import Application, Stage, TransitionLog
from services import workflow
from services.workflow import stages as stage_commands
from tests.conftest import MONDAY, stage_of

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a real PostgreSQL backend"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _kill_own_backend():
    """From a second, independent connection, as an operator or a network failure would."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
                         port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None,
                         autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_connection_dropped_mid_transition_leaves_nothing_half_written(users, make_application, monkeypatch):
    app = make_application(today=MONDAY)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    app.refresh_from_db()
    before = (app.state, app.version, TransitionLog.objects.count(),
              list(Stage.objects.filter(application=app).order_by("id").values_list("state", "version")))
    original = stage_commands.after_stage_final

    def dies_half_way(*args, **kwargs):
        _kill_own_backend()  # the stage is done and logged in this transaction; the case not yet moved
        return original(*args, **kwargs)

    monkeypatch.setattr(stage_commands, "after_stage_final", dies_half_way)
    with pytest.raises(OperationalError):
        workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                outcome="accepted", today=MONDAY)
    connection.close()  # the next use reconnects, as the next request would
    monkeypatch.setattr(stage_commands, "after_stage_final", original)

    app.refresh_from_db()
    after = (app.state, app.version, TransitionLog.objects.count(),
             list(Stage.objects.filter(application=app).order_by("id").values_list("state", "version")))
    assert after == before
    # And the same command succeeds on the new connection.
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=MONDAY)
    assert Application.objects.get(pk=app.pk).state == "review"
