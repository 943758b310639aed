"""Read the policy data files into a resolved ``Policy``: the shipped ones, plus a
published folder (``YIBAO_POLICY_DIR``) laid over them.

Every parameter file holds dated, cited values per region::

    description: 个人缴费标准 ...
    unit: fen
    values:
      "450000":
        - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "《…通知》(桂医保发〔2025〕N号, 2025-08-20)"}
        - {from: ..., to: ..., value: null, status: unpublished, source: "..."}

A folder laid over the shipped files holds files of the same names and format; a value
there replaces the shipped value of the same region for the periods it covers, and
everything else stays as shipped (contract §5).  A value without a source or a date, an
unknown region or parameter, a value that does not fit its unit, a unit other than the
shipped one, or two ranges of one region that overlap is a ``PolicyDataError`` naming
the file, region and problem.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yibao.errors import PolicyDataError
from yibao.policy.packs import PackFile, pack_files
from yibao.policy.reference_data import load_regions
from yibao.rules.policy import ParamEntry, Policy, Region, build_policy
from yibao.rules.units import UNITS, check_unit

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "ParameterFile",
    "check_folder",
    "configured_dir",
    "lay_over",
    "load_policy",
    "parameter_texts",
    "parse_parameter_file",
    "policy_with",
    "read_header",
    "reload_policy",
    "shipped_policy",
]

FIRST_YEAR, LAST_YEAR = 2021, 2027
MAX_YEAR = 2100
DAY = dt.timedelta(days=1)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


class DatedValue(BaseModel):
    """One value of a parameter, valid for coverage years from..to (inclusive)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    valid_from: dt.date = Field(alias="from")
    valid_to: dt.date = Field(alias="to")
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
    values: dict[str, list[dict[str, Any]]]


