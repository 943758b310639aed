"""Spark engine scaling: the same files quoted on 1 and 2 executor cores (local[1], local[2]).

    python -m bench.spark_bench [--rows 1000000 10000000] [--masters local[1] local[2]] [--repeat 2]
                                [--no-pin]

Each round starts one Spark session (a fresh JVM) per master, in turn, warms it
up on a small file, then quotes each population file once with ``run_spark``
(Spark reads the file, tasks quote their splits with mapInArrow, the driver
merges the parts into one Parquet file).  Masters alternate round by round, so a
busy machine slows both alike.  ``local[N]`` runs pinned to N processors (taskset):
the JVM and the Python workers are separate processes, so unpinned ``local[1]``
already keeps two processors busy (the JVM reading while Python quotes).  Prints one line per run and a summary: min and
median seconds, persons per second.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys

from bench.rules_bench import OUT, population

_RUN = """
import json, os, sys, time
from pathlib import Path
from yibao.batch.spark_run import run_spark, spark_session

def cpu(pid=os.getpid()):
    # CPU seconds of a process and its descendants (JVM, Python workers), from /proc
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu(int(c)) for c in children)

master, repeat, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
spark = spark_session(master, {"spark.driver.memory": "6g", "spark.ui.showConsoleProgress": "false"})
spark.sparkContext.setLogLevel("ERROR")
out = Path(files[0]).with_name("spark-bench-out.parquet")
run_spark(Path(files[0]), out, spark=spark)  # warm-up: JVM, Python workers
for path in files[1:]:
    for _ in range(repeat):
        before = cpu()
        s = run_spark(Path(path), out, spark=spark)
        print(json.dumps({"master": master, "rows": s.rows, "seconds": s.seconds,
                          "cpu": cpu() - before}), flush=True)
out.unlink(missing_ok=True)
spark.stop()
"""


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    args = parser.parse_args(argv if argv is not None else [])
    files = [str(population(100_000))] + [str(population(r)) for r in args.rows]
    results: list[dict[str, float]] = []
    for master in [m for _ in range(args.repeat) for m in args.masters]:
        command = [sys.executable, "-c", _RUN, master, "1", *files]
        cores = master.removeprefix("local[").removesuffix("]")
        if args.pin and cores.isdigit() and shutil.which("taskset"):
            command = ["taskset", "-c", f"0-{int(cores) - 1}", *command]
        with subprocess.Popen(command,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                run = json.loads(line)
                results.append(run)
                print(f"spark {run['master']}, {run['rows']:,} rows: {run['seconds']:.1f} s, "
                  f"{run['cpu']:.1f} CPU s" + (" (pinned)" if command[0] == "taskset" else ""),
                  flush=True)
        if proc.returncode:
            raise RuntimeError(f"the Spark benchmark on {master} failed ({proc.returncode})")
    for master in args.masters:
        for rows in args.rows:
            times = [r["seconds"] for r in results if r["master"] == master and r["rows"] == rows]
            cpu = statistics.median(r["cpu"] for r in results
                                    if r["master"] == master and r["rows"] == rows)
            print(f"spark {master}, {rows:,} rows: min {min(times):.1f} s, median "
                  f"{statistics.median(times):.1f} s, {rows / min(times) / 1e6:.2f} M persons/s, "
                  f"{cpu:.1f} CPU s ({rows / cpu / 1e6:.2f} M persons per CPU second)")
    (OUT / "spark_bench.json").write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
