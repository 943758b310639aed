"""Read the policy data files shipped in ``yibao/policy/`` into a resolved ``Policy``.

Every parameter file holds dated, cited values per region::

    description: 个人缴费标准 ...
    unit: fen
    values:
      "450800":
        - {from: 2021-01-01, to: 2021-12-31, value: 28000, source: "seed 000 ..."}
        - {from: ..., to: ..., value: null, status: unpublished, source: "..."}

A value without a date or a source, an unknown region, a value that does not
fit its unit, or two ranges of one region that overlap is a ``PolicyDataError``
naming the file, region and date.
"""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yibao.errors import PolicyDataError
from yibao.reference import load_regions
from yibao.rules.policy import ParamEntry, Policy, Region, build_policy

__all__ = ["FIRST_YEAR", "LAST_YEAR", "ParameterFile", "load_policy", "parse_parameter_file"]

FIRST_YEAR, LAST_YEAR = 2021, 2027
UNITS = ("fen", "month_day", "month_day_pair", "month", "enum[old,new]", "period", "months",
         "waiting", "assistance", "notes", "base_rate")


class DatedValue(BaseModel):
    """One value of a parameter, valid for coverage years from..to (inclusive)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    valid_from: date = Field(alias="from")
    valid_to: date = Field(alias="to")
    value: Any
    status: Literal["published", "unpublished"] = "published"
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _consistent(self) -> DatedValue:
        if self.valid_to < self.valid_from:
            raise ValueError("'to' is before 'from'")
        if (self.status == "unpublished") != (self.value is None):
            raise ValueError("a null value must be marked 'status: unpublished', and only then")
        return self


class ParameterFile(BaseModel):
    """A whole parameter file."""

    model_config = ConfigDict(extra="forbid")
    description: str
    unit: str
    values: dict[str, list[DatedValue]]


def _check_unit(unit: str, value: Any) -> bool:
    if value is None:
        return True
    checks: dict[str, bool] = {
        "fen": isinstance(value, int) and value >= 0,
        "month_day": isinstance(value, str) and len(value) == 5,
        "month_day_pair": isinstance(value, list) and len(value) == 2,
        "month": isinstance(value, int) and 0 <= value <= 12,
        "months": isinstance(value, int) and 0 <= value <= 24,
        "enum[old,new]": value in ("old", "new"),
        "period": isinstance(value, dict) and set(value) <= {"months", "days"} and len(value) == 1,
        "waiting": isinstance(value, dict),
        "assistance": isinstance(value, dict),
        "notes": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "base_rate": isinstance(value, dict) and set(value) == {"base", "rate_bp"}
        and all(isinstance(v, int) and v >= 0 for v in value.values()),
    }
    return checks.get(unit, False)


def parse_parameter_file(name: str, text: str, regions: set[str]) -> list[ParamEntry]:
    """Validate one parameter file's text; raise ``PolicyDataError`` naming what is wrong."""
    where = f"policy/parameters/{name}.yaml"
    try:
        parsed = ParameterFile.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as exc:
        raise PolicyDataError("policy_file_invalid", f"{where} 格式错误: {exc}",
                              f"{where} is invalid: {exc}") from exc
    if parsed.unit not in UNITS:
        raise PolicyDataError("policy_unit", f"{where} 单位未知: {parsed.unit}",
                              f"{where}: unknown unit {parsed.unit}")
    entries: list[ParamEntry] = []
    for region, values in parsed.values.items():
        if region not in regions:
            raise PolicyDataError("policy_region", f"{where} 地区未知: {region}",
                                  f"{where}: unknown region {region}")
        ordered = sorted(values, key=lambda v: v.valid_from)
        for before, after in itertools.pairwise(ordered):
            if after.valid_from <= before.valid_to:
                raise PolicyDataError(
                    "policy_overlap",
                    f"{where} 地区 {region} 的日期区间重叠: {after.valid_from}",
                    f"{where}: region {region} has overlapping ranges at {after.valid_from}",
                )
        for v in ordered:
            if not _check_unit(parsed.unit, v.value):
                raise PolicyDataError(
                    "policy_value", f"{where} 地区 {region} {v.valid_from} 的值不符合单位 {parsed.unit}",
                    f"{where}: region {region} value at {v.valid_from} does not fit unit {parsed.unit}",
                )
            entries.append(ParamEntry(name, region, v.valid_from, v.valid_to, v.value,
                                      v.status == "published", v.source))
    return entries


def parameter_texts() -> dict[str, str]:
    """Name → text of every parameter file shipped with the package."""
    folder = resources.files("yibao.policy").joinpath("parameters")
    return {
        item.name.removesuffix(".yaml"): item.read_text(encoding="utf-8")
        for item in folder.iterdir()
        if item.name.endswith(".yaml")
    }


@cache
def load_policy() -> Policy:
    """The resolved policy of every shipped region and coverage year (cached)."""
    regions = [Region(r.code, r.name, r.parent, r.level) for r in load_regions().values()]
    codes = {r.code for r in regions}
    entries = [e for name, text in sorted(parameter_texts().items())
               for e in parse_parameter_file(name, text, codes)]
    return build_policy(regions, entries, first_year=FIRST_YEAR, last_year=LAST_YEAR)
