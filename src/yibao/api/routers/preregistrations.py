"""``/api/v1/pre-registrations``: newborn pre-registration, conversion, lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from yibao.api.deps import AnyStaff, Clerk, Db, Page
from yibao.services import preregistrations
from yibao.services.inputs import PreRegistrationIn

router = APIRouter(prefix="/api/v1/pre-registrations", tags=["pre-registrations"])


class ConvertIn(BaseModel):
    """The newborn's ID number once the hukou is registered."""

    model_config = ConfigDict(extra="forbid")
    id_number: str


@router.post("", status_code=201)
def create(db: Db, actor: Clerk, body: PreRegistrationIn) -> dict[str, Any]:
    """Pre-register a newborn at the birth hospital (pay with pre_registration_id)."""
    return preregistrations.create_preregistration(db, actor, body)


@router.get("")
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


@router.get("/{reg_id}")
def get(db: Db, actor: AnyStaff, reg_id: int) -> dict[str, Any]:
    """One pre-registration."""
    return preregistrations.get_preregistration(db, actor, reg_id)


@router.post("/{reg_id}/convert")
def convert(db: Db, actor: Clerk, reg_id: int, body: ConvertIn) -> dict[str, Any]:
    """Formal registration with the newborn's ID number."""
    return preregistrations.convert(db, actor, reg_id, body.id_number)
