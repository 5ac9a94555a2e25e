"""A case's state changes only with a log row in the same transaction (PostgreSQL; docs/security.md#the-log-cannot-be-changed-unseen).

The application's role may UPDATE cases (it must, to run the workflow), so until now it could
also set ``state`` with plain SQL and leave no row in the log. Now:

- every log row records the transaction that wrote it (``xact``, ``txid_current()``, the
  top-level transaction's id even inside a savepoint); the model does not know the column, so
  Django never writes it and the default always does;
- a constraint trigger, deferred to the commit, refuses a change of ``review_application.state``
  unless the same transaction wrote a log row for that case. Only the table's owner can drop or
  disable it; the application's role cannot (docs/security.md#the-log-cannot-be-changed-unseen).

SQLite (the demo) relies on the services and the queryset guards only.
"""

from django.db import migrations

CREATE = """
ALTER TABLE review_transitionlog ADD COLUMN IF NOT EXISTS xact bigint NOT NULL DEFAULT txid_current();
CREATE INDEX IF NOT EXISTS review_transitionlog_xact ON review_transitionlog (application_id, xact);
CREATE OR REPLACE FUNCTION review_application_state_logged() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM review_transitionlog
                   WHERE application_id = NEW.id AND xact = txid_current()) THEN
        RAISE EXCEPTION 'case % changed state (% -> %) without a log row in the same transaction',
            NEW.id, OLD.state, NEW.state USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS review_application_state_logged ON review_application;
CREATE CONSTRAINT TRIGGER review_application_state_logged
    AFTER UPDATE OF state ON review_application
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION review_application_state_logged();
"""
DROP = """
DROP TRIGGER IF EXISTS review_application_state_logged ON review_application;
DROP FUNCTION IF EXISTS review_application_state_logged();
DROP INDEX IF EXISTS review_transitionlog_xact;
ALTER TABLE review_transitionlog DROP COLUMN IF EXISTS xact;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("review", "0027_route_active_tests")]

    operations = [migrations.RunPython(forwards, backwards)]
