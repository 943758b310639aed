"""PostgreSQL's one-statement inserts store what ``insert(table)`` stores, row for row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
    text,
)

from yibao.store.unnest import in_pairs, in_values, insert_unnest, supports_unnest

from .province.conftest import drop, fresh_database

pytestmark = pytest.mark.postgres


def _table(name: str, meta: MetaData) -> Table:
    return Table(name, meta, Column("id", BigInteger, primary_key=True),
                 Column("at", DateTime), Column("day", Date), Column("who", String(64)),
                 Column("ok", Boolean), Column("n", Integer), Column("data", JSON),
                 Column("kind", String(16), default="payment"))


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, admin = fresh_database("postgres", tmp_path)
    eng = create_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()
        drop(url, admin)


ROWS: list[dict[str, Any]] = [
    {"id": 1, "at": dt.datetime(2024, 11, 20, 9, 0, 0, 123456), "day": dt.date(2025, 1, 1),
     "who": '韦"德\\明,{}', "ok": True, "n": 2**31 - 1,
     "data": {"person_ids": [3, 17], "via": "record_payment", "nul": "\x00", "zh": "补缴"}},
    {"id": 2, "at": None, "day": None, "who": None, "ok": False, "n": None, "data": None},
    {"id": 3, "at": dt.datetime(2026, 12, 6), "day": dt.date(2026, 2, 28), "who": "",
     "ok": None, "n": -5, "data": [1, "two", None, {"a": 1.5}]},
]


def _stored(conn: Any, table: Table) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(
        f"SELECT id, at, day, who, ok, n, data::text, data IS NULL, kind FROM {table.name} "
        "ORDER BY id"))]


def test_rows_stored_as_insert_stores_them(engine: Engine) -> None:
    meta = MetaData()
    plain, one = _table("t_plain", meta), _table("t_unnest", meta)
    meta.create_all(engine)
    assert supports_unnest(one, list(ROWS[0]))
    with engine.begin() as conn:
        conn.execute(insert(plain), ROWS)
        assert insert_unnest(conn, one, ROWS)
    with engine.connect() as conn:
        assert _stored(conn, one) == _stored(conn, plain)
        assert len(_stored(conn, one)) == 3


def test_values_without_an_exact_text_are_left_to_the_caller(engine: Engine) -> None:
    meta = MetaData()
    one = _table("t_aware", meta)
    meta.create_all(engine)
    aware = [{**ROWS[0], "at": dt.datetime(2024, 11, 20, 9, tzinfo=dt.UTC)}]
    with engine.begin() as conn:
        assert insert_unnest(conn, one, aware) is False
        assert conn.execute(select(one.c.id)).all() == []  # nothing written


def test_array_parameters_select_what_in_lists_select(engine: Engine) -> None:
    meta = MetaData()
    one = _table("t_in", meta)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(one), ROWS)
        wanted = {'韦"德\\明,{}', "", "nobody"}
        got = conn.execute(select(one.c.id).where(in_values(conn, one.c.who, wanted))
                           .order_by(one.c.id)).scalars().all()
        assert got == [1, 3]
        pairs = {('韦"德\\明,{}', "payment"), ("", "other")}
        got = conn.execute(select(one.c.id).where(in_pairs(conn, (one.c.who, one.c.kind), pairs))
                           ).scalars().all()
        assert got == [1]
