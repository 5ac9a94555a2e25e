"""The authentication backend: Django's ``ModelBackend`` with every permission a user holds,
directly or through a group, read in one statement instead of two.

Every request of every page and API call asks ``has_perm`` at least once (the scoping of
``review.selectors.applications_visible_to``); Django's backend answers the first question with
one query for the user's own permissions and one for their groups'. The answer is the same set,
kept on the user object for the request, as Django keeps it (``_perm_cache``). On PostgreSQL
the set is the function ``review_user_permissions`` (migration 0040), which an API token's
statement also reads with the token and its user (``api.authentication``), so that request
asks no more; elsewhere (SQLite, ``make demo``) the same rule through the ORM.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F, Func, Q, TextField


def held_permissions(user) -> set[str]:
    """Every permission ``user`` holds, directly or through a group (a superuser: every one), as
    ``app_label.codename``: one statement."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT review_user_permissions(%s)", [user.pk])
            return set(cursor.fetchone()[0])
    return held_permissions_orm(user)


def held_permissions_orm(user) -> set[str]:
    """``held_permissions`` through the ORM, where the function is missing (SQLite); the tests
    hold the two equal on PostgreSQL."""
    perms = Permission.objects.all()
    if not user.is_superuser:
        held = Q(user=user) | Q(group__user=user)
        perms = perms.filter(pk__in=Permission.objects.filter(held).values("pk"))
    return {f"{ct}.{name}" for ct, name in perms.values_list("content_type__app_label", "codename").order_by()}


def permission_names(user_id: str):
    """``held_permissions`` of the user whose id is the field ``user_id``, as a column of that
    query (PostgreSQL only)."""
    from django.contrib.postgres.fields import ArrayField

    return Func(F(user_id), function="review_user_permissions", output_field=ArrayField(TextField()))


def remember_permissions(user, names) -> None:
    """Keep ``names`` (``permission_names`` read with ``user``) as the backend's set for this
    request, as if its first ``has_perm`` had read them."""
    user._perm_cache = set(names)


class PermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = held_permissions(user_obj)
        return user_obj._perm_cache
