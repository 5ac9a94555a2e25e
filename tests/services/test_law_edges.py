"""the law's remaining edges (docs/regulatory-basis.md).

Every date is counted by hand on the official calendars: 2025 (National Day Oct 1-8 off, Sat Oct 11
worked) and 2026 (Qingming Apr 4-6, Labour Day May 1-5 with Sat May 9 worked, 端午 Fri Jun 19 - Sun
Jun 21 off). March 2026 has no holiday.
"""

import datetime as dt
import importlib
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from clock import periods
from notices.models import Notice
from notifications.models import Alert
from notifications.sweep import deadlines_sweep
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Certificate, ClockStop, TransitionLog
from services import workflow
from tests.conftest import MONDAY, stage_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = dt.date


def complete(app, kind, actor, outcome, *, note="", reference="", today):
    return workflow.stage_complete(stage=stage_of(app, kind), actor=actor, outcome=outcome,
                                   note=note, reference=reference, today=today)


def certificate(users, make_application, *, number, expires_on, product="医用外科口罩", kind="registration"):
    owner = make_application(product_name=product)
    return Certificate.objects.create(
        application=owner, enterprise=users.enterprise_obj, kind=kind, number=number, product_name=product,
        issued_on=D(2021, 7, 1), valid_from=expires_on + dt.timedelta(days=1) - dt.timedelta(days=5 * 365 + 1),
        expires_on=expires_on)


# --- item 1: the expiry caps the stages up to the decision, never the issuance ------------------
def test_a_renewal_decided_before_expiry_is_issued_on_its_own_ten_days_and_not_deemed_granted(
        users, make_application):
    certificate(users, make_application, number="渝械注准20212140011", expires_on=D(2026, 6, 30))
    # Filed Tue 2025-12-30: six months before 2026-06-30 (Order 47 Art. 82), in time.
    app = make_application(application_type="renewal", product_name="医用外科口罩", today=D(2025, 12, 30))
    workflow.application_submit(application=app, actor=users.enterprise, today=D(2025, 12, 30))
    complete(app, "acceptance", users.acceptance, "accepted", today=D(2025, 12, 30))
    complete(app, "technical_review", users.reviewer, "approve", note="同意延续", today=D(2026, 6, 24))
    assert stage_of(app, "decision").statutory_due == D(2026, 6, 30)  # 20 WD would be 7/22: capped
    complete(app, "decision", users.approver, "approve", note="准予延续", today=D(2026, 6, 26))
    # Fri 6/26 + 10 WD (Order 47 Art. 95): 6/29, 6/30, 7/1, 7/2, 7/3, 7/6, 7/7, 7/8, 7/9, 7/10.
    assert stage_of(app, "issuance").statutory_due == D(2026, 7, 10)
    deadlines_sweep(today=D(2026, 7, 1))
    assert not Alert.objects.filter(application=app, level="breach").exists()


# --- item 2: a renewal filed late is flagged and never deemed granted ---------------------------
def test_a_registration_renewal_filed_less_than_six_months_before_expiry_is_flagged_with_its_article(
        users, make_application):
    certificate(users, make_application, number="渝械注准20212140012", expires_on=D(2026, 6, 30))
    # The last day to file was Tue 2025-12-30; Wed 12/31 is late.
    app = make_application(application_type="renewal", product_name="医用外科口罩", today=D(2025, 12, 31))
    workflow.application_submit(application=app, actor=users.enterprise, today=D(2025, 12, 31))
    app.refresh_from_db()
    assert (app.renewal_filed_late, app.decide_by) == (True, None)
    flag = TransitionLog.objects.get(application=app, action="renewal_filed_late")
    assert "第八十二条" in flag.reason and "不予延续注册" in flag.reason and not flag.for_applicant
    assert flag.details["last_filing_day"] == "2025-12-30"
    # Nothing is capped at the expiry, so no stage can pass it "deemed granted".
    assert stage_of(app, "acceptance").statutory_due == D(2026, 1, 8)  # 1/1-1/3 off, Sun 1/4 worked
    # Staff are offered the refusal with its reason, in the notice's language, above the form.
    from services.actions import decision_warning

    warning = decision_warning(app, stage_of(app, "acceptance"), list(app.stages.all()))
    assert "to be refused, never deemed granted" in warning and "第八十二条、第八十三条第（一）项" in warning


