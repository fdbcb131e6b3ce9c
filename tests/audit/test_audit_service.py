"""The audit log: changing() writes one event with the row before and after (none when the change
fails), notes join the after side, and the readers find a row's history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.audit.models import EventRow
from duban.db import session_scope
from duban.units.service import resolve_unit
from tests.ledger.conftest import NOW


def test_changing_records_before_and_after(db_with_units):
    with session_scope(db_with_units) as s:
        unit = resolve_unit(session=s, name="市发改委")
        assert unit is not None
        with audit.changing(s, unit, actor="t", now=NOW, entity="unit", action="rename") as notes:
            unit.short_name = "发改"
            notes["reason"] = "简称调整"
        (ev,) = audit.history(session=s, refs=[("unit", unit.id)])[-1:]
        assert ev.action == "rename" and ev.before is not None and ev.after is not None
        assert (ev.before["short_name"], ev.after["short_name"], ev.after["reason"]) == (
            "市发改委",
            "发改",
            "简称调整",
        )


def test_a_failed_change_records_nothing(db_with_units):
    with session_scope(db_with_units) as s:
        unit = resolve_unit(session=s, name="市发改委")
        before = s.scalar(select(func.count()).select_from(EventRow))
        with (
            pytest.raises(ValueError),
            audit.changing(s, unit, actor="t", now=NOW, entity="unit", action="x"),
        ):
            raise ValueError("refused")
        assert s.scalar(select(func.count()).select_from(EventRow)) == before


def test_find_events_pages_newest_first(db_with_units):
    with session_scope(db_with_units) as s:
        rows, total = audit.find_events(
            session=s, entity="unit", entity_id=None, action="create", limit=3, offset=0
        )
        assert total >= 45 and len(rows) == 3
        assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
        assert audit.latest_id(connection=s.connection()) == s.scalar(select(func.max(EventRow.id)))


def _event(session, n: int) -> None:
    audit.record(
        session, actor="t", now=NOW, entity="duty", entity_id=n, action="update", before=None, after=None
    )


def test_the_version_moves_with_every_event(db):
    with db.connect() as conn:
        empty = audit.version(connection=conn)
    with session_scope(db) as s:
        _event(s, 1)
    with db.connect() as conn:
        one = audit.version(connection=conn)
        assert one != empty and one[0] is not None
        assert audit.version(connection=conn) == one  # nothing new: the same
    with session_scope(db) as s:
        _event(s, 2)
    with db.connect() as conn:
        assert audit.version(connection=conn) != one


def test_the_version_sees_an_event_committed_after_a_newer_one(db):
    """On PostgreSQL a transaction may take its id before another and commit after it: the newest
    id does not move then, the version must (SQLite lets one writer at a time: nothing to see)."""
    if db.dialect.name == "sqlite":
        pytest.skip("SQLite commits one writer at a time")
    with session_scope(db) as s:
        _event(s, 0)
    slow = db.connect()
    try:
        with slow.begin():
            early = Session(bind=slow)
            _event(early, 1)
            early.flush()  # the id is taken, not committed
            with session_scope(db) as s:
                _event(s, 2)  # a newer id, committed first
            with db.connect() as conn:
                before = audit.version(connection=conn)
        # the early transaction commits now
        with db.connect() as conn:
            after = audit.version(connection=conn)
        assert after[0] == before[0]  # the newest id is the same …
        assert after != before  # … the version is not
    finally:
        slow.close()
