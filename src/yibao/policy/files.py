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
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from yibao.errors import PolicyDataError
from yibao.policy.contacts import CONTACTS, contacts_in_force, contacts_with
from yibao.policy.locations import PolicyFileError, configured_dir, load_yaml
from yibao.policy.packs import PackFile, pack_files
from yibao.policy.parameter_file import Before, ParameterFile, Resolver, parse_parameter_file
from yibao.policy.reference_data import load_regions, region_chain
from yibao.policy.statements import STATEMENTS, Layout, layouts_with
from yibao.rules.policy import ParamEntry, Policy, Region, build_policy

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
DAY = dt.timedelta(days=1)


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
    resolver = Resolver(base, region_chain)
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

