"""``make bench``: every benchmark of yibao, figures printed one per line.

    python -m bench.run_all [--quick] [--spark]

``--spark`` adds the Spark engine's scaling (local[1] and local[2]; several minutes).
"""

from __future__ import annotations

import sys

from bench import batch_bench, rules_bench, service_bench, spark_bench


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    rules_bench.main(["--rows", "1000000"] if quick else [])
    batch_bench.main(["--rows", "1000000", "--repeat", "1"] if quick else [])
    if "--spark" in argv:
        spark_bench.main(["--rows", "1000000", "--repeat", "1"] if quick else [])
    service_bench.main(["--seconds", "3", "--payments", "1000"] if quick else [])


if __name__ == "__main__":
    main(sys.argv[1:])
