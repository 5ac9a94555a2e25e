"""Fixes from the demo walkthrough: what the portal tells the enterprise once the office is late
(B1, B2), requests that lapsed unanswered (B5), the answer form's errors (B12), discarding a
draft (B13) and the look-up's date column (W1). Cases are built through the services on dates
relative to today, so the stages are really late when the page is read."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from clock import sla
from clock.calendar import WorkingCalendar
from kpi.selectors import KpiFilters, applicant_waits
from review.models import Application
from review.next_step import estimate_completion
from review.selectors import calendar_current
from services import workflow
from tests.case_fixtures import portal_client, token_client, working_day
from tests.conftest import MONDAY, stage_of

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start:html.index("</section>", start)]


def _instruction(html: str) -> str:
    section = _section(html, 'id="next-step"')
    start = section.index('class="instruction"')
    return section[start:section.index("</p>", start)]


@pytest.fixture
def late_case(users, make_application):
    """A case accepted ``accepted_at`` working days ago; ``through`` finishes the technical review
    and QMS verification (and the decision) on the given past working days."""

    def make(*, accepted_at: int, review_done_at: int | None = None, decision_at: int | None = None):
        app = make_application(today=working_day(accepted_at - 2))
        workflow.application_submit(application=app, actor=users.enterprise, today=working_day(accepted_at - 2))
        workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                                today=working_day(accepted_at))
        if review_done_at is not None:
            workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                    outcome="approve", note="同意", today=working_day(review_done_at))
            workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                    outcome="passed", note="通过", today=working_day(review_done_at))
        if decision_at is not None:
            workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                                    note="准予", today=working_day(decision_at))
        app.refresh_from_db()
        return app

    return make


@pytest.fixture
def english_enterprise(users):
    users.enterprise.language = "en"
    users.enterprise.save()
    return users.enterprise


def _page(user, app) -> str:
    response = portal_client(user).get(f"/portal/applications/{app.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _late_by(day: dt.date) -> int:
    return calendar_current().working_days_between(day, timezone.localdate())


# --- B1: the next step and the estimate on late cases ------------------------------------------
def test_review_past_its_target_says_so_and_names_the_legal_deadline(english_enterprise, late_case):
    app = late_case(accepted_at=-50)  # Class II: 40 WD target, 60 WD statutory limit
    review = stage_of(app, "technical_review")
    today = timezone.localdate()
    assert review.target_due < today <= review.statutory_due
    html = _page(english_enterprise, app)
    instruction = _instruction(html)
    assert "The office is reviewing" in instruction
    assert not [d for d in DATE.findall(instruction) if d < today.isoformat()]  # no past "until"
    late = _section(html, 'id="next-step"')
    assert (f"Technical review: the office&#x27;s target date was {review.target_due.isoformat()}. It passed "
            f"{_late_by(review.target_due)} working days ago") in late
    assert f"The legal deadline is the statutory limit, {review.statutory_due.isoformat()}." in late
    estimate = late[late.index('id="estimate"'):]
    # The parallel QMS verification (Class II: a target, no statutory limit) is late too: no estimate.
    assert "(at the target pace)" not in estimate and today.isoformat() not in estimate


def test_decision_past_its_statutory_limit_names_the_decision(english_enterprise, late_case):
    app = late_case(accepted_at=-100, review_done_at=-60)  # decision: 20 WD from the review opinion
    decision = stage_of(app, "decision")
    assert app.state == "decision" and decision.statutory_due < timezone.localdate()
    html = _page(english_enterprise, app)
    assert "The office is preparing the administrative decision: nothing for you to do for now." in _instruction(html)
    assert "reviewing" not in _instruction(html)
    late = _section(html, 'id="next-step"')
    assert (f"Administrative decision: the statutory limit, the legal deadline for this step, was "
            f"{decision.statutory_due.isoformat()}. It passed {_late_by(decision.statutory_due)} working days ago "
            "and the office is still handling the step.") in late
    assert "Estimated completion: none can be given while a step is past its date." in late


def test_issuance_past_its_statutory_limit_in_chinese(users, late_case):
    app = late_case(accepted_at=-100, review_done_at=-60, decision_at=-30)  # issuance: 10 WD
    issuance = stage_of(app, "issuance")
    assert app.state == "issuance" and issuance.statutory_due < timezone.localdate()
    html = _page(users.enterprise, app)
    assert "已准予注册：审批部门正在制证。目前您无需办理任何事项。" in _instruction(html)
    late = _section(html, 'id="next-step"')
    assert (f"制证发证：本环节的法定时限（法律规定的最迟期限）为 {issuance.statutory_due.isoformat()}，"
            f"已超期 {_late_by(issuance.statutory_due)} 个工作日，审批部门仍在办理。") in late
    assert "预计办结日期： 有环节已超期，暂无法预计。" in late


def test_on_schedule_case_keeps_its_until_date_and_estimate(english_enterprise, in_review):
    app = in_review()
    html = _page(english_enterprise, app)
    assert "nothing for you to do until" in _instruction(html)
    assert 'id="late-steps"' not in html and "(at the target pace)" in html


def _view(kind, phase, state, target_due=None, statutory_due=None):
    stage = SimpleNamespace(kind=kind, phase=phase, state=state, target_due=target_due, statutory_due=statutory_due,
                            target_days=None, statutory_days=None, consumed_days=0)
    return SimpleNamespace(stage=stage, open_pause=None)


def test_estimate_is_never_today_or_past_for_a_late_or_undated_stage():
    cal = WorkingCalendar(holidays=frozenset(), workdays=frozenset(), official_years=frozenset({2026}))
    today = dt.date(2026, 11, 26)  # a Thursday
    limits = {"decision": sla.Limits(statutory_days=20), "issuance": sla.Limits(statutory_days=10)}

    def estimate(*views):
        return estimate_completion(list(views), today=today, cal=cal, limits_for=lambda k: limits[k])

    # Past its target, statutory limit 5 WD ahead: no date at the target pace; the latest is 5 + 20 + 10 WD.
    est = estimate(_view("technical_review", 1, "running", dt.date(2026, 11, 17), dt.date(2026, 12, 3)),
                   _view("decision", 2, "pending"), _view("issuance", 3, "pending"))
    assert est.by_target is None and est.by_statutory == cal.add_working_days(today, 5 + 20 + 10)
    # Past its statutory limit: no estimate at all (the old code gave today).
    assert estimate(_view("issuance", 1, "running", dt.date(2026, 11, 10), dt.date(2026, 11, 10))) is None
    # The national review, no date in this system: unknown, not today.
    assert estimate(_view("national_review", 1, "running")) is None
    # Due today is a true estimate.
    assert estimate(_view("issuance", 1, "running", today, today)).by_target == today


# --- B2: the list shows the worst true label -----------------------------------------------
def test_list_and_api_show_the_statutory_limit_passed_before_the_target(users, late_case):
    breach = late_case(accepted_at=-100, review_done_at=-60)  # decision past its statutory limit
    overdue = late_case(accepted_at=-50)  # review past its target only
    html = portal_client(users.enterprise).get("/portal/").content.decode()
    cards = {app.pk: html[html.index(f"/portal/applications/{app.pk}/"):] for app in (breach, overdue)}
    breach_card = cards[breach.pk][:cards[breach.pk].index("</li>")]
    overdue_card = cards[overdue.pk][:cards[overdue.pk].index("</li>")]
    decision = stage_of(breach, "decision")
    assert "badge-breach" in breach_card and "已超法定时限" in breach_card and "badge-overdue" not in breach_card
    assert "下一个时限" not in breach_card and decision.statutory_due.isoformat() in breach_card
    assert f"已超期 {_late_by(decision.statutory_due)} 个工作日" in breach_card
    assert "badge-overdue" in overdue_card and "超目标时限" in overdue_card and "下一个时限" not in overdue_card
    items = {i["id"]: i for i in token_client(users.enterprise).get("/api/v1/applications/").json()["results"]}
    assert items[breach.pk]["late_level"] == "breach" and items[breach.pk]["overdue"] is True
    assert items[overdue.pk]["late_level"] == "overdue"


# --- B5: a request that lapsed is not an answered one ---------------------------------------
@pytest.fixture
def lapsed_supplement(users, make_application):
    day0 = working_day(-330)  # about fifteen months ago: the one-year answer period has ended
    app = make_application(today=day0)
    workflow.application_submit(application=app, actor=users.enterprise, today=day0)
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=working_day(-328))
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["检验方法"], today=working_day(-325))
    assert stop.applicant_deadline < timezone.localdate()
    workflow.stage_refuse_lapsed(stage=stage_of(app, "technical_review"), actor=users.approver)
    stop.refresh_from_db()
    return app, stop


def test_lapsed_supplement_is_not_shown_or_counted_as_answered(users, lapsed_supplement, settings):
    app, stop = lapsed_supplement
    assert stop.ended_on == timezone.localdate() and not stop.answered and stop.outcome == "lapsed"
    page = _page(users.enterprise, app)
    earlier = _section(page, 'id="answered-title"')
    assert "答复于" not in earlier and "已于" not in earlier
    assert f"未答复：答复期限 {stop.applicant_deadline.isoformat()} 已过，未收到答复" in earlier
    request_page = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/requests/{stop.pk}/")
    text = request_page.content.decode()
    assert 'class="message success"' not in text  # not "answered on …; the review clock runs again"
    assert "未答复" in text[text.index('id="request-outcome"'):]
    assert "您的答复" not in text  # no "your answer" card for an answer that never came

    body = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/supplements/").json()
    item = body[0] if isinstance(body, list) else body["results"][0]
    assert item["answered_on"] is None and item["ended_on"] == stop.ended_on.isoformat()
    assert item["outcome"] == "lapsed"
    detail = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/").json()
    pauses = [p for s in detail["stages"] for p in s["pauses"]]
    assert [p["outcome"] for p in pauses] == ["lapsed"]

    admin = Client()
    admin.force_login(users.supervisor)
    change = admin.get(f"/admin/review/application/{app.pk}/change/")
    assert change.status_code == 200 and "未答复" in change.content.decode()

    today = timezone.localdate()
    rows = applicant_waits(KpiFilters(start=today - dt.timedelta(days=30), end=today), today=today)
    assert [(r["answered"], r["to_answer"], r["unanswered"]) for r in rows] == [(0, None, 1)]


def test_answered_supplement_stays_answered(users, case_with_requests):
    app, answered, _open, _doc = case_with_requests
    assert answered.answered and answered.outcome == "answered" and answered.answered_on == answered.ended_on
    page = _page(users.enterprise, app)
    assert f"已于 {answered.ended_on.isoformat()} 答复" in _section(page, 'id="answered-title"')


def test_lapsed_rectification_is_recorded_as_failed_not_answered(users, make_application):
    day0 = working_day(-200)
    app = make_application(today=day0)
    workflow.application_submit(application=app, actor=users.enterprise, today=day0)
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=working_day(-198))
    stop = workflow.stage_request_rectification(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                                                items=["压差记录"], today=working_day(-190))
    assert stop.applicant_deadline < timezone.localdate()
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, outcome="failed",
                            note="逾期未整改")
    stop.refresh_from_db()
    assert stop.ended_on and not stop.answered and stop.outcome == "lapsed"
    page = _page(users.enterprise, app)
    assert "核查结果记为不通过" in _section(page, 'id="answered-title"')
    item = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/supplements/").json()
    item = item[0] if isinstance(item, list) else item["results"][0]
    assert item["outcome"] == "lapsed" and item["answered_on"] is None


# --- B12: every missing field of the answer form at once ------------------------------------
def test_empty_answer_reports_every_missing_field_with_a_summary(users, in_review):
    app = in_review()
    stage = stage_of(app, "technical_review")
    stop = workflow.stage_request_supplement(stage=stage, actor=users.reviewer, items=["检验方法"],
                                             today=working_day(0))
    stage.refresh_from_db()
    response = portal_client(users.enterprise).post(f"/portal/applications/{app.pk}/requests/{stop.pk}/",
                                                    {"version": stage.version, "response": ""})
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "请更正下方标出的字段。" in summary
    assert "答复说明：" in summary and "请逐项说明补充提交的内容。" in summary
    assert "材料文件：" in summary and "请上传答复所需的材料文件，至少一个。" in summary
    assert 'id="id_files_error"' in html and 'id="id_response_error"' in html  # next to each field too
    stop.refresh_from_db()
    assert stop.ended_on is None


# --- B13: discarding a draft ------------------------------------------------------------------
def test_discarding_a_draft_needs_no_reason_and_leaves_the_list(users, make_application):
    draft = make_application(product_name="废弃的意向")
    make_application(product_name="保留的意向")  # stays in the list
    owner = portal_client(users.enterprise)
    page = owner.get(f"/portal/applications/{draft.pk}/").content.decode()
    withdraw = _section(page, 'aria-labelledby="withdraw-title"')
    assert "放弃此草稿" in withdraw and "撤回原因" not in withdraw and "确定放弃此草稿吗" in withdraw
    assert 'name="reason"' not in withdraw

    response = owner.post(f"/portal/applications/{draft.pk}/withdraw/", {"version": draft.version}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/portal/"
    # The message says discarded, not withdrawn (the state filter's options aside).
    assert f"草稿 {draft.reference} 已放弃" in html
    assert "已撤回" not in html.replace('<option value="withdrawn">已撤回</option>', "")
    assert "废弃的意向" not in html and "保留的意向" in html  # gone from the default list
    draft.refresh_from_db()
    assert draft.state == "withdrawn" and draft.is_discarded_draft  # the record and its log stay
    assert draft.log.filter(action="withdraw", details__discarded_draft=True).exists()
    from notifications.models import OutboundEmail

    assert not OutboundEmail.objects.filter(application=draft, event="withdraw").exists()  # nothing to tell
    assert "废弃的意向" in owner.get("/portal/?state=withdrawn").content.decode()
    detail = owner.get(f"/portal/applications/{draft.pk}/").content.decode()
    assert "草稿已放弃" in detail and "提交申请后将显示各个环节" not in detail


def test_withdrawing_a_submitted_case_still_asks_for_the_reason(users, in_review):
    app = in_review()
    owner = portal_client(users.enterprise)
    page = owner.get(f"/portal/applications/{app.pk}/").content.decode()
    assert 'name="reason"' in _section(page, 'aria-labelledby="withdraw-title"')
    owner.post(f"/portal/applications/{app.pk}/withdraw/", {"version": app.version})
    app.refresh_from_db()
    assert app.state == "review"
    owner.post(f"/portal/applications/{app.pk}/withdraw/", {"version": app.version, "reason": "产品调整"})
    app.refresh_from_db()
    assert app.state == "withdrawn" and not app.is_discarded_draft
    assert app.reference in owner.get("/portal/").content.decode()  # a withdrawn filing stays listed


# --- W1: the look-up's column of dates -----------------------------------------------------
def test_lookup_milestones_column_is_a_date(in_review):
    app = in_review()
    html = Client().post("/portal/lookup/", {"reference": app.reference,
                                           "credit_code": app.enterprise.credit_code}).content.decode()
    assert "办结日期" in html and "办结数" not in html
    assert Application.objects.filter(pk=app.pk).exists()


def test_the_national_review_is_handled_by_the_national_centre(users, make_application):
    """Our department only records the national review's outcome: the enterprise is told who
    actually reviews (W11)."""
    app = make_application(device_class="III")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    national = stage_of(app, "national_review")
    page = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()
    card = page.split('id="stage-national_review-title"')[1].split("</dl>")[0]
    assert "国家药品监督管理局医疗器械技术审评中心" in card
    if national.department:
        assert national.department.name not in card


def _national_outcome(users, make_application, outcome):
    app = make_application(device_class="III", category="active")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector, received_on=MONDAY,
                         today=MONDAY)
    kw = {"reference": "国械注准20263010001"} if outcome == "approve" else {"note": "国家局不予注册"}
    workflow.stage_complete(stage=stage_of(app, "national_review"), actor=users.acceptance, outcome=outcome,
                            today=MONDAY, **kw)
    if app.state == "review":
        workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, outcome="passed",
                                note="通过", today=MONDAY)
    return app


@pytest.mark.parametrize("outcome", ["approve", "refuse"])
def test_a_national_decision_is_not_promised_as_a_notice_below(users, make_application, outcome):
    """A Class III registration is approved or refused by the NMPA: the case page must not point
    to a notice of this office that does not exist (B8)."""
    app = _national_outcome(users, make_application, outcome)
    assert app.state == ("approved" if outcome == "approve" else "refused")
    assert not app.notices.filter(kind__in=["approval", "refusal"]).exists()
    page = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()
    said = {"approve": "注册证 国械注准20263010001 由国家药品监督管理局核发，请按其通知领取",
            "refuse": "国家药品监督管理局已作出不予注册的决定"}[outcome]
    assert said in page
    assert "下方的准予注册通知书" not in page and "下方的决定书" not in page
