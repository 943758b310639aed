"""Every rule of docs/rules.md §4, declared once: ID, citation, texts, conventions.

    >>> rule = RULE["R-WAIT-FIXED"]
    >>> rule.conventions
    ('C2', 'C6')
    >>> render(rule.plain, {"fixed_wait": "3个月"})
    '未在集中期参保或未连续参保，设固定待遇等待期3个月。'

Texts carry figures as ``{placeholders}``; :mod:`yibao.rules.wording` fills them from
the policy data of the region and year (never from numbers written here), and every
text shown by the API, the CLI and the pages comes from this module.  The order of
``RULES`` is the order of the engine's rule bits.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from yibao.rules.conventions import CONVENTIONS, Convention
from yibao.rules.sources import (
    GUIGANG_2021,
    LIUZHOU_2025,
    NATIONAL_2021_42,
    NATIONAL_2024_38,
    item,
)

__all__ = [
    "CONVENTIONS",
    "RULE",
    "RULES",
    "RULE_BIT",
    "TILT_RULE",
    "Convention",
    "Rule",
    "markdown",
    "placeholders",
    "render",
]


@dataclass(frozen=True)
class Rule:
    """One catalogue rule: what it is, where it comes from, and how answers word it.

    ``text``/``text_en`` give the reason in one answer (figures of that answer);
    ``plain``/``plain_en`` say what the rule means for a resident (figures of the
    region and year); ``parameters`` name the policy figures whose citations join
    ``source`` in an answer; ``conventions`` are the IDs of docs/rules.md §6 it relies on.
    """

    id: str
    title: str
    title_en: str
    source: str
    text: str
    text_en: str
    plain: str
    plain_en: str
    conventions: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()


_PLURAL = re.compile(r"\b(\d+)((?: [a-z-]+)*?) ([a-z]+)\(s\)")
_DOUBLED = (("((", "("), ("))", ")"), ("（（", "（"), ("））", "）"), ("(（", "（"), ("）)", "）"))


@lru_cache(maxsize=8192)
def tidy(text: str) -> str:
    """A filled text as people write it: "2 year(s)" → "2 years", "1 month(s)" → "1 month";
    a figure's own brackets inside the text's brackets once ("((amount not published))" →
    "(amount not published)")."""
    def plural(m: re.Match[str]) -> str:
        return f"{m[1]}{m[2]} {m[3]}{'' if m[1] == '1' else 's'}"

    text = _PLURAL.sub(plural, text)
    for doubled, single in _DOUBLED:
        text = text.replace(doubled, single)
    return text


def render(template: str, figures: Mapping[str, object]) -> str:
    """``template`` with its placeholders filled (:func:`tidy`); an unknown placeholder is a
    ``KeyError``."""
    return tidy(template.format_map(figures))


def placeholders(template: str) -> set[str]:
    """The placeholder names of ``template``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


