"""Idempotency keys (幂等键): a client that retries a creating POST after a lost answer gets the
first answer back instead of a second case, progress report or alarm.

A key is unique per caller (an account, or a client address for anonymous forms), route and key
text. :func:`claim` inserts the key row *first* in the request's transaction, so the key and the
thing created commit (or roll back) together; a concurrent request with the same key waits on the
unique index (PostgreSQL) or the write lock (SQLite) and then finds the first one's row.
:func:`finish` stores the answer. Keys expire after :data:`TTL` (:func:`purge`, run by ``duban tick``
and now and then by :func:`claim`).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from duban.db import Base, UTCDateTime

TTL = timedelta(hours=24)
PURGE_CHANCE = 0.02
"""How often a claim also deletes expired keys (the tick does it for sure)."""
MAX_KEY = 200
OTHER_REQUEST = "幂等键已用于另一请求"


class IdempotencyRow(Base):
    """One used key: who used it on which route, a hash of what was sent, and the answer given."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("scope", "route", "key", name="uq_idempotency_keys_scope"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))  # "user:12" or "addr:203.0.113.5"
    route: Mapped[str] = mapped_column(String(120))  # "POST /api/cases"
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    body_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer, default=0)  # 0 until the answer is stored
    media_type: Mapped[str] = mapped_column(String(60), default="application/json")
    response: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyReused(ValueError):
    """The key was used before with a different body."""

    def __init__(self) -> None:
        super().__init__(OTHER_REQUEST)


@dataclass(frozen=True)
class Answer:
    """A stored answer: status, media type and body (a redirect's body is its location)."""

    status: int
    media_type: str
    body: str


def body_hash(payload: Any) -> str:
    """A hash of what was sent (canonical JSON of the parsed input)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _answer(row: IdempotencyRow, digest: str) -> Answer:
    if row.body_hash != digest:
        raise KeyReused()
    return Answer(row.status, row.media_type, row.response)


def _find(session: Session, scope: str, route: str, key: str) -> IdempotencyRow | None:
    return session.scalar(
        select(IdempotencyRow).where(
            IdempotencyRow.scope == scope, IdempotencyRow.route == route, IdempotencyRow.key == key
        )
    )


def claim(
    *, session: Session, scope: str, route: str, key: str, digest: str, now: datetime
) -> IdempotencyRow | Answer:
    """The pending row to :func:`finish` (the request goes on), or the first request's answer.

    Call it before anything else is written in the session: when another request holds the key,
    the session is rolled back to read that request's committed row. Raises :class:`KeyReused`.
    """
    if random.random() < PURGE_CHANCE:
        purge(session=session, now=now)
    found = _find(session, scope, route, key)
    if found is not None and found.created_at > now - TTL and found.status:
        return _answer(found, digest)
    if found is not None:  # expired (or left by a crashed writer, which cannot commit it): reuse
        session.delete(found)
        session.flush()
    row = IdempotencyRow(
        scope=scope[:120], route=route[:120], key=key, body_hash=digest, status=0, created_at=now
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another request with this key committed first
        session.rollback()
        first = _find(session, scope, route, key)
        if first is None:  # it was purged in between: very unlikely; ask the client to retry
            raise
        return _answer(first, digest)
    return row


def finish(*, session: Session, row: IdempotencyRow, status: int, media_type: str, body: str) -> None:
    """Store the answer of the request that claimed ``row`` (same transaction as what it created)."""
    row.status = status
    row.media_type = media_type[:60]
    row.response = body
    session.flush()


def purge(*, session: Session, now: datetime) -> int:
    """Delete keys older than :data:`TTL`; how many."""
    got = session.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at <= now - TTL))
    return int(getattr(got, "rowcount", 0) or 0)
