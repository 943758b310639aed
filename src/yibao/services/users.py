"""Staff accounts (argon2 hashes) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from yibao.errors import InputError
from yibao.services.common import ROLES, Actor, Role, audit
from yibao.services.errors import Conflict
from yibao.store.db import Database
from yibao.store.models import StaffUser

__all__ = ["SYSTEM", "authenticate", "create_user", "decode_token", "issue_token", "user_exists"]

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


def authenticate(db: Database, username: str, password: str) -> Actor | None:
    """The actor for a correct username and password, else None."""
    with db.read() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.username == username))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return Actor(user.username, cast(Role, user.role))


def issue_token(actor: Actor, *, key: str, minutes: int) -> str:
    """A signed bearer token naming the user and role."""
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": actor.username,
        "role": actor.role,
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def decode_token(token: str, *, key: str) -> Actor | None:
    """The actor a valid token names, else None."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    role = claims.get("role")
    if role not in ROLES or not isinstance(claims.get("sub"), str):
        return None
    return Actor(claims["sub"], cast(Role, role))
