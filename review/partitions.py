"""Yearly range partitions of the fastest-growing tables (PostgreSQL declarative partitioning;
docs/deployment.md#yearly-partitions).

Two tables grow with every case and every day: the transition log (``review_transitionlog``,
by the year of ``at`` in the office's time zone) and the alert deliveries
(``notifications_delivery``, by the year of their alert's ``raised_on``). Each becomes a
partitioned table with one partition per year and a DEFAULT partition that catches a row of a
year whose partition does not exist yet, so no insert ever fails for want of a partition.

What stays the same: every column, row and id (the hash chain covers the values, not where they
are stored, so ``verify_log`` passes before and after); the indexes, unique and foreign-key
constraints and row triggers under their own names, now on the partitioned table (each is
cloned onto every partition, the append-only trigger too); ids from one sequence. What changes:
the primary key is ``(id, <partition key>)``, since PostgreSQL needs the partition key in every
unique constraint of a partitioned table; Django's models keep ``id`` as their primary key (the
admin cannot show a model with a composite primary key in Django 5.2), and ``id`` alone stays
unique because one sequence issues it.

SQLite (the demo) keeps plain tables: every function here is a no-op there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Partitioned:
    table: str
    key: str
    timestamp: bool  # a timestamptz key (years in the office's time zone), else a date


TABLES = {
    "review_transitionlog": Partitioned("review_transitionlog", "at", timestamp=True),
    "notifications_delivery": Partitioned("notifications_delivery", "raised_on", timestamp=False),
}


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


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                   "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace", [table])
    return cursor.fetchone() is not None


def partitions(cursor, table: str) -> list[str]:
    """The partitions of ``table``, by name."""
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s "
                   "AND p.relnamespace = current_schema()::regnamespace ORDER BY c.relname", [table])
    return [r[0] for r in cursor.fetchall()]


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
    spec, today = TABLES[table], today or timezone.localdate()
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


def ensure_years(cursor, table: str, *, today: dt.date | None = None, ahead: int = 1) -> list[int]:
    """Create the partitions of this year and the next ``ahead`` years that are missing; rows
    of those years already caught by the DEFAULT partition are moved into theirs (the default
    is swapped for an empty one and its rows re-inserted: nothing is updated or deleted, which
    the log's trigger would refuse). Returns the years created."""
    spec, today = TABLES[table], today or timezone.localdate()
    if not is_partitioned(cursor, table):
        return []
    have = set(partitions(cursor, table))
    missing = [y for y in range(today.year, today.year + ahead + 1) if partition_name(spec, y) not in have]
    if not missing:
        return []
    default = partition_name(spec, None)
    cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(default)} WHERE "
                   + " OR ".join(f"({_q(spec.key)} >= %s AND {_q(spec.key)} < %s)" for _ in missing) + ")",
                   [b for y in missing for b in (_bound(spec, y), _bound(spec, y + 1))])
    caught = cursor.fetchone()[0]
    if caught:
        # checks still deferred on rows of the default (a row written earlier in this
        # transaction) must run before it can be dropped
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
        cursor.execute(f"ALTER TABLE {_q(default)} RENAME TO {_q(default + '_old')}")
    for year in missing:
        _create_partition(cursor, spec, year)
    if caught:
        cursor.execute(f"CREATE TABLE {_q(default)} PARTITION OF {_q(table)} DEFAULT")
        cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(default + '_old')}")
        cursor.execute(f"DROP TABLE {_q(default + '_old')}")
    return missing
