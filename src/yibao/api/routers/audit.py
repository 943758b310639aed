"""``GET /api/v1/audit``: the append-only audit log (auditors and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AuditStaff, Db, Page
from yibao.api.schemas import AuditPage, errors
from yibao.errors import InputError
from yibao.services.audit_log import list_audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPage, responses=errors(401, 403, 422))
def audit(
    db: Db,
    actor: AuditStaff,
    page: Page,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=48)] = None,
    since: Annotated[dt.datetime | None, Query(description="entries at or after this ISO "
                                                           "date-time (UTC if no offset)")] = None,
) -> dict[str, Any]:
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


def _utc(value: dt.datetime) -> dt.datetime:
    """Naive UTC (as the log stores it); a date-time outside 1900-2100 is ``invalid_date``."""
    try:
        naive = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    except OverflowError:
        naive = dt.datetime.max
    if not 1900 <= naive.year <= 2100:
        raise InputError("invalid_date", "“since”不是有效的日期时间(1900 至 2100 年)",
                         "since: not a valid date-time (1900-2100)", field="since")
    return naive
