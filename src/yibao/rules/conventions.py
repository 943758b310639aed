"""The conventions of docs/rules.md §6: product decisions where the sources leave a choice.

    >>> CONVENTIONS["C3"].text_en[:40]
    'The newborn window is [birth, birth + 3 '

C3, C17 and C19 follow the revision of 2026-11-29.  C20 and C21 are the registry's (a
payment's ceiling, a person's history); C22–C27 decide what an answer advises (contract
§2.1: ``back_pay_effect``, ``next_step``, ``benefit_start_reason``, ``reference_share``);
C30–C36 decide the regional variants (status changes, Guilin's start after a lapse,
Jieyang's wait in days, newborn windows not stated, Qinghai's children, Liaoning's online
payment) and continuous years.
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
    # regional variants and continuous years (docs/rules.md §6, §6d)
    _c("C30", "身份变化后直接参保不设等待期的地区(如云浮):自身份开始之日起3个月内(含最后一天)缴费的,"
              "不设固定和变动待遇等待期,待遇自缴费日(不早于1月1日)起;超过期限按一般规则;"
              "其他地区身份变化不改变计算",
       "where a region lets residents enrol without waiting after release from prison, "
       "discharge or a severe-disability certificate (Yunfu), a payment within 3 months of the "
       "day the status began (the last day included) has no wait and cover starts on the "
       "payment day (not before Jan 1); later, the general rules apply; elsewhere the status "
       "change changes nothing"),
    _c("C31", "桂林:断缴从停保次月1日起算(上年参保的为1月1日,职工医保终止的为终止次月1日);"
              "断缴超过3个月 = 缴费日晚于起算日加3个月;“补缴成功后的第3个月起”按C1计为缴费月份+3的1日,"
              "另加变动等待期:2025-03-15缴费 → 2025-06-01(全国规则为2025-06-15)",
       "Guilin: a lapse begins on the 1st of the month after cover stopped (Jan 1 after last "
       "year's cover, the 1st of the month after employee insurance ended); more than 3 months "
       "= paid later than that day + 3 months; \"from the 3rd month after the back-payment\" "
       "is the 1st of payment month + 3 (C1), plus variable months: paid 2025-03-15 → "
       "2025-06-01 (the national rule gives 2025-06-15)"),
    _c("C32", "揭阳“等待期通常为90天”:固定待遇等待期自C6的起算日起计90天,变动等待期按月加在其后(C2);"
              "断缴4年及以上的,待遇开始不早于起算日加6个月",
       "Jieyang's \"usually 90 days\": the fixed wait is 90 days from the C6 anchor, the "
       "variable months are added after it (C2); after a lapse of 4 years or more cover never "
       "starts before the anchor + 6 months"),
    _c("C33", "文件说新生儿从出生之日起享受待遇或不受等待期限制、未规定参保期限的(潮州、云浮):"
              "出生当年内参保缴费的新生儿从出生之日起享受待遇;出生于上一年的按一般规则",
       "where a text covers newborns from birth or exempts them from waiting without a window "
       "(Chaozhou, Yunfu): a newborn paid for in the birth year is covered from birth; one "
       "born the year before follows the general rules"),
    _c("C34", "青海“孩子超过180天,需在每年的集中缴费期内办理参保手续”:参保年度1月1日未满18周岁、已超过新生儿窗口的孩子"
              "在集中缴费期外缴费,本次缴费不产生待遇,答案提示在集中缴费期内参保",
       "Qinghai's children older than 180 days enrol in the concentrated period: for a minor "
       "(under 18 on 1 January of the coverage year) "
       "past the newborn window, a payment outside the period buys no cover and the answer "
       "says to enrol in the period"),
    _c("C35", "辽宁灵活就业人员网上自主缴费:2024-07-01至2025-06-30(含);“即将年满55周岁(女性)或60周岁"
              "(男性)” = 该生日在当日之后12个月内(含);已满该年龄的同样到医保窗口核定缴费",
       "Liaoning flexible workers pay online from 2024-07-01 to 2025-06-30 (inclusive); "
       "\"about to turn 55 (women) or 60 (men)\" = that birthday within the 12 months after the "
       "day (inclusive); those already that age also go to an office"),
    _c("C36", "连续参保年限按参保年度计,自开始计算的年度(2025年)起;本次缴费使参保年度有待遇的计入该年度;"
              "断缴清零后从参保年度重新计算;广西满4年后每年提高大病保险限额2000元,"
              "累计不超过原封顶线的20%(原封顶线未公布,不计上限)",
       "continuous years count coverage years from the first year counted (2025); the "
       "coverage year counts when this payment covers it; after a reset the count restarts "
       "with it; Guangxi raises the catastrophic cap by 2,000 a year after 4 years, at most "
       "20% of the base cap (unpublished: no limit applied)"),
))