def test_a_renewal_whose_last_filing_day_is_a_rest_day_may_be_filed_the_next_working_day(users):
    from review.selectors import calendar_current

    cal = calendar_current()
    # Expiry 2026-09-07: six months before is Sat 2026-03-07 (Civil Code Art. 202, 203: the rest
    # ends Sun 3/8), so Mon 3/9 is in time and Tue 3/10 is late (labelled reading, docs o47-83).
    assert periods.renewal_filing("registration", D(2026, 9, 7), D(2026, 3, 9), cal).in_time
    assert periods.renewal_filing("registration", D(2026, 9, 7), D(2026, 3, 10), cal).too_late


def test_a_licence_renewal_filed_before_its_window_opens_is_not_accepted(users, make_application):
    licence = certificate(users, make_application, number="渝药监械生产许20210001号", expires_on=D(2026, 12, 31),
                          kind="licence")
    app = make_application(application_type="licence", product_name="医用外科口罩", renewal_of=licence)
    assert app.decide_by == D(2026, 12, 31)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    app.refresh_from_db()
    assert (app.renewal_filed_late, app.decide_by) == (True, None)
    reason = TransitionLog.objects.get(application=app, action="renewal_filed_late").reason
    assert "第十七条" in reason and "不予受理" in reason


# --- item 3: a change keeps the certificate's number and expiry --------------------------------
def test_a_change_registration_keeps_the_original_number_and_expiry(users, make_application):
    original = certificate(users, make_application, number="渝械注准20242140003", expires_on=D(2029, 5, 31))
    app = make_application(application_type="change", product_name="医用外科口罩")
    assert app.change_of == original
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    complete(app, "acceptance", users.acceptance, "accepted", today=MONDAY)
    complete(app, "technical_review", users.reviewer, "approve", note="同意变更", today=D(2026, 3, 16))
    complete(app, "decision", users.approver, "approve", note="准予变更", today=D(2026, 3, 18))
    with pytest.raises(InvalidInput, match="Art. 115"):
        complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140099", today=D(2026, 3, 20))
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20242140003", today=D(2026, 3, 20))
    change = Certificate.objects.get(application=app)
    assert (change.kind, change.number, change.valid_from, change.expires_on) == (
        "change", "渝械注准20242140003", original.valid_from, D(2029, 5, 31))
    original.refresh_from_db()
    assert (original.expires_on, original.renewal) == (D(2029, 5, 31), None)  # still watched
    notice = Notice.objects.get(application=app, kind="approval").content
    assert notice["title"] == "准予变更注册通知书"
    assert ["有效期", f"与原医疗器械注册证一致（{original.valid_from.year}年{original.valid_from.month}月"
            f"{original.valid_from.day}日至2029年5月31日）"] in notice["facts"]


def test_the_migration_turns_a_recorded_change_certificate_into_a_change_document_and_logs_it(
        users, make_application):
    from django.apps import apps

    original = certificate(users, make_application, number="渝械注准20242140004", expires_on=D(2029, 5, 31))
    change_case = make_application(application_type="change", product_name="医用外科口罩")
    wrong = Certificate.objects.create(  # what issuance recorded before: a new five years
        application=change_case, enterprise=users.enterprise_obj, kind="registration",
        number="渝械注准20262140005", product_name="医用外科口罩", issued_on=D(2026, 3, 20),
        valid_from=D(2026, 3, 18), expires_on=D(2031, 3, 17))
    migration = importlib.import_module("review.migrations.0022_change_certificates_law")
    migration.correct_change_certificates(apps, None)
    wrong.refresh_from_db()
    assert (wrong.kind, wrong.valid_from, wrong.expires_on) == ("change", original.valid_from, D(2029, 5, 31))
    row = TransitionLog.objects.get(application=change_case, action="certificate_corrected")
    assert row.details["before"]["expires_on"] == "2031-03-17" and row.details["original"] == original.number
    call_command("verify_log")  # the new row is chained like every other


