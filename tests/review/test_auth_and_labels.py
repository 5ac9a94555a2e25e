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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="review_user_permissions is PostgreSQL's")
def test_the_function_the_orm_and_djangos_backend_agree(holder):
    """``review_user_permissions`` (migration 0040, what a token's statement reads) holds the same
    set as the ORM's rule and as Django's own ModelBackend, for each kind of holder."""
    from django.contrib.auth.backends import ModelBackend

    from review.auth import held_permissions, held_permissions_orm

    root = User.objects.create_superuser("root", password="x-Long-enough-1")
    nobody = User.objects.create_user("nobody", password="x-Long-enough-1")
    both = User.objects.get(pk=holder.pk)
    both.user_permissions.add(Permission.objects.get(codename="review_application"))  # also via the group
    for user in (holder, root, nobody, both):
        user = User.objects.get(pk=user.pk)
        expected = ModelBackend().get_all_permissions(user)
        assert held_permissions(user) == held_permissions_orm(user) == expected, user
    assert len(held_permissions(root)) == Permission.objects.count() and held_permissions(nobody) == set()


def test_a_token_request_reads_the_permissions_with_the_token(holder):
    """The API's token statement brings the user's permissions (api.authentication): the request's
    permission checks ask nothing more; an inactive user's token is refused."""
    from rest_framework.test import APIRequestFactory

    from api.authentication import TokenAuthentication
    from tests.case_fixtures import token_client

    client = token_client(holder)
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    request = APIRequestFactory().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        user, _token = TokenAuthentication().authenticate(request)
        assert user.has_perm("review.review_application") and user.has_perm("review.supervise_application")
        assert not user.has_perm("review.decide_application")
    # PostgreSQL: one statement (review_user_permissions); elsewhere the token, then the permissions.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    User.objects.filter(pk=holder.pk).update(is_active=False)
    assert client.get("/api/v1/applications/").status_code == 401


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
