"""What the e-mails say, read as their reader reads them: the renewal line gives the certificate's
expiry and the day its renewal is due (with the law), an enterprise is greeted by name and not
told the digest's internals, an assignee's line says when the statutory limit has passed, and
Chinese text carries Chinese punctuation."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import translation

from clock.periods import renewal_window
from notifications.digests import digests_send
from notifications.sweep import deadlines_sweep
from review.models import Certificate
from review.selectors import calendar_current
from services import workflow
from tests.case_fixtures import uploads  # noqa: F401 - fixture
from tests.conftest import MONDAY, stage_of
from tests.notifications.test_digests import _digest

# ASCII punctuation touching Chinese text: "状态: 审评", "环节 (视为…)", "审评)".
ASCII_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][:;(]|[:;)]\s*[\u4e00-\u9fff]|\(\s*[\u4e00-\u9fff]")


def _run(day):
    mail.outbox.clear()
    deadlines_sweep(today=day)
    return digests_send(today=day, force=True)


def _html(message):
    (html, _type), = message.alternatives
    return html


# --- the renewal line ------------------------------------------------------------------------
@pytest.fixture
def certificate(users, reviewing):
    """The demo's certificate: expires 2027-05-09, so its renewal is due by 2026-11-09."""
    app = reviewing()
    return Certificate.objects.create(
        application=app, enterprise=app.enterprise, kind=Certificate.Kind.REGISTRATION,
        number="渝械注准20222140001", product_name=app.product_name,
        issued_on=dt.date(2022, 5, 10), valid_from=dt.date(2022, 5, 10), expires_on=dt.date(2027, 5, 9))


def test_renewal_window_is_six_months_before_expiry_for_a_certificate():
    # Order 47 Art. 82; a month with no such day ends on its last day (Civil Code Art. 202).
    assert renewal_window("registration", dt.date(2027, 5, 9), None).closes == dt.date(2026, 11, 9)
    assert renewal_window("registration", dt.date(2027, 8, 31), None).closes == dt.date(2027, 2, 28)
    assert renewal_window("registration", dt.date(2027, 5, 9), None).opens is None


@pytest.mark.django_db
def test_renewal_window_of_a_licence_is_90_to_30_working_days_before_expiry():
    cal = calendar_current()
    expires = dt.date(2026, 12, 31)
    w = renewal_window("licence", expires, cal)
    assert cal.working_days_between(w.opens, expires) == 90  # Order 53 Art. 17
    assert cal.working_days_between(w.closes, expires) == 30
    assert not w.missed(w.closes) and w.missed(w.closes + dt.timedelta(days=1))


def test_enterprise_renewal_digest_in_chinese(users, certificate):
    contact = users.enterprise_obj.contact_email
    _run(dt.date(2026, 11, 26))
    digest = _digest(contact)
    assert digest.body.startswith(f"{users.enterprise_obj.name}：\n")  # greeted like its case e-mails
    case = certificate.application
    assert (f"- {case.reference} {case.product_name} · 医疗器械注册证 渝械注准20222140001 · "
            "有效期至 2027-05-09，按《医疗器械注册与备案管理办法》第八十二条应于 2026-11-09 前申请延续"
            "（已逾期）\n") in digest.body
    assert "时限 2027-05-09" not in digest.body  # the expiry is not the renewal's deadline
    assert "== 应办理延续（1） ==" in digest.body
    # The staff's footer (each case once, under its worst level) is not the enterprise's business.
    assert "最严重的级别" not in digest.body and "最严重的级别" not in _html(digest)
    assert "工作日按国务院公布的节假日安排计算。" in digest.body
    html = _html(digest)
    assert f"<p>{users.enterprise_obj.name}：</p>" in html
    assert "<th align=\"left\">注册证或许可证</th>" in html and ">环节<" not in html
    assert "有效期与延续申请" in html
    assert not ASCII_IN_CHINESE.search(digest.body.replace("http://", ""))


def test_renewal_not_yet_due_is_not_called_late(users, certificate):
    _run(dt.date(2026, 11, 9))  # the last day to file
    body = _digest(users.enterprise_obj.contact_email).body
    assert "应于 2026-11-09 前申请延续\n" in body and "已逾期" not in body


def test_acceptance_officer_renewal_line_in_english(users, certificate):
    users.acceptance.language = "en"
    users.acceptance.save(update_fields=["language"])
    _run(dt.date(2026, 11, 26))
    body = _digest(users.acceptance.email).body
    assert ("Registration certificate 渝械注准20222140001 · valid until 2027-05-09; under Order 47 Art. 82 "
            "the renewal was to be filed by 2026-11-09 (that date has passed)\n") in body
    assert "== Renewal due (1) ==" in body
    assert "Each case is listed once" in body  # staff keep the footer
    assert not re.search(r"[\u4e00-\u9fff]", body.replace("渝械注准", "").replace(
        certificate.application.product_name, ""))


# --- the assignee's line says when the statutory limit has passed ----------------------------
@pytest.fixture
def assigned_review(users, reviewing):
    app = reviewing()
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                            outcome="passed", note="通过", today=MONDAY)
    review = stage_of(app, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor, assignee=users.reviewer)
    review.refresh_from_db()
    return app, review


