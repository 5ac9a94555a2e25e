"""Each officer's "my work": the stages assigned to them, then their department's unassigned
ones they may handle (a supervisor: all of the department's, and the department's stages past
the statutory limit that are assigned to colleagues), most urgent first.

Order: assigned to me before unassigned; then statutory limit passed, target passed, due this
week (target or statutory date by Sunday), the rest running, paused; within each, the priority
and innovation pathways first, then by date. ``worklist_queryset`` is that order as one query;
for a supervisor, whose list holds the department's whole unassigned pool, ``worklist`` reads the
same first rows without sorting that pool (``_first_rows``: at most seven queries, most of them
ranges of partial indexes, whatever the number of cases); "late" is ``review.deadlines``, read at
request time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, DateField, F, IntegerField, Q, Value, When

from clock.calendar import WorkingCalendar
from clock.sla import deadline_status
from review.deadlines import past_statutory_q, past_target_q
from review.models import Stage
from review.models.cases import shown_base, shown_base_of
from review.models.enums import DOSSIER_KINDS, KIND_CASE_STATE, MANUAL_START_KINDS, Pathway, StageState
from review.permissions import DIRECTOR, STAGE_KIND_PERMISSION, SUPERVISE, in_office

WORKLIST_SIZE = 50
PRIORITY_PATHWAYS = (Pathway.PRIORITY, Pathway.INNOVATION)
# The case states in which a stage of the open phase runs (not suspended, not closed, not a draft).
RECEIPT_CASE_STATES = sorted(set(KIND_CASE_STATE.values()))


def week_end(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=6 - today.weekday())


def _kinds(user) -> list[str]:
    return [kind for kind, perm in STAGE_KIND_PERMISSION.items() if user.has_perm(perm)]


def _department(user) -> Q:
    """The department's unassigned stages the user may handle (a supervisor: all of them). A
    department is a function every office has: its pool is this office's cases only."""
    if not (user.department_id and user.office_id):
        return Q(pk__in=[])
    department = Q(assignee__isnull=True, department_id=user.department_id, application__office_id=user.office_id)
    if not user.has_perm(SUPERVISE):
        department &= Q(kind__in=_kinds(user))
    return department


def _branches(user) -> tuple[Q, Q, Q]:
    """``(mine, pool_open, pool_waiting)``: the conditions of the user's own stages, of the
    department's unassigned open ones they may handle, and of those waiting for a receipt; three
    disjoint sets whose union is ``worklist_stages``."""
    kinds = _kinds(user)
    mine = Q(assignee_id=user.pk)
    department = _department(user)
    # Open stages, and the stages of the case's open phase waiting for a receipt to start (samples
    # for testing, the dossier for an acceptance opened after testing or pre-submission, the national
    # centre's notice for a Class III verification): a pending stage of the open phase is exactly
    # one the case page offers "Record the receipt" for (services.workflow.phases.waits_for_receipt).
    # Written so that each branch matches a partial index (review.Stage.Meta.indexes).
    open_states = Q(state__in=[StageState.RUNNING, StageState.PAUSED])
    # Only stages that can wait for a receipt at all (services.workflow.phases.waits_for_receipt):
    # tested on the stage row before the join, so the many pending later-phase stages (every open
    # case's decision, say) never reach it (an approver's list at 100,000 cases: 230 -> 60 ms).
    can_wait = Q(manual_start=True) | Q(kind__in=sorted({*MANUAL_START_KINDS, *DOSSIER_KINDS}))
    waiting_start = Q(state=StageState.PENDING, phase=F("application__phase"),
                      application__state__in=RECEIPT_CASE_STATES) & can_wait
    mine_q, pool_waiting = open_states & mine, Q(pk__in=[])
    if kinds or user.has_perm(SUPERVISE):  # only then join the applications
        mine_q |= waiting_start & mine
        pool_waiting = waiting_start & department
    return mine_q, open_states & department, pool_waiting


def worklist_stages(user):
    """The stages on the user's worklist, unordered."""
    mine, pool_open, pool_waiting = _branches(user)
    return Stage.objects.filter(mine | pool_open | pool_waiting)


def worklist_count(user) -> int:
    """How many stages ``worklist_stages`` holds, in one statement: the sum of its three disjoint
    parts' counts, each planned on its own (the department's open stages are then an index-only
    count of ``stage_open_unassigned``, without the join to the applications that the waiting
    ones need: a supervisor's count at 100,000 cases, 290 -> about 15 ms)."""
    parts, params = [], []
    for condition in _branches(user):
        try:
            sql, part_params = Stage.objects.filter(condition).order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. no department
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")
        params += part_params
    if not parts:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        return cursor.fetchone()[0]


