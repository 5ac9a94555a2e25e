"""The clocks as the law and the local plans say (docs/regulatory-basis.md).

Every date below is worked out by hand on the official 2026 calendar (State Council notice:
Qingming Apr 4-6 off, Labour Day May 1-5 off with Sat May 9 worked); March 2026 has no holiday.
"""

import datetime as dt

import pytest

from notifications.models import Alert, OutboundEmail
from notifications.sweep import deadlines_sweep
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Certificate, TransitionLog
from services import workflow
from tests.conftest import MONDAY, log_of, stage_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = dt.date


def complete(app, kind, actor, outcome, *, note="", reference="", today):
    return workflow.stage_complete(stage=stage_of(app, kind), actor=actor, outcome=outcome,
                                   note=note, reference=reference, today=today)


def after_testing(users, make_application):
    """Class II, testing Mon 3/2 - Wed 3/4: acceptance opens and waits for the dossier."""
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    complete(app, "testing", users.tester, "passed", reference="渝械检2026-0100", today=D(2026, 3, 4))
    return app


# --- acceptance counts from receipt (Order 47 Art. 53; Licensing Law Art. 32) ----------------
def test_acceptance_after_testing_counts_from_the_receipt_of_the_dossier(users, make_application):
    app = after_testing(users, make_application)
    acceptance = stage_of(app, "acceptance")
    assert (app.state, acceptance.state, acceptance.statutory_due) == ("acceptance", "pending", None)
    # Received Thu 3/5, recorded Mon 3/9: Fri 3/6 (1), Mon 3/9 (2) ... Thu 3/12 (5).
    workflow.stage_start(stage=acceptance, actor=users.acceptance, received_on=D(2026, 3, 5),
                         today=D(2026, 3, 9))
    acceptance = stage_of(app, "acceptance")
    assert (acceptance.started_on, acceptance.statutory_due) == (D(2026, 3, 5), D(2026, 3, 12))
    assert app.dossier_received_on == D(2026, 3, 5)
    # Decided in time: accepted that day, the review counts from it, hand-over due in 3 WD.
    complete(app, "acceptance", users.acceptance, "accepted", today=D(2026, 3, 9))
    review = stage_of(app, "technical_review")
    assert (app.accepted_on, app.deemed_accepted) == (D(2026, 3, 9), False)
    assert (review.started_on, review.handover_due) == (D(2026, 3, 9), D(2026, 3, 12))


def test_a_late_acceptance_is_deemed_made_on_the_day_of_receipt(users, make_application):
    app = after_testing(users, make_application)
    workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                         received_on=D(2026, 3, 5), today=D(2026, 3, 5))
    # Recorded Fri 3/13, after the 5 WD ended on Thu 3/12: accepted as of Thu 3/5.
    complete(app, "acceptance", users.acceptance, "accepted", today=D(2026, 3, 13))
    assert (app.accepted_on, app.deemed_accepted) == (D(2026, 3, 5), True)
    row = TransitionLog.objects.get(application=app, action="deemed_accepted")
    assert "Art. 32" in row.reason and row.details["received_on"] == "2026-03-05"
    assert OutboundEmail.objects.filter(application=app, event="deemed_accepted").exists()
    # The review counts from the day of receipt: 3/6 (1), 3/9-13 (2-6), 3/16-20 (7-11),
    # 3/23-27 (12-16), 3/30-31 (17-18), 4/1-3 (19-21), Mon 4/6 off, 4/7-10 (22-25),
    # 4/13-17 (26-30), 4/20-24 (31-35), 4/27-30 (36-39), 5/1-5 off, Wed 5/6 (40) -> target;
    # 5/7-8 (41-42), Sat 5/9 (43), 5/11-15 (44-48), 5/18-22 (49-53), 5/25-29 (54-58),
    # 6/1 (59), Tue 6/2 (60); the statutory 60 WD count from the hand-over, due 3 WD after the
    # acceptance (Order 47 Art. 91: 3/6, 3/9, Tue 3/10), so 63 WD after 3/5: Wed 6/3 (61),
    # Thu 6/4 (62), Fri 6/5 (63) -> statutory.
    review = stage_of(app, "technical_review")
    assert review.started_on == D(2026, 3, 5)
    assert (review.target_due, review.statutory_due) == (D(2026, 5, 6), D(2026, 6, 5))
    assert (review.handover_due, review.handover_days) == (D(2026, 3, 10), 3)


