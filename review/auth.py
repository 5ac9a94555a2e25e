"""The authentication backend: Django's ``ModelBackend`` with every permission a user holds,
directly or through a group, read in one statement instead of two.

Every request of every page and API call asks ``has_perm`` at least once (the scoping of
``review.selectors.applications_visible_to``); Django's backend answers the first question with
one query for the user's own permissions and one for their groups'. The answer is the same set,
kept on the user object for the request, as Django keeps it (``_perm_cache``).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class PermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                held = Q(user=user_obj) | Q(group__user=user_obj)
                perms = perms.filter(pk__in=Permission.objects.filter(held).values("pk"))
            user_obj._perm_cache = {f"{ct}.{name}" for ct, name in
                                    perms.values_list("content_type__app_label", "codename").order_by()}
        return user_obj._perm_cache
