"""The Spark engine on a real local Spark (``local[2]``): same rows, same order as the local engine.

One SparkSession serves the whole test session.  Without PySpark or Java the
tests skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bench.population import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yibao.batch.runner import run_batch
from yibao.errors import InputError
from yibao.idcard import make_id_number

from .strategies import requests
from .test_batch import SCHEMA, _row

KEEP_SCHEMA = SCHEMA.insert(0, pa.field("person_id", pa.string()))
NEWBORN_ID = make_id_number("450802", date(2021, 1, 15), 7, "female")
ADULT_ID = make_id_number("450202", date(1980, 5, 1), 12, "male")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from yibao.batch.spark_run import spark_session

    try:
        session = spark_session("local[2]", {"spark.ui.showConsoleProgress": "false",
                                             "spark.sql.shuffle.partitions": "4"})
    except InputError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Spark unavailable ({exc.message_en}); CI=true: Spark tests must run")
        pytest.skip(exc.message_en)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def both(spark: Any, src: Path, suffix: str = ".parquet", keep: tuple[str, ...] = (),
         chunk_rows: int = 7) -> tuple[Path, Path]:
    """Quote ``src`` with both engines (the local one in small batches); the two output files."""
    from yibao.batch.spark_run import run_spark

    local, remote = src.with_name("local" + suffix), src.with_name("spark" + suffix)
    a = run_batch(src, local, keep=keep, chunk_rows=chunk_rows)
    b = run_spark(src, remote, keep=keep, spark=spark)
    assert (a.rows, a.errors) == (b.rows, b.errors)
    return local, remote


def assert_same_parquet(local: Path, remote: Path) -> list[dict[str, Any]]:
    a, b = pq.read_table(local), pq.read_table(remote)
    assert a.schema.names == b.schema.names
    assert [f.type for f in a.schema] == [f.type for f in b.schema]
    rows = a.to_pylist()
    assert b.to_pylist() == rows
    return rows


ODD: list[dict[str, Any]] = [
    {"person_id": "on-time", "region": "450802", "coverage_year": 2021,
     "payment_date": "2021-03-15", "covered_years": [2019]},
    {"person_id": "newborn", "coverage_year": 2021, "payment_date": "2021-04-14",
     "id_number": NEWBORN_ID},
    {"person_id": "back-pay", "region": "450202", "coverage_year": 2025,
     "payment_date": "2024-10-10", "covered_years": [2022], "back_pay_years": [2024]},
    {"person_id": "empty-lists", "region": "450202", "coverage_year": 2025,
     "payment_date": "2024-10-10", "covered_years": [], "back_pay_years": []},
    {"person_id": "no-region", "coverage_year": 2025, "payment_date": "2024-10-10"},
    {"person_id": "unknown-region", "region": "999999", "coverage_year": 2025,
     "payment_date": "2024-10-10"},
    {"person_id": "bad-region", "region": "abc", "coverage_year": 2025,
     "payment_date": "2024-10-10"},
    {"person_id": "bad-checksum", "region": "450202", "coverage_year": 2025,
     "payment_date": "2025-02-10", "id_number": "450202202405011234"},
    {"person_id": "duplicate-back-pay", "region": "450202", "coverage_year": 2025,
     "payment_date": "2024-10-10", "covered_years": [2022], "back_pay_years": [2024, 2024]},
    {"person_id": "unknown-group", "region": "450202", "coverage_year": 2025,
     "payment_date": "2024-10-10", "special_group": "martian"},
    {"person_id": "tekun", "region": "450202", "coverage_year": 2025,
     "payment_date": "2025-03-10", "special_group": "tekun"},
    {"person_id": "hardship", "region": "450802", "coverage_year": 2025,
     "payment_date": "2025-02-20", "hardship_deferral": True, "covered_years": [2024]},
    {"person_id": "from-employee", "region": "450202", "coverage_year": 2025,
     "payment_date": "2025-05-10", "employee_insurance_end_date": "2025-04-30",
     "id_number": ADULT_ID},
    {"person_id": "too-late", "region": "450202", "coverage_year": 2025,
     "payment_date": "2026-01-03"},
    {"person_id": "no-year", "region": "450202", "payment_date": "2024-10-10"},
    {"person_id": "birth-mismatch", "coverage_year": 2021, "payment_date": "2021-04-14",
     "id_number": NEWBORN_ID, "birth_date": "2021-01-16"},
    {"person_id": "qinghai-late", "region": "630000", "coverage_year": 2025,
     "payment_date": "2025-05-10", "covered_years": [2024]},
    {"person_id": "year-1800", "region": "450202", "coverage_year": 1800,
     "payment_date": "2024-10-10"},
    {"person_id": "all-null", "region": None, "coverage_year": None, "payment_date": None},
    {"person_id": "null-in-list", "region": "450202", "coverage_year": 2025,
     "payment_date": "2024-10-10", "covered_years": [2023, None]},
]


def test_odd_parquet_rows_agree_row_by_row(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "odd.parquet"
    rows = [{"person_id": r["person_id"], **_row(r)} for r in ODD]
    pq.write_table(pa.Table.from_pylist(rows, schema=KEEP_SCHEMA), src)
    out = assert_same_parquet(*both(spark, src, keep=("person_id",)))
    assert [r["person_id"] for r in out] == [r["person_id"] for r in ODD]
    by_id = {r["person_id"]: r for r in out}
    assert by_id["newborn"]["rule"] == "R-START-NEWBORN"
    assert by_id["back-pay"]["back_pay"] == 40000
    assert by_id["unknown-region"]["error"] == "unknown_region"
    assert by_id["bad-checksum"]["error"] == "id_number_checksum"
    assert by_id["duplicate-back-pay"]["error"] == "back_pay_duplicate"
    assert by_id["qinghai-late"]["amount_due"] is None and by_id["qinghai-late"]["error"] is None
    assert by_id["null-in-list"]["error_field"] == "covered_years"


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.data_too_large,
                                                               HealthCheck.too_slow])
@given(reqs=st.lists(requests(), min_size=1, max_size=150))
def test_generated_requests_agree_row_by_row(
    spark: Any, tmp_path_factory: pytest.TempPathFactory, reqs: list[dict[str, Any]]
) -> None:
    src = tmp_path_factory.mktemp("spark-gen") / "people.parquet"
    pq.write_table(pa.Table.from_pylist([_row(r) for r in reqs], schema=SCHEMA), src)
    assert len(assert_same_parquet(*both(spark, src))) == len(reqs)


def test_many_partitions_keep_the_input_order(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "population.parquet"
    people = generate(30_000, year=2025, seed=11)
    people = people.add_column(0, "person_id", pa.array([f"p{i:05d}" for i in range(30_000)]))
    pq.write_table(people, src, row_group_size=1_000)
    small_splits = {"spark.sql.files.maxPartitionBytes": "65536"}  # 9 partitions, 9 parts
    for key, value in small_splits.items():
        spark.conf.set(key, value)
    try:
        local, remote = both(spark, src, keep=("person_id",), chunk_rows=4096)
    finally:
        for key in small_splits:
            spark.conf.unset(key)
    out = assert_same_parquet(local, remote)
    assert [r["person_id"] for r in out] == people.column("person_id").to_pylist()


CSV_TEXT = (
    "\ufeffregion,coverage_year,payment_date,id_number,covered_years,back_pay_years,special_group\n"
    "450802,2021,2021-03-15,,2019,,\n"
    ",2021,2021-04-14," + NEWBORN_ID + ",,,\n"
    "450202,2025,2024-10-10,,2022,2024,\n"
    "450202,2025,2025-02-30,,,,\n"
    "450202,2025,2025-02-10,450202202405011234,,,\n"
    "450202,twenty,2025-02-10,,,,\n"
    "450202,2025,2024-10-10,,[],[],\n"
    "450202,2025,2024-10-10,,2022;2020,2024;2024,\n"
    "NA,2025,2024-10-10,,,,\n"
    '" 450202 ",2025," 2024-10-10 ",,"2022; 2023",,tekun\n'
    "450202,2025,2024/10/10,,20x2,,\n"
)


def test_csv_input_and_output_are_the_same_file(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text(CSV_TEXT, encoding="utf-8")
    local, remote = both(spark, src, suffix=".csv")
    assert remote.read_bytes() == local.read_bytes()
    assert local.read_text().count("\n") == 12


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_gb18030_or_with_a_bom_gives_the_same_file(spark: Any, tmp_path: Path,
                                                            encoding: str) -> None:
    src = tmp_path / "people.csv"
    header, *rows = CSV_TEXT.lstrip("\ufeff").splitlines()
    text = "\n".join([f"name,{header}", *(f"张三{i},{row}" for i, row in enumerate(rows))]) + "\n"
    src.write_bytes(text.encode(encoding))
    local, remote = both(spark, src, suffix=".csv", keep=("name",))
    assert remote.read_bytes() == local.read_bytes()
    assert "张三" in local.read_text(encoding="utf-8")


def test_empty_inputs_give_empty_outputs(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "none.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=SCHEMA), src)
    assert_same_parquet(*both(spark, src))
    header_only = tmp_path / "header.csv"
    header_only.write_text("region,coverage_year,payment_date\n", encoding="utf-8")
    local, remote = both(spark, header_only, suffix=".csv")
    assert remote.read_bytes() == local.read_bytes()


def test_unknown_columns_stop_before_spark_runs(spark: Any, tmp_path: Path) -> None:
    from yibao.batch.spark_run import run_spark

    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date,colour\n450802,2021,2021-03-15,red\n")
    with pytest.raises(InputError) as caught:
        run_spark(src, tmp_path / "out.parquet", spark=spark)
    assert caught.value.code == "unknown_columns"
    assert not list(tmp_path.glob("*out*")) and not list(tmp_path.glob(".*"))


def test_cli_engine_spark(spark: Any, tmp_path: Path) -> None:
    """The command line's Spark engine (in this process: it joins the test session's Spark)."""
    from typer.testing import CliRunner

    from yibao.cli.main import app

    src = tmp_path / "people.csv"
    src.write_text(CSV_TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, [
        "batch", "quote", str(src), "-o", str(tmp_path / "s.csv"), "--engine", "spark",
        "--master", "local[2]", "--conf", "spark.sql.shuffle.partitions=4"])
    assert result.exit_code == 0, result.output
    run_batch(src, tmp_path / "l.csv")
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "l.csv").read_bytes()
    assert "11 行" in result.output


def test_parts_out_of_file_order_are_written_again_sorted(spark: Any, tmp_path: Path) -> None:
    """Spark reads a folder's biggest file first; the quotes still come in (file, row) order."""
    from yibao.batch.spark_run import _parts, _write_parts, quote_dataframe
    from yibao.policy.files import load_policy

    people = generate(5_000, year=2025, seed=5)
    people = people.add_column(0, "person_id", pa.array([f"p{i:04d}" for i in range(5_000)]))
    folder = tmp_path / "people"
    folder.mkdir()
    pq.write_table(people.slice(0, 1_000), folder / "a.parquet")
    pq.write_table(people.slice(1_000), folder / "b.parquet")  # bigger: read first
    whole = tmp_path / "all.parquet"
    pq.write_table(people, whole)
    run_batch(whole, tmp_path / "local.parquet", keep=("person_id",))
    expected = pq.read_table(tmp_path / "local.parquet").to_pylist()

    out = tmp_path / "parts"
    out.mkdir()
    parts = _write_parts(spark.read.parquet(str(folder)), load_policy(), ("person_id",), out)
    assert [row for table in _parts(parts) for row in table.to_pylist()] == expected

    quoted = quote_dataframe(spark.read.parquet(str(folder)), keep=("person_id",)).toArrow()
    assert quoted.column("person_id").to_pylist() == people.column("person_id").to_pylist()


