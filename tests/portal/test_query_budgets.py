"""Query budgets: list and detail endpoints and portal pages cost the same for a case with two
log rows or two hundred, one pause or twenty.

Measured after the working calendar is loaded (it is cached per process; a cold process pays
two more queries once). The counts, per request:

- authentication: token 1 (token joined with its user and, on PostgreSQL, the user's permissions,
  ``api.authentication``) / session 2 (session, user);
- permissions: none after a token on PostgreSQL (elsewhere 1); after a session 1 (the user's own permissions and their
  groups' together, ``review.auth``, loaded once per request by the first ``has_perm``);
- the reads themselves, each a fixed number of queries with joins and prefetches (see each test).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review.selectors import calendar_current
from services import documents, workflow
from tests.case_fixtures import PDF, PNG, portal_client, token_client, upload
from tests.conftest import stage_of


@pytest.fixture
def small_and_big(users, in_review):
    # The small case has one of everything (Django skips a prefetch whose parents are empty, so an
    # empty case would cost fewer queries for that reason alone), the big one many.
    small = in_review()
    stop = workflow.stage_request_supplement(stage=stage_of(small, "technical_review"), actor=users.reviewer,
                                             items=["检验报告"])
    documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充",
                                files=[upload("a.pdf", PDF)])
    workflow.stage_extend(stage=stage_of(small, "technical_review"), actor=users.supervisor, days=2, reason="x")
    big = in_review()
    for i in range(10):
        workflow.stage_pause(stage=stage_of(big, "technical_review"), actor=users.reviewer, reason="expert",
                             note=f"第{i}次专家咨询")
        workflow.stage_resume(stage=stage_of(big, "technical_review"), actor=users.reviewer)
        workflow.stage_pause(stage=stage_of(big, "qms_verification"), actor=users.inspector, reason="hearing",
                             note=f"听证{i}")
        workflow.stage_resume(stage=stage_of(big, "qms_verification"), actor=users.inspector)
    for days in (3, 4):
        workflow.stage_extend(stage=stage_of(big, "technical_review"), actor=users.supervisor, days=days,
                              reason="专家意见分歧")
    stop = workflow.stage_request_supplement(stage=stage_of(big, "technical_review"), actor=users.reviewer,
                                             items=["检验报告", "临床评价", "说明书"])
    review = stage_of(big, "technical_review")
    documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充",
                                expected_version=review.version,
                                files=[upload("a.pdf", PDF), upload("b.png", PNG), upload("c.pdf", PDF)])
    workflow.stage_request_rectification(stage=stage_of(big, "qms_verification"), actor=users.inspector,
                                         items=["整改项一", "整改项二"])
    assert big.log.count() >= 3 * small.log.count()  # 58 log rows against 16
    assert sum(s.clock_stops.count() for s in big.stages.all()) == 22
    calendar_current()  # warm the per-process calendar cache, as in a running server
    return small, big


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


# (url template, client kind, exact number of queries, what they are). An enterprise user is scoped
# by enterprise before any permission is read (review.selectors.applications_visible_to), so pages
# that ask nothing else of the permissions load none.
# On PostgreSQL a token's statement brings its user's permissions (review_user_permissions); elsewhere
# (SQLite) the first ``has_perm`` reads them, one query more on the pages that ask.
TOKEN_PERMISSIONS = 0 if connection.vendor == "postgresql" else 1
BUDGETS = [
    ("/api/v1/applications/{id}/", "token", 8 + TOKEN_PERMISSIONS,
     "the first read (nothing cached yet): auth with permissions 1; the case's scope and fingerprint 1 "
     "(docs/api.md#the-detail-cache); the case with enterprise, route and pack 1; stages "
     "with department and assignee 1, their pauses 1 (not their documents: the detail lists none), "
     "extensions with approver 1; the timeline's deadline rows (last projected dates of finished "
     "stages) 1; the forecast's distributions 1"),
    ("/api/v1/applications/{id}/stages/", "token", 7,
     "auth 1; case 1; deadline rows 1; stages 1, pauses 1, documents 1, extensions 1"),
    ("/api/v1/applications/{id}/log/", "token", 4,
     "auth 1; case 1; page count 1; one page of rows with actor and stage 1"),
    ("/api/v1/applications/{id}/supplements/", "token", 4,
     "auth 1; case 1; requests with their stage 1; their documents 1"),
    ("/api/v1/applications/{id}/actions/", "token", 6 + TOKEN_PERMISSIONS,
     "auth with permissions 1; case 1; stages 1, pauses 1, documents 1, extensions 1"),
    ("/portal/applications/{id}/", "session", 14,
     "session 1 + user 1 + permissions 1; case with annotations 1; stages 1, pauses 1, documents 1, "
     "extensions 1; the applicant's log with actor and stage 1; the header's enterprise name 1; "
     "the official notices 1; the pack's rules for the estimated completion date 2 "
     "(the regional pack's rules, the parent's rules; the parent itself comes with the case); the "
     "forecast's distributions 1"),
]


@pytest.mark.parametrize(("url", "kind", "budget", "why"), BUDGETS, ids=[b[0] for b in BUDGETS])
def test_detail_costs_do_not_grow_with_the_case(users, small_and_big, url, kind, budget, why):
    small, big = small_and_big
    client = token_client(users.enterprise) if kind == "token" else portal_client(users.enterprise)
    n_small = count(client, url.format(id=small.pk))
    n_big = count(client, url.format(id=big.pk))
    assert n_small == n_big, f"{url}: {n_small} queries for a small case, {n_big} for a big one"
    assert n_big == budget, f"{url}: {n_big} queries, expected {budget}: {why}"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the API detail is cached on PostgreSQL only (review_case_fingerprint)")
def test_a_cached_detail_costs_two_queries(users, small_and_big):
    """Read again unchanged, the detail is the cached payload (docs/api.md#the-detail-cache):
    auth with permissions 1; the case's scope and fingerprint 1 (whether this reader may see it
    is asked on every request), whatever the size of the case."""
    client = token_client(users.enterprise)
    for case in small_and_big:
        count(client, f"/api/v1/applications/{case.pk}/")
        assert count(client, f"/api/v1/applications/{case.pk}/") == 2


def test_supplement_page_cost_does_not_grow(users, small_and_big):
    _small, big = small_and_big
    stops = list(big.stages.get(kind="technical_review").clock_stops.filter(reason="supplement"))
    client = portal_client(users.enterprise)
    n = count(client, f"/portal/applications/{big.pk}/requests/{stops[0].pk}/")
    # session 1 + user 1; case 1; request with its stage 1 and documents 1; header 1;
    # the request's official notice 1
    assert n == 7, n


@pytest.mark.parametrize(("url", "kind", "budget"), [
    # auth 1; count 1; one page whose deadlines, progress and overdue are subqueries 1
    ("/api/v1/applications/", "token", 3),
    # session 1 + user 1; count 1; page 1; the header's enterprise name 1
    ("/portal/", "session", 5),
])
def test_lists_cost_the_same_for_few_or_many_cases(users, in_review, small_and_big, url, kind, budget):
    client = token_client(users.enterprise) if kind == "token" else portal_client(users.enterprise)
    n_two = count(client, url)
    for _ in range(4):
        in_review()
    n_six = count(client, url)
    assert n_two == n_six == budget, (n_two, n_six)
