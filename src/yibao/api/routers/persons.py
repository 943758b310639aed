"""``/api/v1/persons``: register, read, change, list; a person's payments and enrollments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from yibao.api.deps import AnyStaff, Clerk, Db, Page
from yibao.services import enrollments, persons
from yibao.services.inputs import MembershipIn, PersonIn, PersonPatch

router = APIRouter(prefix="/api/v1/persons", tags=["persons"])


@router.post("", status_code=201)
def register(db: Db, actor: Clerk, body: PersonIn) -> dict[str, Any]:
    """Register a resident; 409 if the ID number is already registered."""
    return persons.register_person(db, actor, body)


@router.get("")
def list_persons(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    name: Annotated[str | None, Query(max_length=64)] = None,
    household_id: int | None = None,
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


@router.get("/{id_number}")
def get(db: Db, actor: AnyStaff, id_number: str) -> dict[str, Any]:
    """One resident with special-group memberships."""
    return persons.get_person(db, actor, id_number)


@router.patch("/{id_number}")
def update(db: Db, actor: Clerk, id_number: str, body: PersonPatch) -> dict[str, Any]:
    """Change name, region, hukou region, residence permit, category or household."""
    return persons.update_person(db, actor, id_number, body)


@router.post("/{id_number}/special-groups", status_code=201)
def add_group(db: Db, actor: Clerk, id_number: str, body: MembershipIn) -> dict[str, Any]:
    """Record a special-group membership (group, valid from/to, source)."""
    return persons.add_membership(db, actor, id_number, body)


@router.get("/{id_number}/payments")
def payments(db: Db, actor: AnyStaff, id_number: str, response: Response) -> list[dict[str, Any]]:
    """The resident's payments, oldest first: a JSON list (contract §4); count in X-Total-Count."""
    items = enrollments.person_payments(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.get("/{id_number}/enrollments")
def person_enrollments(
    db: Db, actor: AnyStaff, id_number: str, response: Response
) -> list[dict[str, Any]]:
    """The resident's enrollments by coverage year: a JSON list (contract §4)."""
    items = enrollments.person_enrollments(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items