RULES: tuple[Rule, ...] = (
    Rule(
        "R-FEE-ONTIME", "按时缴费只缴个人部分", "On time: the individual share only",
        f"{GUIGANG_2021} 缴费标准; {LIUZHOU_2025} 注意事项",
        "在集中缴费期开始至{deadline}(含)缴费,只需缴纳个人缴费部分{individual}。",
        "Paid from the opening of the concentrated period up to {deadline_en} (inclusive): "
        "only the individual share is due ({individual_en}).",
        "{deadline}（含）以前缴费，只需缴纳个人缴费部分。",
        "Paid by {deadline_en} (inclusive): you pay only the individual share.",
        (), ("individual_share", "ontime_fee_deadline"),
    ),
    Rule(
        "R-FEE-LATE", "逾期缴费须承担财政补助", "Late: the fiscal subsidy is borne too",
        f"{GUIGANG_2021} 缴费标准; {LIUZHOU_2025} 注意事项",
        "{deadline}以后缴费,须缴纳个人缴费{individual}和财政补助{subsidy}。",
        "Paid after {deadline_en}: the individual share ({individual_en}) and the fiscal "
        "subsidy ({subsidy_en}) are both due.",
        "{deadline}以后缴费，个人还须承担财政补助部分。",
        "Paid after {deadline_en}: you also bear the government's subsidy share.",
        ("C12",), ("individual_share", "fiscal_subsidy", "ontime_fee_deadline"),
    ),
    Rule(
        "R-FEE-NEWBORN", "新生儿缴费标准", "Newborns' contribution",
        f"{GUIGANG_2021} 四、新生儿参保缴费 1、2",
        "新生儿在出生后{window}内缴费只缴个人部分;超过{window}且在{deadline}以后缴费须加缴财政补助。",
        "A newborn paying within {window_en} of birth pays the individual share only; after "
        "that and after {deadline_en}, the fiscal subsidy is added.",
        "新生儿在出生{window}内（含最后一天）缴费，只缴个人部分。",
        "A newborn paying within {window_en} of birth (the last day included) pays only the "
        "individual share.",
        ("C3", "C12"), ("individual_share", "newborn_window"),
    ),
    Rule(
        "R-FEE-ASSIST", "特殊群体资助参保", "Special groups: contribution paid by assistance",
        f"{LIUZHOU_2025} 特殊群体待遇、补缴对象; {NATIONAL_2021_42}",
        "{group}的个人缴费由医疗救助资助({assist_kind}),免申即享。",
        "{group_en}: medical assistance pays the contribution ({assist_kind_en}), without "
        "an application.",
        "您属于特殊群体，参保费用由医疗救助资助，免申即享。",
        "As a member of a special group, medical assistance pays your contribution.",
        ("C7", "C12", "C16"), ("assistance",),
    ),
    Rule(
        "R-START-ONTIME", "集中期内缴费自1月1日起享受待遇", "Concentrated period: cover from Jan 1",
        f"{GUIGANG_2021} 待遇享受时间 一、集中参保缴费期; 三、中断缴费 2",
        "在集中参保缴费期内缴费(或在困难延期内),待遇自{year}年1月1日起。",
        "Paid within the concentrated period (or within the hardship deferral): covered from "
        "1 January {year}.",
        "在集中缴费期（{concentrated}）内缴费，从参保年度1月1日起享受待遇。",
        "Paid in the concentrated period ({concentrated_en}): covered from January 1.",
        (), ("concentrated_period", "hardship_deferral"),
    ),
    Rule(
        "R-START-LATE", "逾期缴费次月1日起享受待遇", "Late: cover from the 1st of the next month",
        f"{GUIGANG_2021} 待遇享受时间 二、逾期缴费",
        "集中征收期后缴费,待遇自缴费次月1日({start})起。",
        "Paid after the concentrated period: covered from the 1st of the next month ({start_en}).",
        "集中缴费期后缴费，从缴费后次月1日起享受待遇。",
        "Paid after the concentrated period: covered from the 1st of the next month.",
        ("C1",), ("waiting_regime",),
    ),
    Rule(
        "R-START-GAP", "中断缴费1年以上后续保的待遇享受时间",
        "After a lapse of a year or more: when cover starts",
        f"{GUIGANG_2021} 待遇享受时间 三、中断缴费 1",
        "中断缴费{lapse}年后续保,待遇自缴费后第{gap_months}个月1日({start})起。",
        "Re-enrolling after {lapse} year(s) of lapse: covered from the 1st of the month "
        "{gap_months} months after the payment month ({start_en}).",
        "断缴1年以上后续保，从缴费后第{gap_months}个月1日起享受待遇。",
        "Re-enrolling after a lapse of a year or more: covered from the 1st of the month "
        "{gap_months} months after the payment month.",
        ("C1", "C5"), ("waiting_regime",),
    ),
    Rule(
        "R-START-NEWBORN", "新生儿待遇享受时间", "Newborns: when cover starts",
        f"{GUIGANG_2021} 四、新生儿参保缴费 3、4",
        "新生儿(出生于{birth}){newborn_reason},待遇自{start}起。",
        "Newborn (born {birth_en}) {newborn_reason_en}: covered from {start_en}.",
        "新生儿在出生{window}内（含最后一天）缴费，从出生之日起享受待遇；超过{window}才缴费，"
        "从缴费次月1日起享受新发生的待遇。",
        "A newborn paid for within {window_en} of birth (the last day included) is covered "
        "from birth; paid later, from the 1st of the next month.",
        ("C3", "C4"), ("newborn_window",),
    ),
    Rule(
        "R-START-TRANSFER", "职工医保转居民医保当月享受待遇",
        "From employee insurance: cover from the payment month",
        f"{GUIGANG_2021} 五、职工医保转城乡居民参保缴费; {NATIONAL_2024_38}",
        "职工医保于{emp_end}终止后转入居民医保,待遇自缴费当月1日({start})起,不设等待期。",
        "Employee insurance ended on {emp_end_en}; moving to resident insurance gives cover "
        "from the 1st of the payment month ({start_en}), with no waiting period.",
        "职工医保终止后{transfer_window}转居民医保，从缴费当月1日起享受待遇。",
        "Moving from employee insurance {transfer_window_en}: covered from the 1st of the "
        "payment month.",
        ("C8", "C17"), ("transfer_window",),
    ),
    Rule(
        "R-WAIT-FIXED", "固定待遇等待期", "Fixed waiting period",
        f"{LIUZHOU_2025} 补缴后待遇 等待期; 注意事项; {NATIONAL_2024_38}",
        "未在集中期参保或未连续参保,设固定待遇等待期{fixed_wait}。",
        "Not enrolled in the concentrated period, or not continuously: a fixed waiting period "
        "of {fixed_wait_en}.",
        "未在集中期参保或未连续参保，设固定待遇等待期{fixed_wait}。",
        "Not enrolled in the concentrated period or not continuously: a fixed wait of "
        "{fixed_wait_en}.",
        ("C2", "C6"), ("waiting_periods",),
    ),
    Rule(
        "R-WAIT-VARIABLE", "断保增加变动待遇等待期", "Variable waiting period for a lapse",
        f"{LIUZHOU_2025} 注意事项 等待期; {NATIONAL_2024_38}",
        "连续断保{lapse}年,每多断保1年增加{variable_per_year}个月,变动待遇等待期{variable_before}个月。",
        "{lapse} year(s) of lapse: each year beyond the first adds {variable_per_year} month(s), "
        "a variable waiting period of {variable_before} month(s).",
        "每多断保1年，等待期再加{variable_per_year}个月。",
        "Each further year of lapse adds {variable_per_year} month(s) of waiting.",
        ("C5",), ("waiting_periods",),
    ),
    Rule(
        "R-WAIT-REPAIR", "补缴断保年度减少变动等待期", "Back-paying lapse years shortens the wait",
        NATIONAL_2024_38,
        "补缴{repaired}个断保年度,变动等待期减少{repaired_months}个月;断缴{repair_floor_from}年及以上的,"
        "等待期合计不少于{repair_floor}个月。",
        "{repaired} lapse year(s) back-paid cut the variable wait by {repaired_months} month(s); "
        "after {repair_floor_from} or more lapse years the total wait stays at least "
        "{repair_floor} months.",
        "补缴断保年度，每补1年可减少{repair_per_year}个月变动等待期。",
        "Each lapse year back-paid cuts {repair_per_year} month(s) of the variable wait.",
        ("C10", "C18", "C19"), ("waiting_periods",),
    ),
    Rule(
        "R-WAIT-EXEMPT", "新生儿和特殊群体不设等待期", "Newborns and special groups do not wait",
        f"{LIUZHOU_2025} 注意事项 等待期: 除新生儿等特殊群体外; {NATIONAL_2024_38}",
        "{exempt_reason}不设待遇等待期。",
        "{exempt_reason_en}: no waiting period.",
        "新生儿和特殊群体不设等待期。",
        "Newborns and special groups have no waiting period.",
        ("C15",), ("waiting_exempt_status",),
    ),
    Rule(
        "R-LAPSE-NOCLAIM", "断保期和等待期费用不予报销", "No claims during a lapse or a wait",
        f"{LIUZHOU_2025} 居民医保断缴后有哪些影响 1; 补缴后待遇",
        "断保期间和待遇等待期内发生的医疗费用不予报销。",
        "Medical costs during a lapse or a waiting period are not reimbursed.",
        "断保期间和等待期内发生的医疗费用不予报销。",
        "Medical costs during a lapse or a waiting period are not reimbursed.",
        (), (),
    ),
    Rule(
        "R-LAPSE-RESET", "断缴后连续参保年限清零", "A lapse resets the continuous years",
        f"{LIUZHOU_2025} 居民医保断缴后有哪些影响 2; {NATIONAL_2024_38}",
        "断缴超过{reset_months}个月,连续参保年限清零,影响今后的报销待遇。",
        "A lapse over {reset_months} months resets the count of continuous enrollment years, "
        "which affects future benefits.",
        "断缴超过{reset_months}个月，连续参保年限清零。",
        "A lapse over {reset_months} months resets your count of continuous years.",
        (), ("lapse_reset",),
    ),
    Rule(
        "R-START-RELAPSE", "断缴后再参保从缴费后第几个月起享受待遇",
        "After a lapse: cover from the start of a month after payment",
        f"{item('2025广西桂林居民医保断缴怎么补交')} 一、断缴影响",
        "从停保次月起待遇停止;断缴超过{relapse_over}个月再缴费,从缴费后第{relapse_month}个月起"
        "(该月1日)重新享受待遇,连同变动等待期,待遇自{start}起。",
        "Benefits stop from the month after cover stopped; paid after a lapse of more than "
        "{relapse_over} months, cover resumes from the 1st of the {relapse_month_en} month after "
        "the payment month, with any variable wait: from {start_en}.",
        "断缴超过{relapse_over}个月再缴费，从缴费后第{relapse_month}个月1日起重新享受待遇。",
        "Paid after a lapse of more than {relapse_over} months: cover resumes from the 1st of "
        "the {relapse_month_en} month after the payment month.",
        ("C1", "C31"), ("lapse_restart", "waiting_periods"),
    ),
    Rule(
        "R-CHILD-PERIOD", "超过新生儿参保期限的孩子在集中缴费期参保",
        "Children past the newborn window enrol in the concentrated period",
        f"{item('青海医保怎么替孩子缴纳医保')} 一、线下办理流程 参保条件",
        "孩子(出生于{birth})已超过出生后{window}的新生儿参保期限,需在每年的集中缴费期({concentrated})"
        "内参保缴费;集中缴费期外的这次缴费在{year}年度不产生待遇。",
        "The child (born {birth_en}) is past the newborn window of {window_en}: enrol in the "
        "concentrated period ({concentrated_en}); this payment outside it buys no cover in {year}.",
        "孩子出生超过{window}的，需在每年的集中缴费期（{concentrated}）内参保缴费。",
        "A child older than {window_en} enrols in the concentrated period ({concentrated_en}).",
        ("C3", "C34"), ("child_enrolment", "newborn_window", "concentrated_period"),
    ),
)

