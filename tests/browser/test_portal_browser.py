"""The portal in a real browser: sign in, my applications, the case timeline, answering a
supplement with uploaded documents, registering and submitting an intent, filters and language.

The browser steps run in the Playwright thread (see conftest.py); the database is checked here.
"""

import pytest

from review.models import Application, ClockStop, SupplementDocument
from tests.browser.conftest import shot
from tests.case_fixtures import PDF, PNG
from tests.conftest import stage_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username):
    page.goto("/portal/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/portal/")


def test_enterprise_follows_its_case_and_answers_the_supplement(browser_run, users, case_with_requests, tmp_path):
    app, _answered, open_stop, _doc = case_with_requests
    kinds = list(app.stages.values_list("kind", flat=True))
    (tmp_path / "检验方法.pdf").write_bytes(PDF)
    (tmp_path / "比对照片.png").write_bytes(PNG)

    def steps(page):
        page.goto("/portal/")
        assert "/portal/login/" in page.url
        shot(page, "01-login-phone")
        sign_in(page, users.enterprise.username)
        # The page heading stands clear of the blue header (it sat flush against it).
        header_bottom = page.locator("header").first.evaluate("e => e.getBoundingClientRect().bottom")
        h1_top = page.locator("main h1").first.evaluate("e => e.getBoundingClientRect().top")
        assert h1_top - header_bottom >= 12, (header_bottom, h1_top)
        card = page.locator(".case-card", has_text=app.reference)
        assert card.locator("[role=progressbar]").get_attribute("aria-valuenow") == "20"
        assert open_stop.applicant_deadline.isoformat() in card.inner_text()
        shot(page, "02-my-applications-phone")

        card.get_by_role("link", name=app.product_name).click()
        page.wait_for_url(f"**/portal/applications/{app.pk}/")
        timeline = page.locator("ol.timeline")
        for kind in kinds:
            assert timeline.locator(f"#stage-{kind}").count() == 1, kind
        assert page.locator("#stage-technical_review .badge-paused").count() == 1
        assert page.locator("#stage-acceptance time").first.is_visible()
        shot(page, "03-case-timeline-phone")

        page.locator(f"a[href='/portal/applications/{app.pk}/requests/{open_stop.pk}/']").first.click()
        page.wait_for_url(f"**/requests/{open_stop.pk}/")
        assert page.locator("ol.items li").all_inner_texts() == open_stop.items
        shot(page, "04-supplement-request-phone")

        page.locator("#id_response").fill("1. 已补充检验方法\n2. 已补充同品种比对数据")
        page.locator("#id_files").set_input_files([str(tmp_path / "检验方法.pdf"), str(tmp_path / "比对照片.png")])
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/portal/applications/{app.pk}/")
        assert page.locator(".message.success").is_visible()
        shot(page, "05-answered-phone")

    browser_run(steps, kind="phone")
    stop = ClockStop.objects.get(pk=open_stop.pk)
    assert stop.ended_on is not None and stop.response.startswith("1. 已补充检验方法")
    assert sorted(SupplementDocument.objects.filter(clock_stop=stop).values_list("original_name", flat=True)) == [
        "检验方法.pdf", "比对照片.png"]
    assert stage_of(app, "technical_review").state == "running"


def test_a_disguised_upload_is_refused_next_to_the_field(browser_run, users, case_with_requests, tmp_path):
    app, _answered, open_stop, _doc = case_with_requests
    (tmp_path / "报告.pdf").write_bytes(b"MZ this is a program, not a PDF")

    def steps(page):
        sign_in(page, users.enterprise.username)
        page.goto(f"/portal/applications/{app.pk}/requests/{open_stop.pk}/")
        page.locator("#id_response").fill("已补充")
        page.locator("#id_files").set_input_files(str(tmp_path / "报告.pdf"))
        page.locator("main form button[type=submit]").click()
        error = page.locator("#id_files_error")
        assert "报告.pdf" in error.inner_text()
        assert page.locator("#id_files").get_attribute("aria-describedby").startswith("id_files_error")
        assert page.locator("#id_response").input_value() == "已补充"  # what was typed is kept
        shot(page, "06-refused-upload-desktop")

    browser_run(steps, kind="desktop")
    assert ClockStop.objects.get(pk=open_stop.pk).ended_on is None


def test_enterprise_registers_and_submits_an_intent(browser_run, users):
    def steps(page):
        sign_in(page, users.enterprise.username)
        page.locator("nav.main-nav a[href='/portal/intents/new/']").click()
        page.wait_for_url("**/portal/intents/new/")
        page.locator("main form button[type=submit]").click()  # nothing filled in
        assert page.locator("#id_product_name_error").is_visible()
        shot(page, "07-intent-errors-desktop")
        page.locator("#id_product_name").fill("智能输液泵")
        page.locator("label[for='id_device_class_0']").click()
        page.locator("label[for='id_category_1']").click()
        page.locator("#id_application_type").select_option("first")
        page.locator("label[for='id_complex_product']").click()
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/portal/applications/*/")
        assert page.locator(".state-draft").count() == 1
        shot(page, "08-intent-draft-desktop")
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        # Told after the portal's own submit handler (document level) has run: was the form stopped?
        page.evaluate("() => window.addEventListener('submit', e => { window.submitWas = "
                      "e.defaultPrevented ? 'cancelled' : 'sent'; })")
        draft_url = page.url
        page.locator("form[action$='/submit/'] button").click()  # submit asks first
        settled = page.wait_for_function("() => window.submitWas").json_value()
        assert asked and settled == "cancelled"
        assert page.url == draft_url and page.locator(".state-draft").count() == 1  # still a draft
        page.once("dialog", lambda d: d.accept())
        page.locator("form[action$='/submit/'] button").click()
        # A complex product is offered the pre-submission service first (Chongqing plan item 8).
        page.wait_for_selector("#stage-presubmission.is-running")
        shot(page, "09-submitted-desktop")

    browser_run(steps, kind="desktop")
    app = Application.objects.get(product_name="智能输液泵")
    assert (app.state, app.category, app.complex_product, app.enterprise) == (
        "presubmission", "active", True, users.enterprise_obj)


def test_officer_filters_the_districts_cases_and_switches_to_english(browser_run, users, in_review,
                                                                   make_application):
    app = in_review()
    draft = make_application(product_name="家用制氧机")

    def steps(page):
        sign_in(page, users.officer.username)
        assert page.locator(".case-card", has_text=app.reference).count() == 1
        assert page.locator("a[href='/portal/intents/new/']").count() == 0  # read-only
        page.locator("details.filters summary").click()
        page.locator("#id_progress").select_option("intent")  # htmx swaps the list in place
        page.wait_for_function("ref => !document.querySelector('#results').textContent.includes(ref)",
                               arg=app.reference)
        assert draft.reference in page.locator("#results").inner_text()
        assert "progress=intent" in page.url
        shot(page, "10-officer-filtered-desktop")
        page.locator("#lang-select").select_option("en")
        page.locator("form.lang-form button").click()
        page.wait_for_selector("html[lang=en]")
        shot(page, "11-officer-english-desktop")

    browser_run(steps, kind="desktop")
    users.officer.refresh_from_db()
    assert users.officer.language == "en"