def test_receipt_dates_are_checked(users, make_application):
    app = after_testing(users, make_application)
    with pytest.raises(InvalidInput, match="future"):
        workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                             received_on="2026-03-10", today=D(2026, 3, 9))
    with pytest.raises(InvalidInput, match="before the case was filed"):
        workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                             received_on="2026-02-27", today=D(2026, 3, 9))
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                             received_on="5 March", today=D(2026, 3, 9))
    assert stage_of(app, "acceptance").state == "pending"  # nothing half-written


def test_the_hand_over_is_recorded_once(users, reviewing):
    app = reviewing()  # accepted Mon 3/2: hand-over due Thu 3/5
    review = stage_of(app, "technical_review")
    assert review.handover_due == D(2026, 3, 5)
    workflow.stage_record_handover(stage=review, actor=users.acceptance, today=D(2026, 3, 4))
    assert stage_of(app, "technical_review").handed_over_on == D(2026, 3, 4)
    with pytest.raises(NotAllowedNow, match="already recorded"):
        workflow.stage_record_handover(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                       today=D(2026, 3, 5))
    row = TransitionLog.objects.get(application=app, action="handover")
    assert (row.for_applicant, row.details["late"]) == (False, False)


def test_the_review_limit_counts_from_the_hand_over_at_the_latest_three_working_days_after_acceptance(
        users, reviewing):
    # Order 47 Arts. 91, 92 (docs/regulatory-basis.md#o47-91). Accepted Mon 2026-03-02; hand-over due
    # Thu 3/5. Until a hand-over is recorded the statutory 60 WD count from 3/5: 63 WD after 3/2 =
    # 5/28 (60, see test_workflow_clocks), Fri 5/29 (61), Mon 6/1 (62), Tue 6/2 (63). The target
    # (Chongqing 40 WD, the plan silent on the start) still counts from the acceptance: Tue 4/28.
    app = reviewing()
    review = stage_of(app, "technical_review")
    assert (review.handover_days, review.target_due, review.statutory_due) == (3, D(2026, 4, 28), D(2026, 6, 2))
    # Handed over on Wed 3/4 (recorded on 3/9): 2 WD after acceptance, so 62 WD: Mon 6/1.
    workflow.stage_record_handover(stage=review, actor=users.acceptance, handed_over_on="2026-03-04",
                                   today=D(2026, 3, 9))
    review = stage_of(app, "technical_review")
    assert (review.handover_days, review.target_due, review.statutory_due) == (2, D(2026, 4, 28), D(2026, 6, 1))
    row = TransitionLog.objects.get(application=app, action="handover")
    assert (row.details["before"]["statutory_due"], row.details["after"]["statutory_due"]) == (
        "2026-06-02", "2026-06-01")


def test_a_late_hand_over_does_not_lengthen_the_review_limit(users, reviewing):
    # Hand-over due Thu 3/5, recorded as made on Mon 3/9: the office's delay (Art. 91); the limit
    # stays 60 WD after 3/5 = Tue 6/2, and the log says the hand-over was late.
    app = reviewing()
    workflow.stage_record_handover(stage=stage_of(app, "technical_review"), actor=users.acceptance,
                                   handed_over_on="2026-03-09", today=D(2026, 3, 9))
    review = stage_of(app, "technical_review")
    assert (review.handover_days, review.statutory_due) == (3, D(2026, 6, 2))
    assert TransitionLog.objects.get(application=app, action="handover").details["late"] is True


