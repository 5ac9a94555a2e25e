"""Issued notices are immutable in the database too, not only in the ORM (PostgreSQL), like the
transition log (review 0003): a row trigger refuses UPDATE and DELETE. SQLite (demo) relies on
the model and queryset guards."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION notices_notice_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'notices_notice is immutable (% refused); issue a correction', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notices_notice_immutable
    BEFORE UPDATE OR DELETE ON notices_notice
    FOR EACH ROW EXECUTE FUNCTION notices_notice_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS notices_notice_immutable ON notices_notice;
DROP FUNCTION IF EXISTS notices_notice_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
