"""One chunk of the renewal: the registry's facts → the batch engine's columns → one row per
resident (what is due for the year, by when, whether it is paid, cover if paid now).

The history reads exactly as a single registered person's quote reads it
(:meth:`yibao.services.registry.history.History.for_quote`): covered years = declared or imported
years and years paid through the registry before the renewal year; known when declared,
when the registry holds a covered year before it, or for a child born that year or the
year before; otherwise ``covered_years`` is absent and the row says ``history_unknown``.
The special group is the one valid on the quote date, full assistance first
(:func:`yibao.services.registry.quotes.pick_group`); the status change the one a single
quote carries (:func:`yibao.services.registry.status_facts.pick_status_change`, C37).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yibao.batch.quote import quote_table
from yibao.idcard import mask_id_number
from yibao.operations.renewal.extract import Chunk
from yibao.rules.policy import Policy
from yibao.services.registry.history import COVERED_STATUSES
from yibao.services.registry.quotes import pick_group
from yibao.services.registry.status_facts import StatusFact, pick_status_change

__all__ = ["RESULT", "Terms", "renewal_table"]

RESULT = pa.schema([
    ("region", pa.string()),
    ("region_name", pa.string()),
    ("household_id", pa.int64()),
    ("person_id", pa.int64()),
    ("name", pa.string()),
    ("id_masked", pa.string()),
    ("birth_date", pa.date32()),
    ("special_group", pa.string()),
    ("history_unknown", pa.bool_()),
    ("coverage_year", pa.int32()),
    ("quote_date", pa.date32()),
    ("amount_due", pa.int64()),  # fen; null while a figure is unpublished (see ``missing``)
    ("missing", pa.string()),
    ("deadline", pa.date32()),  # last day of the concentrated period (policy data)
    ("paid", pa.bool_()),
    ("enrollment_status", pa.string()),
    ("paid_fen", pa.int64()),
    ("covered_from", pa.date32()),  # the year's cover as the registry holds it (paid)
    ("benefit_start", pa.date32()),  # cover if paid on ``quote_date``
    ("rule", pa.string()),
    ("error", pa.string()),
    ("continuous_years", pa.int32()),  # 连续参保年限 if paid on ``quote_date`` (C36); null: not counted
])


@dataclass(frozen=True)
class Terms:
    """The year's terms for one region: concentrated period and the day quoted."""

    year: int
    region_name: str
    period: tuple[dt.date, dt.date] | None
    quote_date: dt.date


def _covered_years(chunk: Chunk, year: int) -> tuple[pa.Array, np.ndarray]:
    """``covered_years`` per person (null = unknown) and the ``known`` mask."""
    persons = chunk.persons
    n = persons.num_rows
    births = pc.year(persons.column("birth_date")).to_numpy(zero_copy_only=False)
    text = pc.fill_null(persons.column("years"), "").combine_chunks()
    tokens = pc.split_pattern(text, ";")
    lengths = np.where(pc.equal(text, "").to_numpy(zero_copy_only=False), 0,
                       pc.list_value_length(tokens).to_numpy(zero_copy_only=False))
    flat = pc.list_flatten(tokens)
    flat = flat.filter(pc.not_equal(flat, ""))
    years = pc.cast(flat, pa.int64()).to_numpy()
    idx = np.repeat(np.arange(n, dtype=np.int64), lengths)
    paid_before = persons.column("registry").to_numpy(zero_copy_only=False) > 0
    declared = persons.column("known").to_numpy(zero_copy_only=False).astype(bool)
    known = declared | (births >= year - 1) | paid_before
    keys = np.unique(idx * 10_000 + years)
    rows, values = keys // 10_000, keys % 10_000
    keep = known[rows]
    rows, values = rows[keep], values[keep]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.int32()),
                                     mask=pa.array(~known))
    return lists, known


def _groups(chunk: Chunk, day: dt.date) -> pa.Array:
    """The special group of each person on ``day`` (the single quote's choice)."""
    pid = chunk.persons.column("person_id").to_pylist()
    rows: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
    g = chunk.groups
    for p, code, start, end in zip(g.column("person_id").to_pylist(),
                                   g.column("group_code").to_pylist(),
                                   g.column("valid_from").to_pylist(),
                                   g.column("valid_to").to_pylist(), strict=True):
        rows.setdefault(p, []).append((code, start, end))
    return pa.array([pick_group(rows[p], day) if p in rows else None for p in pid], pa.string())


