"""The rules catalogue (docs/rules.md §4) and conventions (§6) as data for explanations.

Each rule has a bit in the engine's per-row ``rules`` mask, so that a batch of
a hundred million rows carries its explanation as one integer per row.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONVENTIONS",
    "NOTES_LAPSE",
    "RULES",
    "RULE_BIT",
    "SERVICE_WARNINGS",
    "WARNINGS",
    "WARNING_BIT",
    "Rule",
]

S0 = "seed 000_676d7a5ab6b5a1e6.txt"
S1 = "seed 001_dd7cd43d517dffb1.txt"


@dataclass(frozen=True)
class Rule:
    """One catalogue rule: ID, title, citation and the reason template shown in answers."""

    id: str
    title: str
    source: str
    text: str


RULES: tuple[Rule, ...] = (
    Rule("R-FEE-ONTIME", "按时缴费只缴个人部分", f"{S0} 缴费标准; {S1} 注意事项",
         "在集中缴费期开始至{deadline}(含)缴费,只需缴纳个人缴费部分 {individual} 元。"),
    Rule("R-FEE-LATE", "7月1日起缴费须承担财政补助", f"{S0} 缴费标准; {S1} 注意事项",
         "{deadline}以后缴费,须缴纳个人缴费 {individual} 元和财政补助 {subsidy} 元。"),
    Rule("R-FEE-NEWBORN", "新生儿缴费标准", f"{S0} 四、新生儿参保缴费 1、2",
         "新生儿在出生后{window}内缴费只缴个人部分;超过窗口且在7月1日以后缴费须加缴财政补助。"),
    Rule("R-FEE-ASSIST", "特殊群体资助参保", f"{S1} 特殊群体待遇: 全额资助,免申即享; 国办发〔2021〕42号",
         "{group}的个人缴费由医疗救助资助({assist_kind}),本人应缴余额见金额。"),
    Rule("R-START-ONTIME", "集中期内缴费自1月1日起享受待遇", f"{S0} 一、集中参保缴费期; 三、中断缴费 2",
         "在集中参保缴费期内缴费(或在困难延期内),待遇自{year}年1月1日起。"),
    Rule("R-START-LATE", "逾期缴费次月1日起享受待遇", f"{S0} 二、逾期缴费",
         "集中征收期后缴费,待遇自缴费次月1日({start})起。"),
    Rule("R-START-GAP", "中断缴费1年以上第3个月1日起享受待遇", f"{S0} 三、中断缴费 1",
         "中断缴费{lapse}年后续保,待遇自缴费后第3个月1日({start})起。"),
    Rule("R-START-NEWBORN", "新生儿待遇享受时间", f"{S0} 四、新生儿参保缴费 3、4",
         "新生儿(出生于{birth}){newborn_reason},待遇自{start}起。"),
    Rule("R-START-TRANSFER", "职工医保转居民医保当月享受待遇", f"{S0} 五、职工医保转城乡居民参保缴费",
         "职工医保于{emp_end}终止后转入居民医保,待遇自缴费当月1日({start})起,不设等待期。"),
    Rule("R-WAIT-FIXED", "固定待遇等待期3个月", f"{S1} 补缴后待遇/等待期; 注意事项",
         "未在集中期参保或未连续参保,设固定待遇等待期{fixed}个月。"),
    Rule("R-WAIT-VARIABLE", "每多断保1年增加1个月变动等待期", f"{S1} 注意事项/等待期",
         "连续断保{lapse}年,每多断保1年增加1个月,变动待遇等待期{variable_before}个月。"),
    Rule("R-WAIT-REPAIR", "补缴断保年度减少变动等待期", "国办发〔2024〕38号 (2024-07-26)",
         "补缴{repaired}个断保年度,变动等待期减少{repaired}个月;断缴4年及以上的,等待期合计不少于6个月。"),
    Rule("R-WAIT-EXEMPT", "新生儿和特殊群体不设等待期", f"{S1} 注意事项/等待期: 除新生儿等特殊群体外",
         "{exempt_reason}不设待遇等待期。"),
    Rule("R-LAPSE-NOCLAIM", "断保期和等待期费用不予报销", f"{S1} 居民医保断缴后有哪些影响 1; 补缴后待遇",
         "断保期间和待遇等待期内发生的医疗费用不予报销。"),
    Rule("R-LAPSE-RESET", "断缴超过3个月连续参保年限清零", f"{S1} 居民医保断缴后有哪些影响 2",
         "断缴超过3个月,连续参保年限清零,影响今后的报销待遇。"),
)

RULE_BIT: dict[str, int] = {rule.id: 1 << i for i, rule in enumerate(RULES)}

# Warnings: (key, Chinese text, rule ID it stems from or None)
WARNINGS: tuple[tuple[str, str, str | None], ...] = (
    ("noclaim", "断保期间和待遇等待期内发生的医疗费用不予报销(R-LAPSE-NOCLAIM)。", "R-LAPSE-NOCLAIM"),
    ("reset", "断缴超过3个月,连续参保年限清零(R-LAPSE-RESET)。", "R-LAPSE-RESET"),
    ("no_benefit",
     "按本次缴费日期计算,待遇开始日已晚于{year}年12月31日:本次缴费在{year}年度不产生待遇享受天数。", None),
    ("deferral_ignored", "{year}年度未公布困难缴费延期政策,困难延期标记不影响计算(C9)。", None),
    ("missing", "部分政策数据尚未公布,金额无法计算,详见 missing。", None),
)
WARNING_BIT: dict[str, int] = {key: 1 << i for i, (key, _, _) in enumerate(WARNINGS)}

# Warnings the registry adds to a registered person's quote: code → text
SERVICE_WARNINGS: dict[str, str] = {
    "history_unknown": "登记系统中没有此人此前的参保记录,本次按连续参保计算;如曾断保,"
                       "待遇开始日可能推后,请到医保经办机构补录参保历史。",
}

NOTES_LAPSE: tuple[tuple[str, str], ...] = (
    ("断缴后大病门诊待遇和基本医保统筹基金支付限额会受到影响,报销比例可能降低。", f"{S1} 居民医保断缴后有哪些影响 4"),
    ("断缴期间无法使用近亲属的职工医保个人账户余额支付医药费用。", f"{S1} 居民医保断缴后有哪些影响 5"),
    ("参保情况可能与子女入学、购房资格等福利政策挂钩。", f"{S1} 居民医保断缴后有哪些影响 6"),
)

CONVENTIONS: dict[str, str] = {
    "C1": "次月1日 = 缴费月份的下一个月1日;第3个月1日 = 缴费月份 + 3 个月的1日",
    "C2": "加月份保留日期,超出月末时取该月最后一天",
    "C3": "新生儿窗口为 [出生日, 出生日 + 3个月)",
    "C4": "新生儿 = 出生于参保年度,或出生于上一年且在窗口内缴费",
    "C5": "断保年数 = 参保年度前连续未参保的年数;出生当年及以前不计",
    "C6": "新办法等待期自缴费日与1月1日中较晚者起算",
    "C7": "全额资助的特殊群体应缴 0 元;2025年起不设等待期",
    "C8": "职工医保转居民医保:旧办法同一年内,新办法终止后3个月内,自缴费当月1日起",
    "C9": "困难延期:2025年以前至参保年度2月底视为集中期缴费;2025年起无效",
    "C10": "每补缴1个断保年度减少1个月变动等待期;断保4年及以上合计不少于6个月",
    "C11": "早于上一年9月1日或晚于参保年度12月31日的缴费为输入错误",
    "C12": "7月1日起的财政补助由个人承担,窗口内新生儿和特殊群体除外",
    "C13": "未公布的数据不编造:金额为 null,并在 missing 中列出",
    "C14": "旧办法的待遇享受规则适用于2025年以前的全广西",
    "C15": "新办法豁免顺序:窗口内新生儿、特殊群体、按时且未断保、职工转入、一般等待期",
    "C16": "定额资助群体与全额资助群体时间规则相同,不承担7月1日补助,余额未公布",
    "C17": "转入窗口为 [职工医保终止日, 终止日 + 3个月)",
    "C18": "全部补缴后仍保留固定等待期3个月",
    "C19": "补缴价格为参保年度个人缴费标准/年;同一年重复为输入错误",
}
