"""Staff accounts, their login throttle, and the shared rate limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yibao.store.models.base import Base, utcnow

__all__ = ["LoginThrottle", "RateLimit", "StaffUser"]


class StaffUser(Base):
    """A staff account: clerk, auditor or admin."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Raised on logout and disable: every token issued before carries an older version.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: GB/T 2260 code the account is limited to (with the regions under it); null:
    #: province-wide (yibao.services.scope).
    region: Mapped[str | None] = mapped_column(String(6))


class LoginThrottle(Base):
    """Recent wrong passwords per account (``user:NAME``) or client address (``addr:IP``)."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RateLimit(Base):
    """A fixed-window counter shared by every server process and host (the public
    look-up's limits): ``key`` names what is counted (a keyed hash, never an ID number)."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: When the window ends; rows whose window ended are deleted now and then.
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