# --- item 4: an applicant's period ending on a rest day ends on the next working day ------------
def test_a_supplement_year_ending_on_the_dragon_boat_holiday_runs_to_monday_22_june(users, reviewing):
    app = reviewing(on=D(2025, 6, 19))
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["临床评价资料"], today=D(2025, 6, 19))
    # 2026-06-19 is 端午 (rest until Sun 6/21): Civil Code Art. 203 moves the end to Mon 6/22.
    assert stop.applicant_deadline == D(2026, 6, 22)
    with pytest.raises(NotAllowedNow, match="2026-06-22"):
        workflow.stage_refuse_lapsed(stage=stage_of(app, "technical_review"), actor=users.approver,
                                     today=D(2026, 6, 20))
    workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.enterprise,
                          response="补正资料", document_count=1, today=D(2026, 6, 22))
    assert stage_of(app, "technical_review").state == "running"


def test_six_months_of_rectification_ending_on_a_holiday_run_to_the_next_working_day(users, reviewing):
    app = reviewing(on=D(2025, 12, 19))
    stop = workflow.stage_request_rectification(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                                items=["洁净区压差记录缺失"], today=D(2025, 12, 19))
    assert stop.applicant_deadline == D(2026, 6, 22)  # 6/19 (端午) -> Mon 6/22


def test_reproject_cases_moves_a_stored_rest_day_deadline_and_logs_it(users, reviewing):
    app = reviewing(on=D(2025, 6, 19))
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["临床评价资料"], today=D(2025, 6, 19))
    ClockStop.objects.filter(pk=stop.pk).update(applicant_deadline=D(2026, 6, 19))  # as stored before
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    stop.refresh_from_db()
    assert stop.applicant_deadline == D(2026, 6, 22)
    row = TransitionLog.objects.get(application=app, action="reproject")
    assert row.details["applicant_deadline"] == {"before": "2026-06-19", "after": "2026-06-22"}
    call_command("reproject_cases", "--actor", users.sysadmin.username)  # idempotent: nothing more moves
    assert TransitionLog.objects.filter(application=app, action="reproject").count() == 1


def test_the_rest_day_rule_is_pure_and_leaves_working_days_alone(users):
    from review.selectors import calendar_current

    cal = calendar_current()
    assert periods.rest_day_end(D(2026, 6, 19), cal) == D(2026, 6, 22)  # 端午 Fri -> Mon
    assert periods.rest_day_end(D(2026, 5, 9), cal) == D(2026, 5, 9)  # an adjusted working Saturday
    assert periods.rest_day_end(D(2026, 3, 2), cal) == D(2026, 3, 2)


# --- item 5: Order 47 Art. 98(2) and 98(5) pauses ---------------------------------------------
def test_a_review_waiting_for_the_qms_result_stops_its_clock_and_raises_no_alert(users, reviewing):
    app = reviewing()
    workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.supervisor, reason="awaiting_qms",
                         note="等待体系核查结论", today=D(2026, 3, 3))
    review = stage_of(app, "technical_review")
    assert (review.state, review.statutory_due, review.consumed_days) == ("paused", None, 1)
    deadlines_sweep(today=D(2026, 8, 3))  # long past the 60 WD: nothing, the clock stands
    assert not Alert.objects.filter(stage=review).exists()
    with pytest.raises(InvalidInput, match="98") as exc:
        workflow.stage_pause(stage=stage_of(app, "qms_verification"), actor=users.supervisor,
                             reason="awaiting_qms", note="x", today=D(2026, 3, 3))
    assert exc.value.extra["field"] == "reason"


