"""The system actor: who the log names when no person acted (a calendar loaded from a file by a
command, a scheduled job). Every log row names its actor; this one is an inactive account
that cannot sign in, so it can never be used to act through an interface."""

from __future__ import annotations

from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"


def system_actor():
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "is_staff": False, "first_name": "系统（自动）"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
