"""A province's notices on Spark executors: one task per county, each writing that county's
PDF with the same :func:`~yibao.operations.renewal.notices.write_notices` a local run uses.

    counts = write_notices_on_spark(spark, Path("out/reminders"), Path("out/notices"),
                                    2027, dt.date(2026, 10, 15))

The input is a renewal's ``reminders/<region>.parquet`` files (``yibao renewal``), the
output one ``<region>.pdf`` per county, the same bytes as a local run writes. Both folders
must be visible to the driver and the executors (local mode, or a shared file system).
Counties go out largest first, so the largest does not start last.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["write_notices_on_spark"]


def _county(job: tuple[str, str], year: int, stamp: dt.date) -> tuple[str, int]:
    """On an executor: one county's notices; (region, households)."""
    import pyarrow.parquet as pq

    from yibao.operations.renewal.notices import write_notices

    source, pdf = job
    return Path(pdf).stem, write_notices(pq.read_table(source), year, Path(pdf), stamp)


def write_notices_on_spark(spark: SparkSession, reminders: Path, out: Path, year: int,
                           stamp: dt.date) -> dict[str, int]:
    """Every county's notices PDF, one Spark task each; households noticed per region."""
    files = sorted(reminders.glob("*.parquet"), key=lambda p: (-p.stat().st_size, p.name))
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(str(f), str(out / f"{f.stem}.pdf")) for f in files]
    if not jobs:
        return {}
    tasks = spark.sparkContext.parallelize(jobs, numSlices=len(jobs))
    return dict(tasks.map(partial(_county, year=year, stamp=stamp)).collect())
