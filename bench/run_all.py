"""``make bench``: every benchmark of yibao, figures printed one per line.

    python -m bench.run_all [--quick]
"""

from __future__ import annotations

import sys

from bench import rules_bench, service_bench


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    rules_bench.main(["--rows", "1000000"] if quick else [])
    service_bench.main(["--seconds", "3", "--payments", "1000"] if quick else [])


if __name__ == "__main__":
    main(sys.argv[1:])
