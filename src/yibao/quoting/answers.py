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
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from yibao.errors import InputError, UnknownRegion
from yibao.idcard import parse_id_number
from yibao.policy.files import load_policy
from yibao.policy.reference_data import special_groups
from yibao.quoting.flexible import flexible_employment, parse_day  # re-exported
from yibao.rules.advice import PAY_NEXT_YEAR, WAIT_FOR_NEXT_PERIOD, evaluate_with_advice
from yibao.rules.answer import Quote
from yibao.rules.answer_json import quote_to_contract
from yibao.rules.calendar import date_to_days
from yibao.rules.explain import RowContext, explain_row
from yibao.rules.inputs import QuoteColumns, encode_year_lists
from yibao.rules.policy import Policy
from yibao.rules.registry import RULES
from yibao.rules.units import STATUS_KINDS
from yibao.rules.validation import ERRORS
from yibao.rules.wording import policy_figures

__all__ = [
    "Ceiling",
    "QuoteRequest",
    "StatusChange",
    "answer",
    "answer_many",
    "columns_for",
    "concentrated_period",
    "concentrated_window",
    "flexible_employment",
    "input_error_from",
    "parse_day",
    "payment_ceiling",
    "payment_ceiling_fen",
    "quote",
    "reference_share",
    "regions",
    "request_schema",
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


class StatusChange(BaseModel):
    """A status that began on ``date`` (contract §2.2): where the region exempts it from
    waiting (Yunfu), a payment within the window after it has no wait (C30)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["released_from_prison", "discharged_veteran", "severe_disability_certified"]
    date: IsoDate


class QuoteRequest(BaseModel):
    """The contract's quote input (docs: contract §2). Unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None
    coverage_year: Year
    payment_date: IsoDate
    id_number: Annotated[str, Field(max_length=32)] | None = None
    birth_date: IsoDate | None = None
    special_group: Annotated[str, Field(max_length=64)] | None = None
    covered_years: Annotated[list[Year], Field(max_length=201)] | None = None  # 1900-2100
    employee_insurance_end_date: IsoDate | None = None
    back_pay_years: Annotated[list[Year], Field(max_length=201)] | None = None
    hardship_deferral: Annotated[bool, Field(strict=True)] = False
    status_change: StatusChange | None = None


def request_schema() -> dict[str, Any]:
    """The JSON schema of :class:`QuoteRequest` with nested models written in place (no
    ``$defs``), for the OpenAPI description of ``POST /api/v1/quote``."""
    schema = QuoteRequest.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


_KIND_ZH = {"missing": "缺少必填字段", "extra_forbidden": "不认识的字段(请检查拼写)",
            "int_type": "应为整数", "bool_type": "应为 true 或 false", "list_type": "应为年份列表",
            "string_type": "应为文字", "string_pattern_mismatch": "格式不对(地区代码为6位数字)",
            "greater_than_equal": "数值太小", "less_than_equal": "数值太大"}
_DATE_FIELDS = {"payment_date", "birth_date", "employee_insurance_end_date", "status_change"}


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
        status_kind=np.array([STATUS_KINDS.index(r.status_change.kind) + 1 if r.status_change
                              else 0 for r in requests], dtype=np.int32),
        status_date=np.array([date_to_days(r.status_change.date) if r.status_change else 0
                              for r in requests], dtype=np.int32),
    )


def _context(req: QuoteRequest, region: str, birth: date | None, policy: Policy,
             step_year: int | None = None) -> RowContext:
    year = req.coverage_year
    step = step_year is not None and step_year != year and policy.first_year <= step_year \
        <= policy.last_year
    group = _groups().get(req.special_group or "")
    return RowContext(
        region_code=region, coverage_year=year, payment_date=req.payment_date,
        birth_date=birth, employee_end=req.employee_insurance_end_date,
        group_code=req.special_group,
        group_name=group[0] if group else req.special_group,
        group_name_en=group[1] if group else req.special_group,
        hardship=req.hardship_deferral, back_paid=tuple(sorted(req.back_pay_years or ())),
        status_kind=req.status_change.kind if req.status_change else None,
        status_date=req.status_change.date if req.status_change else None,
        **_of_context(policy, region, year, step_year if step and step_year else None),
    )


