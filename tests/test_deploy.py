"""Production settings pass `manage.py check --deploy` and refuse to start without secrets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base,
                          capture_output=True, text=True, timeout=120)


SERVICES = {"EMAIL_URL": "smtp://mail.example.gov.cn:25", "REDIS_URL": "redis://127.0.0.1:6379/15"}


def _signing_keys() -> dict[str, str]:
    """production needs the office's signing key and certificate (files); a throwaway pair."""
    from notices.signing import demo_ca_ensure

    folder = demo_ca_ensure(Path("/tmp") / f"deploy-signing-{os.getpid()}")
    return {"NOTICE_SIGNING_KEY": str(folder / "signing-key.pem"),
            "NOTICE_SIGNING_CERT": str(folder / "signing-cert.pem")}


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="review.example.gov.cn", SITE_URL="https://review.example.gov.cn",
        DATABASE_URL="sqlite:////tmp/deploy-check.sqlite3", **SERVICES, **_signing_keys(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ALLOWED_HOSTS="x", DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_site_url():
    """E-mail links must point at the real address: no default in production."""
    result = _manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="x",
                     DATABASE_URL="sqlite:////tmp/x.sqlite3", **SERVICES)
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_refuses_to_start_without_the_signing_key_and_certificate(db):
    """no document may go out unsigned, nor signed with a demo key."""
    common = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "x",
              "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "SITE_URL": "https://x.example", **SERVICES}
    keys = _signing_keys()
    for missing in keys:
        result = _manage("check", **common, **{k: v for k, v in keys.items() if k != missing})
        assert result.returncode != 0 and missing in result.stderr, missing
    result = _manage("check", **common, **{**keys, "NOTICE_SIGNING_KEY": "/nonexistent/key.pem"})
    assert result.returncode != 0 and "no file at /nonexistent/key.pem" in result.stderr
    assert _manage("check", **common, **keys).returncode == 0


def test_links_follow_the_demo_port_without_site_url():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    base = {k: v for k, v in os.environ.items() if k not in ("SITE_URL",) and not k.startswith("DJANGO_")}
    base.update(DJANGO_SETTINGS_MODULE="config.settings.local", PORT="8123")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=base,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123", result.stderr


def test_production_refuses_to_start_without_email_or_broker():
    """No silent fallback to console e-mail or the filesystem broker."""
    common = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "x",
              "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "SITE_URL": "https://x.example", **_signing_keys()}
    for missing in SERVICES:
        env = {**common, **{k: v for k, v in SERVICES.items() if k != missing}}
        base = {k: v for k, v in os.environ.items() if k not in SERVICES}
        result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True,
                                text=True, timeout=120,
                                env={**{k: v for k, v in base.items() if not k.startswith("DJANGO_")},
                                     "DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
        assert result.returncode != 0, missing
        assert missing in result.stderr


def test_filemail_url_with_an_absolute_path_writes_there(tmp_path):
    code = ("from django.conf import settings; from django.core.mail import send_mail; "
            "send_mail('s', 'b', 'a@example.com', ['b@example.com']); print(settings.EMAIL_FILE_PATH)")
    target = tmp_path / "outbox"
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120,
                            env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.local",
                                 "PYTHONPATH": str(ROOT), "EMAIL_URL": f"filemail://{target}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(target)
    assert len(list(target.iterdir())) == 1


def test_seed_demo_refuses_to_run_under_production_settings(tmp_path):
    """The demo's superuser has a published password."""
    db = tmp_path / "prod.sqlite3"
    result = _manage("seed_demo", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="x",
                     DATABASE_URL=f"sqlite:///{db}", **SERVICES, **_signing_keys())
    assert result.returncode != 0
    assert "production" in result.stderr and not db.exists()


def test_the_demo_shows_the_products_pages_not_djangos_debug_pages(monkeypatch):
    """`make demo` runs the web process with DJANGO_DEBUG=false (ops/management/commands/demo.py):
    a missing page is the product's own, in Chinese, and static files are still served."""
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='127.0.0.1'); "
        "r = c.get('/portal/no-such-page/'); print(r.status_code); "
        "print('DEBUG = True' in r.content.decode(), '找不到该页面' in r.content.decode()); "
        "s = c.get('/static/admin/css/base.css'); print(s.status_code)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.update(DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="false",
                DATABASE_URL="sqlite:////tmp/demo-debug-check.sqlite3")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=base,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.split()[-4:] == ["404", "False", "True", "200"], result.stdout + result.stderr

    from ops.management.commands.demo import Command

    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # The worker and beat get the demo's settings: Celery alone would start on production's.
    assert Command.environment(8123) == {"PORT": "8123", "DJANGO_DEBUG": "false",
                                         "DJANGO_SETTINGS_MODULE": "config.settings.local"}


def test_start_up_stops_on_the_retired_axes_ip_headers():
    """It named a header to believe whoever wrote it; TRUSTED_PROXY_COUNT replaces it (B3)."""
    result = _manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="x",
                     DATABASE_URL="sqlite:////tmp/x.sqlite3", SITE_URL="https://x.example",
                     AXES_IP_HEADERS="HTTP_X_FORWARDED_FOR", **SERVICES, **_signing_keys())
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_x_forwarded_proto_is_believed_only_behind_our_own_proxies():
    """With no proxy in front a client could send ``X-Forwarded-Proto: https`` over plain HTTP
    and be taken for a secure request (and skip the HTTPS redirect)."""
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    common = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "x",
              "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "SITE_URL": "https://x.example", **SERVICES,
              **_signing_keys()}
    direct = _manage("shell", "-c", code, **common)
    assert direct.stdout.strip().splitlines()[-1] == "None", direct.stderr
    proxied = _manage("shell", "-c", code, TRUSTED_PROXY_COUNT="1", **common)
    assert proxied.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')", proxied.stderr
