"""Two-character search words: a GIN index of each searched column's character bigrams.

``pg_trgm`` (migration 0015) finds a word of three characters or more; a two-character word, the
usual length of a Chinese search term (血糖, 导管), has no trigram, so ``LIKE '%血糖%'`` scanned
every case (450 ms at 100,000). Here a plain SQL function, ``review_bigrams(text)``, returns the
pairs of adjacent characters of a text (GIN keeps each key once), and a GIN index over the bigrams of each
upper-cased searched column answers "contains this pair" (``@>``) from the index
(``review.selectors_cases.application_search``). Stock PostgreSQL, no extension; on SQLite
(``make demo``) this step does nothing and the search is the plain ``icontains``.
"""

from django.db import migrations

BIGRAM_INDEXES = [  # (index, table, column): the columns the case search reads (as in 0015)
    ("application_reference_bigram", "review_application", "reference"),
    ("application_product_bigram", "review_application", "product_name"),
    ("enterprise_name_bigram", "review_enterprise", "name"),
    ("enterprise_credit_code_bigram", "review_enterprise", "credit_code"),
]

FUNCTION = """
CREATE OR REPLACE FUNCTION review_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i)
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table, column in BIGRAM_INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                              f'USING gin (review_bigrams(UPPER("{column}"::text)))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in BIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS review_bigrams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0034_stage_handover_days_law"),
    ]

    operations = [migrations.RunPython(create, drop)]
