"""Stage clocks through the services: deadlines on the official calendar, pauses, supplements,
suspension, extensions, provisional years and the deadline counted from acceptance.

Every expected date below was counted by hand on the State Council schedules and is explained
in a comment (WD = working day; the start day is never counted, docs/calendar.md#how-working-days-are-counted):

2025: Spring Festival Jan 28-Feb 4 off (weekdays Jan 28-31, Feb 3-4), work Sun Jan 26 and
      Sat Feb 8; Qingming Apr 4 (Fri) off.
2026: Spring Festival Feb 15-23 off (weekdays Feb 16-20 and 23), work Sat Feb 14 and Sat Feb 28;
      Qingming Apr 4-6 (Mon Apr 6 off); Labour Day May 1-5 (Fri-Tue) off, work Sat May 9;
      Dragon Boat Fri Jun 19 off; Mid-Autumn Fri Sep 25 off, work Sun Sep 20;
      National Day Oct 1-7 (Thu-Wed) off, work Sat Oct 10.
2027 and later: no official schedule loaded (provisional).
"""

import datetime as dt

import pytest

from review.exceptions import InvalidInput, NotAllowedNow, PermissionDenied
from review.models import ClockStop, Extension, TransitionLog
from review.selectors import calendar_current
from services import workflow
from tests.conftest import MONDAY, log_of, stage_of

pytestmark = pytest.mark.django_db

D = dt.date


def submit(users, app, on):
    workflow.application_submit(application=app, actor=users.enterprise, today=on)
    return app


def accept(users, app, on):
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                            outcome="accepted", today=on)
    return app


def dues(stage):
    return stage.target_due, stage.statutory_due


# --- deadlines on the official calendar ------------------------------------------------------
def test_acceptance_across_spring_festival_2026(users, make_application):
    # Submitted Wed 2026-02-11. Order 47 Art. 53: 5 WD.
    # Thu 12 (1), Fri 13 (2), Sat 14 adjusted working day (3), Sun 15-Mon 23 holiday,
    # Tue 24 (4), Wed 25 (5) -> 2026-02-25. Weekends-only counting would give Feb 18.
    app = submit(users, make_application(today=D(2026, 2, 11)), D(2026, 2, 11))
    acceptance = stage_of(app, "acceptance")
    assert (acceptance.statutory_days, acceptance.target_days) == (5, 5)
    assert acceptance.started_on == acceptance.clock_started_on == D(2026, 2, 11)
    assert dues(acceptance) == (D(2026, 2, 25), D(2026, 2, 25))
    assert acceptance.deadline_provisional is False
    # The deadlines are in the log row that started the clock.
    row = TransitionLog.objects.get(application=app, action="stage_start")
    assert row.details == {"target_due": "2026-02-25", "statutory_due": "2026-02-25",
                           "provisional": False}


def test_acceptance_across_national_day_2026(users, make_application):
    # Submitted Tue 2026-09-29: Wed 30 (1), Oct 1-7 holiday, Thu 8 (2), Fri 9 (3),
    # Sat 10 adjusted working day (4), Mon 12 (5) -> 2026-10-12.
    app = submit(users, make_application(today=D(2026, 9, 29)), D(2026, 9, 29))
    assert dues(stage_of(app, "acceptance")) == (D(2026, 10, 12), D(2026, 10, 12))


