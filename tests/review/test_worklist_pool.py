""""My work" without sorting the department's whole pool (review.worklist._first_rows): the same
rows in the same order as the single query ``worklist_queryset``, the same count, and, on
PostgreSQL, each urgency group read from its partial index."""

import datetime as dt

import pytest
from django.db import connection

from review.models import Department, Stage
from review.worklist import _first_rows, _pool_levels, worklist_count, worklist_queryset, worklist_stages
from services import workflow
from tests.conftest import MONDAY, stage_of
from tests.factories import user_with_role

TODAY = MONDAY + dt.timedelta(days=70)  # a Wednesday: "this week" runs to the Sunday after
DAY = dt.timedelta(days=1)

# (pathway, target_due, statutory_due, statutory_reference) of each case's technical review,
# around TODAY: one or more of each urgency group, with ties, missing targets and reference limits.
SHAPES = [
    ("standard", TODAY - 9 * DAY, TODAY - 2 * DAY, False),  # statutory limit passed
    ("priority", TODAY - 9 * DAY, TODAY - 1 * DAY, False),  # passed, priority
    ("standard", TODAY - 9 * DAY, TODAY - 2 * DAY, True),  # a reference limit: only the target passed
    ("standard", TODAY - 3 * DAY, TODAY + 20 * DAY, False),  # target passed
    ("innovation", TODAY - 3 * DAY, TODAY + 20 * DAY, False),
    ("standard", TODAY + 2 * DAY, TODAY + 20 * DAY, False),  # due this week (target)
    ("standard", TODAY + 30 * DAY, TODAY + 3 * DAY, False),  # due this week (statutory)
    ("standard", None, TODAY + 1 * DAY, False),  # no target: the statutory date is shown
    ("standard", TODAY + 12 * DAY, TODAY + 40 * DAY, False),  # the rest
    ("standard", TODAY + 12 * DAY, TODAY + 40 * DAY, False),  # a tie: by id
    ("priority", TODAY + 25 * DAY, TODAY + 40 * DAY, False),
    ("standard", None, TODAY + 60 * DAY, True),  # no date shown at all
    ("standard", TODAY + 8 * DAY, TODAY + 30 * DAY, False),
]


@pytest.fixture
def pool(users, reviewing):
    """Thirteen technical reviews in the review department: two assigned to the reviewer, one to
    a colleague, two paused, the rest the department's unassigned pool."""
    review = Department.objects.get(code="review")
    for user in (users.supervisor, users.reviewer):
        user.department = review
        user.save(update_fields=["department"])
    colleague = user_with_role("reviewer", department=review)
    stages = []
    for i, (pathway, target, statutory, reference) in enumerate(SHAPES):
        app = reviewing(product_name=f"器械{i}", pathway=pathway)
        stage = stage_of(app, "technical_review")
        Stage.objects.filter(pk=stage.pk).update(target_due=target, statutory_due=statutory,
                                                 statutory_reference=reference, department=review)
        stages.append(stage)
    for stage in stages[3:5]:
        workflow.stage_reassign(stage=Stage.objects.get(pk=stage.pk), actor=users.supervisor,
                                assignee=users.reviewer)
    workflow.stage_reassign(stage=Stage.objects.get(pk=stages[6].pk), actor=users.supervisor, assignee=colleague)
    for stage in (stages[8], stages[10]):
        workflow.stage_request_supplement(stage=Stage.objects.get(pk=stage.pk), actor=users.reviewer,
                                          items=["检验报告"], today=MONDAY + DAY)
    return stages


@pytest.mark.parametrize("who", ["supervisor", "reviewer", "supervisor with own stages"])
def test_first_rows_are_the_single_querys_rows(users, pool, who):
    """A supervisor's list is read group by group; a reviewer's (their kinds only) in one query."""
    user = users.reviewer if who == "reviewer" else users.supervisor
    if who == "supervisor with own stages":  # the supervisor also reviews: their own stages come first
        user.groups.add(*users.reviewer.groups.all())
        user = type(user).objects.get(pk=user.pk)  # no stale permission cache
        for stage in pool[:2]:
            workflow.stage_reassign(stage=Stage.objects.get(pk=stage.pk), actor=users.supervisor, assignee=user)
        user = type(user).objects.get(pk=user.pk)
    everything = [s.pk for s in worklist_queryset(user, today=TODAY)]
    assert len(everything) >= 10  # every group is represented
    for limit in range(1, len(everything) + 2):
        assert [s.pk for s in _first_rows(user, today=TODAY, limit=limit)] == everything[:limit], limit
    assert worklist_count(user) == worklist_stages(user).count() == len(everything)


def test_the_groups_read_their_partial_indexes(users, pool):
    """Each running group of the pool is read from a partial index of the pool; the late, the
    overdue and the rest in that index's order, so no group sorts the department's pool.
    Sequential scans discouraged, as on a large table."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans")
    review = Department.objects.get(code="review")
    base = Stage.objects.filter(assignee__isnull=True, department=review)
    from review.models.cases import shown_base

    plans = []
    for condition, order in _pool_levels(TODAY)[:4]:
        qs = base.alias(base_due=shown_base()).filter(condition).order_by(*order)[:50]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(r[0] for r in cur.fetchall()))
    late, overdue, week, rest = plans
    assert "stage_pool_statutory" in late, late
    assert "stage_pool_target" in overdue, overdue
    assert "stage_pool_" in week, week  # a BitmapOr of two ranges, or the shown date's order
    assert "stage_pool_due" in rest, rest
    for plan in (late, overdue, rest):
        assert "Sort" not in plan.split("Limit", 1)[1].split("Index")[0], plan  # read in index order