def test_a_supplement_gives_a_fresh_60_days_with_no_hand_over_days(users, reviewing):
    # Supplement requested Mon 3/16, answered Mon 3/30: a fresh 60 WD from the answer (Art. 92), the
    # hand-over long past: 3/31 (1), 4/1-3 (4), Mon 4/6 off, 4/7-10 (8), 4/13-17 (13), 4/20-24 (18),
    # 4/27-30 (22), 5/1-5 off, 5/6-8 (25), Sat 5/9 (26), 5/11-15 (31), 5/18-22 (36), 5/25-29 (41),
    # 6/1-5 (46), 6/8-12 (51), 6/15-18 (55), Fri 6/19 off, 6/22-26 (60) -> Fri 6/26.
    from services import documents
    from tests.case_fixtures import PDF, upload

    app = reviewing()
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["临床评价资料"], today=D(2026, 3, 16))
    documents.supplement_answer(clock_stop=stop, actor=users.reviewer, response="企业窗口递交补正资料",
                                files=[upload("scan.pdf", PDF)], today=D(2026, 3, 30))
    review = stage_of(app, "technical_review")
    assert (review.handover_days, review.statutory_due) == (0, D(2026, 6, 26))
    # A hand-over recorded afterwards gives back no days.
    workflow.stage_record_handover(stage=review, actor=users.acceptance, handed_over_on="2026-03-05",
                                   today=D(2026, 3, 31))
    assert stage_of(app, "technical_review").statutory_due == D(2026, 6, 26)


# --- applicant windows -----------------------------------------------------------------------
def test_missing_items_have_no_deadline_and_restart_the_five_days(users, make_application):
    app = make_application(application_type="change")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    stop = workflow.stage_notify_missing_items(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                               items=["说明书"], today=D(2026, 3, 4))
    assert stop.applicant_deadline is None  # Order 47 Art. 53: not accepted until complete
    workflow.stage_answer(stage=stage_of(app, "acceptance"), actor=users.enterprise,
                          document_count=1, response="已补齐说明书", today=D(2026, 3, 10))
    # The completed dossier arrived Tue 3/10: 3/11 (1) ... Tue 3/17 (5).
    acceptance = stage_of(app, "acceptance")
    assert (acceptance.consumed_days, acceptance.statutory_due) == (0, D(2026, 3, 17))
    assert app.dossier_received_on == D(2026, 3, 10)


def test_rectification_gives_six_months_and_a_fresh_thirty_day_recheck(users, make_application):
    app = make_application(device_class="III")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY)
    stop = workflow.stage_request_rectification(stage=stage_of(app, "qms_verification"),
                                                actor=users.inspector, items=["纠正措施"],
                                                today=D(2026, 3, 16))
    assert stop.applicant_deadline == D(2026, 9, 16)  # six calendar months
    workflow.stage_answer(stage=stage_of(app, "qms_verification"), actor=users.enterprise,
                          document_count=1, response="已整改", today=D(2026, 4, 1))
    # Re-check within 30 WD of Wed 4/1: 4/2-3 (2), 4/7-10 (6), 4/13-17 (11), 4/20-24 (16),
    # 4/27-30 (20), 5/6-8 (23), Sat 5/9 (24), 5/11-15 (29), Mon 5/18 (30).
    qms = stage_of(app, "qms_verification")
    assert (qms.statutory_days, qms.consumed_days, qms.statutory_due) == (30, 0, D(2026, 5, 18))


def test_a_lapsed_rectification_cannot_be_answered(users, make_application):
    app = make_application(device_class="III")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY)
    workflow.stage_request_rectification(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                         items=["纠正措施"], today=D(2026, 3, 16))
    with pytest.raises(NotAllowedNow, match="verification has failed"):
        workflow.stage_answer(stage=stage_of(app, "qms_verification"), actor=users.enterprise,
                              document_count=1, response="迟到的整改", today=D(2026, 9, 17))