def test_class_ii_technical_review_from_spring_festival_2026(users, reviewing):
    # Accepted Wed 2026-02-11: the review starts that day.
    # Feb: 12 (1), 13 (2), Sat 14 (3), 24-27 (4-7), Sat 28 (8); Mar 2-31: 22 WD (9-30);
    # Apr 1-3 (31-33), Mon Apr 6 off, Apr 7-10 (34-37), Apr 13 (38), 14 (39), 15 (40)
    #   -> Chongqing target 40 WD: 2026-04-15.
    # The statutory 60 WD count from the hand-over, at the latest 3 WD after acceptance (Order 47
    # Arts. 91, 92): Feb 12, 13, Sat 14 -> hand-over by Sat 2026-02-14, so the statutory limit is
    # the 63rd WD after acceptance: Apr 16-17 (41-42), 20-24 (43-47), 27-30 (48-51), May 1-5 off,
    # May 6-8 (52-54), Sat May 9 (55), May 11-15 (56-60), May 18 (61), 19 (62), 20 (63)
    #   -> statutory 2026-05-20 (60 WD after Sat Feb 14). The target still counts from acceptance.
    app = reviewing(on=D(2026, 2, 11))
    review = stage_of(app, "technical_review")
    assert app.policy_pack.code == "cq-2025"
    assert (review.statutory_days, review.target_days, review.original_statutory_days) == (60, 40, 60)
    assert (review.handover_due, review.handover_days) == (D(2026, 2, 14), 3)
    assert dues(review) == (D(2026, 4, 15), D(2026, 5, 20))
    assert "第47号）第91条" in review.rule_source and "自移交之日起计算" in review.rule_source
    assert "第47号）第92条" in review.rule_source and "（2025—2027年）》第19条" in review.rule_source


def test_class_ii_technical_review_from_national_day_2026(users, reviewing):
    # Accepted Fri 2026-09-18.
    # Sun Sep 20 adjusted (1), 21-24 (2-5), Fri 25 off, 28-30 (6-8), Oct 1-7 off, Oct 8-9 (9-10),
    # Sat Oct 10 (11), Oct 12-16 (12-16), 19-23 (17-21), 26-30 (22-26), Nov 2-6 (27-31),
    # 9-13 (32-36), Nov 16 (37), 17 (38), 18 (39), 19 (40) -> target 2026-11-19;
    # Hand-over by Sun Sep 20 (1), 21 (2), Tue Sep 22 (3); the statutory 60 WD count from it, the
    # 63rd WD after acceptance: Nov 20 (41), 23-27 (42-46), Nov 30 (47), Dec 1-4 (48-51), 7-11 (52-56),
    # Dec 14-17 (57-60), Fri Dec 18 (61), Mon 21 (62), Tue 22 (63) -> statutory 2026-12-22.
    app = reviewing(on=D(2026, 9, 18))
    assert stage_of(app, "technical_review").handover_due == D(2026, 9, 22)
    assert dues(stage_of(app, "technical_review")) == (D(2026, 11, 19), D(2026, 12, 22))


def test_qms_verification_of_class_ii_has_a_target_but_no_statutory_limit(users, reviewing):
    # Order 47 Art. 48, 98: no national limit; the pack's default target 30 WD.
    # From Mon 2026-03-02: Mar 3-31 (21), Apr 1-3 (24), Apr 7-10 (28), Apr 13 (29), 14 (30).
    qms = stage_of(reviewing(), "qms_verification")
    assert (qms.statutory_days, qms.target_days) == (None, 30)
    assert dues(qms) == (D(2026, 4, 14), None)


