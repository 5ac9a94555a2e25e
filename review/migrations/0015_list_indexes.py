"""List and search indexes.

- ``application_created_idx``: the lists' order (newest first), on every database.
- ``stage_running_deadlines_idx``: running stages' deadlines per case (overdue filter, next
  deadlines), partial, on every database; ``stage_overdue_running_idx``: the admin's overdue
  filter (the sweep's flag), partial.
- On PostgreSQL only, trigram GIN indexes (``pg_trgm``) on the upper-cased text the case search
  compares (Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%word%')``): reference and
  product of the case, name and credit code of the enterprise. They let ``LIKE '%...%'`` use an
  index instead of scanning every case. On SQLite (``make demo``) this step does nothing.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = [  # (index, table, column)
    ("application_reference_trgm", "review_application", "reference"),
    ("application_product_trgm", "review_application", "product_name"),
    ("enterprise_name_trgm", "review_enterprise", "name"),
    ("enterprise_credit_code_trgm", "review_enterprise", "credit_code"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0014_orderings_without_joins"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["created_at", "id"], name="application_created_idx"),
        ),
        migrations.AddIndex(
            model_name="stage",
            index=models.Index(condition=models.Q(("state", "running")),
                               fields=["application", "target_due", "statutory_due", "statutory_reference"],
                               name="stage_running_deadlines_idx"),
        ),
        migrations.AddIndex(
            model_name="stage",
            index=models.Index(condition=models.Q(("overdue", True), ("state", "running")),
                               fields=["application"], name="stage_overdue_running_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
