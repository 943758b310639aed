"""Staff accounts: argon2 password hashes, enabling and disabling, revoking their tokens.

Tokens themselves are in :mod:`yibao.services.staff.sessions`, login throttling in
:mod:`yibao.services.staff.throttle`.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yibao.errors import InputError
from yibao.services.common import ROLES, Actor, audit
from yibao.services.errors import Conflict, NotFound
from yibao.services.staff.sessions import StaffState, staff_state
from yibao.store.db import Database
from yibao.store.models import StaffUser

__all__ = ["SYSTEM", "authenticate", "create_user", "revoke_tokens", "set_active", "user_exists"]

SYSTEM = Actor("system", "admin")
_HASHER = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
# A hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _HASHER.hash("yibao-no-such-user")


def create_user(
    db: Database, username: str, role: str, password: str, *, actor: Actor = SYSTEM
) -> None:
    """Create a staff account; ``user_exists`` (409) if the name is taken."""
    if not _USERNAME.match(username):
        raise InputError(
            "invalid_username",
            "用户名须为 2-64 位字母、数字或 _ . -",
            "username must be 2-64 letters, digits or _ . -",
            field="username",
        )
    if role not in ROLES:
        raise InputError(
            "invalid_role",
            "角色须为 clerk、auditor 或 admin",
            "role must be clerk, auditor or admin",
            field="role",
        )
    if len(password) < 8:
        raise InputError(
            "weak_password",
            "密码至少 8 个字符",
            "password must have at least 8 characters",
            field="password",
        )
    hashed = _HASHER.hash(password)
    try:
        with db.write() as s:
            if s.scalar(select(StaffUser.id).where(StaffUser.username == username)):
                raise _taken(username)
            user = StaffUser(username=username, role=role, password_hash=hashed, active=True)
            s.add(user)
            s.flush()
            audit(
                s,
                actor,
                "create",
                "staff_user",
                user.id,
                after={"username": username, "role": role},
            )
    except IntegrityError:
        raise _taken(username) from None


def _taken(username: str) -> Conflict:
    return Conflict(
        "user_exists",
        f"用户名“{username}”已存在",
        f"username {username!r} is taken",
        field="username",
    )


def user_exists(db: Database, username: str) -> bool:
    """Whether a staff account with this name exists."""
    with db.read() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None


def authenticate(db: Database, username: str, password: str) -> StaffState | None:
    """The account for a correct username and password (active only), else None.

    The password is checked even for unknown users, so timing does not tell them apart.
    """
    state = staff_state(db, username)
    with db.read() as s:
        stored = s.scalar(select(StaffUser.password_hash).where(StaffUser.username == username))
    try:
        _HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if state is None or stored is None or not state.active:
        return None
    return state


def _find(s: Session, username: str) -> StaffUser:
    user = s.scalar(select(StaffUser).where(StaffUser.username == username).with_for_update())
    if user is None:
        raise NotFound("user_not_found", f"没有用户“{username}”", f"no user {username!r}",
                       field="username")
    return user


def revoke_tokens(db: Database, username: str, *, actor: Actor, reason: str = "logout") -> None:
    """Make every token issued so far for ``username`` invalid (logout; audited)."""
    with db.write() as s:
        user = _find(s, username)
        user.token_version += 1
        audit(s, actor, reason, "staff_user", user.id, after={"username": username})


def set_active(db: Database, username: str, active: bool, *, actor: Actor = SYSTEM) -> bool:
    """Enable or disable an account; disabling also revokes its tokens. Returns whether
    anything changed (audited when it did)."""
    with db.write() as s:
        user = _find(s, username)
        if user.active == active:
            return False
        before = {"username": username, "active": user.active}
        user.active = active
        if not active:
            user.token_version += 1
        audit(s, actor, "enable" if active else "disable", "staff_user", user.id,
              before=before, after={"username": username, "active": active})
        return True
