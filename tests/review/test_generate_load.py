"""``manage.py generate_load``: a small run gives consistent cases.

The generator clones cases the workflow services built; these checks hold for every case the
services write, so a clone that broke one (a stage remapped to the wrong case, a pause without
its paused stage, a log that does not end in the stored state) fails here.
"""

from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from notifications.models import Alert
from ops.management.commands.generate_load import CLONE_REFERENCE
from review.models import Application, Certificate, ClockStop, Office, Stage, SupplementDocument, TransitionLog, User
from review.models.enums import CLOSED_STATES, KIND_CASE_STATE, PHASE_STATES, CaseState, StageState
from review.permissions import STAGE_KIND_PERMISSION


@pytest.fixture
def generated(db, settings, tmp_path):
    settings.SUPPLEMENT_UPLOAD_ROOT = tmp_path / "uploads"
    out = StringIO()
    call_command("generate_load", applications=50, rounds=1, stdout=out)
    return out.getvalue()


def test_generate_load_writes_consistent_cases(generated):
    assert "Generated 50 applications" in generated
    assert "50 / 50 applications" in generated  # the progress line
    clones = Application.objects.filter(reference__regex=CLONE_REFERENCE)
    assert clones.count() == 50
    apps = {a.pk: a for a in Application.objects.all()}
    stages = defaultdict(list)
    for s in Stage.objects.all():
        stages[s.application_id].append(s)
    open_stops = Counter(ClockStop.objects.filter(ended_on__isnull=True).values_list("stage_id", flat=True))
    case_log, stage_log = {}, {}
    for row in TransitionLog.objects.order_by("id").select_related("stage"):
        if row.stage_id is None:
            if row.to_state:
                case_log[row.application_id] = row.to_state
        else:
            assert row.stage.application_id == row.application_id, "a log row points at another case's stage"
            stage_log[row.stage_id] = row.to_state

    for pk, app in apps.items():
        assert case_log.get(pk) == app.state, (app.reference, case_log.get(pk), app.state)
        mine = stages[pk]
        assert app.state == CaseState.DRAFT or mine, app.reference
        for s in mine:
            assert stage_log.get(s.pk, StageState.PENDING) == s.state, (app.reference, s.kind)
            # a stopped clock has exactly one open pause; every other stage none
            assert open_stops.get(s.pk, 0) == (1 if s.state == StageState.PAUSED else 0), (app.reference, s.kind)
            if s.state == StageState.RUNNING:
                assert s.target_due or s.statutory_due or s.statutory_days is None, (app.reference, s.kind)
        if app.state in CLOSED_STATES:
            assert not [s for s in mine if s.state in (StageState.RUNNING, StageState.PAUSED)], app.reference
        if app.state in PHASE_STATES:
            here = {KIND_CASE_STATE[s.kind] for s in mine if s.phase == app.phase
                    and s.state in (StageState.PENDING, StageState.RUNNING, StageState.PAUSED)}
            assert here == {app.state}, (app.reference, app.state, here)
        # What the province issued, and the national certificate of an approved Class III case, is
        # recorded for the renewal watch.
        issued = [s for s in mine if s.state == StageState.DONE and (
            s.kind in ("issuance", "licence_issuance") or (s.kind == "national_review" and s.outcome == "approve"))]
        if issued:
            assert Certificate.objects.filter(application_id=pk).count() == len(issued), app.reference

    # Variety: the clones cover routes and states, and carry pauses and documents.
    assert len(set(clones.values_list("route__code", flat=True))) >= 5
    assert len(set(clones.values_list("state", flat=True))) >= 5
    assert ClockStop.objects.filter(stage__application__in=clones).exists()
    assert len(set(clones.values_list("enterprise__district", flat=True))) >= 5
    assert SupplementDocument.objects.exists()
    assert Alert.objects.exists()  # the deadline sweep ran over the result
    refs = list(Application.objects.values_list("reference", flat=True))
    assert len(refs) == len(set(refs))


