"""The CJK font of the notices: found on the machine (Noto Sans CJK, ``fonts-noto-cjk``, or
``YIBAO_NOTICE_FONT``), read by fpdf2 once per process and added to each notice PDF."""

from __future__ import annotations

import copy
import os
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from yibao.errors import InputError

__all__ = ["SC_FACE", "add_cjk", "font_path", "read_font"]

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
#: Noto Sans CJK collections: face 2 is Simplified Chinese.
SC_FACE = 2

def font_path() -> Path:
    """The CJK font for notices; ``notice_font_missing`` when none is installed."""
    given = os.environ.get("YIBAO_NOTICE_FONT")
    for candidate in ((given,) if given else FONT_CANDIDATES):
        if Path(candidate).is_file():
            return Path(candidate)
    raise InputError("notice_font_missing",
                     "找不到中文字体(fonts-noto-cjk);请安装或设置 YIBAO_NOTICE_FONT",
                     "no CJK font found (install fonts-noto-cjk or set YIBAO_NOTICE_FONT)",
                     field="notices")


#: The CJK font as fpdf2 reads it, once per process: its 44k characters' widths and glyph
#: ids are the same for every county's notices (a quarter of a county's time went to
#: reading them again).
_READ: dict[tuple[str, int], TTFFont] = {}


def add_cjk(pdf: FPDF, font: Path, face: int) -> None:
    """Add the CJK font as ``cjk``: a copy of the process's one reading, with a font file, a
    subset and a place of its own in this document — the same way for every document, so
    that a county's PDF is the same bytes whichever county a run starts with. Bounding
    boxes are not recomputed when the subset is written (the font's own are kept: the
    glyphs are unchanged), which was another third of a county's time."""
    key = (str(font), face)
    if key not in _READ:
        scratch = FPDF()
        scratch.add_font("cjk", "", str(font), collection_font_number=face)
        read = scratch.fonts["cjk"]
        assert isinstance(read, TTFFont)
        _READ[key] = read
    mine = copy.copy(_READ[key])
    mine.ttfont = ttLib.TTFont(str(font), recalcTimestamp=False, fontNumber=face, lazy=True,
                               recalcBBoxes=False)
    mine.i = len(pdf.fonts) + 1
    mine.subset = SubsetMap(mine)
    mine.missing_glyphs = []
    mine.biggest_size_pt = 0
    pdf.fonts["cjk"] = mine
    if mine.is_cff and mine.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


def read_font() -> None:
    """Read the CJK font now: a process that forks workers (or a Spark executor's Python)
    reads it once for all of them instead of once in each."""
    font = font_path()
    add_cjk(FPDF(), font, SC_FACE if font.suffix == ".ttc" else 0)
