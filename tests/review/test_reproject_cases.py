"""manage.py reproject_cases: running cases follow their pack's corrected rules, logged."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from review.models import Stage, TransitionLog
from services import workflow
from tests.conftest import MONDAY, stage_of

pytestmark = pytest.mark.django_db


def test_a_testing_stage_loses_the_statutory_limit_it_wrongly_had(users, make_application, capsys):
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    # As the old pack left it: a "statutory" 60 WD for testing (Chongqing's old average).
    Stage.objects.filter(pk=stage_of(app, "testing").pk).update(
        statutory_days=60, original_statutory_days=60, statutory_due=dt.date(2026, 5, 27))
    with pytest.raises(CommandError, match="may not re-project"):
        call_command("reproject_cases", "--actor", users.reviewer.username)
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    testing = stage_of(app, "testing")
    assert (testing.statutory_days, testing.statutory_due, testing.target_days) == (None, None, 45)
    row = TransitionLog.objects.get(application=app, action="reproject_policy")
    assert row.details["before"]["statutory_due"] == "2026-05-27"
    assert row.details["after"]["statutory_due"] is None
    assert row.actor == users.sysadmin
    assert "1 had deadlines re-projected" in capsys.readouterr().out
    # Run again: nothing changes and nothing more is logged.
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    assert TransitionLog.objects.filter(application=app, action__startswith="re").count() == 1