@pytest.mark.parametrize(
    ("category", "complex_product", "target"),
    [
        ("passive", False, 45),  # Chongqing plan item 19: average 60 -> 45
        ("ivd", False, 30),  # 45 -> 30
        ("active", False, 90),  # 120 -> 90
        ("passive", True, None),  # complex products: no shortened target
        ("active", True, None),
    ],
)
def test_testing_has_targets_but_no_statutory_limit(users, make_application, category,
                                                    complex_product, target):
    app = make_application(category=category, complex_product=complex_product, needs_testing=True)
    submit(users, app, MONDAY)
    if complex_product:  # complex products are offered the pre-submission service first
        assert app.state == "presubmission"
        workflow.stage_complete(stage=stage_of(app, "presubmission"), actor=users.reviewer,
                                outcome="closed", today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    testing = stage_of(app, "testing")
    # Order 47 Art. 30, 52: the report is part of the dossier; testing has no statutory limit.
    assert (testing.target_days, testing.statutory_days, testing.statutory_due) == (target, None, None)
    expected = calendar_current().add_working_days(MONDAY, target) if target else None
    assert testing.target_due == expected


def test_the_pack_in_force_at_acceptance_binds_the_case(users, make_application):
    # Submitted Fri 2025-01-03, before the Chongqing plan (in force from 2025-01-06, the day it
    # was issued): the national pack; accepted Wed 2025-01-08: the Chongqing pack binds the
    # review (target 40 WD).
    # Jan 9-10 (1-2), 13-17 (3-7), 20-24 (8-12), Sun Jan 26 adjusted (13), Mon 27 (14),
    # Jan 28-Feb 4 off, Feb 5-7 (15-17), Sat Feb 8 (18), Feb 10-14 (19-23), 17-21 (24-28),
    # 24-28 (29-33), Mar 3-7 (34-38), Mar 10 (39), 11 (40) -> target 2025-03-11;
    # Mar 12-14 (41-43), 17-21 (44-48), 24-28 (49-53), Mar 31 (54), Apr 1-3 (55-57),
    # Fri Apr 4 off, Apr 7 (58), 8 (59), 9 (60); the statutory 60 WD count from the hand-over,
    # by Mon Jan 13 (Jan 9, 10, 13: Order 47 Art. 91), i.e. 63 WD after acceptance: Apr 10 (61),
    # Fri 11 (62), Mon 14 (63) -> statutory 2025-04-14.
    app = submit(users, make_application(today=D(2025, 1, 3)), D(2025, 1, 3))
    assert app.policy_pack.code == "cn-statutory"
    accept(users, app, D(2025, 1, 8))
    assert app.policy_pack.code == "cq-2025"
    review = stage_of(app, "technical_review")
    assert (review.target_days, review.statutory_days) == (40, 60)
    assert dues(review) == (D(2025, 3, 11), D(2025, 4, 14))


def test_after_the_chongqing_plan_the_national_pack_binds(users, make_application):
    # Accepted Mon 2028-01-03, after the plan's end (2027-12-31): statutory numbers only.
    app = submit(users, make_application(today=D(2027, 12, 28)), D(2027, 12, 28))
    assert app.policy_pack.code == "cq-2025"
    accept(users, app, D(2028, 1, 3))
    assert app.policy_pack.code == "cn-statutory"
    review = stage_of(app, "technical_review")
    assert (review.target_days, review.statutory_days) == (60, 60)


# --- supplements (Order 47 Art. 54 and 92) ---------------------------------------------------
def test_supplement_request_pauses_and_the_answer_restarts_with_a_fresh_budget(users, reviewing):
    app = reviewing()  # review running from Mon 2026-03-02
    review = stage_of(app, "technical_review")
    # Requested Mon 2026-03-16: Mar 3-6 (4), 9-13 (5), 16 (1) = 10 WD used.
    stop = workflow.stage_request_supplement(
        stage=review, actor=users.reviewer, items="产品技术要求\n\n  临床评价资料  \n",
        note="请一次性补正", today=D(2026, 3, 16))
    review = stage_of(app, "technical_review")
    assert app.state == "review"
    assert review.state == "paused"
    assert review.consumed_days == 10
    assert (review.target_due, review.statutory_due, review.clock_started_on) == (None, None, None)
    assert stop.reason == "supplement"
    assert stop.items == ["产品技术要求", "临床评价资料"]  # one list, blank lines dropped
    assert stop.started_on == D(2026, 3, 16)
    assert stop.applicant_deadline == D(2027, 3, 16)  # one year
    assert log_of(app)[-1] == ("pause_supplement", "technical_review", "running", "paused")
    row = TransitionLog.objects.filter(application=app).latest("id")
    assert row.details["items"] == ["产品技术要求", "临床评价资料"]
    assert row.details["applicant_deadline"] == "2027-03-16"
    # The parallel QMS verification keeps running.
    assert stage_of(app, "qms_verification").state == "running"

    # Answered by the enterprise on Mon 2026-06-01: a fresh 60 WD from the answer (Art. 92),
    # target min(40, 60) = 40. Jun 2-5 (4), 8-12 (9), 15-18 (13), Fri 19 off, 22-26 (18),
    # 29-30 (20), Jul 1-3 (23), 6-10 (28), 13-17 (33), 20-24 (38), Jul 27 (39), 28 (40)
    #   -> target 2026-07-28; Jul 29-31 (43), Aug 3-7 (48), 10-14 (53), 17-21 (58), Aug 24 (59),
    # 25 (60) -> statutory 2026-08-25.
    workflow.stage_answer(stage=review, actor=users.enterprise, document_count=1, response="已按通知补正全部资料",
                          today=D(2026, 6, 1))
    review = stage_of(app, "technical_review")
    assert review.state == "running"
    assert (review.consumed_days, review.clock_started_on) == (0, D(2026, 6, 1))
    assert (review.statutory_days, review.target_days, review.original_statutory_days) == (60, 40, 60)
    assert dues(review) == (D(2026, 7, 28), D(2026, 8, 25))
    stop.refresh_from_db()
    assert (stop.ended_on, stop.ended_by, stop.response) == (
        D(2026, 6, 1), users.enterprise, "已按通知补正全部资料")
    assert log_of(app)[-1] == ("resume_supplement", "technical_review", "paused", "running")


def test_only_one_supplement_per_review(users, reviewing, english):
    app = reviewing()
    review = stage_of(app, "technical_review")
    workflow.stage_request_supplement(stage=review, actor=users.reviewer, items=["说明书"],
                                      today=D(2026, 3, 9))
    workflow.stage_answer(stage=review, actor=users.enterprise, document_count=1, response="已补正",
                          today=D(2026, 3, 20))
    app.refresh_from_db()
    version, rows = app.version, TransitionLog.objects.count()
    with pytest.raises(NotAllowedNow) as exc:
        workflow.stage_request_supplement(stage=stage_of(app, "technical_review"),
                                          actor=users.reviewer, items=["检验报告"],
                                          today=D(2026, 4, 1))
    assert exc.value.status == 409
    assert "Art. 54" in str(exc.value)
    assert stage_of(app, "technical_review").state == "running"
    assert ClockStop.objects.filter(stage__application=app).count() == 1
    app.refresh_from_db()
    assert (app.version, TransitionLog.objects.count()) == (version, rows)


@pytest.mark.parametrize("kind", ["qms_verification", "acceptance"])
def test_supplements_are_for_the_technical_review_only(users, make_application, reviewing, kind):
    if kind == "acceptance":
        app = submit(users, make_application(), MONDAY)
        actor = users.acceptance
    else:
        app, actor = reviewing(), users.inspector
    with pytest.raises(NotAllowedNow):
        workflow.stage_request_supplement(stage=stage_of(app, kind), actor=actor, items=["x"],
                                          today=MONDAY)
    assert stage_of(app, kind).state == "running"


def test_a_supplement_must_list_its_items(users, reviewing):
    app = reviewing()
    for items in ([], "", "\n \n", None, ["  "]):
        with pytest.raises(InvalidInput) as exc:
            workflow.stage_request_supplement(stage=stage_of(app, "technical_review"),
                                              actor=users.reviewer, items=items, today=MONDAY)
        assert exc.value.extra == {"field": "items"}
    assert stage_of(app, "technical_review").state == "running"


def test_an_answer_after_the_one_year_deadline_is_refused(users, reviewing, english):
    app = reviewing()
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"),
                                             actor=users.reviewer, items=["临床资料"],
                                             today=D(2026, 3, 16))
    assert stop.applicant_deadline == D(2027, 3, 16)
    with pytest.raises(NotAllowedNow) as exc:
        workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.enterprise,
                              document_count=1, response="迟到的补正", today=D(2027, 3, 17))
    assert "Art. 54" in str(exc.value)
    assert stage_of(app, "technical_review").state == "paused"
    stop.refresh_from_db()
    assert stop.ended_on is None
    # The case can only be terminated now; a supervisor does it.
    workflow.application_terminate(application=app, actor=users.supervisor,
                                   reason="逾期未补正（第47号令第54条）", today=D(2027, 3, 17))
    assert app.state == "terminated"
    assert stage_of(app, "technical_review").state == "cancelled"


