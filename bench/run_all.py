"""``make bench``: yibao's benchmarks, then one table of each figure beside its target.

    python -m bench.run_all [--full] [--quick] [--settle] [--spark] [--province]
        [--province-million]

The default run takes a few minutes: the single quote in process, the rules on 1M rows,
the batch on 1M rows (once), the quote endpoint under ``wrk`` at 500 requests/s offered
(2 server workers), the payments on PostgreSQL with 2 server workers and the notices of a
150k-resident registry on every core (``bench/notices_bench.py``: about 470 households a
county; a county's fixed cost, the font subset written into its PDF, weighs more in
smaller ones).  ``--full`` adds
the 10M-row rules and batch runs (3 runs each) that issue 19's batch target is stated at;
``--settle`` the settle run on a 100k-payment ledger; ``--spark`` the Spark engine's scaling;
``--province`` the generator and the renewal run on PostgreSQL (100k residents;
``--province-million`` also 1M).  ``--quick`` shortens every run (a smoke test, not figures).
``--before REF`` first runs the same benchmarks on the commit ``REF`` (a git worktree of it,
its own ``src/`` and ``bench/``, this venv), then on this tree, and prints one table with
both columns: before and after, in one sitting.

The table at the end lists every target of issue 19; a figure the run did not measure says
which ``BENCH_ARGS`` measure it, or that nothing measures it yet.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import (
    batch_bench,
    notices_bench,
    province_bench,
    rules_bench,
    service_bench,
    spark_bench,
)


@dataclass(frozen=True)
class Row:
    """One line of the table: the figure, what was measured, the target, met or not."""

    figure: str
    measured: str
    target: str
    met: bool | None  # None: not measured


def _ge(value: float, target: float) -> bool:
    return value >= target


def _le(value: float, target: float) -> bool:
    return value <= target


def table(figures: dict[str, Any]) -> list[Row]:
    """The rows of issue 19's targets from the figures of one run."""
    rows: list[Row] = []
    lat = figures.get("rules", {}).get("single_quote")
    rows.append(Row("single quote in process, p50", f"{lat['p50_ms']:.3f} ms" if lat else
                    "not run", "<= 0.2 ms", _le(lat["p50_ms"], 0.2) if lat else None))

    service = figures.get("service") or {}
    w = service.get("quote_wrk")
    rows.append(Row(
        "quote endpoint p99, 500/s offered, 2 workers (wrk)",
        f"{w['p99_ms']:.1f} ms (p50 {w['p50_ms']:.1f} ms, achieved {w['rate']:.0f}/s, "
        f"errors {w['errors']:.0f})" if w else "not run (wrk not installed)",
        "<= 10 ms", (_le(w["p99_ms"], 10) and w["errors"] == 0) if w else None))

    pg = service.get("postgres")
    single, rate, bulk = ((pg or {}).get(k) for k in ("single_w2", "rate_w2", "bulk_w2"))
    rows.append(Row("payments one per request, PostgreSQL, 2 workers",
                    f"{single['per_second']:.0f}/s ({single.get('generator', 'Python client')}, "
                    f"errors {single['errors']:.0f})" if single else "not run (PostgreSQL)",
                    ">= 600/s", _ge(single["per_second"], 600) if single else None))
    rows.append(Row("payments p99 at 200/s offered, PostgreSQL, 2 workers",
                    f"{rate['p99_ms']:.1f} ms (achieved {rate['rate']:.0f}/s)" if rate
                    else "not run (PostgreSQL)", "<= 50 ms",
                    _le(rate["p99_ms"], 50) if rate else None))
    rows.append(Row("bulk payments, PostgreSQL, 2 workers",
                    f"{bulk['per_second']:.0f}/s" if bulk else "not run (PostgreSQL)",
                    ">= 2,000/s", _ge(bulk["per_second"], 2000) if bulk else None))

    batch = {int(r["rows"]): r for r in figures.get("batch", [])}
    big = batch.get(10_000_000)
    small = next(iter(batch.values()), None)
    hint = (f"not run (BENCH_ARGS=--full); {small['rows']:,} rows: {small['ratio_min']:.2f}x, "
            f"{small['peak_mb']:.0f} MB" if small else "not run (BENCH_ARGS=--full)")
    rows.append(Row("batch end to end / pyarrow I/O floor, 10M rows",
                    f"{big['ratio_min']:.2f}x" if big else hint, "<= 1.5x",
                    _le(big["ratio_min"], batch_bench.TARGET_RATIO) if big else None))
    rows.append(Row("batch peak memory, 10M rows",
                    f"{big['peak_mb']:.0f} MB" if big else "not run (BENCH_ARGS=--full)",
                    "<= 512 MB", _le(big["peak_mb"], 512) if big else None))
    vs = figures.get("rules", {}).get("peer")
    rows.append(Row(
        "rules alone / a plain numpy reading of them, 1 core",
        f"{vs['rules'] / vs['peer']:.2f}x (rules {vs['rules'] / 1e6:.2f} M/s, peer "
        f"{vs['peer'] / 1e6:.2f} M/s; without explanations {vs['rules_batch'] / vs['peer']:.2f}x; "
        f"peer with the engine's month tables: {vs['rules'] / vs['peer_tables']:.2f}x)"
        if vs else "not run", ">= 2x", _ge(vs["rules"] / vs["peer"], 2) if vs else None))
    nb = figures.get("notices")
    rows.append(Row(
        f"notices, {nb['processes'] if nb else 2} cores",
        f"{nb['per_second']:.0f} households/s ({nb['households']:,} households, "
        f"{nb['counties']} counties; 1 core: {nb['county_s']:.2f} s a county + "
        f"{nb['page_ms']:.1f} ms a page)" if nb else "not run", ">= 500 households/s",
        _ge(nb["per_second"], notices_bench.TARGET) if nb else None))
    settle = figures.get("settle")
    rows.append(Row("settle, 100k-payment ledger",
                    f"{settle['per_second']:.0f}/s" if settle else "not run (BENCH_ARGS=--settle)",
                    ">= 1,000/s", _ge(settle["per_second"], 1000) if settle else None))
    return rows


