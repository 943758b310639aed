"""Printable Chinese payment notices: one A4 page per household with someone unpaid, one PDF
per region (``notices/<region>.pdf``), in plain words: who owes what (ID numbers masked),
the household's total, the deadline, each member's continuous years if paid by it and the
catastrophic-cover rise they earn, where and how to pay (the channels of the region)
and whom to call (the region's offices and hotlines), all from the shipped reference
data. Fonts: Noto Sans CJK (``fonts-noto-cjk``), or ``YIBAO_NOTICE_FONT``.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path

import pyarrow as pa
from fpdf import FPDF
from fpdf.fonts import FontFace

from yibao.errors import InputError
from yibao.operations.renewal.write import atomic
from yibao.policy.reference_data import Channel, Contact, channels, contacts_for, region_chain
from yibao.quoting.continuity import rise_words_for
from yibao.rules.money import fen_to_yuan

__all__ = ["font_path", "write_notices"]

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


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@cache
def _where(region: str) -> tuple[tuple[Channel, ...], tuple[Contact, ...]]:
    chain = set(region_chain(region))
    return (tuple(c for c in channels() if chain & set(c.regions)), contacts_for(region))


class _Notice(FPDF):
    def __init__(self, font: Path, stamp: dt.date) -> None:
        super().__init__(format="A4")
        self.set_creation_date(dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC))
        self.add_font("cjk", "", str(font), collection_font_number=SC_FACE if font.suffix ==
                      ".ttc" else 0)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(18, 16, 18)

    def line(self, text: str, size: float = 11, height: float = 6.5) -> None:  # type: ignore[override]
        self.set_font("cjk", size=size)
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _household_page(pdf: _Notice, year: int, members: list[dict[str, object]]) -> None:
    first = members[0]
    pdf.add_page()
    pdf.line(f"城乡居民基本医疗保险 {year}年度缴费通知", size=17, height=10)
    pdf.line(f"{first['region_name']}医疗保障部门 · 税务部门", size=10)
    pdf.ln(3)
    pdf.line(f"{first['name']} 户:")
    pdf.line(f"您家中以下成员尚未缴纳{year}年度城乡居民基本医疗保险费,请按时缴费:")
    pdf.ln(2)
    total, unknown = 0, False
    with pdf.table(col_widths=(30, 60, 40, 44), text_align="LEFT",
                   headings_style=FontFace(emphasis="")) as table:
        table.row(["姓名", "身份证号(已隐去中间)", "应缴金额", "按期缴费后待遇开始"])
        for m in members:
            due = m["amount_due"]
            start = m["benefit_start"]
            if isinstance(due, int):
                total += due
            else:
                unknown = True
            table.row([str(m["name"]), str(m["id_masked"] or "无身份证号"),
                       f"{fen_to_yuan(due)} 元" if isinstance(due, int) else "标准尚未公布",
                       _day(start) if isinstance(start, dt.date) else "—"])
    pdf.ln(2)
    pdf.line(f"全户合计应缴:{fen_to_yuan(total)} 元" + ("(另有成员的缴费标准尚未公布,公布后另行通知)"
                                                   if unknown else ""), size=13, height=8)
    deadline = first["deadline"]
    if isinstance(deadline, dt.date):
        pdf.line(f"缴费截止日期:{_day(deadline)}(集中参保缴费期最后一天)。按期缴费的,"
                 f"自{year}年1月1日起享受待遇;逾期缴费将有等待期,断缴还会影响以后的待遇。")
    else:
        pdf.line("本年度集中参保缴费期尚未公布,请留意医保部门通知。")
    _continuity(pdf, year, members)
    region = str(first["region"])
    online, offices = _where(region)
    pdf.ln(2)
    pdf.line("怎样缴费", size=13, height=8)
    web = [c.name for c in online if c.kind == "online"]
    desk = [c.name for c in online if c.kind == "offline"]
    if web:
        pdf.line("手机缴费:" + "、".join(web) + "。输入身份证号码和姓名,核对缴费年度后支付。")
    if desk:
        pdf.line("线下缴费:" + "、".join(desk) + "。")
    pdf.ln(2)
    pdf.line("咨询电话", size=13, height=8)
    for c in offices:
        phones = "、".join(p.number + (f"({p.purpose})" if p.purpose else "") for p in c.phones)
        if phones:
            pdf.line(f"{c.name}:{phones}")


def _continuity(pdf: _Notice, year: int, members: list[dict[str, object]]) -> None:
    """连续参保年限 if paid by the deadline: each member's count (the batch engine's, C36) and
    the catastrophic-cover rise it earns, in the engine's words; a member whose history
    before the registry is unknown is told to have it checked instead of a count."""
    said, rule = [], None
    for m in members:
        years = m.get("continuous_years")
        if not isinstance(years, int):
            continue
        if m.get("history_unknown"):
            said.append(f"{m['name']}:参保历史待核实")
            continue
        words = rise_words_for(str(m["region"]), year, years)
        said.append(f"{m['name']} {years}年" + (f"({words.earned[0].rstrip('。')})" if words else ""))
        if words is not None:
            rule = words.rule[0] + (words.cap[0] if words.cap else "")
    if not said:
        return
    pdf.ln(1)
    pdf.line("连续参保年限(按期缴费后):" + ";".join(said) + "。", size=10, height=5.5)
    if rule:
        pdf.line(rule, size=10, height=5.5)


def write_notices(rows: pa.Table, year: int, path: Path, stamp: dt.date) -> int:
    """One page per household of the unpaid ``rows``; returns the number of pages."""
    pdf = _Notice(font_path(), stamp)
    households: dict[object, list[dict[str, object]]] = {}
    for row in rows.to_pylist():
        key = row["household_id"] if row["household_id"] is not None else f"p{row['person_id']}"
        households.setdefault(key, []).append(row)
    for members in households.values():
        _household_page(pdf, year, members)
    if not households:
        pdf.add_page()
        pdf.line(f"{year}年度:本地区参保居民均已缴费,无需发送缴费通知。")
    atomic(path, lambda tmp: pdf.output(str(tmp)))
    return len(households)
