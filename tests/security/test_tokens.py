"""API tokens are shown once, to their owner, and never again; the admin lists no keys."""

from django.test import Client
from rest_framework.authtoken.models import Token

from services import accounts
from tests.case_fixtures import portal_client


def test_portal_never_shows_an_existing_token_again(users):
    old = accounts.api_token_issue(user=users.enterprise).key
    client = portal_client(users.enterprise)
    assert old not in client.get("/portal/api-token/").content.decode()
    for do in ("issue", "rotate"):  # a replayed "create" form makes a new key, never reveals one
        page = client.post("/portal/api-token/", {"do": do}).content.decode()
        assert old not in page
        new = Token.objects.get(user=users.enterprise).key
        assert new != old and new in page
        old = new


def test_admin_lists_tokens_without_their_keys(users, django_user_model):
    keys = [accounts.api_token_issue(user=u).key for u in (users.enterprise, users.reviewer)]
    admin = django_user_model.objects.create_superuser("root-tokens", "r@example.com", "x")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert users.enterprise.username in body and all(k not in body for k in keys)
    assert all(k[:4] + "…" in body for k in keys)
    detail = client.get(f"/admin/authtoken/tokenproxy/{keys[0]}/change/")
    assert detail.status_code == 302 and keys[0] not in detail.content.decode()
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 403
