"""Read the policy data files into a resolved ``Policy``: the shipped ones, plus a
published folder (``YIBAO_POLICY_DIR``) laid over them.

Every parameter file holds dated, cited values per region::

    description: 个人缴费标准 ...
    unit: fen
    values:
      "450000":
        - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "《…通知》(桂医保发〔2025〕N号, 2025-08-20)"}
        - {from: ..., to: ..., value: null, status: unpublished, source: "..."}

A folder laid over the shipped files (``YIBAO_POLICY_DIR`` or ``policy_dir`` in
``yibao.toml``) holds files of the same names and format; a value there replaces the
shipped value of the same region for the periods it covers, and everything else stays as
shipped (contract §5); a ``statements.yaml`` there lays statement layouts over the shipped
ones (:mod:`yibao.policy.statements`), a ``contacts.yaml`` the offices and hotlines of the
regions it lists (:mod:`yibao.policy.contacts`). A value without a source or a date, an impossible
date, a range not on coverage-year boundaries (1 January – 31 December), an unknown
region or parameter, a value that does not fit its unit, a unit other than the shipped
one, two ranges of one region that overlap, or an amount ten times off the year before
(fen written as yuan) is a ``PolicyFileError`` naming the file, line, region and field.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yibao.errors import PolicyDataError
from yibao.policy.contacts import CONTACTS, contacts_in_force, contacts_with
from yibao.policy.locations import PolicyFileError, Where, configured_dir, load_yaml
from yibao.policy.packs import PackFile, pack_files
from yibao.policy.reference_data import load_regions, region_chain
from yibao.policy.statements import STATEMENTS, Layout, layouts_with
from yibao.rules.policy import ParamEntry, Policy, Region, build_policy
from yibao.rules.units import UNITS, check_unit

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "ParameterFile",
    "PolicyFileError",
    "check_folder",
    "lay_over",
    "load_policy",
    "parameter_texts",
    "parse_parameter_file",
    "policy_with",
    "read_header",
    "reload_policy",
    "shipped_policy",
    "statement_layouts",
]

FIRST_YEAR, LAST_YEAR = 2021, 2027
MAX_YEAR = 2100
DAY = dt.timedelta(days=1)


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


def _problem(exc: ValidationError, raw: Any) -> tuple[str, str, str, str | None]:
    """(code, Chinese, English, field) of the first problem of one dated value."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if where == "source":
        return "policy_no_source", "缺少来源(source),或来源太短", "no source (or one too short)", \
            "source"
    if where in ("from", "to"):
        given = raw.get(where) if isinstance(raw, dict) else None
        if given is None:
            return "policy_date", f"缺少日期 {where}", f"missing date '{where}'", where
        return ("policy_date", f"日期 {where}: {given} 无效(应为真实存在的日期 YYYY-MM-DD)",
                f"invalid date '{where}': {given} (a real date, YYYY-MM-DD)", where)
    return ("policy_file_invalid", f"格式错误: {first['msg']}",
            f"invalid: {first['msg']} ({where or 'value'})", where or None)


#: A published amount in fen this many times smaller or larger than the year before is
#: refused as a likely unit mistake (yuan written as fen, or fen written twice).
UNIT_FACTOR = 10

#: (parameter, region, year) → the value in force that year (None when none is known).
Before = Callable[[str, str, int], "ParamEntry | None"]


def _amounts(unit: str, value: Any) -> dict[str, int]:
    """The amounts in fen inside a value: the value itself, or an assistance table's figures."""
    if unit == "fen" and isinstance(value, int):
        return {"": value}
    if unit == "assistance" and isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}
    return {}


