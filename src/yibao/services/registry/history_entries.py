"""Use cases of coverage history: show it, declare years for one person, import a file.

    yibao history import covered.csv      # id_number,coverage_year  (or id_number,covered_years)

An import is idempotent (a year already recorded is skipped), names who ran it and
when, and lists the enrollments computed while the person's history was unknown that
the new history would change: an admin corrects those explicitly, nothing changes by
itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Connection, Table, insert, select, update

from yibao.errors import InputError, YibaoError
from yibao.idcard import parse_id_number
from yibao.services.common import Actor, audit, audit_id_reads, today_beijing
from yibao.services.inputs import HistoryIn
from yibao.services.payments.cover import ANCHORED
from yibao.services.payments.requote import cover_changes
from yibao.services.registry.history import (
    check_declared_years,
    declare_years,
    history_fields,
    history_view,
    load_histories,
)
from yibao.services.registry.persons import find_person
from yibao.services.shapes import History as HistoryShape
from yibao.services.shapes import HistoryAdded, HistoryReview, Waiting
from yibao.store.db import Database
from yibao.store.models import AuditEntry, CoverageHistory, Enrollment, Person, utcnow

__all__ = ["add_history", "get_history", "import_history"]

_H = cast(Table, CoverageHistory.__table__)
_E = cast(Table, Enrollment.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)
CHUNK = 2000
MIN_YEAR, MAX_YEAR = 1990, 2100


def get_history(db: Database, actor: Actor, id_number: str) -> HistoryShape:
    """The person's coverage history as the registry knows it."""
    with db.read() as s:
        person = find_person(s, actor, id_number)
        history = load_histories(
            s.connection(), [person.id], known={person.id: person.history_recorded_at is not None}
        )[person.id]
        return history_view(history, person.history_recorded_at)


def add_history(db: Database, actor: Actor, id_number: str, data: HistoryIn) -> HistoryAdded:
    """Declare years covered before the registry for one person (added, never removed)."""
    with db.write() as s:
        person = find_person(s, actor, id_number, lock=True)
        check_declared_years(data.covered_years, person.birth_date, today_beijing())
        conn = s.connection()
        held = set(conn.execute(
            select(_E.c.coverage_year).where(_E.c.person_id == person.id)).scalars())
        added, skipped = declare_years(conn, actor, person.id, data.covered_years,
                                       source="declared", reference=data.source,
                                       registry_years=held)
        audit(s, actor, "declare_history", "person", person.id,
              after={"added": added, "skipped_registry_years": skipped, "source": data.source})
        s.expire(person)
        history = load_histories(conn, [person.id])[person.id]
        recorded = conn.execute(select(_PERSON.c.history_recorded_at)
                                .where(_PERSON.c.id == person.id)).scalar_one()
        audit_id_reads(s, actor, [person.id], "add_history")
        return HistoryAdded(**history_fields(history, recorded), added=added,
                            skipped_registry_years=skipped, review=_review(conn, [person.id]))


def _unreadable(path: Path, why: str, why_en: str) -> InputError:
    return InputError("unreadable_file", f"无法读取文件 {path}: {why}", f"{path}: {why_en}",
                      field="file")


