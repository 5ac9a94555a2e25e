"""The portal says what to do next in every state, with the estimated completion date; drafts are
edited and discarded before submission; withdraw is a button; supplement items are numbered once;
the language follows the browser until the user chooses; error pages keep the portal's layout."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from clock import sla
from clock.calendar import WorkingCalendar
from review.models import Application, Office
from review.next_step import estimate_completion
from services import workflow
from tests.case_fixtures import portal_client, working_day
from tests.conftest import stage_of


def _page(user, app, **headers) -> str:
    response = portal_client(user).get(f"/portal/applications/{app.pk}/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def _next_step(html: str) -> str:
    start = html.index('id="next-step"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def english_browser():
    return {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_every_state_says_what_to_do(users, make_application, in_review, english_browser):
    users.enterprise.language = "en"
    users.enterprise.save()
    draft = make_application(needs_testing=True)
    assert "registration testing comes next" in _next_step(_page(users.enterprise, draft))

    plain = make_application()
    assert "submit it when the dossier is ready" in _next_step(_page(users.enterprise, plain))

    testing = make_application(needs_testing=True)
    workflow.application_submit(application=testing, actor=users.enterprise, today=working_day(-1))
    assert "Send the samples to the testing centre" in _next_step(_page(users.enterprise, testing))

    accepting = make_application()
    workflow.application_submit(application=accepting, actor=users.enterprise, today=working_day(-1))
    text = _next_step(_page(users.enterprise, accepting))
    assert "checking your dossier for completeness: nothing for you to do until" in text
    assert "Estimated completion:" in text

    workflow.stage_notify_missing_items(stage=stage_of(accepting, "acceptance"), actor=users.acceptance,
                                        items=["营业执照副本"], today=working_day(0))
    assert "Supply the missing items listed in the one-time notice" in _next_step(_page(users.enterprise, accepting))

    reviewing = in_review()
    text = _next_step(_page(users.enterprise, reviewing))
    review_due = min(s.target_due or s.statutory_due for s in reviewing.stages.filter(state="running")
                     if s.target_due or s.statutory_due)  # the nearest date of the running branches
    assert f"The office is reviewing: nothing for you to do until {review_due.isoformat()}" in text
    assert "Estimated completion:" in text and "(within the statutory limits)" in text

    stop = workflow.stage_request_supplement(stage=stage_of(reviewing, "technical_review"), actor=users.reviewer,
                                             items=["检验方法"], today=working_day(0))
    text = _next_step(_page(users.enterprise, reviewing))
    assert f"Answer the supplement request by {stop.applicant_deadline.isoformat()}" in text
    assert "Estimated completion" not in text  # it depends on the answer

    rect = in_review()
    workflow.stage_request_rectification(stage=stage_of(rect, "qms_verification"), actor=users.inspector,
                                         items=["压差记录"], today=working_day(0))
    assert "Rectify the defects listed in the rectification notice" in _next_step(_page(users.enterprise, rect))

    refused = in_review()
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"}),
                            ("decision", users.approver, {"outcome": "refuse", "note": "资料不足"})):
        workflow.stage_complete(stage=stage_of(refused, kind), actor=actor, today=working_day(0), **kw)
    text = _next_step(_page(users.enterprise, refused))
    assert "reconsideration within 60 days, or a lawsuit within 6 months" in text

    approved = in_review()
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"}),
                            ("decision", users.approver, {"outcome": "approve", "note": "准予"})):
        workflow.stage_complete(stage=stage_of(approved, kind), actor=actor, today=working_day(0), **kw)
    assert "the office is issuing the certificate, by" in _next_step(_page(users.enterprise, approved))
    workflow.stage_complete(stage=stage_of(approved, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140009", today=working_day(0))
    html = _page(users.enterprise, approved)
    assert "Collect your certificate 渝械注准20262140009" in _next_step(html) and "Approval notice" in html

    suspended = in_review()
    workflow.application_suspend(application=suspended, actor=users.supervisor, reason="核查", today=working_day(0))
    assert "The case is suspended" in _next_step(_page(users.enterprise, suspended))
    workflow.application_terminate(application=suspended, actor=users.supervisor, reason="企业注销",
                                   today=working_day(0))
    assert "terminated on" in _next_step(_page(users.enterprise, suspended))

    workflow.application_withdraw(application=plain, actor=users.enterprise, reason="不再申请")
    assert "Draft discarded on" in _next_step(_page(users.enterprise, plain))  # never submitted

    workflow.application_withdraw(application=accepting, actor=users.enterprise, reason="不再申请")
    assert "Withdrawn on" in _next_step(_page(users.enterprise, accepting))


def test_next_step_in_chinese_with_the_contact_and_no_staff_names(users, in_review, settings):
    Office.objects.filter(is_default=True).update(contact_department="医疗器械注册处", contact_phone="023-1234 5678",
                                                  address="", contact_hours="")
    app = in_review()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer)
    text = _next_step(_page(users.enterprise, app))
    assert "审评中" in text
    assert "医疗器械注册处；电话 023-1234 5678" in text
    assert users.reviewer.username not in text


def test_estimate_walks_the_remaining_route_and_flags_provisional_years():
    cal = WorkingCalendar(holidays=frozenset(), workdays=frozenset(), official_years=frozenset({2026}))
    today = dt.date(2026, 11, 2)  # a Monday

    def view(kind, phase, state, target_due=None, statutory_due=None):
        stage = SimpleNamespace(kind=kind, phase=phase, state=state, target_due=target_due,
                                statutory_due=statutory_due, target_days=None, statutory_days=None, consumed_days=0)
        return SimpleNamespace(stage=stage, open_pause=None)

    views = [
        view("acceptance", 1, "done"),
        view("technical_review", 2, "running", target_due=dt.date(2026, 11, 16), statutory_due=dt.date(2026, 12, 14)),
        view("qms_verification", 2, "running"),
        view("decision", 3, "pending"),
        view("issuance", 4, "pending"),
    ]
    limits = {"decision": sla.Limits(statutory_days=20), "issuance": sla.Limits(statutory_days=10, target_days=5)}
    est = estimate_completion(views, today=today, cal=cal, limits_for=lambda k: limits[k])
    # target: 10 WD left on the review, then 20 (decision: no target, the statutory days) and 5.
    assert est.by_target == cal.add_working_days(today, 10 + 20 + 5) == dt.date(2026, 12, 21)
    # statutory: 30 WD left on the review, then 20 and 10 -> lands in 2027, whose calendar is not out.
    assert est.by_statutory == cal.add_working_days(today, 30 + 20 + 10) == dt.date(2027, 1, 25)
    assert est.provisional is True
    views[1].open_pause = SimpleNamespace(reason="supplement")
    assert estimate_completion(views, today=today, cal=cal, limits_for=lambda k: limits[k]) is None


def test_submitting_an_intent_that_needs_testing_says_testing_comes_next(users, make_application):
    app = make_application(needs_testing=True)
    client = portal_client(users.enterprise)
    response = client.post(f"/portal/applications/{app.pk}/submit/", {"version": app.version}, follow=True)
    html = response.content.decode()
    assert "注册检验" in html and "检验所" in html
    assert "受理时限已开始计算" not in html
    app.refresh_from_db()
    assert app.state == "testing"


def test_draft_is_edited_then_discarded_before_submission(users, make_application):
    app = make_application(product_name="旧名称")
    route_before = app.route_id
    owner = portal_client(users.enterprise)
    page = owner.get(f"/portal/applications/{app.pk}/").content.decode()
    assert f"/portal/applications/{app.pk}/edit/" in page and "data-confirm=" in page
    form = {"product_name": "新名称", "device_class": "III", "category": "active", "application_type": "first",
            "pathway": "standard", "needs_testing": "on", "version": app.version}
    assert owner.post(f"/portal/applications/{app.pk}/edit/", form).status_code == 302
    app.refresh_from_db()
    assert (app.product_name, app.device_class, app.category, app.needs_testing) == ("新名称", "III", "active", True)
    assert app.route_id != route_before  # the route is chosen again (Class III)
    stale = owner.post(f"/portal/applications/{app.pk}/edit/", {**form, "product_name": "过期"})
    assert stale.status_code == 400 and "Reload" not in stale.content.decode()  # Chinese message
    assert portal_client(users.other_enterprise).get(f"/portal/applications/{app.pk}/edit/").status_code == 404
    assert portal_client(users.officer).get(f"/portal/applications/{app.pk}/edit/").status_code == 403

    response = owner.post(f"/portal/applications/{app.pk}/withdraw/", {"version": app.version, "reason": "重复登记"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "withdrawn"
    # A filed or closed case is not editable.
    again = owner.post(f"/portal/applications/{app.pk}/edit/", {**form, "version": app.version}, follow=True)
    assert "只有草稿可以修改" in again.content.decode()
    assert Application.objects.get(pk=app.pk).product_name == "新名称"


def test_withdraw_button_on_an_open_case(users, in_review):
    app = in_review()
    owner = portal_client(users.enterprise)
    assert f"/portal/applications/{app.pk}/withdraw/" in owner.get(f"/portal/applications/{app.pk}/").content.decode()
    missing_reason = owner.post(f"/portal/applications/{app.pk}/withdraw/", {"version": app.version}, follow=True)
    assert "撤回" in missing_reason.content.decode()
    app.refresh_from_db()
    assert app.state == "review"
    assert portal_client(users.officer).post(f"/portal/applications/{app.pk}/withdraw/",
                                             {"version": app.version, "reason": "x"}).status_code == 403
    assert portal_client(users.other_enterprise).post(f"/portal/applications/{app.pk}/withdraw/",
                                                      {"version": app.version, "reason": "x"}).status_code == 404
    owner.post(f"/portal/applications/{app.pk}/withdraw/", {"version": app.version, "reason": "产品调整"})
    app.refresh_from_db()
    assert app.state == "withdrawn"
    page = owner.get(f"/portal/applications/{app.pk}/").content.decode()
    assert f"/portal/applications/{app.pk}/withdraw/" not in page


def test_supplement_items_are_numbered_once(users, in_review):
    app = in_review()
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["1. 检验方法", "（2）说明书", "③标签"], today=working_day(0))
    html = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/requests/{stop.pk}/").content.decode()
    assert "<li>检验方法</li>" in html and "<li>说明书</li>" in html and "<li>标签</li>" in html
    assert "补正通知书" in html  # the official notice of this request


def test_language_follows_the_browser_until_the_user_chooses(users, in_review):
    app = in_review()
    assert users.enterprise.language == ""
    client = portal_client(users.enterprise)
    english = client.get(f"/portal/applications/{app.pk}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in english and "Timeline of the stages" in english
    chinese = client.get(f"/portal/applications/{app.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in chinese
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/portal/"}, HTTP_ACCEPT_LANGUAGE="en")
    users.enterprise.refresh_from_db()
    assert users.enterprise.language == "zh-hans"
    fresh = portal_client(users.enterprise)  # another device, an English browser: the choice wins
    page = fresh.get(f"/portal/applications/{app.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert Client().get("/portal/lookup/", HTTP_ACCEPT_LANGUAGE="en").content.decode().count("Progress look-up") >= 1


def test_error_pages_keep_the_portal_layout_and_a_way_back(users, in_review, settings):
    app = in_review()
    missing = portal_client(users.other_enterprise).get(f"/portal/applications/{app.pk}/")
    html = missing.content.decode()
    assert missing.status_code == 404 and "找不到该页面" in html and 'href="/portal/"' in html
    assert 'class="site-header"' in html and "favicon.svg" in html
    forbidden = portal_client(users.officer).post(f"/portal/applications/{app.pk}/submit/", {"version": 1})
    assert forbidden.status_code == 403 and "无权" in forbidden.content.decode()
    from django.template.loader import render_to_string

    assert "返回门户" in render_to_string("500.html")  # rendered without a request, as Django does
    icon = Client().get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("portal/favicon.svg")
