"""Digest contents per role: what is new, then what is still late until dealt with; each case
once under its worst level; the subject counts cases; exactly one digest per address and day."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from notifications.digests import digests_send
from notifications.models import AlertLevel, DigestDay
from notifications.sweep import deadlines_sweep
from review.selectors import calendar_current
from services import workflow
from tests.conftest import MONDAY, stage_of


def _digest(email):
    found = [m for m in mail.outbox if m.to == [email]]
    assert len(found) <= 1, "one digest per address per run"
    return found[0] if found else None


def _run(day):
    mail.outbox.clear()
    deadlines_sweep(today=day)
    return digests_send(today=day)


@pytest.fixture
def late_case(users, reviewing):
    """Technical review assigned to the reviewer, run past its statutory limit; the case's QMS
    verification is running too (past its target)."""
    for who in (users.supervisor, users.director, users.reviewer, users.inspector):
        who.language = "en"
        who.save(update_fields=["language"])
    app = reviewing()
    review = stage_of(app, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor, assignee=users.reviewer)
    review.refresh_from_db()
    cal = calendar_current()
    day1 = cal.add_working_days(review.statutory_due, 1)
    return app, review, day1, cal.add_working_days(day1, 1)


def test_supervisor_sees_each_case_once_under_its_worst_level(users, late_case, english):
    app, review, day1, _ = late_case
    _run(day1)
    digest = _digest(users.supervisor.email)
    # Overdue and statutory-passed alerts for two stages of one case: listed once.
    assert digest.body.count(app.reference) == 1
    assert "== Statutory limit passed (1) ==" in digest.body
    assert "== Overdue" not in digest.body
    assert digest.subject == f"[Review tracker] {day1}: 1 case needs attention"
    assert "NEW SINCE THE LAST DIGEST" in digest.body and "STILL LATE" not in digest.body


def test_near_is_never_worded_passed(users, late_case, english):
    app, review, _, _ = late_case
    near = calendar_current().add_working_days(review.statutory_due, -1)
    _run(near)
    body = _digest(users.director.email).body
    assert "Statutory limit near" in body and "passed" not in body


def test_the_next_day_lists_what_is_still_late_until_dealt_with(users, late_case, english):
    app, review, day1, day2 = late_case
    _run(day1)
    _run(day2)  # nothing new on day 2
    for who in (users.supervisor, users.director, users.reviewer):
        digest = _digest(who.email)
        assert digest is not None, who.username
        assert "STILL LATE" in digest.body and "NEW SINCE" not in digest.body
        assert digest.body.count(app.reference) == 1
    # The director only ever had the statutory alert, and keeps getting it.
    assert "Statutory limit passed" in _digest(users.director.email).body
    # The reviewer, the assignee, was sent only the review's passed target, yet lists the case under
    # the case's own level, as the director does (docs/architecture.md#one-status-model).
    assert "== Statutory limit passed (1) ==" in _digest(users.reviewer.email).body
    # Exactly once per day: running again the same day sends nothing.
    mail.outbox.clear()
    assert digests_send(today=day2).sent == [] and mail.outbox == []
    assert DigestDay.objects.filter(day=day2, state="sent").count() >= 3
    # Dealt with: the review is finished and QMS verification passed; the case leaves the digests.
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                            outcome="approve", note="同意", today=day2)
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                            outcome="passed", note="通过", today=day2)
    day3 = calendar_current().add_working_days(day2, 1)
    _run(day3)
    for who in (users.supervisor, users.director, users.reviewer):
        digest = _digest(who.email)
        assert digest is None or app.reference not in digest.body


def test_an_extension_takes_the_case_out_of_the_reminders(users, reviewing):
    app = reviewing()
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                            outcome="passed", note="通过", today=MONDAY)
    review = stage_of(app, "technical_review")
    cal = calendar_current()
    day1 = cal.add_working_days(review.target_due, 1)
    _run(day1)
    assert app.reference in _digest(users.supervisor.email).body
    workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor, days=20,
                          reason="专家论证", today=day1)
    _run(cal.add_working_days(day1, 1))
    digest = _digest(users.supervisor.email)
    assert digest is None or app.reference not in digest.body


def test_due_soon_is_told_once_not_repeated(users, late_case):
    app, review, _, _ = late_case
    cal = calendar_current()
    soon = cal.add_working_days(review.target_due, -3)
    _run(soon)
    assert _digest(users.reviewer.email) is not None
    assert _digest(users.director.email) is None  # nothing statutory yet
    _run(cal.add_working_days(soon, 1))
    assert _digest(users.reviewer.email) is None  # due soon is not "still late"


def test_new_cases_first_then_the_old_ones(users, late_case, reviewing, english):
    app, review, day1, day2 = late_case
    _run(day1)
    # A second case that goes past its target on day 2: new, above the old one.
    later = reviewing(on=calendar_current().add_working_days(MONDAY, -10), product_name="医用口罩")
    later_review = stage_of(later, "technical_review")
    assert later_review.target_due < day2
    _run(day2)
    body = _digest(users.supervisor.email).body
    assert body.index(later.reference) < body.index("STILL LATE") < body.index(app.reference)
    assert _digest(users.supervisor.email).subject.endswith("2 cases need attention")


def test_a_failed_reminder_is_retried_the_same_day(users, late_case):
    app, review, day1, day2 = late_case
    _run(day1)
    mail.outbox.clear()
    deadlines_sweep(today=day2)
    # A real SMTP connection to a closed port: refused.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2):
        result = digests_send(today=day2)
    assert users.supervisor.email in result.failed
    assert DigestDay.objects.get(email=users.supervisor.email, day=day2).state == "failed"
    retried = digests_send(today=day2, retry_only=True)
    assert users.supervisor.email in retried.sent
    assert app.reference in _digest(users.supervisor.email).body
    assert DigestDay.objects.get(email=users.supervisor.email, day=day2).state == "sent"


def test_a_worker_killed_mid_digest_is_sent_once_after_the_claim_times_out(users, late_case):
    """A worker claimed an address's deliveries and day, then died before sending: nothing is sent
    twice while the claim is fresh (it may still be sending), and once the claim is older than
    CLAIM_TIMEOUT the next run sends the digest exactly once."""
    from django.utils import timezone

    from notifications.digests import CLAIM_TIMEOUT, _claim, _claim_day
    from notifications.models import Delivery

    app, review, day1, day2 = late_case
    mail.outbox.clear()
    deadlines_sweep(today=day1)
    email = users.supervisor.email
    assert _claim(email, retry_only=False) and _claim_day(email, day1, retry_only=False)
    # ... and the worker is killed here: its rows stay "sending".
    assert digests_send(today=day1).sent.count(email) == 0
    assert digests_send(today=day1, retry_only=True).sent.count(email) == 0
    assert _digest(email) is None
    stale = timezone.now() - CLAIM_TIMEOUT - dt.timedelta(minutes=1)
    Delivery.objects.filter(email=email, state="sending").update(claimed_at=stale)
    DigestDay.objects.filter(email=email, day=day1).update(claimed_at=stale)
    assert email in digests_send(today=day1, retry_only=True).sent
    assert app.reference in _digest(email).body
    assert not Delivery.objects.filter(email=email).exclude(state="sent").exists()
    assert DigestDay.objects.get(email=email, day=day1).state == "sent"
    mail.outbox.clear()
    assert email not in digests_send(today=day1).sent and _digest(email) is None


def test_staff_read_the_daily_digests_record_in_the_admin(users, late_case, client):
    app, review, day1, day2 = late_case
    _run(day1)
    client.force_login(users.supervisor)
    page = client.get("/admin/notifications/digestday/")
    assert page.status_code == 200
    assert users.supervisor.email in page.content.decode()
    row = DigestDay.objects.get(email=users.supervisor.email, day=day1)
    assert row.state == "sent" and row.cases == 1
    detail = client.get(f"/admin/notifications/digestday/{row.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content  # read only
    client.force_login(users.enterprise)
    assert client.get("/admin/notifications/digestday/").status_code in (302, 403)


@override_settings(SITE_URL="https://review.example.gov.cn")
def test_links_use_the_site_address(users, late_case):
    app, review, day1, _ = late_case
    _run(day1)
    assert f"https://review.example.gov.cn/admin/review/application/{app.pk}/change/" in \
        _digest(users.supervisor.email).body


def test_chinese_digest(users, late_case):
    app, review, day1, _ = late_case
    users.supervisor.language = "zh-hans"
    users.supervisor.save(update_fields=["language"])
    with translation.override("en"):  # the recipient's language, not the sender's
        _run(day1)
    digest = _digest(users.supervisor.email)
    assert "已超法定时限" in digest.body and "个案件" in digest.subject


def test_a_digest_lists_passed_above_near_above_overdue_each_case_under_its_worst(english):
    from notifications.digests import digest_cases

    def row(case, level, stage, deadline=MONDAY):
        return {"application_id": case, "reference": f"R{case}", "level": level, "stage": stage,
                "deadline": deadline, "new": True}

    new, still_late = digest_cases([  # in no particular order, as the sweep's rows come
        row(1, AlertLevel.OVERDUE, "Technical review"),
        row(2, AlertLevel.OVERDUE, "QMS verification"),
        row(2, AlertLevel.STATUTORY_NEAR, "Technical review"),
        row(3, AlertLevel.BREACH, "Technical review", MONDAY + dt.timedelta(days=1)),
    ])
    assert [(g["level"], [r["reference"] for r in g["rows"]]) for g in new] == [
        (AlertLevel.BREACH, ["R3"]), (AlertLevel.STATUTORY_NEAR, ["R2"]), (AlertLevel.OVERDUE, ["R1"])]
    assert new[1]["rows"][0]["also"] == "QMS verification: Past target"  # named beside, not twice
    assert still_late == []


def test_the_digest_says_when_a_case_is_deemed_accepted(users, make_application, english):
    users.supervisor.language = "en"
    users.supervisor.save(update_fields=["language"])
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    acceptance = stage_of(app, "acceptance")
    _run(calendar_current().add_working_days(acceptance.statutory_due, 1))
    body = _digest(users.supervisor.email).body
    assert app.reference in body
    assert "deemed accepted as of the day of receipt (Administrative Licensing Law Art. 32)" in body
