"""PostgreSQL: the alert deliveries become a table partitioned by the year of their alert's
``raised_on`` (review/partitions.py, docs/deployment.md#yearly-partitions). Every row and id is
kept; reversible (the reverse makes one plain table again). SQLite (the demo): nothing.

The code below is a frozen copy of ``review/partitions.py`` as it was when this migration was
written (docs/architecture.md#migrations: a migration imports no project module).
"""

import datetime as dt
from collections import namedtuple

from django.conf import settings
from django.db import migrations
from django.utils import timezone


Partitioned = namedtuple("Partitioned", "table key timestamp")
SPEC = Partitioned("notifications_delivery", "raised_on", False)


def _bound(spec: Partitioned, year: int) -> str:
    if spec.timestamp:
        return dt.datetime(year, 1, 1, tzinfo=timezone.get_default_timezone()).isoformat()
    return dt.date(year, 1, 1).isoformat()


def _year_of(spec: Partitioned) -> str:
    if spec.timestamp:
        return f"extract(year FROM {spec.key} AT TIME ZONE %s)::int"
    return f"extract(year FROM {spec.key})::int"


def partition_name(spec: Partitioned, year: int | None) -> str:
    return f"{spec.table}_{'default' if year is None else f'y{year}'}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _definitions(cursor, table: str) -> tuple[list[str], list[str], list[str]]:
    """What to recreate on the table that takes its name, as SQL naming ``table``: its indexes
    that back no constraint, its unique and foreign-key constraints (not the primary key) and its
    own row triggers. Read before the rename, so each names the new table once it exists."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = c.oid) "
        "ORDER BY 1", [table])
    indexes = [r[0] for r in cursor.fetchall()]
    cursor.execute(
        "SELECT k.conname, pg_get_constraintdef(k.oid), k.contype FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid WHERE c.relname = %s "
        "AND c.relnamespace = current_schema()::regnamespace AND k.contype IN ('u', 'f') "
        "AND k.conparentid = 0 ORDER BY k.contype DESC, k.conname", [table])
    constraints = [f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}"
                   for name, definition, _kind in cursor.fetchall()]
    cursor.execute(
        "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace "
        "AND NOT t.tgisinternal AND t.tgparentid = 0 ORDER BY t.tgname", [table])
    triggers = [r[0] for r in cursor.fetchall()]
    return indexes, constraints, triggers


def _years(cursor, spec: Partitioned, source: str, today: dt.date) -> list[int]:
    cursor.execute(f"SELECT min({_year_of(spec)}), max({_year_of(spec)}) FROM {_q(source)}",
                   [settings.TIME_ZONE, settings.TIME_ZONE] if spec.timestamp else [])
    first, last = cursor.fetchone()
    first = min(first or today.year, today.year)
    last = max(last or today.year, today.year + 1)
    return list(range(first, last + 1))


def _create_partition(cursor, spec: Partitioned, year: int) -> None:
    cursor.execute(f"CREATE TABLE {_q(partition_name(spec, year))} PARTITION OF {_q(spec.table)} "
                   f"FOR VALUES FROM ('{_bound(spec, year)}') TO ('{_bound(spec, year + 1)}')")


def partition_by_year(cursor, table: str, *, today: dt.date | None = None) -> list[int]:
    """Turn plain ``table`` into a table partitioned by year, keeping every row, id, index,
    constraint and trigger. Runs under an exclusive lock, copying the table once (the
    migration's cost: docs/deployment.md#yearly-partitions). Returns the years created."""
    spec, today = SPEC, today or timezone.localdate()
    old = f"{table}_unpartitioned"
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with checks still pending cannot be dropped
    cursor.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
    indexes, constraints, triggers = _definitions(cursor, table)
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    cursor.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                   f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(spec.key)})")
    years = _years(cursor, spec, old, today)
    for year in years:
        _create_partition(cursor, spec, year)
    cursor.execute(f"CREATE TABLE {_q(partition_name(spec, None))} PARTITION OF {_q(table)} DEFAULT")
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_q(old)}")
    last_id = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {_q(old)}")  # its identity sequence goes with it
    sequence = f"{table}_id_seq"
    cursor.execute(f"CREATE SEQUENCE {_q(sequence)} AS bigint OWNED BY {_q(table)}.id")
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id SET DEFAULT nextval('{sequence}'::regclass)")
    if last_id:
        cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, last_id])
    cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id, {_q(spec.key)})")
    _recreate(cursor, indexes, constraints, triggers)
    cursor.execute(f"ANALYZE {_q(table)}")
    return years


def unpartition(cursor, table: str) -> None:
    """The reverse of ``partition_by_year``: one plain table again, every row kept, ``id`` an
    identity column and the primary key again."""
    old = f"{table}_partitioned"
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
    indexes, constraints, triggers = _definitions(cursor, table)
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    cursor.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                   f"INCLUDING STORAGE INCLUDING COMMENTS)")
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id DROP DEFAULT")
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {_q(old)}")
    last_id = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {_q(old)}")  # with its partitions and its sequence
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY "
                   f"(RESTART WITH {last_id + 1})")
    cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id)")
    _recreate(cursor, indexes, constraints, triggers)
    cursor.execute(f"ANALYZE {_q(table)}")


def _recreate(cursor, indexes, constraints, triggers) -> None:
    for definition in indexes:
        # a partitioned table's index reads "ON ONLY <table>" (not recursing): build it whole
        cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
    for definition in constraints + triggers:
        cursor.execute(definition)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partition_by_year(cursor, SPEC.table)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            unpartition(cursor, SPEC.table)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_delivery_raised_on")]

    operations = [migrations.RunPython(forwards, backwards)]
