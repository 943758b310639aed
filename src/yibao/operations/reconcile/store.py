"""Reconciliation runs in the database: written once with their difference lines, read
for the console and ``GET /api/v1/reconciliations`` as shapes (amounts in fen inside,
yuan in JSON; ID numbers always masked)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, or_, select

from yibao.services.common import Actor, audit
from yibao.services.errors import NotFound
from yibao.services.scope import visible
from yibao.services.shapes import Moment, Page, Shape, Yuan
from yibao.store.db import Database
from yibao.store.models import Person, ReconciliationLine, ReconciliationRun

__all__ = ["ReconcileLine", "ReconcileLinePage", "ReconcileRun", "ReconcileRunDetail",
           "ReconcileRunPage", "get_run", "list_runs", "save_run"]


class ReconcileRun(Shape):
    """One reconciliation run: channel, file, who and when, counts (amounts in fen) and
    the two totals."""

    id: int
    channel: str
    file_name: str
    file_digest: str
    year_from: int | None
    year_to: int | None
    import_missing: bool
    counts: dict[str, int]
    run_by: str
    created_at: Moment
    statement_amount: Yuan
    ledger_amount: Yuan


class ReconcileRunPage(Page):
    """A page of runs, newest first."""

    items: list[ReconcileRun]


class ReconcileLine(Shape):
    """A difference line; the ID number masked."""

    category: str
    line: int | None
    channel_txn_id: str
    id_number: str | None
    id_number_masked: bool
    person_id: int | None
    coverage_year: int | None
    statement_amount: Yuan | None
    ledger_amount: Yuan | None
    difference: Yuan | None
    payment_id: int | None
    outcome: str | None


class ReconcileLinePage(Page):
    """A page of difference lines in statement order."""

    items: list[ReconcileLine]


class ReconcileRunDetail(ReconcileRun):
    """One run with a page of its difference lines."""

    lines: ReconcileLinePage

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


def _run_fields(run: ReconciliationRun) -> dict[str, Any]:
    return {
        "id": run.id, "channel": run.channel, "file_name": run.file_name,
        "file_digest": run.file_digest, "year_from": run.year_from, "year_to": run.year_to,
        "import_missing": run.import_missing, "counts": run.counts, "run_by": run.run_by,
        "created_at": run.created_at,
        "statement_amount": run.counts.get("statement_fen", 0),
        "ledger_amount": run.counts.get("ledger_fen", 0),
    }


def _line_out(line: ReconciliationLine) -> ReconcileLine:
    diff = None
    if line.statement_fen is not None and line.ledger_fen is not None:
        diff = line.statement_fen - line.ledger_fen
    return ReconcileLine(
        category=line.category, line=line.line, channel_txn_id=line.channel_txn_id,
        id_number=line.id_number_masked, id_number_masked=True,
        person_id=line.person_id, coverage_year=line.coverage_year,
        statement_amount=line.statement_fen, ledger_amount=line.ledger_fen, difference=diff,
        payment_id=line.payment_id, outcome=line.outcome,
    )


def list_runs(db: Database, *, channel: str | None, page: int, per_page: int
              ) -> ReconcileRunPage:
    """A page of runs, newest first."""
    query = select(ReconciliationRun)
    if channel:
        query = query.where(ReconciliationRun.channel == channel)
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        runs = s.scalars(query.order_by(ReconciliationRun.id.desc())
                         .offset((page - 1) * per_page).limit(per_page)).all()
        return ReconcileRunPage(items=[ReconcileRun(**_run_fields(r)) for r in runs],
                                total=total, page=page, per_page=per_page)


def get_run(db: Database, run_id: int, *, category: str | None, page: int, per_page: int,
            actor: Actor | None = None) -> ReconcileRunDetail:
    """One run with a page of its difference lines (in statement order), ID numbers masked;
    for an ``actor`` limited to a region, the lines of its persons (and of numbers the
    registry does not know) only."""
    with db.read() as s:
        run = s.get(ReconciliationRun, run_id)
        if run is None:
            raise NotFound("reconciliation_not_found", f"对账记录 {run_id} 不存在",
                           f"reconciliation run {run_id} not found", field="run_id")
        query = select(ReconciliationLine).where(ReconciliationLine.run_id == run_id)
        if actor is not None and actor.region is not None:
            mine = select(Person.id).where(visible(actor))
            query = query.where(or_(ReconciliationLine.person_id.is_(None),
                                    ReconciliationLine.person_id.in_(mine)))
        if category:
            query = query.where(ReconciliationLine.category == category)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        lines = s.scalars(query.order_by(ReconciliationLine.line.is_(None),
                                         ReconciliationLine.line, ReconciliationLine.id)
                          .offset((page - 1) * per_page).limit(per_page)).all()
        return ReconcileRunDetail(**_run_fields(run), lines=ReconcileLinePage(
            items=[_line_out(x) for x in lines], total=total, page=page, per_page=per_page))
