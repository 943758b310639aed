"""``yibao demo generate``: fill the registry with a synthetic Guangxi (many residents).

    summary = generate(db, persons=100_000, seed=1, year=2025)

Residents, households, their declared cover before the registry and special-group
memberships are written in bulk (PostgreSQL ``COPY``, SQLite ``executemany``) with ids
taken after the registry's highest. Payments go through the ledger itself
(:func:`yibao.services.payments.recording.record_prepared`, a thousand per transaction),
each paying exactly what the engine says is due, so enrollments, settlements, receipts
and the audit log are what the service would have written. Where the year's figures are
unpublished, the resident pays the latest published individual share of the region and
the ledger records the payment as it would at a counter: unquoted, its enrollment pending
until ``yibao payments settle``. Every planned payment is counted once in the summary:
recorded (of which pending) or refused. The content is deterministic
for a seed (system stamps and receipt numbers are not). A registry that already holds
generated residents is refused (``already_generated``).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Table, func, insert, select, text

from yibao.demo.population import PlannedPayment, Population, plan_population
from yibao.errors import InputError
from yibao.policy.reference_data import channels, load_regions, region_chain, region_subtree
from yibao.quoting.answers import concentrated_period
from yibao.services.common import Actor, today_beijing
from yibao.services.registry.history import History
from yibao.store.db import Database
from yibao.store.models import (
    AuditEntry,
    CoverageHistory,
    Household,
    Payment,
    Person,
    SpecialGroupMembership,
    utcnow,
)

__all__ = ["GENERATOR", "GenerateSummary", "default_year", "generate", "guangxi_counties"]

GENERATOR = Actor("demo-generator", "admin")
GUANGXI = "450000"
CHUNK = 20_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GenerateSummary:
    """What a run wrote, and how long each part took."""

    persons: int
    households: int
    history_rows: int
    payments: int  #: recorded by the ledger (pending ones included)
    payment_errors: int  #: refused by the ledger
    seconds_registry: float
    seconds_payments: float
    planned: int = 0  #: payments planned (= payments + payment_errors)
    pending: int = 0  #: recorded unquoted: the year's figures are unpublished


def guangxi_counties() -> list[tuple[str, tuple[str, ...]]]:
    """Guangxi's county units (policy/regions.yaml) with their chain up to the root."""
    regions = load_regions()
    return [(c, region_chain(c)) for c in region_subtree(GUANGXI) if regions[c].level == "county"]


def default_year(today: dt.date) -> int:
    """The latest coverage year up to next year whose Guangxi share is published."""
    from yibao.policy.files import load_policy

    policy = load_policy()
    for year in range(today.year + 1, today.year - 10, -1):
        found = policy.resolve("individual_share", GUANGXI, year)
        if found is not None and found.published:
            return year
    raise InputError("unpublished_year", "近十年没有公布的个人缴费标准",
                     "no published individual share in the last ten years", field="year")


def _refuse_if_generated(conn: Connection) -> None:
    made = conn.execute(select(AuditEntry.id).where(AuditEntry.action == "demo_generated").limit(1))
    ours = conn.execute(select(Payment.id).where(Payment.recorded_by == GENERATOR.username).limit(1))
    if made.first() is not None or ours.first() is not None:
        raise InputError(
            "already_generated",
            "登记系统中已有生成的演示居民;请使用新的数据库",
            "the registry already holds generated residents; use a fresh database",
            field="database",
        )


def _next_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _bulk(conn: Connection, table: Table, rows: Iterable[tuple[Any, ...]],
          columns: Sequence[str]) -> int:
    """Insert tuples into ``table``: ``COPY`` on PostgreSQL, chunked executemany elsewhere."""
    count = 0
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        names = ", ".join(columns)
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    stmt = insert(table)
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) >= CHUNK:
            conn.execute(stmt, chunk)
            count, chunk = count + len(chunk), []
    if chunk:
        conn.execute(stmt, chunk)
        count += len(chunk)
    return count


def _reset_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table.name}))"))


