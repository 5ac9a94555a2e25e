"""Rebuild ``NotoSerifSC-Regular-subset.ttf`` (committed beside this file) from Noto Serif CJK SC.

Not run by ``make``: the font file is committed with its licence (OFL.txt), so nothing depends on
the host's fonts. Run it only to change the character set, with fontTools and the source font
(Debian's fonts-noto-cjk 1:20220127, i.e. Noto Serif CJK 2.001):

    python notices/fonts/build_font.py /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc

Why a converted subset: ReportLab embeds TrueType (glyf) outlines only, and Noto Serif CJK ships
CFF outlines; ``cu2qu`` converts them to quadratic curves. The character set is GB 2312 (its 6,763
hanzi and 682 symbols: every character of the national standard for official text interchange),
printable ASCII, Latin-1's letters and signs, the CJK punctuation and full-width forms blocks, and
the circled numbers. Each PDF then embeds only the glyphs it uses (ReportLab subsets per document).
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = Path(__file__).resolve().parent
OUT = HERE / "NotoSerifSC-Regular-subset.ttf"


def charset() -> set[int]:
    chars: set[int] = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF5F)) | set(range(0x2460, 0x2474))
    chars |= {0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2013, 0x2116, 0x2103, 0x00B7, 0x2022}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def to_truetype(font: TTFont) -> None:
    """CFF → glyf (quadratic), as fontTools' otf2ttf snippet does."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names: smaller, and ReportLab does not need them
    font.sfntVersion = "\x00\x01\x00\x00"


def main(source: str) -> None:
    collection = TTCollection(source)
    font = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(4))
    options = subset.Options()
    options.layout_features = []  # ReportLab applies no OpenType layout
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=charset())
    sub.subset(font)
    to_truetype(font)
    font.save(OUT)
    print(f"{OUT.name}: {len(font.getGlyphOrder())} glyphs, {OUT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
