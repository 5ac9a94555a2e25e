"""One status model (review.deadlines): the Q, the annotation and the in-memory predicate of each
deadline level say the same of every stage, over a grid of dates around a holiday, with rest-day
deadlines, reference-only limits, several warning lead times and paused stages."""

import datetime as dt
import itertools

from clock import sla
from review import deadlines
from review.models import Application, Stage
from review.models.enums import StageKind, StageState
from review.selectors import calendar_current

# 2026-04-30 is the Thursday before the May Day holiday (1–5 May; Saturday 9 May is worked), so a
# few working days ahead reach past rest days and deadlines fall on holidays.
TODAY = dt.date(2026, 4, 30)
OFFSETS = [None, *range(-3, 12)]  # calendar days from today; None: no such deadline
KINDS = [k for k, _label in StageKind.choices]


def _grid(make_application):
    base = make_application()
    combos = list(itertools.product(OFFSETS, OFFSETS, (False, True), (0, 3, 5),
                                    (StageState.RUNNING, StageState.PAUSED)))
    per_app = len(KINDS)
    apps = Application.objects.bulk_create([
        Application(reference=f"GRID{i:05d}", enterprise_id=base.enterprise_id, product_name="grid",
                    device_class="II", category="passive", application_type="first", route_id=base.route_id,
                    policy_pack_id=base.policy_pack_id, office_id=base.office_id, state="review", phase=4)
        for i in range(len(combos) // per_app + 1)])
    day = dt.timedelta(days=1)
    Stage.objects.bulk_create([
        Stage(application_id=apps[i // per_app].pk, kind=KINDS[i % per_app], phase=4, state=state,
              target_due=None if t is None else TODAY + t * day,
              statutory_due=None if s is None else TODAY + s * day,
              statutory_reference=ref, warning_days=lead)
        for i, (t, s, ref, lead, state) in enumerate(combos)])
    return Stage.objects.filter(application__in=apps)


def test_the_q_the_annotation_and_the_predicate_agree_on_every_stage(make_application):
    stages = _grid(make_application)
    cal = calendar_current()
    leads = deadlines.warning_leads()
    assert leads == [0, 3, 5]

    annotated = dict(stages.annotate(level=deadlines.level_annotation(TODAY, cal, leads))
                     .values_list("pk", "level"))
    by_q = {}
    for level in sla.RUNNING_LEVELS:
        for pk in stages.filter(deadlines.level_q(level, TODAY, cal, leads)).values_list("pk", flat=True):
            assert pk not in by_q, f"stage {pk} is both {by_q[pk]} and {level}: the levels must exclude each other"
            by_q[pk] = level
    in_memory = {s.pk: deadlines.stage_level(s, TODAY, cal) for s in stages}
    badge = {s.pk: sla.deadline_status(cal, state=s.state, target_due=s.target_due, statutory_due=s.statutory_due,
                                       statutory_reference=s.statutory_reference, warning_days=s.warning_days,
                                       today=TODAY).level for s in stages if s.state == StageState.RUNNING}

    running = {pk for pk, level in in_memory.items() if level is not None}
    assert {pk: annotated[pk] for pk in running} == {pk: in_memory[pk] for pk in running}
    assert by_q == {pk: in_memory[pk] for pk in running}
    assert badge == {pk: in_memory[pk] for pk in running}
    assert all(annotated[pk] is None for pk in set(in_memory) - running)  # paused: no level
    # The grid reaches every level, each several times, so the comparison above means something.
    counts = {level: list(in_memory.values()).count(level) for level in sla.RUNNING_LEVELS}
    assert all(n >= 10 for n in counts.values()), counts


def test_near_means_on_or_before_the_third_working_day_for_the_badge_the_lists_and_the_sweep():
    """Tuesday 2 June 2026: the third working day ahead is Friday 5 June. A limit on Saturday 6 June
    has three working days before it, yet falls after the third: the sweep (a date bound in SQL)
    never called it near while the badge (counting days) did. Both now say: not near."""
    from clock.calendar_sources import package_calendar

    cal, today = package_calendar(), dt.date(2026, 6, 2)
    assert cal.add_working_days(today, sla.BREACH_LEAD_DAYS) == dt.date(2026, 6, 5)
    assert cal.working_days_between(today, dt.date(2026, 6, 6)) == 3

    def level(due):
        return sla.running_level(cal, target_due=None, statutory_due=due, statutory_reference=False,
                                 warning_days=5, today=today)

    assert level(dt.date(2026, 6, 6)) == sla.ON_TRACK
    assert level(dt.date(2026, 6, 5)) == sla.STATUTORY_NEAR
    assert level(today) == sla.STATUTORY_NEAR  # due today: near, not yet passed
    assert level(dt.date(2026, 6, 1)) == sla.BREACH


def test_a_reference_only_limit_is_never_late_nor_near():
    """The national review's 90 WD are shown for reference: no level ever comes from them."""
    from clock.calendar_sources import package_calendar

    cal = package_calendar()
    for offset in (-30, -1, 0, 1):
        assert sla.running_level(cal, target_due=None, statutory_due=TODAY + dt.timedelta(days=offset),
                                 statutory_reference=True, warning_days=5, today=TODAY) == sla.ON_TRACK
