"""``GET /api/v1/audit``: the append-only audit log (auditors and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AuditStaff, Db, Page
from yibao.services.audit_log import list_audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("")
def audit(
    db: Db,
    actor: AuditStaff,
    page: Page,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=48)] = None,
    since: dt.datetime | None = None,
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
        since=since,
    )
