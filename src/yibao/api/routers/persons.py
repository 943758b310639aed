"""``/api/v1/persons``: register, read, change, list; a person's payments and enrollments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from yibao.api.deps import AnyStaff, Clerk, Db, Page, QueryId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.inputs import HistoryIn, MembershipIn, PersonIn, PersonPatch, PersonQuoteIn
from yibao.services.registry import enrollments, persons
from yibao.services.registry import history_entries as histories
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.services.shapes import (
    Enrollment,
    History,
    HistoryAdded,
    Membership,
    Payment,
    PersonDetail,
    PersonPage,
    PersonQuoteAnswer,
    PersonRegistered,
)

router = APIRouter(prefix="/api/v1/persons", tags=["persons"],
                   route_class=StrictJSONRoute)
#: An ID number in a path (checked by the service: length, checksum, birth date).
IdPath = Annotated[str, Path(max_length=32)]


@router.post("", status_code=201, responses=errors(401, 403, 409, 413, 422))
def register(db: Db, actor: Clerk, body: PersonIn) -> PersonRegistered:
    """Register a resident; 409 if the ID number is already registered.

    ``covered_years``: years with cover before the registry (absent = history unknown).
    The registration is checked against 参保范围 (``employee_insurance``, ``hukou_region``,
    ``residence_permit``, ``student_at``, ``eligibility_category``): refused with 422 and the
    categories, or answered with ``eligibility`` (the category that admits the person, the
    basis, and what the clerk should check by hand).
    """
    return persons.register_person(db, actor, body)


@router.get("", responses=errors(401, 422))
def list_persons(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    name: Annotated[str | None, Query(max_length=64)] = None,
    household_id: QueryId = None,
) -> PersonPage:
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


@router.get("/{id_number}", responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, id_number: IdPath) -> PersonDetail:
    """One resident with special-group memberships."""
    return persons.get_person(db, actor, id_number)


@router.patch("/{id_number}", responses=errors(401, 403, 404, 413, 422))
def update(db: Db, actor: Clerk, id_number: IdPath, body: PersonPatch) -> PersonDetail:
    """Change name, region, hukou region, residence permit, category or household."""
    return persons.update_person(db, actor, id_number, body)


@router.post("/{id_number}/special-groups", status_code=201,
             responses=errors(401, 403, 404, 413, 422))
def add_group(db: Db, actor: Clerk, id_number: IdPath, body: MembershipIn) -> Membership:
    """Record a special-group membership (group, valid from/to, source)."""
    return persons.add_membership(db, actor, id_number, body)


@router.get("/{id_number}/payments", responses=errors(401, 404, 422))
def payments(db: Db, actor: AnyStaff, id_number: IdPath, response: Response) -> list[Payment]:
    """The resident's payments, oldest first: a JSON list (contract §4); count in X-Total-Count."""
    items = enrollments.person_payments(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.get("/{id_number}/enrollments", responses=errors(401, 404, 422))
def person_enrollments(
    db: Db, actor: AnyStaff, id_number: IdPath, response: Response
) -> list[Enrollment]:
    """The resident's enrollments by coverage year: a JSON list (contract §4)."""
    items = enrollments.person_enrollments(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.get("/{id_number}/history", responses=errors(401, 404, 422))
def history(db: Db, actor: AnyStaff, id_number: IdPath) -> History:
    """Coverage years as the registry knows them: before the registry and paid through it."""
    return histories.get_history(db, actor, id_number)


@router.post("/{id_number}/history", status_code=201,
             responses=errors(401, 403, 404, 409, 413, 422))
def add_history(db: Db, actor: Clerk, id_number: IdPath, body: HistoryIn) -> HistoryAdded:
    """Declare years covered before the registry (added, never removed), with their source.

    ``review`` lists enrollments computed while the history was unknown that it would change.
    """
    return histories.add_history(db, actor, id_number, body)


@router.get("/{id_number}/quote", response_model=PersonQuoteAnswer,
            response_model_exclude_unset=True, responses=errors(401, 404, 422))
def person_quote(db: Db, actor: AnyStaff, id_number: IdPath,
                 asked: Annotated[PersonQuoteIn, Query()]) -> PersonQuoteAnswer:
    """The contract's quote for a registered person, from the registry's facts and history.

    ``payment_date`` defaults to today (Beijing). The answer adds ``history`` (what the
    registry knows), ``special_group`` and the year's ``enrollment`` if there is one.
    """
    return quote_person(db, actor, id_number, QuoteFacts.of(asked)).answer()
