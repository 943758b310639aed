"""Reconciliation runs in the database: written once with their difference lines, read
for the console (``GET /api/v1/reconciliations``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from yibao.services.common import Actor, audit, fen_to_yuan
from yibao.services.errors import NotFound
from yibao.store.db import Database
from yibao.store.models import ReconciliationLine, ReconciliationRun

__all__ = ["get_run", "list_runs", "save_run"]

_CHUNK = 5000
_COLUMNS = ("category", "line", "channel_txn_id", "id_number_masked", "person_id",
            "coverage_year", "statement_fen", "ledger_fen", "payment_id", "outcome")


def save_run(db: Database, actor: Actor, run: dict[str, Any], lines: list[dict[str, Any]]
             ) -> int:
    """Store a run and its lines in one transaction (with an audit row); its id."""
    with db.write() as s:
        row = ReconciliationRun(run_by=actor.username, **run)
        s.add(row)
        s.flush()
        conn = s.connection()
        if conn.dialect.name == "postgresql" and lines:  # COPY: one stream, no per-row SQL
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
                    f"COPY reconciliation_lines (run_id, {', '.join(_COLUMNS)}) FROM STDIN"
            ) as copy:
                for line in lines:
                    copy.write_row((row.id, *(line[c] for c in _COLUMNS)))
        else:
            for start in range(0, len(lines), _CHUNK):
                chunk = [{**line, "run_id": row.id} for line in lines[start:start + _CHUNK]]
                s.execute(insert(ReconciliationLine), chunk)
        audit(s, actor, "reconcile", "reconciliation_run", row.id,
              after={"channel": row.channel, "file_digest": row.file_digest,
                     "counts": row.counts})
        return row.id


def _run_out(run: ReconciliationRun) -> dict[str, Any]:
    return {
        "id": run.id, "channel": run.channel, "file_name": run.file_name,
        "file_digest": run.file_digest, "year_from": run.year_from, "year_to": run.year_to,
        "import_missing": run.import_missing, "counts": run.counts, "run_by": run.run_by,
        "created_at": run.created_at.isoformat(),
        "statement_amount": fen_to_yuan(run.counts.get("statement_fen", 0)),
        "ledger_amount": fen_to_yuan(run.counts.get("ledger_fen", 0)),
    }


def _line_out(line: ReconciliationLine) -> dict[str, Any]:
    diff = None
    if line.statement_fen is not None and line.ledger_fen is not None:
        diff = fen_to_yuan(line.statement_fen - line.ledger_fen)
    return {
        "category": line.category, "line": line.line, "channel_txn_id": line.channel_txn_id,
        "id_number": line.id_number_masked, "id_number_masked": True,
        "person_id": line.person_id, "coverage_year": line.coverage_year,
        "statement_amount": fen_to_yuan(line.statement_fen),
        "ledger_amount": fen_to_yuan(line.ledger_fen), "difference": diff,
        "payment_id": line.payment_id, "outcome": line.outcome,
    }


def list_runs(db: Database, *, channel: str | None, page: int, per_page: int) -> dict[str, Any]:
    """A page of runs, newest first."""
    query = select(ReconciliationRun)
    if channel:
        query = query.where(ReconciliationRun.channel == channel)
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        runs = s.scalars(query.order_by(ReconciliationRun.id.desc())
                         .offset((page - 1) * per_page).limit(per_page)).all()
        return {"items": [_run_out(r) for r in runs], "total": total, "page": page,
                "per_page": per_page}


def get_run(db: Database, run_id: int, *, category: str | None, page: int, per_page: int
            ) -> dict[str, Any]:
    """One run with a page of its difference lines (in statement order), ID numbers masked."""
    with db.read() as s:
        run = s.get(ReconciliationRun, run_id)
        if run is None:
            raise NotFound("reconciliation_not_found", f"对账记录 {run_id} 不存在",
                           f"reconciliation run {run_id} not found", field="run_id")
        query = select(ReconciliationLine).where(ReconciliationLine.run_id == run_id)
        if category:
            query = query.where(ReconciliationLine.category == category)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        lines = s.scalars(query.order_by(ReconciliationLine.line.is_(None),
                                         ReconciliationLine.line, ReconciliationLine.id)
                          .offset((page - 1) * per_page).limit(per_page)).all()
        return {**_run_out(run), "lines": {"items": [_line_out(x) for x in lines],
                                           "total": total, "page": page, "per_page": per_page}}
