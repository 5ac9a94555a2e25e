"""The list's query parameters: a value the API does not understand is a 400 naming the parameter,
never silently ignored."""

import pytest

from tests.case_fixtures import token_client

LIST = "/api/v1/applications/"


@pytest.mark.parametrize("value", ["maybe", "是", "yes", "2", "1", "0", "TRUE", "True", "FALSE"])
def test_overdue_other_than_true_or_false_is_a_400(users, make_application, value):
    make_application()
    response = token_client(users.enterprise).get(LIST, {"overdue": value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", "overdue")
    assert body["detail"] == f"overdue: 只能是 true 或 false（不填则列出全部案件），“{value}”两者都不是。"


def test_overdue_in_english(users, make_application):
    response = token_client(users.enterprise).get(LIST, {"overdue": "maybe"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "overdue: Use true or false (or leave it out for every case); “maybe” is neither.")


@pytest.mark.parametrize("value", ["true", "false", ""])
def test_overdue_true_false_or_blank_is_accepted(users, make_application, value):
    app = make_application()  # a draft: never overdue
    response = token_client(users.enterprise).get(LIST, {"overdue": value})
    assert response.status_code == 200
    refs = {item["reference"] for item in response.json()["results"]}
    assert refs == (set() if value == "true" else {app.reference})


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_page_number_is_a_400(users, make_application, value):
    make_application()
    response = token_client(users.enterprise).get(LIST, {"page": value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", "page")
    assert body["detail"] == f"page: 请填写页码：从 1 开始的整数（或“last”），“{value}”不是页码。"


def test_a_page_past_the_end_stays_404_and_last_works(users, make_application):
    app = make_application()
    client = token_client(users.enterprise)
    assert client.get(LIST, {"page": 2}).status_code == 404
    response = client.get(LIST, {"page": "last"})
    assert response.status_code == 200 and response.json()["results"][0]["reference"] == app.reference


def test_a_page_past_the_end_names_page_and_how_many_there_are(users, make_application):
    """Before: ``{"detail": "无效页面。"}``, naming neither the parameter nor the pages there are."""
    for _ in range(3):
        make_application()
    client = token_client(users.enterprise)
    response = client.get(LIST, {"page": 5, "page_size": 2})
    assert response.status_code == 404
    body = response.json()
    assert (body["code"], body["field"], body["pages"]) == ("not_found", "page", 2)
    assert body["detail"] == "page: 没有第 5 页：按每页 2 条共 2 页，请填写 1 到 2 之间的页码（或“last”）。"
    english = client.get(LIST, {"page": 3}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"] == ("page: there is no page 3; the list has 1 page of 20. Ask for a page "
                                 "from 1 to 1 (or “last”).")


def test_the_log_past_its_last_page_says_the_same(users, make_application):
    app = make_application()
    client = token_client(users.enterprise)
    body = client.get(f"/api/v1/applications/{app.pk}/log/", {"page": 9}).json()
    assert body["field"] == "page" and "共 1 页" in body["detail"]


def test_the_log_pages_the_same_way(users, make_application):
    app = make_application()
    response = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/log/", {"page": "abc"})
    assert response.status_code == 400 and response.json()["field"] == "page"


@pytest.mark.parametrize("value", ["abc", "0", "-5", "2.5"])
def test_a_page_size_that_is_not_a_whole_number_is_a_400(users, make_application, value):
    make_application()
    response = token_client(users.enterprise).get(LIST, {"page_size": value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", "page_size")
    assert body["detail"] == f"page_size: 请填写每页条数：1 到 100 之间的整数，“{value}”不是。"


def test_a_page_size_above_the_maximum_is_cut_to_100(users, make_application):
    for _ in range(3):
        make_application()
    response = token_client(users.enterprise).get(LIST, {"page_size": 500})
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    assert token_client(users.enterprise).get(LIST, {"page_size": 2}).json()["results"].__len__() == 2


def test_an_unknown_state_lists_the_states_with_their_names(users, make_application):
    """Before: "“bogus”不是可选项，请从列表中选择。", with no list an integration could read."""
    make_application()
    response = token_client(users.enterprise).get(LIST, {"state": ["review", "bogus"]})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", "state")
    assert body["detail"].startswith("state: “bogus”不是可选项，可选值：draft（")
    assert "、review（审评）、" in body["detail"] and body["detail"].endswith("）。")
    english = token_client(users.enterprise).get(LIST, {"device_class": "IV"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"] == ("device_class: “IV” is not one of the choices; use one of: II (Class II), "
                                 "III (Class III).")