def team_breaches(user, *, today: dt.date):
    """The stages past the statutory limit that the user answers for and that are not already on the
    list (statutory alerts go to supervisors and directors,
    docs/operations.md#alert-levels-and-recipients): a supervisor's department's stages that
    colleagues hold; a director's (anyone receiving the statutory alerts without a department) every
    stage past its limit, in every department, assigned or not. Past the target only stays with the
    assignee's list and the admin's overdue filter: at 100,000 cases that is thousands of rows,
    these a few. Its own query (a third branch in the worklist's OR doubled that query's time at
    100,000 cases)."""
    if user.department_id and user.has_perm(SUPERVISE):
        return (Stage.objects.filter(past_statutory_q(today), department_id=user.department_id,
                                     application__office_id=user.office_id,
                                     assignee__isnull=False).exclude(assignee_id=user.pk))
    if not user.department_id and user.has_perm(DIRECTOR):
        return (Stage.objects.filter(past_statutory_q(today), application__office_id=user.office_id)
                .exclude(assignee_id=user.pk))
    return Stage.objects.none()


def _ordered(stages, user, *, today: dt.date):
    sunday = week_end(today)
    this_week = Q(state=StageState.RUNNING) & (
        Q(target_due__lte=sunday) | Q(statutory_due__lte=sunday, statutory_reference=False))
    mine = Q(assignee_id=user.pk)
    return (
        stages.annotate(
            is_mine=Case(When(mine, then=Value(0)), default=Value(1), output_field=IntegerField()),
            urgency=Case(When(past_statutory_q(today), then=Value(0)), When(past_target_q(today), then=Value(1)),
                         When(this_week, then=Value(2)), When(state=StageState.RUNNING, then=Value(3)),
                         default=Value(4), output_field=IntegerField()),
            priority=Case(When(application__pathway__in=PRIORITY_PATHWAYS, then=Value(0)), default=Value(1),
                          output_field=IntegerField()),
            # The date the list shows (``worklist`` below): the statutory date once it has
            # passed, else the target (the statutory date where there is no target). Sorting by
            # the statutory date while showing the target put "30 days left" before "12 days left".
            shown_due=Case(When(past_statutory_q(today), then=F("statutory_due")),
                           When(target_due__isnull=False, then=F("target_due")),
                           When(statutory_reference=False, then=F("statutory_due")),
                           default=None, output_field=DateField()),
        )
        .select_related("application", "department", "assignee")
        .order_by(*ORDER)
    )


ORDER = ("is_mine", "urgency", "priority", F("shown_due").asc(nulls_last=True), "pk")


def _order_key(s):
    return (s.is_mine, s.urgency, s.priority, s.shown_due or dt.date.max, s.pk)


def worklist_queryset(user, *, today: dt.date):
    return _ordered(worklist_stages(user), user, today=today)


@dataclass
class WorkItem:
    stage: Stage
    level: str
    mine: bool
    due: dt.date | None
    remaining: int | None
    which: str  # "statutory" or "target": the date ``due`` is


def _pool_levels(today: dt.date):
    """The department pool's urgency groups in ``_ordered``'s order, each with the condition that
    picks its rows out of the pool and an order that is ``ORDER`` within the group (where
    ``is_mine``, ``urgency`` and ``priority`` are the same for every row) and that a partial index
    of ``review.Stage`` reads without sorting: past the statutory limit by that date
    (``stage_pool_statutory``), past the target by the target (``stage_pool_target``), due this
    week, the rest running (both by ``review.models.cases.shown_base``, ``stage_pool_due``); the
    stopped and the waiting ones last (``None``: whatever of the pool is not running)."""
    sunday = week_end(today)
    late = past_statutory_q(today)
    overdue = past_target_q(today) & ~late
    this_week = Q(state=StageState.RUNNING) & (
        Q(target_due__lte=sunday) | Q(statutory_due__lte=sunday, statutory_reference=False)) & ~late & ~overdue
    running = Q(state=StageState.RUNNING)
    by_base = (F("base_due").asc(nulls_last=True), "pk")
    # The rest running, said positively (the same rows as "running and none of the above"), as
    # a range of the index's date, so that PostgreSQL estimates it from that index's statistics.
    rest = running & (Q(base_due__gt=sunday) | Q(base_due__isnull=True)) & ~Q(
        statutory_due__lte=sunday, statutory_reference=False)
    return [(late, ("statutory_due", "pk")), (overdue, ("target_due", "pk")), (this_week, by_base),
            (rest, by_base), (None, by_base)]  # None: the rest of the pool (stopped, waiting)


