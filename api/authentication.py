"""Token authentication that reads the token's user and every permission the user holds in one
statement (``review.auth.permission_names``): the request's permission checks then ask the
database nothing more (docs/api.md#query-budgets)."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from review.auth import permission_names, remember_permissions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        tokens = self.get_model().objects.select_related("user")
        with_permissions = connection.vendor == "postgresql"
        if with_permissions:
            tokens = tokens.annotate(permission_names=permission_names("user_id"))
        try:
            token = tokens.get(key=key)
        except self.get_model().DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if with_permissions:
            remember_permissions(token.user, token.permission_names)
        return (token.user, token)
