"""``make bench``: every benchmark of yibao, figures printed one per line.

    python -m bench.run_all [--quick] [--spark] [--province] [--province-million]

``--spark`` adds the Spark engine's scaling (local[1] and local[2]; several minutes).
``--province`` adds the generator and the renewal run on PostgreSQL (100k residents;
``--province-million`` also 1M).
"""

from __future__ import annotations

import sys

from bench import batch_bench, province_bench, rules_bench, service_bench, spark_bench


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    rules_bench.main(["--rows", "1000000"] if quick else [])
    batch_bench.main(["--rows", "1000000", "--repeat", "1"] if quick else [])
    if "--spark" in argv:
        spark_bench.main(["--rows", "1000000", "--repeat", "1"] if quick else [])
    service_bench.main(["--seconds", "3", "--payments", "1000"] if quick else [])
    if "--province" in argv or "--province-million" in argv:
        sizes = ["10000"] if quick else ["100000"]
        province_bench.main(["--persons", *sizes,
                             *(["1000000"] if "--province-million" in argv else [])])


if __name__ == "__main__":
    main(sys.argv[1:])
