"""Warnings and notes that answers carry, with figure placeholders (filled like rule texts).

    >>> WARNING_BIT["noclaim"], WARNING["reset"].rule
    (1, 'R-LAPSE-RESET')

``ENGINE_WARNINGS`` are the engine's (one bit each per row); ``back_pay_no_effect``
comes from comparing the answer with the same request without its back-pay (C22);
``history_unknown`` is added by the registry of persons when it does not know a person's
past cover (C21).
"""

from __future__ import annotations

from dataclasses import dataclass

from yibao.rules.sources import GUIGANG_2021, LIUZHOU_2025

__all__ = [
    "ADVICE_WARNINGS",
    "ENGINE_WARNINGS",
    "NOTES_LAPSE",
    "NOTE_BIRTH_YEAR_PAID",
    "NOTE_BIRTH_YEAR_UNPAID",
    "PARAMETER_LABELS",
    "SERVICE_WARNINGS",
    "STATUS_NAMES",
    "WARNING",
    "WARNING_BIT",
    "Note",
    "Warning",
]


@dataclass(frozen=True)
class Warning:
    """A warning of an answer: stable code, texts, and the rule it stems from (if any)."""

    code: str
    text: str
    text_en: str
    rule: str | None = None
    convention: str | None = None  # the convention that decides it (shown with the answer)


@dataclass(frozen=True)
class Note:
    """A note shown with an answer, with its citation."""

    text: str
    text_en: str
    source: str


ENGINE_WARNINGS: tuple[Warning, ...] = (
    Warning("noclaim", "断保期间和待遇等待期内发生的医疗费用不予报销。",
            "Medical costs during a lapse or a waiting period are not reimbursed.",
            "R-LAPSE-NOCLAIM"),
    Warning("reset", "断缴超过{reset_months}个月,连续参保年限清零。",
            "A lapse over {reset_months} months resets the count of continuous years.",
            "R-LAPSE-RESET"),
    Warning("no_benefit",
            "按本次缴费日期计算,待遇开始日已晚于{year}年12月31日:本次缴费在{year}年度不产生待遇享受天数。",
            "Counted from this payment date, cover would start after 31 December {year}: this "
            "payment buys no days of cover in {year}."),
    Warning("deferral_ignored", "{year}年度未公布困难缴费延期政策,困难延期不影响计算。",
            "No hardship deferral is published for {year}; the deferral does not change the "
            "answer."),
    Warning("missing", "部分政策数额尚未公布,金额暂时无法计算。",
            "Some figures are not published yet, so the amount cannot be computed."),
    Warning("status_change_no_effect",
            "本地区未规定刑满释放人员、退役士兵或新认定的重度残疾人免设待遇等待期:身份变化不改变本次计算,"
            "按一般规则计算。",
            "This region exempts no one from waiting for release from prison, discharge from the "
            "army or a new severe-disability certificate: the status change does not change "
            "this answer."),
    Warning("status_change_window_passed",
            "身份变化后{status_window}内(含最后一天)参保缴费的才不设待遇等待期;本次缴费已超过这一期限,"
            "按一般规则计算。",
            "Only a payment within {status_window_en} of the status change (the last day "
            "included) skips the wait; this one is later, so the general rules apply."),
    Warning("concentrated_period_only",
            "孩子已超过新生儿参保期限,需在每年的集中缴费期({concentrated})内参保缴费:集中缴费期外的这次缴费"
            "不产生待遇。",
            "The child is past the newborn window and must enrol in the concentrated period "
            "({concentrated_en}): this payment outside it buys no cover.",
            "R-CHILD-PERIOD"),
)
ADVICE_WARNINGS: tuple[Warning, ...] = (
    Warning("back_pay_no_effect",
            "补缴{back_paid}年度不会让待遇提前:不补缴,{same_start}({no_gain_reason})。",
            "Back-paying {back_paid_en} does not bring cover earlier: without it, "
            "{same_start_en} ({no_gain_reason_en}).",
            "R-WAIT-REPAIR", "C22"),
)
SERVICE_WARNINGS: tuple[Warning, ...] = (
    Warning("history_unknown",
            "登记系统中没有此人此前的参保记录,本次按连续参保计算;如曾断保,待遇开始日可能推后,"
            "请到医保经办机构补录参保历史。",
            "The registry holds no earlier cover for this person, so continuous cover was "
            "assumed; after a lapse cover may start later: have the history recorded at a "
            "medical-insurance office.", None, "C21"),
)
WARNING: dict[str, Warning] = {
    w.code: w for w in (*ENGINE_WARNINGS, *ADVICE_WARNINGS, *SERVICE_WARNINGS)}
WARNING_BIT: dict[str, int] = {w.code: 1 << i for i, w in enumerate(ENGINE_WARNINGS)}

_EFFECTS = f"{LIUZHOU_2025} 居民医保断缴后有哪些影响"
NOTES_LAPSE: tuple[Note, ...] = (
    Note("断缴后大病门诊待遇和基本医保统筹基金支付限额会受到影响,报销比例可能降低。",
         "After a lapse, catastrophic-illness outpatient benefits and the fund's payment limits "
         "may be lower.", f"{_EFFECTS} 4"),
    Note("断缴期间无法使用近亲属的职工医保个人账户余额支付医药费用。",
         "During a lapse a relative's employee personal account cannot pay your costs.",
         f"{_EFFECTS} 5"),
    Note("参保情况可能与子女入学、购房资格等福利政策挂钩。",
         "Enrollment may be linked to other welfare such as school places or housing.",
         f"{_EFFECTS} 6"),
)
NOTE_BIRTH_YEAR_PAID = Note(
    "已补缴出生当年({birth_year}年)参保费,出生当年自{birth}起享受待遇。",
    "The birth year ({birth_year}) is back-paid: covered from birth ({birth_en}) in that year.",
    f"{GUIGANG_2021} 四、新生儿参保缴费 4")
NOTE_BIRTH_YEAR_UNPAID = Note(
    "未补缴出生当年({birth_year}年),只能享受{year}年度待遇。",
    "The birth year ({birth_year}) is not back-paid: cover only for {year}.",
    f"{GUIGANG_2021} 四、新生儿参保缴费 4")

#: names of figures that may be unpublished (``missing``), in words
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "individual_share": ("个人缴费标准", "individual share"),
    "fiscal_subsidy": ("财政补助标准", "fiscal subsidy"),
    "ontime_fee_deadline": ("只缴个人部分的截止日期", "last day for the individual share alone"),
    "assistance": ("医疗救助定额资助金额", "fixed amount of medical assistance"),
    "tilt_assistance": ("倾斜救助比例和限额", "tilt assistance ratio and cap"),
}

#: the status changes of contract §2.2, in words (zh, en)
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "released_from_prison": ("刑满释放人员", "A person released from prison"),
    "discharged_veteran": ("退役士兵", "A discharged veteran"),
    "severe_disability_certified": ("新认定的重度残疾人", "A person newly certified with a severe disability"),
}
