"""Codes shown as words: statuses, settlements, channels, roles, audit actions, ...

    >>> word("enrollment_status", "overpaid")
    ('已缴费（多缴）', 'paid (overpaid)')
    >>> word("channel", "bank_counter")[0]
    '银行柜面'

Pages never print a code: every value the API gives as a code is looked up here
(reference data for channels, groups, application types and materials; the tables
below for the registry's own states). An unknown code reads "其他" / "other".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from yibao.operations.reconcile.words import CATEGORY_WORDS, COUNT_WORDS, OUTCOME_WORDS
from yibao.policy import reference_data as reference
from yibao.rules.messages import STATUS_NAMES

__all__ = ["KINDS", "Pair", "word"]

Pair = tuple[str, str]
OTHER: Pair = ("其他", "other")

_TABLES: dict[str, dict[str, Pair]] = {
    "enrollment_status": {
        "open": ("待缴费", "not yet paid"),
        "pending": ("已缴费，待核定（金额未公布）", "paid, waiting for published figures"),
        "paid": ("已缴费", "paid"),
        "underpaid": ("已缴费（少缴）", "paid (too little)"),
        "overpaid": ("已缴费（多缴）", "paid (overpaid)"),
        "cancelled": ("已撤销（款项已退回）", "cancelled (money returned)"),
    },
    "settlement": {
        "exact": ("金额相符", "exact amount"),
        "under": ("少缴", "too little"),
        "over": ("多缴", "too much"),
        "unquoted": ("待核定（金额未公布）", "to be settled (figures unpublished)"),
    },
    "prereg_status": {
        "registered": ("已预登记，待缴费", "pre-registered, not yet paid"),
        "paid": ("已缴费", "paid"),
        "converted": ("已转为正式参保", "converted to a full registration"),
        "lapsed": ("已作废（3个月内未缴费）", "lapsed (not paid within the window)"),
    },
    "application_status": {
        "submitted": ("已受理，待审核", "submitted, awaiting decision"),
        "incomplete": ("材料不全", "materials missing"),
        "approved": ("已批准", "approved"),
        "rejected": ("已驳回", "rejected"),
    },
    "role": {
        "clerk": ("经办人员", "clerk"),
        "auditor": ("审计人员", "auditor"),
        "admin": ("管理员", "administrator"),
        "system": ("系统", "system"),
    },
    "history_source": {
        "declared": ("登记时申报", "declared"),
        "imported": ("批量导入", "imported"),
        "payment": ("随缴费申报", "stated with a payment"),
    },
    "sex": {"male": ("男", "male"), "female": ("女", "female")},
    "document_type": {
        "resident_id": ("居民身份证", "resident ID card"),
        "other": ("其他个人证件", "other personal document"),
    },
    "reversal_kind": {"reversal": ("渠道冲正", "channel reversal"), "refund": ("退费", "refund")},
    "audit_action": {
        "create": ("新建", "created"),
        "update": ("修改", "changed"),
        "read_id_number": ("查看完整身份证号码", "viewed the full ID number"),
        "declare_history": ("补录参保历史", "recorded coverage history"),
        "import_history": ("导入参保历史", "imported coverage history"),
        "add_member": ("加入家庭", "added to a household"),
        "payment": ("记录缴费", "payment recorded"),
        "settle": ("核定待定缴费", "settled a pending payment"),
        "correct": ("更正参保记录", "corrected the cover"),
        "reversal": ("渠道冲正", "channel reversal"),
        "refund": ("退费", "refund"),
        "convert": ("转为正式参保", "converted"),
        "lapse": ("预登记作废", "pre-registration lapsed"),
        "decide": ("审核申请", "decided an application"),
        "open_year": ("开启新年度", "opened the year"),
        "end_membership": ("结束特殊群体资格", "ended a special-group membership"),
        "self_lookup": ("居民本人查询", "resident's own look-up"),
        "reconcile": ("渠道对账", "reconciled a channel statement"),
        "record_status_change": ("登记身份变化", "recorded a status change"),
        "withdraw_status_change": ("撤回身份变化", "withdrew a status change"),
        "request_reversal": ("申请渠道冲正（待审批）", "asked for a channel reversal (to approve)"),
        "request_refund": ("申请退费（待审批）", "asked for a refund (to approve)"),
        "approve_reversal": ("批准冲正或退费", "approved a reversal or refund"),
        "reject_reversal": ("驳回冲正或退费", "rejected a reversal or refund"),
        "login": ("登录", "logged in"),
        "login_failed": ("登录失败", "failed to log in"),
        "login_locked": ("登录被暂时锁定", "log-in locked for a while"),
        "password_check": ("核对密码", "checked the password"),
        "password_check_failed": ("密码核对失败", "password check failed"),
        "logout": ("退出登录", "logged out"),
        "change_password": ("修改密码", "changed the password"),
        "reset_password": ("重设密码", "reset the password"),
        "enable": ("启用账号", "enabled the account"),
        "disable": ("停用账号", "disabled the account"),
        "demo_loaded": ("载入演示数据", "loaded demo data"),
        "demo_generated": ("生成演示数据", "generated demo data"),
    },
    "entity": {
        "person": ("参保人", "person"),
        "enrollment": ("参保记录", "enrollment"),
        "payment": ("缴费", "payment"),
        "payment_reversal": ("冲正或退费", "reversal or refund"),
        "household": ("家庭", "household"),
        "special_group_membership": ("特殊群体资格", "special-group membership"),
        "preregistration": ("新生儿预登记", "newborn pre-registration"),
        "back_payment_application": ("补缴申请", "back-payment application"),
        "staff_user": ("工作人员账号", "staff account"),
        "reconciliation_run": ("对账记录", "reconciliation run"),
        "demo": ("演示数据", "demo data"),
    },
}


@cache
def _reference() -> dict[str, dict[str, Pair]]:
    """Codes whose words live in the reference data (seeds 000 and 001)."""
    ref = reference.back_payment_reference()
    return {
        "channel": {c.code: (c.name, c.name_en) for c in reference.channels()},
        "special_group": {g.code: (g.name, g.name_en) for g in reference.special_groups()},
        "eligibility": {c.code: (c.name, c.name_en) for c in reference.eligibility_categories()},
        "application_type": {t.code: (t.name, t.name_en or t.name)
                             for t in ref.application_types},
        "material": {m.code: (m.name, m.name_en or m.name) for m in ref.materials},
        "submitted_via": {m.code: (m.name, m.name_en or m.name) for m in ref.submission_modes},
        "reconcile_category": dict(CATEGORY_WORDS),
        "reconcile_count": dict(COUNT_WORDS),
        "reconcile_outcome": dict(OUTCOME_WORDS),
        "status_change": dict(STATUS_NAMES),
    }


def word(kind: str, code: object) -> Pair:
    """The Chinese and English words for ``code`` of ``kind`` ("其他"/"other" if unknown)."""
    table = _TABLES.get(kind) or _reference().get(kind, {})
    return table.get(str(code), OTHER)


KINDS: tuple[str, ...] = (*_TABLES, "channel", "special_group", "eligibility",
                          "application_type", "material", "submitted_via", "reconcile_category",
                          "reconcile_count", "reconcile_outcome", "status_change")


def sayer(tr: Callable[[str, str], str]) -> Callable[[str, object], str]:
    """``say(kind, code)`` for templates: the word in the page's language."""

    def say(kind: str, code: object) -> str:
        return tr(*word(kind, code))

    return say
