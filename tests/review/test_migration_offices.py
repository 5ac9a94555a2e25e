"""Migration review.0029 on a single-office deployment's data (docs/offices.md): every case, counter,
member of staff and industry officer joins one office built from the settings, nothing is lost, and
the numbers go on where they were. The data is written by the real services, the office columns are
dropped by migrating back to 0028, then migrated forward again."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notices.models import Notice, NoticeCounter
from review.models import Application, Office, User

BEFORE = ("review", "0028_state_change_logged_harden")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # migrations seed data: restored after
def test_a_single_office_deployment_moves_into_one_office_with_nothing_lost(users, reviewing):
    first, second = reviewing(), reviewing()
    numbers = set(Notice.objects.values_list("number", flat=True))
    assert numbers
    try:
        _migrate([BEFORE])  # the office columns and table go: the rows are as a single office had them
        _migrate(None)
        office = Office.objects.get()
        assert (office.code, office.jurisdiction, office.is_default) == (settings.REVIEW_JURISDICTION,) * 2 + (True,)
        assert office.name == settings.NOTICE_OFFICE_NAME
        assert office.reconsideration_body == settings.NOTICE_RECONSIDERATION_BODY
        assert set(Application.objects.values_list("office", flat=True)) == {office.pk}
        assert set(NoticeCounter.objects.values_list("office", flat=True)) == {office.pk}
        staff = User.objects.filter(enterprise__isnull=True)
        assert set(staff.values_list("office", flat=True)) == {office.pk}
        assert set(User.objects.filter(enterprise__isnull=False).values_list("office", flat=True)) == {None}
        assert set(Notice.objects.values_list("number", flat=True)) == numbers
        # Numbers go on: the next case and the next acceptance notice follow the last ones.
        third = reviewing()
        assert third.reference == first.reference[:-5] + "00003" and second.reference.endswith("00002")
        acceptance = Notice.objects.filter(application=third, kind="acceptance").get()
        assert acceptance.number.endswith("受〔2026〕0003号")
    finally:
        _migrate(None)
