"""clock.sla: which limits apply, and where they fall on the calendar.

Mostly pure: rules are plain namespaces and the calendar is built from the maintained package,
no database. The last group reads the real rules the migration seeded, to pin the packs' data.

Calendar facts used (2026 State Council notice): Spring Festival Feb 15-23 off, Sat Feb 14 and
Sat Feb 28 working days.
"""

from datetime import date as D
from types import SimpleNamespace

import pytest

from clock.calendar import WorkingCalendar
from clock.calendar_sources import package_calendar
from clock.sla import (
    BREACH_LEAD_DAYS,
    DEFAULT_WARNING_DAYS,
    HANDOVER_SOURCE,
    Limits,
    deadline_status,
    due_date,
    elapsed_days,
    max_extension,
    resolve_limits,
)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return package_calendar()


def rule(stage_kind="technical_review", *, device_class="", category="", pathway="",
         application_type="", complex_product=None, statutory_days=None, target_days=None,
         after_supplement_days=None, warning_days=None, anchor="", statutory_reference=False,
         source="", after_rectification_days=None, rectification_months=None, baseline_days=None,
         target_is_default=False):
    return SimpleNamespace(**{k: v for k, v in locals().items()})


def attrs(device_class="II", category="passive", pathway="standard", application_type="first",
          complex_product=False):
    return dict(locals())


# --- resolve_limits --------------------------------------------------------------------------
def test_the_most_specific_matching_rule_wins():
    rules = [
        rule(statutory_days=60, source="generic"),
        rule(device_class="III", statutory_days=90, source="class III"),
        rule(device_class="III", application_type="change", statutory_days=70, source="III change"),
        rule(device_class="II", category="ivd", statutory_days=50, source="II IVD"),
    ]
    assert resolve_limits([rules], kind="technical_review", attrs=attrs()).statutory_days == 60
    assert resolve_limits([rules], kind="technical_review",
                          attrs=attrs(device_class="III")).statutory_days == 90
    three_change = resolve_limits([rules], kind="technical_review",
                                  attrs=attrs(device_class="III", application_type="change"))
    # The technical review's basis names the hand-over first (Order 47 Art. 91).
    assert (three_change.statutory_days, three_change.source) == (70, f"{HANDOVER_SOURCE}；III change")
    assert resolve_limits([rules], kind="technical_review",
                          attrs=attrs(category="ivd")).statutory_days == 50


def test_rules_of_other_stage_kinds_and_non_matching_keys_are_ignored():
    rules = [
        rule("decision", statutory_days=20),
        rule(pathway="priority", statutory_days=30),
        rule(complex_product=True, statutory_days=99),
    ]
    assert resolve_limits([rules], kind="technical_review", attrs=attrs()) == Limits()
    assert resolve_limits([rules], kind="technical_review",
                          attrs=attrs(pathway="priority")).statutory_days == 30


def test_complex_flag_false_is_a_condition_and_none_matches_both():
    rules = [rule(complex_product=False, target_days=45), rule(complex_product=None, target_days=60)]
    assert resolve_limits([rules], kind="technical_review", attrs=attrs()).target_days == 45
    assert resolve_limits([rules], kind="technical_review",
                          attrs=attrs(complex_product=True)).target_days == 60


def test_child_numbers_override_the_parent_and_empty_ones_inherit():
    parent = [rule(statutory_days=60, after_supplement_days=60, warning_days=7, anchor="acceptance",
                   source="Order 47")]
    child = [rule(device_class="II", target_days=40, source="CQ")]
    limits = resolve_limits([child, parent], kind="technical_review", attrs=attrs())
    assert limits == Limits(statutory_days=60, target_days=40, after_supplement_days=60,
                            warning_days=7, anchor="acceptance", statutory_reference=False,
                            source=f"{HANDOVER_SOURCE}；CQ；Order 47", handover_days=3)
    # A child that states a number wins over its parent's.
    child = [rule(statutory_days=50, warning_days=3, anchor="stage", source="local")]
    limits = resolve_limits([child, parent], kind="technical_review", attrs=attrs())
    assert (limits.statutory_days, limits.warning_days, limits.anchor) == (50, 3, "stage")
    assert limits.after_supplement_days == 60


def test_a_grandparent_fills_what_parent_and_child_leave_empty():
    levels = [[rule(target_days=30)], [rule(warning_days=2)], [rule(statutory_days=60)]]
    limits = resolve_limits(levels, kind="technical_review", attrs=attrs())
    assert (limits.statutory_days, limits.target_days, limits.warning_days) == (60, 30, 2)


def test_the_child_level_is_read_first_even_when_the_parent_rule_is_more_specific():
    child = [rule(target_days=40)]
    parent = [rule(device_class="II", category="passive", target_days=20, statutory_days=60)]
    assert resolve_limits([child, parent], kind="technical_review", attrs=attrs()).target_days == 40


