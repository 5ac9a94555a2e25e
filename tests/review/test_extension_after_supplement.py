"""An extension granted before a supplement no longer applies once the answer restarts the
clock (Order 47 Art. 92: the budget starts afresh): the case page, the portal and the API say so
instead of listing it as if it still added to the limits."""

import pytest
from django.test import Client

from review.models import ClockStop, extensions_in_force
from review.selectors import calendar_current
from services import documents, workflow
from tests.case_fixtures import PDF, token_client, upload, uploads  # noqa: F401
from tests.conftest import MONDAY, stage_of

pytestmark = pytest.mark.django_db


def test_an_extension_before_a_supplement_no_longer_applies(users, reviewing, uploads):  # noqa: F811
    cal = calendar_current()
    app = reviewing()
    workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor, days=2,
                          reason="专家意见分歧，需补充论证", today=cal.add_working_days(MONDAY, 5))
    assert [e.applies for e in extensions_in_force(stage_of(app, "technical_review"))] == [True]
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["检验方法"], today=cal.add_working_days(MONDAY, 10))
    stop = ClockStop.objects.get(stage=stage_of(app, "technical_review"), ended_on__isnull=True)
    documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充检验方法。",
                                files=[upload("检验方法.pdf", PDF, "application/pdf")],
                                today=cal.add_working_days(MONDAY, 20))
    review = stage_of(app, "technical_review")
    assert review.extension_days == 0  # the new budget has no extension
    [ext] = extensions_in_force(review)
    assert ext.applies is False

    staff = Client()
    staff.force_login(users.supervisor)
    page = staff.get(f"/admin/review/application/{app.pk}/change/").content.decode()
    assert "补正前批准，补正后重新计算时限，不再适用" in page
    portal = Client()
    portal.force_login(users.enterprise)
    assert "不再适用" in portal.get(f"/portal/applications/{app.pk}/").content.decode()
    stages = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/stages/").json()
    [api_ext] = next(s for s in stages if s["kind"] == "technical_review")["extensions"]
    assert api_ext["applies"] is False
