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
