"""Two-character search words (血糖, 导管): the same cases as ``icontains``, found on PostgreSQL
through the bigram GIN indexes of migration ``search_bigram_indexes`` instead of a scan."""

import pytest
from django.db import connection

from review.models import Application
from review.selectors_cases import application_search
from tests.factories import EnterpriseFactory, user_with_role

PRODUCTS = ["血糖测试条", "血压计", "糖化血红蛋白检测试剂盒", "一次性使用无菌注射器", "AB-Scan 超声诊断仪",
            "医用导管", "血糖仪"]
WORDS = ["血糖", "糖血", "红蛋", "导管", "ab", "Ab", "sc", "器械", "仪", "血糖仪", "科技", "不存在的词"]


@pytest.fixture
def cases(users, make_application):
    sugar = EnterpriseFactory(name="重庆糖安科技有限公司")
    apps = [make_application(product_name=name) for name in PRODUCTS]
    apps.append(make_application(product_name="电子血压计", enterprise=sugar,
                                 actor=user_with_role("enterprise", enterprise=sugar)))
    return apps


def _expected(word: str) -> set[int]:
    """Plain Python: the reference, the product or the enterprise's name or code contains the word."""
    w = word.upper()
    return {a.pk for a in Application.objects.select_related("enterprise")
            if any(w in text.upper() for text in (a.reference, a.product_name, a.enterprise.name,
                                                  a.enterprise.credit_code))}


def test_two_character_words_find_exactly_the_cases_containing_them(cases):
    assert {a.pk for a in application_search(Application.objects.all(), "血糖")} == {cases[0].pk, cases[6].pk}
    assert not application_search(Application.objects.all(), "糖血").exists()  # both characters, not side by side
    for word in WORDS:
        found = {a.pk for a in application_search(Application.objects.all(), word)}
        assert found == _expected(word), word
    # Several words: each must match somewhere (the enterprise's name counts).
    assert {a.pk for a in application_search(Application.objects.all(), "糖安 血压")} == {cases[-1].pk}


def test_two_character_words_use_the_bigram_indexes(cases):
    if connection.vendor != "postgresql":
        indexes = {name for name, in connection.cursor().execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review_application'")}
        assert not any("bigram" in name for name in indexes)  # the PostgreSQL step is a no-op
        return
    sql, params = application_search(Application.objects.order_by(), "血糖").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'review_enterprise'")
        enterprise_indexes = {r[0] for r in cur.fetchall()}
    assert "Bitmap Index Scan on application_product_bigram" in plan, plan
    assert "Bitmap Index Scan on application_reference_bigram" in plan, plan
    assert {"enterprise_name_bigram", "enterprise_credit_code_bigram"} <= enterprise_indexes