#: Tilt assistance (倾斜救助): a rule of its own, answered by ``yibao assistance``, not by quotes.
TILT_RULE = Rule(
    "R-ASSIST-TILT", "大病患者倾斜救助", "Tilt assistance for catastrophic patients",
    f"{LIUZHOU_2025} 特殊群体待遇 倾斜救助",
    "符合规定的自付费用{eligible}按{min_percent}%至{max_percent}%计,在年度限额内可救助{low}至{high};"
    "本年度已获救助{granted},年度累计最高{cap},尚余{room}。具体比例由医疗保障部门按个案确定。",
    "{min_percent}%-{max_percent}% of the eligible costs of {eligible_en}, within the annual "
    "cap, is {low_en} to {high_en}; {granted_en} was granted this year, the cap is {cap_en}, "
    "{room_en} is left.  The office sets the ratio of each case.",
    "因高额医疗费用支出导致家庭基本生活出现严重困难的大病患者，可获符合规定费用"
    "{min_percent}%至{max_percent}%的倾斜救助，年度累计最高{cap}。",
    "Catastrophic patients whose household falls into serious hardship through high medical "
    "costs can receive {min_percent}%-{max_percent}% of eligible costs, at most {cap_en} a year.",
    (), ("tilt_assistance",),
)

RULE: dict[str, Rule] = {rule.id: rule for rule in RULES}
RULE_BIT: dict[str, int] = {rule.id: 1 << i for i, rule in enumerate(RULES)}

assert set(CONVENTIONS) >= {c for rule in RULES for c in rule.conventions}


def markdown() -> str:
    """The registry as a Markdown table (docs/rules.md holds a copy that a test compares)."""
    lines = ["| ID | rule | citation | conventions | what it means (figures from the policy data) |",
             "|---|---|---|---|---|"]
    for rule in (*RULES, TILT_RULE):
        conventions = ", ".join(rule.conventions) or "—"
        lines.append(f"| {rule.id} | {rule.title} / {rule.title_en} | {rule.source} | "
                     f"{conventions} | {rule.plain} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m yibao.rules.registry > table (for docs/rules.md)
    print(markdown(), end="")
