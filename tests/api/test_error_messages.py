"""Errors the walkthrough found in English or without the fix: a body that is not JSON, a
multipart body that cannot be read, and the rate limit (docs/api.md, "Errors")."""

import pytest
from django.core.cache import cache

from review.models import Application
from tests.case_fixtures import token_client

INTENTS = "/api/v1/intents/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _post(client, body, content_type="application/json", **extra):
    return client.generic("POST", INTENTS, body, content_type=content_type, **extra)


def test_malformed_json_is_a_translated_parse_error_with_its_position(users):
    """Before: "JSON parse error - Expecting property name enclosed in double quotes: line 1
    column 2 (char 1)", English in a Chinese answer."""
    response = _post(token_client(users.enterprise), '{\n  "product_name": "心电监护仪",\n  device_class: "II"}')
    assert response.status_code == 400
    body = response.json()
    assert body == {"code": "parse_error",
                    "detail": "JSON 请求体：第 3 行第 3 列不是有效的 JSON；请发送一个包含文档所列字段的 JSON 对象，"
                              "字段名和字符串用英文双引号，例如 {\"version\": 3}。"}
    assert not Application.objects.exists()
    english = _post(token_client(users.enterprise), "{", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"].startswith("JSON body: not valid JSON at line 1, column 2; send one JSON object")


@pytest.mark.parametrize(("raw", "words"), [(b'{"product_name": "\xff"}', "不是 UTF-8 文本"),
                                            (b'{"version": NaN}', "NaN 和 Infinity")])
def test_other_unreadable_json_is_said_in_chinese(users, raw, words):
    body = _post(token_client(users.enterprise), raw).json()
    assert body["code"] == "parse_error" and words in body["detail"] and "JSON parse error" not in body["detail"]


def test_an_unreadable_multipart_body_is_said_in_chinese(users):
    response = _post(token_client(users.enterprise), b"--x\r\nnot a part", "multipart/form-data; boundary=")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "parse_error"
    assert body["detail"].startswith("multipart 请求体无法读取") and "Multipart form parse error" not in body["detail"]


def test_the_rate_limit_is_said_in_minutes_in_the_products_words(users, settings):
    """Before: "请求已被限流。 预计 3583 秒后可用。" (DRF's words, a stray space, seconds)."""
    settings.LOOKUP_RATE = "1/hour"
    settings.API_THROTTLE_RATES = {"anon": "1/min", "user": "600/min"}
    params = {"reference": "CQ209900001", "credit_code": "91500000MA5U000000"}
    client = token_client(users.enterprise)
    assert client.get("/api/v1/lookup/", params).status_code == 404
    limited = client.get("/api/v1/lookup/", params)
    assert limited.status_code == 429 and 3500 < int(limited["Retry-After"]) <= 3600
    assert limited.json() == {"code": "throttled", "detail": "请求过于频繁，请 60 分钟后再试。"}
    english = client.get("/api/v1/lookup/", params, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"] == "Too many requests. Try again in 60 minutes."
    calendar = "/api/v1/calendar/add-working-days?start=2026-03-02&days=5"
    anonymous = token_client(users.enterprise).__class__()
    assert anonymous.get(calendar).status_code == 200
    minute = anonymous.get(calendar, HTTP_ACCEPT_LANGUAGE="en")
    assert minute.status_code == 429 and minute.json()["detail"] == "Too many requests. Try again in 1 minute."
