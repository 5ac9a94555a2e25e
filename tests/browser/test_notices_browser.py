"""Notices, look-up and next step (docs/notices.md) in a real browser, in Chinese and in English
(screenshots in test-artifacts/): the staff preview of a notice before it is issued, the public
look-up, and the case page with its next step and its notices."""

import pytest

from notices.models import Notice
from services import workflow
from tests.browser.conftest import shot
from tests.case_fixtures import working_day
from tests.conftest import stage_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOCALES = [("zh", "zh-CN"), ("en", "en-US")]


def sign_in(page, username):
    page.goto("/portal/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/portal/")


@pytest.mark.parametrize(("lang", "locale"), LOCALES)
def test_staff_preview_a_supplement_notice_before_issuing(browser_run, users, in_review, lang, locale):
    app = in_review()
    stage = stage_of(app, "technical_review")

    def steps(page):
        sign_in(page, users.reviewer.username)
        page.goto(f"/admin/review/application/{app.pk}/change/")
        box = page.locator(f"details[data-action='request_supplement']:has(input[name=stage][value='{stage.pk}'])")
        box.locator("summary").click()
        box.locator("textarea[name=items]").fill(
            "1. 产品技术要求中性能指标的检验方法\n2、临床评价资料中的同品种比对数据")
        box.locator("textarea[name=note]").fill("请一次性提交")
        with page.context.expect_page() as popup:
            box.locator("button[name=format]").click()
        preview = popup.value
        preview.wait_for_load_state()
        text = preview.locator("article.sheet").inner_text()
        shot(preview, f"20-notice-preview-{lang}")
        bar = preview.locator(".bar").inner_text()
        return text, bar

    text, bar = browser_run(steps, kind="desktop", locale=locale)
    assert "补正通知书" in text and "预览件" in text and "1.\n" not in text
    assert "产品技术要求中性能指标的检验方法" in text and "（共 2 项）" in text
    assert ("预览" in bar) if lang == "zh" else ("Preview: not issued" in bar)
    assert not Notice.objects.filter(kind="supplement").exists()  # a preview issues nothing


@pytest.mark.parametrize(("lang", "locale"), LOCALES)
def test_public_lookup(browser_run, users, in_review, lang, locale):
    app = in_review()
    reference, credit_code = app.reference, app.enterprise.credit_code  # read here, not in the browser thread

    def steps(page):
        page.goto("/portal/lookup/")
        page.locator("#id_reference").fill(reference)
        page.locator("#id_credit_code").fill(credit_code)
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector("#lookup-result")
        shot(page, f"21-lookup-{lang}")
        # Each stage name on one line (it wrapped a character a line, "注/册/检/验", on a phone).
        wrapped = page.evaluate("""() => [...document.querySelectorAll('table.milestones tbody th')]
            .filter(th => th.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(th).lineHeight))
            .map(th => th.textContent)""")
        return (page.locator("#lookup-result").inner_text(), page.locator("html").get_attribute("lang"),
                wrapped, page.evaluate("document.documentElement.scrollWidth"))

    text, html_lang, wrapped, width = browser_run(steps, kind="phone", locale=locale)
    assert wrapped == [] and width <= 400  # the table scrolls in its box, not the page
    assert app.reference in text and users.reviewer.username not in text
    assert html_lang == ("zh-Hans" if lang == "zh" else "en")
    assert ("技术审评" in text) if lang == "zh" else ("Technical review" in text)


@pytest.mark.parametrize(("lang", "locale"), LOCALES)
def test_case_page_with_next_step_and_notices(browser_run, users, in_review, lang, locale):
    app = in_review()
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["检验方法", "说明书"], today=working_day(0))

    def steps(page):
        sign_in(page, users.enterprise.username)
        page.goto(f"/portal/applications/{app.pk}/")
        shot(page, f"22-case-next-step-{lang}")
        return page.locator("#next-step").inner_text(), page.locator("#notices").inner_text()

    next_step, notices = browser_run(steps, kind="desktop", locale=locale)
    assert "受理通知书" in notices and "补正通知书" in notices
    if lang == "zh":
        assert "请于" in next_step and "补正" in next_step
    else:
        assert "Answer the supplement request by" in next_step
