"""Structural hazards (issue 10): the calendar cache follows commits, not open transactions."""

import datetime as dt

import pytest
from django.db import transaction

from review.models import CalendarDay
from review.selectors import calendar_current
from services import calendar_data

DAY = dt.date(2026, 6, 10)  # an ordinary Wednesday


class Rollback(Exception):
    pass


def test_a_rolled_back_calendar_edit_leaves_no_trace_in_the_cache(users):
    assert calendar_current().is_working_day(DAY)
    with pytest.raises(Rollback), transaction.atomic():
        calendar_data.calendar_day_save(day=CalendarDay(date=DAY, kind="holiday", name="演练"),
                                        actor=users.sysadmin)
        raise Rollback
    assert not CalendarDay.objects.filter(date=DAY).exists()
    assert calendar_current().is_working_day(DAY)


def test_a_committed_calendar_edit_is_seen_after_the_commit(users, django_capture_on_commit_callbacks):
    assert calendar_current().is_working_day(DAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        calendar_data.calendar_day_save(day=CalendarDay(date=DAY, kind="holiday", name="演练"),
                                        actor=users.sysadmin)
        assert calendar_current().is_working_day(DAY)  # before the commit: the committed calendar
    assert callbacks and not calendar_current().is_working_day(DAY)


@pytest.mark.parametrize("model", ["Stage", "ClockStop", "Extension", "SupplementDocument", "PolicyRule",
                                   "RouteStep", "TransitionLog"])
def test_default_orderings_do_not_join_the_parent_table(model):
    """Ordering by a foreign key orders by the parent's own ordering: a JOIN on every query."""
    from review import models

    sql = str(getattr(models, model).objects.all().query)
    assert "JOIN" not in sql, sql


def test_data_migration_0002_is_frozen():
    """It reads its own data files and code only: no project module, no fixtures/ (issue 10)."""
    import ast
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "review" / "migrations" / "0002_reference_data.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert all(m.split(".")[0] in {"json", "datetime", "pathlib", "django"} for m in imported), imported


def test_frozen_reference_data_is_what_a_fresh_database_has(db):
    """The frozen copy loads the same routes, packs and calendar the live loaders described."""
    import json
    from pathlib import Path

    from review.models import CalendarYear, PolicyPack, Route

    data = Path(__file__).resolve().parents[2] / "review" / "migrations" / "data"
    routes = json.loads((data / "0002_routes.json").read_text(encoding="utf-8"))
    packs = json.loads((data / "0002_policy_packs.json").read_text(encoding="utf-8"))
    # 0006 (issue 7) retires III-provincial (no case uses it on a fresh database) and adds routes.
    later = json.loads((data / "0006_routes.json").read_text(encoding="utf-8"))
    expected = ({r["code"] for r in routes["routes"]} - set(later["remove"])) | {r["code"] for r in later["routes"]}
    assert expected == set(Route.objects.values_list("code", flat=True))
    assert {p["code"] for p in packs["packs"]} <= set(PolicyPack.objects.values_list("code", flat=True))
    assert CalendarYear.objects.filter(year__in=range(2004, 2027)).count() == 23
