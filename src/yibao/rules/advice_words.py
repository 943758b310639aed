"""The advice of an answer in words: the next step, why cover starts when it does, what a
back-payment buys (contract §2.1; C22–C26).

Every date, month count and year list comes from the engine's results (the request's row
and its scenarios, :mod:`yibao.rules.advice`); this module only words them.

    step = next_step(res, i, ctx, advice, step_figures)
    step.code, step.text     # 'pay_next_year', '按2026年12月6日缴费，2026年度内已享受不到待遇。…'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from yibao.rules.advice import (
    NEXT_STEP_CODES,
    NOTHING_TO_PAY,
    PAY_NEXT_YEAR,
    PAY_THIS_YEAR,
    Advice,
)
from yibao.rules.answer import BackPayEffect, NextStep, StartReason
from yibao.rules.calendar import days_to_date
from yibao.rules.engine import QuoteResults
from yibao.rules.policy import OLD
from yibao.rules.registry import RULE_BIT
from yibao.rules.wording import cn_date

__all__ = ["AdviceContext", "Pair", "back_pay_effect", "next_step", "no_effect_figures",
           "no_gain_reason", "start_reason", "years_words"]

Pair = tuple[str, str]
_GENERAL = {"R-WAIT-FIXED", "R-WAIT-VARIABLE", "R-WAIT-REPAIR"}


@dataclass(frozen=True)
class AdviceContext:
    """What the words need beyond the engine's columns (filled by ``explain_row``)."""

    coverage_year: int
    payment_date: date
    birth_date: date | None
    group_name: str | None
    group_name_en: str | None
    back_paid: tuple[int, ...]  # the request's back-paid years
    figures: Mapping[str, str]  # policy figures of the coverage year
    step_figures: Mapping[str, str]  # policy figures of the step's year
    reference_share: tuple[int, int] | None = None  # for the step's year


_RULE_OF_BIT = {bit: rule_id for rule_id, bit in RULE_BIT.items()}


def _rule_id(bit: int) -> str:
    return _RULE_OF_BIT.get(bit, "")


def _day(value: int) -> date:
    return days_to_date(int(value))


def years_words(years: Sequence[int]) -> Pair:
    """``('2023、2024', '2023 and 2024')``; a long run as ``2005–2024``."""
    ys = sorted(years)
    if not ys:
        return "", ""
    if len(ys) > 3 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}", f"{ys[0]}–{ys[-1]}"
    zh = "、".join(str(y) for y in ys)
    en = str(ys[0]) if len(ys) == 1 else ", ".join(str(y) for y in ys[:-1]) + f" and {ys[-1]}"
    return zh, en


