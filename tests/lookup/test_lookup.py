"""The public progress look-up: milestones only, the same "not found" for a wrong pair as for a
missing case, rate-limited per client (page and API share the count), in the OpenAPI schema."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from services import workflow
from tests.conftest import MONDAY, stage_of


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case(users, reviewing):
    app = reviewing()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="内部调整：张三休假")
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["内部备注不应公开的条目"], note="审评员内部意见", today=MONDAY)
    return app


def _api(client, **params):
    return client.get("/api/v1/lookup/", params)


def test_the_pair_gives_milestones_and_nothing_internal(case, users):
    response = _api(Client(), reference=case.reference, credit_code=case.enterprise.credit_code.lower())
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == case.reference and body["state"] == "review"
    assert body["accepted_on"] == MONDAY.isoformat()
    kinds = [m["kind"] for m in body["milestones"]]
    assert kinds[0] == "acceptance" and "technical_review" in kinds and "decision" in kinds
    accepted = body["milestones"][0]
    assert accepted["state"] == "done" and accepted["finished_on"] == MONDAY.isoformat()
    raw = json.dumps(body, ensure_ascii=False)
    for secret in ("张三", "内部备注", "审评员内部意见", users.reviewer.username, users.acceptance.username,
                   case.enterprise.name, "assignee", "note", "items", "reason"):
        assert secret not in raw, secret
    page = Client().post("/portal/lookup/", {"reference": case.reference,
                                            "credit_code": case.enterprise.credit_code})
    html = page.content.decode()
    assert page.status_code == 200 and case.reference in html and case.product_name in html
    for secret in ("张三", "内部备注", "审评员内部意见", users.reviewer.username):
        assert secret not in html, secret


def test_wrong_pairs_and_missing_cases_look_the_same(case, users, make_application):
    draft = make_application()  # an intent not yet filed is not public either
    other = users.other_enterprise.enterprise.credit_code
    answers = [
        _api(Client(), reference=case.reference, credit_code=other),
        _api(Client(), reference="CQ209900001", credit_code=case.enterprise.credit_code),
        _api(Client(), reference=draft.reference, credit_code=case.enterprise.credit_code),
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    pages = [Client().post("/portal/lookup/", {"reference": r, "credit_code": c}) for r, c in
             ((case.reference, other), ("CQ209900001", case.enterprise.credit_code))]
    assert {p.status_code for p in pages} == {404}
    bodies = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", p.content.decode())
              .replace("CQ209900001", case.reference).replace(other, "CODE")
              .replace(case.enterprise.credit_code, "CODE") for p in pages}
    assert len(bodies) == 1


def test_missing_parameters_are_named(db):
    body = _api(Client(), reference="", credit_code="x").json()
    assert body["field"] == "reference"
    assert _api(Client(), reference="CQ1").json()["field"] == "credit_code"
    assert Client().post("/portal/lookup/", {"reference": "CQ1", "credit_code": "123"}).status_code == 400


def test_rate_limited_per_client_page_and_api_together(case, settings):
    settings.LOOKUP_RATE = "3/hour"
    params = {"reference": case.reference, "credit_code": case.enterprise.credit_code}
    me, someone_else = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.9")
    assert _api(me, **params).status_code == 200
    assert me.post("/portal/lookup/", params).status_code == 200
    assert _api(me, **params).status_code == 200
    limited = _api(me, **params)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["code"] == "throttled"
    page = me.post("/portal/lookup/", params)
    assert page.status_code == 429 and case.product_name not in page.content.decode()
    assert me.get("/portal/lookup/").status_code == 200  # the empty form is not a look-up
    assert _api(someone_else, **params).status_code == 200


def test_in_the_schema_without_login(db):
    import yaml

    schema = yaml.safe_load(Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi").content)
    op = schema["paths"]["/api/v1/lookup/"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"reference", "credit_code"}
    assert {"200", "400", "404", "429"} <= set(op["responses"])
    assert op.get("security", []) in ([], [{}])


# Redis on a port where nothing listens: the real client, a real refused connection.
REDIS_DOWN = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}


def test_the_look_up_is_unavailable_when_the_cache_is_down_and_nothing_else_is(case, settings, caplog):
    """The rate limit's counts live in Redis. docs/security.md#when-redis-is-down: the look-up's limit, the only
    guard against walking acceptance numbers, fails closed (503 saying so, never a 500 and never
    unlimited); signed-in and other routes fail open (the outage is logged)."""
    settings.CACHES = REDIS_DOWN
    from django.core.cache import cache as down
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        down.get("anything")  # the cache really is unreachable
    with caplog.at_level("ERROR", logger="web.throttles"):
        api = _api(Client(headers={"accept-language": "zh-hans"}), reference=case.reference,
                   credit_code=case.enterprise.credit_code)
        page = Client(headers={"accept-language": "zh-hans"}).post(
            "/portal/lookup/", {"reference": case.reference, "credit_code": case.enterprise.credit_code})
        anonymous = Client().get("/api/v1/applications/")
        calendar = Client().get("/api/v1/calendar/add-working-days", {"start": "2026-03-02", "days": 1})
    assert api.status_code == 503 and api.json()["code"] == "unavailable"
    assert page.status_code == 503 and "暂时无法查询" in page.content.decode()
    assert anonymous.status_code in (401, 403)  # refused for want of a login, not a 500
    assert calendar.status_code == 200  # the calendar's limit fails open
    assert "rate limit lookup could not be checked" in caplog.text
    assert "rate limit anon not applied" in caplog.text
