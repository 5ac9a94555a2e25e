"""The public service guide (办事指南) in a real browser, signed out, in Chinese and in English."""

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_guide_in_chinese_without_signing_in(browser_run):
    def steps(page):
        page.goto("/portal/login/")
        page.locator("main").get_by_role("link", name="办事指南").click()
        page.wait_for_url("**/portal/guide/")
        assert page.locator("nav.main-nav a[aria-current=page]").inner_text() == "办事指南"
        page.locator("#id_jurisdiction").select_option("CQ")
        page.locator("#id_category").select_option("active")
        page.locator("#id_key_project").check()
        page.locator("#id_with_licence").check()
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/portal/guide/?*")
        assert "key_project=true" in page.url
        # the page's own data link asks the API for the same profile, unticked boxes as false
        api = page.locator("a[href^='/api/v1/service-guide/']").get_attribute("href")
        assert "key_project=true" in api and "complex_product=false" in api
        kinds = page.locator("article.guide-stage").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds[0] == "presubmission" and "merged_inspection" in kinds
        assert kinds.index("testing") < kinds.index("acceptance") < kinds.index("technical_review")
        testing = page.locator("article[data-kind=testing]")
        assert "90 个工作日" in testing.locator("[data-limit=target]").inner_text()  # Chongqing item 19
        presub = page.locator("article[data-kind=presubmission]")
        assert presub.locator("[data-limit=statutory]").inner_text() == "无法定时限"
        text = page.locator("main").inner_text()
        assert "法定办结时限" in text and "承诺办结时限" in text and "申请人需办理事项" in text
        shot(page, "guide-zh-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        shot(page, "guide-zh-desktop")

    browser_run(steps, kind="phone")


def test_guide_in_english_and_a_bad_link_explained(browser_run):
    from review.models import PolicyPack

    # A Shanghai pack still in force (the shipped one ran to 2023-12-31: tests/api/test_service_guide.py).
    PolicyPack.objects.filter(code="sh-2021").update(effective_until=None)

    def steps(page):
        page.goto("/portal/guide/?jurisdiction=SH&device_class=II&category=ivd&application_type=renewal")
        page.locator("#lang-select").select_option("en")
        page.locator("form.lang-form button").click()
        page.wait_for_selector("html[lang=en]")
        assert "jurisdiction=SH" in page.url
        kinds = page.locator("article.guide-stage").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds == ["acceptance", "technical_review", "decision", "issuance"]
        review = page.locator("article[data-kind=technical_review]")
        assert "30 working days" in review.locator("[data-limit=target]").inner_text()  # Shanghai: 50 % of 60
        assert "60 working days" in review.locator("[data-limit=statutory]").inner_text()
        assert "Statutory time limit" in page.locator("main").inner_text()
        shot(page, "guide-en-desktop")

        response = page.goto("/portal/guide/?jurisdiction=CQ&device_class=II&category=passive"
                             "&application_type=first&key_project=yes")
        assert response.status == 400
        alert = page.locator("[role=alert]").inner_text()
        assert "Key project" in alert and "true or false" in alert
        shot(page, "guide-en-error")

    browser_run(steps, kind="desktop", locale="en-GB")
