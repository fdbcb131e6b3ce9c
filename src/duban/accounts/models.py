"""The accounts tables: users, server-side sessions and API (bearer) tokens.

Only :mod:`duban.accounts.service` writes these rows. A user of role ``unit`` belongs to one
unit of the ledger (``unit_id``); ``office``, ``leader`` and ``operator`` (12345 话务员, who takes
and dispatches cases) users belong to none. The roles come from :mod:`duban.access`; the role
CHECK is set by migration ``0430`` (``gateway``: a sensor gateway, which may only post alarms).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.access import ROLES
from duban.db import Base, UTCDateTime, in_values


class UserRow(Base):
    """A person who signs in to the console."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(in_values("role", ROLES), name="role"),
        CheckConstraint("role != 'unit' OR unit_id IS NOT NULL", name="unit_role_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # the government whose subtree the user sees (None: a one-government deployment, everything)
    government_id: Mapped[int | None] = mapped_column(ForeignKey("governments.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sessions: Mapped[list[SessionRow]] = relationship(back_populates="user", cascade="all, delete-orphan")


class SessionRow(Base):
    """A signed-in browser: the digest of its cookie token, its CSRF token and when it expires."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[UserRow] = relationship(back_populates="sessions")


class ApiTokenRow(Base):
    """A bearer token for API clients (its digest only; the token is shown once when made)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: made before 0430

    user: Mapped[UserRow] = relationship()


class ThrottleHitRow(Base):
    """One counted attempt (a ``/report`` submission, a failed login) for a throttle ``scope`` and
    ``key`` (an address or an account); kept in the database so every worker sees the same count.
    ``at`` is seconds since the epoch."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_lookup", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float)
