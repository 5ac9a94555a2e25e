"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (CI installs Debian's package in
.ci/run). Tests are skipped, saying why, only when that binary is missing. Screenshots go to
test-artifacts/ (gitignored).

Playwright runs in a thread of its own. Its sync API drives an event loop from greenlets, and in
the test's thread that swaps the context Django keeps its database connections in, so the
transactional tests' serialized rollback (which restores the groups, routes and calendar the
migrations seeded) would find nothing to restore. Test bodies hand their browser steps to that
thread (``browser_run``) and check the database themselves, in the test's thread.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.case_fixtures import case_with_requests, in_review, uploads  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class BrowserThread:
    """One thread owning Playwright and Chromium; every browser call runs there."""

    def __init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self.executor.submit(self._start).result()

    def _start(self):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

    def _stop(self):
        self.browser.close()
        self.playwright.stop()

    def close(self):
        self.executor.submit(self._stop).result()
        self.executor.shutdown()

    def run(self, steps, *, base_url, kind="phone", locale="zh-CN"):
        def job():
            context = self.browser.new_context(base_url=base_url, locale=locale,
                                               **(PHONE if kind == "phone" else DESKTOP))
            context.set_default_timeout(15_000)
            try:
                return steps(context.new_page())
            finally:
                context.close()

        return self.executor.submit(job).result()


@pytest.fixture(scope="session")
def browser_thread():
    thread = BrowserThread()
    yield thread
    thread.close()


@pytest.fixture
def browser_run(browser_thread, live_server):
    """``browser_run(steps, kind="phone"|"desktop")``: run ``steps(page)`` in a fresh browser
    context on the live server (Chinese by default) and return what it returns."""

    def run(steps, **kwargs):
        return browser_thread.run(steps, base_url=live_server.url, **kwargs)

    return run


def shot(page, name):
    """Save a full-page screenshot as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
