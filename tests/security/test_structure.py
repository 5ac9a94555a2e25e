"""Structural hazards: the calendar cache follows commits, not open transactions."""

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


def _data_migrations():
    """Every migration of the project's own apps that runs Python (RunPython), by (app, name, file)."""
    import sys
    from pathlib import Path

    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    root = Path(__file__).resolve().parents[2]
    found = []
    for (app, name), migration in sorted(MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items()):
        path = Path(sys.modules[type(migration).__module__].__file__).resolve()
        # The project's own apps only: not Django's nor a library's, even in a virtualenv kept
        # inside the repository (make's .venv, as in CI).
        inside = root in path.parents and not path.relative_to(root).parts[0].startswith(".")
        if inside and any(isinstance(op, RunPython) for op in migration.operations):
            found.append((app, name, path))
    return found


DATA_MIGRATIONS = _data_migrations()
# Standard library modules that read nothing of the project: a frozen migration may use these.
FROZEN_IMPORTS = {"json", "datetime", "pathlib", "collections", "hashlib", "django"}


def test_the_frozen_guard_sees_every_data_migration():
    """The list below is every migration file that mentions RunPython, in every app."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    on_disk = {p.resolve() for p in root.glob("*/migrations/0*.py") if "RunPython" in p.read_text(encoding="utf-8")}
    assert not any(part.startswith(".") for p in on_disk for part in p.relative_to(root).parts)
    assert on_disk and on_disk == {path for _, _, path in DATA_MIGRATIONS}


@pytest.mark.parametrize(("app", "name", "path"), DATA_MIGRATIONS, ids=[f"{a}.{n}" for a, n, _ in DATA_MIGRATIONS])
def test_data_migrations_are_frozen(app, name, path):
    """A data migration does what it did when it was written (docs/architecture.md#migrations): it
    imports no project module (models come from ``apps.get_model``), loads nothing by name at run
    time, and reads data only from its own folder (``review/migrations/data/``), never fixtures/."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert all(m.split(".")[0] in FROZEN_IMPORTS for m in imported), imported
    called = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
              for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert not called & {"import_module", "__import__", "import_string", "call_command"}, called
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    strings = [n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]
    assert not [s for s in strings if "fixtures" in s], "reads fixtures/"
    climbs = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and (
        n.attr == "parents"
        or (n.attr == "parent" and isinstance(n.value, ast.Attribute) and n.value.attr == "parent"))]
    assert not climbs, "reads outside its own migrations folder"


def test_frozen_reference_data_is_what_a_fresh_database_has(db):
    """The frozen copy loads the same routes, packs and calendar the live loaders described."""
    import json
    from pathlib import Path

    from review.models import CalendarYear, PolicyPack, Route

    data = Path(__file__).resolve().parents[2] / "review" / "migrations" / "data"
    routes = json.loads((data / "0002_routes.json").read_text(encoding="utf-8"))
    packs = json.loads((data / "0002_policy_packs.json").read_text(encoding="utf-8"))
    # 0006 retires III-provincial (no case uses it on a fresh database) and adds routes.
    later = json.loads((data / "0006_routes.json").read_text(encoding="utf-8"))
    expected = ({r["code"] for r in routes["routes"]} - set(later["remove"])) | {r["code"] for r in later["routes"]}
    assert expected == set(Route.objects.values_list("code", flat=True))
    assert {p["code"] for p in packs["packs"]} <= set(PolicyPack.objects.values_list("code", flat=True))
    assert CalendarYear.objects.filter(year__in=range(2004, 2027)).count() == 23
