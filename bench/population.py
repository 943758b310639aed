"""A synthetic population of residents for benchmarks, written as Parquet.

    python -m bench.population 1000000 people.parquet [--year 2025]

The mix follows what a county sees in a coverage year: most pay on time, some
late, some after a lapse of one or more years (some back-paying), newborns,
employees moving to resident cover, and special groups paid for by medical
assistance.  Every person has a valid resident ID number.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.rules.calendar import date_to_days

REGIONS = np.array([450802, 450803, 450804, 450821, 450881, 450202, 450203, 450204, 450205,
                    450206, 450222, 450223, 450224, 450225, 450226], dtype=np.int64)
GROUPS = ["tekun", "orphan", "fact_orphan", "dibao", "disabled_severe"]
# share of each situation: on time, late, lapsed, lapsed + back-pay, newborn, transfer, group
MIX = np.array([0.62, 0.12, 0.08, 0.03, 0.05, 0.04, 0.06])
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def _id_numbers(region: npt.NDArray[np.int64], birth_days: npt.NDArray[np.int64],
                rng: np.random.Generator) -> pa.Array:
    n = len(region)
    born = birth_days.astype("datetime64[D]")
    ymd = (born.astype("datetime64[Y]").astype(np.int64) + 1970) * 10000
    months = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (born - born.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    ymd += months * 100 + days
    seq = rng.integers(0, 1000, n)
    digits = np.empty((n, 18), dtype=np.uint8)
    for i, (value, width) in enumerate(((region, 6), (ymd, 8), (seq, 3))):
        offset = (0, 6, 14)[i]
        for k in range(width):
            digits[:, offset + width - 1 - k] = (value // 10**k) % 10
    digits[:, 17] = CHECK[(digits[:, :17].astype(np.int64) * WEIGHTS).sum(axis=1) % 11] - ord("0")
    data = (digits + ord("0")).astype(np.uint8).tobytes()
    offsets = np.arange(0, 18 * (n + 1), 18, dtype=np.int32).tobytes()
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _year_lists(lengths: npt.NDArray[np.int64], first: npt.NDArray[np.int64],
                present: npt.NDArray[np.bool_]) -> pa.Array:
    """Lists [first, first+1, ...] of the given lengths; null where not present."""
    n = len(lengths)
    lengths = np.where(present, lengths, 0)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    rows = np.repeat(np.arange(n), lengths)
    within = np.arange(int(offsets[-1])) - offsets[:-1][rows]
    values = pa.array((first[rows] + within).astype(np.int32))
    mask = pa.array(~present)
    return pa.ListArray.from_arrays(pa.array(offsets), values, mask=mask)


def generate(n: int, *, year: int = 2025, seed: int = 2025) -> pa.Table:
    """``n`` residents quoting coverage ``year``."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(len(MIX), size=n, p=MIX)
    region = REGIONS[rng.integers(0, len(REGIONS), n)]
    jan1 = date_to_days(date(year, 1, 1))
    conc_start = date_to_days(date(year - 1, 9, 1))
    ontime_pay = conc_start + rng.integers(0, 122, n)
    late_pay = jan1 + rng.integers(0, 365, n)
    pay = np.where(np.isin(kind, (0, 2, 3)) & (rng.random(n) < 0.7) | (kind == 0), ontime_pay,
                   late_pay)
    age_days = rng.integers(365, 90 * 365, n)
    newborn_age = rng.integers(0, 200, n)
    birth = np.where(kind == 4, np.maximum(pay - newborn_age, jan1 - 300), pay - age_days)
    lapse = rng.integers(1, 7, n)
    lapsed = np.isin(kind, (2, 3))
    covered = _year_lists(np.full(n, 1), year - 1 - lapse, lapsed)
    back_len = np.minimum(rng.integers(1, 3, n), lapse)
    back = _year_lists(back_len, year - back_len, kind == 3)
    end = pay - rng.integers(0, 80, n)
    groups = np.array(GROUPS, dtype=object)[rng.integers(0, len(GROUPS), n)]
    return pa.table({
        "region": pa.array(region.astype(str)),
        "coverage_year": pa.array(np.full(n, year, dtype=np.int32)),
        "payment_date": pa.array(pay.astype(np.int32)).cast(pa.date32()),
        "id_number": _id_numbers(region, birth, rng),
        "special_group": pa.array(np.where(kind == 6, groups, None)),
        "covered_years": covered,
        "employee_insurance_end_date": pa.array(end.astype(np.int32), mask=kind != 5)
        .cast(pa.date32()),
        "back_pay_years": back,
    })


def write(n: int, path: Path, *, year: int = 2025, row_group: int = 1_048_576) -> Path:
    """Write ``n`` residents to ``path`` in chunks (bounded memory)."""
    writer: pq.ParquetWriter | None = None
    done = 0
    while done < n:
        size = min(row_group, n - done)
        table = generate(size, year=year, seed=done + year)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=131_072)
        done += size
    if writer is not None:
        writer.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    write(args.rows, args.path, year=args.year)


if __name__ == "__main__":
    main()
