"""The Content-Security-Policy header does not break the pages people use: the portal
(with htmx), the admin and the Swagger UI load, run their scripts and report no CSP violation."""

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _watch(page):
    """Collect CSP violations the page reports (the browser fires an event for each)."""
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_portal_admin_and_api_docs_work_under_the_policy(browser_run, users, in_review):
    app = in_review()

    def steps(page):
        violations = _watch(page)
        response = page.goto("/portal/login/")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.get_by_label("用户名").fill(users.enterprise.username)
        page.get_by_label("密码").fill("pw")
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/portal/")
        # htmx is loaded and live: the filter form swaps the list in place.
        assert page.evaluate("typeof window.htmx") == "object"
        page.goto(f"/portal/applications/{app.pk}/")
        shot(page, "csp-portal-case")
        page.context.clear_cookies()

        page.goto("/admin/login/")
        page.locator("#id_username").fill(users.supervisor.username)
        page.locator("#id_password").fill("pw")
        page.locator("input[type=submit]").click()
        page.wait_for_url("**/admin/")
        page.goto(f"/admin/review/application/{app.pk}/change/")
        shot(page, "csp-admin-case")
        assert page.evaluate("typeof window.django") == "object"  # the admin's own scripts ran

        page.goto("/api/docs/")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        page.wait_for_selector(".opblock", timeout=15_000)
        shot(page, "csp-swagger-ui")
        return violations

    violations = browser_run(steps, kind="desktop")
    assert violations == []
