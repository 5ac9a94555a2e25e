"""Each officer's "my work": the stages assigned to them, then their department's unassigned
ones they may handle (a supervisor: all of the department's, and the department's stages past
the statutory limit that are assigned to colleagues), most urgent first.

Order: assigned to me before unassigned; then statutory limit passed, target passed, due this
week (target or statutory date by Sunday), the rest running, paused; within each, the priority
and innovation pathways first, then by date. One query for the rows and one for the count,
whatever the number of cases; "late" is ``review.deadlines``, read at request time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, DateField, F, IntegerField, Q, Value, When

from clock.calendar import WorkingCalendar
from clock.sla import deadline_status
from review.deadlines import past_statutory_q, past_target_q
from review.models import Stage
from review.models.enums import DOSSIER_KINDS, KIND_CASE_STATE, MANUAL_START_KINDS, Pathway, StageState
from review.permissions import DIRECTOR, STAGE_KIND_PERMISSION, SUPERVISE

WORKLIST_SIZE = 50
PRIORITY_PATHWAYS = (Pathway.PRIORITY, Pathway.INNOVATION)
# The case states in which a stage of the open phase runs (not suspended, not closed, not a draft).
RECEIPT_CASE_STATES = sorted(set(KIND_CASE_STATE.values()))


def week_end(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=6 - today.weekday())


def worklist_stages(user):
    """The stages on the user's worklist, unordered (the count reads this)."""
    kinds = [kind for kind, perm in STAGE_KIND_PERMISSION.items() if user.has_perm(perm)]
    mine = Q(assignee_id=user.pk)
    if user.department_id and user.office_id:
        # A department is a function every office has: its pool is this office's cases only.
        department = Q(assignee__isnull=True, department_id=user.department_id,
                       application__office_id=user.office_id)
        if not user.has_perm(SUPERVISE):
            department &= Q(kind__in=kinds)
    else:
        department = Q(pk__in=[])
    # Open stages, and the stages of the case's open phase waiting for a receipt to start (samples
    # for testing, the dossier for an acceptance opened after testing or pre-submission, the national
    # centre's notice for a Class III verification): a pending stage of the open phase is exactly
    # one the case page offers "Record the receipt" for (services.workflow.phases.waits_for_receipt).
    # Written so that each branch matches a partial index (review.Stage.Meta.indexes).
    open_states = Q(state__in=[StageState.RUNNING, StageState.PAUSED])
    # Only stages that can wait for a receipt at all (services.workflow.phases.waits_for_receipt):
    # tested on the stage row before the join, so the many pending later-phase stages (every open
    # case's decision, say) never reach it (an approver's list at 100,000 cases: 230 -> 60 ms).
    can_wait = Q(manual_start=True) | Q(kind__in=[*MANUAL_START_KINDS, *DOSSIER_KINDS])
    waiting_start = Q(state=StageState.PENDING, phase=F("application__phase"),
                      application__state__in=RECEIPT_CASE_STATES) & can_wait
    wanted = (open_states & mine) | (open_states & department)
    if kinds or user.has_perm(SUPERVISE):
        wanted |= waiting_start & (mine | department)  # only then join the applications
    return Stage.objects.filter(wanted)


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


def worklist(user, *, today: dt.date, cal: WorkingCalendar, limit: int = WORKLIST_SIZE):
    """``(items, total)``: the first ``limit`` items with their badge and working days left
    (negative: late), and how many there are in all."""
    team = team_breaches(user, today=today)
    rows = list(worklist_queryset(user, today=today)[:limit])
    total = worklist_stages(user).count()
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
    """Active staff holding the role that handles the stage's kind, in the stage's department
    (any department when the stage has none)."""
    return bool(
        user.is_active and user.is_staff and user.has_perm(STAGE_KIND_PERMISSION[stage.kind])
        and (stage.department_id is None or user.department_id == stage.department_id)
    )


def eligible_assignees(stages) -> dict[int, list]:
    """``{stage pk: [users]}`` for the reassignment forms. Three queries whatever the number of
    stages or roles: who holds which of the roles (through a group, or directly), then the users."""
    from review.models import User

    stages = list(stages)
    if not stages:
        return {}
    codenames = {STAGE_KIND_PERMISSION[s.kind].split(".", 1)[1] for s in stages}
    staff = User.objects.filter(is_active=True, is_staff=True)
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
                         and (stage.department_id is None or u.department_id == stage.department_id)]
    return out
