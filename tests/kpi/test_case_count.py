"""The dashboard's three counting errors (docs/dashboard.md), each against hand-counted dates.

Case-level figures count cases, not decision stages: a Class II case with a production licence in
parallel has two decisions (registration, then licence); it is one case, counted from its
acceptance to its registration decision. A Class III case's only provincial decision is its
licence: counted from the licence's acceptance (Order 53 Art. 10, 11).
"""

import datetime as dt

from kpi.figures import dashboard_data
from kpi.selectors import KpiFilters, Scope, baseline_days, case_figures, urgent_stages
from review.selectors import calendar_current
from services import workflow
from tests.conftest import stage_of

D = dt.date
PERIOD = KpiFilters(start=D(2026, 3, 1), end=D(2026, 6, 30))


def _done(app, kind, actor, day, outcome, **kw):
    workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=day, outcome=outcome,
                            note=kw.pop("note", "同意"), **kw)


def test_a_parallel_licence_case_counts_once_from_its_acceptance(users, reviewing):
    # Accepted Mon 2026-03-02; merged inspection and review done 03-16; registration decision
    # 03-20 (18 calendar days); certificate 03-23; licence decision 03-27 (a second decision).
    app = reviewing(with_production_licence=True)
    _done(app, "merged_inspection", users.inspector, D(2026, 3, 16), "passed")
    _done(app, "technical_review", users.reviewer, D(2026, 3, 16), "approve")
    _done(app, "decision", users.approver, D(2026, 3, 20), "approve")
    _done(app, "issuance", users.approver, D(2026, 3, 23), "issued", reference="渝械注准20262010001")
    # The certificate issued, the licence decision runs (its 20 WD from the approval, Order 53).
    _done(app, "licence_decision", users.approver, D(2026, 3, 27), "approve")
    c = case_figures(PERIOD)
    assert c.decided == 1  # was 2: the licence decision counted again from the registration's acceptance
    assert (c.avg_total, c.max_total) == (18.0, 18.0)


def test_a_class_iii_licence_decision_counts_from_the_licence_acceptance(users, make_application):
    app = make_application(device_class="III", category="active", with_production_licence=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=D(2026, 3, 2))
    # The merged inspection waits for the national centre's notice (started by the inspector).
    workflow.stage_start(stage=stage_of(app, "merged_inspection"), actor=users.inspector, today=D(2026, 3, 3))
    _done(app, "merged_inspection", users.inspector, D(2026, 3, 4), "passed")
    _done(app, "national_review", users.acceptance, D(2026, 4, 1), "approve", reference="国械注准20263010001")
    workflow.stage_start(stage=stage_of(app, "licence_acceptance"), actor=users.acceptance, today=D(2026, 4, 1))
    _done(app, "licence_acceptance", users.acceptance, D(2026, 4, 2), "accepted")
    app.refresh_from_db()
    assert app.licence_accepted_on == D(2026, 4, 2) and app.accepted_on is None
    # Licence accepted Thu 04-02, decided Mon 04-13: 11 calendar days.
    _done(app, "licence_decision", users.approver, D(2026, 4, 13), "approve")
    c = case_figures(PERIOD)
    assert c.decided == 1  # was 0: the case has no registration acceptance in the province
    assert c.avg_total == 11.0


def test_the_overdue_download_holds_every_row_not_the_pages_100(users, reviewing, client):
    # 101 reviews accepted 2026-03-02, each 40-WD target passed by 2026-06-01.
    apps = [reviewing(product_name=f"P{i}") for i in range(101)]
    cal = calendar_current()
    today = D(2026, 6, 1)
    shown, total = urgent_stages(PERIOD, today=today, cal=cal)
    assert (len(shown), total) == (100, 202)  # review and QMS verification of each
    data = dashboard_data(PERIOD, today=today, scope=Scope(), urgent_limit=None)
    assert len(data["urgent"]) == data["urgent_total"] == 202
    client.force_login(users.supervisor)
    body = client.get("/dashboard/export.csv?start=2026-03-01&end=2026-06-30&table=urgent").content
    rows = body.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + urgent_stages(PERIOD, today=dt.date.today(), cal=cal, limit=None)[1]
    assert len(apps) == 101


def test_the_baseline_is_the_one_the_filtered_cases_fall_under(users, reviewing, make_application):
    reviewing(category="ivd")
    reviewing(category="passive")
    ivd = KpiFilters(start=PERIOD.start, end=PERIOD.end, category="ivd")
    assert baseline_days(ivd)["testing"] == "45"  # was "45–120": every category's baseline
    passive = KpiFilters(start=PERIOD.start, end=PERIOD.end, category="passive")
    assert baseline_days(passive)["testing"] == "60"
    assert baseline_days(PERIOD)["testing"] == "45–60"  # no active case: 120 does not apply
