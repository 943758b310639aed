"""The append-only audit log, and channel reconciliation runs with their difference lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yibao.store.models.base import Base, utcnow

__all__ = ["AuditEntry", "ReconciliationLine", "ReconciliationRun"]


class AuditEntry(Base):
    """Append-only: who did what, when, to what, with the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReconciliationRun(Base):
    """One reconciliation of a channel's statement against the ledger (``yibao reconcile``).

    ``counts`` holds the integer counts and fen totals of the run (see
    :mod:`yibao.operations.reconcile.matching`); the difference lines are
    :class:`ReconciliationLine` rows. Written once, never changed.
    """

    __tablename__ = "reconciliation_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_digest: Mapped[str] = mapped_column(String(64))
    year_from: Mapped[int | None] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    import_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ReconciliationLine(Base):
    """A difference line of a run: its category, the statement's line, amounts in fen.

    ID numbers are stored masked; ``person_id`` links a known person. ``outcome`` is what
    ``--import-missing`` did with a line missing from the ledger (``created``, ``replayed``
    or the error code that stopped it).
    """

    __tablename__ = "reconciliation_lines"
    __table_args__ = (Index("ix_reconciliation_lines_run_category", "run_id", "category"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"))
    category: Mapped[str] = mapped_column(String(32))
    line: Mapped[int | None] = mapped_column(Integer)
    channel_txn_id: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    person_id: Mapped[int | None] = mapped_column(Integer)
    coverage_year: Mapped[int | None] = mapped_column(Integer)
    statement_fen: Mapped[int | None] = mapped_column(BigInteger)
    ledger_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(48))
