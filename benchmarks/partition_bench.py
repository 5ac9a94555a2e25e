"""Benchmark: the yearly partitions of the transition log and the alert deliveries
(review/partitions.py), before and after, on a database filled by ``generate_load
--history-years``. Results are printed, not asserted; docs/benchmarks.md records a run.

``generate_load --history-years`` spreads the cases over the years but writes the log only for
its template cases and the deliveries of today's sweep only, so ``fill`` first gives that
database the history a real office would have (once, on the plain tables):

- a transition log for every case that has none: 13 rows per case (the measured 13.7 rows per
  case, docs/deployment.md#table-growth), dated from its submission to its closing (or today),
  each case's rows chained by review.logchain as the model writes them, so ``verify_log``
  passes;
- the deliveries of past years: for each past year of history, two earlier sweeps' worth (a copy
  of today's alerts and deliveries, raised on 1 March and 1 September of that year and sent).

Then ``measure`` (run it before and after ``manage.py migrate``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/part_bench python benchmarks/partition_bench.py fill
    DATABASE_URL=... python benchmarks/partition_bench.py measure      # plain tables
    DATABASE_URL=... python manage.py migrate                         # the partitioning migrations
    DATABASE_URL=... python benchmarks/partition_bench.py measure      # partitioned

``measure`` prints: the rows and size (with indexes) of each table and of its current year's
partition; the case page's log read (``review.selectors_cases.case_log`` as staff, all rows with
actor and stage) for 300 random cases, median and 95th percentile; the sweep's delivery insert
(``notifications.sweep._insert_deliveries``) of today's deliveries again, in a transaction rolled
back, median of 5; a steady deadline sweep (nothing new), median of 3; and ``verify_log``'s walk
of every chain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from review import logchain  # noqa: E402

ROWS_PER_CASE = 13
ACTIONS = ["submit", "advance", "stage_start", "stage_complete", "advance", "stage_start", "stage_complete",
           "stage_start", "stage_complete", "advance", "stage_start", "stage_complete", "advance"]


def _fill_log(cur) -> int:
    from review.models import TransitionLog

    cur.execute("SELECT a.id, a.submitted_on, coalesce(a.closed_on, CURRENT_DATE) FROM review_application a "
                "WHERE a.submitted_on IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM review_transitionlog l WHERE l.application_id = a.id) ORDER BY a.id")
    cases = cur.fetchall()
    rng = random.Random(2026)
    tz = timezone.get_current_timezone()
    cols = ["application_id", "stage_id", "action", "from_state", "to_state", "actor_id", "at", "reason",
            "details", "for_applicant", "reason_for_applicant", "prev_hash", "hash"]
    n = 0
    with cur.copy(f"COPY {TransitionLog._meta.db_table} ({', '.join(cols)}) FROM STDIN") as copy:
        for app_id, start, end in cases:
            span = max((end - start).days, 1)
            prev = logchain.GENESIS
            for i in range(ROWS_PER_CASE):
                day = start + dt.timedelta(days=span * i // ROWS_PER_CASE)
                at = dt.datetime.combine(day, dt.time(9 + i % 8, rng.randrange(60), rng.randrange(60),
                                                      rng.randrange(1_000_000)), tz)
                row = SimpleNamespace(prev_hash=prev, application_id=app_id, stage_id=None, action=ACTIONS[i],
                                      from_state="", to_state="", actor_id=None, at=at, reason="", details={},
                                      for_applicant=True, reason_for_applicant=False)
                row.hash = logchain.row_hash(row)
                copy.write_row([app_id, None, row.action, "", "", None, at, "", "{}", True, False, prev, row.hash])
                prev = row.hash
                n += 1
    return n


def _fill_deliveries(cur, today: dt.date) -> int:
    cur.execute("SELECT min(submitted_on) FROM review_application")
    first = cur.fetchone()[0]
    n = 0
    for year in range(first.year, today.year):
        for month in (3, 9):
            day = dt.date(year, month, 1)
            shift = (today - day).days
            cur.execute(
                "INSERT INTO notifications_alert (key, level, deadline, application_id, stage_id, clock_stop_id, "
                "certificate_id, raised_on, created_at, fanned_out) "
                "SELECT key || %s, level, deadline - %s, application_id, stage_id, clock_stop_id, certificate_id, "
                "%s, created_at - make_interval(days => %s), true FROM notifications_alert WHERE raised_on = %s",
                [f"@{day}", shift, day, shift, today])
            cur.execute(
                "INSERT INTO notifications_delivery (alert_id, email, user_id, language, staff, state, attempts, "
                "last_error, claimed_at, sent_at) "
                "SELECT n.id, d.email, d.user_id, d.language, d.staff, 'sent', 1, '', "
                "%s::timestamptz, %s::timestamptz FROM notifications_delivery d "
                "JOIN notifications_alert a ON a.id = d.alert_id AND a.raised_on = %s "
                "JOIN notifications_alert n ON n.key = a.key || %s AND n.level = a.level",
                [f"{day} 08:00+08", f"{day} 08:01+08", today, f"@{day}"])
            n += cur.rowcount
    return n


def fill() -> None:
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cur:
        t0 = time.perf_counter()
        rows = _fill_log(cur.cursor)
        print(f"log: {rows:,} rows written ({time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        print(f"deliveries: {_fill_deliveries(cur, today):,} rows of past years ({time.perf_counter() - t0:.1f} s)")
        cur.execute("ANALYZE")


def _size(cur, table: str) -> tuple[int, int]:
    cur.execute(f"SELECT count(*) FROM {table}")
    rows = cur.fetchone()[0]
    cur.execute("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c WHERE c.oid = %s::regclass "
                "OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)", [table, table])
    return rows, int(cur.fetchone()[0])


def _ms(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {"median_ms": round(statistics.median(samples) * 1000, 2),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 2)}


def measure(quick: bool = False) -> dict:
    from notifications.models import Delivery
    from notifications.sweep import _insert_deliveries, deadlines_sweep
    from review.models import Application, TransitionLog, User
    from review.selectors_cases import case_log

    try:
        from review.partitions import TABLES, is_partitioned, partition_name
    except ImportError:  # measuring the code before the partitions (plain tables)
        TABLES = {"review_transitionlog": None, "notifications_delivery": None}  # noqa: N806

        def is_partitioned(cur, table):
            return False

        partition_name = None

    today = timezone.localdate()
    out: dict = {"date": str(today)}
    with connection.cursor() as cur:
        for table in TABLES:
            rows, size = _size(cur, table)
            entry = {"rows": rows, "MB": round(size / 2**20, 1), "partitioned": is_partitioned(cur, table)}
            if entry["partitioned"]:
                hot = partition_name(TABLES[table], today.year)
                entry["hot_partition"] = hot
                entry["hot_rows"], hot_size = _size(cur, hot)
                entry["hot_MB"] = round(hot_size / 2**20, 1)
            out[table] = entry
    staff = User.objects.filter(is_superuser=False, is_staff=True, groups__name="supervisor").first() \
        or User.objects.filter(is_staff=True).first()
    ids = list(Application.objects.filter(submitted_on__isnull=False).values_list("pk", flat=True))
    rng = random.Random(7)
    cases = [Application.objects.get(pk=pk) for pk in rng.sample(ids, 300)]
    for app in cases[:20]:
        list(case_log(app, staff))  # warm-up
    samples = []
    for app in cases:
        t0 = time.perf_counter()
        rows = list(case_log(app, staff))
        samples.append(time.perf_counter() - t0)
        assert rows
    out["case_log"] = _ms(samples)

    todays = list(Delivery.objects.filter(alert__raised_on=today))
    rows = [(d.alert_id, d.email, d.user_id, d.language, d.staff, d.raised_on) for d in todays]
    samples = []
    for _ in range(5):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM notifications_delivery d USING notifications_alert a "
                        "WHERE a.id = d.alert_id AND a.raised_on = %s", [today])
            t0 = time.perf_counter()
            _insert_deliveries(rows)
            samples.append(time.perf_counter() - t0)
            transaction.set_rollback(True)
    out["delivery_insert"] = {"rows": len(rows), "median_s": round(statistics.median(samples), 3)}

    if quick:
        return out
    samples = []
    for _ in range(3):
        t0 = time.perf_counter()
        deadlines_sweep(today=today)
        samples.append(time.perf_counter() - t0)
    out["steady_sweep_s"] = round(statistics.median(samples), 3)

    t0 = time.perf_counter()
    total, n_cases, breaks = logchain.verify_all(TransitionLog.objects.all())
    out["verify_log"] = {"rows": total, "cases": n_cases, "breaks": len(breaks),
                         "s": round(time.perf_counter() - t0, 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["fill", "measure"])
    parser.add_argument("--quick", action="store_true", help="sizes, the log read and the insert only")
    args = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "postgresql" or "bench" not in name:
        sys.exit("partition_bench: give DATABASE_URL a PostgreSQL database whose name contains 'bench'.")
    if args.what == "fill":
        fill()
    else:
        print(json.dumps(measure(args.quick), indent=2))


if __name__ == "__main__":
    main()
