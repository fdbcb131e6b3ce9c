"""What every database command shares: ``--database-url``, ``--at``, a migrated session, and
one place that turns our errors into a single clear line (exit 1) instead of a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """``--database-url`` (default: ``DUBAN_DATABASE_URL``)."""
    return click.option("--database-url", default=None, help="数据库 URL（默认取 DUBAN_DATABASE_URL）")(f)


def parse_at(value: str | None) -> datetime:
    """``--at``: a date (noon Beijing time) or an ISO datetime; None → now (aware UTC)."""
    from duban.clock.calendar import SHANGHAI

    if value is None:
        return datetime.now(UTC)
    try:
        if len(value) <= 10:
            return datetime.combine(date.fromisoformat(value), time(12, 0), tzinfo=SHANGHAI).astimezone(UTC)
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"「{value}」不是日期（应为 2023-03-15）", param_hint="--at") from None
    return (ts if ts.tzinfo else ts.replace(tzinfo=SHANGHAI)).astimezone(UTC)


def friendly(f: F) -> F:
    """Turn ledger, case, monitoring, clock, settings and database errors into one clear line and exit code 1."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from duban.cases.rules import CaseError
        from duban.clock.calendar import CalendarGap, HolidayFileError
        from duban.clock.policy import PolicyError
        from duban.config import SettingsError
        from duban.ledger.errors import LedgerError
        from duban.monitoring.rules import MonitoringError
        from duban.units.governments import GovernmentError
        from duban.units.service import UnitError

        try:
            return f(*args, **kwargs)
        except (
            CaseError,
            LedgerError,
            MonitoringError,
            UnitError,
            GovernmentError,
            SettingsError,
            CalendarGap,
            HolidayFileError,
            PolicyError,
        ) as exc:
            raise click.ClickException(str(exc)) from exc
        except SQLAlchemyError as exc:
            raise click.ClickException(
                f"数据库错误: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            ) from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def migrated_session(database_url: str | None) -> Iterator[Session]:
    """A session on the configured database, migrated to head first; commits or rolls back."""
    from duban.config import Settings
    from duban.db import make_engine, session_scope, upgrade

    engine = make_engine(Settings.from_env(database_url=database_url))
    try:
        upgrade(engine)
        with session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()
