"""Per request: the user's permissions in one query (review.auth), and choice labels translated in
the request's language without rebuilding the choices (review.models.display)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from review.models import Stage, User
from review.permissions import MODEL_BACKEND


@pytest.fixture
def holder(db):
    group = Group.objects.create(name="审评测试组")
    group.permissions.add(Permission.objects.get(codename="review_application"))
    user = User.objects.create_user("holder", password="x-Long-enough-1", is_staff=True)
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="supervise_application"))
    return User.objects.get(pk=user.pk)


def test_permissions_direct_and_through_groups_in_one_query(holder):
    with CaptureQueriesContext(connection) as queries:
        assert holder.has_perm("review.review_application")  # through the group
        assert holder.has_perm("review.supervise_application")  # held directly
        assert not holder.has_perm("review.decide_application")
        assert not holder.has_perm("review.view_all_offices")
    assert len(queries) == 1
    assert holder.get_all_permissions() == {"review.review_application", "review.supervise_application"}


def test_inactive_users_hold_nothing_and_superusers_everything(holder):
    holder.is_active = False
    assert not holder.has_perm("review.review_application")
    root = User.objects.create_superuser("root", password="x-Long-enough-1")
    root = User.objects.get(pk=root.pk)
    assert root.has_perm("review.view_all_offices")
    assert len(root.get_all_permissions()) == Permission.objects.count()


def test_with_perm_names_the_same_holders(holder):
    """The sweep's and the e-mails' recipients (User.objects.with_perm through MODEL_BACKEND)."""
    assert list(User.objects.with_perm("review.review_application", include_superusers=False,
                                       backend=MODEL_BACKEND)) == [holder]


def test_choice_labels_follow_the_active_language(users, reviewing):
    stage = Stage.objects.get(application=reviewing(), kind="technical_review")
    with translation.override("zh-hans"):
        assert stage.get_kind_display() == "技术审评"
        assert stage.get_state_display() == "进行中"
    with translation.override("en"):
        assert stage.get_kind_display() == "Technical review"
        assert stage.get_state_display() == "Running"
    stage.kind = "not-a-kind"  # a value outside the choices shows as itself, as in Django
    assert stage.get_kind_display() == "not-a-kind"
