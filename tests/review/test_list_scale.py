"""The lists stay cheap at 100,000 cases.

The benchmarks (``make bench``, docs/benchmarks.md) measure the time at scale; these tests pin
what makes it possible on small data, with the same code, so a regression fails CI:

- every list and detail path costs an exact number of queries, whatever the number of cases;
- search by reference, product, enterprise name or credit code finds the right cases, and the
  overdue flag of a list row means exactly what the ``overdue`` filter means;
- on PostgreSQL the search and the order can use their indexes (checked with ``EXPLAIN`` with
  sequential scans and sorts discouraged); on SQLite the PostgreSQL-only step is a no-op.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from review.models import Application
from review.selectors import calendar_current
from review.selectors_cases import application_list, application_search, overdue_q
from services import workflow
from tests.case_fixtures import in_review, portal_client, token_client, working_day  # noqa: F401
from tests.conftest import stage_of
from tests.factories import EnterpriseFactory


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def overdue_case(users, make_application):
    """A case whose technical review started 80 working days ago: past its target and limit."""
    day0 = working_day(-82)
    app = make_application(today=day0, product_name="过期的血糖仪")
    workflow.application_submit(application=app, actor=users.enterprise, today=day0)
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                            outcome="accepted", today=working_day(-80))
    app.refresh_from_db()
    return app


@pytest.fixture
def cases(users, in_review, overdue_case):  # noqa: F811
    """Two cases in review (one overdue, one paused), warmed calendar; returns a factory of more."""
    paused = in_review(product_name="一次性使用无菌注射器")
    workflow.stage_request_supplement(stage=stage_of(paused, "technical_review"), actor=users.reviewer,
                                      items=["检验报告"])
    calendar_current()  # cached per process, as in a running server

    def more(n):
        for _ in range(n):
            in_review(product_name="医用外科口罩")

    return more


ADMIN = "/admin/review/application/"
# (query string, exact queries, what they are). Every admin page: session 1, user 1, the user's
# and the groups' permissions 1 (one query, review.auth); the page of cases with enterprise and route joined and its
# next deadlines and paused flag as per-row subqueries 1; the count 1; the district filter's
# choices 1; the route filter's choices 1 (Django's RelatedFieldListFilter).
ADMIN_BUDGETS = [
    ("", 7, "the list itself"),
    ("?deadline=overdue", 7, "the overdue filter is an EXISTS in both the page and the count"),
    ("?clock=paused", 7, "the same for a stopped clock"),
    ("?q={ref}", 8, "+1: the enterprises matching the word (read first, so the case filter is an "
                    "OR on the cases table that its indexes can answer)"),
    ("?q=注射器", 8, "+1 per word, the same"),
    ("?q=注射器+{ref}", 9, "two words, two enterprise reads"),
]


@pytest.mark.parametrize(("query", "budget", "why"), ADMIN_BUDGETS, ids=[b[0] or "plain" for b in ADMIN_BUDGETS])
def test_admin_list_costs_a_fixed_number_of_queries(users, cases, overdue_case, query, budget, why):
    client = staff_client(users.supervisor)
    url = ADMIN + query.format(ref=overdue_case.reference)
    few = count(client, url)
    cases(5)
    many = count(client, url)
    assert few == many == budget, f"{url}: {few} then {many} queries, expected {budget}: {why}"


def test_admin_case_page_costs_a_fixed_number_of_queries(users, cases):
    client = staff_client(users.supervisor)
    paused = Application.objects.get(product_name="一次性使用无菌注射器")  # one of everything
    url = reverse("admin:review_application_change", args=[paused.pk])
    count(client, url)  # the first request warms Django's content-type cache, as in a server
    n = count(client, url)
    # session 1 + user 1 + permissions 1; the case with its annotations, pack (and its parent)
    # and registering user, read once 1; stages with department and assignee 1, pauses 1, their
    # documents 1, extensions 1; the eligible assignees: who holds the permission through
    # a group 1 or directly 1, then those users 1; the timeline with actor and stage 1 (its hash
    # chain is verified on these rows); the official notices 1; the forecast's distributions 1.
    assert n == 15, n


# The API's list: token 1 (with the user's permissions: api.authentication; a supervisor's scope
# reads them, an enterprise user's asks none); the count 1; the page with its per-row subqueries 1.
API_BUDGETS = [
    ("", 3), ("?overdue=true", 3), ("?overdue=false&state=review", 3),
    ("?q={ref}", 4),  # +1: the enterprises matching the word
    ("?q=注射器", 4),
]


@pytest.mark.parametrize("who", ["enterprise", "supervisor"])
@pytest.mark.parametrize(("query", "budget"), API_BUDGETS, ids=[b[0] or "plain" for b in API_BUDGETS])
def test_api_list_costs_a_fixed_number_of_queries(users, cases, overdue_case, who, query, budget):
    client = token_client(getattr(users, who))
    url = "/api/v1/applications/" + query.format(ref=overdue_case.reference)
    few = count(client, url)
    cases(5)
    many = count(client, url)
    # Elsewhere than PostgreSQL the supervisor's permissions are a query of their own (review.auth).
    budget += who == "supervisor" and connection.vendor != "postgresql"
    assert few == many == budget, (url, few, many)


@pytest.mark.parametrize("who", ["enterprise", "supervisor"])
def test_api_detail_costs_the_same_for_staff_and_enterprise(users, cases, who):
    client = token_client(getattr(users, who))
    paused = Application.objects.get(product_name="一次性使用无菌注射器")  # one of everything
    # Read the first time: auth with permissions 1; the case's scope and fingerprint 1; the case
    # 1; stages 1, pauses 1, extensions 1; the timeline's deadline rows 1; the forecast's
    # distributions 1 (tests/portal/test_query_budgets.py). Then cached: auth 1, fingerprint 1.
    if connection.vendor == "postgresql":
        assert count(client, f"/api/v1/applications/{paused.pk}/") == 8
        assert count(client, f"/api/v1/applications/{paused.pk}/") == 2
    else:  # the permissions a query of their own, and nothing cached (no fingerprint function)
        assert count(client, f"/api/v1/applications/{paused.pk}/") == 9
        assert count(client, f"/api/v1/applications/{paused.pk}/") == 9


def test_portal_list_with_search_costs_one_more_query(users, cases, overdue_case):
    client = portal_client(users.enterprise)
    # session 1 + user 1; count 1; page 1; header 1; the enterprises matching 1
    few = count(client, "/portal/?q=注射器")
    cases(3)
    assert few == count(client, "/portal/?q=注射器") == 6


# --- what the lists mean -------------------------------------------------------------------------
def test_search_finds_by_reference_product_enterprise_and_credit_code(users, cases, overdue_case):
    other = EnterpriseFactory(name="重庆精准医疗器械有限公司")
    foreign = workflow.application_create(enterprise=other, product_name="电子血压计", device_class="II",
                                          category="active", application_type="first", actor=users.acceptance)
    everything = Application.objects.all()

    def found(text):
        return set(application_search(everything, text).values_list("pk", flat=True))

    assert found(overdue_case.reference) == {overdue_case.pk}
    assert found(overdue_case.reference.lower()) == {overdue_case.pk}  # case-insensitive
    assert found("血糖") == {overdue_case.pk}  # part of the product
    assert found("精准医疗") == {foreign.pk}  # part of the enterprise's name
    assert found(other.credit_code[-8:].lower()) == {foreign.pk}
    assert found("血压计 精准") == {foreign.pk}  # every word must match somewhere
    assert found("血压计 注射器") == set()
    assert found("   ") == set(everything.values_list("pk", flat=True))
    # The enterprise user's search stays inside their own cases.
    mine = application_list(users.enterprise, today=timezone.localdate())
    assert not application_search(mine, "精准医疗").exists()


def test_admin_search_finds_the_enterprise_by_credit_code(users, cases, overdue_case):
    client = staff_client(users.supervisor)
    code = users.enterprise_obj.credit_code
    page = client.get(ADMIN, {"q": code.lower()})
    assert page.context["cl"].result_count == Application.objects.filter(enterprise=users.enterprise_obj).count()


def test_list_overdue_flag_is_the_overdue_filter(users, cases, overdue_case):
    today = timezone.localdate()
    rows = {a.pk: a.is_overdue for a in application_list(users.supervisor, today=today)}
    overdue = set(Application.objects.filter(overdue_q(today)).values_list("pk", flat=True))
    assert overdue == {overdue_case.pk}
    assert {pk for pk, flag in rows.items() if flag} == overdue
    assert len(rows) == Application.objects.count()


def test_admin_list_shows_deadline_and_paused_badges(users, cases, overdue_case):
    paused = Application.objects.get(product_name="一次性使用无菌注射器")
    workflow.stage_pause(stage=stage_of(paused, "qms_verification"), actor=users.inspector, reason="expert",
                         note="专家咨询")
    cases(1)  # and one on track
    page = staff_client(users.supervisor).get(ADMIN).content.decode()
    assert "badge-breach" in page  # the overdue case: its statutory limit has passed too
    assert "badge-paused" in page  # both branches of that case stopped: no clock running
    assert "badge-on_track" in page


# --- indexes -------------------------------------------------------------------------------------
def _plan(sql, params) -> str:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_sort = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())


def _indexes(table) -> dict[str, str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return {name: sql or "" for name, sql in cur.fetchall()}


@pytest.mark.django_db(transaction=False)
def test_search_and_order_use_their_indexes(users, cases, overdue_case):
    app_indexes = _indexes("review_application")
    assert "application_created_idx" in app_indexes
    assert "stage_running_deadlines_idx" in _indexes("review_stage")
    if connection.vendor != "postgresql":
        assert not any("trgm" in name for name in app_indexes)  # the PostgreSQL step is a no-op
        return
    assert {"application_reference_trgm", "application_product_trgm"} <= set(app_indexes)
    assert {"enterprise_name_trgm", "enterprise_credit_code_trgm"} <= set(_indexes("review_enterprise"))
    # The indexes match the expressions Django writes for icontains: PostgreSQL can use them.
    search = application_search(Application.objects.order_by(), "血糖仪")
    sql, params = search.query.sql_with_params()
    plan = _plan(sql, params)
    assert "application_reference_trgm" in plan and "application_product_trgm" in plan, plan
    # Newest first (an officer's district); an enterprise's own few cases sort waiting-first.
    page = application_list(users.officer, today=timezone.localdate())[:20]
    sql, params = page.query.sql_with_params()
    assert "application_created_idx" in _plan(sql, params)
    # Staff see priority and innovation cases first, within their office: that order has its own
    # index, office first (the national role's every-office list has application_staff_order).
    page = application_list(users.supervisor, today=timezone.localdate())[:20]
    sql, params = page.query.sql_with_params()
    assert "application_office_order" in _plan(sql, params)


def test_deliveries_have_no_redundant_index(db):
    """The unique (alert, email) constraint serves every lookup by alert; each extra index costs
    the cold sweep's insert of every delivery."""
    indexes = _indexes("notifications_delivery")
    if connection.vendor == "postgresql":
        defs = [d for d in indexes.values()]
        assert not any(d.endswith("(alert_id)") for d in defs), defs
        assert not any("varchar_pattern_ops" in d for d in defs), defs
        # Partitioned by year (docs/deployment.md): the key carries the partition column.
        assert any("UNIQUE" in d and "(alert_id, email, raised_on)" in d for d in defs), defs
    assert "delivery_state_idx" in indexes


def test_detail_summary_is_the_list_annotation(users, cases, overdue_case):
    """The detail pages compute in Python what the list annotates in SQL: the same values."""
    from review.selectors_cases import case_stages, case_summarise

    cases(1)
    today = timezone.localdate()
    fields = ("next_target", "next_statutory", "applicant_deadline", "stages_total", "stages_done", "is_overdue")
    listed = list(application_list(users.supervisor, today=today))
    assert any(a.applicant_deadline for a in listed) and any(a.is_overdue for a in listed)
    for row in listed:
        app = Application.objects.get(pk=row.pk)
        case_summarise(app, case_stages(app), today=today)
        assert {f: getattr(app, f) for f in fields} == {f: getattr(row, f) for f in fields}, row.reference