def _implausible(name: str, unit: str, entry: ParamEntry, before: Before,
                 where: Where, index: int) -> PolicyFileError | None:
    """A likely unit mistake: an amount a factor of ``UNIT_FACTOR`` off the year before."""
    if not entry.published:
        return None
    year = entry.valid_from.year
    prior = before(name, entry.region, year - 1)
    if prior is None or not prior.published:
        return None
    old = _amounts(unit, prior.value)
    for key, new in _amounts(unit, entry.value).items():
        was = old.get(key)
        if not was or not new or (UNIT_FACTOR * new > was and new < UNIT_FACTOR * was):
            continue
        item = f"{key}: " if key else ""
        if new < was:
            zh = (f"地区 {entry.region} {year}年 {item}{new} 分即 {new / 100:.2f} 元,而上一年度是 "
                  f"{was / 100:.2f} 元;单位是分(fen),{new} 元应写作 {new * 100}")
            en = (f"region {entry.region} {year}: {item}{new} fen is {new / 100:.2f} yuan where the "
                  f"year before was {was / 100:.2f} yuan; the unit is fen: {new} yuan is written "
                  f"{new * 100}")
        else:
            zh = (f"地区 {entry.region} {year}年 {item}{new} 分即 {new / 100:.2f} 元,是上一年度 "
                  f"{was / 100:.2f} 元的 {new // was} 倍;单位是分(fen),请确认没有多写两个 0")
            en = (f"region {entry.region} {year}: {item}{new} fen is {new / 100:.2f} yuan, "
                  f"{new // was} times the {was / 100:.2f} yuan of the year before; the unit is "
                  "fen: check for two zeros too many")
        return where.error("policy_unit_suspect", zh, en, "values", entry.region, index,
                           "value", field="value")
    return None


def parse_parameter_file(name: str, text: str, regions: set[str], *,
                         where: str | None = None, unit: str | None = None,
                         before: Before | None = None) -> list[ParamEntry]:
    """Validate one parameter file's text; raise ``PolicyFileError`` naming file, line, region
    and what is wrong.

    ``unit``, when given, is the unit the file must declare (an overlay's shipped unit).
    ``before``, when given, gives the value in force the year before each new value: an
    amount a factor of ten off it is refused as a likely fen/yuan mistake.
    """
    at = Where(where or f"policy/parameters/{name}.yaml", text)
    try:
        raw_file = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise at.error("policy_file_invalid", f"YAML 写法有误: {problem}",
                       f"not valid YAML: {problem}", line=line) from None
    try:
        parsed = ParameterFile.model_validate(raw_file)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"]]
        raise at.error("policy_file_invalid", f"格式错误: {first['msg']} ({'.'.join(map(str, loc))})",
                       f"invalid: {first['msg']} ({'.'.join(map(str, loc))})", *loc,
                       field=str(loc[-1]) if loc else None) from None
    if parsed.unit not in UNITS or (unit is not None and parsed.unit != unit):
        expected = f"(应为 {unit})" if unit else ""
        raise at.error("policy_unit", f"单位不对: {parsed.unit}{expected}",
                       f"wrong unit {parsed.unit}" + (f" (expected {unit})" if unit else ""),
                       "unit", field="unit")
    entries: list[ParamEntry] = []
    checks: list[tuple[ParamEntry, int]] = []
    for region, raw_values in parsed.values.items():
        if region not in regions:
            raise at.error("policy_region", f"地区未知: {region}", f"unknown region {region}",
                           "values", region, field="region")
        values: list[tuple[DatedValue, int]] = []
        for i, raw in enumerate(raw_values):
            try:
                values.append((DatedValue.model_validate(raw), i))
            except ValidationError as exc:
                code, zh, en, field = _problem(exc, raw)
                path: tuple[str | int, ...] = ("values", region, i) + ((field,) if field else ())
                raise at.error(code, f"地区 {region}: {zh}", f"region {region}: {en}", *path,
                               field=field) from None
        ordered = sorted(values, key=lambda v: v[0].valid_from)
        for (before_v, _), (after, i) in itertools.pairwise(ordered):
            if after.valid_from <= before_v.valid_to:
                raise at.error(
                    "policy_overlap", f"地区 {region} 的日期区间重叠: {after.valid_from}",
                    f"region {region} has overlapping ranges at {after.valid_from}",
                    "values", region, i, "from", field="from")
        for v, i in ordered:
            if v.valid_from.year > MAX_YEAR:
                raise at.error("policy_date", f"地区 {region}: 年份太远", f"region {region}: year "
                               f"beyond {MAX_YEAR}", "values", region, i, "from", field="from")
            for key, day, wanted in (("from", v.valid_from, (1, 1)), ("to", v.valid_to, (12, 31))):
                if (day.month, day.day) != wanted:
                    edge = "1月1日" if key == "from" else "12月31日"
                    edge_en = "1 January" if key == "from" else "31 December"
                    raise at.error(
                        "policy_date_outside_year",
                        f"地区 {region}: {key}: {day} 不在参保年度的边界上;数额按参保年度"
                        f"(1月1日至12月31日)生效,{key} 应为某年{edge}",
                        f"region {region}: {key}: {day} is not on a coverage-year boundary; "
                        f"figures apply per coverage year (1 January to 31 December): {key} "
                        f"must be {edge_en}", "values", region, i, key, field=key)
            if not check_unit(parsed.unit, v.value):
                raise at.error(
                    "policy_value", f"地区 {region} {v.valid_from} 的值不符合单位 {parsed.unit}",
                    f"region {region} value at {v.valid_from} does not fit unit {parsed.unit}",
                    "values", region, i, "value", field="value")
            entry = ParamEntry(name, region, v.valid_from, v.valid_to, v.value,
                               v.status == "published", v.source)
            entries.append(entry)
            checks.append((entry, i))
    if before is not None:
        mine = _Resolver(entries, None)
        for entry, i in checks:
            def prior(p: str, r: str, y: int) -> ParamEntry | None:
                return mine.get(p, r, y) or before(p, r, y)

            found = _implausible(name, parsed.unit, entry, prior, at, i)
            if found is not None:
                raise found
    return entries


