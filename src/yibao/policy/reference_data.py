"""Reference data the seeds describe: regions, channels, eligibility, ... (contacts:
:mod:`yibao.policy.contacts`)

    >>> channel("lz_yibao_wechat").regions
    ('450200',)

Everything is read once from the YAML files shipped in ``yibao/policy`` and
returned as frozen Pydantic models. A malformed file raises
:class:`PolicyDataError`; an unknown code asked for raises :class:`InputError`
(``unknown_channel``, ``unknown_special_group``, ...; ``UnknownRegion`` for regions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from yibao.errors import InputError, PolicyDataError, UnknownRegion
from yibao.policy.reference_models import (
    BackPaymentReference,
    BankList,
    Channel,
    Contact,
    EligibilityCategory,
    NewbornPreregistration,
    Phone,
    Region,
    RegionCode,
    Remark,
    SpecialGroup,
)

__all__ = [
    "BackPaymentReference",
    "BankList",
    "Channel",
    "Contact",
    "EligibilityCategory",
    "NewbornPreregistration",
    "Phone",
    "Region",
    "RegionCode",
    "Remark",
    "SpecialGroup",
    "back_payment_reference",
    "channel",
    "channels",
    "eligibility_categories",
    "eligibility_category",
    "load_regions",
    "newborn_preregistration",
    "region_chain",
    "region_subtree",
    "special_group",
    "special_groups",
]

_M = TypeVar("_M", bound=BaseModel)


def _load(name: str) -> dict[str, Any]:
    path = files("yibao") / "policy" / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyDataError(
            "policy_file_unreadable",
            f"政策数据文件 {name} 无法读取：{exc}",
            f"policy data file {name} cannot be read: {exc}",
        ) from exc
    if not isinstance(data, dict):
        raise PolicyDataError(
            "policy_file_malformed",
            f"政策数据文件 {name} 顶层应为映射",
            f"policy data file {name} must hold a mapping at the top",
        )
    return data


def _build(model: type[_M], name: str, data: Any) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PolicyDataError(
            "policy_file_malformed",
            f"政策数据文件 {name} 格式有误：{exc.error_count()}处错误",
            f"policy data file {name} is malformed: {exc}",
        ) from exc


def _build_all(model: type[_M], name: str, key: str) -> tuple[_M, ...]:
    items = _load(name).get(key)
    if not isinstance(items, list):
        raise PolicyDataError(
            "policy_file_malformed",
            f"政策数据文件 {name} 缺少列表“{key}”",
            f"policy data file {name} has no list {key!r}",
        )
    return tuple(_build(model, name, item) for item in items)


def _unique(pairs: Iterable[tuple[str, _M]], name: str) -> Mapping[str, _M]:
    by_code: dict[str, _M] = {}
    for code, item in pairs:
        if code in by_code:
            raise PolicyDataError(
                "policy_duplicate_code",
                f"政策数据文件 {name} 中代码“{code}”重复",
                f"policy data file {name} repeats code {code!r}",
            )
        by_code[code] = item
    return MappingProxyType(by_code)


@cache
def load_regions() -> Mapping[str, Region]:
    """Every region of ``policy/regions.yaml`` and of the region packs
    (``policy/regions/*/region.yaml``), by code."""
    from yibao.policy.packs import pack_region_rows

    regions = (*_build_all(Region, "regions.yaml", "regions"), *pack_region_rows())
    return _unique(((r.code, r) for r in regions), "regions.yaml + policy/regions/*/region.yaml")


@cache
def _parent_map() -> Mapping[str, str | None]:
    return MappingProxyType({code: r.parent for code, r in load_regions().items()})


def region_chain(
    region_code: str, regions_parent_map: Mapping[str, str | None] | None = None
) -> tuple[str, ...]:
    """``region_code`` and its ancestors, most specific first (county → ... → national).

    ``regions_parent_map`` (code → parent code) defaults to ``policy/regions.yaml``.
    Raises :class:`UnknownRegion` if the code is not in the map.
    """
    parents = _parent_map() if regions_parent_map is None else regions_parent_map
    if region_code not in parents:
        raise UnknownRegion(
            "unknown_region",
            f"未知的行政区划代码“{region_code}”",
            f"unknown region code {region_code!r}",
            field="region",
        )
    chain = [region_code]
    parent = parents[region_code]
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = parents.get(parent)
    return tuple(chain)


@cache
def region_subtree(region_code: str) -> tuple[str, ...]:
    """``region_code`` and every region under it in GB/T 2260 (a city: itself and its
    counties). Raises :class:`UnknownRegion` if the code is not known."""
    region_chain(region_code)
    children: dict[str, list[str]] = {}
    for code, parent in _parent_map().items():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    out, todo = [], [region_code]
    while todo:
        code = todo.pop()
        out.append(code)
        todo.extend(children.get(code, ()))
    return tuple(sorted(out))


@cache
def channels() -> tuple[Channel, ...]:
    """The payment channels, in the contract's order."""
    return _build_all(Channel, "reference/channels.yaml", "channels")


@cache
def _channels_by_code() -> Mapping[str, Channel]:
    return _unique(((c.code, c) for c in channels()), "reference/channels.yaml")


def channel(code: str) -> Channel:
    """One payment channel by its contract code; ``unknown_channel`` if there is none."""
    found = _channels_by_code().get(code)
    if found is None:
        raise InputError(
            "unknown_channel",
            f"未知的缴费渠道“{code}”",
            f"unknown payment channel {code!r}; known: {', '.join(_channels_by_code())}",
            field="channel",
        )
    return found


@cache
def eligibility_categories() -> tuple[EligibilityCategory, ...]:
    """The six categories of 参保范围 in 《贵港市2021年度城乡居民医保参保缴费指南》."""
    return _build_all(EligibilityCategory, "reference/eligibility.yaml", "categories")


def eligibility_category(code: str) -> EligibilityCategory:
    """One eligibility category; ``unknown_eligibility_category`` if there is none."""
    for item in eligibility_categories():
        if item.code == code:
            return item
    raise InputError(
        "unknown_eligibility_category",
        f"未知的参保范围类别“{code}”",
        f"unknown eligibility category {code!r}",
        field="eligibility_category",
    )


@cache
def back_payment_reference() -> BackPaymentReference:
    """Back-payment application types, submission modes and materials
    (《2025广西柳州居民医保断缴怎么补交》)."""
    name = "reference/back_payment.yaml"
    data = {k: v for k, v in _load(name).items() if k != "seed_files"}
    return _build(BackPaymentReference, name, data)


@cache
def special_groups() -> tuple[SpecialGroup, ...]:
    """The contract's special groups (rules.md R-FEE-ASSIST)."""
    return _build_all(SpecialGroup, "reference/special_groups.yaml", "groups")


def special_group(code: str) -> SpecialGroup:
    """One special group by code; ``unknown_special_group`` if there is none."""
    for item in special_groups():
        if item.code == code:
            return item
    raise InputError(
        "unknown_special_group",
        f"未知的特殊群体代码“{code}”",
        f"unknown special group {code!r}; known: {', '.join(g.code for g in special_groups())}",
        field="special_group",
    )


@cache
def newborn_preregistration() -> NewbornPreregistration:
    """Newborn pre-registration conditions (《贵港市2021年度城乡居民医保参保缴费指南》 四.1)."""
    name = "reference/newborn_preregistration.yaml"
    data = {k: v for k, v in _load(name).items() if k != "seed_files"}
    return _build(NewbornPreregistration, name, data)
