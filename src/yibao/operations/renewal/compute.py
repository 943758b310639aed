"""One chunk of the renewal: the registry's facts → the batch engine's columns → one row per
resident (what is due for the year, by when, whether it is paid, cover if paid now, why
that cover starts when it does, and what paying late would cost).

The history reads exactly as a single registered person's quote reads it
(:meth:`yibao.services.registry.history.History.for_quote`): covered years = declared or imported
years and years paid through the registry before the renewal year; known when declared,
when the registry holds a covered year before it, or for a child born that year or the
year before; otherwise ``covered_years`` is absent and the row says ``history_unknown``.
The special group is the one valid on the quote date, full assistance first
(:func:`yibao.services.registry.quotes.pick_group`); the status change the one a single
quote carries (:func:`yibao.services.registry.status_facts.pick_status_change`, C37).

One engine call per chunk (:func:`yibao.rules.advice.evaluate_with_advice`) answers every
resident three times: paying on the quote date (the amount, the first day of cover, its
reason and the next step, contract §2.1), on the day after the concentrated period closes,
and on the day after the on-time fee deadline (30 June: the share and the fiscal subsidy
are due from then on). The words come from the rules' own wording
(:mod:`yibao.rules.advice_words`), as in a single answer; nothing here decides a date.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.batch.columns import prepare, results_table
from yibao.idcard import mask_id_number
from yibao.operations.renewal.extract import Chunk
from yibao.policy.reference_data import special_groups
from yibao.quoting.answers import reference_share
from yibao.rules.advice import (
    NEXT_STEP_CODES,
    PAY_NEXT_YEAR,
    WAIT_FOR_NEXT_PERIOD,
    Advice,
    evaluate_with_advice,
)
from yibao.rules.advice_words import AdviceContext, next_step, start_reason
from yibao.rules.calendar import date_to_days, days_to_date
from yibao.rules.engine import QuoteResults
from yibao.rules.inputs import QuoteColumns, YearMask
from yibao.rules.policy import PUBLISHED, F, Policy
from yibao.rules.wording import policy_figures
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
    # what is still owed on a paid year (underpaid: due − paid), fen
    ("balance_due", pa.int64()),
    # the answer's next step for paying on ``quote_date`` (contract §2.1)
    ("next_step", pa.string()),  # pay_this_year | pay_next_year | wait_… | nothing_to_pay
    ("pay_by", pa.date32()),  # the last day that keeps ``benefit_start`` (null: none)
    ("next_step_text", pa.string()),
    # why cover starts after 1 January: the answer's (unpaid) or the record's (paid)
    ("start_reason", pa.string()),
    ("start_reason_text", pa.string()),
    # the lapse years worth back-paying with the payment, their price, the earlier start
    ("back_pay_years", pa.list_(pa.int32())),
    ("back_pay", pa.int64()),
    ("back_pay_benefit_start", pa.date32()),
    ("back_pay_months", pa.int32()),
    # paying the day after the concentrated period closes
    ("after_period_date", pa.date32()),
    ("after_period_benefit_start", pa.date32()),
    # paying the day after the on-time fee deadline (30 June): share and subsidy
    ("late_date", pa.date32()),
    ("late_amount_due", pa.int64()),
    ("late_benefit_start", pa.date32()),
])

I32 = npt.NDArray[np.int32]


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


def _again(c: QuoteColumns, days: list[int]) -> QuoteColumns:
    """The rows of ``c`` once per payment day (0: the rows' own day), one after another."""
    n = len(c)
    idx = np.tile(np.arange(n), len(days))
    values: dict[str, Any] = {}
    for f in fields(c):
        value = getattr(c, f.name)
        if isinstance(value, YearMask):
            values[f.name] = YearMask(*(getattr(value, g.name)[idx] for g in fields(value)))
        else:
            values[f.name] = value[idx]
    values["payment"] = np.concatenate(
        [c.payment if day == 0 else np.full(n, day, np.int32) for day in days]).astype(np.int32)
    return QuoteColumns(**values)


def _late_days(policy: Policy, region: str, terms: Terms) -> tuple[int, int]:
    """Day numbers of the day after the concentrated period and of the day after the
    on-time fee deadline (policy data); 0 when unpublished or not after the quote date."""
    if region not in policy.regions or not policy.first_year <= terms.year <= policy.last_year:
        return 0, 0
    row = policy.table[policy.key(region, terms.year)]
    quoted = date_to_days(terms.quote_date)
    after = int(row[F.CONC_END_DAY]) + 1 if int(row[F.CONC_ST]) == PUBLISHED else 0
    late = int(row[F.DEADLINE_DAY]) + 1 if int(row[F.DEADLINE_ST]) == PUBLISHED else 0
    return (after if after > quoted else 0), (late if late > quoted else 0)


@dataclass
class _Words:
    """The per-row answers in words (filled only where a notice or reminder shows them)."""

    n: int
    next_step: list[str | None] = field(init=False)
    pay_by: list[dt.date | None] = field(init=False)
    step_text: list[str | None] = field(init=False)
    reason: list[str | None] = field(init=False)
    reason_text: list[str | None] = field(init=False)
    back_years: list[list[int] | None] = field(init=False)
    back_fen: list[int | None] = field(init=False)
    back_start: list[dt.date | None] = field(init=False)
    back_months: list[int | None] = field(init=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "n":
                setattr(self, f.name, [None] * self.n)


def _contexts(policy: Policy, region: str, year: int, quote_date: dt.date
              ) -> tuple[AdviceContext, AdviceContext | None]:
    """The words' context of the region's year, and of the next year (a step to it)."""
    known = region in policy.regions
    figures = policy_figures(policy, region, year) if known else {}
    base = AdviceContext(coverage_year=year, payment_date=quote_date, birth_date=None,
                         group_name=None, group_name_en=None, back_paid=(), figures=figures,
                         step_figures=figures,
                         reference_share=reference_share(region, year, policy) if known
                         else None)
    nxt = year + 1
    if not known or not policy.first_year <= nxt <= policy.last_year:
        return base, None
    return base, replace(base, step_figures=policy_figures(policy, region, nxt),
                         reference_share=reference_share(region, nxt, policy))


def _words(res: QuoteResults, adv: Advice, rows: npt.NDArray[np.int64], birth: list[Any],
           groups: list[str | None], contexts: tuple[AdviceContext, AdviceContext | None],
           n: int) -> _Words:
    """The answer's next step and start reason of ``rows``, worded as a single answer
    words them (its context as :func:`yibao.quoting.answers.answer_many` builds it)."""
    out = _Words(n)
    names = {g.code: (g.name, g.name_en) for g in special_groups()}
    this, nxt = contexts
    for i in rows.tolist():
        later = int(adv.code[i]) in (PAY_NEXT_YEAR, WAIT_FOR_NEXT_PERIOD)
        base = nxt if later and nxt is not None else this
        group = names.get(groups[i] or "")
        ctx = replace(base, birth_date=birth[i],
                      group_name=group[0] if group else groups[i],
                      group_name_en=group[1] if group else groups[i])
        step = next_step(res, i, ctx, adv)
        reason = start_reason(res, i, ctx)
        out.next_step[i] = NEXT_STEP_CODES[int(adv.code[i])]
        out.pay_by[i], out.step_text[i] = step.pay_by, step.text
        if reason is not None:
            out.reason[i], out.reason_text[i] = reason.code, reason.text
        if step.back_pay_years:
            out.back_years[i] = list(step.back_pay_years)
            out.back_fen[i] = step.back_pay_fen
            out.back_start[i] = step.benefit_start
            out.back_months[i] = step.months_earlier
    return out


def _recorded_reasons(at: list[int], raw: list[str | None], words: _Words) -> None:
    """A paid year's reason is the one recorded with its cover (the answer that fixed it)."""
    for i, text in zip(at, raw, strict=True):
        found = json.loads(text) if text else None
        if isinstance(found, dict):
            words.reason[i], words.reason_text[i] = found.get("code"), found.get("text")


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
    prepared = prepare(batch, policy)
    after_day, late_day = _late_days(policy, chunk.region, terms)
    res, adv = evaluate_with_advice(policy, _again(prepared.columns, [0, after_day, late_day]))
    quotes = results_table(prepared, res.slice(0, n))
    ok = np.asarray(pc.is_null(quotes.column("error")).to_numpy(zero_copy_only=False), bool)

    pid = persons.column("person_id").to_numpy()
    current = chunk.current
    at = np.searchsorted(pid, current.column("person_id").to_numpy()).tolist()
    status: list[str | None] = [None] * n
    paid_fen = np.zeros(n, dtype=np.int64)
    balance = np.zeros(n, dtype=np.int64)
    covered_from: list[dt.date | None] = [None] * n
    for i, s, fen, start, owed in zip(at, current.column("status").to_pylist(),
                                      current.column("paid_fen").to_pylist(),
                                      current.column("covered_from").to_pylist(),
                                      current.column("balance_fen").to_pylist(), strict=True):
        status[i], paid_fen[i], covered_from[i], balance[i] = s, fen or 0, start, owed or 0
    paid = np.array([s in COVERED_STATUSES for s in status], dtype=bool)
    balance = np.where(paid, balance, 0)

    unpaid_rows = np.flatnonzero(~paid & ok)
    words = _words(res, adv, unpaid_rows, persons.column("birth_date").to_pylist(),
                   groups.to_pylist(), _contexts(policy, chunk.region, terms.year,
                                                 terms.quote_date), n)
    owing = np.flatnonzero(balance > 0).tolist()
    raw = current.column("start_reason").to_pylist()
    by_row = dict(zip(at, raw, strict=True))
    _recorded_reasons(owing, [by_row.get(i) for i in owing], words)

    def answered(block: int, day: int) -> npt.NDArray[np.bool_]:
        """Rows of a later payment day's block that the engine answers (the day quoted)."""
        rows = slice(block * n, (block + 1) * n)
        return np.asarray(ok & (day > 0) & (res.error[rows] == 0), bool)

    after_rows, late_rows = slice(n, 2 * n), slice(2 * n, 3 * n)
    after_ok = answered(1, after_day) & res.start_known[after_rows]
    late_ok = answered(2, late_day)
    late_amount_ok = late_ok & res.amount_known[late_rows]
    late_start_ok = late_ok & res.start_known[late_rows]
    deadline = terms.period[1] if terms.period else None

    def day_column(days: npt.NDArray[Any], valid: npt.NDArray[np.bool_]) -> pa.Array:
        return pa.array(np.asarray(days, np.int32), pa.int32(), mask=~valid).cast(pa.date32())

    def one_day(day: int, valid: npt.NDArray[np.bool_]) -> pa.Array:
        return pa.array([days_to_date(day) if day and v else None for v in valid.tolist()],
                        pa.date32())

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
        "balance_due": pa.array(balance),
        "next_step": pa.array(words.next_step, pa.string()),
        "pay_by": pa.array(words.pay_by, pa.date32()),
        "next_step_text": pa.array(words.step_text, pa.string()),
        "start_reason": pa.array(words.reason, pa.string()),
        "start_reason_text": pa.array(words.reason_text, pa.string()),
        "back_pay_years": pa.array(words.back_years, pa.list_(pa.int32())),
        "back_pay": pa.array(words.back_fen, pa.int64()),
        "back_pay_benefit_start": pa.array(words.back_start, pa.date32()),
        "back_pay_months": pa.array(words.back_months, pa.int32()),
        "after_period_date": one_day(after_day, after_ok),
        "after_period_benefit_start": day_column(res.start[after_rows], after_ok),
        "late_date": one_day(late_day, late_ok),
        "late_amount_due": pa.array(res.amount[late_rows], pa.int64(), mask=~late_amount_ok),
        "late_benefit_start": day_column(res.start[late_rows], late_start_ok),
    }, schema=RESULT)
