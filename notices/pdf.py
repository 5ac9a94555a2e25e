"""The PDF of a notice: A4, in Noto Serif SC (a Song face, SIL Open Font License), embedded.

The font file ships with the project (``notices/fonts/``, with its licence and the script that
built it): nothing comes from the host, and every PDF embeds the subset of glyphs it uses, so a
reader without any Chinese font shows the same characters. (Adobe's CID font STSong-Light, used
before, is never embedded: poppler-based readers and Acrobat without its Asian pack showed boxes.)

Chinese typesetting: paragraphs break between any two characters (``wordWrap="CJK"``) except
where kinsoku forbids (``kinsoku_break``: no closing or pause mark starts a line, no opening mark
ends one); body paragraphs get the customary two-character first-line
indent; the title is centred, the document number right-aligned under it, the issuing office and
the date right-aligned at the end. The font's character set is GB 2312 with Latin and the CJK
punctuation (``missing_glyphs`` tells which characters of a text it lacks; forms check their input
with it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as _rl
from reportlab.rl_config import _FUZZ

FONT = "NotoSerifSC"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-Regular-subset.ttf"
_ttf = TTFont(FONT, str(FONT_FILE))
pdfmetrics.registerFont(_ttf)
_COVERED = frozenset(_ttf.face.charToGlyph)


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` the embedded font cannot print (each once, in order)."""
    seen = dict.fromkeys(ch for ch in str(text) if ord(ch) not in _COVERED and not ch.isspace())
    return "".join(seen)

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
    "cell": ParagraphStyle("cell", parent=_base, fontSize=11, leading=16),
    "small": ParagraphStyle("small", parent=_base, fontSize=9, leading=14, textColor=colors.HexColor("#444444")),
    "watermark": ParagraphStyle("wm", parent=_base, fontSize=14, alignment=TA_CENTER,
                                textColor=colors.HexColor("#b00020"), spaceAfter=4 * mm),
}


# Kinsoku (GB/T 15834, W3C clreq): a closing mark or a pause/stop mark never starts a line, an
# opening mark never ends one. ReportLab's own CJK wrapping knows only part of these (not ，；：？！
# 》 ” among others), and lets a run of two marks (“），”) put the second at a line's start.
CANNOT_START = frozenset("，。、；：？！）」』》〉】〕］｝”’…‥％·．,.;:?!)]}%")
CANNOT_END = frozenset("（「『《〈【〔［｛“‘([{")


def _is_latin(ch: str) -> bool:
    return ord(ch) < 0x3000 and not ch.isspace()


def kinsoku_break(chars: list[str], start: int, end: int) -> int:
    """Where the line ``chars[start:end]`` (``chars[end]`` did not fit) really ends.

    Characters are moved down to the next line (never hung in the margin, so the text stays in its
    frame) until the next line starts with a character that may start one and this one ends with a
    character that may end one. A Latin run (a number such as CQ202600006, a URL) is not cut where
    a space or a Chinese character before it, in the line's second half, gives a break. A line
    always keeps at least one character, so the breaking always progresses.
    """
    def kinsoku(b: int) -> int:
        while b > start + 1 and (chars[b] in CANNOT_START or chars[b - 1] in CANNOT_END):
            b -= 1
        return b

    half = (start + end) // 2
    b = kinsoku(end)
    if _is_latin(chars[b]) and _is_latin(chars[b - 1]):
        j = b - 1
        while j > half and _is_latin(chars[j - 1]):
            j -= 1
        if j > half:
            b = kinsoku(j)
    return b


def _kinsoku_split(frags, max_widths: list[float], calc_bounds: bool):
    """ReportLab's ``cjkFragSplit`` (the dumb greedy fill), with the break point from ``kinsoku_break``."""
    chars = []
    for f in frags:
        text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
        chars.extend([_rl.cjkU(t, f, "utf8") for t in text] if text else [_rl.cjkU(text, f, "utf8")])
    lines, start, n = [], 0, len(chars)
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i, forced = 0.0, start, False
        while i < n:
            used += chars[i].width
            i += 1
            if hasattr(chars[i - 1].frag, "lineBreak"):
                forced = True
                break
            if used > max_width + _FUZZ:
                if i - 1 > start:  # else a lone character wider than the line: it stays there
                    i = kinsoku_break(chars, start, i - 1)
                break
        line = chars[start:i]
        width = sum(c.width for c in line)
        lines.append(_rl.makeCJKParaLine(line, max_width, width, max_width - width, forced, calc_bounds))
        start = i
    return _rl.ParaLines(kind=1, lines=lines)