def test_a_verification_delayed_at_the_applicants_request_stops_only_the_verification(users, reviewing):
    app = reviewing()
    workflow.stage_pause(stage=stage_of(app, "qms_verification"), actor=users.supervisor,
                         reason="applicant_delay", note="企业申请延期核查", today=D(2026, 3, 3))
    assert stage_of(app, "qms_verification").state == "paused"
    with pytest.raises(InvalidInput, match="98"):
        workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                             reason="applicant_delay", note="x", today=D(2026, 3, 3))


# --- item 10: an extension the expiry would swallow is refused ---------------------------------
def test_an_extension_of_a_renewal_review_held_at_the_expiry_is_refused_saying_why(users, make_application):
    certificate(users, make_application, number="渝械注准20212140013", expires_on=D(2026, 4, 30))
    app = make_application(application_type="renewal", product_name="医用外科口罩", today=D(2025, 10, 30))
    workflow.application_submit(application=app, actor=users.enterprise, today=D(2025, 10, 30))
    complete(app, "acceptance", users.acceptance, "accepted", today=D(2025, 10, 30))
    workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.supervisor, reason="expert",
                         note="专家咨询", today=D(2025, 10, 31))
    workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.supervisor, response="到",
                          today=MONDAY)
    assert stage_of(app, "technical_review").statutory_due == D(2026, 4, 30)  # own 5/27, capped
    with pytest.raises(NotAllowedNow, match="Art. 82"):
        workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor, days=15,
                              reason="专家意见分歧", today=MONDAY)
    assert stage_of(app, "technical_review").extension_days == 0


# --- item 11: the office and the reconsideration body follow the jurisdiction -------------------
def test_a_shanghai_deployment_prints_shanghai_and_never_chongqing():
    from config.offices import office_for

    assert office_for("SH") == ("上海市药品监督管理局", "上海市人民政府")
    assert "重庆" not in "".join(office_for("SH"))
    assert office_for("CQ").reconsideration_body == "重庆市人民政府"
    with pytest.raises(ValueError, match="REVIEW_JURISDICTION"):
        office_for("XX")


def test_the_settings_follow_the_jurisdiction_unless_set():
    env = {"REVIEW_JURISDICTION": "SH", "DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin"}
    env.update({k: os.environ[k] for k in ("DATABASE_URL", "REDIS_URL", "HOME") if k in os.environ})
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.NOTICE_OFFICE_NAME, settings.NOTICE_RECONSIDERATION_BODY)"],
        env=env, capture_output=True, text=True, check=True).stdout
    assert out.split()[-2:] == ["上海市药品监督管理局", "上海市人民政府"]


# --- item 9: the 2015 QMS procedure under its published title, Class II by analogy --------------
def test_the_qms_procedure_is_cited_by_its_published_title_and_class_ii_by_analogy(users, reviewing):
    from review.models import PolicyRule

    app = reviewing()
    workflow.stage_request_rectification(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                         items=["洁净区压差记录缺失"], today=MONDAY)
    basis = Notice.objects.get(application=app, kind="rectification").content["basis"][0]
    assert basis == ("《境内第三类医疗器械注册质量管理体系核查工作程序（暂行）》（食药监械管〔2015〕63号）"
                     "第十七条（第二类参照适用）")
    assert not PolicyRule.objects.filter(source__contains="境内第三类和进口").exists()
    assert PolicyRule.objects.filter(stage_kind="qms_verification", device_class="",
                                     source__contains="第17条（第二类参照适用）").exists()


# --- item 6: IVD cases cite Order 48 with its own numbers --------------------------------------
def test_an_ivd_case_cites_order_48_in_its_stage_basis_guide_and_notices(users, make_application):
    from services.guide import service_guide

    app = make_application(category="ivd", product_name="血糖测试条")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    basis = stage_of(app, "acceptance").rule_source
    assert basis.startswith("《体外诊断试剂注册与备案管理办法》（国家市场监督管理总局令第48号）第52条")
    assert "第47号" not in basis
    complete(app, "acceptance", users.acceptance, "accepted", today=MONDAY)
    assert "《体外诊断试剂注册与备案管理办法》（国家市场监督管理总局令第48号）第五十二条" in Notice.objects.get(
        application=app, kind="acceptance").content["basis"]
    guide = service_guide(jurisdiction="CQ", device_class="II", category="ivd", application_type="first",
                          today=MONDAY)
    review = next(s for s in guide.stages if s.kind == "technical_review")
    assert "第48号）第92条" in review.basis and "第47号" not in review.basis
    decision = next(s for s in guide.stages if s.kind == "decision")
    assert "Order 48 Art. 56" in decision.applicant_task


