"""The store: migrations on both databases, plans loaded once, units and aliases, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import (
    alembic_config,
    current_revision,
    downgrade,
    load_models,
    make_engine,
    session_scope,
    upgrade,
)
from duban.ledger import service
from duban.ledger.errors import LedgerError
from duban.ledger.models import DutyRow, ItemRow, PlanRow
from tests.ledger.conftest import NOW
from tests.ledger.ledger_factories import load, make_plan

TABLES = {
    "plans", "items", "units", "unit_aliases", "assignments", "assignment_co_units", "duties",
    "milestones", "progress_reports", "actions", "events",
}  # fmt: skip


def test_migrations_create_every_table_and_match_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    assert current_revision(db) == ScriptDirectory.from_config(alembic_config(db)).get_current_head()
    names = set(inspect(db).get_table_names())
    assert names >= TABLES
    with db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), load_models()) == []


def test_downgrade_then_upgrade_again(db):
    downgrade(db)
    assert not (set(inspect(db).get_table_names()) & TABLES)
    upgrade(db)
    assert set(inspect(db).get_table_names()) >= TABLES


def test_sqlite_engine_has_foreign_keys_and_wal(tmp_path):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'x' / 'd.sqlite3'}"))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_session_scope_rolls_back_everything_on_error(db):
    with pytest.raises(RuntimeError), session_scope(db) as s:
        load(s, now=NOW)
        raise RuntimeError("boom")
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(PlanRow)) == 0
        assert s.scalar(select(func.count()).select_from(EventRow)) == 0


def test_load_plan_twice_is_recognised(db):
    plan = make_plan()
    with session_scope(db) as s:
        row, created = service.load_plan(session=s, plan=plan, actor="张三", now=NOW)
        assert created
        assert (row.place, row.level, row.year) == ("大同市", "市", 2023)
        kinds = sorted(i.kind for i in row.items)
        assert kinds == ["achievement", "target", "task", "task", "task", "task"]
        t1 = next(i for i in row.items if i.ref == "t1")
        assert t1.section_title == "做强能源产业"
        assert t1.deadline is not None and t1.deadline.isoformat() == "2023-12-31"
        assert (t1.start, t1.end, t1.line) == (120, 140, 12)
        gdp = next(i for i in row.items if i.kind == "target")
        assert gdp.headline and gdp.value == 6.0 and gdp.unit == "%" and gdp.bound == "about"
        first_id = row.id
    with session_scope(db) as s:
        row, created = service.load_plan(session=s, plan=plan, actor="张三", now=NOW + timedelta(days=1))
        assert not created and row.id == first_id
        assert s.scalar(select(func.count()).select_from(PlanRow)) == 1
        assert s.scalar(select(func.count()).select_from(ItemRow)) == 6
        assert s.scalar(select(func.count()).select_from(EventRow).where(EventRow.entity == "plan")) == 1


def test_checksum_is_unique_in_the_database(db):
    with session_scope(db) as s:
        load(s, now=NOW)
    with pytest.raises(IntegrityError), session_scope(db) as s:
        row = s.scalars(select(PlanRow)).one()
        s.add(PlanRow(place="x", level="市", year=2023, title="x", doc="x", source="x", checksum=row.checksum,
                      loaded_at=NOW, loaded_by="x"))  # fmt: skip
        s.flush()


def test_plan_without_year_is_refused(db):
    plan = make_plan()
    plan.year = None
    with session_scope(db) as s, pytest.raises(LedgerError, match="--year"):
        service.load_plan(session=s, plan=plan, actor="x", now=NOW)


def test_datetimes_come_back_aware_utc(db):
    local = datetime(2023, 1, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    with session_scope(db) as s:
        load(s, now=local)
    with session_scope(db) as s:
        row = s.scalars(select(PlanRow)).one()
        assert row.loaded_at == local and row.loaded_at.tzinfo == UTC


def test_status_check_constraint_in_the_database(db_with_units):
    from tests.ledger.ledger_factories import assigned_duty

    with session_scope(db_with_units) as s:
        duty_id = assigned_duty(s, now=NOW).id
    with pytest.raises(IntegrityError), session_scope(db_with_units) as s:
        s.execute(text("UPDATE duties SET status = 'lost' WHERE id = :i"), {"i": duty_id})
    with session_scope(db_with_units) as s:
        assert s.get(DutyRow, duty_id).status == "assigned"
