"""The staff case list fits a 1366 px screen, in Chinese and in English: every column,
the deadline badge included, is in view without scrolling sideways, and a date stays whole.
Screenshots: test-artifacts/admin-case-list-{zh,en}.png."""

import pytest

from review.models import Stage
from tests.browser.conftest import shot
from tests.case_fixtures import working_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COLUMNS = ["reference", "product_display", "enterprise", "device_class", "application_type",
           "state_display", "deadline_display", "updated_on"]


def _list_steps(username):
    def steps(page):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto("/admin/login/?next=/admin/review/application/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill("pw")
        page.locator("input[type=submit]").click()
        page.wait_for_url("**/admin/review/application/")
        results = page.locator("#changelist .results")
        widths = results.evaluate("e => [e.scrollWidth, e.clientWidth]")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        right_edges = {c: page.locator(f"#result_list thead th.column-{c}").evaluate(
            "e => e.getBoundingClientRect().right") for c in COLUMNS}
        # The longest badge ("Statutory limit passed") and its date: the date is on one line.
        day = page.locator("#result_list td.field-deadline_display .day").first
        day_lines = day.evaluate("e => e.getClientRects().length")
        shot(page, f"admin-case-list-{'en' if 'Select' in page.title() else 'zh'}")
        return widths, page_width, right_edges, day_lines

    return steps


def test_case_list_fits_1366_px_in_chinese_and_english(browser_run, users, in_review):
    for name in ("输液泵（含配套一次性使用输液管路及专用电源适配器）", "Pulse oximeter with finger clip"):
        in_review(product_name=name)
    late = in_review(product_name="一次性使用无菌注射器")
    # Its review is past the statutory limit: the longest badge the list shows.
    Stage.objects.filter(application=late, kind="technical_review").update(
        target_due=working_day(-3), statutory_due=working_day(-1))
    for language in ("zh-hans", "en"):
        users.supervisor.language = language
        users.supervisor.save(update_fields=["language"])
        (scroll, client), page_width, edges, day_lines = browser_run(
            _list_steps(users.supervisor.username), kind="desktop")
        assert page_width <= 1366, (language, page_width)
        assert scroll <= client, (language, scroll, client)  # no column hidden behind a scrollbar
        assert all(right <= 1366 for right in edges.values()), (language, edges)
        assert day_lines == 1, language


def test_policy_pack_page_fits_1366_px(browser_run, users):
    """Its nineteen rules were a table of thirteen columns, 2,040 px wide; each rule is now a block
    whose source is read whole."""
    from review.models import PolicyPack

    pack = PolicyPack.objects.get(code="cn-statutory")

    def steps(page):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"/admin/login/?next=/admin/review/policypack/{pack.pk}/change/")
        page.locator("#id_username").fill(users.sysadmin.username)
        page.locator("#id_password").fill("pw")
        page.locator("input[type=submit]").click()
        page.wait_for_url("**/change/")
        shot(page, "admin-policy-pack")
        clipped = page.evaluate("""() => [...document.querySelectorAll('textarea[name$="-source"]')]
            .filter(e => e.scrollHeight > e.clientHeight + 1).length""")
        rules = page.locator('textarea[name$="-source"]:not([name*="__prefix__"])').count()
        return page.evaluate("document.documentElement.scrollWidth"), clipped, rules

    width, clipped, sources = browser_run(steps, kind="desktop")
    assert width <= 1366 and clipped == 0
    assert sources == pack.rules.count() > 10
