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


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="review.example.gov.cn", SITE_URL="https://review.example.gov.cn",
        DATABASE_URL="sqlite:////tmp/deploy-check.sqlite3",
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
                     DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_links_follow_the_demo_port_without_site_url():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    base = {k: v for k, v in os.environ.items() if k not in ("SITE_URL",) and not k.startswith("DJANGO_")}
    base.update(DJANGO_SETTINGS_MODULE="config.settings.local", PORT="8123")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=base,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123", result.stderr
