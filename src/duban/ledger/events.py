"""The append-only events log: one row per change, with the row's columns before and after.

Every service function that changes a row calls :func:`record` (or :func:`record_many` for a
tick's bulk changes); nothing updates or deletes an event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from duban.db import Base
from duban.ledger.models import EventRow


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a column value (dates and datetimes as ISO strings).

    >>> jsonable(date(2023, 1, 2))
    '2023-01-02'
    """
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(row: Base | None) -> dict[str, Any] | None:
    """The mapped columns of ``row`` as a JSON-ready dict (None for None)."""
    if row is None:
        return None
    mapper = inspect(row).mapper
    return {attr.key: jsonable(getattr(row, attr.key)) for attr in mapper.column_attrs}


def record(
    session: Session,
    *,
    actor: str,
    now: datetime,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> EventRow:
    """Append one event."""
    ev = EventRow(
        at=now,
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    session.add(ev)
    return ev


def record_change(
    session: Session,
    row: Any,
    *,
    actor: str,
    now: datetime,
    entity: str,
    action: str,
    before: dict[str, Any] | None,
) -> EventRow:
    """Append the event of a change to ``row``: its id, and its :func:`snapshot` as ``after``."""
    return record(
        session,
        actor=actor,
        now=now,
        entity=entity,
        entity_id=row.id,
        action=action,
        before=before,
        after=snapshot(row),
    )


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many events in one statement (each dict has the EventRow columns)."""
    if rows:
        session.execute(insert(EventRow), rows)
