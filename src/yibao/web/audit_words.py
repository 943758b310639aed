"""An audit entry's subject in words: what kind of record, and what the entry itself says
of it (the year of an enrollment, the amount and reason of a reversal, the account of a
login), for the audit log and the person page's trail.

    subject(entry)      # → Subject(("缴费 ¥400.00（税务大厅 T-1）", "payment ¥400.00 ..."), 12)

The kinds and actions are worded once, in :mod:`yibao.web.words`; this module only joins
those words with the values the entry carries (amounts are already yuan text there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yibao.web.words import Pair, word

__all__ = ["ACTIONS", "Subject", "subject"]

#: The actions offered by the audit log's filter, in the order a clerk thinks of them.
ACTIONS: tuple[str, ...] = (
    "create", "update", "payment", "reversal", "refund", "request_reversal", "request_refund",
    "approve_reversal", "reject_reversal", "correct", "settle", "read_id_number",
    "declare_history", "import_history", "end_membership", "record_status_change",
    "withdraw_status_change", "decide", "convert", "lapse", "open_year", "reconcile",
    "self_lookup", "login", "login_failed", "login_locked", "logout", "change_password",
    "reset_password", "enable", "disable", "demo_loaded", "demo_generated",
)


@dataclass(frozen=True)
class Subject:
    words: Pair
    person_id: int | None  # the person the entry is about, for a link


def _int(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _details(entity: str, after: dict[str, Any], entity_id: str | None) -> Pair | None:
    if entity == "enrollment":
        year = after.get("coverage_year")
        parts: list[Pair] = []
        if year:
            parts.append((f"{year}年度", f"year {year}"))
        if after.get("reversed_amount"):
            amount, why = after["reversed_amount"], after.get("reversal_reason") or ""
            parts.append((f"退回缴费 ¥{amount}，原因：{why}",
                          f"¥{amount} of a payment taken back, reason: {why}"))
        if not parts:
            return None
        return "，".join(p[0] for p in parts), ", ".join(p[1] for p in parts)
    if entity == "payment" and after.get("amount") is not None:
        channel = word("channel", after.get("channel"))
        txn = after.get("channel_txn_id") or ""
        return (f"¥{after['amount']}（{channel[0]} {txn}）",
                f"¥{after['amount']} ({channel[1]} {txn})")
    if entity == "payment_reversal":
        kind = word("reversal_kind", after.get("kind"))
        amount = after.get("amount")
        why = after.get("reason") or after.get("note") or ""
        if amount is None:
            return (f"#{entity_id}", f"#{entity_id}") if entity_id else None
        return (f"{kind[0]} ¥{amount}，原因：{why}", f"{kind[1]} ¥{amount}, reason: {why}")
    if entity == "staff_user" and after.get("username"):
        return str(after["username"]), str(after["username"])
    if entity == "reconciliation_run" and after.get("channel"):
        channel = word("channel", after["channel"])
        return channel
    return None


def subject(entry: Any) -> Subject:
    """The entry's record in words, with its details, and the person it is about."""
    entity = str(entry.entity)
    kind = word("entity", entity)
    after = entry.after if isinstance(entry.after, dict) else {}
    if entity == "person":
        person_id = _int(entry.entity_id)
        many = after.get("person_ids")
        if person_id is None and isinstance(many, list):
            return Subject((f"{len(many)}位参保人", f"{len(many)} persons"), None)
        return Subject(kind, person_id)
    details = _details(entity, after, entry.entity_id)
    person_id = _int(after.get("person_id"))
    if details is None:
        return Subject(kind, person_id)
    return Subject((f"{kind[0]} · {details[0]}", f"{kind[1]} · {details[1]}"), person_id)
