"""One parameter file checked line by line: dated, cited values per region, in the unit the
file declares, with no overlaps and no amount ten times off the year before (fen written as
yuan). Every problem is a ``PolicyFileError`` naming the file, line, region and field;
:mod:`yibao.policy.files` lays the files over each other into a ``Policy``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yibao.policy.locations import PolicyFileError, Where, load_yaml
from yibao.rules.policy import ParamEntry
from yibao.rules.units import UNITS, check_unit

__all__ = ["Before", "DatedValue", "ParameterFile", "Resolver", "parse_parameter_file"]

MAX_YEAR = 2100


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
        mine = Resolver(entries, None)
        for entry, i in checks:
            def prior(p: str, r: str, y: int) -> ParamEntry | None:
                return mine.get(p, r, y) or before(p, r, y)

            found = _implausible(name, parsed.unit, entry, prior, at, i)
            if found is not None:
                raise found
    return entries


class Resolver:
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
