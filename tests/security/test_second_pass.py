"""The smaller findings of the second probe (docs/security.md#the-second-probe) and the settings edges."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory, override_settings
from rest_framework.authtoken.models import Token

from tests.case_fixtures import portal_client

ROOT = Path(__file__).resolve().parent.parent.parent


def _admin(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- the admin's token list cannot be used as an oracle -----------------------------------------
def test_the_token_list_takes_no_filter_on_the_key(users, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.gov.cn", "x")
    key = Token.objects.create(user=users.enterprise).key
    client = _admin(admin)
    for lookup in ("key__startswith", "key", "key__gt", "key__regex", "pk__startswith", "digest__startswith"):
        response = client.get("/admin/authtoken/tokenproxy/", {lookup: key[:2]})
        assert response.status_code == 400, (lookup, response.status_code)
    # the owner is what the list is searched and filtered by
    assert users.enterprise.username in client.get("/admin/authtoken/tokenproxy/",
                                                   {"q": users.enterprise.username}).content.decode()
    assert client.get("/admin/authtoken/tokenproxy/", {"q": key[:8]}).content.decode().count(
        users.enterprise.username) == 0


def test_the_new_token_page_is_never_cached(users):
    response = portal_client(users.enterprise).post("/portal/api-token/", {"do": "create"})
    assert response.status_code == 200
    key = Token.objects.get(user=users.enterprise).key
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]


# --- a hung mail server ------------------------------------------------------------------------
@pytest.fixture
def silent_smtp():
    """A server that accepts connections and never says a word (no greeting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_scan_deadlines_gives_up_on_a_silent_mail_server_and_exits_non_zero(users, reviewing, silent_smtp):
    from config.settings import base

    assert 0 < base.EMAIL_TIMEOUT <= 60  # seconds per SMTP operation, set for every environment
    reviewing()  # its submission and acceptance e-mails are owed
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=silent_smtp, EMAIL_USE_TLS=False, EMAIL_TIMEOUT=1):
        started = time.monotonic()
        with pytest.raises(CommandError, match="could not be sent"):
            call_command("scan_deadlines", "--today", "2026-03-03")
    assert time.monotonic() - started < 30


# --- a killed idle database connection ----------------------------------------------------------
@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a real PostgreSQL backend")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_idle_connection_costs_no_500(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    client = Client(raise_request_exception=False)
    assert client.get("/healthz").json()["database"] == "ok"
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    with psycopg.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"] or 5432,
                         password=s["PASSWORD"] or None, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the backend is gone before the next request (a positive assertion follows)
    close_old_connections()  # what a server's request_started does (the test client skips it)
    assert client.get("/healthz").json()["database"] == "ok"


# --- errors under /api/ are JSON ------------------------------------------------------------------
def test_errors_under_the_api_are_json_never_html(db):
    from api import errors
    from config import urls

    assert (urls.handler400, urls.handler403, urls.handler500) == (
        "api.errors.bad_request", "api.errors.permission_denied", "api.errors.server_error")
    request = RequestFactory().get("/api/v1/applications/")
    for response, status in ((errors.server_error(request), 500), (errors.bad_request(request), 400),
                             (errors.permission_denied(request), 403)):
        assert response.status_code == status and response["Content-Type"] == "application/json"
    bad_host = Client(raise_request_exception=False).get("/api/v1/applications/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and bad_host["Content-Type"] == "application/json"
    page = Client(raise_request_exception=False).get("/portal/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


# --- settings edges --------------------------------------------------------------------
def _python(code: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True,
                          timeout=120)


def test_a_celery_process_without_settings_runs_on_production_settings():
    result = _python("import os, config.celery_app; print(os.environ['DJANGO_SETTINGS_MODULE'])")
    assert result.stdout.strip() == "config.settings.production", result.stderr


def test_importing_the_settings_creates_no_directory():
    code = ("import os, pathlib\n"
            "made = []\n"
            "pathlib.Path.mkdir = lambda self, *a, **k: made.append(str(self))\n"
            "os.makedirs = lambda p, *a, **k: made.append(str(p))\n"
            "import config.settings.local, config.settings.test\n"
            "print(made)")
    result = _python(code, REDIS_URL="")
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_hsts_preload_is_opt_in():
    from tests.test_deploy import _signing_keys

    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "k" * 50,
           "DJANGO_ALLOWED_HOSTS": "x", "SITE_URL": "https://x.example", "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
           "EMAIL_URL": "smtp://mail.example:25", "REDIS_URL": "redis://127.0.0.1:6379/15", **_signing_keys()}
    off = _python(code, **env)
    assert off.stdout.strip() == "False", off.stderr[-2000:]
    assert _python(code, **env, DJANGO_SECURE_HSTS_PRELOAD="true").stdout.strip() == "True"
