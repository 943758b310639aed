"""One quote, as the contract's ``yibao quote`` and ``POST /api/v1/quote`` answer it.

    >>> quote({"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
    ...        "covered_years": [2019]})["benefit_start"]
    '2021-06-01'
    >>> answer({"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
    ...         "covered_years": [2019]}).benefit_start
    datetime.date(2021, 6, 1)

The request is validated here (unknown keys, impossible dates, bad ID numbers
→ ``InputError``), turned into length-1 columns and run through the same
engine as a batch of a hundred million rows. ``answer`` / ``answer_many`` give the
typed :class:`~yibao.rules.answer.Quote` that services use; ``quote`` gives the
contract's JSON for the edges (API, CLI, pages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from yibao.errors import InputError, UnknownRegion
from yibao.idcard import parse_id_number
from yibao.policy.files import load_policy
from yibao.policy.reference_data import special_groups
from yibao.rules.answer import Quote, quote_to_contract
from yibao.rules.calendar import date_to_days
from yibao.rules.engine import evaluate
from yibao.rules.explain import RowContext, explain_row
from yibao.rules.flexible import monthly_contribution_fen
from yibao.rules.inputs import QuoteColumns, encode_year_lists
from yibao.rules.money import fen_to_yuan
from yibao.rules.policy import Policy
from yibao.rules.registry import RULES
from yibao.rules.validation import ERRORS
from yibao.rules.wording import policy_figures

__all__ = [
    "QuoteRequest",
    "answer",
    "answer_many",
    "columns_for",
    "concentrated_period",
    "concentrated_window",
    "flexible_employment",
    "input_error_from",
    "payment_ceiling_fen",
    "quote",
    "regions",
    "rules_catalogue",
]

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO.match(value):
        raise ValueError("expected an ISO date YYYY-MM-DD")
    return date.fromisoformat(value)


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Year = Annotated[int, Field(strict=True, ge=1900, le=2200)]


class QuoteRequest(BaseModel):
    """The contract's quote input (docs: contract §2). Unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None
    coverage_year: Year
    payment_date: IsoDate
    id_number: str | None = None
    birth_date: IsoDate | None = None
    special_group: str | None = None
    covered_years: list[Year] | None = None
    employee_insurance_end_date: IsoDate | None = None
    back_pay_years: list[Year] | None = None
    hardship_deferral: Annotated[bool, Field(strict=True)] = False


_KIND_ZH = {"missing": "缺少必填字段", "extra_forbidden": "不认识的字段(请检查拼写)",
            "int_type": "应为整数", "bool_type": "应为 true 或 false", "list_type": "应为年份列表",
            "string_type": "应为文字", "string_pattern_mismatch": "格式不对(地区代码为6位数字)",
            "greater_than_equal": "数值太小", "less_than_equal": "数值太大"}
_DATE_FIELDS = {"payment_date", "birth_date", "employee_insurance_end_date"}


def input_error_from(exc: ValidationError) -> InputError:
    """The first problem of a Pydantic ``ValidationError`` as a bilingual ``InputError``
    (the one translator, :func:`yibao.validation.input_error`)."""
    from yibao.validation import input_error

    return input_error(exc.errors(), date_fields=_DATE_FIELDS)


def _resolve_person(req: QuoteRequest) -> tuple[str, date | None]:
    region, birth = req.region, req.birth_date
    if req.id_number is not None:
        rid = parse_id_number(req.id_number)
        if birth is not None and birth != rid.birth_date:
            raise InputError("birth_date_mismatch", "出生日期与身份证号码不一致",
                             "birth_date does not match the ID number", field="birth_date")
        birth = rid.birth_date
        region = region or rid.region_code
    if region is None:
        raise InputError("missing_field", "缺少必填字段: region", "region is required",
                         field="region")
    return region, birth