class _Resolver:
    """The entry in force for (parameter, region, year), walking up the region tree."""

    def __init__(self, entries: Iterable[ParamEntry], chain: Callable[[str], tuple[str, ...]] | None
                 ) -> None:
        self._by: dict[tuple[str, str], list[ParamEntry]] = {}
        for e in entries:
            self._by.setdefault((e.parameter, e.region), []).append(e)
        self._chain = chain

    def get(self, parameter: str, region: str, year: int) -> ParamEntry | None:
        jan1 = dt.date(year, 1, 1)
        for level in self._chain(region) if self._chain else (region,):
            for e in self._by.get((parameter, level), ()):
                if e.valid_from <= jan1 <= e.valid_to:
                    return e
        return None


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
    return {name: str(load_yaml(text)["unit"]) for name, text in parameter_texts().items()}


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


def _before(base: Iterable[ParamEntry]) -> Before:
    """The entry of ``base`` in force for (parameter, region, year), up the region tree."""
    resolver = _Resolver(base, region_chain)
    return resolver.get


def _folder_entries(folder: Path, base: Iterable[ParamEntry] | None = None
                    ) -> tuple[list[ParamEntry], list[PolicyDataError]]:
    """Every entry of a published folder and every file's first problem (``statements.yaml``
    is checked as statement layouts; amounts are checked against ``base``, default the
    shipped files, for likely unit mistakes)."""
    codes = {r.code for r in _regions()}
    units = _shipped_units()
    entries: list[ParamEntry] = []
    problems: list[PolicyDataError] = []
    if not folder.is_dir():
        problems.append(PolicyDataError("policy_dir", f"{folder} 不是一个文件夹",
                                        f"{folder} is not a folder", field="policy_dir"))
        return entries, problems
    before = _before(_shipped_entries() if base is None else base)
    for path in sorted(folder.glob("*.yaml")):
        name = path.stem
        if path.name == STATEMENTS:
            try:
                layouts_with(folder)
            except PolicyDataError as exc:
                problems.append(exc)
            continue
        if path.name == CONTACTS:
            try:
                contacts_with(folder)
            except PolicyDataError as exc:
                problems.append(exc)
            continue
        if name not in units:
            problems.append(PolicyFileError(
                "policy_unknown_parameter", f"{path} 参数未知: {name}(文件名须与发布的参数同名)",
                f"{path}: unknown parameter {name} (name files like the shipped parameters)",
                file=str(path)))
            continue
        try:
            entries.extend(parse_parameter_file(name, path.read_text(encoding="utf-8"), codes,
                                                where=str(path), unit=units[name],
                                                before=before))
        except PolicyDataError as exc:
            problems.append(exc)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(PolicyFileError("policy_file_invalid", f"{path} 无法读取: {exc}",
                                            f"{path} cannot be read: {exc}", file=str(path)))
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
    entries, problems = _folder_entries(folder, base)
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


@cache
def statement_layouts() -> Mapping[str, Layout]:
    """The statement layouts in force: shipped, with the published folder's
    ``statements.yaml`` laid over them (cached like the figures)."""
    return layouts_with(configured_dir())


def reload_policy() -> Policy:
    """Forget the cached policy and layouts and read them again (tests; after the published
    folder changed)."""
    load_policy.cache_clear()
    statement_layouts.cache_clear()
    contacts_in_force.cache_clear()
    return load_policy()



def read_header(text: str) -> tuple[str, str]:
    """The ``description`` and ``unit`` of a parameter file's text."""
    data = load_yaml(text)
    return str(data.get("description", "")), str(data.get("unit", ""))

