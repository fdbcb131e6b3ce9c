"""The accounts service: make users, check passwords, open and close sessions, issue API tokens.

Every function takes keyword arguments only and returns plain typed values; ``now`` is passed
in. Passwords are hashed with argon2 (argon2-cffi); session and API tokens are random
(``secrets``) and stored as SHA-256 digests, so a copy of the database opens no account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from duban.access import ROLES
from duban.accounts.models import ApiTokenRow, SessionRow, UserRow
from duban.units.service import get_unit, require_unit

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 8
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; ``str()`` is one Chinese sentence."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Account:
    """Who is asking: a signed-in user (detached from any database session)."""

    id: int
    name: str
    role: str
    unit_id: int | None
    unit_name: str | None


def digest(token: str) -> str:
    """The stored form of a token.

    >>> len(digest("abc"))
    64
    """
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``."""
    return _hasher.hash(password)


def _account(session: Session, user: UserRow) -> Account:
    unit_name = None
    if user.unit_id is not None:
        unit = get_unit(session=session, unit_id=user.unit_id)
        unit_name = unit.name if unit is not None else None
    return Account(id=user.id, name=user.name, role=user.role, unit_id=user.unit_id, unit_name=unit_name)


def create_user(
    *, session: Session, name: str, role: str, password: str, now: datetime, unit: str | None = None
) -> Account:
    """Add a user; a ``unit`` user needs a unit the ledger knows, the others none."""
    name = name.strip()
    if not name:
        raise AccountError("用户名不能为空", "name")
    if role not in ROLES:
        raise AccountError(f"角色 {role!r} 无效，应为 {'/'.join(ROLES)} 之一", "role")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位", "password")
    unit_id: int | None = None
    if role == "unit":
        if not unit:
            raise AccountError("责任单位用户须指定所属单位 (--unit)", "unit")
        unit_id = require_unit(session=session, name=unit).id
    elif unit:
        raise AccountError(f"角色 {role} 不属于某个单位，请去掉 --unit", "unit")
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise AccountError(f"用户 {name} 已存在", "name")
    user = UserRow(
        name=name,
        role=role,
        unit_id=unit_id,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return _account(session, user)


def set_password(*, session: Session, name: str, password: str) -> None:
    """Replace a user's password."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位", "password")
    user = session.scalar(select(UserRow).where(UserRow.name == name))
    if user is None:
        raise AccountError(f"用户 {name} 不存在", "name")
    user.password_hash = hash_password(password)


def authenticate(*, session: Session, name: str, password: str) -> Account | None:
    """The account when name and password match an active user, else None."""
    user = session.scalar(select(UserRow).where(UserRow.name == name.strip()))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return _account(session, user)


def list_users(*, session: Session) -> list[Account]:
    """Every user, by name."""
    return [_account(session, u) for u in session.scalars(select(UserRow).order_by(UserRow.name))]


# ---- browser sessions -----------------------------------------------------------------------
def start_session(*, session: Session, account: Account, now: datetime) -> tuple[str, str]:
    """Open a session: (cookie token, CSRF token). Expired sessions of the user are removed."""
    session.execute(delete(SessionRow).where(SessionRow.user_id == account.id, SessionRow.expires_at < now))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        SessionRow(
            token_hash=digest(token),
            user_id=account.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token, csrf


def session_account(*, session: Session, token: str, now: datetime) -> tuple[Account, str] | None:
    """(account, CSRF token) of a live session, or None when unknown or expired."""
    row = session.scalar(select(SessionRow).where(SessionRow.token_hash == digest(token)))
    if row is None or row.expires_at <= now or not row.user.active:
        return None
    return _account(session, row.user), row.csrf_token


def end_session(*, session: Session, token: str) -> bool:
    """Close a session (logout); True when there was one."""
    result = session.execute(delete(SessionRow).where(SessionRow.token_hash == digest(token)))
    return bool(getattr(result, "rowcount", 0))


# ---- API tokens -----------------------------------------------------------------------------
def create_api_token(*, session: Session, account: Account, now: datetime, label: str = "") -> str:
    """A new bearer token for the account (returned once; only its digest is kept)."""
    token = "dbn_" + secrets.token_urlsafe(32)
    session.add(ApiTokenRow(token_hash=digest(token), user_id=account.id, label=label[:100], created_at=now))
    session.flush()
    return token


def token_account(*, session: Session, token: str) -> Account | None:
    """The account of a live bearer token, or None."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return _account(session, row.user)


def revoke_api_token(*, session: Session, token: str, now: datetime) -> bool:
    """Revoke a bearer token; True when it was live."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
