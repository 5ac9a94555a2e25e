"""The next step is where the case goes: a draft names the first phase its route will run, and the
message after submission says where it went (a complex product to the pre-submission service,
not "the acceptance clock is running")."""

import pytest

from tests.case_fixtures import portal_client


@pytest.mark.parametrize(("attrs", "says", "never"), [
    ({"complex_product": True}, "前置服务", "检验所"),
    ({"key_project": True}, "前置服务", "检验所"),
    ({"needs_testing": True}, "检验所", "前置服务"),
    ({"needs_testing": False}, "5 个工作日", "前置服务"),
])
def test_a_drafts_next_step_names_the_first_phase_of_its_route(users, make_application, attrs, says, never):
    app = make_application(**attrs)
    html = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()
    section = html[html.index('id="next-step"'):]
    section = section[:section.index("</section>")]
    assert says in section and never not in section, section


def test_submitting_a_complex_product_says_it_went_to_the_pre_submission_service(users, make_application):
    app = make_application(complex_product=True)
    client = portal_client(users.enterprise)
    response = client.post(f"/portal/applications/{app.pk}/submit/", {"version": app.version}, follow=True)
    html = response.content.decode()
    app.refresh_from_db()
    assert app.state == "presubmission"
    assert f"申请 {app.reference} 已提交。首先进入前置服务" in html
    assert "受理计时已开始" not in html
