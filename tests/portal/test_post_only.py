"""A button's address opened with GET (B7): the session expired under a form, the login's ``next``
is the button's address, and after signing in the browser GETs it. Back to the page with the
button and a message; never a bare 405, and nothing is run by a GET."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from review.models import TransitionLog
from tests.case_fixtures import portal_client


def _snapshot(app):
    app.refresh_from_db()
    return app.state, app.version, TransitionLog.objects.filter(application=app).count()


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_submit_after_the_session_expired_goes_back_to_the_case(users, make_application):
    draft = make_application()
    before = _snapshot(draft)
    submit = reverse("portal:application-submit", args=[draft.pk])
    client = Client()  # the session has expired: the button's POST meets the login page
    response = client.post(submit, {"version": draft.version})
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
    assert "next=" in response["Location"]
    signed_in = client.post(response["Location"], {"username": users.enterprise.username, "password": "pw"})
    assert signed_in["Location"] == submit  # where the browser goes next, with a GET
    back = client.get(submit)
    assert back.status_code == 302 and back["Location"] == reverse("portal:application", args=[draft.pk])
    assert _snapshot(draft) == before  # a GET ran nothing
    page = client.get(back["Location"]).content.decode()
    assert "尚未提交" in page and "请核对后再次点击“提交申请”" in page


def test_withdraw_by_get_does_nothing_and_says_so(users, make_application):
    draft = make_application()
    before = _snapshot(draft)
    url = reverse("portal:application-withdraw", args=[draft.pk])
    response = portal_client(users.enterprise).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("portal:application", args=[draft.pk])
    assert _snapshot(draft) == before
    assert any("尚未撤回" in m for m in _messages(response))


def test_another_enterprises_case_is_still_a_404(users, make_application):
    draft = make_application()
    for name in ("portal:application-submit", "portal:application-withdraw"):
        assert portal_client(users.other_enterprise).get(reverse(name, args=[draft.pk])).status_code == 404


def test_other_methods_are_still_405(users, make_application):
    draft = make_application()
    client = portal_client(users.enterprise)
    assert client.put(reverse("portal:application-submit", args=[draft.pk])).status_code == 405
    assert client.delete(reverse("portal:application-withdraw", args=[draft.pk])).status_code == 405


@pytest.fixture
def staff(users):
    client = Client()
    client.force_login(users.supervisor)
    return client


def test_admin_action_by_get_goes_back_to_the_actions(users, staff, in_review):
    app = in_review()
    before = _snapshot(app)
    for action in ("reassign", "terminate", "suspend", "no-such-action"):
        response = staff.get(reverse("admin:review_application_act", args=[app.pk, action]))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:review_application_change", args=[app.pk]) + "#actions"
    assert _snapshot(app) == before
    response = staff.get(reverse("admin:review_application_act", args=[app.pk, "terminate"]), follow=True)
    assert "未执行任何操作（可能是登录已过期）" in response.content.decode()
    head = staff.head(reverse("admin:review_application_act", args=[app.pk, "terminate"]))
    assert head.status_code == 302
    assert staff.put(reverse("admin:review_application_act", args=[app.pk, "terminate"])).status_code == 405
    other = portal_client(users.supervisor)
    assert other.get(reverse("admin:review_application_act", args=[999999, "terminate"])).status_code == 404


def test_admin_action_after_the_session_expired(users, in_review):
    app = in_review()
    act = reverse("admin:review_application_act", args=[app.pk, "terminate"])
    client = Client()
    response = client.post(act, {"reason": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    users.supervisor.set_password("pw-supervisor-1")
    users.supervisor.save()
    signed_in = client.post(response["Location"], {"username": users.supervisor.username,
                                                   "password": "pw-supervisor-1", "next": act})
    assert signed_in["Location"] == act
    back = client.get(act)
    assert back["Location"].endswith("#actions")
    assert _snapshot(app)[0] != "terminated"


def test_notice_preview_by_get_goes_back_to_the_case(users, staff, in_review):
    app = in_review()
    url = reverse("notice-preview", args=[app.pk, "request_supplement"])
    response = staff.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:review_application_change", args=[app.pk]) + "#actions"
    assert any("预览文书" in m for m in _messages(response))


def test_admin_sign_out_by_get_signs_nobody_out(staff):
    response = staff.get("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert staff.get(reverse("admin:index")).status_code == 200
    assert staff.post("/admin/logout/").status_code == 302  # the POST still signs out
    assert staff.get(reverse("admin:index")).status_code == 302
