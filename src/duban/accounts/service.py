"""The accounts service: make users, check passwords, open and close sessions, issue API tokens.

Every function takes keyword arguments only and returns plain typed values; ``now`` is passed
in. Passwords are hashed with argon2 (argon2-cffi); session and API tokens are random
(``secrets``) and stored as SHA-256 digests, so a copy of the database opens no account.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, Select, bindparam, delete, select, update
from sqlalchemy.orm import Session

from duban.access import ROLES
from duban.accounts.models import ApiTokenRow, SessionRow, UserRow
from duban.audit import service as audit
from duban.units import governments
from duban.units.service import get_unit, require_unit

SESSION_LIFETIME = timedelta(hours=12)
TOKEN_LIFETIME = timedelta(days=90)
MIN_PASSWORD = 10
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"
_hasher = PasswordHasher()
# At most this many argon2 computations at once per process (each costs ~64 MB and tens of ms):
# a flood of logins queues here instead of eating the memory and every thread of the pool.
HASH_SLOTS = 2
HASH_WAIT = 10.0
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; ``str()`` is one Chinese sentence."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class HashBusy(RuntimeError):
    """Too many password checks are waiting; the caller should answer 503 and let the client retry."""


@cache
def common_passwords() -> frozenset[str]:
    """The refused passwords (``common_passwords.txt``: English, pinyin and number patterns)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def check_password(password: str) -> None:
    """Refuse a password shorter than ``MIN_PASSWORD`` or built on a common one.

    >>> check_password("woaini1314520")
    Traceback (most recent call last):
    duban.accounts.service.AccountError: 密码过于常见（如 123456、woaini、5201314），请换一个
    """
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位", "password")
    low = password.lower()
    stripped = low.rstrip("0123456789!@#.")
    core = low.lstrip("0123456789")
    common = common_passwords()
    if low in common or stripped in common or core in common or _only_common_parts(low, common):
        raise AccountError("密码过于常见（如 123456、woaini、5201314），请换一个", "password")
    if len(set(low)) <= 3:
        raise AccountError("密码过于简单（重复的字符），请换一个", "password")
    if _run(low):
        raise AccountError("密码过于简单（连续的数字或字母，如 123456789012），请换一个", "password")


_RUNS = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz" * 2)


def _run(text: str) -> bool:
    """True when ``text`` is a run of consecutive digits or letters, up or down (1234567890123)."""
    return any(text in run or text in run[::-1] for run in _RUNS)


def _only_common_parts(text: str, common: frozenset[str]) -> bool:
    """True when ``text`` is made only of common passwords joined (woaini + 5201314)."""
    ok = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        ok[end] = any(ok[start] and text[start:end] in common for start in range(max(0, end - 20), end))
    return ok[len(text)]


def _with_slot(fn: Callable[..., object], *args: str) -> object:
    if not _hash_slots.acquire(timeout=HASH_WAIT):
        raise HashBusy("密码校验繁忙，请稍后再试")
    try:
        return fn(*args)
    finally:
        _hash_slots.release()


@dataclass(frozen=True)
class Account:
    """Who is asking: a signed-in user (detached from any database session)."""

    id: int
    name: str
    role: str
    unit_id: int | None
    unit_name: str | None
    active: bool = True
    government_id: int | None = None  # None: a one-government deployment (sees everything)
    # the government ids it sees (its 辖区; None among them: rows without a government, the root's)
    governments: frozenset[int | None] | None = None


