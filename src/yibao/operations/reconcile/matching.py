"""Statement against ledger, by transaction id, in whole-column Arrow operations.

Categories of a difference line (a matched line is only counted):

- ``missing_from_ledger``: collected by the channel, not in the ledger;
- ``missing_from_statement``: in the ledger (this channel, the statement's years), not in
  the statement;
- ``amount_difference``: in both, the amounts differ;
- ``detail_difference``: in both, the ID number or the coverage year differ;
- ``duplicate_txn``: the same transaction id again in the statement (the first line is
  matched, each later one is listed here);
- ``duplicate_person_year``: one person and coverage year on two or more transactions
  of the statement (every such line is listed);
- ``not_collected``: a line whose status says the money was not collected (failed,
  refunded); it is matched with nothing, and its ledger payment, if any, is shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["CATEGORIES", "DIFF_SCHEMA", "Matched", "match", "year_range"]

CATEGORIES = ("missing_from_ledger", "missing_from_statement", "amount_difference",
              "detail_difference", "duplicate_txn", "duplicate_person_year", "not_collected")

DIFF_SCHEMA = pa.schema([
    ("category", pa.string()),
    ("line", pa.int64()),
    ("txn_id", pa.string()),
    ("id_number", pa.string()),
    ("coverage_year", pa.int32()),
    ("statement_fen", pa.int64()),
    ("ledger_fen", pa.int64()),
    ("payment_id", pa.int64()),
    ("person_id", pa.int64()),
    ("paid_at", pa.timestamp("s")),
])


@dataclass
class Matched:
    """Counts (integers, amounts in fen) and the difference lines in file order."""

    counts: dict[str, int]
    differences: pa.Table
    years: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def category(self, name: str) -> pa.Table:
        return self.differences.filter(pc.equal(self.differences["category"], name))


def year_range(statement: pa.Table, year: int | None) -> tuple[int, int] | None:
    """The coverage years the ledger is read for: ``year``, else the statement's span."""
    if year is not None:
        return year, year
    collected = statement.filter(statement["collected"])
    if not collected.num_rows:
        return None
    span = pc.min_max(collected["coverage_year"]).as_py()
    return int(span["min"]), int(span["max"])


def _rows(table: pa.Table, category: str, **cols: Any) -> pa.Table:
    n = table.num_rows
    out = {}
    for f in DIFF_SCHEMA:
        if f.name == "category":
            out[f.name] = pa.array([category] * n, pa.string())
            continue
        source = cols.get(f.name, f.name)
        value = table[source] if isinstance(source, str) and source in table.column_names \
            else pa.nulls(n, f.type)
        out[f.name] = pc.cast(value, f.type)
    return pa.table(out, schema=DIFF_SCHEMA)


def _sum(column: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(column).as_py() or 0)


def match(statement: pa.Table, ledger: pa.Table, year: int | None = None) -> Matched:
    """Compare a read statement with the ledger rows of its channel and years."""
    counts: dict[str, int] = {"lines": statement.num_rows}
    if year is not None:
        in_year = pc.equal(statement["coverage_year"], year)
        counts["other_years"] = statement.num_rows - _sum(pc.cast(in_year, pa.int64()))
        statement = statement.filter(in_year)
    else:
        counts["other_years"] = 0
    not_collected = statement.filter(pc.invert(statement["collected"]))
    collected = statement.filter(statement["collected"])
    first = collected.group_by("txn_id").aggregate([("line", "min")])
    is_first = pc.is_in(collected["line"], value_set=first["line_min"])
    repeats = collected.filter(pc.invert(is_first))
    unique = collected.filter(is_first)

    per_person = unique.group_by(["id_number", "coverage_year"]).aggregate(
        [("txn_id", "count")])
    twice = per_person.filter(pc.greater(per_person["txn_id_count"], 1))
    paid_twice = unique.join(twice, keys=["id_number", "coverage_year"], join_type="inner")

    joined = unique.join(ledger, keys="txn_id", join_type="full outer")
    in_s = pc.is_valid(joined["line"])
    in_l = pc.is_valid(joined["payment_id"])
    both = pc.and_(in_s, in_l)
    amount_diff = pc.and_(both, pc.not_equal(joined["amount_fen"], joined["l_fen"]))
    other = pc.or_(pc.fill_null(pc.not_equal(joined["id_number"], joined["l_id_number"]), True),
                   pc.not_equal(joined["coverage_year"], joined["l_year"]))
    detail_diff = pc.and_(both, other)
    matched = pc.and_(both, pc.invert(pc.or_(amount_diff, detail_diff)))
    reported_elsewhere = pc.is_in(joined["txn_id"], value_set=not_collected["txn_id"])
    only_l = pc.and_(pc.and_(pc.invert(in_s), in_l), pc.invert(reported_elsewhere))
    only_s = pc.and_(in_s, pc.invert(in_l))

    ledger_side = {"id_number": "l_id_number", "coverage_year": "l_year", "ledger_fen": "l_fen"}
    both_side = {"statement_fen": "amount_fen", "ledger_fen": "l_fen"}
    nc = not_collected.join(ledger, keys="txn_id", join_type="left outer")
    parts = [
        _rows(joined.filter(only_s), "missing_from_ledger", statement_fen="amount_fen"),
        _rows(joined.filter(only_l), "missing_from_statement", **ledger_side),
        _rows(joined.filter(amount_diff), "amount_difference", **both_side),
        _rows(joined.filter(detail_diff), "detail_difference", **both_side),
        _rows(repeats, "duplicate_txn", statement_fen="amount_fen"),
        _rows(paid_twice, "duplicate_person_year", statement_fen="amount_fen"),
        _rows(nc, "not_collected", **both_side),
    ]
    differences = pa.concat_tables(parts)
    differences = differences.sort_by([("line", "ascending"), ("txn_id", "ascending")])
    counts.update({
        "collected": collected.num_rows,
        "not_collected": not_collected.num_rows,
        "matched": _sum(pc.cast(matched, pa.int64())),
        "missing_from_ledger": parts[0].num_rows,
        "missing_from_statement": parts[1].num_rows,
        "amount_differences": parts[2].num_rows,
        "detail_differences": parts[3].num_rows,
        "duplicate_txn": parts[4].num_rows,
        "duplicate_person_year": parts[5].num_rows,
        "ledger_payments": ledger.num_rows,
        "statement_fen": _sum(unique["amount_fen"]),
        "ledger_fen": _sum(ledger["l_fen"]),
    })
    return Matched(counts, differences)