def test_an_answer_on_the_last_day_is_in_time(users, reviewing):
    app = reviewing()
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["临床资料"], today=D(2026, 3, 16))
    workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.enterprise,
                          document_count=1, response="补正", today=D(2027, 3, 16))
    assert stage_of(app, "technical_review").state == "running"


@pytest.mark.parametrize(
    ("notified", "deadline"),
    [
        # One year ends on the same date next year (Civil Code Art. 202), also across Feb 29.
        (D(2027, 6, 1), D(2028, 6, 1)),
        (D(2027, 3, 1), D(2028, 3, 1)),
        # No Feb 29 next year: the last day of February.
        (D(2028, 2, 29), D(2029, 2, 28)),
    ],
)
def test_the_one_year_supplement_deadline_across_a_leap_day(users, reviewing, notified, deadline):
    app = reviewing(on=notified - dt.timedelta(days=7))
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"),
                                             actor=users.reviewer, items=["资料"], today=notified)
    assert stop.applicant_deadline == deadline
    workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.enterprise,
                          document_count=1, response="补正", today=deadline)
    assert stage_of(app, "technical_review").state == "running"


# --- pauses that continue with the remaining budget ------------------------------------------
def test_expert_consultation_continues_with_the_remaining_budget(users, reviewing):
    # Running from Mon 2026-03-02: target Apr 28 (40 WD); statutory 60 WD from the hand-over, due by
    # Thu Mar 5 (Order 47 Art. 91), i.e. 63 WD after Mar 2: May 28 (60), Fri 29 (61), Mon Jun 1 (62),
    # Tue Jun 2 (63).
    app = reviewing()
    review = stage_of(app, "technical_review")
    assert dues(review) == (D(2026, 4, 28), D(2026, 6, 2))
    workflow.stage_pause(stage=review, actor=users.reviewer, reason="expert", note="专家咨询会",
                         today=D(2026, 3, 16))
    review = stage_of(app, "technical_review")
    assert (review.state, review.consumed_days) == ("paused", 10)  # Mar 3-16: 10 WD
    assert dues(review) == (None, None)
    assert review.clock_stops.get().applicant_deadline is None  # staff side: no applicant deadline

    # Resumed Mon 2026-03-30 with 30 target and 50 statutory WD left (plus the 3 WD before the
    # hand-over, which the statutory limit does not count: 53).
    # Mar 31 (1), Apr 1-3 (4), Apr 7-10 (8), 13-17 (13), 20-24 (18), 27-30 (22), May 6-8 (25),
    # Sat May 9 (26), May 11-14 (27-30) -> target 2026-05-14; May 15 (31), 18-22 (36),
    # 25-29 (41), Jun 1-5 (46), Jun 8-11 (47-50), Fri Jun 12 (51), Mon 15 (52), Tue 16 (53)
    # -> statutory 2026-06-16. Both are the dates before the pause moved by the 10 WD of the
    # consultation (Mar 17-20, 23-27, 30).
    workflow.stage_resume(stage=review, actor=users.reviewer, today=D(2026, 3, 30))
    review = stage_of(app, "technical_review")
    assert (review.state, review.consumed_days, review.clock_started_on) == (
        "running", 10, D(2026, 3, 30))
    assert (review.statutory_days, review.target_days) == (60, 40)  # not a fresh budget
    assert dues(review) == (D(2026, 5, 14), D(2026, 6, 16))
    assert log_of(app)[-2:] == [
        ("pause_expert", "technical_review", "running", "paused"),
        ("resume_expert", "technical_review", "paused", "running"),
    ]
    # Completing it counts the days since the resumption on top: Mar 31, Apr 1 -> 12.
    workflow.stage_complete(stage=review, actor=users.reviewer, outcome="approve", note="同意",
                            today=D(2026, 4, 1))
    assert stage_of(app, "technical_review").consumed_days == 12