def test_target_is_never_above_the_statutory_limit():
    levels = [[rule(target_days=70)], [rule(statutory_days=60)]]
    assert resolve_limits(levels, kind="technical_review", attrs=attrs()).target_days == 60


def test_without_a_target_the_statutory_limit_is_the_target():
    limits = resolve_limits([[rule("acceptance", statutory_days=5)]], kind="acceptance",
                            attrs=attrs())
    assert (limits.statutory_days, limits.target_days) == (5, 5)


def test_a_target_without_statutory_limit_stays_a_target():
    limits = resolve_limits([[rule("presubmission", target_days=10)]], kind="presubmission",
                            attrs=attrs())
    assert (limits.statutory_days, limits.target_days) == (None, 10)


def test_defaults_when_no_rule_matches():
    limits = resolve_limits([[], []], kind="decision", attrs=attrs())
    assert limits == Limits()
    assert (limits.warning_days, limits.anchor) == (DEFAULT_WARNING_DAYS, "stage")


def test_a_reference_limit_anywhere_marks_the_limits_as_reference():
    levels = [[rule("national_review", target_days=80, source="x")],
              [rule("national_review", statutory_days=90, statutory_reference=True, source="x")]]
    limits = resolve_limits(levels, kind="national_review", attrs=attrs(device_class="III"))
    assert limits.statutory_reference is True
    assert limits.source == "x"  # repeated sources are listed once


# --- due_date, elapsed_days, max_extension ---------------------------------------------------
def test_due_date(cal):
    start = D(2026, 2, 11)  # Wed before Spring Festival
    assert due_date(cal, clock_start=start, budget=None) is None
    # Thu 12 (1), Fri 13 (2), Sat 14 (3), Tue 24 (4), Wed 25 (5).
    assert due_date(cal, clock_start=start, budget=5) == D(2026, 2, 25)
    assert due_date(cal, clock_start=start, budget=7, consumed=2) == D(2026, 2, 25)
    assert due_date(cal, clock_start=start, budget=3, extension=2) == D(2026, 2, 25)
    assert due_date(cal, clock_start=start, budget=5, consumed=5) == start


def test_due_date_with_the_budget_overrun_lies_before_the_clock_start(cal):
    # Resumed Wed 2026-02-25 with 2 WD more used than the budget: 2 WD before it. Tue Feb 24 is
    # one; Feb 16-23 are holidays, Sun 15 a weekend; Sat Feb 14 (adjusted) is the second.
    assert due_date(cal, clock_start=D(2026, 2, 25), budget=10, consumed=12) == D(2026, 2, 14)


def test_elapsed_days(cal):
    start = D(2026, 2, 13)  # Fri
    # Running: Sat 14 (adjusted) and Tue 24 since the start, plus 3 used before.
    assert elapsed_days(cal, clock_start=start, consumed=3, running=True, today=D(2026, 2, 24)) == 5
    assert elapsed_days(cal, clock_start=start, consumed=3, running=True, today=D(2026, 2, 23)) == 4
    # Not running, no clock, or not yet later than the start: only what was used before.
    assert elapsed_days(cal, clock_start=start, consumed=3, running=False, today=D(2026, 3, 2)) == 3
    assert elapsed_days(cal, clock_start=None, consumed=3, running=True, today=D(2026, 3, 2)) == 3
    assert elapsed_days(cal, clock_start=start, consumed=3, running=True, today=start) == 3
    assert elapsed_days(cal, clock_start=start, consumed=3, running=True,
                        today=D(2026, 2, 1)) == 3


@pytest.mark.parametrize(("original", "cap"), [(60, 30), (90, 45), (5, 2), (45, 22), (1, 0),
                                               (0, 0), (None, 0)])
def test_max_extension_is_half_the_original_limit_rounded_down(original, cap):
    # Order 47 Art. 96: an extension may not exceed half of the original limit.
    assert max_extension(original) == cap


# --- deadline_status -------------------------------------------------------------------------
def status(cal, today, *, target, statutory, reference=False, warning=5, state="running"):
    return deadline_status(cal, state=state, target_due=target, statutory_due=statutory,
                           statutory_reference=reference, warning_days=warning, today=today)


@pytest.mark.parametrize("state", ["done", "skipped", "cancelled"])
def test_a_final_stage_is_never_late(cal, state):
    # Its badge is its state (a skipped stage shows as skipped), whatever dates are left on it.
    s = status(cal, D(2027, 1, 1), target=D(2026, 1, 5), statutory=D(2026, 1, 5), state=state)
    assert (s.level, s.remaining_target, s.remaining_statutory) == (state, None, None)


