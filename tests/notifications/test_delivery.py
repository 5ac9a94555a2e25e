"""Delivery over real components: concurrent sweeps on PostgreSQL, a real SMTP server on loopback,
the broker down during a transition, a real Celery worker consuming from Redis."""

import datetime as dt
import os
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection, connections
from django.test import override_settings

from config.celery_app import app as celery_app
from notifications import emails
from notifications.digests import digests_send
from notifications.models import Alert, Delivery, OutboundEmail
from notifications.sweep import deadlines_sweep
from services import workflow
from tests.case_fixtures import uploads  # noqa: F401 - fixture
from tests.conftest import MONDAY, stage_of

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="a real concurrent race needs PostgreSQL's row locks")


# --- exactly once under concurrency ----------------------------------------------------------
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_alert_exactly_once(users, reviewing):
    apps = [reviewing() for _ in range(5)]
    today = stage_of(apps[0], "technical_review").statutory_due + dt.timedelta(days=1)
    barrier, errors = threading.Barrier(2), []

    def sweep():
        try:
            barrier.wait()
            deadlines_sweep(today=today)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    keys = list(Alert.objects.values_list("key", "level", "deadline"))
    assert len(keys) == len(set(keys)) and len(keys) >= 10  # review, QMS: overdue + breach, ×5
    pairs = list(Delivery.objects.values_list("alert_id", "email"))
    assert len(pairs) == len(set(pairs))
    assert not Alert.objects.filter(fanned_out=False).exists()
    # A third sweep, as after a crash, adds nothing.
    before = (Alert.objects.count(), Delivery.objects.count())
    deadlines_sweep(today=today)
    assert (Alert.objects.count(), Delivery.objects.count()) == before


# --- a real SMTP server that refuses, then accepts -------------------------------------------
class FlakyHandler:
    def __init__(self, refusals: int):
        self.refusals = refusals
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.received.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = FlakyHandler(refusals=0)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=controller.port, EMAIL_USE_TLS=False,
                           EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="", EMAIL_TIMEOUT=5):
        yield handler
    controller.stop()


def test_a_refused_digest_is_kept_failed_then_sent(users, reviewing, smtp_server):
    app = reviewing()
    deadlines_sweep(today=stage_of(app, "technical_review").statutory_due + dt.timedelta(days=1))
    recipients = set(Delivery.objects.values_list("email", flat=True))
    smtp_server.refusals = 100  # the server refuses everything for now
    first = digests_send(today=dt.date(2026, 6, 1))
    assert set(first.failed) == recipients and first.sent == []
    failed = Delivery.objects.get(email=users.director.email)
    assert failed.state == "failed" and failed.attempts == 1 and "451" in failed.last_error
    smtp_server.refusals = 0  # the server is back
    second = digests_send(today=dt.date(2026, 6, 1))
    assert set(second.sent) == recipients
    assert sorted(rcpt for env in smtp_server.received for rcpt in env.rcpt_tos) == sorted(recipients)
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert digests_send(today=dt.date(2026, 6, 1)).sent == []  # nothing twice


def test_case_email_task_retries_then_the_sweep_finishes_the_job(users, make_application, smtp_server,
                                                                 django_capture_on_commit_callbacks):
    app = make_application()
    smtp_server.refusals = 1  # one refusal: the task's own retry delivers it
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    email = OutboundEmail.objects.get(application=app, event="submit")
    assert (email.state, email.attempts) == ("sent", 2)
    smtp_server.received.clear()
    smtp_server.refusals = 100  # down for longer than the task retries
    with django_capture_on_commit_callbacks(execute=True):
        workflow.stage_notify_missing_items(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                            items="营业执照副本", today=MONDAY)
    email = OutboundEmail.objects.get(application=app, event="pause_missing_items")
    assert email.state == "failed" and email.attempts == 6 and "451" in email.last_error
    smtp_server.refusals = 0  # back: the next sweep sends it, once
    assert emails.outbound_send_pending() == (1, 0)
    email.refresh_from_db()
    assert email.state == "sent"
    assert [env.rcpt_tos for env in smtp_server.received] == [[users.enterprise_obj.contact_email]]


# --- the broker down during a transition -----------------------------------------------------
@pytest.fixture
def broker_down():
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, f"redis://127.0.0.1:{_free_port()}/0"
    celery_app._pool = None  # drop connections made with the old URL
    yield
    conf.task_always_eager, conf.broker_url = saved
    celery_app._pool = None


def test_a_transition_succeeds_with_the_broker_down(users, make_application, broker_down,
                                                    django_capture_on_commit_callbacks):
    app = make_application()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert time.monotonic() - started < 15
    app.refresh_from_db()
    assert app.state == "acceptance"
    email = OutboundEmail.objects.get(application=app, event="submit")
    assert email.state == "pending" and mail.outbox == []
    emails.outbound_send_pending()  # the next sweep
    assert [m.to for m in mail.outbox] == [[users.enterprise_obj.contact_email]]
    assert "CQ" in mail.outbox[0].subject


def test_supplement_request_email_lists_the_items(users, reviewing, django_capture_on_commit_callbacks):
    app = reviewing()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                          items=["产品技术要求", "临床评价资料"], today=MONDAY)
    (message,) = mail.outbox
    assert message.to == [users.enterprise_obj.contact_email]
    assert "产品技术要求" in message.body and "临床评价资料" in message.body
    assert "2027-03-02" in message.body  # the one-year deadline


# --- a real worker consuming from Redis ------------------------------------------------------
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_case_email_from_redis(users, make_application):
    from celery.contrib.testing.worker import start_worker

    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, os.environ["REDIS_URL"]
    celery_app._pool = None
    try:
        with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            app = make_application()
            workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
            email = OutboundEmail.objects.get(application=app, event="submit")
            for _ in range(100):
                email.refresh_from_db()
                if email.state == "sent":
                    break
                time.sleep(0.1)
        assert email.state == "sent"
        assert [m.to for m in mail.outbox] == [[users.enterprise_obj.contact_email]]
    finally:
        conf.task_always_eager, conf.broker_url = saved
        celery_app._pool = None
        connections.close_all()


@pytest.mark.usefixtures("uploads")
def test_the_reviewer_hears_of_the_answer(users, reviewing, django_capture_on_commit_callbacks):
    from services import documents
    from tests.case_fixtures import PDF, PNG, upload

    app = reviewing()
    review = stage_of(app, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor, assignee=users.reviewer)
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["检验报告"], today=MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充检验报告",
                                    files=[upload("检验报告.pdf", PDF), upload("照片.png", PNG)],
                                    today=MONDAY + dt.timedelta(days=20))
    to_reviewer = [m for m in mail.outbox if m.to == [users.reviewer.email]]
    assert len(to_reviewer) == 1
    body = to_reviewer[0].body
    assert app.reference in to_reviewer[0].subject and "已补充检验报告" in body
    assert "/admin/review/application/" in body
    # The documents that came with the answer are listed.
    assert "1. 检验报告.pdf" in body and "2. 照片.png" in body
