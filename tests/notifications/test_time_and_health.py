"""Today is the Asia/Shanghai date, whatever UTC says; /healthz reports database and broker."""

import datetime as dt

import time_machine
from django.test import Client

from config.celery_app import app as celery_app
from notifications.models import Alert, AlertLevel
from notifications.sweep import deadlines_sweep
from tests.conftest import stage_of

UTC = dt.UTC


def test_the_sweep_uses_the_shanghai_date_around_midnight(users, reviewing):
    app = reviewing()
    review = stage_of(app, "technical_review")
    due = review.target_due
    # 15:59 UTC on the due date is 23:59 in Shanghai: still the due date, not overdue yet.
    with time_machine.travel(dt.datetime.combine(due, dt.time(15, 59), tzinfo=UTC), tick=False):
        deadlines_sweep()
    assert not Alert.objects.filter(stage=review, level=AlertLevel.OVERDUE).exists()
    # 16:01 UTC on the same UTC date is 00:01 the next day in Shanghai: overdue now.
    with time_machine.travel(dt.datetime.combine(due, dt.time(16, 1), tzinfo=UTC), tick=False):
        result = deadlines_sweep()
    assert result.today == due + dt.timedelta(days=1)
    assert Alert.objects.filter(stage=review, level=AlertLevel.OVERDUE).count() == 1


def test_healthz_reports_database_and_broker(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(db):
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app._pool = None
    try:
        response = Client().get("/healthz")
    finally:
        celery_app.conf.broker_url = saved
        celery_app._pool = None
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["broker"].startswith("unreachable")
