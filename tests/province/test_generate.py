"""``yibao demo generate``: a synthetic Guangxi registry, through the real command."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from yibao.idcard import parse_id_number
from yibao.policy.reference_data import load_regions
from yibao.store.models import CoverageHistory, Enrollment, Household, Payment, Person

from .conftest import PERSONS, YEAR, Registry, drop, fresh_database


def test_the_registry_holds_residents_households_history_and_ledger_payments(
    registry: Registry,
) -> None:
    db = registry.database()
    try:
        with db.read() as s:
            people = s.execute(select(Person.id_number, Person.region, Person.birth_date,
                                      Person.household_id, Person.history_recorded_at)).all()
            assert len(people) == PERSONS
            regions = load_regions()
            for number, region, birth, household, _ in people:
                parsed = parse_id_number(number)
                assert parsed.birth_date == birth
                assert regions[region].level == "county" and region.startswith("45")
                assert household is not None
            unknown = sum(1 for p in people if p.history_recorded_at is None)
            assert 0 < unknown < PERSONS // 3  # some residents' history is unknown
            assert s.scalar(select(func.count()).select_from(Household)) < PERSONS
            assert s.scalar(select(func.count()).select_from(CoverageHistory)) > PERSONS
            pays = s.execute(select(Payment.coverage_year, Payment.settlement,
                                    Payment.recorded_by, Payment.enrollment_id)).all()
            assert {p.coverage_year for p in pays} == {YEAR - 1, YEAR}
            assert {p.recorded_by for p in pays} == {"demo-generator"}
            assert {p.settlement for p in pays} <= {"exact", "unquoted"}
            enrolled = s.execute(select(Enrollment.id, Enrollment.status)).all()
            assert {p.enrollment_id for p in pays} == {e.id for e in enrolled}
            paid_this_year = s.scalar(select(func.count()).select_from(Enrollment).where(
                Enrollment.coverage_year == YEAR))
            assert 0 < paid_this_year < PERSONS  # some paid already, some not yet
    finally:
        db.dispose()


def test_a_second_run_is_refused_in_both_languages(registry: Registry) -> None:
    proc = registry.run("demo", "generate", "--persons", "5")
    assert proc.returncode == 2
    assert "已有生成的演示居民" in proc.stderr and "already holds generated" in proc.stderr


def _content(url: str) -> tuple[list[tuple[object, ...]], ...]:
    from yibao.store.db import Database

    db = Database(url)
    try:
        with db.read() as s:
            persons = s.execute(select(Person.id_number, Person.name, Person.birth_date,
                                       Person.region, Person.household_id).order_by(Person.id))
            history = s.execute(select(CoverageHistory.person_id, CoverageHistory.coverage_year)
                                .order_by(CoverageHistory.person_id, CoverageHistory.coverage_year))
            pays = s.execute(select(Payment.channel, Payment.channel_txn_id, Payment.amount_fen,
                                    Payment.paid_at, Payment.settlement).order_by(Payment.id))
            return ([tuple(r) for r in persons], [tuple(r) for r in history],
                    [tuple(r) for r in pays])
    finally:
        db.dispose()


def test_the_same_seed_gives_the_same_registry(tmp_path: Path) -> None:
    runs = []
    for k in (1, 2):
        folder = tmp_path / str(k)
        folder.mkdir()
        url, admin = fresh_database("sqlite", folder)
        proc = Registry("sqlite", url).run("demo", "generate", "--persons", "80", "--seed", "5",
                                           "--year", str(YEAR))
        assert proc.returncode == 0, proc.stderr
        runs.append(_content(url))
        drop(url, admin)
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 80 and runs[0][2]


def test_no_payments_writes_residents_and_history_only(tmp_path: Path) -> None:
    url, admin = fresh_database("sqlite", tmp_path)
    proc = Registry("sqlite", url).run("demo", "generate", "--persons", "40", "--no-payments")
    assert proc.returncode == 0, proc.stderr
    from yibao.store.db import Database

    db = Database(url)
    try:
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Person)) == 40
            assert s.scalar(select(func.count()).select_from(Payment)) == 0
            assert s.scalar(select(func.count()).select_from(CoverageHistory)) > 0
    finally:
        db.dispose()
        drop(url, admin)
