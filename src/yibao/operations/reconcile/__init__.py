"""Reconciliation of a channel's statement with the ledger (``yibao reconcile``).

    summary = reconcile(db, actor, Path("wechat.csv"), "wechat_city_service",
                        report=Path("diff.xlsx"), import_missing=True)

Inside: ``formats`` the layouts per channel (statements.yaml), ``statement`` reads and
checks the file into Arrow columns, ``ledger`` pulls the channel's payments in one
streaming read, ``matching`` joins them by transaction id, ``importing`` records the
lines missing from the ledger through the exactly-once payment path, ``store`` keeps the
run, ``report`` writes the report file. A bad file stops before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from yibao.errors import InputError
from yibao.idcard import mask_id_number
from yibao.operations.reconcile.formats import layout, layouts
from yibao.operations.reconcile.importing import import_missing as record_missing
from yibao.operations.reconcile.ledger import LEDGER_SCHEMA, ledger_rows
from yibao.operations.reconcile.matching import CATEGORIES, match, year_range
from yibao.operations.reconcile.report import check_target, commit, discard, write_report
from yibao.operations.reconcile.statement import read_statement
from yibao.operations.reconcile.store import get_run, list_runs, save_run
from yibao.services.common import Actor, fen_to_yuan
from yibao.store.db import Database
from yibao.store.models import Person

__all__ = ["CATEGORIES", "get_run", "layout", "layouts", "list_runs", "reconcile"]


def _person_ids(db: Database, numbers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = sorted(set(numbers))
    with db.read() as s:
        for start in range(0, len(unique), 1000):
            chunk = unique[start:start + 1000]
            found.update((str(n), i) for i, n in s.execute(
                select(Person.id, Person.id_number).where(Person.id_number.in_(chunk))))
    return found


def _lines(db: Database, differences: pa.Table, outcomes: dict[str, str]) -> list[dict[str, Any]]:
    rows = differences.to_pylist()
    unknown = [r["id_number"] for r in rows if r["person_id"] is None and r["id_number"]]
    persons = _person_ids(db, unknown) if unknown else {}
    out = []
    for r in rows:
        number = r["id_number"]
        out.append({
            "category": r["category"], "line": r["line"], "channel_txn_id": r["txn_id"],
            "id_number_masked": mask_id_number(number) if number else None,
            "person_id": r["person_id"] if r["person_id"] is not None else persons.get(number),
            "coverage_year": r["coverage_year"], "statement_fen": r["statement_fen"],
            "ledger_fen": r["ledger_fen"], "payment_id": r["payment_id"],
            "outcome": outcomes.get(r["txn_id"]) if r["category"] == "missing_from_ledger"
            else None,
        })
    return out


def _shown(line: dict[str, Any]) -> dict[str, Any]:
    s, g = line["statement_fen"], line["ledger_fen"]
    return {
        "category": line["category"], "line": line["line"],
        "channel_txn_id": line["channel_txn_id"], "id_number": line["id_number_masked"],
        "person_id": line["person_id"], "coverage_year": line["coverage_year"],
        "statement_amount": fen_to_yuan(s), "ledger_amount": fen_to_yuan(g),
        "difference": fen_to_yuan(s - g) if s is not None and g is not None else None,
        "payment_id": line["payment_id"], "outcome": line["outcome"],
    }


def reconcile(db: Database, actor: Actor, path: Path, channel: str, *, year: int | None = None,
              import_missing: bool = False, report: Path | None = None) -> dict[str, Any]:
    """Reconcile ``path`` (the statement of ``channel``) with the ledger; store the run.

    Returns the summary (``run_id``, ``counts``, totals in yuan, the report's path). A file
    that cannot be read raises :class:`~yibao.errors.InputError` before anything is
    written; the report appears only once the run is stored.
    """
    found = layout(channel)
    if report is not None:
        check_target(report)
    statement = read_statement(path, found)
    years = year_range(statement.table, year)
    ledger = ledger_rows(db, channel, years) if years else LEDGER_SCHEMA.empty_table()
    if year is not None and not ledger.num_rows and not pc.any(
            pc.equal(statement.table["coverage_year"], year)).as_py():
        raise InputError("no_data_for_year",
                         f"{year}年度既不在对账单中,账上也没有渠道“{channel}”的缴费;请检查 --year",
                         f"coverage year {year} is neither in the statement nor in the ledger "
                         f"for channel {channel!r}: check --year", field="year")
    matched = match(statement.table, ledger, year)
    counts = dict(matched.counts)
    outcomes: dict[str, str] = {}
    if import_missing:
        missing = matched.category("missing_from_ledger")
        results, imported = record_missing(db, actor, channel, missing)
        outcomes = dict(zip(missing["txn_id"].to_pylist(), results, strict=True))
        counts.update(imported)
    lines = _lines(db, matched.differences, outcomes)
    summary: dict[str, Any] = {
        "channel": channel, "file_name": statement.file_name,
        "file_digest": statement.digest, "years": list(years) if years else None,
        "counts": counts, "statement_amount": fen_to_yuan(counts["statement_fen"]),
        "ledger_amount": fen_to_yuan(counts["ledger_fen"]),
        "report": None if report is None else str(report),
    }
    shown = [_shown(line) for line in lines]
    pending = write_report(report, summary, shown) if report is not None else []
    try:
        run_id = save_run(db, actor, {
            "channel": channel, "file_name": statement.file_name[:255],
            "file_digest": statement.digest, "year_from": years[0] if years else None,
            "year_to": years[1] if years else None, "import_missing": import_missing,
            "counts": counts,
        }, lines)
    except BaseException:
        discard(pending)
        raise
    commit(pending)
    summary["run_id"] = run_id
    summary["categories"] = {c: int(pc.sum(pc.equal(matched.differences["category"], c)).as_py()
                                    or 0) for c in CATEGORIES}
    return summary
