"""Shared pieces of the services: the acting user, money, dates, the audit trail."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from yibao.errors import InputError
from yibao.idcard import mask_id_number
from yibao.rules import money
from yibao.store.models import AuditEntry
from yibao.validation import FIRST_DAY, LAST_DAY

__all__ = [
    "ROLES",
    "Actor",
    "Role",
    "audit",
    "audit_id_reads",
    "fen_to_yuan",
    "id_reads_shown",
    "one_view",
    "parse_date",
    "parse_paid_at",
    "show_birth",
    "show_id",
    "start_view",
    "today_beijing",
    "yuan_to_fen",
]

Role = Literal["clerk", "auditor", "admin"]
ROLES: tuple[Role, ...] = ("clerk", "auditor", "admin")
BEIJING = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai: UTC+8 all year, no DST
#: ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with an optional ``Z`` or ``±HH:MM`` offset.
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def today_beijing() -> dt.date:
    """Today's date in Beijing (Asia/Shanghai)."""
    return dt.datetime.now(BEIJING).date()


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a staff user with a role and a region, or the system (CLI jobs, demo
    loader). ``region`` is the GB/T 2260 code the account is limited to (itself and every
    region under it, :mod:`yibao.services.scope`); None: province-wide, no limit."""

    username: str
    role: Role
    region: str | None = None

    @property
    def sees_full_ids(self) -> bool:
        """Clerks and admins see full ID numbers; auditors see them masked."""
        return self.role in ("clerk", "admin")


def show_id(actor: Actor, number: str | None) -> str | None:
    """The ID number as this actor may see it."""
    if number is None:
        return None
    return number if actor.sees_full_ids else mask_id_number(number)


def show_birth(actor: Actor, day: dt.date | None) -> dt.date | None:
    """A birth date as this actor may see it: none for an actor who sees ID numbers masked
    (the masked digits of an ID number are the birth date: the date would rebuild it; the
    shapes carry ``birth_year`` instead)."""
    return day if actor.sees_full_ids else None


def yuan_to_fen(text: object, *, field: str = "amount") -> int:
    """``"280.00"`` → 28000; anything but a non-negative decimal string of yuan is an error."""
    try:
        return money.parse_yuan(text)  # type: ignore[arg-type]
    except ValueError:
        raise InputError(
            "invalid_amount",
            "金额须为以元为单位的十进制字符串,最多两位小数,例如“280.00”",
            'amount must be a decimal string in yuan with at most 2 places, e.g. "280.00"',
            field=field,
        ) from None


def fen_to_yuan(fen: int | None) -> str | None:
    """28000 → ``"280.00"``; None stays None."""
    return None if fen is None else money.fen_to_yuan(fen)


def parse_date(text: object, *, field: str) -> dt.date:
    """An ISO ``YYYY-MM-DD`` date or an ``invalid_date`` error naming ``field``."""
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        return text
    try:
        if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            "invalid_date",
            f"“{field}”不是有效日期(YYYY-MM-DD)",
            f"{field} is not a valid date (YYYY-MM-DD)",
            field=field,
        ) from None


def parse_paid_at(text: object, *, field: str = "paid_at") -> dt.datetime:
    """ISO date or date-time → naive Beijing time (offsets are converted), 1900 to 2100."""
    if isinstance(text, str) and len(text) == 10:
        day = parse_date(text, field=field)
        value = dt.datetime(day.year, day.month, day.day)
    else:
        try:
            if not isinstance(text, str) or not _ISO_DATETIME.fullmatch(text):
                raise ValueError(text)
            value = dt.datetime.fromisoformat(text)
            if value.tzinfo is not None:
                value = value.astimezone(BEIJING).replace(tzinfo=None)
        except (ValueError, OverflowError):
            raise _bad_paid_at(field) from None
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise _bad_paid_at(field)
    return value


def _bad_paid_at(field: str) -> InputError:
    return InputError(
        "invalid_date",
        f"“{field}”不是有效的日期或日期时间(ISO 8601,1900 至 2100 年)",
        f"{field} is not a valid ISO date or date-time (1900-2100)",
        field=field,
    )


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one row to the audit log (in the caller's transaction)."""
    session.add(
        AuditEntry(
            actor=actor.username,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
        )
    )


def audit_id_reads(session: Session, actor: Actor, person_ids: list[int], via: str) -> None:
    """Record that ``actor`` was shown the full ID numbers of these persons (by row id).

    The audit log itself never holds a full ID number: it names persons by row id and
    keeps ID numbers in before/after snapshots masked.
    """
    shown = id_reads_shown(actor, person_ids)
    if not shown:
        return
    entity_id = shown[0] if len(shown) == 1 else None
    audit(
        session,
        actor,
        "read_id_number",
        "person",
        entity_id,
        after={"person_ids": shown, "via": via},
    )


#: The persons whose full ID numbers were already audited as shown in this view (one page
#: of the console, one API request): a view that calls several use cases showing the same
#: person's full ID number writes one ``read_id_number`` row, not one per use case.
_VIEW: ContextVar[set[tuple[str, int]] | None] = ContextVar("yibao_id_reads_view", default=None)


@contextlib.contextmanager
def one_view() -> Iterator[None]:
    """Within this block (one request), each person's full ID number shown to an actor is
    audited once. Use cases called in worker threads see the same set (the context is
    copied, the set shared)."""
    token = _VIEW.set(set())
    try:
        yield
    finally:
        _VIEW.reset(token)


def start_view() -> None:
    """Begin a view for the rest of the current task (a request's dependency)."""
    _VIEW.set(set())


def id_reads_shown(actor: Actor, person_ids: list[int]) -> list[int]:
    """Of ``person_ids``, those whose full ID number this view has not yet audited as shown
    to ``actor`` (sorted), now marked as audited; [] for a role that sees only masks."""
    if not actor.sees_full_ids:
        return []
    shown = sorted(set(person_ids))
    seen = _VIEW.get()
    if seen is None:
        return shown
    fresh = [i for i in shown if (actor.username, i) not in seen]
    seen.update((actor.username, i) for i in fresh)
    return fresh