@pytest.mark.parametrize("state", ["paused", "pending"])
def test_a_paused_or_pending_stage_has_no_countdown(cal, state):
    s = status(cal, D(2027, 1, 1), target=None, statutory=None, state=state)
    assert (s.level, s.remaining_target) == (state, None)


def test_on_track_counts_working_days_left(cal):
    # From Fri Feb 13 to the target Wed Feb 25: Sat 14, Tue 24, Wed 25 = 3. To the statutory
    # date Wed Mar 11: those 3, Feb 26-27, Sat Feb 28, Mar 2-6, Mar 9-11 = 14.
    s = status(cal, D(2026, 2, 13), target=D(2026, 2, 25), statutory=D(2026, 3, 11), warning=2)
    assert (s.level, s.remaining_target, s.remaining_statutory) == ("on_track", 3, 14)


def test_due_soon_within_the_warning_lead_time(cal):
    today = D(2026, 3, 2)  # Mon
    assert status(cal, today, target=D(2026, 3, 9), statutory=D(2026, 4, 30)).level == "due_soon"
    assert status(cal, today, target=D(2026, 3, 10), statutory=D(2026, 4, 30)).level == "on_track"
    due_day = status(cal, today, target=today, statutory=D(2026, 4, 30))
    assert (due_day.level, due_day.remaining_target) == ("due_soon", 0)  # due today: not late


def test_statutory_limit_within_three_working_days_is_statutory_near_even_without_warning(cal):
    """Its own level (临近法定时限), as the sweep's alert and the dashboard call it, not "due soon"."""
    assert BREACH_LEAD_DAYS == 3
    today = D(2026, 3, 2)
    assert status(cal, today, target=D(2026, 3, 5), statutory=D(2026, 3, 5),
                  warning=0).level == "statutory_near"
    assert status(cal, today, target=D(2026, 3, 6), statutory=D(2026, 3, 6),
                  warning=0).level == "on_track"  # 4 WD left


def test_overdue_when_the_target_passed(cal):
    s = status(cal, D(2026, 3, 3), target=D(2026, 3, 2), statutory=D(2026, 3, 31))
    assert (s.level, s.remaining_target) == ("overdue", -1)


def test_breach_when_the_statutory_limit_passed(cal):
    s = status(cal, D(2026, 2, 24), target=D(2026, 2, 12), statutory=D(2026, 2, 13))
    # Sat Feb 14 and Tue Feb 24 since the statutory date.
    assert (s.level, s.remaining_statutory, s.remaining_target) == ("breach", -2, -3)


def test_a_reference_limit_is_never_a_breach(cal):
    # The national review's 90 WD run at the CMDE: shown, never a local statutory breach.
    s = status(cal, D(2026, 3, 3), target=D(2026, 3, 2), statutory=D(2026, 3, 2), reference=True)
    assert s.level == "overdue"
    s = status(cal, D(2026, 3, 2), target=D(2026, 3, 31), statutory=D(2026, 3, 3), reference=True,
               warning=0)
    assert s.level == "on_track"


# --- the packs the migration seeded ----------------------------------------------------------
@pytest.fixture
def levels(db):
    from review.models import PolicyPack
    from review.selectors import policy_levels

    return lambda code: policy_levels(PolicyPack.objects.get(code=code))


@pytest.mark.parametrize(
    ("category", "complex_product", "target", "baseline"),
    [
        # Chongqing plan item 19: average testing time 60 -> 45, 45 -> 30, 120 -> 90 WD ...
        ("passive", False, 45, 60), ("ivd", False, 30, 45), ("active", False, 90, 120),
        # ... except complex products, which get no shortened target at all.
        ("passive", True, None, None), ("ivd", True, None, None), ("active", True, None, None),
    ],
)
def test_chongqing_testing_targets_and_baselines(levels, category, complex_product, target, baseline):
    limits = resolve_limits(levels("cq-2025"), kind="testing",
                            attrs=attrs(category=category, complex_product=complex_product))
    # Testing has no statutory limit anywhere (Order 47 Art. 30, 52): the test report is part of the
    # dossier. The plan's old averages are its baseline, shown, never a deadline.
    assert (limits.target_days, limits.statutory_days, limits.baseline_days) == (target, None, baseline)
    assert "第19条" in limits.source if target else True


@pytest.mark.parametrize("code", ["cn-statutory", "sh-2021", "hz-2023", "ls-2024"])
def test_testing_has_no_statutory_limit_in_any_pack(levels, code):
    for category in ("passive", "ivd", "active"):
        limits = resolve_limits(levels(code), kind="testing", attrs=attrs(category=category))
        assert (limits.statutory_days, limits.target_days) == (None, None)