def test_notices_on_spark_are_the_local_runs_bytes(spark: Any, tmp_path: Path) -> None:
    """A renewal's reminders (a generated registry) turned into notices one Spark task per
    county: every county's PDF is the bytes ``write_notices`` writes in this process."""
    import datetime as dt

    from yibao.operations.renewal.notices import write_notices
    from yibao.operations.renewal.spark_notices import write_notices_on_spark

    from .cli_runner import yibao

    env = {"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}"}
    for args in (("db", "upgrade"),
                 ("demo", "generate", "--persons", "300", "--seed", "11", "--year", "2025",
                  "--no-payments"),
                 ("renewal", "2025", "--as-of", "2024-10-15", "--region", "450800",
                  "-o", str(tmp_path / "run"))):
        done = yibao(*args, env=env)
        assert done.exit_code == 0, done.output
    reminders = tmp_path / "run" / "reminders"
    stamp = dt.date(2024, 10, 15)
    counts = write_notices_on_spark(spark, reminders, tmp_path / "spark", 2025, stamp)
    assert sorted(counts) == sorted(p.stem for p in reminders.glob("*.parquet"))
    assert len(counts) == 5 and sum(counts.values()) > 5  # Guigang's five counties
    (tmp_path / "local").mkdir()
    for region, households in counts.items():
        here = tmp_path / "local" / f"{region}.pdf"
        assert write_notices(pq.read_table(reminders / f"{region}.parquet"), 2025, here,
                             stamp) == households
        assert (tmp_path / "spark" / f"{region}.pdf").read_bytes() == here.read_bytes(), region
    assert write_notices_on_spark(spark, tmp_path / "none", tmp_path / "empty", 2025, stamp) == {}