def test_suspension_pauses_every_running_stage_and_resumption_continues_them(users, reviewing):
    app = reviewing()  # technical review and QMS verification running from Mon 2026-03-02
    workflow.application_suspend(application=app, actor=users.supervisor, reason="企业涉嫌违法",
                                 today=D(2026, 3, 16))
    assert app.state == "suspended"
    assert app.suspended_from == "review"
    for kind in ("technical_review", "qms_verification"):
        stage = stage_of(app, kind)
        assert (stage.state, stage.consumed_days, stage.target_due) == ("paused", 10, None)
        assert stage.clock_stops.get().reason == "suspension"
    assert stage_of(app, "decision").state == "pending"
    assert log_of(app)[-3:] == [
        ("pause_suspension", "technical_review", "running", "paused"),
        ("pause_suspension", "qms_verification", "running", "paused"),
        ("suspend", "", "review", "suspended"),
    ]
    # While suspended nothing restarts a clock piecemeal.
    with pytest.raises(NotAllowedNow):
        workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                              today=D(2026, 3, 20))

    workflow.application_resume(application=app, actor=users.supervisor, reason="调查结束",
                                today=D(2026, 3, 30))
    assert (app.state, app.suspended_from) == ("review", "")
    review, qms = stage_of(app, "technical_review"), stage_of(app, "qms_verification")
    # Technical review as after the consultation above: May 14 / Jun 16.
    assert (review.state, review.consumed_days) == ("running", 10)
    assert dues(review) == (D(2026, 5, 14), D(2026, 6, 16))
    # QMS: 20 of its 30 target WD left from Mar 30: Mar 31 (1), Apr 1-3 (4), 7-10 (8),
    # 13-17 (13), 20-24 (18), Apr 27 (19), 28 (20) -> 2026-04-28.
    assert (qms.state, qms.consumed_days) == ("running", 10)
    assert dues(qms) == (D(2026, 4, 28), None)
    assert not ClockStop.objects.filter(stage__application=app, ended_on__isnull=True).exists()
    assert log_of(app)[-1] == ("resume", "", "suspended", "review")


