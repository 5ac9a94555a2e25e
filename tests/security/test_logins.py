"""Guessing passwords or hammering the API: locked out, throttled and recorded."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.case_fixtures import token_client

PASSWORD = "correct-horse-battery-9"  # noqa: S105


@pytest.fixture
def member(users):
    users.enterprise.set_password(PASSWORD)
    users.enterprise.save()
    users.supervisor.set_password(PASSWORD)
    users.supervisor.save()
    return users


def _try(client, url, username, password):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7")


@pytest.mark.parametrize("url, who", [("/portal/login/", "enterprise"), ("/admin/login/", "supervisor")])
def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(member, url, who, settings):
    user = getattr(member, who)
    client = Client()
    statuses = [_try(client, url, user.username, f"wrong-{i}").status_code for i in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert set(statuses[limit:]) == {429}
    right = _try(client, url, user.username, PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username=user.username).count() >= limit
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= limit


def test_lockout_is_per_address_and_a_success_resets_the_count(member, settings):
    client = Client()
    user = member.enterprise
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, "/portal/login/", user.username, f"wrong-{i}")
    assert _try(client, "/portal/login/", user.username, PASSWORD).status_code == 302
    client.logout()
    assert _try(client, "/portal/login/", user.username, "wrong-again").status_code == 200
    assert _try(client, "/portal/login/", user.username, PASSWORD).status_code == 302


def test_locked_page_is_in_the_users_language(member, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "/portal/login/", member.enterprise.username, f"wrong-{i}")
    page = _try(client, "/portal/login/", member.enterprise.username, PASSWORD)
    assert page.status_code == 429 and "登录已锁定" in page.content.decode()


def test_api_throttles_anonymous_and_signed_in_callers(users, settings):
    cache.clear()
    settings.API_THROTTLE_RATES = {"anon": "5/min", "user": "8/min"}
    anon = APIClient()  # the public calendar API, by address
    url = "/api/v1/calendar/add-working-days?start=2026-03-02&days=5"
    codes = [anon.get(url, REMOTE_ADDR="198.51.100.9").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert anon.get(url, REMOTE_ADDR="198.51.100.10").status_code == 200  # another address
    member = token_client(users.enterprise)
    codes = [member.get("/api/v1/applications/").status_code for _ in range(10)]
    assert codes[:8] == [200] * 8 and codes[8:] == [429, 429]
    throttled = member.get("/api/v1/applications/")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    cache.clear()
