"""The transition log is append-only in the database too, not only in the ORM (PostgreSQL).

A row-level trigger refuses UPDATE and DELETE. TRUNCATE (used by test teardown and by a full
restore) is not a row operation and stays possible for the database owner. SQLite, the demo
default, relies on the model and queryset guards only.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION review_transitionlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'review_transitionlog is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_transitionlog_append_only
    BEFORE UPDATE OR DELETE ON review_transitionlog
    FOR EACH ROW EXECUTE FUNCTION review_transitionlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS review_transitionlog_append_only ON review_transitionlog;
DROP FUNCTION IF EXISTS review_transitionlog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("review", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