# --- item 7: the production licence's own texts and start -------------------------------------
def test_a_licence_application_reads_order_53_and_never_a_registration_dossier(users, make_application):
    from services.guide import service_guide

    guide = service_guide(jurisdiction="CN", device_class="II", category="passive", application_type="licence",
                          today=MONDAY)
    acceptance = guide.stages[0]
    assert acceptance.kind == "acceptance" and "第53号）第11条" in acceptance.basis
    assert "no registration dossier or test report" in acceptance.applicant_task
    assert "Art. 57" not in " ".join(s.applicant_task for s in guide.stages)
    assert "生产许可证" in guide.stages[-1].applicant_task


def test_a_parallel_licence_counts_its_twenty_days_from_the_certificates_issue(users, reviewing):
    app = reviewing(with_production_licence=True)
    complete(app, "technical_review", users.reviewer, "approve", note="同意", today=MONDAY)
    complete(app, "merged_inspection", users.inspector, "passed", note="合并检查通过", today=MONDAY)
    complete(app, "decision", users.approver, "approve", note="准予注册", today=MONDAY)
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140321", today=D(2026, 3, 6))
    licence = stage_of(app, "licence_decision")
    # Fri 3/6 + 20 WD (Order 53 Art. 13): 3/13 (5), 3/20 (10), 3/27 (15), 4/3 (20). Counted from the
    # approval (Mon 3/2) it would have been 3/30: four days early.
    assert (licence.consumed_days, licence.statutory_due) == (0, D(2026, 4, 3))


def test_reproject_cases_moves_a_parallel_licence_counted_from_the_approval_and_logs_it(users, reviewing):
    from review.models import Application, Stage

    app = reviewing(with_production_licence=True)
    complete(app, "technical_review", users.reviewer, "approve", note="同意", today=MONDAY)
    complete(app, "merged_inspection", users.inspector, "passed", note="合并检查通过", today=MONDAY)
    complete(app, "decision", users.approver, "approve", note="准予注册", today=MONDAY)
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140322", today=D(2026, 3, 6))
    licence = stage_of(app, "licence_decision")
    # As the old code stored it: counted from the approval, Mon 3/2 (4 WD used by Fri 3/6, due 3/30).
    Application.objects.filter(pk=app.pk).update(licence_accepted_on=MONDAY)
    Stage.objects.filter(pk=licence.pk).update(consumed_days=4, statutory_due=D(2026, 3, 30))
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    licence.refresh_from_db()
    app.refresh_from_db()
    assert (app.licence_accepted_on, licence.consumed_days, licence.statutory_due) == (
        D(2026, 3, 6), 0, D(2026, 4, 3))
    row = TransitionLog.objects.get(application=app, stage=licence, action="reproject")
    assert row.details["licence_accepted_on"] == {"before": "2026-03-02", "after": "2026-03-06"}


