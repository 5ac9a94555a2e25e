"""The dashboard in a real browser, in Chinese and in English, with screenshots
(test-artifacts/kpi-dashboard-*.png): figures, charts drawn without any CDN, the link into the
admin, and the industry officer's aggregate view on the portal."""

import pytest

from tests.browser.conftest import shot
from tests.kpi.conftest import kpi_cases  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def admin_sign_in(page, username):
    page.goto("/admin/login/?next=/dashboard/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/dashboard/")


# Where each element's text breaks onto a new line: the character indexes that start a line.
LINE_STARTS = """els => els.map(el => {
  const text = el.textContent, range = document.createRange(), starts = [];
  let top = null, i = 0;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let k = 0; k < node.length; k++, i++) {
      range.setStart(node, k); range.setEnd(node, k + 1);
      const r = range.getClientRects()[0];
      if (!r || !text[i].trim()) continue;
      if (top !== null && r.top > top + 4) starts.push(i);
      top = r.top;
    }
  }
  return [text, starts];
})"""

# Overlapping boxes among the legend labels of each chart, and labels drawn outside their chart.
CHART_TEXT = """svgs => svgs.map(svg => {
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
  const outside = texts.filter(([_, r]) => r.left < box.left - 1 || r.right > box.right + 1).map(([t]) => t);
  const legend = texts.filter(([_, r]) => r.top > box.top + box.height * 0.6);
  const overlaps = [];
  for (let a = 0; a < legend.length; a++) for (let b = a + 1; b < legend.length; b++) {
    const [ta, ra] = legend[a], [tb, rb] = legend[b];
    if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom) overlaps.push([ta, tb]);
  }
  return [outside, overlaps];
})"""


def _layout_fits(page, *, chinese):
    """At 1366 px: no chart label overlaps another or is cut off; the page needs no sideways
    scroll; Chinese headings and figures break only between words (before "（", after "）" or
    at a space), never inside one ("当前在/办", "（工/作日）", "1 件超/时")."""
    for outside, overlaps in page.locator("svg.kpi-chart").evaluate_all(CHART_TEXT):
        assert not outside and not overlaps, (outside, overlaps)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    if chinese:
        cells = page.locator("#stage-kinds thead th, #stage-kinds td.rate").evaluate_all(LINE_STARTS)
        for text, starts in cells:
            for i in starts:
                assert text[i - 1] in " ）" or text[i] in "（ ", (text, text[:i], text[i:])


def _dashboard_steps(name, expect_heading):
    def steps(page):
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        admin_sign_in(page, name)
        page.goto("/dashboard/?start=2026-03-01&end=2026-06-30")
        assert page.locator("h1", has_text=expect_heading).is_visible()
        label = "Technical review" if expect_heading == "Performance dashboard" else "技术审评"
        row = page.locator("#stage-kinds tbody tr", has=page.locator("th", has_text=label))
        cells = row.locator("td").all_inner_texts()
        assert cells[4:7] == ["5", "16.2", "31.8"], cells
        assert page.locator("svg.kpi-chart").count() == 3
        assert page.locator("#urgent a[href*='/admin/review/application/']").count() >= 1
        base = page.url.split("/dashboard")[0]
        assert all(u.startswith(base) for u in requests), [u for u in requests if not u.startswith(base)]
        page.set_viewport_size({"width": 1366, "height": 900})
        _layout_fits(page, chinese=expect_heading != "Performance dashboard")
        shot(page, f"kpi-dashboard-{'en' if expect_heading == 'Performance dashboard' else 'zh'}")
        page.locator("#urgent a[href*='/admin/review/application/']").first.click()
        page.wait_for_url("**/admin/review/application/*/change/")
        return True

    return steps


def test_dashboard_in_chinese_and_english(browser_run, users, kpi_cases):  # noqa: F811
    assert browser_run(_dashboard_steps(users.supervisor.username, "绩效看板"), kind="desktop")
    users.supervisor.language = "en"
    users.supervisor.save(update_fields=["language"])
    assert browser_run(_dashboard_steps(users.supervisor.username, "Performance dashboard"), kind="desktop",
                       locale="en-US")


def test_officer_sees_district_figures_on_the_portal(browser_run, users, kpi_cases):  # noqa: F811
    def steps(page):
        page.goto("/portal/login/")
        page.get_by_label("用户名").fill(users.officer.username)
        page.get_by_label("密码").fill("pw")
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/portal/")
        page.get_by_role("link", name="绩效数据").click()
        page.wait_for_url("**/portal/dashboard/")
        page.goto("/portal/dashboard/?start=2026-03-01&end=2026-06-30")
        text = page.locator("main").inner_text()
        assert "16.2" in text and kpi_cases.a.reference not in text
        # The page fits the screen (it was 1,462 px wide at 1366, 1,323 on a phone); a table
        # wider than a phone scrolls in its own box.
        widths = {}
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            widths[width] = page.evaluate("document.documentElement.scrollWidth")
            shot(page, f"kpi-officer-portal-zh-{width}")
        return widths

    assert browser_run(steps, kind="desktop") == {1366: 1366, 390: 390}
