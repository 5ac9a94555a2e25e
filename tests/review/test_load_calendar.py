"""Loading a newly published year re-projects the open deadlines it moves, logged."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from review.models import CalendarYear, TransitionLog
from services import workflow


@pytest.fixture
def late_2026_case(users, make_application):
    """A case whose review deadlines fall in 2027 (no official schedule yet: provisional)."""
    app = make_application()
    day = dt.date(2026, 11, 23)
    workflow.application_submit(application=app, actor=users.enterprise, today=day)
    workflow.stage_complete(stage=app.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=day)
    return app.stages.get(kind="technical_review")


def _write(tmp_path, holidays):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({
        "year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "holidays": [{"date": d, "name": "春节"} for d in holidays], "workdays": [],
    }), encoding="utf-8")
    return path


def test_loading_a_year_reprojects_and_logs(late_2026_case, tmp_path, capsys):
    stage = late_2026_case
    assert stage.deadline_provisional is True
    before = stage.statutory_due
    assert before.year == 2027
    # The provisional estimate already has the statutory holidays (1 Jan, Spring Festival 5–10 Feb);
    # the "published" file keeps them and adds five more weekdays off in January, before the
    # deadline: it moves five working days later.
    statutory = ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"]
    extra = ["2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08"]
    path = _write(tmp_path, statutory + extra)
    version = stage.application.version
    call_command("load_calendar", str(path))
    stage.refresh_from_db()
    assert CalendarYear.objects.filter(year=2027).exists()
    # Re-projected under the case's lock: a form opened on the old deadlines is now stale.
    assert type(stage.application).objects.get(pk=stage.application_id).version > version
    assert stage.deadline_provisional is False
    from review.selectors import calendar_current

    assert stage.statutory_due == calendar_current().add_working_days(before, 5)
    entry = TransitionLog.objects.get(stage=stage, action="reproject")
    assert entry.details["before"]["statutory_due"] == before.isoformat()
    assert entry.details["after"]["statutory_due"] == stage.statutory_due.isoformat()
    # A command acted: the row names the system actor, an account that cannot sign in.
    assert (entry.actor.username, entry.actor.is_active, entry.actor.has_usable_password()) == (
        "system", False, False)
    # The case runs technical review and QMS verification in parallel: both moved.
    assert "2 open deadlines re-projected" in capsys.readouterr().out


def test_a_bad_file_changes_nothing(late_2026_case, tmp_path):
    path = _write(tmp_path, ["2027-13-01"])
    with pytest.raises(CommandError, match="2027-13-01"):
        call_command("load_calendar", str(path))
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not TransitionLog.objects.filter(action="reproject").exists()


def test_editing_a_day_in_the_admin_reprojects(users, late_2026_case):
    from django.test import Client

    stage = late_2026_case
    before = stage.target_due
    client = Client()
    client.force_login(users.sysadmin)
    response = client.post("/admin/review/calendarday/add/", {
        "date": (stage.started_on + dt.timedelta(days=3)).isoformat(), "kind": "holiday", "name": "临时休假"})
    assert response.status_code == 302, response.content[:500]
    stage.refresh_from_db()
    assert stage.target_due != before
    assert TransitionLog.objects.filter(stage=stage, action="reproject").count() == 1
