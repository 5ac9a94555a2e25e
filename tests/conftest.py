import datetime as dt

import pytest

from review.selectors import calendar_cache_clear
from services import workflow
from tests.factories import EnterpriseFactory, user_with_role


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
        defaults = dict(
            enterprise=users.enterprise_obj, product_name="一次性使用无菌注射器",
            device_class="II", category="passive", application_type="first", actor=users.enterprise,
            today=MONDAY,
        )
        defaults.update(kwargs)
        return workflow.application_create(**defaults)

    return make