def test_defaults_without_a_source_are_labelled_as_defaults(levels):
    presub = resolve_limits(levels("cn-statutory"), kind="presubmission", attrs=attrs())
    assert (presub.target_days, presub.target_is_default, presub.statutory_days) == (10, True, None)
    qms = resolve_limits(levels("cn-statutory"), kind="qms_verification", attrs=attrs())
    assert (qms.target_days, qms.target_is_default, qms.statutory_days) == (30, True, None)
    # Class III: a statutory 30 WD (Order 47 Art. 93), and the target is that limit, not a default.
    qms3 = resolve_limits(levels("cn-statutory"), kind="qms_verification", attrs=attrs(device_class="III"))
    assert (qms3.target_days, qms3.target_is_default, qms3.statutory_days) == (30, False, 30)
    assert (qms3.rectification_months, qms3.after_rectification_days) == (6, 30)
    # The Chongqing fast review: the plan gives no number; the administrator's default says so.
    fast = resolve_limits(levels("cq-2025"), kind="technical_review",
                          attrs=attrs(pathway="registered_elsewhere"))
    assert (fast.target_days, fast.target_is_default, fast.statutory_days) == (40, True, 60)
    assert "第7条" in fast.source


def test_sources_cite_documents_and_items_never_file_names(db):
    from review.models import PolicyPack, PolicyRule

    for text in [*PolicyRule.objects.values_list("source", flat=True),
                 *PolicyPack.objects.values_list("source", flat=True)]:
        assert "seed" not in text.lower() and ".txt" not in text, text
    assert PolicyPack.objects.get(code="cq-2025").effective_from == D(2025, 1, 6)


def test_lishui_is_a_case_level_reference_not_stage_targets(levels):
    from review.models import PolicyPack

    pack = PolicyPack.objects.get(code="ls-2024")
    assert pack.reference_total_days == 5 and "意向" in pack.reference_total_label
    assert not pack.rules.exists()
    for kind in ("acceptance", "licence_inspection", "decision", "issuance"):
        mine = resolve_limits(levels("ls-2024"), kind=kind, attrs=attrs(application_type="licence"))
        national = resolve_limits(levels("cn-statutory"), kind=kind, attrs=attrs(application_type="licence"))
        assert mine == national


def test_huizhou_has_the_statutory_numbers_and_the_presubmission_service(levels):
    for kind in ("acceptance", "technical_review", "decision", "issuance"):
        hz = resolve_limits(levels("hz-2023"), kind=kind, attrs=attrs())
        cn = resolve_limits(levels("cn-statutory"), kind=kind, attrs=attrs())
        assert (hz.statutory_days, hz.target_days) == (cn.statutory_days, cn.statutory_days)
    presub = resolve_limits(levels("hz-2023"), kind="presubmission", attrs=attrs())
    assert "第23条" in presub.source and presub.target_is_default


def test_chongqing_technical_review(levels):
    two = resolve_limits(levels("cq-2025"), kind="technical_review", attrs=attrs())
    assert (two.statutory_days, two.target_days, two.after_supplement_days) == (60, 40, 60)
    # Class III review keeps the national numbers: the plan shortens Class II only.
    three = resolve_limits(levels("cq-2025"), kind="technical_review",
                           attrs=attrs(device_class="III"))
    assert (three.statutory_days, three.target_days, three.after_supplement_days) == (90, 90, 60)


def test_national_review_is_a_reference(levels):
    limits = resolve_limits(levels("cq-2025"), kind="national_review",
                            attrs=attrs(device_class="III"))
    assert (limits.statutory_days, limits.statutory_reference) == (90, True)


def test_licence_decision_counts_from_acceptance(levels):
    licence = resolve_limits(levels("cn-statutory"), kind="decision",
                             attrs=attrs(application_type="licence"))
    assert (licence.statutory_days, licence.anchor) == (20, "licence_acceptance")
    parallel = resolve_limits(levels("cn-statutory"), kind="licence_decision", attrs=attrs())
    assert (parallel.statutory_days, parallel.anchor) == (20, "licence_acceptance")
    issue = resolve_limits(levels("cn-statutory"), kind="licence_issuance", attrs=attrs())
    assert issue.statutory_days == 10
    registration = resolve_limits(levels("cn-statutory"), kind="decision", attrs=attrs())
    assert (registration.statutory_days, registration.anchor) == (20, "stage")


def test_shanghai_halves_class_ii_review_and_sets_no_decision_target(levels):
    for kind in ("first", "change", "renewal"):
        review = resolve_limits(levels("sh-2021"), kind="technical_review", attrs=attrs(application_type=kind))
        assert (review.target_days, review.statutory_days, review.baseline_days) == (30, 60, 60)
        assert "到2023年" in review.source
    # The plan sets no decision target: the decision keeps the statutory 20 WD as its only limit.
    decision = resolve_limits(levels("sh-2021"), kind="decision", attrs=attrs())
    assert (decision.target_days, decision.statutory_days) == (20, 20)
