"""The public look-up after the walkthrough: a passed date is said to be passed and is never the
"next date"; the form posts (no credit code in the address); only a well-formed look-up counts
towards the limit; the milestones table fits a phone."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from services import documents, workflow
from tests.case_fixtures import PDF, token_client, upload
from tests.conftest import stage_of

URL = "/portal/lookup/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _pair(app):
    return {"reference": app.reference, "credit_code": app.enterprise.credit_code}


@pytest.fixture
def one_late_one_restarted(users, in_review):
    """The walkthrough's case: technical review and QMS verification run in parallel; the review's
    clock restarted after a supplement (a fresh 60 WD), QMS verification is past its target."""
    app = in_review()
    stop = workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                             items=["检验报告"])
    documents.supplement_answer(clock_stop=stop, actor=users.enterprise, response="已补充",
                                files=[upload("a.pdf", PDF)])
    qms, review = stage_of(app, "qms_verification"), stage_of(app, "technical_review")
    assert qms.state == review.state == "running"
    later = qms.target_due + dt.timedelta(days=10)
    assert review.target_due > later and (qms.statutory_due is None or qms.statutory_due > later)
    return app, qms, review, later


def _on(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC), tick=False)


def test_a_passed_target_is_labelled_and_the_next_date_is_the_one_ahead(users, one_late_one_restarted):
    app, qms, review, later = one_late_one_restarted
    with _on(later):
        page = Client().post(URL, _pair(app))
        api = Client().get("/api/v1/lookup/", _pair(app)).json()
        detail = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/").json()
    body = text(page)
    assert page.status_code == 200
    # Before: "下一个时间节点 <QMS target>", a date in the past, with nothing saying it had passed.
    assert f"下一个时间节点 {review.target_due.isoformat()}" in body
    assert f"下一个时间节点 {qms.target_due.isoformat()}" not in body
    assert f"已超时限的环节 体系核查 {qms.target_due.isoformat()} 已超目标时限" in body
    row = page.content.decode().split('<tr class="is-running"><th scope="row">体系核查</th>')[1]
    assert "已超目标时限" in row.split("</tr>")[0]
    # The API says the same: the next date ahead, the passed one marked on its milestone.
    assert api["next_date"] == review.target_due.isoformat() and api["late"] == "overdue"
    marked = {m["kind"]: m["late"] for m in api["milestones"]}
    assert marked["qms_verification"] == "overdue" and marked["technical_review"] is None
    # The case API: next_target_due is the earliest running target, passed or not (why the case
    # is overdue); next_date is the nearest date still ahead, as the portal shows.
    assert detail["next_target_due"] == qms.target_due.isoformat() and detail["overdue"] is True
    assert detail["next_date"]["date"] == review.target_due.isoformat()


def test_nothing_late_shows_no_late_label(users, in_review):
    app = in_review()
    page = Client().post(URL, _pair(app))
    assert page.status_code == 200 and "已超" not in text(page)
    assert Client().get("/api/v1/lookup/", _pair(app)).json()["late"] is None


def _look(client, **data):
    return client.post(URL, data)


def test_only_well_formed_look_ups_count_towards_the_limit(users, in_review, settings):
    """Before: empty and invalid forms used up the 20 an hour, so a mistyping user was told
    "查询次数过多" after a few corrections. They cannot query the database, so they do not count."""
    settings.LOOKUP_RATE = "2/hour"
    app = in_review()
    me = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        assert _look(me, reference="", credit_code="").status_code == 400
        assert _look(me, reference=app.reference, credit_code="91500000").status_code == 400
        assert me.get("/api/v1/lookup/", {"reference": app.reference, "credit_code": "915"}).status_code == 400
        assert me.get("/api/v1/lookup/", {"reference": "", "credit_code": "x"}).status_code == 400
    assert _look(me, **_pair(app)).status_code == 200
    assert _look(me, reference="CQ209900001", credit_code=app.enterprise.credit_code).status_code == 404
    # well-formed look-ups still count, found or not, page and API together (enumeration)
    limited = _look(me, **_pair(app))
    assert limited.status_code == 429 and "请 60 分钟后再试" in text(limited)
    assert me.get("/api/v1/lookup/", _pair(app)).status_code == 429
    # a mistake while limited is told what is wrong, not to wait
    wrong = _look(me, reference=app.reference, credit_code="123")
    assert wrong.status_code == 400 and "统一社会信用代码应为 18 位，您输入了 3 位。" in text(wrong)


def test_the_api_names_a_credit_code_of_the_wrong_length(db):
    body = Client().get("/api/v1/lookup/", {"reference": "CQ1", "credit_code": "915000"}).json()
    assert body["field"] == "credit_code"
    assert body["detail"] == "credit_code: 统一社会信用代码应为 18 位，您输入了 6 位。"


def test_the_form_posts_so_the_credit_code_stays_out_of_addresses_and_logs(in_review, caplog):
    """Before: ``<form method="get">`` put the credit code in the address, the browser's history
    and every access log on the way."""
    app = in_review()
    empty = Client().get(URL).content.decode()
    form = empty.split('<main')[1].split("</form>")[0]
    assert 'method="post"' in form and 'name="csrfmiddlewaretoken"' in form
    # An old bookmark with the pair in its query string goes to the bare address: nothing looked
    # up, nothing repeated in the page's links.
    old = Client().get(URL, _pair(app), follow=True)
    assert old.redirect_chain == [(URL, 302)] and app.product_name not in old.content.decode()
    assert app.enterprise.credit_code not in old.content.decode()
    with caplog.at_level("WARNING", logger="django.request"):
        missing = Client().post(URL, {"reference": "CQ209900001", "credit_code": app.enterprise.credit_code})
    assert missing.status_code == 404 and "Not Found: /portal/lookup/" in caplog.text
    assert app.enterprise.credit_code not in caplog.text


def test_a_post_without_the_csrf_token_is_refused(in_review):
    app = in_review()
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(URL, _pair(app)).status_code == 403
    page = browser.get(URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    found = browser.post(URL, {**_pair(app), "csrfmiddlewaretoken": token})
    assert found.status_code == 200 and app.product_name in found.content.decode()