class KinsokuParagraph(Paragraph):
    """A CJK paragraph broken by ``kinsoku_break``: no closing punctuation at a line's start."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802, N803 (ReportLab's names)
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara  # the rest of a paragraph split across pages: already broken
        if not self.frags or self.bulletText or self.style.endDots:
            return super().breakLinesCJK(maxWidths)
        auto = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        return _kinsoku_split(self.frags, list(maxWidths), auto not in ("", "off"))


def _p(text: str, style: str) -> Paragraph:
    return KinsokuParagraph(escape(text).replace("\n", "<br/>"), STYLES[style])


class SealBlock(Flowable):
    """The verification and signature block at a document's end: the QR code of the verification
    address, the verification code, and the frame the office's electronic signature covers.

    It records where it was drawn (``placed``: page index, box in PDF points) so that the
    signature field is put exactly over it."""

    def __init__(self, *, url: str, code: str, office: str, signer: str, width: float):
        super().__init__()
        self.url, self.code, self.office, self.signer = url, code, office, signer
        self.width, self.height = width, 30 * mm
        self.placed: tuple[int, tuple[float, float, float, float]] | None = None

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        c = self.canv
        qr = segno.make(self.url, error="m")
        size = self.height - 2 * mm
        cells = qr.symbol_size(scale=1, border=0)[0]
        cell = size / cells
        c.setFillColor(colors.black)
        for y, row in enumerate(qr.matrix):
            x = 0
            while x < len(row):
                if row[x]:
                    run = x
                    while run < len(row) and row[run]:
                        run += 1
                    c.rect(1 * mm + x * cell, 1 * mm + size - (y + 1) * cell, (run - x) * cell, cell,
                           stroke=0, fill=1)
                    x = run
                else:
                    x += 1
        text_x = size + 5 * mm
        seal_w = 52 * mm
        c.setFont(FONT, 9)
        seal_x = self.width - seal_w
        room = seal_x - text_x - 3 * mm
        lines = [f"核验码：{self.code}", "核验网址：", self.url.split("?")[0],
                 "扫描二维码，或在核验网址输入文书编号", "和核验码，可核验本文书真伪；上传本文书",
                 "PDF文件可核验电子签章。"]
        y = self.height - 3.5 * mm
        for line in lines:
            size = 9.0
            while size > 5 and pdfmetrics.stringWidth(line, FONT, size) > room:  # a long address shrinks
                size -= 0.5
            c.setFont(FONT, size)
            c.drawString(text_x, y, line)
            y -= 4.4 * mm
        # The signature block: the signature field's widget is laid over this frame.
        sx = self.width - seal_w
        c.setStrokeColor(colors.HexColor("#b3001b"))
        c.setFillColor(colors.HexColor("#b3001b"))
        c.setLineWidth(1)
        c.rect(sx, 0, seal_w, self.height, stroke=1, fill=0)
        c.setFont(FONT, 11)
        c.drawCentredString(sx + seal_w / 2, self.height - 7 * mm, "电子签章")
        c.setFont(FONT, 9)
        y = self.height - 13 * mm
        for line in _wrap_chars(self.office, 13) + _wrap_chars(f"签章证书：{self.signer}", 13)[:3]:
            c.drawCentredString(sx + seal_w / 2, y, line)
            y -= 4.5 * mm
        x0, y0 = c.absolutePosition(sx, 0)
        self.placed = (c.getPageNumber() - 1, (x0, y0, x0 + seal_w, y0 + self.height))


def _wrap_chars(text: str, n: int) -> list[str]:
    return [text[i:i + n] for i in range(0, len(text), n)] or [""]


@dataclass
class Rendered:
    pdf: bytes
    seal: tuple[int, tuple[float, float, float, float]] | None  # (page index, box) of the signature block


def _facts_table(facts, widths, style: str = "addressee") -> Table:
    rows = [[_p(k, style), _p(v, style)] for k, v in facts]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # else the table sets Helvetica (never embedded)
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
    ]))
    return table


def render(content: dict, *, preview: bool = False, verify_url: str = "", code: str = "",
           signer: str = "") -> bytes:
    """PDF bytes for ``content`` (a ``NoticeText.as_dict()``); ``preview`` marks it as not issued."""
    return render_document(content, preview=preview, verify_url=verify_url, code=code, signer=signer).pdf


def render_document(content: dict, *, preview: bool = False, verify_url: str = "", code: str = "",
                    signer: str = "") -> Rendered:
    """The PDF and where its signature block is; with ``verify_url`` and ``code`` it carries the
    verification block (an issued document), else none (a preview)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=22 * mm, bottomMargin=18 * mm,
        title=f"{content['title']} {content['number']}", author=content.get("office", ""),
        subject=content["title"], creator="registration-review tracker",
        # The canvas's initial font is Helvetica, never embedded: ours, so every font is embedded.
        initialFontName=FONT, initialFontSize=_BODY,
    )
    story = []
    if preview:
        story.append(_p("（预览件：未签发，无效）", "watermark"))
    certificate = content.get("kind") in CERTIFICATE_LAYOUT
    if certificate:
        story += [_p(content["title"], "title"), _p(f"文书编号：{content['number']}", "number"),
                  _facts_table(content["facts"], [36 * mm, None], "cell")]
    else:
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
            story += [Spacer(1, 3 * mm), _facts_table(content["facts"], [42 * mm, None])]
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
    seal = None
    if verify_url and code:
        seal = SealBlock(url=verify_url, code=code, office=content.get("office", ""), signer=signer,
                         width=A4[0] - 54 * mm)
        story += [Spacer(1, 4 * mm), KeepTogether([seal])]
    doc.build(story)
    return Rendered(buffer.getvalue(), seal.placed if seal else None)


CERTIFICATE_LAYOUT = frozenset({"certificate", "change_document", "licence"})
