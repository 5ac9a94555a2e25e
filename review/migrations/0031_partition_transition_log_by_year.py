"""PostgreSQL: the transition log becomes a table partitioned by the year of ``at`` in the
office's time zone (review/partitions.py, docs/deployment.md#yearly-partitions).

Every row keeps its id and values, so every case's hash chain verifies as before
(``manage.py verify_log``); the append-only trigger, the foreign keys and the indexes (the state
trigger's ``(application_id, xact)`` too) are recreated on the partitioned table under their
names and reach every partition. Reversible (the reverse makes one plain table again). SQLite
(the demo): nothing.
"""

from django.db import migrations

from review.partitions import partition_by_year, unpartition

TABLE = "review_transitionlog"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partition_by_year(cursor, TABLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            unpartition(cursor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("review", "0030_office_reassign_log_action")]

    operations = [migrations.RunPython(forwards, backwards)]
