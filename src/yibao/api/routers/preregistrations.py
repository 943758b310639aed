"""``/api/v1/pre-registrations``: newborn pre-registration, conversion, lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.inputs import ConvertIn, PreRegistrationIn
from yibao.services.registry import preregistrations
from yibao.services.shapes import ConversionDuePage, PreRegistration, PreRegistrationPage

router = APIRouter(prefix="/api/v1/pre-registrations", tags=["pre-registrations"],
                   route_class=StrictJSONRoute)


@router.post("", status_code=201, responses=errors(401, 403, 404, 413, 422))
def create(db: Db, actor: Clerk, body: PreRegistrationIn) -> PreRegistration:
    """Pre-register a newborn at the birth hospital (pay with pre_registration_id)."""
    return preregistrations.create_preregistration(db, actor, body)


@router.get("", responses=errors(401, 422))
def list_all(
    db: Db,
    actor: AnyStaff,
    page: Page,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> PreRegistrationPage:
    """A page of pre-registrations."""
    return preregistrations.list_preregistrations(
        db, actor, page=page.page, per_page=page.per_page, status=status
    )


@router.get("/conversion-due", responses=errors(401, 422))
def conversion_due(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> ConversionDuePage:
    """Paid-for newborns whose hukou conversion is due (seed 000 四.1: a hukou within 3 months
    of birth, then the formal registration), the earliest deadline first; ``deadline`` is
    the last day of the newborn window (docs/rules.md C3, C40), ``overdue`` once it has
    passed. ``region`` keeps those of a region and the regions under it."""
    return preregistrations.conversions_due(
        db, actor, page=page.page, per_page=page.per_page, region=region)


@router.get("/{reg_id:int}", responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, reg_id: RowId) -> PreRegistration:
    """One pre-registration."""
    return preregistrations.get_preregistration(db, actor, reg_id)


@router.post("/{reg_id:int}/convert", responses=errors(401, 403, 404, 409, 413, 422))
def convert(db: Db, actor: Clerk, reg_id: RowId, body: ConvertIn) -> PreRegistration:
    """Formal registration with the newborn's ID number."""
    return preregistrations.convert(db, actor, reg_id, body.id_number)