def test_a_failed_verification_is_recorded_and_a_lapsed_rectification_is_a_failure(users, make_application):
    app = make_application(device_class="III")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY)
    workflow.stage_request_rectification(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                         items=["纠正措施"], today=D(2026, 3, 16))
    # Within the six months nothing can be recorded: the applicant may still rectify.
    with pytest.raises(NotAllowedNow):
        complete(app, "qms_verification", users.inspector, "failed", note="未整改", today=D(2026, 9, 16))
    # After them, only "failed" (NMPA QMS verification procedure 2015, Art. 17).
    with pytest.raises(InvalidInput, match="record the verification as failed"):
        complete(app, "qms_verification", users.inspector, "passed", note="通过", today=D(2026, 9, 17))
    complete(app, "qms_verification", users.inspector, "failed", note="整改期限届满未申请复查",
             today=D(2026, 9, 17))
    qms = stage_of(app, "qms_verification")
    assert (qms.state, qms.outcome) == ("done", "failed")
    assert qms.clock_stops.get().ended_on == D(2026, 9, 17)
    assert log_of(app)[-2:] == [("resume_rectification", "qms_verification", "paused", "running"),
                                ("stage_complete", "qms_verification", "running", "done")]


def test_an_objection_is_a_fifteen_day_applicant_window(users, reviewing):
    app = reviewing()
    stop = workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                reason="objection", note="拟不予注册，告知申请人", today=D(2026, 3, 16))
    # Order 47 Art. 57: 3/17-20 (4), 3/23-27 (9), 3/30-31 (11), 4/1-3 (14), Mon 4/6 off, Tue 4/7 (15).
    assert stop.applicant_deadline == D(2026, 4, 7)
    assert stage_of(app, "technical_review").state == "paused"  # not counted in the review limit


def test_a_supplement_not_answered_within_a_year_ends_in_refusal(users, reviewing):
    app = reviewing()
    review = stage_of(app, "technical_review")
    workflow.stage_request_supplement(stage=review, actor=users.reviewer, items=["临床评价资料"],
                                      today=D(2026, 3, 16))
    with pytest.raises(NotAllowedNow, match="2027-03-16"):
        workflow.stage_refuse_lapsed(stage=stage_of(app, "technical_review"), actor=users.approver,
                                     today=D(2027, 3, 16))
    with pytest.raises(NotAllowedNow, match="refused now"):
        workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.enterprise,
                              document_count=1, response="迟到的补正", today=D(2027, 3, 17))
    workflow.stage_refuse_lapsed(stage=stage_of(app, "technical_review"), actor=users.approver,
                                 today=D(2027, 3, 17))
    app.refresh_from_db()
    assert (app.state, app.closed_on) == ("refused", D(2027, 3, 17))  # refused, not terminated
    assert log_of(app, action="refuse_lapsed") == [("refuse_lapsed", "technical_review", "review", "refused")]
    lapsed = TransitionLog.objects.get(application=app, action="refuse_lapsed")
    assert "Art. 54" in lapsed.reason and lapsed.reason_for_applicant  # the applicant reads why
    assert OutboundEmail.objects.filter(application=app, event="refuse_lapsed").exists()
    assert stage_of(app, "technical_review").clock_stops.get().ended_on == D(2027, 3, 17)
    from notices.models import Notice  # 不予注册决定书, with the lapse as its reason
    assert Notice.objects.get(application=app, kind="refusal").content["paragraphs"]


def test_an_ivd_refusal_cites_order_48(users, reviewing):
    app = reviewing(category="ivd", product_name="血糖测试条")
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["临床评价资料"], today=D(2026, 3, 16))
    workflow.stage_refuse_lapsed(stage=stage_of(app, "technical_review"), actor=users.approver,
                                 today=D(2027, 3, 17))
    reason = TransitionLog.objects.get(application=app, action="refuse_lapsed").reason
    assert "Order 48 Art. 53" in reason and "Order 47" not in reason


