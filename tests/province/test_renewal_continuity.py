"""Continuous years in the renewal (docs/rules.md C36, C39): each row carries the count the
registered person's single quote gives, and the household's notice says it with the
catastrophic-cover rise it earns in the engine's words (the base cap unpublished)."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from yibao.errors import InputError
from yibao.services.common import Actor
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.store.models import Person

from ..cli_runner import yibao
from .conftest import AS_OF, YEAR, Registry

ADMIN = Actor("renewal-test", "admin")
REGION = "450802"


@pytest.fixture(scope="module")
def noticed(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("renewal18") / "out"
    proc = yibao("renewal", str(YEAR), "-o", str(out), "--as-of", AS_OF, "--region", REGION,
                 "--notices", env={"YIBAO_DATABASE_URL": registry.url})
    assert proc.exit_code == 0, proc.output
    return out


def test_each_row_counts_as_the_single_quote(registry: Registry, noticed: Path) -> None:
    rows = pq.read_table(noticed / f"renewal-{YEAR}.parquet").to_pylist()
    assert rows and {r["region"] for r in rows} == {REGION}
    db = registry.database()
    try:
        with db.read() as s:
            numbers = dict(s.execute(select(Person.id, Person.id_number)).all())
        for row in rows:
            try:
                single = quote_person(db, ADMIN, numbers[row["person_id"]],  # type: ignore[index]
                                      QuoteFacts(YEAR, row["quote_date"]))  # type: ignore[arg-type]
            except InputError:
                assert row["continuous_years"] is None
                continue
            assert row["continuous_years"] == single.quote.continuous_years, row
    finally:
        db.dispose()
    assert any(r["continuous_years"] for r in rows)


def test_the_notice_says_each_members_years_and_the_rise(noticed: Path) -> None:
    rows = [r for r in pq.read_table(noticed / f"renewal-{YEAR}.parquet").to_pylist()
            if not r["paid"]]
    households: dict[object, list[dict[str, object]]] = {}
    for r in rows:
        households.setdefault(r["household_id"], []).append(r)
    pages = PdfReader(noticed / "notices" / f"{REGION}.pdf").pages
    assert len(pages) == len(households)
    seen_rule = False
    for page, members in zip(pages, households.values(), strict=True):
        words = re.sub(r"[\s\x00]+", "", page.extract_text())
        counted = [m for m in members if m["continuous_years"] is not None]
        if not counted:
            continue
        assert "连续参保年限(按期缴费后):" in words
        for m in counted:
            if m["history_unknown"]:
                assert f"{m['name']}:参保历史待核实" in words
            else:
                assert f"{m['name']}{m['continuous_years']}年(按时连续参保,自" in words
                seen_rule = seen_rule or "原封顶线未公布" in words
        if any(not m["history_unknown"] for m in counted):  # the rule, once per page
            assert words.count("大病保险最高支付限额提高2000.00元") == 1
    assert seen_rule