def test_suspension_keeps_an_open_supplement_on_the_applicant_side(users, reviewing):
    app = reviewing()
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["资料"], today=D(2026, 3, 9))
    workflow.application_suspend(application=app, actor=users.supervisor, reason="中止",
                                 today=D(2026, 3, 16))
    workflow.application_resume(application=app, actor=users.supervisor, today=D(2026, 3, 30))
    review = stage_of(app, "technical_review")
    # Still waiting for the applicant: the resumption restarted only what the suspension paused.
    assert review.state == "paused"
    assert review.clock_stops.get(ended_on__isnull=True).reason == "supplement"
    assert stage_of(app, "qms_verification").state == "running"


def test_no_clock_restarts_while_the_case_is_suspended(users, reviewing):
    app = reviewing()
    # Expert consultation from Mon Mar 9 (5 WD used), then the whole case is suspended.
    workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                         reason="expert", note="专家咨询", today=D(2026, 3, 9))
    workflow.application_suspend(application=app, actor=users.supervisor, reason="中止",
                                 today=D(2026, 3, 16))
    app.refresh_from_db()
    version = app.version
    with pytest.raises(NotAllowedNow):
        workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                              today=D(2026, 3, 20))
    review = stage_of(app, "technical_review")
    assert (review.state, review.clock_started_on) == ("paused", None)
    app.refresh_from_db()
    assert app.version == version

    workflow.application_resume(application=app, actor=users.supervisor, today=D(2026, 3, 30))
    # The suspension ended; the consultation has not.
    assert stage_of(app, "technical_review").state == "paused"
    assert stage_of(app, "qms_verification").state == "running"
    workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                          today=D(2026, 3, 31))
    review = stage_of(app, "technical_review")
    assert (review.state, review.consumed_days, review.clock_started_on) == (
        "running", 5, D(2026, 3, 31))


