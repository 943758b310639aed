"""Printable Chinese payment notices: one A4 page per household with someone to remind, one
PDF per region (``notices/<region>.pdf``), in plain words.

What a household reads, all from the renewal row (the engine's answer, computed in batch)
and the shipped or published reference data:

- who owes what (ID numbers masked), each member's first day of cover if paid in time and,
  beside a day later than 1 January, why (the answer's ``benefit_start_reason``); a member
  whose payment would buy no cover that year reads the answer's next step instead;
- members whose whole contribution medical assistance pays (特困, 孤儿…), named as such —
  never listed as owing 0.00; members who paid less than was due, with the difference;
- each member's continuous years (连续参保年限) if paid in time and the catastrophic-cover
  rise they earn (the batch engine's count, C36; the rise in the engine's words);
- the household's total and the deadline; what paying after the concentrated period and
  after 30 June would mean (the engine's answer for a payment on those days: the later
  first day of cover, the share and subsidy due);
- where and how to pay (the region's channels) and whom to call: the county's offices
  where the data has them, otherwise a sentence naming the hotlines and where to go.

Text is set ragged-right, line by line, by our own breaker: a phone number, an amount, a
date or a masked ID number is never split across lines, and Chinese punctuation never
starts one. Fonts: Noto Sans CJK (``fonts-noto-cjk``), or ``YIBAO_NOTICE_FONT``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
from fpdf import FPDF

from yibao.operations.renewal.notice_font import SC_FACE, add_cjk, font_path, read_font
from yibao.operations.renewal.write import atomic
from yibao.policy.contacts import contacts_for
from yibao.policy.reference_data import (
    Channel,
    Contact,
    channels,
    region_chain,
    special_groups,
)
from yibao.quoting.continuity import rise_words_for
from yibao.rules.money import fen_to_yuan
from yibao.rules.validation import ERRORS

__all__ = ["font_path", "household_rows", "lines_of", "read_font", "write_notices"]

OFFICES = ("medical_insurance_office", "tax_office")
_ERROR_WORDS = {e.code: e.message for e in ERRORS}

#: Units a line is never broken inside: a date, an amount with its 元, a run of digits,
#: Latin letters and the marks that join them (phone numbers, masked ID numbers, 0775-…).
_TOKEN = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d[\d,]*\.\d{2} ?元|[0-9A-Za-z*][0-9A-Za-z*\-.:/@%]*"
                    r"|\s+|.", re.S)
#: Marks that never start a line (kept with what comes before) or end one (with what follows).
_CLOSE = set("，。、；：？！）》」』”’%,.;:?!)")
_OPEN = set("（《「『“‘(")



def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _yuan(fen: int) -> str:
    return f"{fen_to_yuan(fen)} 元"


def _units(text: str) -> list[str]:
    """The text as unbreakable units: closing marks joined to the unit before, opening
    marks to the unit after."""
    units: list[str] = []
    pending = ""
    for tok in _TOKEN.findall(text):
        if tok in _OPEN:
            pending += tok
            continue
        if units and not pending and len(tok) == 1 and tok in _CLOSE:
            units[-1] += tok
            continue
        units.append(pending + tok)
        pending = ""
    if pending:
        units.append(pending)
    return units


def lines_of(text: str, width: float, measure: Any) -> list[str]:
    """``text`` broken into lines of at most ``width`` (``measure(s)`` gives a width),
    ragged-right, only between units (:func:`_units`)."""
    lines: list[str] = []
    line, used = "", 0.0
    for unit in _units(text):
        w = measure(unit)
        if line and used + w > width and not unit.isspace():
            lines.append(line.rstrip())
            line, used = "", 0.0
        if not line and unit.isspace():
            continue
        line += unit
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return lines


@cache
def _where(region: str) -> tuple[tuple[Channel, ...], tuple[Contact, ...]]:
    chain = set(region_chain(region))
    return (tuple(c for c in channels() if chain & set(c.regions)), contacts_for(region))


@cache
def _group_names() -> dict[str, str]:
    return {g.code: g.name for g in special_groups()}


class _Notice(FPDF):
    def __init__(self, font: Path, stamp: dt.date) -> None:
        super().__init__(format="A4")
        self.set_creation_date(dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC))
        add_cjk(self, font, SC_FACE if font.suffix == ".ttc" else 0)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(18, 14, 18)
        self._widths: dict[tuple[float, str], float] = {}

    def width_of(self, unit: str) -> float:
        """``get_string_width`` of ``unit`` in the current font, once per size and unit (the
        same units recur on every page of a county: most of the time of a page went here)."""
        key = (self.font_size_pt, unit)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(unit)
        return width

    def para(self, text: str, size: float = 10.5, height: float = 5.6, indent: float = 0) -> None:
        """A paragraph, left-aligned, broken by :func:`lines_of` (never justified)."""
        self.set_font("cjk", size=size)
        width = self.w - self.l_margin - self.r_margin - indent
        for line in lines_of(text, width - 0.5, self.width_of):
            if self.will_page_break(height):
                self.add_page()
            self._text(self.l_margin + indent, self.y, line, height)
            self.set_y(self.y + height)

    def _text(self, x: float, y: float, line: str, height: float) -> None:
        """One line in a box of ``height`` at (x, y), placed as ``cell()`` places it (left,
        the baseline centred), without ``cell()``'s styled-fragment work (most of a page's
        time once the table was our own)."""
        self.text(x + self.c_margin, y + 0.5 * height + 0.3 * self.font_size, line)

    def grid(self, widths: tuple[float, ...], rows: list[list[str]], size: float = 10.5,
             height: float = 6.2) -> None:
        """A bordered table, left-aligned, each cell broken by :func:`lines_of` once; a row
        that does not fit goes to the next page under the heading row again. (fpdf2's own
        table measured every cell twice, character by character: two thirds of a page.)"""
        self.set_font("cjk", size=size)
        heading, *body = [self._cells(widths, row) for row in rows]
        self._row(widths, heading, height)
        for cells in body:
            if self.will_page_break(max(len(c) for c in cells) * height):
                self.add_page()
                self._row(widths, heading, height)
            self._row(widths, cells, height)

    def _cells(self, widths: tuple[float, ...], row: list[str]) -> list[list[str]]:
        """Each cell's lines in its column's width."""
        return [lines_of(text, w - 2 * self.c_margin, self.width_of) or [""]
                for text, w in zip(row, widths, strict=True)]

    def _row(self, widths: tuple[float, ...], cells: list[list[str]], height: float) -> None:
        """One row of bordered cells as tall as its tallest; the cursor moves below it."""
        tall = max(len(c) for c in cells) * height
        x, y = self.l_margin, self.y
        for lines, w in zip(cells, widths, strict=True):
            self.rect(x, y, w, tall)
            for k, line in enumerate(lines):
                self._text(x, y + k * height, line, height)
            x += w
        self.set_xy(self.l_margin, y + tall)

    def heading(self, text: str) -> None:
        self.ln(1.5)
        self.para(text, size=12.5, height=7.5)


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
            said.append(f"{m['name']}：参保历史待核实")
            continue
        words = rise_words_for(str(m["region"]), year, years)
        said.append(f"{m['name']} {years}年" + (f"（{words.earned[0].rstrip('。')}）" if words else ""))
        if words is not None:
            rule = words.rule[0] + (words.cap[0] if words.cap else "")
    if not said:
        return
    pdf.ln(1)
    pdf.para("连续参保年限（按期缴费后）：" + "；".join(said) + "。", size=10, height=5.5)
    if rule:
        pdf.para(rule, size=10, height=5.5)


def household_rows(rows: pa.Table) -> Iterator[list[dict[str, Any]]]:
    """The reminded rows by household (a person without one alone), in first-seen order."""
    households: dict[object, list[dict[str, Any]]] = {}
    for row in rows.to_pylist():
        key = row["household_id"] if row["household_id"] is not None else f"p{row['person_id']}"
        households.setdefault(key, []).append(row)
    yield from households.values()


def _kind(m: dict[str, Any]) -> str:
    """How a reminded member is told: owes a balance, assisted, cannot be quoted, or pays."""
    if m["paid"]:
        return "owed"
    if m["error"]:
        return "refused"
    if m["next_step"] == "nothing_to_pay":
        return "assisted"
    return "pay"


def _dates(members: list[dict[str, Any]], key: str) -> str:
    """``待遇从2027年4月1日起`` when every member's day is the same, else each by name
    (``覃超从2027年4月1日起、梁杰从2027年1月1日起享受待遇``)."""
    days = [(m["name"], m[key]) for m in members if m[key] is not None]
    if not days:
        return ""
    if len({d for _, d in days}) == 1:
        return f"待遇从{_day(days[0][1])}起"
    return "、".join(f"{name}从{_day(d)}起" for name, d in days) + "享受待遇"


def _late_lines(pay: list[dict[str, Any]], year: int) -> list[str]:
    """What paying later means, from the engine's answers for those days."""
    out: list[str] = []
    after = [m for m in pay if m["after_period_date"] is not None]
    if after:
        day = after[0]["after_period_date"]
        out.append(f"集中参保缴费期结束后缴费的，要等待期满才享受待遇：若{_day(day)}缴费，"
                   f"{_dates(after, 'after_period_benefit_start')}。")
    late = [m for m in pay if m["late_date"] is not None]
    if late:
        day = late[0]["late_date"]
        starts = _dates(late, "late_benefit_start")
        if all(m["late_amount_due"] is not None for m in late):
            total = sum(int(m["late_amount_due"]) for m in late)
            cost = f"{'全户' if len(late) > 1 else ''}共需{_yuan(total)}"
        else:
            cost = "财政补助标准尚未公布，金额公布后方能确定"
        out.append(f"{_day(day)}起缴费的，除个人缴费外还须缴纳财政补助部分：若{_day(day)}缴费，"
                   f"{cost}{'，' + starts if starts else ''}。")
    return out


