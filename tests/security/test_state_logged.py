"""a case's state changes only with a log row in the same transaction.

The check is a constraint trigger deferred to the commit (migration 0021); ``SET CONSTRAINTS ALL
IMMEDIATE`` runs it at that point of the test's transaction, as a commit would. The cases are
committed first (a transactional test): inside one test transaction every row shares its id.
"""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from review.models import Application, TransitionLog
from services import workflow
from tests.conftest import MONDAY

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def app_role():
    """The production role's rights, granted by the command; dropped afterwards (roles are
    cluster-wide and this test commits)."""
    role = f"review_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_app_role", role, stdout=StringIO())
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _commit_checks(cursor):
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_workflow_changes_states_with_their_log_rows(users, reviewing):
    with transaction.atomic():
        app = reviewing(on=MONDAY)  # submitted, accepted: two state changes, each logged
        workflow.application_withdraw(application=app, actor=users.enterprise, reason="不再申请")
        with connection.cursor() as cursor:
            _commit_checks(cursor)
    assert Application.objects.get(pk=app.pk).state == "withdrawn"


def test_a_state_change_in_plain_sql_without_a_log_row_is_refused(users, reviewing, app_role):
    app = reviewing(on=MONDAY)
    with pytest.raises(DatabaseError, match="without a log row"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
            cursor.execute("UPDATE review_application SET state = 'approved' WHERE id = %s", [app.pk])
            _commit_checks(cursor)
    assert Application.objects.get(pk=app.pk).state == "review"


def test_a_log_row_of_an_earlier_transaction_or_another_case_does_not_count(users, reviewing, app_role):
    app, other = reviewing(on=MONDAY), reviewing(on=MONDAY)
    with pytest.raises(DatabaseError, match="without a log row"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
            workflow.log(other, action="note", actor=users.supervisor, for_applicant=False)
            cursor.execute("UPDATE review_application SET state = 'approved' WHERE id = %s", [app.pk])
            _commit_checks(cursor)
    assert Application.objects.get(pk=app.pk).state == "review"
    assert TransitionLog.objects.filter(application=app).exists()  # rows of earlier transactions


def test_the_app_role_cannot_drop_or_disable_the_check(app_role):
    for attack in ("ALTER TABLE review_application DISABLE TRIGGER review_application_state_logged",
                   "DROP TRIGGER review_application_state_logged ON review_application",
                   "ALTER TABLE review_transitionlog ALTER COLUMN xact SET DEFAULT 0"):
        with pytest.raises(DatabaseError, match="must be owner|permission denied"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'SET LOCAL ROLE "{app_role}"')
                cursor.execute(attack)