# --- extensions (Order 47 Art. 96) -----------------------------------------------------------
def test_extensions_only_on_technical_review_and_verification(users, make_application, reviewing):
    draft = make_application(application_type="change")
    workflow.application_submit(application=draft, actor=users.enterprise, today=MONDAY)
    with pytest.raises(NotAllowedNow, match="Art. 96"):
        workflow.stage_extend(stage=stage_of(draft, "acceptance"), actor=users.supervisor, days=2,
                              reason="材料较多")
    app = reviewing()
    ext = workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                                days=10, reason="专家意见分歧")
    assert ext.days == 10
    workflow.stage_extend(stage=stage_of(app, "qms_verification"), actor=users.supervisor, days=5,
                          reason="现场核查延期")


# --- certificates (Order 47 Art. 58, 83, 84) -------------------------------------------------
def test_validity_runs_from_the_approval_not_the_issuance(users, reviewing):
    app = reviewing()
    complete(app, "technical_review", users.reviewer, "approve", note="建议准予", today=D(2026, 3, 3))
    complete(app, "qms_verification", users.inspector, "passed", note="通过", today=D(2026, 3, 3))
    complete(app, "decision", users.approver, "approve", note="准予注册", today=D(2026, 3, 4))
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140500", today=D(2026, 3, 9))
    cert = Certificate.objects.get(number="渝械注准20262140500")
    assert (cert.approved_on, cert.valid_from, cert.issued_on, cert.expires_on) == (
        D(2026, 3, 4), D(2026, 3, 4), D(2026, 3, 9), D(2031, 3, 3))


def test_a_renewal_must_be_decided_before_the_old_certificate_expires(users, make_application):
    old_case = make_application(product_name="医用外科口罩")
    old = Certificate.objects.create(
        application=old_case, enterprise=users.enterprise_obj, kind="registration",
        number="渝械注准20212140001", product_name="医用外科口罩", issued_on=D(2021, 5, 1),
        expires_on=D(2026, 4, 30))
    # Filed Thu 2025-10-30, the last day six months before the expiry (Order 47 Art. 82): in time.
    app = make_application(application_type="renewal", product_name="医用外科口罩", today=D(2025, 10, 30))
    assert (app.renewal_of, app.decide_by) == (old, D(2026, 4, 30))
    workflow.application_submit(application=app, actor=users.enterprise, today=D(2025, 10, 30))
    complete(app, "acceptance", users.acceptance, "accepted", today=D(2025, 10, 30))
    # Expert consultation from Fri 10/31 (1 WD used) to Mon 2026-03-02: 59 WD left from 3/2 end on
    # 5/27; the renewal's legal deadline is the expiry, 4/30 (Order 47 Art. 82: otherwise deemed granted).
    workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.supervisor, reason="expert",
                         note="专家咨询", today=D(2025, 10, 31))
    workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.supervisor, response="专家意见已到",
                          today=MONDAY)
    review = stage_of(app, "technical_review")
    assert review.statutory_due == D(2026, 4, 30)
    # The Chongqing target (40 WD, 39 left: 4/27) stays before it; a later target would be cut to it.
    assert review.target_due == D(2026, 4, 27)
    deadlines_sweep(today=D(2026, 4, 28))
    assert Alert.objects.filter(stage=review, deadline=D(2026, 4, 30)).exclude(
        level__in=["due_soon", "overdue"]).exists()
    complete(app, "technical_review", users.reviewer, "approve", note="同意延续", today=D(2026, 4, 20))
    complete(app, "decision", users.approver, "approve", note="准予延续", today=D(2026, 4, 22))
    # A renewal keeps the certificate's number (Order 47 Art. 115).
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20212140001", today=D(2026, 4, 24))
    new = Certificate.objects.get(number="渝械注准20212140001", renewal__isnull=True)
    # Approved before the old one expired: valid from the day after its expiry.
    assert (new.application, new.approved_on, new.valid_from, new.expires_on) == (
        app, D(2026, 4, 22), D(2026, 5, 1), D(2031, 4, 30))
    old.refresh_from_db()
    assert old.renewal == app  # the renewal watch on the old certificate is closed