# --- extensions (Order 47 Art. 96) -----------------------------------------------------------
def test_extensions_up_to_half_the_original_limit(users, reviewing, english):
    # Review from Mon 2026-03-02: target Apr 28 (40 WD); statutory 60 WD from the hand-over (by
    # Thu Mar 5), 63 WD after Mar 2: Jun 2 (see the consultation above).
    app = reviewing()
    review = stage_of(app, "technical_review")
    ext = workflow.stage_extend(stage=review, actor=users.supervisor, days=20, reason="专家意见分歧")
    assert (ext.days, ext.approved_by) == (20, users.supervisor)
    review = stage_of(app, "technical_review")
    # Both deadlines move by 20 WD: target = 60 WD after Mar 2 = May 28; statutory = 83 WD:
    # May 29 (61), Jun 1-5 (66), 8-12 (71), 15-18 (75), Fri Jun 19 off, 22-26 (80), Mon Jun 29 (81),
    # Tue 30 (82), Wed Jul 1 (83) -> Jul 1.
    assert review.extension_days == 20
    assert dues(review) == (D(2026, 5, 28), D(2026, 7, 1))
    row = TransitionLog.objects.filter(application=app, action="extend").get()
    assert row.details["before"]["statutory_due"] == "2026-06-02"
    assert row.details["after"]["statutory_due"] == "2026-07-01"
    assert row.details["days"] == 20

    # 20 + 11 > 30 = 60 / 2: refused, naming the field.
    with pytest.raises(InvalidInput) as exc:
        workflow.stage_extend(stage=review, actor=users.supervisor, days=11, reason="再次延期")
    assert exc.value.extra == {"field": "days"}
    assert "Art. 96" in str(exc.value)
    assert stage_of(app, "technical_review").extension_days == 20

    # The rest of the allowance, 10 WD (half of 60: the hand-over's 3 WD are no part of the limit):
    # statutory 93 WD after Mar 2: Jul 2-3 (85), 6-10 (90), Mon Jul 13 (91), 14 (92), 15 (93) -> Jul 15.
    workflow.stage_extend(stage=review, actor=users.supervisor, days=10, reason="补充论证")
    review = stage_of(app, "technical_review")
    assert review.extension_days == 30
    assert review.statutory_due == D(2026, 7, 15)
    with pytest.raises(InvalidInput):
        workflow.stage_extend(stage=review, actor=users.supervisor, days=1, reason="再延")
    assert Extension.objects.filter(stage=review).count() == 2
    assert len(log_of(app, action="extend")) == 2


@pytest.mark.parametrize("role", ["reviewer", "approver", "acceptance", "enterprise", "director"])
def test_only_a_supervisor_may_extend(users, reviewing, role):
    app = reviewing()
    with pytest.raises(PermissionDenied) as exc:
        workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=getattr(users, role),
                              days=5, reason="延期")
    assert exc.value.status == 403
    assert stage_of(app, "technical_review").extension_days == 0
    assert not Extension.objects.exists()


def test_a_finished_or_pending_stage_cannot_be_extended(users, reviewing):
    app = reviewing()
    for kind in ("acceptance", "decision"):
        with pytest.raises(NotAllowedNow):
            workflow.stage_extend(stage=stage_of(app, kind), actor=users.supervisor, days=1,
                                  reason="延期")


# --- provisional years -----------------------------------------------------------------------
def test_a_deadline_in_a_year_without_official_schedule_is_provisional(users, reviewing,
                                                                     make_application):
    # Accepted Mon 2026-12-21: the acceptance deadline (5 WD, Dec 28) is in official 2026; the
    # review's fall in 2027, which has no official schedule yet.
    app = reviewing(on=D(2026, 12, 21))
    acceptance = stage_of(app, "acceptance")
    assert acceptance.statutory_due is None  # done: deadlines are cleared
    assert acceptance.deadline_provisional is False
    review = stage_of(app, "technical_review")
    assert review.target_due.year == review.statutory_due.year == 2027
    assert review.deadline_provisional is True

    # Started in late 2027: even a deadline inside 2027 is provisional.
    # Mon 2027-11-15 + 5 WD (no holiday in the way) -> Mon 2027-11-22.
    late = submit(users, make_application(today=D(2027, 11, 15)), D(2027, 11, 15))
    acceptance = stage_of(late, "acceptance")
    assert dues(acceptance) == (D(2027, 11, 22), D(2027, 11, 22))
    assert acceptance.deadline_provisional is True
    row = TransitionLog.objects.filter(application=late, action="stage_start").get()
    assert row.details["provisional"] is True