def columns_for(requests: list[QuoteRequest], policy: Policy) -> QuoteColumns:
    """Length-n engine columns for already validated requests."""
    people = [_resolve_person(r) for r in requests]
    years = np.array([r.coverage_year for r in requests], dtype=np.int32)
    births = [b for _, b in people]
    ends = [r.employee_insurance_end_date for r in requests]
    return QuoteColumns(
        region_idx=policy.region_lut[np.array([int(code) for code, _ in people], dtype=np.int32)],
        coverage_year=years,
        payment=np.array([date_to_days(r.payment_date) for r in requests], dtype=np.int32),
        birth=np.array([date_to_days(b) if b else 0 for b in births], dtype=np.int32),
        has_birth=np.array([b is not None for b in births], dtype=np.bool_),
        group=np.array([policy.group_index(r.special_group) for r in requests], dtype=np.int32),
        covered=encode_year_lists([r.covered_years for r in requests], years),
        back_pay=encode_year_lists([r.back_pay_years for r in requests], years),
        employee_end=np.array([date_to_days(e) if e else 0 for e in ends], dtype=np.int32),
        has_employee_end=np.array([e is not None for e in ends], dtype=np.bool_),
        hardship=np.array([r.hardship_deferral for r in requests], dtype=np.bool_),
    )


def _context(req: QuoteRequest, region: str, birth: date | None, policy: Policy) -> RowContext:
    year = req.coverage_year
    figures, sources, region_notes = _of_region_year(policy, region, year)
    group = _groups().get(req.special_group or "")
    return RowContext(
        region_code=region, region_name=policy.regions[region].name,
        coverage_year=year, payment_date=req.payment_date, birth_date=birth,
        employee_end=req.employee_insurance_end_date, group_code=req.special_group,
        group_name=group[0] if group else req.special_group,
        group_name_en=group[1] if group else req.special_group,
        figures=figures, sources=sources,
        policy_version=policy.version_of(region, year), region_notes=region_notes,
        hardship=req.hardship_deferral,
    )


def _of_region_year(policy: Policy, region: str, year: int) -> tuple[
        dict[str, str], dict[str, str], tuple[tuple[str, str], ...]]:
    """Figures, citations and region notes of (region, year), derived once per policy."""
    key = (region, year)
    if key not in policy.memo:
        sources = {}
        for name in policy.entries:
            found = policy.resolve(name, region, year)
            if found is not None:
                sources[name] = found.source
        notes = policy.resolve("region_notes", region, year)
        region_notes = tuple((text, notes.source) for text in notes.value) if notes else ()
        policy.memo[key] = (policy_figures(policy, region, year), sources, region_notes)
    memo: tuple[dict[str, str], dict[str, str], tuple[tuple[str, str], ...]] = policy.memo[key]
    return memo


@cache
def _groups() -> dict[str, tuple[str, str]]:
    return {g.code: (g.name, g.name_en) for g in special_groups()}


def _checked(payload: QuoteRequest | Mapping[str, Any], policy: Policy) -> tuple[QuoteRequest, str, date | None]:
    try:
        req = payload if isinstance(payload, QuoteRequest) else QuoteRequest.model_validate(payload)
    except ValidationError as exc:
        raise input_error_from(exc) from None
    region, birth = _resolve_person(req)
    if region not in policy.regions:
        raise UnknownRegion("unknown_region", f"地区代码不在政策数据中: {region}",
                            f"unknown region code: {region}", field="region")
    return req, region, birth


def answer_many(payloads: Sequence[QuoteRequest | Mapping[str, Any]]) -> list[Quote | InputError]:
    """Many quotes through one engine call: per payload its typed answer, or the ``InputError``."""
    policy = load_policy()
    out: list[Quote | InputError | None] = []
    good: list[tuple[int, QuoteRequest, str, date | None]] = []
    for i, payload in enumerate(payloads):
        try:
            good.append((i, *_checked(payload, policy)))
            out.append(None)
        except InputError as exc:
            out.append(exc)
    if good:
        res = evaluate(policy, columns_for([g[1] for g in good], policy))
        for row, (i, req, region, birth) in enumerate(good):
            if res.error[row]:
                e = ERRORS[int(res.error[row])]
                out[i] = InputError(e.code, e.message, e.message_en, field=e.field)
            else:
                out[i] = explain_row(res, row, _context(req, region, birth, policy))
    return [o for o in out if o is not None]


