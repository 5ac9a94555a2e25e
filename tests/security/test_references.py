"""Case numbers under a burst of new intents: each intent gets its own number, none gets a 500."""

import pytest
from django.db import connection

from review.models import Application, ReferenceCounter
from services.references import reference_next
from tests.case_fixtures import token_client
from tests.conftest import MONDAY
from tests.services.test_workflow_concurrency import postgresql_only, race, threaded_db

GOOD = {"product_name": "便携式心电监护仪", "device_class": "II", "category": "active",
        "application_type": "first"}


def test_numbers_are_consecutive_and_continue_after_existing_cases(users, make_application, settings):
    first = make_application(today=MONDAY)
    second = make_application(today=MONDAY)
    assert first.reference == f"{settings.REVIEW_JURISDICTION}202600001"
    assert second.reference == f"{settings.REVIEW_JURISDICTION}202600002"
    # A database from before the counter: the counter starts after the highest number issued.
    ReferenceCounter.objects.all().delete()
    assert reference_next(MONDAY) == f"{settings.REVIEW_JURISDICTION}202600003"


@postgresql_only
@threaded_db
def test_twenty_concurrent_intents_all_succeed_with_distinct_numbers(users):
    clients = [token_client(users.enterprise) for _ in range(20)]

    def post(client):
        return lambda: client.post("/api/v1/intents/", GOOD, format="json")

    results = race(*(post(c) for c in clients))
    statuses = [getattr(r, "status_code", r) for r in results]
    assert statuses == [201] * 20, statuses
    refs = list(Application.objects.values_list("reference", flat=True))
    assert len(refs) == len(set(refs)) == 20
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_counter_rows_are_per_year(settings):
    import datetime as dt

    assert reference_next(dt.date(2026, 1, 5)).endswith("202600001")
    assert reference_next(dt.date(2027, 1, 5)).endswith("202700001")
    assert ReferenceCounter.objects.count() == 2
