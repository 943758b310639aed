"""Staff accounts: argon2 password hashes, regions, enabling and disabling, changing
and resetting passwords, revoking their tokens.

Tokens themselves are in :mod:`yibao.services.staff.sessions`, login throttling in
:mod:`yibao.services.staff.throttle`, what an account's region lets it see in
:mod:`yibao.services.scope`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yibao.errors import InputError, UnknownRegion
from yibao.policy import reference_data as reference
from yibao.services.common import ROLES, Actor, audit
from yibao.services.errors import Conflict, NotFound
from yibao.services.staff.sessions import StaffState, staff_state
from yibao.settings import get_settings
from yibao.store.db import Database
from yibao.store.models import StaffUser

__all__ = ["SYSTEM", "authenticate", "check_password", "create_user", "password_hasher",
           "revoke_tokens", "set_active", "set_password", "user_exists", "user_region"]

SYSTEM = Actor("system", "admin")
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")


@lru_cache(maxsize=2)
def _hashers(cost: str) -> tuple[PasswordHasher, str]:
    """The hasher of a cost setting (``password_hash_cost``) and a hash of its own to
    verify against when the user does not exist, so timing does not tell."""
    hasher = (PasswordHasher() if cost == "default"
              else PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return hasher, hasher.hash("yibao-no-such-user")


def password_hasher() -> PasswordHasher:
    """The argon2 hasher new passwords are hashed with (production: argon2-cffi's default
    cost; the test suite sets ``YIBAO_PASSWORD_HASH_COST=test``)."""
    return _hashers(get_settings().password_hash_cost)[0]


def check_password(password: str, username: str = "") -> None:
    """A new password: 8 to 256 characters, not the user name, and not among the easy
    guesses (zxcvbn score 2 or more: a dictionary word, a keyboard row, a year, a
    repeated or counting pattern each score less)."""
    from zxcvbn import zxcvbn

    if len(password) < 8 or len(password) > 256:
        raise InputError("weak_password", "密码须为 8 至 256 个字符",
                         "the password must have 8 to 256 characters", field="password")
    guess = zxcvbn(password[:100], user_inputs=[username, "yibao", "医保"])
    if password.lower() == username.lower() or int(guess["score"]) < 2:
        raise InputError(
            "weak_password",
            "密码太容易被猜到(常用词、键盘顺序、年份、重复或连续的字符);请用更长、无规律的密码",
            "the password is too easy to guess (a common word, a keyboard row, a year, "
            "repeated or counting characters); use a longer one without a pattern",
            field="password",
        )


def _check_region(region: str | None) -> str | None:
    if region is None:
        return None
    try:
        reference.region_chain(region)
    except UnknownRegion as exc:
        raise UnknownRegion(exc.code, exc.message, exc.message_en, field="region") from None
    return region


def create_user(
    db: Database, username: str, role: str, password: str, *, actor: Actor = SYSTEM,
    region: str | None = None,
) -> None:
    """Create a staff account; ``user_exists`` (409) if the name is taken. ``region``
    limits what it sees and acts on (None: province-wide)."""
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
    check_password(password, username)
    _check_region(region)
    hashed = password_hasher().hash(password)
    try:
        with db.write() as s:
            if s.scalar(select(StaffUser.id).where(StaffUser.username == username)):
                raise _taken(username)
            user = StaffUser(username=username, role=role, password_hash=hashed, active=True,
                             region=region)
            s.add(user)
            s.flush()
            audit(
                s,
                actor,
                "create",
                "staff_user",
                user.id,
                after={"username": username, "role": role, "region": region},
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


def user_region(db: Database, username: str) -> str | None:
    """The region an account is limited to (None: province-wide); NotFound without one."""
    with db.read() as s:
        row = s.execute(select(StaffUser.region).where(StaffUser.username == username)).first()
    if row is None:
        raise NotFound("user_not_found", f"没有用户“{username}”", f"no user {username!r}",
                       field="username")
    region: str | None = row.region
    return region


def set_password(db: Database, username: str, password: str, *, actor: Actor,
                 reason: str) -> None:
    """Give the account a new password and revoke every token issued before (``reason``:
    ``change_password`` by the user, ``reset_password`` by an admin; audited, without the
    password or its hash)."""
    check_password(password, username)
    hashed = password_hasher().hash(password)
    with db.write() as s:
        user = _find(s, username)
        user.password_hash = hashed
        user.token_version += 1
        audit(s, actor, reason, "staff_user", user.id, after={"username": username})


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
    hasher, dummy = _hashers(get_settings().password_hash_cost)
    try:
        hasher.verify(stored or dummy, password)
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