def _problem(exc: ValidationError) -> tuple[str, str, str]:
    """(code, Chinese, English) of the first problem of one dated value."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if where == "source":
        return "policy_no_source", "缺少来源(source),或来源太短", "no source (or one too short)"
    if where in ("from", "to"):
        return "policy_date", f"日期 {where} 缺少或无效", f"missing or invalid date '{where}'"
    return "policy_file_invalid", f"格式错误: {first['msg']}", f"invalid: {first['msg']} ({where})"


def parse_parameter_file(name: str, text: str, regions: set[str], *,
                         where: str | None = None, unit: str | None = None) -> list[ParamEntry]:
    """Validate one parameter file's text; raise ``PolicyDataError`` naming what is wrong.

    ``unit``, when given, is the unit the file must declare (an overlay's shipped unit).
    """
    where = where or f"policy/parameters/{name}.yaml"
    try:
        parsed = ParameterFile.model_validate(_yaml(text))
    except (ValidationError, yaml.YAMLError) as exc:
        raise PolicyDataError("policy_file_invalid", f"{where} 格式错误: {exc}",
                              f"{where} is invalid: {exc}") from exc
    if parsed.unit not in UNITS or (unit is not None and parsed.unit != unit):
        expected = f"(应为 {unit})" if unit else ""
        raise PolicyDataError("policy_unit", f"{where} 单位不对: {parsed.unit}{expected}",
                              f"{where}: wrong unit {parsed.unit}"
                              + (f" (expected {unit})" if unit else ""))
    entries: list[ParamEntry] = []
    for region, raw_values in parsed.values.items():
        if region not in regions:
            raise PolicyDataError("policy_region", f"{where} 地区未知: {region}",
                                  f"{where}: unknown region {region}")
        values: list[DatedValue] = []
        for raw in raw_values:
            try:
                values.append(DatedValue.model_validate(raw))
            except ValidationError as exc:
                code, zh, en = _problem(exc)
                raise PolicyDataError(code, f"{where} 地区 {region}: {zh}",
                                      f"{where}: region {region}: {en}") from None
        ordered = sorted(values, key=lambda v: v.valid_from)
        for before, after in itertools.pairwise(ordered):
            if after.valid_from <= before.valid_to:
                raise PolicyDataError(
                    "policy_overlap",
                    f"{where} 地区 {region} 的日期区间重叠: {after.valid_from}",
                    f"{where}: region {region} has overlapping ranges at {after.valid_from}",
                )
        for v in ordered:
            if v.valid_from.year > MAX_YEAR:
                raise PolicyDataError("policy_date", f"{where} 地区 {region}: 年份太远",
                                      f"{where}: region {region}: year beyond {MAX_YEAR}")
            if not check_unit(parsed.unit, v.value):
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
def _shipped_units() -> dict[str, str]:
    return {name: str(_yaml(text)["unit"]) for name, text in parameter_texts().items()}


def _regions() -> list[Region]:
    return [Region(r.code, r.name, r.parent, r.level) for r in load_regions().values()]


@cache
def _shipped_entries() -> tuple[ParamEntry, ...]:
    codes = {r.code for r in _regions()}
    return tuple(e for name, text in sorted(parameter_texts().items())
                 for e in parse_parameter_file(name, text, codes)) + _pack_entries(codes)


def _pack_entries(codes: set[str], items: Iterable[PackFile] | None = None
                  ) -> tuple[ParamEntry, ...]:
    """The parameter files of the region packs (``policy/regions/*/``, see
    :mod:`yibao.policy.packs`): a declared parameter's name and unit, values only for the
    pack's region and the regions under it."""
    units = _shipped_units()
    parents = {r.code: r.parent for r in _regions()}
    entries: list[ParamEntry] = []
    for item in pack_files() if items is None else items:
        if item.parameter not in units:
            raise PolicyDataError("policy_unknown_parameter",
                                  f"{item.where} 参数未知: {item.parameter}(须在 policy/parameters/ 中声明)",
                                  f"{item.where}: unknown parameter {item.parameter} "
                                  "(declare it in policy/parameters/)")
        for e in parse_parameter_file(item.parameter, item.text, codes, where=item.where,
                                      unit=units[item.parameter]):
            chain: list[str] = []
            code: str | None = e.region
            while code is not None and code not in chain:
                chain.append(code)
                code = parents.get(code)
            if item.pack.code not in chain:
                raise PolicyDataError("policy_region", f"{item.where} 地区 {e.region} 不在本地区包 "
                                      f"{item.pack.code} 之内", f"{item.where}: region {e.region} "
                                      f"is outside the pack's region {item.pack.code}")
            entries.append(e)
    return tuple(entries)


def _folder_entries(folder: Path) -> tuple[list[ParamEntry], list[PolicyDataError]]:
    """Every entry of a published folder and every file's first problem."""
    codes = {r.code for r in _regions()}
    units = _shipped_units()
    entries: list[ParamEntry] = []
    problems: list[PolicyDataError] = []
    if not folder.is_dir():
        problems.append(PolicyDataError("policy_dir", f"{folder} 不是一个文件夹",
                                        f"{folder} is not a folder"))
        return entries, problems
    for path in sorted(folder.glob("*.yaml")):
        name = path.stem
        if name not in units:
            problems.append(PolicyDataError(
                "policy_unknown_parameter", f"{path} 参数未知: {name}(文件名须与发布的参数同名)",
                f"{path}: unknown parameter {name} (name files like the shipped parameters)"))
            continue
        try:
            entries.extend(parse_parameter_file(name, path.read_text(encoding="utf-8"), codes,
                                                where=str(path), unit=units[name]))
        except PolicyDataError as exc:
            problems.append(exc)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(PolicyDataError("policy_file_invalid", f"{path} 无法读取: {exc}",
                                            f"{path} cannot be read: {exc}"))
    return entries, problems


def lay_over(base: Iterable[ParamEntry], extra: Iterable[ParamEntry]) -> list[ParamEntry]:
    """``base`` with ``extra`` laid over it: for each (parameter, region) in ``extra``, its
    periods replace ``base``'s (a base range is cut around them); everything else stays."""
    extra = list(extra)
    covered: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for e in extra:
        covered.setdefault((e.parameter, e.region), []).append((e.valid_from, e.valid_to))
    out: list[ParamEntry] = []
    for e in base:
        pieces = [(e.valid_from, e.valid_to)]
        for start, end in covered.get((e.parameter, e.region), ()):
            pieces = [part for lo, hi in pieces for part in (
                ((lo, min(hi, start - DAY)), (max(lo, end + DAY), hi)) if lo <= end and start <= hi
                else ((lo, hi),)) if part[0] <= part[1]]
        out.extend(ParamEntry(e.parameter, e.region, lo, hi, e.value, e.published, e.source)
                   for lo, hi in pieces)
    return out + extra


def _build(entries: list[ParamEntry]) -> Policy:
    last = max([LAST_YEAR, *(e.valid_from.year for e in entries)])
    return build_policy(_regions(), entries, first_year=FIRST_YEAR, last_year=last)


def check_folder(folder: Path, base: Iterable[ParamEntry] | None = None) -> list[PolicyDataError]:
    """Every problem of a folder laid over ``base`` (default: the shipped files); [] = fine."""
    entries, problems = _folder_entries(folder)
    if problems:
        return problems
    try:
        _build(lay_over(_shipped_entries() if base is None else base, entries))
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(PolicyDataError("policy_value", f"{folder}: 数据无法使用: {exc}",
                                        f"{folder}: the figures cannot be used: {exc}"))
    return problems


def policy_with(*folders: Path) -> Policy:
    """The shipped policy with ``folders`` laid over it, in order; raises the first problem."""
    entries: list[ParamEntry] = list(_shipped_entries())
    for folder in folders:
        extra, problems = _folder_entries(folder)
        if problems:
            raise problems[0]
        entries = lay_over(entries, extra)
    return _build(entries)


def configured_dir() -> Path | None:
    """The published folder named by ``YIBAO_POLICY_DIR`` (None when unset)."""
    from yibao.settings import Settings

    raw = Settings().policy_dir.strip()
    return Path(raw) if raw else None


@cache
def shipped_policy() -> Policy:
    """The policy of the shipped files alone (cached)."""
    return _build(list(_shipped_entries()))


@cache
def load_policy() -> Policy:
    """The policy in force: shipped files, with ``YIBAO_POLICY_DIR`` laid over them (cached
    for the process; a server reads a newly published folder when it restarts)."""
    folder = configured_dir()
    return shipped_policy() if folder is None else policy_with(folder)


def reload_policy() -> Policy:
    """Forget the cached policy and read it again (tests; after ``YIBAO_POLICY_DIR`` changed)."""
    load_policy.cache_clear()
    return load_policy()



def read_header(text: str) -> tuple[str, str]:
    """The ``description`` and ``unit`` of a parameter file's text."""
    data = _yaml(text)
    return str(data.get("description", "")), str(data.get("unit", ""))

