"""The read replica (review/replica.py, docs/deployment.md#a-read-replica): the dashboard, its
downloads, kpi_report and the public look-up read from the ``replica`` alias; every other page,
every write and every read inside a transaction use ``default``.

The test settings give ``replica`` as a mirror of the test database (a second connection to the
same database, as a streaming standby would be); these tests turn ``READ_REPLICA`` on and count
each connection's queries. They commit (``transaction=True``) so the second connection sees the
rows, as a replica would once it has caught up.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from review import replica
from review.models import Application, Enterprise

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])

QUERY = "?start=2026-01-01&end=2026-12-31"


@pytest.fixture
def replica_on(settings):
    settings.READ_REPLICA = "replica"


class Counted:
    """The queries each connection ran inside the block."""

    def __enter__(self):
        self._contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for ctx in self._contexts.values():
            ctx.__enter__()
        return self

    def __exit__(self, *exc):
        for ctx in self._contexts.values():
            ctx.__exit__(*exc)

    def tables(self, alias) -> set[str]:
        return {t for q in self._contexts[alias].captured_queries
                for t in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', q["sql"])}

    def count(self, alias) -> int:
        return len(self._contexts[alias].captured_queries)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_router_sends_only_marked_reads_outside_a_transaction(replica_on, users, reviewing):
    app = reviewing()
    with Counted() as n, replica.reading():
        assert Application.objects.filter(pk=app.pk).exists()
    assert (n.count("replica"), n.count("default")) == (1, 0)

    with Counted() as n:  # not marked: default
        assert Application.objects.filter(pk=app.pk).exists()
    assert (n.count("replica"), n.count("default")) == (0, 1)

    with Counted() as n, replica.reading(), transaction.atomic():  # a transaction reads its own writes
        Enterprise.objects.filter(pk=app.enterprise_id).update(district="渝中区")
        assert Enterprise.objects.get(pk=app.enterprise_id).district == "渝中区"
    assert n.count("replica") == 0 and "review_enterprise" in n.tables("default")

    with replica.reading():
        fetched = Enterprise.objects.get(pk=app.enterprise_id)
        assert fetched._state.db == "replica"
        with Counted() as n:  # an object read from the replica is still written to default
            fetched.park = "两江新区"
            fetched.save(update_fields=["park"])
    assert n.count("replica") == 0 and n.count("default") >= 1
    assert Enterprise.objects.get(pk=app.enterprise_id).park == "两江新区"


def test_without_a_replica_everything_reads_default(settings, users, reviewing):
    settings.READ_REPLICA = ""
    app = reviewing()
    with Counted() as n, replica.reading():
        assert Application.objects.filter(pk=app.pk).exists()
    assert (n.count("replica"), n.count("default")) == (0, 1)


def test_dashboard_and_its_downloads_read_the_replica(replica_on, users, reviewing):
    reviewing()
    client = _client(users.supervisor)
    for path in ("/dashboard/" + QUERY, "/dashboard/export.xlsx" + QUERY,
                 "/dashboard/export.csv" + QUERY + "&table=stages"):
        with Counted() as n:
            response = client.get(path)
            assert response.status_code == 200, path
        assert "review_stage" in n.tables("replica"), path
        # default answered the session and the permission check, not the figures
        assert not {"review_stage", "review_application"} & n.tables("default"), (path, n.tables("default"))

    with Counted() as n:  # the case list is streamed after the view returned: still the replica
        response = client.get("/dashboard/export.csv" + QUERY + "&table=case_list")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and "一次性使用无菌注射器" in body
    assert "review_application" in n.tables("replica")
    assert "review_application" not in n.tables("default")


def test_kpi_report_reads_the_replica(replica_on, users, reviewing, tmp_path):
    reviewing()
    with Counted() as n:
        call_command("kpi_report", "--start", "2026-01-01", "--end", "2026-12-31",
                     "--output", str(tmp_path / "report.xlsx"), stdout=open(tmp_path / "out", "w"))
    assert (tmp_path / "report.xlsx").stat().st_size > 0
    assert {"review_stage", "review_application"} <= n.tables("replica")
    assert n.count("default") == 0


def test_the_public_lookup_reads_the_replica(replica_on, users, reviewing):
    app = reviewing()
    code = app.enterprise.credit_code
    with Counted() as n:
        api = Client().get("/api/v1/lookup/", {"reference": app.reference, "credit_code": code})
        page = Client().post("/portal/lookup/", {"reference": app.reference, "credit_code": code})
    assert api.status_code == 200 and page.status_code == 200 and app.reference in page.content.decode()
    assert "review_application" in n.tables("replica")
    assert "review_application" not in n.tables("default")


def test_other_pages_read_default(replica_on, users, reviewing):
    app = reviewing()
    staff, enterprise = _client(users.supervisor), _client(users.enterprise)
    with Counted() as n:
        assert staff.get("/admin/review/application/").status_code == 200
        assert staff.get(f"/admin/review/application/{app.pk}/change/").status_code == 200
        assert enterprise.get("/portal/").status_code == 200
        assert enterprise.get(f"/portal/applications/{app.pk}/").status_code == 200
    assert n.count("replica") == 0
    assert "review_application" in n.tables("default")
