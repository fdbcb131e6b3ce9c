"""The database's change signal (:mod:`duban.web.changes`): it moves once anything is committed,
by any connection (on PostgreSQL, by any transaction that records an event or ends a session),
stays put otherwise, says "unknown" when it cannot be trusted, and comes back after its
connection is lost. PostgreSQL's case runs on a real server (``DUBAN_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from duban.audit import service as audit
from duban.db import session_scope
from duban.web.changes import PostgresWatch, SqliteWatch, watch_for
from tests.ledger.conftest import postgres_engine
from tests.web.web_factories import NOW


def _event(engine: Engine, action: str = "note") -> None:
    with session_scope(engine) as s:
        audit.record(
            s, actor="测试", now=NOW, entity="user", entity_id=1, action=action, before=None, after=None
        )


def _moved(watch, before: object, seconds: float = 3.0) -> object:
    """The watch's generation once it differs from ``before`` (PostgreSQL delivers after commit)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = watch.generation()
        if now is not None and now != before:
            return now
        time.sleep(0.005)
    raise AssertionError(f"the generation stayed {before!r}")


def test_sqlite_moves_with_every_commit_of_any_connection(tmp_path):
    path = tmp_path / "d.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x INTEGER)")
    watch = SqliteWatch(str(path))
    first = watch.generation()
    assert first is not None and watch.generation() == first  # nothing committed: unchanged
    writer.execute("INSERT INTO t VALUES (1)")
    second = watch.generation()
    assert second != first and watch.generation() == second
    writer.execute("BEGIN")
    writer.execute("INSERT INTO t VALUES (2)")
    assert watch.generation() == second  # not committed yet
    writer.execute("COMMIT")
    assert watch.generation() != second
    # the watch holds no read transaction: a checkpoint can take the whole WAL back
    assert writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    watch.close()
    writer.close()


def test_sqlite_unreadable_or_missing_file_is_unknown(tmp_path):
    (tmp_path / "not-a-db").write_bytes(b"\x00garbage" * 1000)
    assert SqliteWatch(str(tmp_path / "not-a-db")).generation() is None
    assert SqliteWatch(str(tmp_path / "missing.sqlite3")).generation() is None
    assert not (tmp_path / "missing.sqlite3").exists()  # not created by the watch


def test_sqlite_a_new_connection_never_repeats_an_old_generation(tmp_path):
    path = tmp_path / "d.sqlite3"
    sqlite3.connect(path).execute("PRAGMA journal_mode=WAL").close()
    watch = SqliteWatch(str(path))
    before = watch.generation()
    watch.close()  # as after an error: the next call opens a new connection
    assert watch.generation() != before
    watch.close()


def test_sqlite_reads_the_version_beside_the_generation(tmp_path):
    """The watch reads the data's version itself (on the event loop, no thread): the same value
    as audit.version, moved by another connection's commit; without an events table, None (the
    console asks in a thread) while the generation still works."""
    from duban.config import Settings
    from duban.db import make_engine, upgrade

    path = tmp_path / "d.sqlite3"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    upgrade(engine)
    _event(engine)
    watch = SqliteWatch(str(path))
    both = watch.generation_and_version()
    assert both is not None
    with engine.connect() as conn:
        assert both[1] == audit.version(connection=conn)
    _event(engine)
    moved = watch.generation_and_version()
    assert moved is not None and moved[0] != both[0] and moved[1] != both[1]
    with engine.connect() as conn:
        assert moved[1] == audit.version(connection=conn)
    watch.close()
    engine.dispose()
    bare = tmp_path / "bare.sqlite3"
    sqlite3.connect(bare).execute("PRAGMA journal_mode=WAL").close()
    no_events = SqliteWatch(str(bare))
    assert no_events.generation_and_version() is None and no_events.generation() is not None
    no_events.close()


def test_in_memory_sqlite_has_no_watch():
    from sqlalchemy import create_engine

    assert watch_for(create_engine("sqlite://")) is None


@pytest.fixture
def pg() -> Iterator[Engine]:
    yield from postgres_engine()


def _pg_watch(pg: Engine) -> PostgresWatch:
    watch = watch_for(pg)
    assert isinstance(watch, PostgresWatch)
    return watch


@pytest.mark.postgres
def test_postgres_moves_when_an_event_commits_or_a_session_ends(pg):
    watch = _pg_watch(pg)
    try:
        first = watch.generation()
        assert first is not None
        _event(pg)
        second = _moved(watch, first)
        time.sleep(0.05)
        assert watch.generation() == second  # one notification for one transaction
        with pg.begin() as conn:  # a transaction that is rolled back tells nobody
            conn.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError), session_scope(pg) as s:
            audit.record(
                s, actor="测试", now=NOW, entity="user", entity_id=1, action="x", before=None, after=None
            )
            s.flush()
            raise RuntimeError("rolled back")
        time.sleep(0.05)
        assert watch.generation() == second
        with pg.begin() as conn:  # a logout ends a session: no event of its own is needed
            conn.execute(text("DELETE FROM user_sessions"))
        _moved(watch, second)
    finally:
        watch.close()


@pytest.mark.postgres
def test_postgres_other_schemas_do_not_move_it(pg):
    watch = _pg_watch(pg)
    second_deployment = postgres_engine()  # another schema of the same database
    other = next(second_deployment)
    try:
        first = watch.generation()
        _event(other)
        time.sleep(0.1)
        assert watch.generation() == first
    finally:
        watch.close()
        second_deployment.close()  # drops its schema


@pytest.mark.postgres
def test_postgres_lost_connection_is_unknown_then_listens_again(pg, monkeypatch):
    monkeypatch.setattr("duban.web.changes.RETRY_SECONDS", 0.05)
    watch = _pg_watch(pg)
    try:
        first = watch.generation()
        pid = watch._conn.info.backend_pid  # type: ignore[union-attr]
        with pg.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 3
        while watch.generation() is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert watch.generation() is None or watch.generation() != first  # never the old value
        back = _moved(watch, first)
        assert back is not None and back != first  # a new connection: whatever was missed, re-read
        _event(pg)
        _moved(watch, back)
    finally:
        watch.close()


@pytest.mark.postgres
def test_postgres_without_the_triggers_is_unknown(pg):
    with pg.begin() as conn:
        conn.execute(text("DROP TRIGGER events_notify ON events"))
    watch = _pg_watch(pg)
    try:
        assert watch.generation() is None  # an unmigrated database would never notify
    finally:
        watch.close()
