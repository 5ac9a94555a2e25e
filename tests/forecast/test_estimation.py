"""The forecast's arithmetic against hand-computed figures (forecast/estimation.py)."""

import datetime as dt

import pytest

from clock.calendar import WorkingCalendar
from forecast.estimation import (
    Curve,
    RemainingStage,
    StageHistory,
    choose,
    conditional_quantile,
    group_key,
    kaplan_meier,
    simulate,
)

D = dt.date
# Durations 2, 3, 3+, 5, 6+, 8 (+ = still running, censored):
#   t=2: 6 at risk, 1 done  -> S = 5/6
#   t=3: 5 at risk, 1 done  -> S = 5/6 * 4/5 = 2/3   (the one censored at 3 leaves after)
#   t=5: 3 at risk, 1 done  -> S = 2/3 * 2/3 = 4/9
#   t=8: 1 at risk, 1 done  -> S = 0
SAMPLE = ([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])


def test_kaplan_meier_against_a_hand_computed_sample():
    c = kaplan_meier(*SAMPLE)
    assert c.times == (2, 3, 5, 8)
    assert c.surv == pytest.approx((5 / 6, 2 / 3, 4 / 9, 0.0))
    assert (c.events, c.censored, c.last) == (4, 2, 8)
    assert c.s(1) == 1.0 and c.s(4) == pytest.approx(2 / 3)


def test_censored_stages_are_not_counted_as_finished():
    """Reading the running stages as finished at the days used so far would put S(3) at 1/2."""
    naive = kaplan_meier(SAMPLE[0], [True] * 6)
    assert naive.s(3) == pytest.approx(0.5)
    assert kaplan_meier(*SAMPLE).s(3) == pytest.approx(2 / 3)


def test_the_running_stage_is_conditioned_on_the_days_it_has_used():
    c = kaplan_meier(*SAMPLE)
    assert conditional_quantile(c, 0.5) == 5  # S(5) = 4/9 <= 1/2
    # Used 3 days already: S(t)/S(3) <= 1/2 needs S(t) <= 1/3: not at 5 (4/9), at 8.
    assert conditional_quantile(c, 0.5, elapsed=3) == 8
    assert conditional_quantile(c, 0.3, elapsed=3) == 5  # S(5)/S(3) = 2/3 <= 0.7
    # Used 5: only 8 is left.
    assert conditional_quantile(c, 0.1, elapsed=5) == 8


def test_a_curve_that_never_gets_low_enough_says_so():
    c = kaplan_meier([4, 10, 10, 10], [True, False, False, False])
    assert conditional_quantile(c, 0.9) is None


def _history(durations, kind="technical_review", level=0, supplement=0.0, answers=((), ())):
    return StageHistory(kind=kind, level=level, key={}, office=kaplan_meier(durations, [True] * len(durations)),
                        supplement_share=supplement, answer=kaplan_meier(*answers) if answers[0] else
                        Curve((), (), 0, 0, 0))


CAL = WorkingCalendar(official_years=frozenset({2026}))


def test_every_past_stage_took_ten_days_so_both_dates_are_ten_working_days_on():
    h = _history([10] * 40)
    f = simulate([RemainingStage("technical_review", 1, history=h)], as_of=D(2026, 3, 2), cal=CAL)
    assert f.p50 == f.p90 == D(2026, 3, 16)  # Mon 03-02 + 10 working days (no holiday in this calendar)
    assert (f.office_days_p50, f.applicant_days_p50, f.basis_cases) == (10, 0, 40)


def test_parallel_stages_wait_for_the_slowest_and_phases_add_up():
    review, qms, decision = _history([10] * 40), _history([20] * 40, "qms"), _history([5] * 40, "decision")
    f = simulate([RemainingStage("technical_review", 1, history=review), RemainingStage("qms", 1, history=qms),
                  RemainingStage("decision", 2, history=decision)], as_of=D(2026, 3, 2), cal=CAL)
    assert f.office_days_p50 == 25
    assert f.p50 == CAL.add_working_days(D(2026, 3, 2), 25)


def test_the_applicants_part_is_in_calendar_days_apart_from_the_offices():
    # Every past stage had a supplement answered in exactly 30 calendar days.
    h = _history([10] * 40, supplement=1.0, answers=([30] * 40, [True] * 40))
    f = simulate([RemainingStage("technical_review", 1, history=h)], as_of=D(2026, 3, 2), cal=CAL)
    assert (f.office_days_p50, f.applicant_days_p50) == (10, 30)
    assert f.p50 == D(2026, 3, 16) + dt.timedelta(days=30)
    # A supplement already answered: the one-time notice (Order 47 Art. 54), none expected again.
    again = simulate([RemainingStage("technical_review", 1, supplemented=True, history=h)],
                     as_of=D(2026, 3, 2), cal=CAL)
    assert again.applicant_days_p50 == 0


def test_a_case_with_no_history_gets_no_forecast():
    assert simulate([RemainingStage("technical_review", 1, history=None)], as_of=D(2026, 3, 2), cal=CAL) is None
    assert choose({}, "technical_review", {"pack": "cq"}) is None


