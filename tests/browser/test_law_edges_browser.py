"""the staff's browser: a renewal filed late is flagged on the case page with its
article, and the form offers the refusal with its reason. Screenshot: test-artifacts/late-renewal-zh.png."""

import datetime as dt

import pytest
from django.utils import timezone

from review.models import Certificate
from services import workflow
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_late_renewal_is_flagged_on_the_staff_case_page(browser_run, users):
    today = timezone.localdate()
    owner = workflow.application_create(enterprise=users.enterprise_obj, product_name="医用外科口罩",
                                        device_class="II", category="passive", application_type="first",
                                        actor=users.enterprise)
    Certificate.objects.create(application=owner, enterprise=users.enterprise_obj, kind="registration",
                               number="渝械注准20222140077", product_name="医用外科口罩",
                               issued_on=today - dt.timedelta(days=1700), expires_on=today + dt.timedelta(days=90))
    app = workflow.application_create(enterprise=users.enterprise_obj, product_name="医用外科口罩",
                                      device_class="II", category="passive", application_type="renewal",
                                      actor=users.enterprise)
    workflow.application_submit(application=app, actor=users.enterprise)

    def steps(page):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"/admin/login/?next=/admin/review/application/{app.pk}/change/")
        page.locator("#id_username").fill(users.acceptance.username)
        page.locator("#id_password").fill("pw")
        page.locator("input[type=submit]").click()
        page.wait_for_selector("#renewal-filed-late")
        flag = page.locator("#renewal-filed-late").inner_text()
        body = page.locator("body").inner_text()
        shot(page, "late-renewal-zh")
        return flag, body, page.locator("#decide-by").count()

    flag, body, decide_by = browser_run(steps, kind="desktop")
    assert "第47号令第82条、第83条第（一）项" in flag and "不适用视为准予延续" in flag
    assert decide_by == 0  # no "decide before": a late renewal is never deemed granted
    assert "不予延续注册" in body  # the refusal's reason, offered with the form
