"""``/api/v1/persons``: register, read, change, list; a person's payments and enrollments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from yibao.api.deps import AnyStaff, Clerk, Db, Page, QueryId
from yibao.api.schemas import (
    Enrollment,
    History,
    HistoryAdded,
    Membership,
    Payment,
    Person,
    PersonPage,
    PersonQuote,
    errors,
)
from yibao.rules.answer import quote_to_contract
from yibao.services.common import today_beijing
from yibao.services.inputs import HistoryIn, MembershipIn, PersonIn, PersonPatch
from yibao.services.registry import enrollments, persons
from yibao.services.registry import history_entries as histories
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.validation import IsoDate

router = APIRouter(prefix="/api/v1/persons", tags=["persons"])
#: An ID number in a path (checked by the service: length, checksum, birth date).
IdPath = Annotated[str, Path(max_length=32)]


@router.post("", status_code=201, response_model=Person, response_model_exclude_unset=True,
             responses=errors(401, 403, 409, 413, 422))
def register(db: Db, actor: Clerk, body: PersonIn) -> dict[str, Any]:
    """Register a resident; 409 if the ID number is already registered.

    ``covered_years``: years with cover before the registry (absent = history unknown).
    """
    return persons.register_person(db, actor, body)


@router.get("", response_model=PersonPage, response_model_exclude_unset=True,
            responses=errors(401, 422))
def list_persons(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    name: Annotated[str | None, Query(max_length=64)] = None,
    household_id: QueryId = None,
) -> dict[str, Any]:
    """A page of residents (newest first)."""
    return persons.list_persons(
        db,
        actor,
        page=page.page,
        per_page=page.per_page,
        region=region,
        name=name,
        household_id=household_id,
    )


@router.get("/{id_number}", response_model=Person, response_model_exclude_unset=True,
            responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, id_number: IdPath) -> dict[str, Any]:
    """One resident with special-group memberships."""
    return persons.get_person(db, actor, id_number)


@router.patch("/{id_number}", response_model=Person, response_model_exclude_unset=True,
              responses=errors(401, 403, 404, 413, 422))
def update(db: Db, actor: Clerk, id_number: IdPath, body: PersonPatch) -> dict[str, Any]:
    """Change name, region, hukou region, residence permit, category or household."""
    return persons.update_person(db, actor, id_number, body)


@router.post("/{id_number}/special-groups", status_code=201, response_model=Membership,
             responses=errors(401, 403, 404, 413, 422))
def add_group(db: Db, actor: Clerk, id_number: IdPath, body: MembershipIn) -> dict[str, Any]:
    """Record a special-group membership (group, valid from/to, source)."""
    return persons.add_membership(db, actor, id_number, body)


@router.get("/{id_number}/payments", response_model=list[Payment],
            responses=errors(401, 404, 422))
def payments(db: Db, actor: AnyStaff, id_number: IdPath,
             response: Response) -> list[dict[str, Any]]:
    """The resident's payments, oldest first: a JSON list (contract §4); count in X-Total-Count."""
    items = enrollments.person_payments(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.get("/{id_number}/enrollments", response_model=list[Enrollment],
            responses=errors(401, 404, 422))
def person_enrollments(
    db: Db, actor: AnyStaff, id_number: IdPath, response: Response
) -> list[dict[str, Any]]:
    """The resident's enrollments by coverage year: a JSON list (contract §4)."""
    items = enrollments.person_enrollments(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.get("/{id_number}/history", response_model=History, responses=errors(401, 404, 422))
def history(db: Db, actor: AnyStaff, id_number: IdPath) -> dict[str, Any]:
    """Coverage years as the registry knows them: before the registry and paid through it."""
    return histories.get_history(db, actor, id_number)


@router.post("/{id_number}/history", status_code=201, response_model=HistoryAdded,
             responses=errors(401, 403, 404, 409, 413, 422))
def add_history(db: Db, actor: Clerk, id_number: IdPath, body: HistoryIn) -> dict[str, Any]:
    """Declare years covered before the registry (added, never removed), with their source.

    ``review`` lists enrollments computed while the history was unknown that it would change.
    """
    return histories.add_history(db, actor, id_number, body)


@router.get("/{id_number}/quote", response_model=PersonQuote, response_model_exclude_unset=True,
            responses=errors(401, 404, 422))
def person_quote(
    db: Db,
    actor: AnyStaff,
    id_number: IdPath,
    coverage_year: Annotated[int, Query(ge=1900, le=2200)],
    payment_date: Annotated[IsoDate | None, Query()] = None,
    back_pay_years: Annotated[list[Annotated[int, Field(ge=1900, le=2200)]] | None,
                              Query(max_length=64)] = None,
    employee_insurance_end_date: Annotated[IsoDate | None, Query()] = None,
    hardship_deferral: bool = False,
) -> dict[str, Any]:
    """The contract's quote for a registered person, from the registry's facts and history.

    ``payment_date`` defaults to today (Beijing). The answer adds ``history`` (what the
    registry knows), ``special_group`` and the year's ``enrollment`` if there is one.
    """
    facts = QuoteFacts(
        coverage_year=coverage_year,
        payment_date=payment_date or today_beijing(),
        back_pay_years=tuple(back_pay_years) if back_pay_years else None,
        employee_insurance_end_date=employee_insurance_end_date,
        hardship_deferral=hardship_deferral,
    )
    result = quote_person(db, actor, id_number, facts)
    return {
        **quote_to_contract(result.quote),
        "history": histories.history_view(result.history),
        "history_unknown": result.history_unknown,
        "special_group": result.special_group,
        "person": result.person,
        "enrollment": result.enrollment,
    }
