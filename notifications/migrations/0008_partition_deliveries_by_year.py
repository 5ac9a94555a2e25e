"""PostgreSQL: the alert deliveries become a table partitioned by the year of their alert's
``raised_on`` (review/partitions.py, docs/deployment.md#yearly-partitions). Every row and id is
kept; reversible (the reverse makes one plain table again). SQLite (the demo): nothing."""

from django.db import migrations

from review.partitions import partition_by_year, unpartition

TABLE = "notifications_delivery"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partition_by_year(cursor, TABLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            unpartition(cursor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_delivery_raised_on")]

    operations = [migrations.RunPython(forwards, backwards)]