def _changes(chunk: Chunk, year: int, day: dt.date) -> tuple[pa.Array, pa.Array]:
    """The status change each person's quote carries (kind, date; null for none)."""
    pid = chunk.persons.column("person_id").to_pylist()
    found: dict[int, list[StatusFact]] = {}
    c = chunk.changes
    for p, i, kind, began in zip(c.column("person_id").to_pylist(), c.column("id").to_pylist(),
                                 c.column("kind").to_pylist(),
                                 c.column("began_on").to_pylist(), strict=True):
        found.setdefault(p, []).append(StatusFact(i, kind, began))
    picked = [pick_status_change(found[p], year, day) if p in found else None for p in pid]
    return (pa.array([None if x is None else x.kind for x in picked], pa.string()),
            pa.array([None if x is None else x.date for x in picked], pa.date32()))


def _text(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A label column as plain strings, empty labels as null."""
    plain = pc.cast(col, pa.string())
    return pc.if_else(pc.equal(plain, ""), pa.scalar(None, pa.string()), plain)


def renewal_table(chunk: Chunk, terms: Terms, policy: Policy) -> pa.Table:
    """The renewal rows of one chunk, in person-id order (schema :data:`RESULT`)."""
    persons = chunk.persons
    n = persons.num_rows
    if n == 0:
        return RESULT.empty_table()
    covered, known = _covered_years(chunk, terms.year)
    groups = _groups(chunk, terms.quote_date)
    kinds, days = _changes(chunk, terms.year, terms.quote_date)
    numbers = persons.column("id_number")
    batch = pa.record_batch({
        "region": pa.array([chunk.region] * n, pa.string()),
        "coverage_year": pa.array(np.full(n, terms.year, dtype=np.int32)),
        "payment_date": pa.array([terms.quote_date] * n, pa.date32()),
        "id_number": numbers.combine_chunks(),
        "birth_date": pc.if_else(pc.is_null(numbers), persons.column("birth_date"),
                                 pa.scalar(None, pa.date32())).combine_chunks(),
        "special_group": groups,
        "covered_years": covered,
        "status_change_kind": kinds,
        "status_change_date": days,
    })
    quotes = quote_table(batch, policy)
    pid = persons.column("person_id").to_numpy()
    current = chunk.current
    at = np.searchsorted(pid, current.column("person_id").to_numpy())
    status: list[str | None] = [None] * n
    paid_fen = np.zeros(n, dtype=np.int64)
    covered_from: list[dt.date | None] = [None] * n
    for i, s, fen, start in zip(at.tolist(), current.column("status").to_pylist(),
                                current.column("paid_fen").to_pylist(),
                                current.column("covered_from").to_pylist(), strict=True):
        status[i], paid_fen[i], covered_from[i] = s, fen or 0, start
    paid = [s in COVERED_STATUSES for s in status]
    deadline = terms.period[1] if terms.period else None
    return pa.table({
        "region": pa.array([chunk.region] * n, pa.string()),
        "region_name": pa.array([terms.region_name] * n, pa.string()),
        "household_id": persons.column("household_id"),
        "person_id": persons.column("person_id"),
        "name": persons.column("name"),
        "id_masked": pa.array([None if x is None else mask_id_number(x)
                               for x in numbers.to_pylist()], pa.string()),
        "birth_date": persons.column("birth_date"),
        "special_group": groups,
        "history_unknown": pa.array(~known),
        "coverage_year": batch.column("coverage_year"),
        "quote_date": batch.column("payment_date"),
        "amount_due": quotes.column("amount_due"),
        "missing": _text(quotes.column("missing")),
        "deadline": pa.array([deadline] * n, pa.date32()),
        "paid": pa.array(paid, pa.bool_()),
        "enrollment_status": pa.array(status, pa.string()),
        "paid_fen": pa.array(paid_fen),
        "covered_from": pa.array(covered_from, pa.date32()),
        "benefit_start": quotes.column("benefit_start"),
        "rule": _text(quotes.column("rule")),
        "error": _text(quotes.column("error")),
        "continuous_years": quotes.column("continuous_years"),
    }, schema=RESULT)