def _of_context(policy: Policy, region: str, year: int, step_year: int | None
                ) -> dict[str, Any]:
    """What a quote's context takes from (region, year) and the next step's year, derived
    once per policy."""
    key = (f"context:{region}:{step_year}", year)
    if key not in policy.memo:
        figures, sources, region_notes = _of_region_year(policy, region, year)
        incentive = policy.resolve("catastrophic_incentive", region, year)
        base_cap = policy.resolve("catastrophic_base_cap", region, year)
        policy.memo[key] = dict(
            region_name=policy.regions[region].name, figures=figures, sources=sources,
            policy_version=policy.version_of(region, year), region_notes=region_notes,
            incentive=incentive.value if incentive is not None and incentive.published
            else None,
            incentive_source=incentive.source if incentive is not None else "",
            base_cap_fen=int(base_cap.value) if base_cap is not None and base_cap.published
            else None,
            reference_share=reference_share(region, year, policy),
            step_figures=_of_region_year(policy, region, step_year)[0] if step_year
            else None,
            step_reference_share=reference_share(region, step_year, policy) if step_year
            else None)
    shared: dict[str, Any] = policy.memo[key]
    return shared


def reference_share(region: str, year: int, policy: Policy | None = None
                    ) -> tuple[int, int] | None:
    """(year, fen) of the latest individual share published for ``region`` up to ``year``,
    when ``year``'s own is not published (C27: shown for reference, never as the amount)."""
    policy = policy or load_policy()
    key = (f"reference_share:{region}", year)
    if key not in policy.memo:
        found = None
        own = policy.resolve("individual_share", region, year)
        if own is None or not own.published:
            for earlier in range(year - 1, policy.first_year - 1, -1):
                share = policy.resolve("individual_share", region, earlier)
                if share is not None and share.published:
                    found = (earlier, int(share.value))
                    break
        policy.memo[key] = found
    memo: tuple[int, int] | None = policy.memo[key]
    return memo


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


def answer_many(payloads: Sequence[QuoteRequest | Mapping[str, Any]], *,
                policy: Policy | None = None) -> list[Quote | InputError]:
    """Many quotes through one engine call: per payload its typed answer (with its next
    step, contract §2.1), or the ``InputError``.  ``policy``: another policy than the one in
    force (tests, what-if questions)."""
    policy = policy or load_policy()
    out: list[Quote | InputError | None] = []
    good: list[tuple[int, QuoteRequest, str, date | None]] = []
    for i, payload in enumerate(payloads):
        try:
            good.append((i, *_checked(payload, policy)))
            out.append(None)
        except InputError as exc:
            out.append(exc)
    if good:
        res, advice = evaluate_with_advice(policy, columns_for([g[1] for g in good], policy))
        for row, (i, req, region, birth) in enumerate(good):
            if res.error[row]:
                e = ERRORS[int(res.error[row])]
                out[i] = InputError(e.code, e.message, e.message_en, field=e.field)
            else:
                later = int(advice.code[row]) in (PAY_NEXT_YEAR, WAIT_FOR_NEXT_PERIOD)
                ctx = _context(req, region, birth, policy,
                               int(advice.step_year[row]) if later else None)
                out[i] = explain_row(res, row, ctx, advice)
    return [o for o in out if o is not None]


def answer(payload: QuoteRequest | Mapping[str, Any], *, policy: Policy | None = None) -> Quote:
    """The typed answer to one quote; raises ``InputError`` on bad input."""
    (result,) = answer_many([payload], policy=policy)
    if isinstance(result, InputError):
        raise result
    return result


def quote(payload: QuoteRequest | Mapping[str, Any], *, policy: Policy | None = None
          ) -> dict[str, Any]:
    """Answer one quote as the contract's result dict; raise ``InputError`` on bad input."""
    return dict(quote_to_contract(answer(payload, policy=policy)))


@dataclass(frozen=True)
class Ceiling:
    """The most one payment for a coverage year may be (C20): ``fen`` in all, ``per_year_fen``
    for the coverage year and each back-paid year; ``from_parameter`` when a figure was
    unpublished and the ``payment_ceiling`` parameter set it."""

    fen: int
    per_year_fen: int
    from_parameter: bool
    conventions: tuple[str, ...] = ("C20",)


def payment_ceiling(region: str, year: int, back_pay_years: int = 0) -> Ceiling:
    """The most a payment for ``year`` can be due in ``region``: share + fiscal subsidy per
    year paid (the coverage year and each back-paid one), or the ``payment_ceiling``
    parameter (C20) when either figure is unpublished."""
    policy = load_policy()
    share = policy.resolve("individual_share", region, year)
    subsidy = policy.resolve("fiscal_subsidy", region, year)
    if share is not None and share.published and subsidy is not None and subsidy.published:
        per_year, from_parameter = int(share.value) + int(subsidy.value), False
    else:
        ceiling = policy.resolve("payment_ceiling", region, year)
        per_year = int(ceiling.value) if ceiling is not None and ceiling.published else 0
        from_parameter = True
    return Ceiling(per_year * (1 + back_pay_years), per_year, from_parameter)


def payment_ceiling_fen(region: str, year: int, back_pay_years: int = 0) -> int:
    """:func:`payment_ceiling` in fen (what the ledger compares a payment with)."""
    return payment_ceiling(region, year, back_pay_years).fen


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
