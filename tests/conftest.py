import datetime as dt
import os

import pytest

from review.selectors import calendar_cache_clear
from services import workflow
from tests.factories import EnterpriseFactory, user_with_role

# CI must not pass by skipping. Under .ci/run (REVIEW_REQUIRE_SERVICES=1, or CI=true)
# the PostgreSQL, Redis and browser tests are required: a test that skips there (a service
# missing, SQLite instead of PostgreSQL, no Chromium) is reported as a failure, with its reason.
# Locally they still skip, saying why.
SERVICES_REQUIRED = (os.environ.get("REVIEW_REQUIRE_SERVICES") == "1"
                     or os.environ.get("CI", "").lower() == "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if SERVICES_REQUIRED and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"SKIPPED WHERE REQUIRED: under .ci/run every test runs on PostgreSQL, Redis "
                           f"and Chromium, so a skip is a failure: {reason}")


def pytest_report_header(config):
    if SERVICES_REQUIRED:
        return "services required: a skipped test fails (REVIEW_REQUIRE_SERVICES=1 or CI=true)"
    return "services optional: tests needing PostgreSQL, Redis or Chromium skip when those are missing"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test sees the calendar of its own database (tests may load or edit years)."""
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def users(db):
    """One user per role; the enterprise user belongs to ``users.enterprise``."""

    class Users:
        pass

    u = Users()
    u.enterprise_obj = EnterpriseFactory()
    for role in ("acceptance", "reviewer", "inspector", "tester", "approver", "supervisor",
                 "director", "sysadmin"):
        setattr(u, role, user_with_role(role))
    u.enterprise = user_with_role("enterprise", enterprise=u.enterprise_obj)
    u.other_enterprise = user_with_role("enterprise")
    u.officer = user_with_role("officer", district=u.enterprise_obj.district)
    return u


MONDAY = dt.date(2026, 3, 2)  # an ordinary working Monday, far from holidays


@pytest.fixture
def make_application(users):
    """A draft application of ``users.enterprise_obj``; keyword arguments override attributes."""

    def make(**kwargs):
        defaults = {
            "enterprise": users.enterprise_obj, "product_name": "一次性使用无菌注射器",
            "device_class": "II", "category": "passive", "application_type": "first",
            "actor": users.enterprise, "today": MONDAY,
        }
        defaults.update(kwargs)
        return workflow.application_create(**defaults)

    return make


def stage_of(application, kind):
    """A fresh copy of the case's stage of that kind.

    Services work on their own locked copies, so a stage fetched before a command is stale after
    it; tests re-read. Fetched through the case so ``stage.application`` is that very instance.
    """
    return application.stages.get(kind=kind)


def log_of(application, *, action=None):
    """The case's transition log as ``(action, stage kind or "", from, to)`` tuples, oldest first."""
    from review.models import TransitionLog

    qs = TransitionLog.objects.filter(application=application).select_related("stage").order_by("id")
    if action:
        qs = qs.filter(action=action)
    return [(r.action, r.stage.kind if r.stage else "", r.from_state, r.to_state) for r in qs]


@pytest.fixture
def english():
    """Messages in English, so assertions on their text survive a Chinese catalogue."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def reviewing(users, make_application):
    """A Class II first registration submitted and accepted on ``on``: technical review and QMS
    verification are running from that day (the Chongqing pack binds it)."""

    def make(on=MONDAY, **kwargs):
        app = make_application(today=on, **kwargs)
        workflow.application_submit(application=app, actor=users.enterprise, today=on)
        workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                outcome="accepted", today=on)
        assert app.state == "review"
        return app

    return make
