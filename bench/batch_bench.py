"""Parquet → Parquet end to end against pyarrow alone reading and writing the same files.

    python -m bench.batch_bench [--rows 1000000 10000000] [--repeat 3]

For each population file: the *baseline* is pyarrow reading the input (same
batch size, every column) and writing yibao's output table (held in memory
first) with the same writer options and compression; *end to end* is
``run_batch`` (policy load, worker processes, quoting, writing).  Both run in a
fresh process and are timed inside it (interpreter start and imports excluded on
both sides), alternately, ``--repeat`` times.  Memory is the peak of the summed
proportional set size (PSS) of the run's processes, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.rules_bench import OUT, population

TARGET_RATIO = 1.5

_BASELINE = """
import sys, time
import pyarrow as pa, pyarrow.parquet as pq
src, reference, dst, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = pq.read_table(reference)
labels = [f.name for f in out.schema if pa.types.is_dictionary(f.type)]
chunks = out.to_batches(max_chunksize=rows)
started = time.perf_counter()
for _ in pq.ParquetFile(src, memory_map=True).iter_batches(batch_size=rows):
    pass
writer = pq.ParquetWriter(dst, out.schema, use_dictionary=labels, write_statistics=False)
for chunk in chunks:
    writer.write_table(pa.Table.from_batches([chunk]))
writer.close()
print(time.perf_counter() - started)
"""

_END_TO_END = """
import sys, time
from pathlib import Path
from yibao.batch.runner import run_batch
started = time.perf_counter()
run_batch(Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - started)
"""


def _pss_kb(pid: int) -> int:
    """PSS of a process and its descendants, in kB (0 once it is gone)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(_pss_kb(int(child)) for child in children)


def _timed(code: str, *args: str) -> tuple[float, float, float]:
    """(seconds printed by the process, peak PSS of its process tree in MB, CPU seconds).

    CPU seconds are the whole processes' (interpreter start and imports included).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _pss_kb(proc.pid))
        time.sleep(0.02)
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"benchmark process failed ({proc.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(out.split()[-1]), peak / 1024, cpu


def measure(rows: int, repeat: int, batch_rows: int = 131_072) -> dict[str, float]:
    """Baseline and end-to-end figures for ``rows`` residents (min and median of ``repeat``)."""
    src = population(rows)
    dst, base_out = OUT / f"quotes-{rows}.parquet", OUT / f"baseline-{rows}.parquet"
    if not dst.exists():
        _timed(_END_TO_END, str(src), str(dst))
    base, e2e, mem, base_mem, cpu, base_cpu = [], [], [], [], [], []
    for _ in range(repeat):
        seconds, peak, used = _timed(_BASELINE, str(src), str(dst), str(base_out),
                                     str(batch_rows))
        base.append(seconds)
        base_mem.append(peak)
        base_cpu.append(used)
        seconds, peak, used = _timed(_END_TO_END, str(src), str(dst))
        e2e.append(seconds)
        mem.append(peak)
        cpu.append(used)
    base_out.unlink(missing_ok=True)
    ratios = [e / b for e, b in zip(e2e, base, strict=True)]
    return {
        "rows": rows, "baseline_min": min(base), "baseline_median": statistics.median(base),
        "e2e_min": min(e2e), "e2e_median": statistics.median(e2e),
        "ratio_median": statistics.median(e2e) / statistics.median(base),
        "ratio_min": min(e2e) / min(base), "ratio_pairs_median": statistics.median(ratios),
        "per_second": rows / statistics.median(e2e), "peak_mb": max(mem),
        "baseline_peak_mb": max(base_mem), "cpu_median": statistics.median(cpu),
        "baseline_cpu_median": statistics.median(base_cpu),
    }


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv if argv is not None else [])
    results = []
    for rows in args.rows:
        r = measure(rows, args.repeat)
        results.append(r)
        print(f"Parquet -> Parquet, {rows:,} rows ({args.repeat} runs each, min / median): "
              f"pyarrow read+write {r['baseline_min']:.2f} / {r['baseline_median']:.2f} s, "
              f"yibao {r['e2e_min']:.2f} / {r['e2e_median']:.2f} s, ratio "
              f"{r['ratio_min']:.2f} / {r['ratio_median']:.2f} (target <= {TARGET_RATIO}), "
              f"{r['per_second'] / 1e6:.2f} M persons/s, peak memory {r['peak_mb']:.0f} MB "
              f"(all processes, PSS; pyarrow alone {r['baseline_peak_mb']:.0f} MB), CPU "
              f"{r['cpu_median']:.1f} s (pyarrow alone {r['baseline_cpu_median']:.1f} s, "
              f"whole processes)", flush=True)
    (OUT / "batch_bench.json").write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
