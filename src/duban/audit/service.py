"""The append-only events log: one row per change, with the row's columns before and after.

Every service function that changes a row records it here: :func:`changing` around an update
(snapshot before, flush, event after), :func:`record_change` for a new row, :func:`record` for an
event of another shape and :func:`record_many` for a tick's bulk changes. Nothing updates or
deletes an event. :func:`history`, :func:`find_events` and :func:`latest_id` are the readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, false, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from duban.audit.models import EventRow
from duban.db import Base


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a column value (dates and datetimes as ISO strings; NaN and the
    infinities, which JSON cannot hold, as None).

    >>> jsonable(date(2023, 1, 2)), jsonable({"x": float("nan")})
    ('2023-01-02', {'x': None})
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
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
    after: dict[str, Any] | None = None,
) -> EventRow:
    """Append the event of a change to ``row``: its id, and ``after`` (default: its
    :func:`snapshot`)."""
    after = snapshot(row) if after is None else after
    return record(
        session,
        actor=actor,
        now=now,
        entity=entity,
        entity_id=row.id,
        action=action,
        before=before,
        after=after,
    )


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many events in one statement (each dict has the EventRow columns)."""
    if rows:
        clean = [
            {**r, **{k: jsonable(r[k]) for k in ("before", "after") if r.get(k) is not None}} for r in rows
        ]
        session.execute(insert(EventRow), clean)


@contextmanager
def changing(
    session: Session,
    row: Any,
    *,
    actor: str,
    now: datetime,
    entity: str,
    action: str,
    snap: Callable[[Any], dict[str, Any] | None] = snapshot,
) -> Iterator[dict[str, Any]]:
    """Record what the ``with`` block changes on ``row``: ``snap(row)`` before, a flush after the
    block, and one event with both (nothing is recorded when the block raises). The block may put
    notes (a reason) in the dict it is given; they join the ``after`` side."""
    before = snap(row)
    notes: dict[str, Any] = {}
    yield notes
    session.flush()
    after = {**(snap(row) or {}), **notes}
    record(
        session,
        actor=actor,
        now=now,
        entity=entity,
        entity_id=row.id,
        action=action,
        before=before,
        after=after,
    )


def history(
    *, session: Session, refs: Sequence[tuple[str, int | Select[Any]]], by_time: bool = True
) -> list[EventRow]:
    """The events of the rows named by ``refs`` — (entity, id) or (entity, a select of ids) —
    oldest first (by time then id; with ``by_time=False`` in the order written)."""
    conds: list[ColumnElement[bool]] = []
    for entity, ref in refs:
        match = EventRow.entity_id.in_(ref) if isinstance(ref, Select) else EventRow.entity_id == ref
        conds.append((EventRow.entity == entity) & match)
    where = or_(*conds) if conds else false()
    order = (EventRow.at, EventRow.id) if by_time else (EventRow.id,)
    return list(session.scalars(select(EventRow).where(where).order_by(*order)))


def find_events(
    *,
    session: Session,
    entity: str | None,
    entity_id: int | None,
    action: str | None,
    limit: int,
    offset: int,
    where: ColumnElement[bool] | None = None,
) -> tuple[list[EventRow], int]:
    """A page of events, newest first, filtered (``where``: the caller's own condition on
    ``EventRow``, such as an account's reach), and the total that match."""
    stmt = select(EventRow) if where is None else select(EventRow).where(where)
    if entity:
        stmt = stmt.where(EventRow.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(EventRow.entity_id == entity_id)
    if action:
        stmt = stmt.where(EventRow.action == action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(EventRow.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)


_NEWEST = select(func.max(EventRow.id)).scalar_subquery()
_LATE = select(func.count(EventRow.id)).where(EventRow.id > _NEWEST - bindparam("window")).scalar_subquery()


def latest_id(*, connection: Connection) -> int | None:
    """The newest event's id: every change writes an event, so this is the data's version."""
    return connection.scalar(select(_NEWEST))


LATE_WINDOW = 1000
"""How far below the newest event :func:`version` looks for events that committed late."""

Version = tuple[int | None, int | None]


def version_columns(dialect: str) -> tuple[ColumnElement[Any], ...]:
    """The columns that read the data's version (:func:`version`), to add to another SELECT (the
    console reads them with a browser's session check, in the same statement)."""
    return (_NEWEST,) if dialect == "sqlite" else (_NEWEST, _LATE)


def sqlite_version_sql() -> str:
    """:func:`version`'s statement on SQLite as SQL text, for a plain ``sqlite3`` connection (the
    console's change watch reads the version beside ``PRAGMA data_version``, from the event loop:
    a seek to the newest id, no thread and no pool)."""
    from sqlalchemy.dialects import sqlite

    return str(select(*version_columns("sqlite")).compile(dialect=sqlite.dialect()))


def version_of(values: Sequence[Any]) -> Version:
    """The version from the values of :func:`version_columns`."""
    return (values[0], None) if len(values) == 1 or values[0] is None else (values[0], values[1])


_VERSION: dict[str, Select[Any]] = {}


def version(*, connection: Connection) -> Version:
    """The data's version, for caches kept until something changes: the newest event's id and, on
    PostgreSQL, how many events lie in the ``LATE_WINDOW`` ids below it. A sequence hands out ids
    in order but transactions commit in any order, so an event with a lower id can commit after a
    newer one was seen: the newest id does not move, the count does. (SQLite commits one writer at
    a time: the newest id is enough.) One statement, built once per dialect."""
    dialect = connection.dialect.name
    stmt = _VERSION.get(dialect)
    if stmt is None:
        stmt = _VERSION[dialect] = select(*version_columns(dialect))
    row = connection.execute(stmt, {"window": LATE_WINDOW}).one()
    return version_of(tuple(row))
