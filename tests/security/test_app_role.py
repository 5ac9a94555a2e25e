"""Production's database role owns nothing: it cannot rewrite or erase the log, while
the application's own work goes on as usual under it (PostgreSQL)."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from review.models import TransitionLog
from services import workflow
from tests.conftest import MONDAY

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles: PostgreSQL only")

ATTACKS = [
    "UPDATE review_transitionlog SET reason = 'x'",
    "DELETE FROM review_transitionlog",
    "TRUNCATE review_transitionlog CASCADE",
    "ALTER TABLE review_transitionlog DISABLE TRIGGER review_transitionlog_append_only",
    "ALTER TABLE review_transitionlog DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "DROP TABLE review_transitionlog CASCADE",
    # its yearly partitions (review/partitions.py), reached directly
    "UPDATE review_transitionlog_default SET reason = 'x'",
    "DELETE FROM review_transitionlog_default",
    "TRUNCATE review_transitionlog_default",
    "ALTER TABLE review_transitionlog DETACH PARTITION review_transitionlog_default",
    "DROP TABLE review_transitionlog_default",
]


@pytest.fixture
def app_role(db):
    """A fresh role granted by the command; created inside the test's transaction, so it goes
    away with the rollback (roles are cluster-wide)."""
    role = f"review_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_app_role", role, stdout=StringIO())
    return role


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_app_role_cannot_rewrite_or_erase_the_log(users, make_application, app_role, attack):
    make_application(today=MONDAY)
    before = TransitionLog.objects.count()
    with pytest.raises(DatabaseError, match="permission denied|must be owner|must be superuser|"
                                            "append-only|not permitted|privilege"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
            cursor.execute(attack)
    assert TransitionLog.objects.count() == before


def test_the_application_works_under_the_app_role(users, make_application, app_role):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        app = make_application(today=MONDAY)
        workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
    assert app.state != "draft" and TransitionLog.objects.filter(application=app).count() > 2


def test_the_deadline_sweep_works_under_the_app_role(users, reviewing, app_role):
    """The sweep writes its deliveries through a temporary table: the role may create one, even
    where PUBLIC may not."""
    import datetime as dt

    from notifications.models import Delivery
    from notifications.sweep import deadlines_sweep
    from tests.conftest import stage_of

    stage = stage_of(reviewing(), "technical_review")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        cursor.execute(f'REVOKE TEMPORARY ON DATABASE "{cursor.fetchone()[0]}" FROM PUBLIC')
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'SET LOCAL ROLE "{app_role}"')
            result = deadlines_sweep(today=stage.statutory_due + dt.timedelta(days=1))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            cursor.execute(f'GRANT TEMPORARY ON DATABASE "{cursor.fetchone()[0]}" TO PUBLIC')
    assert result.deliveries >= 3 and Delivery.objects.count() == result.deliveries


def test_grant_refuses_a_role_that_owns_the_tables(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'review_transitionlog'")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="owns tables"):
        call_command("grant_app_role", owner, stdout=StringIO())