# --- pathways --------------------------------------------------------------------------------
def test_priority_and_innovation_cases_come_first_in_staff_lists(users, make_application, client):
    from django.urls import reverse

    from tests.api.test_applications import token_client

    standard = make_application(product_name="普通产品")
    priority = make_application(product_name="优先产品", pathway="priority")
    newest = make_application(product_name="最新产品")
    innovation = make_application(product_name="创新产品", pathway="innovation")
    for app in (standard, priority, newest, innovation):
        workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    rows = token_client(users.acceptance).get("/api/v1/applications/").json()["results"]
    assert [r["reference"] for r in rows] == [innovation.reference, priority.reference,
                                              newest.reference, standard.reference]
    # Enterprises see their own cases newest first.
    mine = token_client(users.enterprise).get("/api/v1/applications/").json()["results"]
    assert [r["reference"] for r in mine][0] == innovation.reference
    assert [r["reference"] for r in mine][1] == newest.reference
    client.force_login(users.acceptance)
    page = client.get(reverse("admin:review_application_changelist")).content.decode()
    order = [page.index(a.reference) for a in (innovation, priority, newest, standard)]
    assert order == sorted(order)
    assert page.count('class="pathway-flag"') == 2
    # Once closed, a priority case is no longer anyone's to hurry: it takes its place by date.
    workflow.application_withdraw(application=priority, actor=users.enterprise, reason="撤回", today=MONDAY)
    rows = token_client(users.acceptance).get("/api/v1/applications/").json()["results"]
    assert [r["reference"] for r in rows] == [innovation.reference, newest.reference,
                                              priority.reference, standard.reference]
    page = client.get(reverse("admin:review_application_changelist")).content.decode()
    order = [page.index(a.reference) for a in (innovation, newest, priority, standard)]
    assert order == sorted(order)


def test_the_pre_submission_service_is_offered_to_key_registered_elsewhere_and_complex(users, make_application):
    offered = [make_application(key_project=True), make_application(complex_product=True),
               make_application(pathway="registered_elsewhere")]
    plain = make_application()
    for app in (*offered, plain):
        workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert [a.state for a in offered] == ["presubmission"] * 3
    assert plain.state == "acceptance"
    pre = stage_of(offered[0], "presubmission")
    assert (pre.target_days, pre.statutory_days) == (10, None)  # a labelled default, no law


# --- an applicant's pause ends with an answer and its documents --------------------------------
def test_a_supplement_is_never_closed_by_a_bare_resume(users, reviewing, uploads):
    from services import documents
    from tests.case_fixtures import PDF, upload

    app = reviewing()
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["说明书"], today=D(2026, 3, 16))
    with pytest.raises(NotAllowedNow, match="answer with its documents"):
        workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                              response="已收到", today=D(2026, 3, 17))
    with pytest.raises(InvalidInput, match="Files"):
        workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                              response="已收到", document_count=0, today=D(2026, 3, 17))
    assert stage_of(app, "technical_review").state == "paused"
    # Handed in at the counter: the reviewer records it with the scanned documents, labelled so.
    documents.supplement_answer(clock_stop=stop, actor=users.reviewer, response="企业窗口递交纸质补正资料",
                                files=[upload("scan.pdf", PDF)], today=D(2026, 3, 17))
    assert stage_of(app, "technical_review").state == "running"
    resumed = TransitionLog.objects.get(application=app, action="resume_supplement")
    received = TransitionLog.objects.get(application=app, action="documents")
    assert resumed.details["counter"] is True and received.details["counter"] is True


def test_a_late_renewal_keeps_its_own_five_days_and_is_never_capped(users, make_application):
    old_case = make_application(product_name="医用电子血压计")
    Certificate.objects.create(application=old_case, enterprise=users.enterprise_obj, kind="registration",
                               number="渝械注准20212070009", product_name="医用电子血压计",
                               issued_on=D(2021, 3, 5), expires_on=D(2026, 3, 4))
    app = make_application(application_type="renewal", product_name="医用电子血压计")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    # Filed Mon 3/2 for an expiry of Wed 3/4: far less than six months before (Order 47 Art. 82, 83):
    # no deemed grant, so the expiry caps nothing; the acceptance has its own 5 WD (due Mon 3/9).
    app.refresh_from_db()
    assert (app.renewal_filed_late, app.decide_by) == (True, None)
    assert stage_of(app, "acceptance").statutory_due == D(2026, 3, 9)
    complete(app, "acceptance", users.acceptance, "accepted", today=D(2026, 3, 5))
    assert (app.accepted_on, app.deemed_accepted) == (D(2026, 3, 5), False)