def digest(token: str) -> str:
    """The stored form of a token.

    >>> len(digest("abc"))
    64
    """
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2 hash of ``password`` (waits for one of the ``HASH_SLOTS``)."""
    return str(_with_slot(_hasher.hash, password))


def _account(session: Session, user: UserRow) -> Account:
    unit_name = None
    government_id = user.government_id
    if user.unit_id is not None:
        unit = get_unit(session=session, unit_id=user.unit_id)
        unit_name = unit.name if unit is not None else None
        if unit is not None and government_id is None:
            government_id = unit.government_id
    visible = governments.visible_ids(session=session, government_id=government_id)
    return Account(
        id=user.id,
        name=user.name,
        role=user.role,
        unit_id=user.unit_id,
        unit_name=unit_name,
        active=user.active,
        government_id=government_id,
        governments=frozenset(visible) if visible is not None else None,
    )


def _view(user: UserRow) -> dict[str, object]:
    """What an account event records of a user (never the password hash)."""
    return {"name": user.name, "role": user.role, "unit_id": user.unit_id, "active": user.active}


def _event(session: Session, *, actor: str, now: datetime, user_id: int, action: str,
           before: dict[str, object] | None, after: dict[str, object] | None) -> None:  # fmt: skip
    audit.record(
        session, actor=actor, now=now, entity="user", entity_id=user_id, action=action,
        before=before, after=after,
    )  # fmt: skip


def create_user(
    *,
    session: Session,
    name: str,
    role: str,
    password: str,
    now: datetime,
    unit: str | None = None,
    actor: str = "system",
    government: str | None = None,
    within: frozenset[int | None] | None = None,
) -> Account:
    """Add a user; a ``unit`` user needs a unit the ledger knows, the others none; ``government``:
    the government whose subtree (辖区) the user sees (a unit user: its unit's); ``within``: the
    governments the unit must belong to (the adding office's 辖区; None: any)."""
    name = name.strip()
    if not name:
        raise AccountError("用户名不能为空", "name")
    if role not in ROLES:
        raise AccountError(f"角色 {role!r} 无效，应为 {'/'.join(ROLES)} 之一", "role")
    check_password(password)
    unit_id = _unit_id(session, role, unit, within)
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise AccountError(f"用户 {name} 已存在", "name")
    government_id = _government_id(session, government)
    user = UserRow(
        name=name,
        role=role,
        unit_id=unit_id,
        government_id=government_id,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    _event(session, actor=actor, now=now, user_id=user.id, action="create", before=None, after=_view(user))
    return _account(session, user)


def _unit_id(
    session: Session, role: str, unit: str | None, within: frozenset[int | None] | None
) -> int | None:
    """The unit of a user of ``role``: required for ``unit`` (and of ``within`` when given), none
    for the others."""
    if role != "unit":
        if unit:
            raise AccountError(f"角色 {role} 不属于某个单位，请去掉 --unit", "unit")
        return None
    if not unit:
        raise AccountError("责任单位用户须指定所属单位 (--unit)", "unit")
    row = require_unit(session=session, name=unit)
    if within is not None and row.government_id not in within:
        raise AccountError(f"单位「{row.name}」不在本级辖区内", "unit")
    return row.id


def _user(session: Session, name: str) -> UserRow:
    user = session.scalar(select(UserRow).where(UserRow.name == name.strip()))
    if user is None:
        raise AccountError(f"用户 {name} 不存在", "name")
    return user


def set_password(
    *, session: Session, name: str, password: str, now: datetime | None = None, actor: str = "system"
) -> None:
    """Replace a user's password (their sessions end; an event records it, not the password)."""
    check_password(password)
    user = _user(session, name)
    user.password_hash = hash_password(password)
    session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    if now is not None:
        _event(session, actor=actor, now=now, user_id=user.id, action="reset_password",
               before=None, after={"name": user.name})  # fmt: skip


def set_active(*, session: Session, name: str, active: bool, now: datetime, actor: str) -> Account:
    """Disable or enable a user (a disabled user's sessions end and its tokens stop working)."""
    user = _user(session, name)
    before = _view(user)
    user.active = active
    if not active:
        session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    session.flush()
    _event(session, actor=actor, now=now, user_id=user.id, action="enable" if active else "disable",
           before=before, after=_view(user))  # fmt: skip
    return _account(session, user)


def set_role(
    *,
    session: Session,
    name: str,
    role: str,
    unit: str | None,
    now: datetime,
    actor: str,
    within: frozenset[int | None] | None = None,
) -> Account:
    """Change a user's role (and unit: required for ``unit``, none for the others; of ``within``,
    the office's 辖区, when given)."""
    if role not in ROLES:
        raise AccountError(f"角色 {role!r} 无效，应为 {'/'.join(ROLES)} 之一", "role")
    user = _user(session, name)
    unit_id = _unit_id(session, role, unit, within)
    before = _view(user)
    user.role, user.unit_id = role, unit_id
    session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    session.flush()
    _event(
        session, actor=actor, now=now, user_id=user.id, action="set_role", before=before, after=_view(user)
    )
    return _account(session, user)


def authenticate(
    *, session: Session, name: str, password: str, now: datetime | None = None, address: str = ""
) -> Account | None:
    """The account when name and password match an active user, else None (with ``now``, the
    login is recorded as an event, good or failed). Raises :class:`HashBusy` when too many
    checks are waiting."""
    user = session.scalar(select(UserRow).where(UserRow.name == name.strip()))
    ok = False
    if user is None or not user.active:
        _with_slot(_hasher.hash, password)  # spend the same time as a real check
    else:
        try:
            ok = bool(_with_slot(_hasher.verify, user.password_hash, password))
        except (VerificationError, InvalidHashError):
            ok = False
    if now is not None:
        _event(session, actor=name.strip()[:100] or "?", now=now, user_id=user.id if user else 0,
               action="login" if ok else "login_failed", before=None,
               after={"name": name.strip()[:100], "address": address})  # fmt: skip
    if not ok or user is None:
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
    live = live_session(connection=session.connection(), token=token, now=now)
    if live is None:
        return None
    return account_of(session=session, user_id=live[0]), live[1]


_LIVE = (
    select(SessionRow.user_id, SessionRow.csrf_token, SessionRow.expires_at)
    .join(UserRow, UserRow.id == SessionRow.user_id)
    .where(SessionRow.token_hash == bindparam("token_hash"), UserRow.active.is_(True))
)


_LIVE_WITH: dict[str, Select[Any]] = {}


def live_session(
    *,
    connection: Connection,
    token: str,
    now: datetime,
    also: tuple[ColumnElement[Any], ...] = (),
    also_key: str = "",
    params: dict[str, Any] | None = None,
) -> tuple[int, str, datetime, tuple[Any, ...]] | None:
    """(user id, CSRF token, expiry, the values of ``also``) of a live session of an active user,
    or None: one indexed query. The console asks again whenever anything has been committed, so
    that a logout or a deactivation holds at once everywhere, and reads other columns in the same
    statement (``also``, with their ``params``; the statement is built once per ``also_key``)."""
    stmt = _LIVE
    if also:
        found = _LIVE_WITH.get(also_key)
        stmt = found if found is not None else _LIVE_WITH.setdefault(also_key, _LIVE.add_columns(*also))
    row = connection.execute(stmt, {**(params or {}), "token_hash": digest(token)}).first()
    if row is None or row.expires_at <= now:
        return None
    return row.user_id, row.csrf_token, row.expires_at, tuple(row[3:])


def account_of(*, session: Session, user_id: int) -> Account:
    """The account of a user, with its unit and the governments it sees."""
    user = session.get(UserRow, user_id)
    if user is None:
        raise AccountError(f"用户 {user_id} 不存在")
    return _account(session, user)


def end_session(*, session: Session, token: str) -> bool:
    """Close a session (logout); True when there was one."""
    result = session.execute(delete(SessionRow).where(SessionRow.token_hash == digest(token)))
    return bool(getattr(result, "rowcount", 0))


# ---- API tokens -----------------------------------------------------------------------------
def create_api_token(
    *,
    session: Session,
    account: Account,
    now: datetime,
    label: str = "",
    lifetime: timedelta = TOKEN_LIFETIME,
) -> str:
    """A new bearer token for the account, live for ``lifetime`` (returned once; only its digest
    is kept)."""
    token = "dbn_" + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        token_hash=digest(token),
        user_id=account.id,
        label=label[:100],
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    _event(session, actor=account.name, now=now, user_id=account.id, action="token_issue", before=None,
           after={"token_id": row.id, "label": row.label, "expires_at": row.expires_at})  # fmt: skip
    return token


def token_account(*, session: Session, token: str, now: datetime | None = None) -> Account | None:
    """The account of a live bearer token (not revoked, not expired at ``now``), or None."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if now is not None and row.expires_at is not None and row.expires_at <= now:
        return None
    return _account(session, row.user)


def revoke_api_token(*, session: Session, token: str, now: datetime, actor: str = "system") -> bool:
    """Revoke a bearer token; True when it was live."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    _event(session, actor=actor, now=now, user_id=row.user_id, action="token_revoke", before=None,
           after={"token_id": row.id})  # fmt: skip
    return True


def revoke_tokens(*, session: Session, name: str, now: datetime, actor: str) -> int:
    """Revoke every live bearer token of a user; how many were live."""
    user = _user(session, name)
    ids = list(
        session.scalars(
            select(ApiTokenRow.id).where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
        )
    )
    if ids:
        session.execute(update(ApiTokenRow).where(ApiTokenRow.id.in_(ids)).values(revoked_at=now))
    _event(session, actor=actor, now=now, user_id=user.id, action="token_revoke", before=None,
           after={"token_ids": ids})  # fmt: skip
    return len(ids)


def live_tokens(*, session: Session, user_id: int, now: datetime) -> int:
    """How many bearer tokens of a user are live (not revoked, not expired)."""
    rows = session.scalars(
        select(ApiTokenRow.expires_at).where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
    )
    return sum(1 for exp in rows if exp is None or exp > now)


def set_government(
    *, session: Session, name: str, government: str | None, actor: str, now: datetime
) -> Account:
    """Make a user belong to a government (it then sees that government's subtree, 辖区); None:
    to none (a one-government deployment's account, which sees everything)."""
    user = _user(session, name)
    gid = _government_id(session, government)
    before: dict[str, object] = {"government_id": user.government_id}
    user.government_id = gid
    session.flush()
    _event(session, actor=actor, now=now, user_id=user.id, action="set_government", before=before,
           after={"government_id": gid})  # fmt: skip
    return _account(session, user)


def _government_id(session: Session, government: str | None) -> int | None:
    """The id of the government named (None for none); AccountError naming an unknown one."""
    if not government:
        return None
    try:
        return governments.require_government(session=session, name=government).id
    except governments.GovernmentError as exc:
        raise AccountError(str(exc), "government") from None
