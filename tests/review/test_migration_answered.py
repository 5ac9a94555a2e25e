"""Migration review.0018 on rows that existed before it: a request that ended with the applicant's
documents is marked answered, one that lapsed (no documents) is not. The data is written by the
real services, the column is dropped by migrating back to 0017, then migrated forward again."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from review.models import ClockStop
from services import documents, workflow
from tests.case_fixtures import PDF, upload
from tests.conftest import stage_of

D = dt.date
BEFORE, AFTER = ("review", "0017_priority_rank_open_only"), ("review", "0018_clockstop_answered")


def _migrate(target=None):
    """To ``target``, or (None) back to the newest of every app: later tests need every migration
    after 0018 too (its triggers, indexes and data), not the database this test left at 0018."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def _migrate_to_latest():
    """Back to every app's newest migration, not to 0018: the later ones (columns added since) must
    be there again for the tests that run after this one."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # migrations seed data: restored after
def test_existing_requests_are_marked_answered_only_when_documents_answered_them(users, reviewing, uploads):
    answered_case, lapsed_case = reviewing(), reviewing()
    answered = workflow.stage_request_supplement(stage=stage_of(answered_case, "technical_review"),
                                                 actor=users.reviewer, items=["说明书"], today=D(2026, 3, 16))
    documents.supplement_answer(clock_stop=answered, actor=users.enterprise, response="已补正",
                                files=[upload("answer.pdf", PDF)], today=D(2026, 3, 20))
    lapsed = workflow.stage_request_supplement(stage=stage_of(lapsed_case, "technical_review"),
                                               actor=users.reviewer, items=["临床评价资料"], today=D(2026, 3, 16))
    workflow.stage_refuse_lapsed(stage=stage_of(lapsed_case, "technical_review"), actor=users.approver,
                                 today=D(2027, 3, 17))
    try:
        _migrate(BEFORE)  # the column goes: the rows are as they were before the fix
        _migrate(AFTER)
        got = dict(ClockStop.objects.filter(pk__in=[answered.pk, lapsed.pk]).values_list("pk", "answered"))
        assert got == {answered.pk: True, lapsed.pk: False}
        assert ClockStop.objects.get(pk=lapsed.pk).outcome == "lapsed"
    finally:
        _migrate_to_latest()
