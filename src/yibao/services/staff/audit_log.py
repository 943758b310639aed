"""Reading the audit log (auditors and admins)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from yibao.services.common import Actor
from yibao.services.shapes import AuditPage
from yibao.services.views import audit_view
from yibao.store.db import Database
from yibao.store.models import AuditEntry

__all__ = ["list_audit"]


def list_audit(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    entity: str | None = None,
    entity_id: str | None = None,
    who: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
) -> AuditPage:
    """A page of audit entries, newest first (the log holds no full ID numbers)."""
    stmt = select(AuditEntry)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if who:
        stmt = stmt.where(AuditEntry.actor == who)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(
            stmt.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        items = [audit_view(e) for e in rows]
    return AuditPage(items=items, total=total, page=page, per_page=per_page)