def test_started_stages_are_held_by_staff_who_may_handle_them(generated):
    """As in real use: a started stage of a clone is someone's, and that someone's role handles its
    kind and works in the case's office; a pending stage is nobody's yet."""
    clones = Stage.objects.filter(application__reference__regex=CLONE_REFERENCE).select_related(
        "assignee", "application")
    started = [s for s in clones if s.state in (StageState.RUNNING, StageState.PAUSED, StageState.DONE)]
    held = [s for s in started if s.assignee_id]
    assert len(held) >= 0.7 * len(started) > 0
    for s in held:
        assert s.assignee.has_perm(STAGE_KIND_PERMISSION[s.kind]), (s.kind, s.assignee.username)
        assert s.assignee.office_id == s.application.office_id
    assert not clones.filter(state=StageState.PENDING, assignee__isnull=False).exists()
    officers = User.objects.filter(username__startswith="load-officer")
    assert officers.filter(park="").count() == 10 and officers.exclude(park="").exists()
    assert not officers.filter(is_staff=True).exists() and not officers.filter(district="").exists()


def test_offices_route_cases_by_credit_code(db, settings, tmp_path):
    """``--offices 3``: enterprises registered in three regions, each case in the office its
    enterprise's credit code routes to, its reference beginning with that office's code."""
    settings.SUPPLEMENT_UPLOAD_ROOT = tmp_path / "uploads"
    call_command("generate_load", applications=60, rounds=1, offices=3, no_sweep=True, stdout=StringIO())
    clones = Application.objects.filter(reference__regex=CLONE_REFERENCE).select_related("enterprise", "office")
    assert {a.office.code for a in clones} == set(Office.objects.values_list("code", flat=True)) and len(
        {a.office_id for a in clones}) == 3
    for app in clones:
        assert Office.objects.for_credit_code(app.enterprise.credit_code) == app.office, app.reference
        assert app.reference.startswith(app.office.code), app.reference
    for s in Stage.objects.filter(application__in=clones, assignee__isnull=False).select_related("assignee"):
        assert s.assignee.office_id == s.application.office_id


def test_generate_load_refuses_to_wipe_an_ordinary_database(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bench"):
        call_command("generate_load", applications=1, wipe=True, stdout=StringIO())


def test_wipe_removes_the_dashboards_summaries_of_the_cases_it_wiped(db, settings, tmp_path):
    """Summaries built over the wiped cases would be read as current (built after their month
    ended, not stale): ``--wipe`` removes them with the cases."""
    import datetime as dt

    from kpi.models import StageMonth, SummaryMonth

    settings.SUPPLEMENT_UPLOAD_ROOT = tmp_path / "uploads"
    SummaryMonth.objects.create(month=dt.date(2026, 1, 1), daily=False, built_on=dt.date(2026, 2, 2))
    StageMonth.objects.create(month=dt.date(2026, 1, 1), office=1, kind="technical_review", consumed_days=30,
                              device_class="II", category="active", pathway="standard", application_type="initial",
                              district="", park="", n=5, n_target=5, n_on_target=5, n_statutory=5, n_on_statutory=5)
    call_command("generate_load", applications=5, rounds=1, wipe=True, force=True, no_sweep=True, stdout=StringIO())
    assert not SummaryMonth.objects.exists() and not StageMonth.objects.exists()


def test_a_bulk_load_rebuilds_every_index_it_dropped(db, settings, tmp_path, monkeypatch):
    """Above ``DEFER_INDEXES_FROM`` cases the secondary indexes are dropped for the load and built
    again from their own definitions: afterwards the tables have exactly the indexes they had."""
    from django.db import connection

    from ops.management.commands import generate_load

    if connection.vendor != "postgresql":
        pytest.skip("the deferred indexes are PostgreSQL's")
    settings.SUPPLEMENT_UPLOAD_ROOT = tmp_path / "uploads"
    tables = [m._meta.db_table for m in generate_load.CLONED]

    def indexes():
        """Name, columns and whether partial: PostgreSQL prints a rebuilt partial index's condition
        with other casts (the same condition), so the text after WHERE is not compared."""
        with connection.cursor() as cur:
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
            return sorted((name, sql.split(" WHERE ")[0], " WHERE " in sql) for name, sql in cur.fetchall())

    before = indexes()
    monkeypatch.setattr(generate_load, "DEFER_INDEXES_FROM", 1)
    out = StringIO()
    call_command("generate_load", applications=30, rounds=1, no_sweep=True, stdout=out)
    assert "secondary indexes dropped for the bulk load" in out.getvalue()
    assert indexes() == before
    assert Application.objects.filter(reference__regex=CLONE_REFERENCE).count() == 30