def _contact_lines(region: str, offices: tuple[Contact, ...]) -> list[str]:
    """The county's (or city's) offices with their numbers, then the hotlines; where the data
    has no office, a sentence that says whom to call and where to go."""
    lines: list[str] = []
    local = [c for c in offices if c.kind in OFFICES and c.phones]
    for c in local:
        phones = "、".join(p.number + (f"（{p.purpose}）" if p.purpose else "") for p in c.phones)
        lines.append(f"{c.name}：{phones}")
    hotlines = [c for c in offices if c.kind == "hotline" and c.phones]
    dial = "、".join(f"{c.name}{p.number}" for c in hotlines for p in c.phones)
    if not local:
        lines.append("本地医保经办机构和税务部门的电话暂未收录：请拨打" + (dial or "当地政务服务热线")
                     + "咨询，或到户籍所在地乡镇（街道）便民服务中心、县（区）政务服务中心医保窗口办理。")
    elif dial:
        lines.append(f"全国服务热线：{dial}")
    return lines


def _household_page(pdf: _Notice, year: int, members: list[dict[str, Any]]) -> None:
    first = members[0]
    pay = [m for m in members if _kind(m) == "pay"]
    owed = [m for m in members if _kind(m) == "owed"]
    assisted = [m for m in members if _kind(m) == "assisted"]
    refused = [m for m in members if _kind(m) == "refused"]
    quote_date: dt.date = first["quote_date"]
    deadline: dt.date | None = first["deadline"]
    pdf.add_page()
    pdf.para(f"城乡居民基本医疗保险 {year}年度缴费通知", size=16, height=9)
    pdf.para(f"{first['region_name']}医疗保障部门 · 税务部门", size=9.5)
    pdf.ln(2)
    pdf.para(f"{first['name']} 户：")
    if pay or owed:
        when = (f"请在{_day(deadline)}（{year}年度集中参保缴费期最后一天）前"
                if deadline is not None and quote_date <= deadline else "请尽早")
        pdf.para(f"{when}为下列家庭成员缴纳{year}年度城乡居民基本医疗保险费。")
    if pay:
        pdf.ln(1.5)
        basis = ("截止日前缴费，待遇开始" if deadline is not None and quote_date <= deadline
                 else f"{_day(quote_date)}缴费，待遇开始")
        table = [["姓名", "身份证号（已隐去中间）", "应缴金额", basis]]
        for m in pay:
            due, start = m["amount_due"], m["benefit_start"]
            table.append([str(m["name"]), str(m["id_masked"] or "无身份证号"),
                          _yuan(due) if due is not None else "标准尚未公布",
                          _day(start) if start is not None else f"{year}年度内无待遇"])
        pdf.grid((30, 52, 38, 54), table)
    total = sum(int(m["amount_due"]) for m in pay if m["amount_due"] is not None)
    total += sum(int(m["balance_due"]) for m in owed)
    unknown = any(m["amount_due"] is None for m in pay)
    if pay or owed:
        pdf.ln(1.5)
        pdf.para(f"全户合计应缴：{_yuan(total)}" + ("（另有成员的缴费标准尚未公布，公布后另行通知）"
                                                 if unknown else ""), size=12.5, height=7.5)
    _continuity(pdf, year, pay)
    notes = _member_notes(pay, year)
    if notes:
        pdf.heading("待遇开始日说明")
        for line in notes:
            pdf.para(line)
    if owed:
        pdf.heading("还需补缴差额")
    for m in owed:
        start = m["covered_from"]
        keep = f"，待遇开始日（{_day(start)}）不变" if start is not None else ""
        pdf.para(f"{m['name']}：{year}年度已缴{_yuan(int(m['paid_fen']))}，还需补缴差额"
                 f"{_yuan(int(m['balance_due']))}{keep}。")
    if assisted:
        pdf.heading("医疗救助资助参保")
        names = "、".join(f"{m['name']}（{_group_names().get(m['special_group'] or '', '特殊群体')}）"
                          for m in assisted)
        starts = _dates(assisted, "benefit_start")
        pdf.para(f"{names}：由医疗救助全额资助参保，个人无需缴费" + (f"，{starts}" if starts else "")
                 + "。")
    if refused:
        pdf.heading("暂不能缴费")
    for m in refused:
        pdf.para(f"{m['name']}：暂不能为{year}年度缴费（{_ERROR_WORDS.get(m['error'], '')}）。")
    late = _late_lines(pay, year)
    if late:
        pdf.heading("逾期缴费")
        for line in late:
            pdf.para(line)
    region = str(first["region"])
    online, offices = _where(region)
    pdf.heading("怎样缴费")
    web = [c.name for c in online if c.kind == "online"]
    desk = [c.name for c in online if c.kind == "offline"]
    if web:
        pdf.para("手机缴费：" + "、".join(web) + "。输入身份证号码和姓名，核对缴费年度后支付。")
    if desk:
        pdf.para("线下缴费：" + "、".join(desk) + "。")
    pdf.heading("咨询电话")
    for line in _contact_lines(region, offices):
        pdf.para(line)


