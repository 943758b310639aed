"""What a policy says, for people: one parameter's values, and what publishing changes.

    parameter_view("individual_share", "450202")   # year by year, with sources
    diff_policies(load_policy(), policy_with(folder))

Used by ``yibao policy show|diff`` and ``GET /api/v1/policy/{name}``.
"""

from __future__ import annotations

import json
from typing import Any

from yibao.errors import InputError, UnknownRegion
from yibao.policy.files import load_policy, parameter_texts, read_header
from yibao.rules.money import fen_to_yuan
from yibao.rules.policy import Policy

__all__ = ["diff_policies", "parameter_view"]


def _show(unit: str, value: Any, published: bool) -> str:
    """A value as people read it (yuan for money, 未公布 when unpublished)."""
    if not published or value is None:
        return "未公布"
    if unit == "fen":
        return f"{fen_to_yuan(int(value))}元"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def parameter_view(name: str, region: str | None = None) -> dict[str, Any]:
    """One parameter of the policy in force: its values per region, or (with ``region``)
    what it resolves to in each coverage year there.  ``InputError`` for an unknown name."""
    texts = parameter_texts()
    if name not in texts:
        raise InputError("unknown_parameter", f"没有这个参数: {name}",
                         f"no such parameter: {name} (one of {', '.join(sorted(texts))})",
                         field="name")
    description, unit = read_header(texts[name])
    policy = load_policy()
    view: dict[str, Any] = {"name": name, "description": description, "unit": unit,
                            "policy_version": policy.version}
    if region is None:
        view["values"] = {
            code: [{"from": e.valid_from.isoformat(), "to": e.valid_to.isoformat(),
                    "value": e.value, "shown": _show(unit, e.value, e.published),
                    "status": "published" if e.published else "unpublished", "source": e.source}
                   for e in sorted(values, key=lambda e: e.valid_from)]
            for code, values in _by_region(policy.entries.get(name, ())).items()}
        return view
    if region not in policy.regions:
        raise UnknownRegion("unknown_region", f"地区代码不在政策数据中: {region}",
                            f"unknown region code: {region}", field="region")
    years = []
    for year in range(policy.first_year, policy.last_year + 1):
        found = policy.resolve(name, region, year)
        years.append({"year": year, "value": None if found is None else found.value,
                      "shown": "无" if found is None else _show(unit, found.value, found.published),
                      "status": "absent" if found is None
                      else "published" if found.published else "unpublished",
                      "from_region": None if found is None else found.region,
                      "source": None if found is None else found.source})
    view.update(region=region, region_name=policy.regions[region].name, years=years)
    return view


def _by_region(entries: Any) -> dict[str, list[Any]]:
    out_: dict[str, list[Any]] = {}
    for e in entries:
        out_.setdefault(e.region, []).append(e)
    return dict(sorted(out_.items()))


def diff_policies(before: Policy, after: Policy) -> list[dict[str, Any]]:
    """Every (parameter, region, run of coverage years) whose figure or source differs,
    at the regions that hold a value of that parameter in either policy."""
    units = {name: read_header(text)[1] for name, text in parameter_texts().items()}
    first = min(before.first_year, after.first_year)
    last = max(before.last_year, after.last_year)

    def shown(name: str, found: Any) -> str:
        return "无" if found is None else _show(units.get(name, ""), found.value, found.published)

    changes: list[dict[str, Any]] = []
    for name in sorted(set(before.entries) | set(after.entries)):
        regions = sorted({e.region for p in (before, after) for e in p.entries.get(name, ())})
        for code in regions:
            run: dict[str, Any] | None = None
            for year in range(first, last + 1):
                a, b = before.resolve(name, code, year), after.resolve(name, code, year)
                key_a = None if a is None else (a.value, a.published, a.source)
                key_b = None if b is None else (b.value, b.published, b.source)
                own = any(x is not None and x.region == code for x in (a, b))
                if key_a == key_b or not own:  # unchanged, or inherited from a parent
                    run = None
                    continue
                item = {"parameter": name, "region": code,
                        "region_name": after.regions[code].name,
                        "before": shown(name, a), "after": shown(name, b),
                        "source": None if b is None else b.source}
                if run is not None and all(run[k] == item[k] for k in item):
                    run["last_year"] = year
                    continue
                run = {**item, "first_year": year, "last_year": year}
                changes.append(run)
    return changes
