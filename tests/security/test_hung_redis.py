"""a Redis that hangs (SIGSTOP: it accepts connections and never answers).

The probe stopped the shared Redis: an accepted transition answered 500 after 30 s (the commit had
happened; the worker hung publishing), /healthz hung too, and every look-up and API read took 5 s
longer. Each test here starts its own redis-server on a free port and stops *that* one.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from config.celery_app import app as celery_app
from notifications.models import OutboundEmail
from review.models import Application
from services import workflow
from tests.case_fixtures import token_client
from tests.conftest import MONDAY

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs redis-server on PATH (CI and the dev machine have it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hung_redis():
    """The URL of a redis-server of this test's own, started, then stopped with SIGSTOP."""
    import redis

    port = _free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url, socket_timeout=0.2).ping()
                break
            except redis.RedisError:
                time.sleep(0.05)
        os.kill(proc.pid, signal.SIGSTOP)
        yield url
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def broker_on(hung_redis):
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_transport_options)
    conf.task_always_eager, conf.broker_url = False, hung_redis
    conf.broker_transport_options = {"socket_timeout": 2, "socket_connect_timeout": 2}
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield hung_redis
    conf.task_always_eager, conf.broker_url, conf.broker_transport_options = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None  # its producers hold connections to the stopped server


@pytest.fixture
def cache_on(hung_redis, settings):
    from config.settings.base import cache_settings

    with override_settings(CACHES=cache_settings(hung_redis)):
        yield
    caches["default"].close()


def test_healthz_says_the_broker_is_unreachable_within_two_seconds(db, broker_on):
    started = time.monotonic()
    response = Client().get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"].startswith("unreachable")
    assert elapsed < 2.0, elapsed


def test_a_transition_answers_within_seconds_and_its_e_mail_waits(users, make_application, broker_on,
                                                                   django_capture_on_commit_callbacks):
    app = make_application()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    elapsed = time.monotonic() - started
    assert Application.objects.get(pk=app.pk).state == "acceptance"
    assert OutboundEmail.objects.get(application=app, event="submit").state == "pending"
    assert elapsed < 5, elapsed


def test_api_reads_fail_open_within_seconds_when_the_cache_hangs(users, make_application, cache_on):
    app = make_application()
    client = token_client(users.enterprise)
    started = time.monotonic()
    response = client.get(f"/api/v1/applications/{app.pk}/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 3, elapsed


def test_the_public_look_up_fails_closed_when_the_cache_hangs(users, make_application, cache_on):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    app.refresh_from_db()
    started = time.monotonic()
    response = Client(headers={"accept-language": "zh-hans"}).get(
        "/api/v1/lookup/", {"reference": app.reference, "credit_code": users.enterprise_obj.credit_code})
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "unavailable"
    assert elapsed < 3, elapsed
    page = Client(headers={"accept-language": "zh-hans"}).post(
        "/portal/lookup/", {"reference": app.reference, "credit_code": users.enterprise_obj.credit_code})
    assert page.status_code == 503