def _member_notes(pay: list[dict[str, Any]], year: int) -> list[str]:
    """Beside every first day later than 1 January (or none that year): why, in the answer's
    words; where back-paying lapse years brings it earlier, by how much."""
    jan1 = dt.date(year, 1, 1)
    out: list[str] = []
    for m in pay:
        start, reason = m["benefit_start"], m["start_reason_text"]
        if start is None:
            out.append(f"{m['name']}：{m['next_step_text'] or reason or ''}")
        elif reason:
            out.append(f"{m['name']}：{_day(start)}起享受待遇，原因：{reason}。")
        elif start > jan1:  # the answer gives no reason: say the day, invent none
            out.append(f"{m['name']}：{_day(start)}起享受待遇。")
        years, back = m["back_pay_years"], m["back_pay"]
        if years and m["back_pay_benefit_start"] is not None:
            price = f"（共{_yuan(int(back))}）" if back is not None else ""
            out.append(f"{m['name']}：如同时补缴{'、'.join(str(y) for y in years)}年度{price}，"
                       f"待遇可提前{m['back_pay_months']}个月，从{_day(m['back_pay_benefit_start'])}起。")
    return out


def write_notices(rows: pa.Table, year: int, path: Path, stamp: dt.date) -> int:
    """One page per household of the reminded ``rows``; returns the number of households."""
    pdf = _Notice(font_path(), stamp)
    count = 0
    for members in household_rows(rows):
        _household_page(pdf, year, members)
        count += 1
    if not count:
        pdf.add_page()
        pdf.para(f"{year}年度：本地区参保居民均已缴费，无需发送缴费通知。")
    atomic(path, lambda tmp: pdf.output(str(tmp)))
    return count
