"""``GET /api/v1/audit``: the append-only audit log (auditors and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AuditStaff, Db, Page
from yibao.api.schemas import errors
from yibao.errors import InputError
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.common import parse_paid_at
from yibao.services.shapes import AuditPage
from yibao.services.staff.audit_log import list_audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"],
                   route_class=StrictJSONRoute)


@router.get("", responses=errors(401, 403, 422))
def audit(
    db: Db,
    actor: AuditStaff,
    page: Page,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=48)] = None,
    since: Annotated[str | None, Query(
        max_length=40, description="entries at or after this ISO date or date-time "
                                   "(UTC when it has no offset)")] = None,
) -> AuditPage:
    """A page of audit entries, newest first."""
    return list_audit(
        db,
        actor,
        page=page.page,
        per_page=page.per_page,
        entity=entity,
        entity_id=entity_id,
        who=who,
        action=action,
        since=None if since is None else _utc(since),
    )


def _utc(text: str) -> dt.datetime:
    """Naive UTC (as the log stores it); anything but an ISO date or date-time between 1900
    and 2100 is ``invalid_date``."""
    try:
        value = parse_paid_at(text, field="since")  # ISO only; offsets → Beijing time
    except InputError:
        raise InputError("invalid_date", "“since”不是有效的日期或日期时间(ISO 8601)",
                         "since: not an ISO date or date-time", field="since") from None
    has_offset = len(text) > 10 and (text.endswith("Z") or text[-6] in "+-")
    return value - dt.timedelta(hours=8) if has_offset else value
