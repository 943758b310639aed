"""Continuous years in the renewal (docs/rules.md C36, C39): each row carries the count the
registered person's single quote gives, and the household's notice says it with the
catastrophic-cover rise it earns in the engine's words (the base cap unpublished).  A
status change recorded in the registry reaches the renewal's quote as it reaches the
single quote (C37)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from yibao.errors import InputError
from yibao.idcard import make_id_number
from yibao.services.common import Actor
from yibao.services.inputs import PersonIn, StatusChangeIn
from yibao.services.registry.persons import register_person
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.services.registry.status_changes import record_status_change
from yibao.store.db import Database
from yibao.store.models import Person

from ..cli_runner import yibao
from .conftest import AS_OF, YEAR, Registry, drop, fresh_database
from .notice_check import page_texts

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
    pages = page_texts(noticed / "notices" / f"{REGION}.pdf")
    assert len(pages) == len(households)
    seen_rule = False
    for lines, members in zip(pages, households.values(), strict=True):
        words = re.sub(r"[\s\x00]+", "", "".join(lines))
        counted = [m for m in members if m["continuous_years"] is not None]
        if not counted:
            continue
        assert "连续参保年限（按期缴费后）：" in words
        for m in counted:
            if m["history_unknown"]:
                assert f"{m['name']}：参保历史待核实" in words
            else:
                assert f"{m['name']}{m['continuous_years']}年（按时连续参保,自" in words
                seen_rule = seen_rule or "原封顶线未公布" in words
        if any(not m["history_unknown"] for m in counted):  # the rule, once per page
            assert words.count("大病保险最高支付限额提高2000.00元") == 1
    assert seen_rule


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def yunfu(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """Two Yunfu residents covered in 2021 only; the first released from prison 2024-11-20."""
    url, admin = fresh_database(request.param, tmp_path)
    db = Database(url)
    numbers = [make_id_number("445302", dt.date(1975, 5, 5), n, "male") for n in (1, 2)]
    try:
        for number in numbers:
            register_person(db, ADMIN, PersonIn(id_number=number, name="云浮", region="445302",
                                                covered_years=[2021]))
        record_status_change(db, ADMIN, numbers[0], StatusChangeIn(
            kind="released_from_prison", date=dt.date(2024, 11, 20), source="释放证明"))
        yield url, numbers
    finally:
        db.dispose()
        drop(url, admin)


YUNFU_SHARE = """description: 个人缴费标准
unit: fen
values:
  "445300":
    - {from: 2025-01-01, to: 2025-12-31, value: 38000, source: "测试: 云浮2025年度个人缴费标准380元"}
"""


def test_a_status_change_reaches_the_renewal(yunfu: tuple[str, list[str]],
                                             tmp_path: Path) -> None:
    """Yunfu's 2025 share is not in the documents: a test folder publishes it (contract §5).
    Covered in 2021 only, paid in the concentrated period: 3 + 2 months from Jan 1 → Jun 1;
    released from prison 2024-11-20, within 3 months: no wait → Jan 1 (C30)."""
    url, numbers = yunfu
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "individual_share.yaml").write_text(YUNFU_SHARE, encoding="utf-8")
    out = tmp_path / "out"
    proc = yibao("renewal", "2025", "-o", str(out), "--as-of", "2024-12-15", "--region",
                 "445302", env={"YIBAO_DATABASE_URL": url, "YIBAO_POLICY_DIR": str(folder)})
    assert proc.exit_code == 0, proc.output
    rows = {r["id_masked"][-4:]: r for r in
            pq.read_table(out / "renewal-2025.parquet").to_pylist()}
    assert rows[numbers[0][-4:]]["benefit_start"] == dt.date(2025, 1, 1)
    assert rows[numbers[1][-4:]]["benefit_start"] == dt.date(2025, 6, 1)
    assert rows[numbers[0][-4:]]["amount_due"] == rows[numbers[1][-4:]]["amount_due"] == 38000