def test_a_deadline_inside_an_official_year_is_not_provisional(users, make_application):
    app = submit(users, make_application(), MONDAY)
    assert stage_of(app, "acceptance").deadline_provisional is False


# --- production licence: counted from acceptance (SAMR Order 53 Art. 13) ---------------------
def test_licence_deadlines_count_from_acceptance(users, make_application):
    app = submit(users, make_application(application_type="licence"), MONDAY)
    accept(users, app, D(2026, 3, 4))
    # Accepted Wed 2026-03-04: 20 WD -> Mar 5-6 (2), 9-13 (7), 16-20 (12), 23-27 (17),
    # Mar 30-31 (19), Apr 1 (20) -> 2026-04-01.
    inspection = stage_of(app, "licence_inspection")
    assert (inspection.clock_started_on, inspection.statutory_due) == (D(2026, 3, 4), D(2026, 4, 1))

    # Inspection done Wed 2026-03-18 (10 WD used). The decision starts that day but its 20 WD
    # still count from acceptance: due Apr 1, not Apr 16 (20 WD after Mar 18).
    workflow.stage_complete(stage=inspection, actor=users.inspector, outcome="passed",
                            note="现场检查通过", today=D(2026, 3, 18))
    decision = stage_of(app, "decision")
    assert decision.started_on == D(2026, 3, 18)
    assert decision.statutory_days == 20
    assert decision.statutory_due == D(2026, 4, 1)

    # Issuance is not anchored: 10 WD after the decision of Fri 2026-03-20:
    # Mar 23-27 (5), Mar 30-31 (7), Apr 1-3 (10) -> 2026-04-03.
    workflow.stage_complete(stage=decision, actor=users.approver, outcome="approve", note="准予",
                            today=D(2026, 3, 20))
    assert stage_of(app, "issuance").statutory_due == D(2026, 4, 3)


def test_licence_rectification_is_not_counted_in_the_decision_limit(users, make_application):
    app = submit(users, make_application(application_type="licence"), MONDAY)
    accept(users, app, D(2026, 3, 4))
    # Rectification requested Wed Mar 11 (5 WD used: Mar 5, 6, 9, 10, 11), answered Wed Mar 25
    # (10 WD on the applicant's side): 15 WD left from Mar 25 -> Mar 26-27 (2), 30-31 (4),
    # Apr 1-3 (7), 7-10 (11), 13-16 (15) -> 2026-04-16.
    workflow.stage_request_rectification(stage=stage_of(app, "licence_inspection"),
                                         actor=users.inspector, items=["洁净车间整改"],
                                         today=D(2026, 3, 11))
    workflow.stage_answer(stage=stage_of(app, "licence_inspection"), actor=users.enterprise,
                          document_count=1, response="已整改", today=D(2026, 3, 25))
    inspection = stage_of(app, "licence_inspection")
    assert (inspection.consumed_days, inspection.statutory_due) == (5, D(2026, 4, 16))

    # Inspection done Wed Apr 1: 10 WD counted since acceptance (5 + Mar 26, 27, 30, 31, Apr 1).
    # The decision has the other 10: Apr 2-3 (2), 7-10 (6), 13-16 (10) -> 2026-04-16, the same
    # day the 20 WD from acceptance end once the rectification is left out.
    workflow.stage_complete(stage=inspection, actor=users.inspector, outcome="passed",
                            note="整改后复查通过", today=D(2026, 4, 1))
    assert stage_of(app, "licence_inspection").consumed_days == 10
    decision = stage_of(app, "decision")
    assert decision.consumed_days == 10
    assert decision.statutory_due == D(2026, 4, 16)
