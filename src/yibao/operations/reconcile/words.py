"""The categories of a reconciliation in words (CLI, report files, console pages)."""

from __future__ import annotations

__all__ = ["CATEGORY_WORDS", "COUNT_WORDS", "OUTCOME_WORDS"]

CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "missing_from_ledger": ("渠道已收、账上没有", "missing from the ledger"),
    "missing_from_statement": ("账上有、对账单没有", "missing from the statement"),
    "amount_difference": ("金额不符", "amount differs"),
    "detail_difference": ("证件号码或年度不符", "ID number or year differs"),
    "duplicate_txn": ("对账单交易号重复", "transaction id repeated in the statement"),
    "duplicate_person_year": ("同一人同一年度缴费两次以上", "same person and year paid twice"),
    "not_collected": ("渠道未收款（失败或退款）", "not collected (failed or refunded)"),
}

#: The counts of a run in the order the CLI and the pages show them.
COUNT_WORDS: dict[str, tuple[str, str]] = {
    "lines": ("对账单行数", "statement lines"),
    "other_years": ("其他年度（未比对）", "other years (not compared)"),
    "collected": ("已收款行", "collected lines"),
    "ledger_payments": ("账上缴费笔数", "ledger payments"),
    "matched": ("相符", "matched"),
    "missing_from_ledger": CATEGORY_WORDS["missing_from_ledger"],
    "missing_from_statement": CATEGORY_WORDS["missing_from_statement"],
    "amount_differences": CATEGORY_WORDS["amount_difference"],
    "detail_differences": CATEGORY_WORDS["detail_difference"],
    "duplicate_txn": CATEGORY_WORDS["duplicate_txn"],
    "duplicate_person_year": CATEGORY_WORDS["duplicate_person_year"],
    "not_collected": CATEGORY_WORDS["not_collected"],
    "imported": ("已补记入账", "recorded in the ledger now"),
    "import_replayed": ("此前已入账", "already recorded"),
    "import_failed": ("无法入账（见差异行）", "could not be recorded (see lines)"),
}

#: What ``--import-missing`` did with a line (the ledger's error codes most often met).
OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "created": ("已补记入账", "recorded"),
    "replayed": ("此前已入账", "already recorded"),
    "person_not_found": ("无法入账：未登记此人", "not recorded: person not registered"),
    "id_number_checksum": ("无法入账：身份证号码校验位有误", "not recorded: ID number checksum"),
    "id_number_birth_date": ("无法入账：身份证号码出生日期有误",
                             "not recorded: ID number birth date"),
    "amount_zero": ("无法入账：金额为零", "not recorded: zero amount"),
    "amount_too_large": ("无法入账：金额超过该年度可能的最高额",
                         "not recorded: more than the year can cost"),
    "paid_at_in_future": ("无法入账：缴费时间晚于今天", "not recorded: paid after today"),
    "conflict": ("无法入账：同一交易号已有不同内容", "not recorded: transaction id already used"),
    "history_conflict": ("无法入账：与登记的参保历史不符", "not recorded: conflicts with the history"),
}
