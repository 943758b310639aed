"""The conventions of docs/rules.md §6: product decisions where the sources leave a choice.

    >>> CONVENTIONS["C3"].text_en[:40]
    'The newborn window is [birth, birth + 3 '

C3, C17 and C19 follow the revision of 2026-11-29.  C20 and C21 are the registry's (a
payment's ceiling, a person's history); C22–C27 decide what an answer advises (contract
§2.1: ``back_pay_effect``, ``next_step``, ``benefit_start_reason``, ``reference_share``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONVENTIONS", "Convention"]


@dataclass(frozen=True)
class Convention:
    """One convention: its ID and what it decides, in Chinese and English."""

    id: str
    text: str
    text_en: str


def _c(cid: str, text: str, text_en: str) -> tuple[str, Convention]:
    return cid, Convention(cid, text, text_en)


CONVENTIONS: dict[str, Convention] = dict((
    _c("C1", "次月1日 = 缴费月份的下一个月1日;第3个月1日 = 缴费月份 + 3 个月的1日",
       "次月1日 is the 1st of the month after the payment month; 第3个月1日 is the 1st of "
       "payment month + 3"),
    _c("C2", "加月份保留日期,超出月末时取该月最后一天",
       "adding months keeps the day and clamps to the month's last day"),
    _c("C3", "新生儿窗口为 [出生日, 出生日 + 3个月],含最后一天(民法典第二百零一条、第二百零二条、"
             "第一千二百五十九条):2021-01-15出生,2021-04-15仍在窗口内;按天计的窗口(青海180天)同样含第180天",
       "The newborn window is [birth, birth + 3 months], the end day included (Civil Code "
       "art. 201, 202, 1259): born 2021-01-15, 2021-04-15 is inside; a window in days "
       "(Qinghai's 180) includes its last day"),
    _c("C4", "新生儿 = 出生于参保年度,或出生于上一年且在窗口内缴费",
       "a newborn is born in the coverage year, or born the year before and paying within "
       "the window"),
    _c("C5", "断保年数 = 参保年度前连续未参保的年数;出生当年及以前不计;从未参保为首次参保",
       "lapse years are the consecutive uncovered years just before the coverage year; the "
       "birth year and earlier never count; never covered is a first enrolment"),
    _c("C6", "新办法等待期自缴费日与1月1日中较晚者起算",
       "new-regime waiting months count from the later of the payment date and Jan 1"),
    _c("C7", "全额资助的特殊群体应缴 0 元;2025年起不设等待期",
       "fully assisted special groups owe 0.00; from 2025 they do not wait"),
    _c("C8", "职工医保转居民医保:旧办法同一年内,新办法终止后3个月内,自缴费当月1日起",
       "employee to resident insurance: old regime within the same year, new regime within "
       "3 months of the end; cover from the 1st of the payment month"),
    _c("C9", "困难延期:2025年以前至参保年度2月底视为集中期缴费;2025年起无效",
       "hardship deferral: before 2025 a payment up to the end of February counts as in the "
       "concentrated period; from 2025 it has no effect"),
    _c("C10", "每补缴1个断保年度减少1个月变动等待期;断保4年及以上合计不少于6个月",
       "each lapse year back-paid cuts one month of variable wait; after a 4-year lapse the "
       "total stays at least 6 months"),
    _c("C11", "早于上一年9月1日或晚于参保年度12月31日的缴费为输入错误",
       "a payment before Sep 1 of the year before or after Dec 31 of the coverage year is an "
       "input error"),
    _c("C12", "7月1日起的财政补助由个人承担,窗口内新生儿和特殊群体除外",
       "from July 1 the payer also bears the fiscal subsidy, except newborns inside the window "
       "and special groups"),
    _c("C13", "未公布的数据不编造:金额为空,并列出未公布的数额",
       "an unpublished figure is never invented: the amount is empty and the figure is named"),
    _c("C14", "旧办法的待遇享受规则适用于2025年以前的全广西",
       "the old-regime start rules apply Guangxi-wide before 2025"),
    _c("C15", "新办法豁免顺序:窗口内新生儿、特殊群体、按时且未断保、职工转入、一般等待期",
       "new-regime order of exemptions: newborn in the window, special group, on time without "
       "lapse, transfer, then the general waiting rules"),
    _c("C16", "定额资助群体与全额资助群体时间规则相同,不承担7月1日补助,余额未公布",
       "fixed-assistance groups share the full groups' timing, bear no July-1 subsidy, and "
       "their remaining amount is unpublished"),
    _c("C17", "转入窗口为 [职工医保终止日, 终止日 + 3个月],含最后一天;职工医保终止前的缴费不是转入",
       "the transfer window is [end date, end date + 3 months], the end day included; a "
       "payment before the employee insurance ended is never a transfer"),
    _c("C18", "全部补缴后仍保留固定等待期3个月", "a full repair leaves the fixed 3 months"),
    _c("C19", "补缴价格为参保年度个人缴费标准/年;新生儿补缴出生当年按出生当年的个人缴费标准;同一年重复为输入错误",
       "back-pay costs the coverage year's individual share per lapse year; a newborn's birth "
       "year costs the birth year's share; a year listed twice is an input error"),
    _c("C20", "一笔缴费不超过该年度任何人可能应缴的数额:参保年度和每个补缴年度各按个人缴费+财政补助计;"
              "其中有未公布的数额时,按每年3000元的缴费上限参数计;超过的缴费拒收,不入账",
       "one payment for one coverage year cannot exceed what the year could cost anyone: "
       "share + fiscal subsidy for the coverage year and each back-paid year, or the "
       "payment_ceiling parameter (3,000.00 a year) where a figure is unpublished; larger "
       "amounts are refused, not recorded"),
    _c("C21", "登记在册人员的参保年度取自登记系统(申报、导入的年度和通过系统缴费的年度);"
              "无法判断参保年度前几年是否参保时,按连续参保计算,并提示参保历史不明",
       "a registered person's covered years come from the registry (declared or imported "
       "years and years paid through it); when it cannot tell whether the years just before "
       "were covered, the answer assumes continuous cover (C5) and warns history_unknown"),
    _c("C22", "补缴效果按待遇开始日所在月份之差计(待遇开始日晚于12月31日时按算出的日期计);"
              "新生儿补缴出生当年的,待遇自出生之日起计;提前0个月时提示补缴不会让待遇提前",
       "the effect of back-pay is the difference in calendar months between the first days "
       "of cover with and without it (a start after Dec 31 counts at the computed date); a "
       "newborn's back-paid birth year counts from the birth date; 0 months warns "
       "back_pay_no_effect"),
    _c("C23", "下一步:全额资助应缴为0的,无需缴费;本次缴费当年有待遇的,为本年度缴费;"
              "没有待遇而下一年度集中缴费期已开始的,在期内为下一年度缴费;未开始的,等到集中缴费期开始;"
              "下一年度按本年度未参保(计为断保年度)计算",
       "next step: nothing to pay when full assistance leaves 0.00; pay for this year when "
       "the payment gives cover this year; otherwise pay for next year within its "
       "concentrated period when it is open, or wait for it to open; next year is answered "
       "with this year unpaid (a lapse year)"),
    _c("C24", "建议补缴的断保年度:从最近的断保年度起,取能让待遇最早开始的最少年数;"
              "不能提前的,不建议补缴并说明原因",
       "advised back-pay: the latest lapse years first, the fewest that give the earliest "
       "start; where back-pay brings nothing, none is advised and the answer says why"),
    _c("C25", "全额资助的特殊群体补缴断保年度仍按约定19计价(由本人缴纳,资料未说明由医疗救助代缴);"
              "2025年起其不设等待期,补缴不改变待遇开始日,并提示补缴不会让待遇提前",
       "a fully assisted resident who back-pays lapse years pays the C19 price (the sources "
       "do not say that assistance pays it); from 2025 they do not wait, so back-pay changes "
       "no date, and the answer warns back_pay_no_effect"),
    _c("C26", "出生于上一年、超过窗口才缴费的新生儿,从待遇开始日前发生的医疗费用不予报销",
       "a child born the year before and paid for after the newborn window: costs before "
       "cover starts are not reimbursed (R-LAPSE-NOCLAIM)"),
    _c("C27", "参保年度的个人缴费标准未公布时,应缴金额为空;可另示最近已公布年度的标准,注明仅供参考",
       "when the coverage year's share is unpublished the amount stays empty; the latest "
       "published year's share may be shown beside it, marked for reference only"),
))