def _first_rows(user, *, today: dt.date, limit: int) -> list:
    """The first ``limit`` rows of ``worklist_queryset(user)``, the same rows in the same order,
    without reading the department's whole unassigned pool (at 100,000 cases a supervisor's pool
    is 12,000 stages, which the single query read and sorted on every start page).

    The user's own stages come first and are few: one query, as ``worklist_queryset``. Then the
    pool's first rows are the first of two parts merged: the stages of priority and innovation
    cases (few; one query, ordered in full) and the others, read group by group in
    ``_pool_levels``'s order, each group's query an index range cut at the rows still needed,
    stopping once there are enough. The first rows of a union are among the first rows of its
    parts, so the merge is exact.
    """
    if not user.has_perm(SUPERVISE):
        # An officer's pool is their kinds' stages (``kind IN (...)``): PostgreSQL reads no index
        # in order across an IN list, so each group would be sorted anyway; the single query
        # costs less than the groups' statements (measured at 100,000 cases, docs/benchmarks.md).
        return list(worklist_queryset(user, today=today)[:limit])
    mine, pool_open, pool_waiting = _branches(user)
    rows = list(_ordered(Stage.objects.filter(mine), user, today=today)[:limit])
    need = limit - len(rows)
    if need <= 0:
        return rows
    pool_stages = Stage.objects.filter(pool_open | pool_waiting)
    if pool_stages.query.is_empty():
        return rows
    priority = Q(application__pathway__in=PRIORITY_PATHWAYS)
    found = list(_ordered(pool_stages.filter(priority), user, today=today)[:need])
    got = 0
    for urgency, (condition, order) in enumerate(_pool_levels(today)):
        # The running groups are department stages that run (waiting stages are pending): their
        # condition is the partial indexes' own, without the OR of the waiting branch (nor a
        # second test of the state, which PostgreSQL would count twice in its estimate).
        part = Stage.objects.filter(_department(user)) if condition is not None else pool_stages
        part = part.exclude(priority).alias(base_due=shown_base()).filter(condition or ~Q(state=StageState.RUNNING))
        level = list(part.select_related("application", "department", "assignee").order_by(*order)[:need - got])
        for s in level:  # what _ordered annotates, the same for the whole group (not planned per query)
            s.is_mine, s.urgency, s.priority = 1, urgency, 1
            s.shown_due = s.statutory_due if urgency == 0 else shown_base_of(s)
        found += level
        got += len(level)
        if got >= need:
            break
    return rows + sorted(found, key=_order_key)[:need]


def worklist(user, *, today: dt.date, cal: WorkingCalendar, limit: int = WORKLIST_SIZE):
    """``(items, total)``: the first ``limit`` items with their badge and working days left
    (negative: late), and how many there are in all."""
    team = team_breaches(user, today=today)
    rows = _first_rows(user, today=today, limit=limit)
    total = worklist_count(user)
    if team.query.is_empty():
        extra = []
    else:  # merged in the worklist's own order, then cut again
        extra = list(_ordered(team, user, today=today)[:limit])
        total += team.count()
    rows = sorted(rows + extra, key=_order_key)[:limit] if extra else rows
    items = []
    for s in rows:
        status = deadline_status(cal, state=s.state, target_due=s.target_due, statutory_due=s.statutory_due,
                                 statutory_reference=s.statutory_reference, warning_days=s.warning_days,
                                 today=today)
        due = s.shown_due  # the date the list is sorted by
        which = "statutory" if s.urgency == 0 or s.target_due is None else "target"
        remaining = cal.working_days_between(today, due) if due and s.state == StageState.RUNNING else None
        items.append(WorkItem(stage=s, level=status.level, mine=s.is_mine == 0, due=due, remaining=remaining,
                              which=which))
    return items, total


# --- who may take a stage ------------------------------------------------------------------------
def is_eligible_assignee(user, stage) -> bool:
    """Active staff of the case's office holding the role that handles the stage's kind, in the
    stage's department (any department when the stage has none)."""
    return bool(
        user.is_active and user.is_staff and user.has_perm(STAGE_KIND_PERMISSION[stage.kind])
        and in_office(stage.application, user)
        and (stage.department_id is None or user.department_id == stage.department_id)
    )


def eligible_assignees(stages) -> dict[int, list]:
    """``{stage pk: [users]}`` for the reassignment forms: the staff ``is_eligible_assignee``
    accepts. Three queries whatever the number of stages or roles: who holds which of the roles
    (through a group, or directly), then the users; only the cases' offices' staff are read (a
    national deployment's other offices hold the same roles in the same departments)."""
    from review.models import User

    stages = list(stages)
    if not stages:
        return {}
    codenames = {STAGE_KIND_PERMISSION[s.kind].split(".", 1)[1] for s in stages}
    offices = {s.application.office_id for s in stages}
    staff = User.objects.filter(Q(office_id__in=offices) | Q(is_superuser=True), is_active=True, is_staff=True)
    held = set(staff.filter(groups__permissions__content_type__app_label="review",
                            groups__permissions__codename__in=codenames)
               .values_list("pk", "groups__permissions__codename"))
    held |= set(staff.filter(user_permissions__content_type__app_label="review",
                             user_permissions__codename__in=codenames)
                .values_list("pk", "user_permissions__codename"))
    users = {u.pk: u for u in staff.filter(pk__in={pk for pk, _ in held}).select_related("department")
             .order_by("username")}
    out = {}
    for stage in stages:
        codename = STAGE_KIND_PERMISSION[stage.kind].split(".", 1)[1]
        out[stage.pk] = [u for pk, u in users.items() if (pk, codename) in held
                         and in_office(stage.application, u)
                         and (stage.department_id is None or u.department_id == stage.department_id)]
    return out