def _read(path: Path) -> pa.Table:
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            table = pq.read_table(path)
        elif suffix == ".csv":
            first = path.read_text(encoding="utf-8-sig").splitlines()[:1]
            names = [c.strip() for c in first[0].split(",")] if first else []
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}))
        else:
            raise _unreadable(path, "只支持 .csv 与 .parquet", "only .csv and .parquet are read")
    except (OSError, pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _unreadable(path, type(exc).__name__, str(exc)) from None
    columns = set(table.column_names)
    if "id_number" not in columns or not columns & {"coverage_year", "covered_years"} \
            or columns - {"id_number", "coverage_year", "covered_years"}:
        shown = ", ".join(sorted(columns)) or "(none)"
        raise _unreadable(path, f"须有 id_number 和 coverage_year 或 covered_years 列,实有: {shown}",
                          f"needs id_number and coverage_year or covered_years; has: {shown}")
    return table


def _years(value: Any) -> list[int]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
    out = []
    for item in items:
        text = str(item).strip()
        if not text or text == "[]":
            continue
        year = int(text)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(text)
        out.append(year)
    return out


def _rows(path: Path, table: pa.Table) -> Iterator[tuple[int, Any, Any]]:
    first_line = 2 if path.suffix.lower() == ".csv" else 1
    names = table.column_names
    for n, row in enumerate(table.to_pylist()):
        yield n + first_line, row.get("id_number"), [row.get(c) for c in names
                                                      if c in ("coverage_year", "covered_years")]


def import_history(db: Database, actor: Actor, path: Path) -> dict[str, Any]:
    """Import years covered before the registry from a CSV or Parquet file (idempotent)."""
    table = _read(path)
    wanted: dict[str, set[int]] = {}
    problems: list[dict[str, Any]] = []
    for line, raw_id, values in _rows(path, table):
        try:
            number = parse_id_number(str(raw_id or "")).number
            years = [y for v in values for y in _years(v)]
        except YibaoError as exc:
            problems.append({"line": line, **exc.to_dict()["error"]})
            continue
        except ValueError:
            problems.append({"line": line, "code": "invalid_year", "field": "coverage_year",
                             "message": "年份无效", "message_en": "not a valid year"})
            continue
        wanted.setdefault(number, set()).update(years)
    counts = {"persons": 0, "added": 0, "already": 0, "skipped_registry_years": 0}
    unknown: list[str] = []
    touched: list[int] = []
    numbers = sorted(wanted)
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        with db.write() as s:
            conn = s.connection()
            ids = _import_chunk(conn, actor, path, {n: wanted[n] for n in chunk}, counts,
                                unknown)
            touched.extend(ids)
    review: list[dict[str, Any]] = []
    with db.read() as s:
        for start in range(0, len(touched), CHUNK):
            review.extend(r.model_dump(mode="json")
                          for r in _review(s.connection(), touched[start:start + CHUNK]))
    return {"file": str(path), "rows": table.num_rows, **counts,
            "unknown_persons": len(unknown), "problems": problems, "review": review}


def _import_chunk(conn: Connection, actor: Actor, path: Path, wanted: dict[str, set[int]],
                  counts: dict[str, int], unknown: list[str]) -> list[int]:
    persons = {
        r.id_number: (r.id, r.history_recorded_at)
        for r in conn.execute(
            select(_PERSON.c.id, _PERSON.c.id_number, _PERSON.c.history_recorded_at)
            .where(_PERSON.c.id_number.in_(list(wanted))).order_by(_PERSON.c.id)
            .with_for_update()
        )
    }
    unknown.extend(n for n in wanted if n not in persons)
    ids = [pid for pid, _ in persons.values()]
    present: set[tuple[int, int]] = set()
    held: set[tuple[int, int]] = set()
    if ids:
        present = {(r.person_id, r.coverage_year) for r in conn.execute(
            select(_H.c.person_id, _H.c.coverage_year).where(_H.c.person_id.in_(ids)))}
        held = {(r.person_id, r.coverage_year) for r in conn.execute(
            select(_E.c.person_id, _E.c.coverage_year).where(_E.c.person_id.in_(ids)))}
    now = utcnow()
    rows = []
    for number, years in wanted.items():
        if number not in persons:
            continue
        pid = persons[number][0]
        counts["persons"] += 1
        for year in sorted(years):
            if (pid, year) in present:
                counts["already"] += 1
            elif (pid, year) in held:
                counts["skipped_registry_years"] += 1
            else:
                rows.append({"person_id": pid, "coverage_year": year, "source": "imported",
                             "reference": path.name[:200], "recorded_by": actor.username,
                             "recorded_at": now})
    counts["added"] += len(rows)
    if rows:
        conn.execute(insert(_H), rows)
    if ids:
        conn.execute(update(_PERSON).where(_PERSON.c.id.in_(ids),
                                           _PERSON.c.history_recorded_at.is_(None))
                     .values(history_recorded_at=now))
        conn.execute(insert(_A), [{
            "at": now, "actor": actor.username, "action": "import_history", "entity": "person",
            "entity_id": None, "before": None,
            "after": {"file": path.name, "persons": len(ids), "years_added": len(rows)}}])
    return ids


def _review(conn: Connection, person_ids: list[int]) -> list[HistoryReview]:
    """Enrollments computed while the history was unknown that it would now change."""
    out: list[HistoryReview] = []
    rows = conn.execute(
        select(_E).where(_E.c.person_id.in_(person_ids), _E.c.history_basis == "unknown",
                         _E.c.status.in_(ANCHORED)).order_by(_E.c.id)
    ).all()
    for row, quote in cover_changes(conn, rows):
        out.append(HistoryReview(
            enrollment_id=row.id, coverage_year=row.coverage_year,
            benefit_start=row.benefit_start, benefit_start_from_history=quote.benefit_start,
            waiting_months_from_history=Waiting(fixed=quote.waiting_fixed,
                                                variable=quote.waiting_variable)))
    return out
