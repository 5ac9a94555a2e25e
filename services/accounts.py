"""API tokens (DRF authtoken): one per user, issued, rotated or revoked by the user or an admin.

A token acts as its user with exactly that user's scope (an enterprise token reads that
enterprise's cases only); it is a password, so it is shown on issue and kept secret.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from review.exceptions import PermissionDenied


def api_token_issue(*, user, rotate: bool = False) -> Token:
    """The user's token, created if missing; ``rotate`` replaces it (the old one stops working)."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("inactive users get no API token")
    with transaction.atomic():
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user) -> bool:
    """Delete the user's token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
