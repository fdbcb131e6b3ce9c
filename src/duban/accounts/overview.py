"""What the office's account page lists: every user with its unit, state, last sign-in (from the
``login`` events) and live API tokens. Read only; changes go through :mod:`duban.accounts.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.accounts.models import ApiTokenRow, UserRow
from duban.accounts.service import AccountError
from duban.audit.models import EventRow
from duban.units.governments import in_governments
from duban.units.models import UnitRow


@dataclass(frozen=True)
class UserOverview:
    """One line of the account list."""

    id: int
    name: str
    role: str
    unit_name: str | None
    active: bool
    last_login: datetime | None
    tokens: int


def _government() -> Any:
    """A user's government: its own, else its unit's (a unit officer's)."""
    return func.coalesce(UserRow.government_id, UnitRow.government_id)


def user_overview(
    *, session: Session, now: datetime, governments: frozenset[int | None] | None = None
) -> list[UserOverview]:
    """Every user by name (of ``governments``, an office's 辖区; None: all), with the last good
    sign-in and the count of live bearer tokens."""
    logins = dict(
        session.execute(
            select(EventRow.entity_id, func.max(EventRow.at))
            .where(EventRow.entity == "user", EventRow.action == "login")
            .group_by(EventRow.entity_id)
        ).all()
    )
    tokens: dict[int, int] = {}
    for user_id, expires in session.execute(
        select(ApiTokenRow.user_id, ApiTokenRow.expires_at).where(ApiTokenRow.revoked_at.is_(None))
    ):
        if expires is None or expires > now:
            tokens[user_id] = tokens.get(user_id, 0) + 1
    q = select(UserRow, UnitRow.name).outerjoin(UnitRow, UnitRow.id == UserRow.unit_id).order_by(UserRow.name)
    if governments is not None:
        q = q.where(in_governments(governments, _government()))
    rows = session.execute(q).all()
    return [
        UserOverview(
            id=u.id,
            name=u.name,
            role=u.role,
            unit_name=unit,
            active=u.active,
            last_login=logins.get(u.id),
            tokens=tokens.get(u.id, 0),
        )
        for u, unit in rows
    ]


def user_name(*, session: Session, user_id: int, governments: frozenset[int | None] | None = None) -> str:
    """The name of the user with this id (of ``governments``; None: any); AccountError when there
    is none."""
    q = select(UserRow.name).outerjoin(UnitRow, UnitRow.id == UserRow.unit_id).where(UserRow.id == user_id)
    if governments is not None:
        q = q.where(in_governments(governments, _government()))
    name = session.scalar(q)
    if name is None:
        raise AccountError(f"用户 {user_id} 不存在", "user_id")
    return name