def test_the_narrowest_group_with_enough_finished_stages_is_chosen():
    attrs = {"pack": "cq", "device_class": "II", "category": "ivd", "application_type": "first",
             "pathway": "standard"}
    wide = _history([10] * 40)
    narrow_few = _history([30] * 5, level=3)
    by_class = _history([20] * 35, level=2)
    groups = {group_key("technical_review", attrs, 0): wide, group_key("technical_review", attrs, 3): narrow_few,
              group_key("technical_review", attrs, 2): by_class}
    assert choose(groups, "technical_review", attrs) is by_class  # category has 5 < 30: widened to class
    assert choose(groups, "technical_review", attrs, min_basis=5) is narrow_few


def test_a_date_past_the_published_year_is_provisional():
    # Only 2026's schedule is published: a case needing 250 working days from December ends in 2027.
    h = _history([250] * 40)
    f = simulate([RemainingStage("technical_review", 1, history=h)], as_of=D(2026, 12, 1), cal=CAL)
    assert f.p90.year == 2027 and f.provisional
    short = simulate([RemainingStage("technical_review", 1, history=_history([5] * 40))],
                     as_of=D(2026, 12, 1), cal=CAL)
    assert not short.provisional


def test_a_slow_month_is_counted_slower_and_a_thin_month_stays_near_average():
    import math

    from forecast.estimation import SEASON_PRIOR, season_factors

    # 300 stages started in February took e^4 - 1 days, 300 in June e^3 - 1: log means 4 and 3,
    # overall 3.5. February: exp(300/400 · 0.5) = 1.4550; June: exp(-0.375) = 0.6873.
    f = season_factors({2: (4.0 * 300, 300), 6: (3.0 * 300, 300)})
    assert f[1] == pytest.approx(math.exp(0.75 * 0.5), abs=1e-4) and f[5] == pytest.approx(math.exp(-0.375), abs=1e-4)
    assert f[0] == 1.0  # no stage started in January: average
    assert SEASON_PRIOR == 100


def test_the_season_stretches_the_remaining_office_days():
    h = _history([10] * 40)
    h.season = (1.0, 1.5) + (1.0,) * 10  # February 50% slower
    f = simulate([RemainingStage("technical_review", 1, history=h)], as_of=D(2026, 2, 2), cal=CAL)
    assert f.office_days_p50 == 15


def test_a_running_stage_of_a_slow_month_stretches_what_it_still_needs():
    """Every past stage took 10 days; one that has used 6 needs 4 more, 6 in a month half again as
    slow."""
    from forecast.estimation import _office_draw

    curve = kaplan_meier([10] * 40, [True] * 40)
    assert _office_draw(curve, 0.5, 6, 1.5) == 6
    assert _office_draw(curve, 0.5, 6, 1.0) == 4
    assert _office_draw(curve, 0.5, 0, 1.5) == 15


def test_stages_with_a_request_are_drawn_from_their_own_curve():
    """Past stages without a request took 10 days, those with one 20: a stage whose supplement is
    answered takes 20, one never asked 10 (the pooled curve would put both at its mixture)."""
    plain, asked = kaplan_meier([10] * 40, [True] * 40), kaplan_meier([20] * 40, [True] * 40)
    h = StageHistory(kind="technical_review", level=0, key={}, office=kaplan_meier([10] * 40 + [20] * 40, [True] * 80),
                     supplement_share=0.0, answer=Curve((), (), 0, 0, 0), plain=plain, with_request=asked)
    answered = simulate([RemainingStage("technical_review", 1, supplemented=True, history=h)],
                        as_of=D(2026, 3, 2), cal=CAL)
    never = simulate([RemainingStage("technical_review", 1, history=h)], as_of=D(2026, 3, 2), cal=CAL)
    assert (answered.office_days_p50, never.office_days_p50) == (20, 10)
    # Too few on one side (SPLIT_MIN finished stages): the pooled curve.
    thin = StageHistory(kind="technical_review", level=0, key={}, office=h.office, supplement_share=0.0,
                        answer=h.answer, plain=plain, with_request=kaplan_meier([20] * 5, [True] * 5))
    assert thin.office_for(True) is h.office and thin.office_for(False) is plain


def test_the_days_before_the_request_choose_the_bin():
    """80 stages asked after 5 days took 12 in all, 80 asked after 20 took 45; one still running,
    asked after 21, has used 30 (censored). Two bins split at 5: a stage asked on its 4th day is
    drawn from the first, one asked on its 25th (past every edge) from the last."""
    from forecast.estimation import ByRequest, request_bins

    tally = {(5, (12, True)): 80, (20, (45, True)): 80, (21, (30, False)): 1}
    bins = request_bins(tally, most=10, least=40)
    assert bins.edges == (5, 21)  # four bins would fit by count (160 // 40), but the ties leave two
    assert [c.events for c in bins.curves] == [80, 80] and bins.curves[1].censored == 1
    assert conditional_quantile(bins.curve(4), 0.5) == 12 and conditional_quantile(bins.curve(25), 0.5) == 45
    assert ByRequest.from_json(bins.to_json()) == bins
    assert request_bins({(5, (12, True)): 30}, least=40) is None  # one bin: nothing to tell apart


def test_a_months_running_stages_do_not_make_it_look_fast():
    """A month's stages: finished after 4 and 20 days, two still running at 5. Of the finished
    alone the mean log would give 4 and 20 half each; on the survival curve (S = 3/4 after day 4,
    the running two leave at 5, S = 0 at 20) the quick one counts a quarter."""
    import math

    from forecast.history import _log_mean

    total, n = _log_mean(kaplan_meier([4, 5, 5, 20], [True, False, False, True]))
    assert n == 2 and total / n == pytest.approx(0.25 * math.log(5) + 0.75 * math.log(21))
