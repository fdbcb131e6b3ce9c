"""SQLite writers of one process take turns in order (:class:`duban.db.WriteGate`) instead of
polling SQLite's lock: the mixed load's slowest writes waited seconds for a lock that newcomers
kept winning. A writer waits in the gate, gets in when the writer before it commits or rolls
back (or its connection goes back to the pool), and readers never wait."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from duban.config import Settings
from duban.db import WriteGate, make_engine, write_gate


def _wait_for(cond, timeout: float = 5.0) -> None:
    stop = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < stop, "timed out"
        time.sleep(0.005)


def _engine(tmp_path: Path):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'g.sqlite3'}"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def test_a_second_writer_waits_in_the_gate_until_the_first_commits(tmp_path):
    engine = _engine(tmp_path)
    gate = write_gate(engine)
    assert gate is not None and not gate.busy
    done: list[int] = []

    def second() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
        done.append(2)

    with engine.connect() as first:
        first.execute(text("INSERT INTO t VALUES (1)"))
        assert gate.busy
        t = threading.Thread(target=second)
        t.start()
        _wait_for(lambda: gate.waiting == 1)  # queued in the gate, not polling SQLite's lock
        with engine.connect() as reader:  # a reader does not wait
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        first.commit()
        t.join(5)
    assert done == [2] and not gate.busy and gate.waiting == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]
    engine.dispose()


def test_the_turn_is_given_back_on_rollback_and_when_the_connection_is_returned(tmp_path):
    engine = _engine(tmp_path)
    gate = write_gate(engine)
    assert gate is not None
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert gate.busy
        conn.rollback()
        assert not gate.busy
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert gate.busy
    assert not gate.busy  # closed without commit: the pool's reset is a rollback
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar()
        conn.commit()
        assert not gate.busy  # a read takes no turn
    engine.dispose()


def test_writers_get_their_turn_in_the_order_they_came():
    gate = WriteGate()
    gate.enter()
    order: list[int] = []

    def writer(k: int) -> None:
        gate.enter()
        order.append(k)
        gate.leave()

    threads = []
    for k in range(6):
        t = threading.Thread(target=writer, args=(k,))
        t.start()
        threads.append(t)
        _wait_for(lambda k=k: gate.waiting == k + 1)
    gate.enter()  # the holder's own thread is let through (a second connection of one request)
    gate.leave()
    gate.leave()
    for t in threads:
        t.join(5)
    assert order == list(range(6)) and not gate.busy


def test_a_writer_that_waited_too_long_goes_on_to_sqlite_lock():
    gate = WriteGate(wait=0.05)
    gate.enter()
    t = threading.Thread(target=gate.enter)
    t.start()
    t.join(5)
    assert not t.is_alive() and gate.waiting == 0
    gate.leave()
    gate.leave()
    assert not gate.busy