def print_table(rows: list[Row]) -> None:
    """The table, one figure a line, aligned."""
    header = Row("figure", "measured", "target", None)
    widths = [max(len(r.figure) for r in [header, *rows]),
              max(len(r.measured) for r in [header, *rows]),
              max(len(r.target) for r in [header, *rows])]
    print()
    print(f"{header.figure:<{widths[0]}}  {header.measured:<{widths[1]}}  "
          f"{header.target:<{widths[2]}}  met")
    print("  ".join("-" * w for w in widths) + "  ---")
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "NO")
        print(f"{r.figure:<{widths[0]}}  {r.measured:<{widths[1]}}  {r.target:<{widths[2]}}  {met}")


def _parse_table(text: str) -> dict[str, str]:
    """figure → measured, from the table a run printed (its dashes give the columns)."""
    lines = text.splitlines()
    rule = max(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)+", line))
    widths = [len(d) for d in lines[rule].split("  ")]
    out = {}
    for line in lines[rule + 1:]:
        if not line.strip():
            continue
        figure = line[:widths[0]].strip()
        out[figure] = line[widths[0] + 2:widths[0] + 2 + widths[1]].strip()
    return out


def _run_before(ref: str, argv: list[str]) -> dict[str, str]:
    """The same benchmarks on commit ``ref`` (from a detached worktree): its table's figures."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="yibao-before-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(tree),
                        ref], check=True)
        try:
            shared = root / "bench" / "out"  # the generated populations: the same files
            shared.mkdir(exist_ok=True)
            (tree / "bench" / "out").symlink_to(shared, target_is_directory=True)
            env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"}
            print(f"== before: {ref} ==", flush=True)
            proc = subprocess.run([sys.executable, "-m", "bench.run_all", *argv], cwd=tree,
                                  env=env, stdout=subprocess.PIPE, text=True, check=True)
            print(proc.stdout, flush=True)
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)],
                           check=False)
    return _parse_table(proc.stdout)


def print_before_after(ref: str, before: dict[str, str], rows: list[Row]) -> None:
    """One table: each figure before (at ``ref``), after (this tree), its target, met after."""
    print()
    print(f"before = {ref}, after = this tree, measured one after the other in this sitting")
    print_table([Row(r.figure, f"{before.get(r.figure, 'not in that table')}  ->  {r.measured}",
                     r.target, r.met) for r in rows])


def main(argv: list[str]) -> list[Row]:
    if "--before" in argv:
        at = argv.index("--before")
        ref, rest = argv[at + 1], argv[:at] + argv[at + 2:]
        before = _run_before(ref, rest)
        print("== after: this tree ==", flush=True)
        rows = main(rest)
        print_before_after(ref, before, rows)
        return rows
    quick = "--quick" in argv
    full = "--full" in argv
    figures: dict[str, Any] = {}
    big = ["--rows", "1000000", "10000000"] if full else ["--rows", "1000000"]
    figures["rules"] = rules_bench.main(["--rows", "100000"] if quick else big)
    figures["batch"] = batch_bench.main(
        ["--rows", "100000", "--repeat", "1"] if quick else
        [*big, "--repeat", "3" if full else "1"])
    if "--spark" in argv:
        spark_bench.main(["--rows", "1000000", "--repeat", "1"] if quick else [])
    figures["service"] = service_bench.main(
        ["--seconds", "2", "--wrk-seconds", "3", "--payments", "500", "--bulk-payments",
         "2000", "--server-workers", "2", "--backends", "postgres"] if quick else
        ["--seconds", "5", "--wrk-seconds", "10", "--server-workers", "2",
         "--backends", "postgres"])
    figures["notices"] = notices_bench.main(["--persons", "3000" if quick else "150000"])
    if "--settle" in argv:
        from bench import settle_bench

        figures["settle"] = settle_bench.main(["--payments", "10000" if quick else "100000"])
    if "--province" in argv or "--province-million" in argv:
        sizes = ["10000"] if quick else ["100000"]
        province_bench.main(["--persons", *sizes,
                             *(["1000000"] if "--province-million" in argv else [])])
    rows = table(figures)
    print_table(rows)
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
