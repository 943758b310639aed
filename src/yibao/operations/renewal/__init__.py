"""The renewal run (``yibao renewal YEAR``): for every registered resident, what is due for
YEAR, by when, whether it is paid, and the cover if paid on the quote date; reminders for
the unpaid per region, and printable notices per household.

    summary = run_renewal(db, RenewalOptions(year=2025, out=Path("out")), progress=None)

Work goes region by region (``extract`` → ``compute`` → ``write``/``notices``); each
finished region is recorded in ``DIR/manifest.json`` and ``resume=True`` skips it; the
temporary files a killed run left half-written are removed before any work.
The quote date is ``as_of`` (default: today in Beijing), or the opening of the region's
concentrated period when that is later; the deadline is the period's last day (both
from the policy data).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc

from yibao.errors import InputError
from yibao.operations.renewal.compute import RESULT, Terms, renewal_table
from yibao.operations.renewal.extract import Chunk, extract_chunks, registered_regions
from yibao.operations.renewal.write import (
    Manifest,
    combine,
    remove_temporary,
    write_parquet,
    write_reminders,
)
from yibao.policy.files import load_policy
from yibao.policy.reference_data import region_subtree
from yibao.quoting.answers import concentrated_period
from yibao.rules.policy import digest
from yibao.services.common import today_beijing
from yibao.store.db import Database

__all__ = ["RenewalOptions", "RenewalSummary", "run_renewal"]

Progress = Callable[[str, int, int], None]
#: Regions read from the registry together (bounded memory: a few counties at a time).
REGIONS_PER_READ = 16


@dataclass(frozen=True)
class RenewalOptions:
    """What to renew and where to write."""

    year: int
    out: Path
    region: str | None = None
    notices: bool = False
    resume: bool = False
    as_of: dt.date | None = None


@dataclass(frozen=True)
class RenewalSummary:
    """What a run found and wrote."""

    persons: int
    unpaid: int  # reminded: not paid, or paid less than was due
    underpaid: int  # of them: paid, with a balance still owed
    regions: int
    skipped: int
    households_noticed: int
    unpublished: int
    seconds: float
    output: Path


def _unwritable(folder: Path, exc: OSError) -> InputError:
    return InputError("unwritable_output", f"无法写入输出目录: {folder}",
                      f"cannot write to the output folder {folder} ({exc.strerror})",
                      field="output")


def _prepare_folder(folder: Path) -> None:
    """Create the run's folders and check they take files; remove the half-written
    temporary files a killed run left (a resumed run's folder then equals a clean run's)."""
    subs = [folder, folder / "chunks", folder / "reminders", folder / "notices"]
    try:
        for sub in subs:
            sub.mkdir(parents=True, exist_ok=True)
        remove_temporary(subs)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise _unwritable(folder, exc) from None


def _check_published(year: int, regions: list[str]) -> None:
    """Refuse a year none of whose regions has a published share or concentrated period."""
    policy = load_policy()
    share = [r for r in regions if (f := policy.resolve("individual_share", r, year)) is not None
             and f.published]
    if not share or all(concentrated_period(r, year) is None for r in regions):
        raise InputError(
            "unpublished_year",
            f"{year}年度的个人缴费标准或集中参保缴费期尚未公布,无法计算续保缴费",
            f"the individual share or concentrated period of {year} is not published for these "
            "regions; nothing can be renewed",
            field="year")


def run_renewal(db: Database, options: RenewalOptions,
                progress: Progress | None = None) -> RenewalSummary:
    """Renew every registered resident (of ``options.region``) for ``options.year``."""
    started = time.perf_counter()
    year, out = options.year, options.out
    within = region_subtree(options.region) if options.region else None  # unknown_region
    with db.read() as s:
        regions = registered_regions(s.connection(), within)
    if not regions:
        raise InputError("no_residents", "登记系统中没有该地区的参保居民",
                         "the registry holds no residents in this region", field="region")
    _check_published(year, regions)
    as_of = options.as_of or today_beijing()
    _prepare_folder(out)
    settings = {"year": year, "region": options.region, "as_of": as_of.isoformat(),
                "notices": options.notices, "policy": digest([load_policy().version_of(r, year) for r in regions]),
                "regions": len(regions)}
    manifest = Manifest(out, settings)
    stored = manifest.load()
    if options.resume and stored is not None:
        if stored.get("settings") != settings:
            raise InputError("resume_mismatch",
                             "输出目录中的运行参数与本次不同,不能续跑;请换目录或去掉 --resume",
                             "the folder holds a run with other settings; use another folder "
                             "or drop --resume", field="resume")
        manifest.resume_from(stored)
    try:
        return _run(db, options, regions, as_of, manifest, progress, started)
    except OSError as exc:
        raise _unwritable(out, exc) from None


def _run(db: Database, options: RenewalOptions, regions: list[str], as_of: dt.date,
         manifest: Manifest, progress: Progress | None, started: float) -> RenewalSummary:
    year, out = options.year, options.out
    if options.notices:
        from yibao.operations.renewal.notices import font_path, write_notices

        font_path()  # refuse before any work when there is no font
    policy = load_policy()
    manifest.save()
    todo = [r for r in regions if r not in manifest.chunks
            or not (out / "chunks" / f"{r}.parquet").exists()]
    skipped = len(regions) - len(todo)
    extracted: dict[str, Chunk] = {}
    for n, region in enumerate(regions):
        chunk_file = out / "chunks" / f"{region}.parquet"
        if region in todo:
            if region not in extracted:  # the next group of regions, in one read
                extracted.clear()
                group = todo[todo.index(region):todo.index(region) + REGIONS_PER_READ]
                with db.read() as s:
                    extracted.update(extract_chunks(s.connection(), group, year))
            chunk = extracted.pop(region)
            period = concentrated_period(region, year)
            quote_date = max(as_of, period[0]) if period else as_of
            terms = Terms(year, policy.regions[region].name if region in policy.regions
                          else region, period, quote_date)
            table = renewal_table(chunk, terms, policy)
            write_parquet(table, chunk_file)
            reminders = write_reminders(table, out / "reminders", region)
            households = 0
            if options.notices:
                households = write_notices(reminders, year, out / "notices" / f"{region}.pdf",
                                           as_of)
            manifest.finish(region, {
                "persons": table.num_rows, "unpaid": reminders.num_rows,
                "underpaid": int(pc.sum(pc.greater(table.column("balance_due"), 0)).as_py() or 0),
                "households_noticed": households,
                "unpublished": table.column("amount_due").null_count})
        if progress:
            progress("regions", n + 1, len(regions))
    total = combine([out / "chunks" / f"{r}.parquet" for r in regions],
                    out / f"renewal-{year}.parquet", RESULT)
    counts = [manifest.chunks[r] for r in regions]
    return RenewalSummary(
        persons=total, unpaid=sum(c["unpaid"] for c in counts),
        underpaid=sum(c.get("underpaid", 0) for c in counts), regions=len(regions),
        skipped=skipped, households_noticed=sum(c["households_noticed"] for c in counts),
        unpublished=sum(c["unpublished"] for c in counts),
        seconds=time.perf_counter() - started, output=out / f"renewal-{year}.parquet")
