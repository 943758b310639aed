"""The resident's form: plain questions in, a contract quote payload out.

    form = ResidentForm.from_mapping(request_form, today=date.today())
    payload, errors = form.to_payload()   # errors: {field: (zh, en)}

History is asked as questions ("were you insured last year? which year did you
last pay for?") and turned into ``covered_years`` as rules.md C5 reads it: the
lapse is the run of years between the last covered year and the coverage year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

__all__ = [
    "INSURED_LAST_YEAR",
    "YEARS",
    "YEAR_WORDS",
    "FieldErrors",
    "ResidentForm",
    "clean_id_number",
    "coverage_year_of",
    "date_problem",
    "default_coverage_year",
    "parse_day",
]

#: field name -> (Chinese message, English message)
FieldErrors = dict[str, tuple[str, str]]


def default_coverage_year(today: date) -> int:
    """The year a form offers first: the next year once its concentrated period has opened
    (from the policy data, :func:`yibao.quoting.season.default_coverage_year`)."""
    from yibao.quoting.season import default_coverage_year as from_policy

    return from_policy(today)


#: Dates a form accepts (as the API: ISO, 1900 to 2100); anything else is named by its field.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def coverage_year_of(raw: object) -> int | None:
    """A coverage year typed in a form or an address: 4 ASCII digits from 1900 to 2100,
    else None. Checked before anything uses it (a year drives loops and look-ups)."""
    text = str(raw or "").strip()
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        return None
    year = int(text)
    return year if FIRST_DAY.year <= year <= LAST_DAY.year else None


def _date(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


#: beside a coverage-year field that holds no year (console pages)
YEAR_WORDS = ("参保年度应为 1900 至 2100 之间的四位年份，例如 2025",
              "The coverage year must be a year from 1900 to 2100, e.g. 2025")


def parse_day(raw: str) -> date | None:
    """A day typed as ``YYYY-MM-DD`` (1900 .. 2100), else None."""
    return _date(raw)


def _iso(raw: str) -> str:
    day = _date(raw)
    return day.isoformat() if day else raw.strip()


_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def date_problem(raw: str, label: tuple[str, str]) -> tuple[str, str] | None:
    """Why ``raw`` is not a date, in words naming the field (None when it is one)."""
    text = raw.strip()
    if not text:
        return f"请填写{label[0]}", f"Enter the {label[1]}"
    if _date(text) is not None:
        return None
    found = _YMD.match(text)
    if found and not FIRST_DAY.year <= int(found.group(1)) <= LAST_DAY.year:
        return (f"{label[0]}的年份须在 1900 至 2100 之间", f"The {label[1]}'s year must be from "
                "1900 to 2100")
    if found:
        year, month, day = (int(g) for g in found.groups())
        if not 1 <= month <= 12:
            return (f"{label[0]}有误：没有{month}月", f"The {label[1]} is wrong: there is no "
                    f"month {month}")
        return (f"{label[0]}有误：{year}年{month}月没有{day}日",
                f"The {label[1]} is wrong: {year}-{month:02d} has no day {day}")
    return (f"{label[0]}格式应为 年-月-日，例如 2026-03-15",
            f"The {label[1]} must look like 2026-03-15")


def clean_id_number(raw: str) -> str:
    """An ID number as typed, without spaces, dashes or full-width forms, upper case."""
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"[\s\-_.·]", "", text).upper()


#: coverage years a form accepts before asking the rules (the rules say which have data)
YEARS = range(2000, 2101)

#: the options of "去年有没有参加医保？" as the form shows them; an error that names an
#: option quotes these words (never a word the form does not show, such as “是”)
INSURED_LAST_YEAR: dict[str, tuple[str, str]] = {
    "yes": ("有", "Yes"),
    "no": ("没有，断保了", "No, I lapsed"),
    "never": ("从来没参过保", "Never insured"),
}


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if len(raw) <= 12 and raw.isascii() and raw.isdigit() else None


@dataclass
class ResidentForm:
    """What the resident typed, as strings, so that the form can be shown again."""

    id_number: str = ""
    region: str = ""
    birth_date: str = ""
    coverage_year: str = ""
    payment_date: str = ""
    insured_last_year: str = "yes"  # yes | no | never
    last_paid_year: str = ""
    special_group: str = ""
    employee_end_date: str = ""
    back_pay_years: list[str] = field(default_factory=list)
    hardship: bool = False

    @classmethod
    def blank(cls, today: date) -> ResidentForm:
        return cls(coverage_year=str(default_coverage_year(today)), payment_date=today.isoformat())

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, today: date) -> ResidentForm:
        """Read a submitted form or query string (``getlist`` used when present)."""

        def one(key: str) -> str:
            value = data.get(key)
            return str(value).strip() if value is not None else ""

        getlist = getattr(data, "getlist", None)
        years = [str(y) for y in getlist("back_pay_years")] if getlist else []
        form = cls(
            id_number=clean_id_number(one("id_number")),
            region=one("region"),
            birth_date=one("birth_date"),
            coverage_year=one("coverage_year") or str(default_coverage_year(today)),
            payment_date=one("payment_date") or today.isoformat(),
            insured_last_year=one("insured_last_year") or "yes",
            last_paid_year=one("last_paid_year"),
            special_group=one("special_group"),
            employee_end_date=one("employee_end_date"),
            back_pay_years=[y for y in years if y.strip()],
            hardship=one("hardship") in ("1", "on", "true"),
        )
        return form

    def with_payment_date(self, day: date) -> ResidentForm:
        return replace(self, payment_date=day.isoformat())

    @property
    def covered_years(self) -> list[int] | None:
        """The contract's ``covered_years`` from the history questions (None = continuous)."""
        if self.insured_last_year == "never":
            return []
        last = _int(self.last_paid_year)
        if self.insured_last_year == "no" and last is not None:
            return [last]
        return None

    def to_payload(self) -> tuple[dict[str, Any], FieldErrors]:
        """The quote payload, or the errors found before asking the rules."""
        errors: FieldErrors = {}
        payload: dict[str, Any] = {}
        year = _int(self.coverage_year)
        if year is None:
            errors["coverage_year"] = (
                "请填写参保年度，例如 2026",
                "Enter the coverage year, e.g. 2026",
            )
        elif year not in YEARS:
            errors["coverage_year"] = (
                f"参保年度 {year} 不在可计算的范围内，请填写如 2026 这样的年份",
                f"The coverage year {year} cannot be computed; enter a year such as 2026",
            )
            year = None
        else:
            payload["coverage_year"] = year
        problem = date_problem(self.payment_date, ("缴费日期", "payment date"))
        if problem:
            errors["payment_date"] = problem
        else:
            payload["payment_date"] = _iso(self.payment_date)
        if self.id_number:
            payload["id_number"] = self.id_number
        elif self.birth_date:
            problem = date_problem(self.birth_date, ("出生日期", "birth date"))
            if problem:
                errors["birth_date"] = problem
            else:
                payload["birth_date"] = _iso(self.birth_date)
        region = self.region or (self.id_number[:6] if len(self.id_number) >= 6 else "")
        if not region:
            errors["region"] = (
                "请选择参保地区，或填写身份证号码",
                "Choose a region or enter an ID number",
            )
        else:
            payload["region"] = region
        if self.insured_last_year == "no":
            last = _int(self.last_paid_year)
            if last is None:
                errors["last_paid_year"] = (
                    "请填写最后一次参保的年度",
                    "Enter the last year you were insured",
                )
            elif year is not None and last >= year - 1:
                yes = INSURED_LAST_YEAR["yes"]  # the option's own words, as the form shows them
                errors["last_paid_year"] = (
                    f"最后参保年度应早于去年；如去年已参保，请选“{yes[0]}”",
                    "The last insured year must be before last year; if you were "
                    f"insured last year, choose “{yes[1]}”",
                )
        covered = self.covered_years
        if covered is not None:
            payload["covered_years"] = covered
        if self.special_group:
            payload["special_group"] = self.special_group
        if self.employee_end_date:
            label = ("职工医保停保日期", "employee insurance end date")
            problem = date_problem(self.employee_end_date, label)
            if problem:
                errors["employee_end_date"] = problem
            else:
                payload["employee_insurance_end_date"] = _iso(self.employee_end_date)
        back = [_int(y) for y in self.back_pay_years]
        if any(y is None for y in back):
            errors["back_pay_years"] = ("补缴年度应为年份", "Back-pay years must be years")
        elif back:
            payload["back_pay_years"] = sorted({y for y in back if y is not None})
        if self.hardship:
            payload["hardship_deferral"] = True
        return payload, errors
