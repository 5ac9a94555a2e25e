"""The public service guide page (/portal/guide/): no login, both languages, both limits in words,
defaults labelled, errors explained next to the field's name, linked from navigation and sign-in."""

import datetime as dt
import re
from datetime import date

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from services.guide import GuideStage
from tests.case_fixtures import portal_client

URL = "/portal/guide/"
CQ_II = {"jurisdiction": "CQ", "device_class": "II", "category": "passive", "application_type": "first"}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def kinds(response) -> list[str]:
    return re.findall(r'data-kind="([a-z_]+)"', response.content.decode())


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_the_guide_needs_no_login_and_shows_a_default_profile(db):
    response = Client().get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "法定办结时限" in page and "承诺办结时限" in page and "设定依据" in page and "申请人需办理事项" in page
    assert kinds(response)[:2] == ["testing", "acceptance"]  # needs_testing ticked for a first registration
    assert 'name="needs_testing" value="true"' in response.content.decode()


def test_stages_in_order_with_both_limits_and_no_limit_in_words(db):
    response = Client().get(URL, {**CQ_II, "key_project": "true", "with_licence": "true"})
    order = kinds(response)
    assert order[0] == "presubmission" and "merged_inspection" in order
    assert order.index("acceptance") < order.index("technical_review") < order.index("decision")
    page = text(response)
    assert "无法定时限" in page  # the pre-submission service: said in words, not left blank
    assert "40 个工作日" in page and "60 个工作日" in page  # Chongqing item 19; Order 47 Art. 92
    assert "第 1 步" in page and "同步办理" in page


def test_an_unticked_box_is_false(db):
    response = Client().get(URL, {**CQ_II})  # a submitted form without needs_testing
    assert "testing" not in kinds(response)


def test_english(db):
    with time_machine.travel(dt.datetime(2023, 6, 1, 10), tick=False):  # Shanghai's plan ran to 2023
        response = Client().get(URL, {**CQ_II, "jurisdiction": "SH"}, HTTP_ACCEPT_LANGUAGE="en")
    page = text(response)
    assert "Statutory time limit" in page and "Promised time limit" in page and "What you do" in page
    assert "Class II · First registration" in page
    assert "30 working days" in page  # Shanghai: technical review 50 % below 60 WD


def test_an_ended_pack_is_named_and_the_statutory_limits_shown(db):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10), tick=False):
        response = Client().get(URL, {**CQ_II, "jurisdiction": "SH"}, HTTP_ACCEPT_LANGUAGE="en")
    page = text(response)
    assert "ran until 2023-12-31" in page and "national statutory limits are shown" in page


def test_a_bad_value_is_a_400_naming_the_field_in_the_users_language(db):
    response = Client().get(URL, {**CQ_II, "key_project": "yes"})
    assert response.status_code == 400
    page = text(response)
    assert "重点项目（前置服务）" in page and "true 或 false" in page
    assert "key_project：" not in page  # the page names the field by its label


def test_a_jurisdiction_without_a_pack_in_force_is_named(db):
    with time_machine.travel(dt.datetime(2024, 6, 3, 10, 0, tzinfo=dt.UTC), tick=False):
        response = Client().get(URL, CQ_II)
    assert response.status_code == 404
    assert "重庆（CQ）" in text(response)


def test_linked_from_sign_in_and_navigation(users):
    assert 'href="/portal/guide/"' in Client().get("/portal/login/").content.decode()
    page = portal_client(users.enterprise).get("/portal/").content.decode()
    nav = page.split('class="wrap main-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/portal/guide/"' in nav


def test_the_page_and_the_api_show_the_same_numbers(db):
    profile = {**CQ_II, "category": "ivd", "needs_testing": "true"}
    api = Client().get("/api/v1/service-guide/", profile).json()
    page = Client().get(URL, profile).content.decode()
    assert kinds_in_order(page) == [s["kind"] for s in api["stages"]]
    testing = next(s for s in api["stages"] if s["kind"] == "testing")
    assert testing["target_days"] == 30  # Chongqing item 19: IVD 45 -> 30
    assert f"{testing['target_days']} 个工作日" in section(page, "testing")


def kinds_in_order(page: str) -> list[str]:
    return re.findall(r'data-kind="([a-z_]+)"', page)


def section(page: str, kind: str) -> str:
    return page.split(f'data-kind="{kind}"', 1)[1].split("</article>", 1)[0]


def test_a_default_target_and_a_baseline_are_labelled():
    """The template's wording for numbers that are not law (read from the pack by the service)."""
    stage = GuideStage(kind="presubmission", name="前置服务", phase=1, target_days=10, statutory_days=None,
                       baseline_days=60, target_is_default=True, statutory_reference=False,
                       counted_from="stage", basis="", applicant_task="…")
    with translation.override("zh-hans"):
        html = render_to_string("portal/guide.html", {
            "guide": type("G", (), {"stages": [stage], "pack": None, "today": date(2026, 3, 2)})(),
            "steps": [{"number": 1, "stages": [stage]}], "form": None})
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "默认值，无政策依据" in html and "原平均 60 个工作日" in html
    assert "无法定时限" in html and "本时限政策包未作规定" in html


def test_query_budget(db, django_assert_max_num_queries):
    # the pack in force (1: the jurisdiction has one), the route (1) and its steps (1), the pack's
    # rules (1), its parent (1) and the parent's rules (1); an anonymous visit touches no session
    with django_assert_max_num_queries(6):
        assert Client().get(URL, CQ_II).status_code == 200


def test_the_review_limit_is_labelled_as_counted_from_the_hand_over(db):
    # Order 47 Arts. 91, 92 (docs/regulatory-basis.md#o47-91): the statutory 60 WD count from the
    # hand-over, at the latest 3 WD after acceptance; the basis names Art. 91 first.
    response = Client().get(URL, {**CQ_II})
    html = response.content.decode()
    review = html[html.index('data-kind="technical_review"'):]
    review = review[:review.index("</article>")]
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", review))
    assert "（自移交技术审评之日起计算，移交最迟在受理后3个工作日）" in page
    assert "第47号）第91条：自受理之日起3个工作日内移交技术审评" in page
    acceptance = html[html.index('data-kind="acceptance"'):]
    assert "data-handover" not in acceptance[:acceptance.index("</article>")]
