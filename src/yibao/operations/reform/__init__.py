"""What-if reforms: quote a population under the policy in force and under a reform
folder (the published-folder format), and compare per region.

    yibao simulate --reform reform/ --population people.parquet -o diff.csv --chart diff.svg
"""

from __future__ import annotations

from yibao.operations.reform.chart import difference_chart
from yibao.operations.reform.simulate import COLUMNS, Simulation, simulate

__all__ = ["COLUMNS", "Simulation", "difference_chart", "simulate"]