def _write_registry(conn: Connection, pop: Population, year: int) -> tuple[int, int]:
    """Households, persons, declared years and memberships; returns (first person id, rows)."""
    t: dict[str, Table] = {m.__tablename__: m.__table__  # type: ignore[misc]
                           for m in (Household, Person, CoverageHistory, SpecialGroupMembership)}
    hh0, p0 = _next_id(conn, t["households"]), _next_id(conn, t["persons"])
    now = utcnow()
    heads: dict[int, int] = {}
    for p in pop.persons:
        heads.setdefault(p.household, p0 + p.index)
    _bulk(conn, t["households"],
          ((hh0 + i, region, f"演示户 {hh0 + i}", heads.get(i), now)
           for i, region in enumerate(pop.households)),
          ("id", "region", "address", "head_person_id", "created_at"))
    _bulk(conn, t["persons"],
          ((p0 + p.index, p.id_number, "resident_id", p.name, p.birth_date, p.sex, p.region,
            p.region, False, "student" if p.birth_date.year > year - 19 else "resident_hukou",
            hh0 + p.household, None if p.history is None else now, now, now)
           for p in pop.persons),
          ("id", "id_number", "document_type", "name", "birth_date", "sex", "region",
           "hukou_region", "residence_permit", "eligibility_category", "household_id",
           "history_recorded_at", "created_at", "updated_at"))
    rows = _bulk(conn, t["coverage_history"],
                 ((p0 + p.index, y, "imported", "演示数据迁移", GENERATOR.username, now)
                  for p in pop.persons for y in (p.history or ())),
                 ("person_id", "coverage_year", "source", "reference", "recorded_by",
                  "recorded_at"))
    _bulk(conn, t["special_group_memberships"],
          ((p0 + p.index, p.group, dt.date(year - 6, 1, 1), None, "民政部门名单(演示数据)", now)
           for p in pop.persons if p.group),
          ("person_id", "group_code", "valid_from", "valid_to", "source", "created_at"))
    _reset_sequences(conn, list(t.values()))
    return p0, rows


def _amounts(pop: Population, payments: Sequence[PlannedPayment]) -> list[int | None]:
    """What the engine says each payment owes, with the history the ledger will see then."""
    from yibao.batch.quote import quote_table
    from yibao.policy.files import load_policy

    paid: dict[int, set[int]] = {}
    for pay in pop.payments:
        if pay.coverage_year < payments[0].coverage_year:
            paid.setdefault(pay.person, set()).add(pay.coverage_year)
    covered: list[list[int] | None] = []
    for pay in payments:
        p = pop.persons[pay.person]
        history = History(p.history is not None, frozenset(p.history or ()),
                          frozenset(paid.get(pay.person, ())))
        covered.append(history.for_quote(pay.coverage_year, p.birth_date)[0])
    people = [pop.persons[pay.person] for pay in payments]
    batch = pa.record_batch({
        "region": pa.array([p.region for p in people]),
        "coverage_year": pa.array([pay.coverage_year for pay in payments], pa.int32()),
        "payment_date": pa.array([pay.paid_at.date() for pay in payments], pa.date32()),
        "id_number": pa.array([p.id_number for p in people]),
        "special_group": pa.array([p.group for p in people], pa.string()),
        "covered_years": pa.array(covered, pa.list_(pa.int32())),
    })
    due = quote_table(batch, load_policy()).column("amount_due").to_pylist()
    return [None if d is None else int(d) for d in due]


_WORKER_DB: dict[str, Database] = {}


def _record_chunk(url: str, items: list[Any], unpriced: list[bool]) -> tuple[int, int, int]:
    """Record one chunk through the ledger (in a worker process: its own engine);
    (recorded, refused, recorded without a price)."""
    from yibao.services.payments.recording import record_prepared

    db = _WORKER_DB.get(url)
    if db is None:
        db = _WORKER_DB[url] = Database(url)
    outcomes = record_prepared(db, GENERATOR, items)
    created = [o.status == "created" for o in outcomes]
    return (sum(created), sum(o.status not in ("created", "replayed") for o in outcomes),
            sum(c and u for c, u in zip(created, unpriced, strict=True)))


def _latest_share(region: str, year: int) -> int | None:
    """The latest published individual share of ``region`` before ``year`` (what a resident
    pays while the year's figures are not published)."""
    from yibao.policy.files import load_policy

    policy = load_policy()
    for earlier in range(year - 1, year - 11, -1):
        found = policy.resolve("individual_share", region, earlier)
        if found is not None and found.published and found.value:
            return int(found.value)
    return None


