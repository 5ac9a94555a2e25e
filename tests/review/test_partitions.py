"""Yearly partitions of the transition log and the alert deliveries (review/partitions.py,
docs/deployment.md#yearly-partitions), PostgreSQL only: the migrations made them, rows go to
their year, the log stays append-only and chained, a late partition takes over the rows the
default caught, and the conversion keeps every row both ways. (The state trigger's own tests,
tests/security/test_state_logged.py, run on the partitioned log.)"""

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from notifications.models import Alert, Delivery
from notifications.sweep import deadlines_sweep
from review import logchain
from review.models import TransitionLog
from review.partitions import TABLES, ensure_years, is_partitioned, partition_by_year, partitions, unpartition
from tests.conftest import stage_of

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitioning: PostgreSQL")


def _where(table: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def _primary_key(table: str) -> list[str]:
    with connection.cursor() as cur:
        cons = connection.introspection.get_constraints(cur, table)
    return next(c["columns"] for c in cons.values() if c["primary_key"])


def test_both_tables_are_partitioned_by_year_with_a_default(db):
    year = timezone.localdate().year
    with connection.cursor() as cur:
        for table, spec in TABLES.items():
            assert is_partitioned(cur, table), table
            names = partitions(cur, table)
            assert {f"{table}_y{year}", f"{table}_y{year + 1}", f"{table}_default"} <= set(names), names
            assert _primary_key(table) == ["id", spec.key]


def test_log_rows_go_to_their_year_and_stay_append_only(users, make_application):
    app = make_application()
    row = TransitionLog.objects.filter(application=app).latest("id")
    assert _where("review_transitionlog", row.pk) == f"review_transitionlog_y{timezone.localtime(row.at).year}"
    for statement in ("UPDATE review_transitionlog SET reason = 'x' WHERE id = %s",
                      f"UPDATE review_transitionlog_y{timezone.localtime(row.at).year} SET reason = 'x' WHERE id = %s",
                      f"DELETE FROM review_transitionlog_y{timezone.localtime(row.at).year} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [row.pk])
    assert logchain.check_chain(TransitionLog.objects.filter(application=app).order_by("id")) is None


def test_deliveries_carry_their_alerts_day_and_year(users, reviewing):
    review = stage_of(reviewing(), "technical_review")
    day = review.statutory_due + dt.timedelta(days=1)
    deadlines_sweep(today=day)
    deliveries = list(Delivery.objects.select_related("alert"))
    assert deliveries and all(d.raised_on == d.alert.raised_on == day for d in deliveries)
    expected = ("notifications_delivery_default" if day.year not in range(timezone.localdate().year,
                                                                            timezone.localdate().year + 2)
                else f"notifications_delivery_y{day.year}")
    assert {_where("notifications_delivery", d.pk) for d in deliveries} == {expected}
    before = Delivery.objects.count()
    Alert.objects.update(fanned_out=False)  # a crashed sweep's re-run: nothing twice
    deadlines_sweep(today=day)
    assert Delivery.objects.count() == before


def test_a_late_partition_takes_the_rows_the_default_caught(users, make_application):
    app = make_application()
    far = timezone.localdate().year + 5
    row = TransitionLog(application=app, action="edit", at=dt.datetime(far, 6, 1, 10, tzinfo=dt.UTC))
    row.save()
    assert _where("review_transitionlog", row.pk) == "review_transitionlog_default"
    with connection.cursor() as cur:
        created = ensure_years(cur, "review_transitionlog", today=dt.date(far, 1, 2), ahead=0)
    assert created == [far]
    assert _where("review_transitionlog", row.pk) == f"review_transitionlog_y{far}"
    assert logchain.check_chain(TransitionLog.objects.filter(application=app).order_by("id")) is None
    with connection.cursor() as cur:  # nothing missing: a second run creates nothing
        assert ensure_years(cur, "review_transitionlog", today=dt.date(far, 1, 2), ahead=0) == []


def test_the_conversion_keeps_every_row_both_ways(users, reviewing):
    app = reviewing()
    deadlines_sweep(today=stage_of(app, "technical_review").statutory_due + dt.timedelta(days=1))
    before = {t: sorted(m.objects.values_list("pk", flat=True)) for t, m in
              (("review_transitionlog", TransitionLog), ("notifications_delivery", Delivery))}
    assert all(before.values())
    with connection.cursor() as cur:
        for table in TABLES:
            unpartition(cur, table)
            assert not is_partitioned(cur, table) and _primary_key(table) == ["id"]
            partition_by_year(cur, table)
            assert is_partitioned(cur, table)
    after = {t: sorted(m.objects.values_list("pk", flat=True)) for t, m in
             (("review_transitionlog", TransitionLog), ("notifications_delivery", Delivery))}
    assert after == before
    rows, cases, breaks = logchain.verify_all(TransitionLog.objects.all())
    assert rows == len(before["review_transitionlog"]) and breaks == []
    # ids continue after the highest, the trigger and the constraints are back
    app.refresh_from_db()
    from services import workflow

    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="调整")
    assert TransitionLog.objects.latest("id").pk > max(before["review_transitionlog"])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM review_transitionlog")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        d = Delivery.objects.first()
        cur.execute("INSERT INTO notifications_delivery (alert_id, email, language, staff, state, attempts, "
                    "last_error, raised_on) VALUES (%s, %s, 'zh-hans', true, 'pending', 0, '', %s)",
                    [d.alert_id, d.email, d.raised_on])


def test_ensure_partitions_creates_only_what_is_missing(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("ensure_partitions", stdout=out)
    assert out.getvalue().count("nothing missing") == 2
    call_command("ensure_partitions", "--ahead", "3", stdout=out)
    year = timezone.localdate().year
    with connection.cursor() as cur:
        for table in TABLES:
            assert {f"{table}_y{year + 2}", f"{table}_y{year + 3}"} <= set(partitions(cur, table))
