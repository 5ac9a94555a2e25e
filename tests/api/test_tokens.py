"""Getting an API token: `manage.py api_token` (administrators) and the portal page (users)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_cmd(*args) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_command_issues_a_working_token_and_prints_it_again(users, make_application):
    app = make_application()
    key = token_cmd(users.enterprise.username)
    assert key == Token.objects.get(user=users.enterprise).key
    assert token_cmd(users.enterprise.username) == key  # idempotent
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/applications/{app.pk}/").json()["reference"] == app.reference


def test_command_rotates_and_revokes(users):
    old = token_cmd(users.enterprise.username)
    new = token_cmd(users.enterprise.username, "--rotate")
    assert new != old
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get("/api/v1/applications/").status_code == 401
    assert "revoked" in token_cmd(users.enterprise.username, "--revoke")
    assert not Token.objects.filter(user=users.enterprise).exists()


def test_command_refuses_unknown_and_inactive_users(users):
    with pytest.raises(CommandError):
        token_cmd("nobody-here")
    users.enterprise.is_active = False
    users.enterprise.save(update_fields=["is_active"])
    with pytest.raises(CommandError):
        token_cmd(users.enterprise.username)
