"""The PDF of a notice: A4, ReportLab's built-in CJK font (STSong-Light, an Adobe CID font that
every PDF reader carries, so no font file ships with the project or is embedded in the document).

Chinese typesetting: paragraphs break between any two characters (``wordWrap="CJK"``) and keep
punctuation off the start of a line; body paragraphs get the customary two-character first-line
indent; the title is centred, the document number right-aligned under it, the issuing office and
the date right-aligned at the end. The font's character set is GB 2312-era Adobe-GB1: keep
characters outside it (the middle dot, en dashes) out of the printed text, or they print as boxes.
"""

from __future__ import annotations

import io
from html import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = 12
_base = ParagraphStyle("body", fontName=FONT, fontSize=_BODY, leading=_BODY * 1.65, wordWrap="CJK")
STYLES = {
    "title": ParagraphStyle("title", parent=_base, fontSize=20, leading=28, alignment=TA_CENTER,
                            spaceAfter=2 * mm),
    "number": ParagraphStyle("number", parent=_base, alignment=TA_CENTER, spaceAfter=4 * mm),
    "addressee": ParagraphStyle("addressee", parent=_base, spaceAfter=2 * mm),
    "body": ParagraphStyle("bodyp", parent=_base, firstLineIndent=2 * _BODY, spaceAfter=2 * mm),
    "item": ParagraphStyle("item", parent=_base, leftIndent=4 * _BODY, firstLineIndent=-2 * _BODY),
    "right": ParagraphStyle("right", parent=_base, alignment=TA_RIGHT),
    "small": ParagraphStyle("small", parent=_base, fontSize=9, leading=14, textColor=colors.HexColor("#444444")),
    "watermark": ParagraphStyle("wm", parent=_base, fontSize=14, alignment=TA_CENTER,
                                textColor=colors.HexColor("#b00020"), spaceAfter=4 * mm),
}


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), STYLES[style])


def render(content: dict, *, preview: bool = False) -> bytes:
    """PDF bytes for ``content`` (a ``NoticeText.as_dict()``); ``preview`` marks it as not issued."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=22 * mm, bottomMargin=18 * mm,
        title=f"{content['title']} {content['number']}", author=content.get("office", ""),
        subject=content["title"], creator="registration-review tracker",
    )
    story = []
    if preview:
        story.append(_p("（预览件：未签发，无效）", "watermark"))
    story += [_p(content["title"], "title"), _p(content["number"], "number"),
              _p(f"{content['addressee']}：", "addressee")]
    story += [_p(text, "body") for text in content.get("paragraphs", [])]
    if content.get("items_intro"):
        story.append(_p(content["items_intro"], "body"))
    for i, item in enumerate(content.get("items", []), start=1):
        story.append(_p(f"{i}．{item}", "item"))
    if content.get("items"):
        story.append(Spacer(1, 2 * mm))
    story += [_p(text, "body") for text in content.get("after", [])]
    if content.get("facts"):
        rows = [[_p(k, "addressee"), _p(v, "addressee")] for k, v in content["facts"]]
        table = Table(rows, colWidths=[42 * mm, None], hAlign="LEFT")
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ]))
        story += [Spacer(1, 3 * mm), table]
    if content.get("basis"):
        # One source a line: a long citation never leaves its separator at the start of a line.
        basis = content["basis"]
        story += [Spacer(1, 3 * mm), _p("依据：", "addressee")]
        story += [_p(b + ("。" if i == len(basis) - 1 else "；"), "item") for i, b in enumerate(basis)]
    story += [Spacer(1, 8 * mm), _p(content.get("office", ""), "right"), _p(content.get("issued_on", ""), "right"),
              Spacer(1, 6 * mm)]
    if content.get("contact"):
        story.append(_p(f"联系方式：{content['contact']}", "small"))
    story.append(_p("本文书一经签发不再修改；如需更正，以新编号文书发布。", "small"))
    doc.build(story)
    return buffer.getvalue()
