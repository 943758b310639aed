"""The anchor rule, once: which payments of a year still count, and which one fixed the cover.

A payment counts (is *live*) while it is not wholly reversed: money is left of it, or it
is a 0.00 payment — a fully assisted resident's (特困, 孤儿…): medical assistance pays the
whole contribution, the payment records that the year is paid, and there is nothing of it
to refund or reverse (a reversal takes more than 0 and at most what is left). Taking
``amount > reversed`` alone would treat every such payment as wholly reversed. The
*anchor* of an enrollment is its earliest live payment, in the order recorded: the
payment whose date fixed the cover. Reports, settling, reversals, corrections and
renewal all read it through here.

    anchor_payment(conn, enrollment_id)               # a payments row, or None
    select(...).where(live_payment(Payment.__table__))
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Row, Table, or_, select
from sqlalchemy.sql.elements import ColumnElement

from yibao.store.models import Payment

__all__ = ["anchor_payment", "is_live", "live_payment"]

_P = cast(Table, Payment.__table__)


def live_payment(payments: Any = _P) -> ColumnElement[bool]:
    """SQL: the payment is not wholly reversed (a 0.00 payment always counts)."""
    return or_(payments.c.amount_fen > payments.c.reversed_fen, payments.c.amount_fen == 0)


def is_live(amount_fen: int, reversed_fen: int) -> bool:
    """The same test on one payment's values."""
    return amount_fen > reversed_fen or amount_fen == 0


def anchor_payment(conn: Connection, enrollment_id: int) -> Row[Any] | None:
    """The enrollment's earliest recorded payment that is not wholly reversed, or None
    (index ``ix_payments_enrollment_anchor``)."""
    return conn.execute(
        select(_P).where(_P.c.enrollment_id == enrollment_id, live_payment())
        .order_by(_P.c.id).limit(1)
    ).first()
