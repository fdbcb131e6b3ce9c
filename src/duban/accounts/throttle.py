"""Throttles counted in the database (table ``throttle_hits``), so they hold across every worker
process: the citizens' ``/report`` limit and the login throttle (by account and by address, with
growing delays). Times are seconds since the epoch, passed in.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duban.accounts.models import ThrottleHitRow

LOGIN_FREE = {"login_user": 5, "login_addr": 20}  # failures allowed before delays start
LOGIN_WINDOW = 900.0  # failures older than 15 minutes are forgotten
LOGIN_MAX_DELAY = 900.0


def window_wait(*, session: Session, scope: str, key: str, limit: int, window: float, now: float) -> float:
    """0 while ``key`` has fewer than ``limit`` hits in the last ``window`` seconds, else the
    seconds until the oldest of them leaves the window."""
    rows = session.execute(
        select(func.count(), func.min(ThrottleHitRow.at)).where(
            ThrottleHitRow.scope == scope, ThrottleHitRow.key == key, ThrottleHitRow.at > now - window
        )
    ).one()
    count, oldest = int(rows[0] or 0), rows[1]
    return 0.0 if count < limit or oldest is None else max(0.0, float(oldest) + window - now)


def hit(*, session: Session, scope: str, key: str, now: float, window: float) -> None:
    """Count one attempt (hits of ``key`` older than ``window`` are removed)."""
    session.execute(
        delete(ThrottleHitRow).where(
            ThrottleHitRow.scope == scope, ThrottleHitRow.key == key, ThrottleHitRow.at <= now - window
        )
    )
    session.add(ThrottleHitRow(scope=scope, key=key[:200], at=now))
    session.flush()


def clear(*, session: Session, scope: str, key: str) -> None:
    """Forget every hit of ``key`` (a successful login)."""
    session.execute(delete(ThrottleHitRow).where(ThrottleHitRow.scope == scope, ThrottleHitRow.key == key))


def backoff_wait(*, session: Session, scope: str, key: str, now: float) -> float:
    """The login delay: none for the first ``LOGIN_FREE[scope]`` failures in the window, then
    1, 2, 4 … seconds (up to 15 minutes) after the last failure.

    The delay is answered as 429 with Retry-After, never slept in the request thread."""
    count, last = session.execute(
        select(func.count(), func.max(ThrottleHitRow.at)).where(
            ThrottleHitRow.scope == scope,
            ThrottleHitRow.key == key,
            ThrottleHitRow.at > now - LOGIN_WINDOW,
        )
    ).one()
    over = int(count or 0) - LOGIN_FREE[scope]
    if over < 0 or last is None:
        return 0.0
    delay = min(LOGIN_MAX_DELAY, 2.0 ** min(over, 20))
    return max(0.0, float(last) + delay - now)
