"""Which order an IVD case's legal basis cites: Order 48, with its own article numbers.

Pure text (no Django). In-vitro diagnostic reagents are registered under
《体外诊断试剂注册与备案管理办法》(SAMR Order No. 48), whose limits are those of Order 47 but whose
article numbers differ (docs/regulatory-basis.md). The policy packs' ``source`` strings cite Order 47; for
an IVD case they are rewritten here, article by article, from a table of the Order 48 numbers this
project has on record (docs/regulatory-basis.md#checked: given by the design, not yet checked against
the Order's text, which the stored sources do not hold). An Order 47 article
with no Order 48 number on record is not guessed: the IVD citation names Order 48 by its title only.
"""

from __future__ import annotations

import re

ORDER_47 = "《医疗器械注册与备案管理办法》（国家市场监督管理总局令第47号）"
ORDER_48 = "《体外诊断试剂注册与备案管理办法》（国家市场监督管理总局令第48号）"

# Order 47 article -> Order 48 article, for the provisions the product cites
# (docs/regulatory-basis.md#o48, #checked): acceptance, technical review, supplement, objection, certificate
# numbers.
ORDER_48_ARTICLES = {53: 52, 92: 92, 54: 53, 57: 56, 115: 116}

_ARTICLES_47 = re.compile(re.escape(ORDER_47) + r"((?:第\d+条(?:[、，和及](?=第))?)*)")


def _rewrite(match: re.Match) -> str:
    numbers = [int(n) for n in re.findall(r"第(\d+)条", match.group(1))]
    mapped = [ORDER_48_ARTICLES[n] for n in numbers if n in ORDER_48_ARTICLES]
    return ORDER_48 + "、".join(f"第{n}条" for n in mapped)


_DIGITS = "零一二三四五六七八九"


def zh_article(number: int) -> str:
    """An article number as the orders print it: 11 -> 第十一条, 53 -> 第五十三条, 116 -> 第一百一十六条."""
    def below_100(n: int, *, leading_ten: bool) -> str:
        if n < 10:
            return _DIGITS[n]
        tens = "十" if n < 20 and not leading_ten else _DIGITS[n // 10] + "十"
        return tens + (_DIGITS[n % 10] if n % 10 else "")

    if not 0 < number < 1000:
        raise ValueError(f"article number out of range: {number}")
    if number < 100:
        return f"第{below_100(number, leading_ten=False)}条"
    rest = number % 100
    tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else below_100(rest, leading_ten=True))
    return f"第{_DIGITS[number // 100]}百{tail}条"


def for_category(source: str, category: str) -> str:
    """``source`` as an IVD case reads it (Order 48), or unchanged for any other category."""
    if category != "ivd" or not source:
        return source
    return _ARTICLES_47.sub(_rewrite, source)
