"""review.citations: the Order 48 table is the one place its numbers live, and article numbers are
printed as the orders print them (read in the texts, docs/regulatory-basis.md#checked)."""

import pytest

from notices import content
from review.citations import ORDER_48, ORDER_48_ARTICLES, for_category, zh_article


@pytest.mark.parametrize(("number", "printed"), [
    (11, "第十一条"), (17, "第十七条"), (53, "第五十三条"), (91, "第九十一条"), (100, "第一百条"),
    (101, "第一百零一条"), (115, "第一百一十五条"), (124, "第一百二十四条"),  # as Order 47 prints them
])
def test_article_numbers_are_printed_as_the_orders_print_them(number, printed):
    assert zh_article(number) == printed


def test_the_notices_read_the_order_48_numbers_from_the_one_table():
    assert content.ACCEPTANCE_ARTICLES["48"] == zh_article(ORDER_48_ARTICLES[53])
    assert content.SUPPLEMENT_ARTICLES["48"] == zh_article(ORDER_48_ARTICLES[54])
    assert content.ORDER_48 == ORDER_48


def test_the_hand_over_article_has_no_order_48_number_and_is_cited_by_the_title_only():
    # Order 47 Art. 91 has no Order 48 counterpart on record: the IVD basis names the order alone.
    source = "《医疗器械注册与备案管理办法》（国家市场监督管理总局令第47号）第91条：自受理之日起3个工作日内移交技术审评"
    assert for_category(source, "ivd") == f"{ORDER_48}：自受理之日起3个工作日内移交技术审评"
    assert 91 not in ORDER_48_ARTICLES