def _record_payments(db: Database, pop: Population, seed: int, today: dt.date,
                     progress: Progress | None, workers: int) -> tuple[int, int, int]:
    """Every planned payment through the ledger, a year at a time (a year's payments see the
    cover of the year before). Within a year each person pays once, so the chunks of a year
    touch disjoint persons and ``workers`` processes record them side by side."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from yibao.rules.money import fen_to_yuan
    from yibao.services.inputs import PaymentIn
    from yibao.services.payments.intake import MAX_BULK, prepare

    created = errors = pending = done = 0
    shares: dict[tuple[str, int], int | None] = {}
    pool = None
    _WORKER_DB.setdefault(db.url, db)  # the sequential path records with the caller's db
    if workers > 1 and not db.is_sqlite:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        for year in sorted({p.coverage_year for p in pop.payments}):
            wave = [p for p in pop.payments if p.coverage_year == year]
            for start in range(0, len(wave), MAX_BULK * 10):
                part = wave[start:start + MAX_BULK * 10]
                items, unpriced = [], []
                for pay, due in zip(part, _amounts(pop, part), strict=True):
                    person = pop.persons[pay.person]
                    paid = due
                    if paid is None:
                        key = (person.region, year)
                        if key not in shares:
                            shares[key] = _latest_share(*key)
                        paid = shares[key]
                    if paid is None:  # nothing published to pay, ever: the ledger refuses it
                        errors += 1
                        continue
                    unpriced.append(due is None)  # unpublished: recorded unquoted (pending)
                    items.append(prepare(PaymentIn(
                        id_number=person.id_number, coverage_year=year, channel=pay.channel,
                        channel_txn_id=f"GEN{seed}-{year}-{pay.person:08d}",
                        amount=fen_to_yuan(paid), paid_at=pay.paid_at.isoformat(), payer="本人",
                    ), today=today))
                starts = range(0, len(items), MAX_BULK)
                chunks = [items[k:k + MAX_BULK] for k in starts]
                flags = [unpriced[k:k + MAX_BULK] for k in starts]
                if pool is None:
                    results = [_record_chunk(db.url, c, f) for c, f in zip(chunks, flags,
                                                                            strict=True)]
                else:
                    results = list(pool.map(_record_chunk, [db.url] * len(chunks), chunks,
                                            flags))
                created += sum(r[0] for r in results)
                errors += sum(r[1] for r in results)
                pending += sum(r[2] for r in results)
                done += len(part)
                if progress:
                    progress("payments", done, len(pop.payments))
    finally:
        if pool is not None:
            pool.shutdown()
    return created, errors, pending


def generate(db: Database, *, persons: int, seed: int = 1, year: int | None = None,
             today: dt.date | None = None, progress: Progress | None = None,
             workers: int | None = None, payments: bool = True) -> GenerateSummary:
    """Write ``persons`` synthetic residents and their payments; refuses a second run.

    ``payments=False`` writes the residents, households, history and memberships only.
    ``workers``: ledger processes on PostgreSQL (default: two per core; they wait on the
    database about half the time).
    """
    if persons < 1:
        raise InputError("invalid_value", "居民人数须至少为 1", "--persons must be at least 1",
                         field="persons")
    today = today or today_beijing()
    year = year or default_year(today)
    counties = guangxi_counties()
    periods = {(c, y): concentrated_period(c, y) for c, _ in counties for y in (year - 1, year)}
    if all(periods[(c, year - 1)] is None for c, _ in counties):
        raise InputError("unpublished_year", f"{year - 1}年度集中参保缴费期尚未公布",
                         f"the concentrated period of {year - 1} is not published",
                         field="year")
    started = time.perf_counter()
    gc.disable()  # millions of small objects, none cyclic: full collections only cost time
    try:
        with db.write() as s:
            conn = s.connection()
            _refuse_if_generated(conn)
            taken = {n for n in conn.execute(select(Person.id_number)).scalars() if n}
            pop = plan_population(persons, seed=seed, year=year, counties=counties,
                                  channels=[(c.code, c.regions) for c in channels()],
                                  periods=periods, today=today, taken=taken)
            _, history_rows = _write_registry(conn, pop, year)
            conn.execute(insert(AuditEntry.__table__), [{  # type: ignore[arg-type]
                "at": utcnow(), "actor": GENERATOR.username, "action": "demo_generated",
                "entity": "demo", "entity_id": None, "before": None,
                "after": {"persons": persons, "seed": seed, "year": year}}])
    finally:
        gc.freeze()  # the plan stays alive to the end: keep it out of later collections
        gc.enable()
    if progress:
        progress("registry", persons, persons)
    registry_done = time.perf_counter()
    db.dispose()  # no pooled connection crosses into the ledger workers
    created = errors = pending = 0
    if payments:
        created, errors, pending = _record_payments(db, pop, seed, today, progress,
                                                    workers or 2 * (os.cpu_count() or 1))
    gc.unfreeze()
    return GenerateSummary(persons, len(pop.households), history_rows, created, errors,
                           registry_done - started, time.perf_counter() - registry_done,
                           planned=len(pop.payments) if payments else 0, pending=pending)

