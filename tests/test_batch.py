"""Batch runs over real Parquet and CSV files, row by row equal to single quotes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao.batch.runner import run_batch
from yibao.errors import InputError
from yibao.idcard import make_id_number
from yibao.quoting.answers import quote

from .strategies import requests

SCHEMA = pa.schema([
    ("region", pa.string()), ("coverage_year", pa.int32()), ("payment_date", pa.date32()),
    ("id_number", pa.string()), ("birth_date", pa.date32()), ("special_group", pa.string()),
    ("covered_years", pa.list_(pa.int32())), ("employee_insurance_end_date", pa.date32()),
    ("back_pay_years", pa.list_(pa.int32())), ("hardship_deferral", pa.bool_()),
    ("status_change_kind", pa.string()), ("status_change_date", pa.date32()),
])
DATE_KEYS = ("payment_date", "birth_date", "employee_insurance_end_date", "status_change_date")


def _row(req: dict[str, Any]) -> dict[str, Any]:
    change = req.get("status_change") or {}
    flat = {**req, "status_change_kind": change.get("kind"), "status_change_date": change.get("date")}
    row = {k: flat.get(k) for k in SCHEMA.names}
    for k in DATE_KEYS:
        if row[k] is not None:
            row[k] = date.fromisoformat(row[k])
    return row


def _fen(yuan: str | None) -> int | None:
    return None if yuan is None else int(yuan.replace(".", ""))


def _expected(req: dict[str, Any]) -> dict[str, Any]:
    try:
        r = quote(req)
    except InputError as exc:
        return {"error": exc.code}
    return {
        "error": None,
        "amount_due": _fen(r["amount_due"]),
        "benefit_start": r["benefit_start"],
        "waiting_fixed": r["waiting_months"]["fixed"],
        "waiting_variable": r["waiting_months"]["variable"],
        "rule": r["main_rule"],
        "back_pay": _fen(r["breakdown"]["back_pay"]),
        "waiting_fixed_days": r["waiting_days"]["fixed"],
        "continuous_years": r["continuous_years"],
    }


def _actual(out: dict[str, Any]) -> dict[str, Any]:
    if out["error"] is not None:
        return {"error": out["error"]}
    start = out["benefit_start"]
    return {
        "error": None, "amount_due": out["amount_due"],
        "benefit_start": start.isoformat() if start else None,
        "waiting_fixed": out["waiting_fixed"], "waiting_variable": out["waiting_variable"],
        "rule": out["rule"], "back_pay": out["back_pay"],
        "waiting_fixed_days": out["waiting_fixed_days"],
        "continuous_years": out["continuous_years"],
    }


@settings(max_examples=20, deadline=None)
@given(st.lists(requests(), min_size=1, max_size=60), st.integers(1, 7))
def test_batch_equals_single_quotes_row_by_row(
    tmp_path_factory: pytest.TempPathFactory, reqs: list[dict[str, Any]], chunk: int
) -> None:
    folder = tmp_path_factory.mktemp("agree")
    src, dst = folder / "in.parquet", folder / "out.parquet"
    pq.write_table(pa.Table.from_pylist([_row(r) for r in reqs], schema=SCHEMA), src)
    summary = run_batch(src, dst, chunk_rows=chunk)
    out = pq.read_table(dst).to_pylist()
    assert summary.rows == len(reqs) == len(out)
    for req, row in zip(reqs, out, strict=True):
        assert _actual(row) == _expected(req), req


@settings(max_examples=30, deadline=None)
@given(st.lists(requests(), min_size=1, max_size=60),
       st.lists(st.sampled_from(["", " ", "4508", "45080a", " 450802", "990000", None]),
                max_size=8))
def test_dictionary_columns_quote_as_their_values(reqs: list[dict[str, Any]],
                                                  odd: list[str | None]) -> None:
    """Region and special group read as dictionaries (as the workers read them from a
    Parquet file that stores them so) give the quotes of the same values as strings,
    nulls, blanks, bad codes and unknown groups included."""
    from yibao.batch.quote import quote_table
    from yibao.policy.files import load_policy

    rows = [_row(r) for r in reqs]
    for k, value in enumerate(odd):  # a few odd values the requests strategy rarely gives
        rows[k % len(rows)]["region" if k % 2 else "special_group"] = value
    guigang = make_id_number("450802", date(1980, 5, 17), 3, "male")
    for region, number, group in ((None, None, None), (None, guigang, ""),
                                  ("450202", guigang, "no-such-group"), ("45080a", None, " ")):
        rows.append({**rows[0], "region": region, "id_number": number, "birth_date": None,
                     "special_group": group})
    plain = pa.Table.from_pylist(rows, schema=SCHEMA)
    encoded = plain
    for name in ("region", "special_group"):
        i = encoded.schema.get_field_index(name)
        encoded = encoded.set_column(i, name, pc.dictionary_encode(encoded.column(name)))
    policy = load_policy()
    (batch,) = plain.combine_chunks().to_batches()
    (dict_batch,) = encoded.combine_chunks().to_batches()
    assert pa.types.is_dictionary(dict_batch.schema.field("region").type)
    assert quote_table(dict_batch, policy).equals(quote_table(batch, policy))


def test_csv_round_trip_with_bad_rows(tmp_path: Path) -> None:
    good_id = make_id_number("450802", date(2021, 1, 15), 7, "female")
    src = tmp_path / "people.csv"
    src.write_text(
        "region,coverage_year,payment_date,id_number,covered_years,back_pay_years\n"
        "450802,2021,2021-03-15,,2019,\n"
        ",2021,2021-04-14," + good_id + ",,\n"
        "450202,2025,2024-10-10,,2022,2024\n"
        "450202,2025,2025-02-30,,,\n"
        "450202,2025,2025-02-10,450202202405011234,,\n"
        "450202,twenty,2025-02-10,,,\n"
        "450202,2025,2024-10-10,,[],\n"
        "450202,2025,2024-10-10,,2022;2020,2024;2024\n",
        encoding="utf-8",
    )
    dst = tmp_path / "quotes.csv"
    summary = run_batch(src, dst)
    rows = pacsv.read_csv(
        dst, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)
    ).to_pylist()
    assert summary.rows == 8 and summary.errors == 4
    assert rows[0]["amount_due"] == 28000 and str(rows[0]["benefit_start"]) == "2021-06-01"
    assert rows[1]["rule"] == "R-START-NEWBORN" and str(rows[1]["benefit_start"]) == "2021-01-15"
    assert rows[2]["rule"] == "R-WAIT-REPAIR" and rows[2]["back_pay"] == 40000
    assert [r["error"] for r in rows[3:6]] == ["invalid_value", "id_number_checksum",
                                               "invalid_value"]
    assert rows[5]["error_field"] == "coverage_year"
    assert rows[6]["error"] is None and str(rows[6]["benefit_start"]) == "2025-01-01"
    assert rows[7]["error"] == "back_pay_duplicate"


def test_unknown_columns_stop_before_anything_is_written(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date,colour\n450802,2021,2021-03-15,red\n")
    dst = tmp_path / "out.parquet"
    with pytest.raises(InputError) as caught:
        run_batch(src, dst)
    assert caught.value.code == "unknown_columns"
    assert not dst.exists() and not list(tmp_path.glob(".*part"))


def test_kept_columns_are_carried_in_order(tmp_path: Path) -> None:
    src = tmp_path / "people.parquet"
    pq.write_table(pa.table({"person_id": ["a", "b"], "region": ["450802", "450202"],
                             "coverage_year": [2021, 2024],
                             "payment_date": [date(2020, 10, 1), date(2024, 7, 1)]}), src)
    dst = tmp_path / "out.parquet"
    run_batch(src, dst, keep=("person_id",))
    table = pq.read_table(dst)
    assert table.column_names[0] == "person_id"
    assert table.column("person_id").to_pylist() == ["a", "b"]
    assert table.column("amount_due").to_pylist() == [28000, 105000]


def test_empty_input_gives_an_empty_output(tmp_path: Path) -> None:
    src = tmp_path / "none.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=SCHEMA), src)
    dst = tmp_path / "out.parquet"
    assert run_batch(src, dst).rows == 0
    assert pq.read_table(dst).num_rows == 0


ID_TEXT = st.one_of(
    st.text(alphabet="0123456789Xx \t", min_size=0, max_size=20),
    st.builds(lambda d, seq, male: make_id_number("450802", d, seq, "male" if male else "female"),
              st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.integers(0, 499), st.booleans()),
    st.builds(lambda d, seq: make_id_number("450202", d, seq, "male").lower() + " ",
              st.dates(date(1950, 1, 1), date(2025, 12, 31)), st.integers(0, 499)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(ID_TEXT, min_size=1, max_size=40))
def test_column_id_checks_agree_with_the_single_check(numbers: list[str]) -> None:
    from yibao.batch.id_numbers import ERROR_CODES, check_id_numbers
    from yibao.idcard import parse_id_number
    from yibao.rules.calendar import date_to_days

    checked = check_id_numbers(pa.array(numbers, pa.string()))
    for i, number in enumerate(numbers):
        if not number.strip():
            assert not checked.present[i]
            continue
        try:
            rid = parse_id_number(number)
        except InputError as exc:
            assert ERROR_CODES[checked.error[i]] == exc.code, number
        else:
            assert checked.error[i] == 0, number
            assert checked.birth[i] == date_to_days(rid.birth_date)
            assert checked.region[i] == int(rid.region_code)


def test_answer_many_equals_single_quotes() -> None:
    from yibao.quoting.answers import answer, answer_many

    reqs: list[dict[str, Any]] = [
        {"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
         "covered_years": [2019]},
        {"region": "450802", "coverage_year": 2021, "payment_date": "2021-02-30"},
        {"region": "450202", "coverage_year": 2025, "payment_date": "2024-12-03",
         "covered_years": [2020]},
        {"region": "450202", "coverage_year": 2025, "payment_date": "2026-01-03"},
    ]
    many = answer_many(reqs)
    assert many[0] == answer(reqs[0]) and many[2] == answer(reqs[2])
    assert isinstance(many[1], InputError) and many[1].code == "invalid_date"
    assert isinstance(many[3], InputError) and many[3].code == "payment_too_late"


def test_spark_adapter_maps_record_batches_like_the_runner(tmp_path: Path) -> None:
    from yibao.batch.spark import OUTPUT_DDL, quote_partitions

    table = pa.table({"region": ["450802", "450202", "bad"], "coverage_year": [2021, 2024, 2024],
                      "payment_date": [date(2021, 3, 15), date(2024, 7, 1), date(2024, 7, 1)],
                      "person_id": ["a", "b", "c"]})
    out = pa.Table.from_batches(list(quote_partitions(iter(table.to_batches(max_chunksize=2)))))
    assert out.column("amount_due").to_pylist() == [28000, 105000, None]
    assert out.column("error").to_pylist() == [None, None, "invalid_value"]
    assert out.schema.field("rule").type == pa.string()
    assert OUTPUT_DDL.startswith("amount_due bigint, back_pay bigint, benefit_start date")


@pytest.mark.parametrize("row_group_size", [500, 100_000])
def test_worker_processes_write_what_one_process_writes(tmp_path: Path,
                                                        row_group_size: int) -> None:
    """Workers reading row groups themselves (500) or fed batches (one big group) = inline."""
    from bench.population import generate

    src = tmp_path / "people.parquet"
    people = generate(6_000, year=2025, seed=3)
    people = people.add_column(0, "person_id", pa.array([f"p{i}" for i in range(6_000)]))
    pq.write_table(people, src, row_group_size=row_group_size)
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    run_batch(src, one, workers=1, keep=("person_id",))
    summary = run_batch(src, two, workers=2, keep=("person_id",), chunk_rows=700)
    assert summary.rows == 6_000
    assert pq.read_table(two).equals(pq.read_table(one))


def test_an_unreadable_row_group_stops_the_run_and_leaves_nothing(tmp_path: Path) -> None:
    from bench.population import generate

    src = tmp_path / "people.parquet"
    pq.write_table(generate(3_000, year=2025, seed=1), src, row_group_size=1_000)
    chunk = pq.read_metadata(src).row_group(1).column(3)  # id_number of the second group
    data = bytearray(src.read_bytes())
    for i in range(chunk.data_page_offset + 20, chunk.data_page_offset + 200):
        data[i] ^= 0x5A
    src.write_bytes(bytes(data))
    dst = tmp_path / "out.parquet"
    with pytest.raises(RuntimeError, match="batch worker failed"):
        run_batch(src, dst, workers=2)
    assert not dst.exists() and not list(tmp_path.glob(".*"))


def test_kept_columns_must_be_in_the_input(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("region,coverage_year,payment_date\n450802,2021,2021-03-15\n")
    with pytest.raises(InputError) as caught:
        run_batch(src, tmp_path / "out.csv", keep=("person_id",))
    assert caught.value.code == "missing_columns" and "person_id" in caught.value.message_en


def test_status_changes_and_regional_variants_in_a_csv(tmp_path: Path) -> None:
    """The status change as two columns (README, batch section): both or neither; the
    regional variants of issue 18 give the same answers as single quotes."""
    src = tmp_path / "people.csv"
    src.write_text(
        "region,coverage_year,payment_date,birth_date,covered_years,status_change_kind,status_change_date\n"
        "445300,2025,2025-05-20,,[],discharged_veteran,2025-03-10\n"
        "445300,2025,2025-06-11,,[],discharged_veteran,2025-03-10\n"
        "445200,2025,2025-03-15,,,,\n"
        "630000,2025,2025-06-19,2024-12-01,,,\n"
        "450300,2025,2025-03-15,,2023,,\n"
        "445300,2025,2025-05-20,,,graduated,2025-03-10\n"
        "445300,2025,2025-05-20,,,discharged_veteran,\n"
        "445300,2025,2025-05-20,,,,2025-03-10\n"
        "445300,2025,2025-05-20,,,discharged_veteran,2025-02-30\n"
        "445300,2025,2025-05-20,,,discharged_veteran,2025-05-21\n",
        encoding="utf-8",
    )
    dst = tmp_path / "quotes.csv"
    run_batch(src, dst)
    rows = pacsv.read_csv(
        dst, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)
    ).to_pylist()
    starts = [str(r["benefit_start"]) if r["benefit_start"] else None for r in rows[:5]]
    assert starts == ["2025-05-20", "2025-09-11", "2025-06-13", None, "2025-06-01"]
    assert [r["rule"] for r in rows[:5]] == ["R-WAIT-EXEMPT", "R-WAIT-FIXED", "R-WAIT-FIXED",
                                             "R-CHILD-PERIOD", "R-START-RELAPSE"]
    assert rows[2]["waiting_fixed_days"] == 90 and rows[2]["waiting_fixed"] == 0
    assert [(r["error"], r["error_field"]) for r in rows[5:]] == [
        ("invalid_value", "status_change_kind"), ("missing_field", "status_change_date"),
        ("missing_field", "status_change_kind"), ("invalid_date", "status_change_date"),
        ("status_change_after_payment", "status_change.date")]
    singles = [{"region": "445300", "coverage_year": 2025, "payment_date": "2025-05-20",
                "status_change": change} for change in (
        {"kind": "graduated", "date": "2025-03-10"}, {"kind": "discharged_veteran"},
        {"date": "2025-03-10"}, {"kind": "discharged_veteran", "date": "2025-02-30"},
        {"kind": "discharged_veteran", "date": "2025-05-21"})]
    for single, row in zip(singles, rows[5:], strict=True):
        with pytest.raises(InputError) as caught:
            quote(single)
        assert caught.value.code == row["error"]


def test_a_local_run_never_imports_pandas(tmp_path: Path) -> None:
    """pandas is there for Spark only: a local run with worker processes (which tell pyarrow
    there is no pandas) does not spend a quarter of a second importing it."""
    import subprocess
    import sys

    from bench.population import generate

    src, dst = tmp_path / "people.parquet", tmp_path / "quotes.parquet"
    pq.write_table(generate(3_000, year=2025, seed=5), src, row_group_size=500)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from yibao.batch.runner import run_batch\n"
        f"summary = run_batch(Path({str(src)!r}), Path({str(dst)!r}), workers=2)\n"
        "assert summary.rows == 3000, summary\n"
        "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[1])
    assert out.stdout.strip() == "False", out.stderr
    assert pq.read_table(dst).num_rows == 3_000