# --- item 8: what the notices say about renewals, changes, objections and lapses ---------------
def test_the_approval_notice_says_when_to_renew_and_a_lapse_refusal_speaks_chinese(users, reviewing):
    app = reviewing()
    complete(app, "technical_review", users.reviewer, "approve", note="同意", today=MONDAY)
    complete(app, "qms_verification", users.inspector, "passed", note="通过", today=MONDAY)
    complete(app, "decision", users.approver, "approve", note="准予注册", today=MONDAY)
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140323", today=MONDAY)
    approval = Notice.objects.get(application=app, kind="approval").content
    assert "应当在有效期届满6个月前提出延续注册申请" in approval["after"][0]
    assert any("第八十二条" in b for b in approval["basis"])

    lapsed = reviewing(product_name="医用外科口罩")
    stop = workflow.stage_request_supplement(stage=stage_of(lapsed, "technical_review"), actor=users.reviewer,
                                             items=["临床评价资料"], today=MONDAY)
    supplement = Notice.objects.get(application=lapsed, kind="supplement").content
    assert any("书面意见" in line for line in supplement["after"])  # Order 47 Art. 54 para. 2
    assert stop.applicant_deadline == D(2027, 3, 2)  # Tue 2027-03-02, a working day
    workflow.stage_refuse_lapsed(stage=stage_of(lapsed, "technical_review"), actor=users.approver,
                                 today=D(2027, 3, 3))  # the clicker reads English (fixture)
    refusal = Notice.objects.get(application=lapsed, kind="refusal").content
    assert refusal["items"] == ["本局于2026年3月2日发出补正通知，申请人未在2027年3月2日前提交补正资料，依据"
                                "《医疗器械注册与备案管理办法》（国家市场监督管理总局令第47号）第五十四条，"
                                "终止技术审评，作出不予注册的决定。"]


def test_reproject_cases_flags_a_late_renewal_filed_before_the_check_and_lifts_its_cap(users, make_application):
    from review.models import Application
    from review.selectors import calendar_current

    certificate(users, make_application, number="渝械注准20212140014", expires_on=D(2026, 4, 30))
    app = make_application(application_type="renewal", product_name="医用外科口罩")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    complete(app, "acceptance", users.acceptance, "accepted", today=MONDAY)
    # As stored before the check: not flagged, held at the expiry (4/30).
    Application.objects.filter(pk=app.pk).update(renewal_filed_late=False, decide_by=D(2026, 4, 30))
    app.refresh_from_db()
    review = stage_of(app, "technical_review")
    workflow.project(review, calendar_current())
    review.save(update_fields=["statutory_due", "target_due"])
    assert stage_of(app, "technical_review").statutory_due == D(2026, 4, 30)
    call_command("reproject_cases", "--actor", users.sysadmin.username)
    app.refresh_from_db()
    assert (app.renewal_filed_late, app.decide_by) == (True, None)
    # Mon 3/2 + 60 WD: 3/31 (21), 4/30 (42; Qingming 4/4-6 off), 5/8 (45; Labour Day 5/1-5 off),
    # Sat 5/9 worked (46), 5/22 (56), 5/28 (60), and the 3 WD to the hand-over (Order 47 Art. 91),
    # which the limit does not count: Fri 5/29 (61), Mon 6/1 (62), Tue 6/2 (63): its own limit
    # again, no longer held at the expiry.
    assert stage_of(app, "technical_review").statutory_due == D(2026, 6, 2)
    assert TransitionLog.objects.filter(application=app, action="renewal_filed_late",
                                        details__checked_after_filing=True).count() == 1
    assert TransitionLog.objects.filter(application=app, action="reproject_policy").exists()


def test_an_ivd_case_reads_order_48_in_the_messages_and_no_guessed_article(users, reviewing, make_application):
    app = reviewing(category="ivd", product_name="血糖测试条")
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["临床评价资料"], today=MONDAY)
    with pytest.raises(NotAllowedNow, match=r"^Order 48 Art\. 53 allows one supplement notice"):
        workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                          items=["说明书"], today=MONDAY)
    filed = make_application(category="ivd", product_name="尿液分析试纸")
    workflow.application_submit(application=filed, actor=users.enterprise, today=MONDAY)
    with pytest.raises(NotAllowedNow) as exc:  # Art. 96 has no Order 48 number on record: the order alone
        workflow.stage_extend(stage=stage_of(filed, "acceptance"), actor=users.supervisor, days=2, reason="x")
    assert "Order 48 allows" in exc.value.message and "Order 47" not in exc.value.message