def test_an_expired_certificate_is_not_taken_for_a_renewal(users, make_application):
    old_case = make_application(product_name="医用外科口罩")
    expired = Certificate.objects.create(
        application=old_case, enterprise=users.enterprise_obj, kind="registration", number="渝械注准20202140001",
        product_name="医用外科口罩", issued_on=D(2020, 1, 1), expires_on=D(2024, 12, 31))
    app = make_application(application_type="renewal", product_name="医用外科口罩")
    assert (app.renewal_of, app.decide_by) == (None, None)
    with pytest.raises(InvalidInput, match="expired"):
        make_application(application_type="renewal", product_name="医用外科口罩", renewal_of=expired)


def test_a_bad_hand_over_date_names_its_own_field(users, reviewing):
    app = reviewing()
    with pytest.raises(InvalidInput, match="Handed over on: the date cannot be in the future") as exc:
        workflow.stage_record_handover(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                       handed_over_on="2026-03-09", today=D(2026, 3, 4))
    assert exc.value.extra == {"field": "handed_over_on"}
    assert stage_of(app, "technical_review").handed_over_on is None


def test_the_statutory_alerts_follow_the_hand_over(users, reviewing):
    # Accepted Mon 2026-03-02: statutory limit Tue 6/2 (60 WD after the hand-over's last day, Thu 3/5).
    # On Tue 5/26 the old reading (5/28) was within 3 WD; 5/26 + 3 WD = Fri 5/29, before 6/2: no
    # "statutory limit near" yet. On Thu 5/28: + 3 WD = Tue 6/2: now it is.
    app = reviewing()
    review = stage_of(app, "technical_review")
    deadlines_sweep(today=D(2026, 5, 26))
    assert not Alert.objects.filter(stage=review, level="statutory_near").exists()
    deadlines_sweep(today=D(2026, 5, 28))
    assert Alert.objects.filter(stage=review, level="statutory_near", deadline=D(2026, 6, 2)).exists()


def test_reproject_cases_moves_a_review_counted_from_the_acceptance_and_logs_it(users, reviewing):
    from django.core.management import call_command

    from review.selectors import calendar_current

    app = reviewing()
    # As stored before the hand-over reading: no days left out, statutory 60 WD after Mon 3/2 = 5/28.
    review = stage_of(app, "technical_review")
    review.handover_days, review.rule_source = 0, "《医疗器械注册与备案管理办法》（国家市场监督管理总局令第47号）第92条"
    workflow.project(review, calendar_current())
    review.save(update_fields=["handover_days", "rule_source", "statutory_due", "target_due"])
    assert stage_of(app, "technical_review").statutory_due == D(2026, 5, 28)
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    review = stage_of(app, "technical_review")
    # Hand-over due Thu 3/5: 63 WD after 3/2 = Tue 6/2; the Chongqing target (40 WD) stays 4/28.
    assert (review.handover_days, review.target_due, review.statutory_due) == (3, D(2026, 4, 28), D(2026, 6, 2))
    assert "第91条" in review.rule_source
    row = TransitionLog.objects.get(application=app, action="reproject", stage=review)
    assert (row.details["before"]["statutory_due"], row.details["after"]["statutory_due"]) == (
        "2026-05-28", "2026-06-02")
    assert "Art" in row.reason and "91" in row.reason
    # Run again: nothing moves, nothing is logged twice.
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    assert TransitionLog.objects.filter(application=app, action="reproject", stage=review).count() == 1