def test_the_assignee_and_the_supervisor_list_a_case_under_the_same_level(users, assigned_review):
    """Recipients differ in which alerts they are sent (the assignee not the statutory one,
    docs/operations.md#alert-levels-and-recipients), never in how a case is classified: both list it
    under 已超法定时限, with the statutory date and the working days since, and name who holds it."""
    app, review = assigned_review
    cal = calendar_current()
    day1 = cal.add_working_days(review.statutory_due, 1)
    day2 = cal.add_working_days(day1, 1)
    _run(day1)
    assignee, supervisor = _digest(users.reviewer.email), _digest(users.supervisor.email)
    line = (f"- {app.reference} {app.product_name} · 技术审评（经办：{review.department} · "
            f"{users.reviewer.get_full_name() or users.reviewer.username}） · 时限 {review.statutory_due:%Y-%m-%d} · "
            f"已超期 1 个工作日\n")
    for message in (assignee, supervisor):
        assert "== 已超法定时限（1） ==" in message.body and "已超目标时限" not in message.body
        assert line in message.body, message.body
        assert message.body.count(app.reference) == 1
        assert "经办" in _html(message) and f"{review.statutory_due:%Y-%m-%d}" in _html(message)
    # The next day it is still late, still under the same level; and only once a day.
    _run(day2)
    body = _digest(users.reviewer.email).body
    assert "【仍然超期" in body and "== 已超法定时限（1） ==" in body
    mail.outbox.clear()
    assert digests_send(today=day2).sent == []


def test_assignee_line_in_english(users, assigned_review, english):
    app, review = assigned_review
    users.reviewer.language = "en"
    users.reviewer.save(update_fields=["language"])
    _run(calendar_current().add_working_days(review.statutory_due, 1))
    body = _digest(users.reviewer.email).body
    assert "== Statutory limit passed (1) ==" in body
    assert f"deadline {review.statutory_due:%Y-%m-%d} · 1 working day late\n" in body


def test_no_statutory_note_while_the_limit_holds(users, assigned_review):
    app, review = assigned_review
    day = calendar_current().add_working_days(review.target_due, 1)
    assert day <= review.statutory_due
    _run(day)
    body = _digest(users.reviewer.email).body
    assert app.reference in body and "法定时限" not in body


# --- case e-mails: the office's note, Chinese punctuation ------------------------------------
def test_supplement_email_labels_the_note_and_uses_chinese_punctuation(
        users, reviewing, django_capture_on_commit_callbacks):
    app = reviewing()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                          items=["产品技术要求"], note="请一次性补齐", today=MONDAY)
    (message,) = mail.outbox
    assert message.body.startswith(f"{users.enterprise_obj.name}：\n")
    assert f"发出补正通知（当前状态：{app.get_state_display()}）\n" in message.body
    assert "说明：请一次性补齐\n" in message.body and "原因" not in message.body
    assert not ASCII_IN_CHINESE.search(message.body.replace("http://", ""))
    html = _html(message)
    assert "说明：请一次性补齐" in html and "当前状态：" in html and "原因" not in html


def test_a_withdrawal_keeps_its_reason_label(users, make_application, django_capture_on_commit_callbacks):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_withdraw(application=app, actor=users.enterprise, reason="产品停产", today=MONDAY)
    (message,) = mail.outbox
    assert "原因：产品停产\n" in message.body


def test_case_email_in_english(users, reviewing, django_capture_on_commit_callbacks):
    users.enterprise.language = "en"
    users.enterprise.save(update_fields=["language"])
    users.enterprise_obj.contact_email = users.enterprise.email
    users.enterprise_obj.save(update_fields=["contact_email"])
    app = reviewing()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                          items=["x"], note="Please send all at once", today=MONDAY)
    (message,) = mail.outbox
    assert message.body.startswith(f"{users.enterprise_obj.name}:\n")
    with translation.override("en"):
        state = app.get_state_display()
    assert f" (state: {state})\n" in message.body
    assert "Note from the office: Please send all at once\n" in message.body
    assert "：" not in message.body.replace(f"{users.enterprise_obj.name}:", "")


@pytest.mark.usefixtures("uploads")
def test_answer_received_uses_chinese_punctuation(users, reviewing, django_capture_on_commit_callbacks):
    from services import documents
    from tests.case_fixtures import PDF, upload

    app = reviewing()
    review = stage_of(app, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor, assignee=users.reviewer)
    stop = workflow.stage_request_supplement(stage=review, actor=users.reviewer, items=["检验报告"], today=MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充检验报告",
                                    files=[upload("检验报告.pdf", PDF)],
                                    today=MONDAY + dt.timedelta(days=20))
    (message,) = [m for m in mail.outbox if m.to == [users.reviewer.email]]
    assert "环节：技术审评 · " in message.body and "答复：已补充检验报告\n" in message.body
    assert "材料文件：\n  1. 检验报告.pdf（" in message.body
    assert "目标时限：" in message.body and " · 法定时限：" in message.body
    assert not ASCII_IN_CHINESE.search(message.body.replace("http://", ""))


def test_a_licence_is_named_as_printed(users, reviewing):
    """A licence line names the document, 医疗器械生产许可证, not the application type 生产许可."""
    app = reviewing()
    expires = calendar_current().add_working_days(dt.date(2026, 11, 26), 60)  # its window is open
    Certificate.objects.create(
        application=app, enterprise=app.enterprise, kind=Certificate.Kind.LICENCE,
        number="渝药监械生产许20220001号", product_name=app.product_name,
        issued_on=dt.date(2021, 12, 1), valid_from=dt.date(2021, 12, 1), expires_on=expires)
    _run(dt.date(2026, 11, 26))
    body = _digest(users.enterprise_obj.contact_email).body
    assert "· 医疗器械生产许可证 渝药监械生产许20220001号 · 有效期至" in body, body
    assert "《医疗器械生产监督管理办法》第十七条" in body