def answer(payload: QuoteRequest | Mapping[str, Any]) -> Quote:
    """The typed answer to one quote; raises ``InputError`` on bad input."""
    (result,) = answer_many([payload])
    if isinstance(result, InputError):
        raise result
    return result


def quote(payload: QuoteRequest | Mapping[str, Any]) -> dict[str, Any]:
    """Answer one quote as the contract's result dict; raise ``InputError`` on bad input."""
    return dict(quote_to_contract(answer(payload)))


def payment_ceiling_fen(region: str, year: int, back_pay_years: int = 0) -> int:
    """The most a payment for ``year`` can be due in ``region``: share + fiscal subsidy per
    year paid (the coverage year and each back-paid one), or the ``payment_ceiling``
    parameter (C20) when either figure is unpublished."""
    policy = load_policy()
    share = policy.resolve("individual_share", region, year)
    subsidy = policy.resolve("fiscal_subsidy", region, year)
    if share is not None and share.published and subsidy is not None and subsidy.published:
        per_year = int(share.value) + int(subsidy.value)
    else:
        ceiling = policy.resolve("payment_ceiling", region, year)
        per_year = int(ceiling.value) if ceiling is not None and ceiling.published else 0
    return per_year * (1 + back_pay_years)


def concentrated_period(region: str, year: int) -> tuple[date, date] | None:
    """First and last day of ``region``'s concentrated period for coverage ``year`` (from
    the policy data), or None when it is not published."""
    found = load_policy().resolve("concentrated_period", region, year)
    if found is None or not found.published:
        return None
    (m1, d1), (m2, d2) = (map(int, md.split("-")) for md in found.value)
    return date(year - 1, m1, d1), date(year - 1, m2, d2)


def concentrated_window(year: int) -> tuple[date, date] | None:
    """The earliest opening and the latest close of any region's concentrated period for
    coverage ``year`` (None when no region has one)."""
    periods = [p for code in load_policy().regions
               if (p := concentrated_period(code, year)) is not None]
    if not periods:
        return None
    return min(p[0] for p in periods), max(p[1] for p in periods)


def flexible_employment(region: str, year: int) -> dict[str, Any]:
    """Monthly flexible-employment employee contribution of a region and year, with its source."""
    policy = load_policy()
    if region not in policy.regions:
        raise UnknownRegion("unknown_region", f"地区代码不在政策数据中: {region}",
                            f"unknown region code: {region}", field="region")
    found = policy.resolve("flexible_employment", region, year)
    if found is None or not found.published:
        raise InputError("not_published", f"{region} {year}年灵活就业缴费基数和比例未收录",
                         f"no flexible-employment base and rate for {region} in {year}",
                         field="region")
    base, rate = int(found.value["base"]), int(found.value["rate_bp"])
    return {"region": region, "year": year, "base": fen_to_yuan(base),
            "rate_percent": f"{rate // 100}.{rate % 100:02d}",
            "monthly": fen_to_yuan(monthly_contribution_fen(base, rate)), "source": found.source}


def rules_catalogue() -> list[dict[str, Any]]:
    """Every rule of the registry: ID, titles, citation, text templates (figures as
    ``{placeholders}``) and the conventions it relies on."""
    return [{"id": r.id, "title": r.title, "title_en": r.title_en, "source": r.source,
             "text": r.text, "text_en": r.text_en, "plain": r.plain, "plain_en": r.plain_en,
             "conventions": list(r.conventions)} for r in RULES]


def regions() -> list[dict[str, str | None]]:
    """Every region the policy data knows: code, name, parent, level."""
    policy = load_policy()
    return [{"code": r.code, "name": r.name, "parent": r.parent, "level": r.level}
            for r in sorted(policy.regions.values(), key=lambda r: r.code)]
