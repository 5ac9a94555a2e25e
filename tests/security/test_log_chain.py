"""The transition log is tamper-evident: rows changed or removed with SQL, behind the
application's back (as the table owner can), are caught by ``verify_log`` and in the admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from review import logchain
from review.models import TransitionLog
from services import workflow
from tests.conftest import MONDAY, stage_of


def _verify() -> str:
    out = StringIO()
    call_command("verify_log", stdout=out, stderr=StringIO())
    return out.getvalue()


def _tamper(sql, params):
    """As a superuser or the owner would: triggers off for the session (the append-only trigger
    does not fire), the statement, triggers back on. SQLite has no trigger to go around."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def two_cases(users, reviewing):
    first = reviewing()
    workflow.stage_pause(stage=stage_of(first, "technical_review"), actor=users.reviewer, reason="expert",
                         note="专家咨询", today=MONDAY)
    second = reviewing()
    return first, second


def test_every_row_is_chained_and_verify_log_passes(two_cases):
    first, second = two_cases
    for app in two_cases:
        rows = list(TransitionLog.objects.filter(application=app).order_by("id"))
        assert rows[0].prev_hash == "" and all(len(r.hash) == 64 for r in rows)
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        assert logchain.check_chain(rows) is None
    assert "every chain intact" in _verify()


@pytest.mark.parametrize("sql", [
    "UPDATE review_transitionlog SET reason = 'rewritten' WHERE id = %s",
    "UPDATE review_transitionlog SET to_state = 'approved' WHERE id = %s",
    "UPDATE review_transitionlog SET actor_id = NULL WHERE id = %s",
    "UPDATE review_transitionlog SET at = at - interval '1 day' WHERE id = %s",
    "DELETE FROM review_transitionlog WHERE id = %s",
])
def test_sql_tampering_is_caught_naming_the_first_broken_row(users, two_cases, sql, client):
    first, second = two_cases
    rows = list(TransitionLog.objects.filter(application=first).order_by("id"))
    victim = rows[len(rows) // 2]
    if "interval" in sql and connection.vendor != "postgresql":
        sql = "UPDATE review_transitionlog SET at = datetime(at, '-1 day') WHERE id = %s"
    _tamper(sql, [victim.pk])
    expected = rows[len(rows) // 2 + 1].pk if sql.startswith("DELETE") else victim.pk
    with pytest.raises(CommandError, match=f"row #{expected}"):
        _verify()
    # The other case's chain is untouched and still verifies on its own.
    assert logchain.check_chain(TransitionLog.objects.filter(application=second).order_by("id")) is None
    staff = Client()
    staff.force_login(users.supervisor)
    page = staff.get(f"/admin/review/application/{first.pk}/change/").content.decode()
    assert f"#{expected}" in page and "errornote" in page
    assert "errornote" not in staff.get(f"/admin/review/application/{second.pk}/change/").content.decode()


def test_a_row_slipped_in_with_a_made_up_hash_is_caught(users, two_cases):
    first, _second = two_cases
    last = TransitionLog.objects.filter(application=first).order_by("-id").first()
    _tamper("INSERT INTO review_transitionlog (application_id, action, from_state, to_state, at, reason, details, "
            "for_applicant, reason_for_applicant, prev_hash, hash) VALUES (%s, 'advance', '', '', %s, '', '{}', "
            "true, false, %s, %s)", [first.pk, last.at, last.hash, "0" * 64])
    with pytest.raises(CommandError, match="broken"):
        _verify()
