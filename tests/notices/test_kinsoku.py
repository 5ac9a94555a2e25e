"""Chinese line breaking in the notices' PDF: no closing or pause mark (，。、；：？！）”》 …) starts a
line, no opening mark ends one, and a case number is not cut in two to obey that."""

import datetime as dt
import io
from html import escape

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from notices import content, pdf

FACTS = dict(reference="CQ202600006", device_class="II", category="active", application_type="first",
             enterprise="重庆某医疗科技有限公司", credit_code="91500000MA5U000000", submitted_on=dt.date(2026, 3, 2))
# The body's width: A4 less the margins and the frame's padding (6 pt a side).
WIDTH = A4[0] - 28 * mm - 26 * mm - 12


def _supplement(product_name: str) -> content.NoticeText:
    return content.supplement(content.CaseFacts(product_name=product_name, **FACTS), number="渝药监械补〔2026〕0006号",
                              issued_on=dt.date(2026, 3, 2), office="重庆市药品监督管理局", contact="",
                              items=["产品技术要求中的检验方法"], note="", deadline=dt.date(2027, 3, 2))


def _lines(paragraph: Paragraph) -> list[str]:
    paragraph.wrap(WIDTH, 10_000)
    lines = paragraph.blPara.lines
    if paragraph.blPara.kind == 0:  # ReportLab's own single-fragment path
        return ["".join(words) for _, words in lines]
    return ["".join(w.text for w in line.words) for line in lines]


def _offences(lines: list[str]) -> list[str]:
    return ([line for line in lines[1:] if line[:1] in pdf.CANNOT_START]
            + [line for line in lines[:-1] if line[-1:] in pdf.CANNOT_END])


def test_the_break_moves_characters_down_and_keeps_a_number_whole():
    chars = list("你单位第二类医疗器械首次注册申请（受理号：CQ202600006），经技术审评")
    comma = chars.index("，")
    # "，" did not fit: "6）" would have to come down with it, and then the whole number does.
    assert "".join(chars[pdf.kinsoku_break(chars, 0, comma):]).startswith("CQ202600006），")
    # An opening mark at the end of the line goes down with what it opens.
    chars = list("首次注册申请（受理号")
    assert pdf.kinsoku_break(chars, 0, chars.index("（") + 1) == chars.index("（")


def test_no_line_of_a_supplement_notice_starts_with_a_closing_mark():
    """Product names of every length from 1 to 60 characters move the case number and the marks
    around it across the line end; among them are names that put "，" (after "CQ202600006）"),
    "：" and "”" at a line's start with ReportLab's own CJK breaking."""
    names = "一次性使用无菌注射器" * 6
    plain_offences = 0
    for n in range(1, 61):
        text = _supplement(names[:n]).paragraphs[0]
        plain_offences += len(_offences(_lines(Paragraph(escape(text), pdf.STYLES["body"]))))
        lines = _lines(pdf._p(text, "body"))
        assert not _offences(lines), (n, lines)
        assert "".join(lines) == text  # nothing lost or doubled
    assert plain_offences >= 5  # the test does force the case


def test_the_pdf_of_a_notice_with_a_long_product_name():
    notice = _supplement("一次性使用无菌注射器" * 4)
    reader = PdfReader(io.BytesIO(pdf.render(notice.as_dict())))
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in pdf.CANNOT_START], lines
    # The case number moved down whole, its closing bracket with it (the line's exact end depends
    # on the font's widths).
    assert any(line.startswith("CQ202600006），经技术审评，需要补充资料。") for line in lines), lines