def _n(count: int, noun: str) -> str:
    """``1 month``, ``2 months``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _on(d: date | None) -> Pair:
    return (cn_date(d), d.isoformat()) if d is not None else ("", "")


def _money(fen: int | None) -> Pair:
    if fen is None:
        return "金额未公布", "amount not published"
    return f"{fen // 100}.{fen % 100:02d}元", f"{fen // 100}.{fen % 100:02d} yuan"


def no_gain_reason(s: QuoteResults, r: int, figures: Mapping[str, str],
                   ctx: AdviceContext) -> Pair:
    """Why back-paying lapse years changes nothing for scenario row ``r`` (its year, no
    back-pay): no wait to cut, only the fixed wait, or the floor after a long lapse (C10)."""
    rule = _rule_id(int(s.main_rule[r]))
    lapse = int(s.lapse[r])
    if int(s.regime[r]) == OLD:
        return ("该年度实行原办法，补缴断保年度不影响待遇开始日",
                "the old rules apply that year: back-pay of lapse years moves no date")
    if rule == "R-WAIT-EXEMPT":
        group, group_en = ctx.group_name or "特殊群体", ctx.group_name_en or "special groups"
        return (f"{group}由医疗救助资助参保，不设待遇等待期",
                f"{group_en} are paid for by medical assistance and do not wait")
    if rule == "R-START-NEWBORN":
        return "新生儿在出生窗口内参保，不设待遇等待期", "a newborn within the window does not wait"
    if rule in ("R-START-ONTIME", "R-START-TRANSFER"):
        return "本次缴费没有待遇等待期", "this payment has no waiting period"
    fixed = int(s.wait_fixed[r])
    if int(s.variable_before_repair[r]) == 0:
        return (f"断保{lapse}年只有固定等待期{fixed}个月，补缴不能缩短固定等待期",
                f"a {lapse}-year lapse has only the fixed wait of {_n(fixed, 'month')}, which "
                f"back-pay never shortens")
    floor_from, floor = figures.get("repair_floor_from", ""), figures.get("repair_floor", "")
    if floor_from.isdigit() and lapse >= int(floor_from):
        return (f"断缴{floor_from}年及以上的，补缴后等待期合计仍不少于{floor}个月",
                f"after {floor_from} or more lapse years the wait stays at least {floor} "
                f"months in all")
    return "补缴后待遇开始日不变", "the first day of cover stays the same"


def back_pay_effect(res: QuoteResults, i: int, adv: Advice) -> BackPayEffect | None:
    """C22: months earlier than without the back-pay, and the start without it."""
    if not int(res.back_pay_years[i]):
        return None
    r = int(adv.without_row[i])
    s = adv.scenario
    without = _day(s.start[r]) if s.start_known[r] and s.error[r] == 0 else None
    return BackPayEffect(int(adv.months_earlier[i]), without)


def no_effect_figures(res: QuoteResults, i: int, adv: Advice, ctx: AdviceContext
                      ) -> dict[str, str]:
    """The placeholders of the ``back_pay_no_effect`` warning for row ``i``."""
    r = int(adv.without_row[i])
    s = adv.scenario
    year = ctx.coverage_year
    if s.start_known[r]:
        start = _day(s.start[r])
        same = (f"同样从{cn_date(start)}起享受待遇", f"cover also starts on {start.isoformat()}")
    else:
        same = (f"{year}年度内同样享受不到待遇", f"there is no cover in {year} either way")
    zh, en = years_words(ctx.back_paid)
    reason = no_gain_reason(s, r, ctx.figures, ctx)
    return {"back_paid": zh, "back_paid_en": en, "same_start": same[0], "same_start_en": same[1],
            "no_gain_reason": reason[0], "no_gain_reason_en": reason[1]}


def _wait(res: QuoteResults, i: int) -> Pair:
    fixed, variable = int(res.wait_fixed[i]), int(res.wait_variable[i])
    zh = f"等待期{fixed + variable}个月"
    en = f"a wait of {fixed + variable} months"
    if variable:
        zh += f"（固定{fixed}个月＋断保{variable}个月）"
        en += f" ({fixed} fixed + {variable} for the lapse)"
    frm = _day(res.wait_from[i])
    return zh + f"，从{cn_date(frm)}起算", en + f", counted from {frm.isoformat()}"


def start_reason(res: QuoteResults, i: int, ctx: AdviceContext, year: int | None = None
                 ) -> StartReason | None:
    """Why cover starts later than 1 January of ``year`` (default: the coverage year) in
    row ``i`` (None when it starts on 1 January)."""
    year = year or ctx.coverage_year
    known = bool(res.start_known[i])
    start = _day(res.start[i])
    if known and start == date(year, 1, 1):
        return None
    rule = _rule_id(int(res.main_rule[i]))
    window, window_en = ctx.figures.get("window", ""), ctx.figures.get("window_en", "")
    lapse = int(res.lapse[i])
    lapse_years = years_words(range(year - lapse, year))
    young = bool(res.born_this_year[i] or res.born_last_year[i])
    code: str
    if rule == "R-START-NEWBORN":
        if res.newborn_in_window[i]:
            code, zh, en = ("newborn", f"出生于{_on(ctx.birth_date)[0]}，出生后{window}内参保，从出生之日起",
                            f"born on {_on(ctx.birth_date)[1]} and enrolled within {window_en}: "
                            f"covered from birth")
        else:
            code, zh, en = ("newborn_late", f"超过出生后{window}才缴费，从缴费次月1日起",
                            f"paid later than {window_en} after birth: covered from the 1st of "
                            f"the next month")
    elif rule in _GENERAL:
        wait_zh, wait_en = _wait(res, i)
        if young and not res.newborn_in_window[i]:
            code, zh, en = ("newborn_late", f"超过出生后{window}才参保，{wait_zh}",
                            f"enrolled later than {window_en} after birth: {wait_en}")
        elif lapse:
            repaired = int(res.repaired[i])
            done = (f"，已补缴{repaired}年", f", {repaired} back-paid") if repaired else ("", "")
            code, zh, en = ("lapse", f"断保{lapse}年（{lapse_years[0]}年度{done[0]}），{wait_zh}",
                            f"{_n(lapse, 'lapse year')} ({lapse_years[1]}{done[1]}): {wait_en}")
        elif res.first_enrollment[i]:
            code, zh, en = ("first_enrollment", f"首次参保且未在集中缴费期缴费，{wait_zh}",
                            f"first enrollment, not paid in the concentrated period: {wait_en}")
        else:
            code, zh, en = ("late_payment", f"未在集中缴费期缴费，{wait_zh}",
                            f"not paid in the concentrated period: {wait_en}")
        if not known:
            zh += f"，到{cn_date(start)}才满，已晚于{year}年12月31日"
            en += f"; it ends on {start.isoformat()}, after 31 December {year}"
    elif rule == "R-START-LATE":
        code, zh, en = ("late_payment", "集中缴费期后缴费，从缴费次月1日起",
                        "paid after the concentrated period: covered from the 1st of the next "
                        "month")
    elif rule == "R-START-RELAPSE":  # the region's own start after a lapse (Guilin, C31)
        code, zh, en = _relapse(res, i, ctx, lapse, lapse_years)
        if not known:
            zh += f"，到{cn_date(start)}才满，已晚于{year}年12月31日"
            en += f"; that is {start.isoformat()}, after 31 December {year}"
    elif rule == "R-START-GAP":
        code, zh, en = ("lapse", f"断保{lapse}年（{lapse_years[0]}年度）后续保，从缴费后第3个月1日起",
                        f"re-enrolled after {_n(lapse, 'lapse year')} ({lapse_years[1]}): covered "
                        f"from the 1st of the third month after payment")
    elif rule == "R-START-TRANSFER":
        code, zh, en = ("transfer", "职工医保终止后转入，从缴费当月1日起",
                        "moved from employee insurance: covered from the 1st of the payment "
                        "month")
    elif rule == "R-WAIT-EXEMPT":
        group, group_en = ctx.group_name or "特殊群体", ctx.group_name_en or "special group"
        code, zh, en = ("special_group", f"{group}不设等待期，从缴费之日起",
                        f"{group_en}: no waiting period, covered from the payment day")
    else:
        return None
    return StartReason(code, zh, en)


def _relapse(res: QuoteResults, i: int, ctx: AdviceContext, lapse: int, years: Pair
             ) -> tuple[str, str, str]:
    """R-START-RELAPSE in words: the lapse (or the late payment), and the month counted from
    the day the wait counts from (C6, C31), plus any variable months."""
    over, month = ctx.figures.get("relapse_over", ""), ctx.figures.get("relapse_month", "")
    month_en = ctx.figures.get("relapse_month_en", "")
    frm = _day(res.wait_from[i]) if res.wait_from[i] else ctx.payment_date
    zh = f"断缴超过{over}个月再缴费，从{cn_date(frm)}起算第{month}个月的1日起重新享受待遇"
    en = (f"after more than {over} months without cover, cover resumes on the 1st of the "
          f"{month_en} month counted from {frm.isoformat()}")
    variable = int(res.wait_variable[i])
    if variable:
        zh += f"，另加断保变动等待期{variable}个月"
        en += f", plus {_n(variable, 'month')} of variable wait for the lapse"
    if lapse:
        return ("lapse", f"断保{lapse}年（{years[0]}年度），{zh}",
                f"{_n(lapse, 'lapse year')} ({years[1]}): {en}")
    return "late_payment", f"未在集中缴费期缴费，{zh}", f"not paid in the concentrated period: {en}"


def _suffix(ctx: AdviceContext, adv: Advice, i: int, user_months: int, own: bool) -> Pair:
    """What back-pay does for the step: the advised years and months, or why it gains
    nothing (C24).  ``own``: the request's own back-pay is the step's (pay this year)."""
    s = adv.scenario
    k, months = int(adv.best_k[i]), int(adv.best_months[i])
    best_row, step_row = int(adv.best_row[i]), int(adv.step_row[i])
    if int(adv.step_lapse[i]) == 0 or int(s.regime[step_row]) == OLD or s.error[step_row]:
        return "", ""
    best = adv.back_pay_years(i)
    best_zh, best_en = years_words(best)
    best_start = _day(s.start[best_row]) if s.start_known[best_row] else None
    year = int(adv.step_year[i])
    at = (f"，从{cn_date(best_start)}起", f", from {best_start.isoformat()}") if best_start \
        else (f"（{year}年内仍享受不到待遇）", f" (still no cover in {year})")
    lapse_back = tuple(y for y in ctx.back_paid
                       if ctx.birth_date is None or y != ctx.birth_date.year)
    if own and lapse_back:
        mine_zh, mine_en = years_words(lapse_back)
        if user_months == 0:
            reason = no_gain_reason(s, step_row, ctx.step_figures, ctx)
            zh = f"补缴{mine_zh}年度不能让待遇提前（{reason[0]}），可以不补缴。"
            en = (f"Back-paying {mine_en} brings cover no earlier ({reason[1]}); you may "
                  f"leave it out.")
        elif user_months == months and len(lapse_back) == k:
            zh = f"连同补缴的{mine_zh}年度，待遇提前{months}个月{at[0]}。"
            en = f"With the back-pay of {mine_en}, cover starts {_n(months, 'month')} earlier{at[1]}."
        elif user_months == months:
            zh = (f"只需补缴{best_zh}年度即可提前{months}个月{at[0]}，多补缴的年度不会让待遇更早开始。")
            en = (f"Back-paying {best_en} alone brings cover {_n(months, 'month')} earlier{at[1]}; "
                  f"the other years bring it no earlier.")
        else:
            zh = (f"补缴{mine_zh}年度提前{user_months}个月；补缴{best_zh}年度可提前{months}个月"
                  f"{at[0]}。")
            en = (f"Back-paying {mine_en} brings cover {_n(user_months, 'month')} earlier; "
                  f"back-paying {best_en} brings it {_n(months, 'month')} earlier{at[1]}.")
        return zh, en
    if k:
        price = s.back_pay[best_row] if s.back_pay_known[best_row] else None
        money = _money(int(price) if price is not None else None)
        return (f"同时补缴{best_zh}年度（{money[0]}），待遇可提前{months}个月{at[0]}。",
                f"Back-pay {best_en} with it ({money[1]}) and cover starts "
                f"{_n(months, 'month')} earlier{at[1]}.")
    reason = no_gain_reason(s, step_row, ctx.step_figures, ctx)
    return (f"补缴断保年度也不能让待遇提前（{reason[0]}）。",
            f"Back-paying lapse years brings cover no earlier ({reason[1]}).")


def next_step(res: QuoteResults, i: int, ctx: AdviceContext, adv: Advice) -> NextStep:
    """The one piece of advice of row ``i`` (C23, C24)."""
    s = adv.scenario
    code = int(adv.code[i])
    year, step_year = ctx.coverage_year, int(adv.step_year[i])
    step_row, best_row = int(adv.step_row[i]), int(adv.best_row[i])
    step_ok = not s.error[step_row]
    k = int(adv.best_k[i])
    row = best_row if k else step_row
    start = _day(s.start[row]) if step_ok and s.start_known[row] else None
    start0 = _day(s.start[step_row]) if step_ok and s.start_known[step_row] else None
    pay_from = _day(adv.pay_from[i]) if adv.pay_from[i] else None
    pay_by = _day(adv.pay_by[i]) if adv.pay_by[i] else None
    paid = _on(ctx.payment_date)
    since = (f"从{cn_date(start0)}起", f"from {start0.isoformat()}") if start0 else \
        (f"{step_year}年内也享受不到待遇（等待期较长）", f"no cover in {step_year} either (a long wait)")
    if code == NOTHING_TO_PAY:
        main_start = _day(res.start[i])
        group, group_en = ctx.group_name or "特殊群体", ctx.group_name_en or "special group"
        zh = f"{group}由医疗救助全额资助参保，个人无需缴费，待遇从{cn_date(main_start)}起。"
        en = (f"Medical assistance pays the whole contribution of {group_en}: nothing to pay; "
              f"covered from {main_start.isoformat()}.")
        start = main_start
    elif code == PAY_THIS_YEAR:
        if pay_by:
            zh = f"请在{cn_date(pay_by)}前为{year}年度缴费，待遇{since[0]}。"
            en = f"Pay for {year} by {pay_by.isoformat()}: covered {since[1]}."
        else:
            zh = f"为{year}年度缴费，待遇{since[0]}。"
            en = f"Pay for {year}: covered {since[1]}."
    elif code == PAY_NEXT_YEAR:
        assert pay_by is not None
        zh = (f"按{paid[0]}缴费，{year}年度内已享受不到待遇；请在{cn_date(pay_by)}前为{step_year}"
              f"年度缴费（{step_year}年度集中缴费期），待遇{since[0]}。")
        en = (f"Paid on {paid[1]}, it buys no cover in {year}: pay for {step_year} by "
              f"{pay_by.isoformat()} (its concentrated period), covered {since[1]}.")
    elif pay_from and pay_by:  # WAIT_FOR_NEXT_PERIOD
        zh = (f"按{paid[0]}缴费，{year}年度内已享受不到待遇；{step_year}年度集中缴费期"
              f"{cn_date(pay_from)}至{cn_date(pay_by)}，届时为{step_year}年度缴费，待遇{since[0]}。")
        en = (f"Paid on {paid[1]}, it buys no cover in {year}: pay for {step_year} in its "
              f"concentrated period, {pay_from.isoformat()} to {pay_by.isoformat()}, covered "
              f"{since[1]}.")
    else:
        zh = (f"按{paid[0]}缴费，{year}年度内已享受不到待遇；{step_year}年度的集中缴费期尚未公布，"
              f"请留意医疗保障部门的通知。")
        en = (f"Paid on {paid[1]}, it buys no cover in {year}; the concentrated period for "
              f"{step_year} is not published yet: watch for the insurance office's notice.")
    own = code in (PAY_THIS_YEAR, NOTHING_TO_PAY)
    extra = _suffix(ctx, adv, i, int(adv.months_earlier[i]), own) if code != NOTHING_TO_PAY \
        or ctx.back_paid else ("", "")
    if extra[0]:  # one sentence: the step, then what back-pay does for it
        zh = zh.removesuffix("。") + "；" + extra[0]
        en = en.removesuffix(".") + "; " + extra[1][0].lower() + extra[1][1:]
    amount = int(s.amount[step_row]) if step_ok and s.amount_known[step_row] else None
    if code == NOTHING_TO_PAY:
        amount = 0
    back_pay: int | None = 0
    if k and code != NOTHING_TO_PAY:
        back_pay = int(s.back_pay[best_row]) if s.back_pay_known[best_row] else None
    return NextStep(
        code=NEXT_STEP_CODES[code], coverage_year=step_year, pay_from=pay_from, pay_by=pay_by,
        text=zh, text_en=en,
        back_pay_years=adv.back_pay_years(i) if code != NOTHING_TO_PAY else (),
        months_earlier=int(adv.best_months[i]) if k and code != NOTHING_TO_PAY else 0,
        amount_due_fen=amount, back_pay_fen=back_pay, benefit_start=start,
        reference_share=ctx.reference_share,
        start_reason=start_reason(s, row, _for_step(ctx, adv, i), step_year) if start
        and code != NOTHING_TO_PAY else None,
    )


def _for_step(ctx: AdviceContext, adv: Advice, i: int) -> AdviceContext:
    """The words' context for the step's year (its figures; the advised back-pay)."""
    return AdviceContext(  # built directly: dataclasses.replace costs several times more
        coverage_year=int(adv.step_year[i]), payment_date=ctx.payment_date,
        birth_date=ctx.birth_date, group_name=ctx.group_name, group_name_en=ctx.group_name_en,
        back_paid=adv.back_pay_years(i), figures=ctx.step_figures,
        step_figures=ctx.step_figures, reference_share=ctx.reference_share)

