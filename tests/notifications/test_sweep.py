"""The sweep: each alert level to its recipients, exactly once, new alerts for moved deadlines."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from clock.periods import add_months
from notifications.digests import digests_send
from notifications.models import Alert, AlertLevel, Delivery
from notifications.sweep import deadlines_sweep
from review.deadlines import past_target_q
from review.models import Stage
from review.selectors import calendar_current
from services import workflow
from tests.conftest import MONDAY, stage_of


def _addresses(level, stage=None):
    qs = Delivery.objects.filter(alert__level=level)
    if stage is not None:
        qs = qs.filter(alert__stage=stage)
    return set(qs.values_list("email", flat=True))


@pytest.fixture
def review_stage(users, reviewing):
    """Technical review of a case accepted on MONDAY (2026-03-02): target 40 WD, statutory 60 WD."""
    app = reviewing()
    return stage_of(app, "technical_review")


def test_due_soon_goes_to_the_assignee(users, review_stage):
    workflow.stage_reassign(stage=review_stage, actor=users.supervisor, assignee=users.reviewer)
    review_stage.refresh_from_db()
    today = calendar_current().add_working_days(review_stage.target_due, -3)  # within the 5-WD lead
    result = deadlines_sweep(today=today)
    assert result.raised[AlertLevel.DUE_SOON] == 1
    assert _addresses(AlertLevel.DUE_SOON, review_stage) == {users.reviewer.email}
    assert not Alert.objects.filter(stage=review_stage, level=AlertLevel.OVERDUE).exists()


def test_overdue_goes_to_the_assignee_and_supervisors(users, review_stage):
    workflow.stage_reassign(stage=review_stage, actor=users.supervisor, assignee=users.reviewer)
    review_stage.refresh_from_db()
    today = review_stage.target_due + dt.timedelta(days=1)
    deadlines_sweep(today=today)
    assert _addresses(AlertLevel.OVERDUE, review_stage) == {users.reviewer.email, users.supervisor.email}
    assert Stage.objects.filter(past_target_q(today), pk=review_stage.pk).exists()
    assert not Alert.objects.filter(level=AlertLevel.BREACH).exists()  # statutory still 20 WD away


def test_statutory_limit_near_and_passed_are_separate_levels(users, review_stage):
    """Within 3 WD of the limit is "near", to supervisors and directors; never worded "passed"."""
    today = calendar_current().add_working_days(review_stage.statutory_due, -2)  # within 3 WD
    deadlines_sweep(today=today)
    assert _addresses(AlertLevel.STATUTORY_NEAR, review_stage) == {users.supervisor.email, users.director.email}
    assert not Alert.objects.filter(level=AlertLevel.BREACH).exists()
    deadlines_sweep(today=review_stage.statutory_due)  # the last day: still near
    assert not Alert.objects.filter(level=AlertLevel.BREACH).exists()
    deadlines_sweep(today=review_stage.statutory_due + dt.timedelta(days=1))
    assert _addresses(AlertLevel.BREACH, review_stage) == {users.supervisor.email, users.director.email}
    with translation.override("en"):
        assert str(AlertLevel.STATUTORY_NEAR.label) == "Statutory limit near"
        assert str(AlertLevel.BREACH.label) == "Statutory limit passed"


def test_applicant_deadline_goes_to_the_enterprise_and_acceptance(users, review_stage):
    stop = workflow.stage_request_supplement(stage=review_stage, actor=users.reviewer, items="检验报告",
                                             today=MONDAY)
    deadlines_sweep(today=stop.applicant_deadline - dt.timedelta(days=29))
    assert _addresses(AlertLevel.APPLICANT_OVERDUE) == {users.enterprise_obj.contact_email,
                                                        users.acceptance.email}
    assert not Alert.objects.filter(stage=review_stage, level=AlertLevel.OVERDUE).exists()  # paused


def test_exactly_once_however_often_the_sweep_runs(users, review_stage):
    today = review_stage.statutory_due + dt.timedelta(days=1)
    first = deadlines_sweep(today=today)
    alerts, deliveries = Alert.objects.count(), Delivery.objects.count()
    assert alerts >= 2 and deliveries >= 3
    for _ in range(3):
        again = deadlines_sweep(today=today)
        assert sum(again.raised.values()) == 0 and again.deliveries == 0
    assert (Alert.objects.count(), Delivery.objects.count()) == (alerts, deliveries)
    assert first.raised[AlertLevel.BREACH] >= 1


def test_a_crashed_sweeps_deliveries_are_kept_and_the_rest_written(users, review_stage):
    """A sweep that wrote some deliveries and died before marking its alerts: the next one writes
    the missing rows, keeps the written ones (same ids, state untouched) and marks every alert."""
    today = review_stage.statutory_due + dt.timedelta(days=1)
    deadlines_sweep(today=today)
    expected = set(Delivery.objects.values_list("alert_id", "email"))
    kept = Delivery.objects.order_by("pk").first()
    Delivery.objects.filter(pk=kept.pk).update(state="sent")
    Delivery.objects.exclude(pk=kept.pk).delete()
    Alert.objects.update(fanned_out=False)
    again = deadlines_sweep(today=today)
    assert again.deliveries == len(expected)  # every row owed, the kept one skipped by the constraint
    assert set(Delivery.objects.values_list("alert_id", "email")) == expected
    assert Delivery.objects.get(alert_id=kept.alert_id, email=kept.email).state == "sent"
    assert not Alert.objects.filter(fanned_out=False).exists()
    assert deadlines_sweep(today=today).deliveries == 0


def test_a_moved_deadline_alerts_again_when_missed_again(users, review_stage):
    today = review_stage.target_due + dt.timedelta(days=1)
    deadlines_sweep(today=today)
    assert Alert.objects.filter(stage=review_stage, level=AlertLevel.OVERDUE).count() == 1
    workflow.stage_extend(stage=review_stage, actor=users.supervisor, days=10, reason="专家论证")
    review_stage.refresh_from_db()
    deadlines_sweep(today=today)
    assert not Stage.objects.filter(past_target_q(today), pk=review_stage.pk).exists()  # the extension moved it
    assert Alert.objects.filter(stage=review_stage, level=AlertLevel.OVERDUE).count() == 1  # nothing new
    deadlines_sweep(today=review_stage.target_due + dt.timedelta(days=1))
    deadlines = set(Alert.objects.filter(stage=review_stage, level=AlertLevel.OVERDUE)
                    .values_list("deadline", flat=True))
    assert len(deadlines) == 2 and review_stage.target_due in deadlines


def test_national_review_is_never_alerted_locally(users, make_application):
    app = make_application(device_class="III")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    national = stage_of(app, "national_review")
    # The QMS verification starts on the national centre's notice (Order 47 Art. 93).
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=MONDAY)
    deadlines_sweep(today=national.statutory_due + dt.timedelta(days=30))
    assert not Alert.objects.filter(stage=national).exists()
    assert Alert.objects.filter(stage=stage_of(app, "qms_verification")).exists()


def test_testing_never_raises_a_statutory_alert(users, make_application):
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    testing = stage_of(app, "testing")
    workflow.stage_start(stage=testing, actor=users.tester, today=MONDAY)
    deadlines_sweep(today=MONDAY + dt.timedelta(days=400))
    levels = set(Alert.objects.filter(stage=testing).values_list("level", flat=True))
    assert levels == {AlertLevel.OVERDUE}  # the plan's target, to the assignee and supervisors


def test_renewal_watch(users, reviewing):
    app = reviewing()
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"}),
                            ("decision", users.approver, {"outcome": "approve", "note": "准予"}),
                            ("issuance", users.approver, {"outcome": "issued", "reference": "渝械注准20262140001"})):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=MONDAY, **kw)
    cert = app.certificates.get()
    # Filed six months before expiry at the latest; watched from 30 days before that day.
    last_filing_day = add_months(cert.expires_on, -6)
    deadlines_sweep(today=last_filing_day - dt.timedelta(days=31))
    assert not Alert.objects.filter(level=AlertLevel.RENEWAL).exists()
    deadlines_sweep(today=last_filing_day - dt.timedelta(days=30))
    assert _addresses(AlertLevel.RENEWAL) == {users.enterprise_obj.contact_email, users.acceptance.email}


def test_no_renewal_alert_once_the_renewal_is_filed(users, reviewing):
    from review.models import Certificate

    app = reviewing()
    Certificate.objects.create(application=app, enterprise=app.enterprise, kind="registration",
                               number="渝械注准2", product_name=app.product_name,
                               issued_on=dt.date(2021, 6, 1), expires_on=dt.date(2026, 5, 31))
    renewal = workflow.application_create(
        enterprise=app.enterprise, product_name=app.product_name, device_class="II", category="passive",
        application_type="renewal", actor=users.enterprise, today=MONDAY)
    workflow.application_submit(application=renewal, actor=users.enterprise, today=MONDAY)
    deadlines_sweep(today=dt.date(2026, 3, 2))
    assert not Alert.objects.filter(level=AlertLevel.RENEWAL).exists()


def test_digests_group_alerts_per_recipient_and_mark_them_sent(users, review_stage):
    deadlines_sweep(today=review_stage.statutory_due + dt.timedelta(days=1))
    mail.outbox.clear()
    result = digests_send(today=dt.date(2026, 6, 1))  # a Monday, a working day
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted(set(to)), "one digest per recipient"
    assert users.supervisor.email in to and set(result.sent) == set(to)
    digest = next(m for m in mail.outbox if m.to == [users.supervisor.email])
    assert review_stage.application.reference in digest.body
    assert "/admin/review/application/" in digest.body
    assert digest.alternatives and "<table" in digest.alternatives[0][0]
    assert not Delivery.objects.exclude(state="sent").exists()
    mail.outbox.clear()
    assert digests_send(today=dt.date(2026, 6, 1)).sent == [] and mail.outbox == []


def test_digests_are_held_on_holidays(users, review_stage):
    deadlines_sweep(today=review_stage.statutory_due + dt.timedelta(days=1))
    mail.outbox.clear()
    assert digests_send(today=dt.date(2026, 10, 1)).held  # National Day
    assert digests_send(today=dt.date(2026, 10, 3)).held  # a Saturday
    assert mail.outbox == [] and not Delivery.objects.filter(state="sent").exists()
    assert digests_send(today=dt.date(2026, 10, 10)).sent  # Saturday 10 Oct 2026 is worked


def test_digest_in_the_recipients_language(users, review_stage, english):
    users.supervisor.language = "en"
    users.supervisor.save()
    users.director.language = "zh-hans"
    users.director.save()
    deadlines_sweep(today=review_stage.statutory_due + dt.timedelta(days=1))
    digests_send(today=dt.date(2026, 6, 1))
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "Statutory limit passed" in by_to[users.supervisor.email].body
    assert "超法定时限" in by_to[users.director.email].body


def test_scan_deadlines_command(users, review_stage, capsys):
    call_command("scan_deadlines", "--today", (review_stage.target_due + dt.timedelta(days=1)).isoformat(),
                 "--no-email")
    out = capsys.readouterr().out
    assert "overdue" in out and "E-mail not sent" in out
    assert Alert.objects.filter(level=AlertLevel.OVERDUE).count() == 2  # review and QMS verification


def test_the_admin_overdue_filter_needs_no_sweep(users, review_stage):
    """Overdue is computed from the stored dates at request time (review.deadlines)."""
    import time_machine
    from django.test import Client

    client = Client()
    client.force_login(users.supervisor)
    url = "/admin/review/application/?deadline=overdue"
    first = min(Stage.objects.filter(application=review_stage.application, state="running")
                .values_list("target_due", flat=True))
    with time_machine.travel(dt.datetime.combine(first, dt.time(10)), tick=False):
        assert review_stage.application.reference not in client.get(url).content.decode()
    with time_machine.travel(dt.datetime.combine(first + dt.timedelta(days=1), dt.time(10)), tick=False):
        assert review_stage.application.reference in client.get(url).content.decode()  # no sweep ran
        assert not Alert.objects.exists()  # no sweep ran: the filter read the dates
