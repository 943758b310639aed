"""``/api/v1/pre-registrations``: newborn pre-registration, conversion, lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from yibao.api.deps import AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import PreRegistration, PreRegistrationPage, errors
from yibao.services.inputs import IdNumber, PreRegistrationIn
from yibao.services.registry import preregistrations

router = APIRouter(prefix="/api/v1/pre-registrations", tags=["pre-registrations"])


class ConvertIn(BaseModel):
    """The newborn's ID number once the hukou is registered."""

    model_config = ConfigDict(extra="forbid")
    id_number: IdNumber


@router.post("", status_code=201, response_model=PreRegistration,
             responses=errors(401, 403, 404, 413, 422))
def create(db: Db, actor: Clerk, body: PreRegistrationIn) -> dict[str, Any]:
    """Pre-register a newborn at the birth hospital (pay with pre_registration_id)."""
    return preregistrations.create_preregistration(db, actor, body)


@router.get("", response_model=PreRegistrationPage, responses=errors(401, 422))
def list_all(
    db: Db,
    actor: AnyStaff,
    page: Page,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """A page of pre-registrations."""
    return preregistrations.list_preregistrations(
        db, actor, page=page.page, per_page=page.per_page, status=status
    )


@router.get("/{reg_id:int}", response_model=PreRegistration, responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, reg_id: RowId) -> dict[str, Any]:
    """One pre-registration."""
    return preregistrations.get_preregistration(db, actor, reg_id)


@router.post("/{reg_id:int}/convert", response_model=PreRegistration,
             responses=errors(401, 403, 404, 409, 413, 422))
def convert(db: Db, actor: Clerk, reg_id: RowId, body: ConvertIn) -> dict[str, Any]:
    """Formal registration with the newborn's ID number."""
    return preregistrations.convert(db, actor, reg_id, body.id_number)
