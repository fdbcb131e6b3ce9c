"""Has anything been committed since? A question each console worker asks on every request,
answered without a query: the database's own change signal, read from the event loop in a few
microseconds.

- **SQLite** counts commits itself: ``PRAGMA data_version`` on a connection of our own that never
  writes changes whenever any other connection commits (this worker's, the other workers', the
  CLI's). It reads the WAL index in shared memory.
- **PostgreSQL** tells listeners: a trigger (migration 0560) sends ``NOTIFY duban_changes`` (the
  schema as payload) from every transaction that records an event or ends a session, delivered
  when it commits, to every worker on every machine. The worker reads what its listening
  connection has received, without waiting (libpq's non-blocking ``PQconsumeInput``).

:meth:`ChangeWatch.generation` returns a value that differs from any earlier one once something
has been committed; None when the signal cannot be trusted (the listening connection lost, the
file unreadable): then the console asks the database, as it would without a watch. What the
console keeps by generation (:mod:`duban.web.state`, :mod:`duban.web.deps`): the data's version
and each browser session's check, so that a page asked again between writes costs no statement.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from typing import Protocol
from urllib.parse import quote

from sqlalchemy import Engine

from duban.audit.service import Version, sqlite_version_sql, version_of

CHANNEL = "duban_changes"
TRIGGERS = ("events_notify", "user_sessions_notify")  # migration 0560
_VERSION_SQL = sqlite_version_sql()
RETRY_SECONDS = 2.0  # between attempts to listen again after the connection was lost
UNMIGRATED_RETRY_SECONDS = 60.0  # between looks for migration 0560's triggers


class ChangeWatch(Protocol):
    def generation(self) -> object | None:
        """Differs from every earlier value once a change has been committed; None: unknown."""

    def generation_and_version(self) -> tuple[object, Version] | None:
        """The generation and the data's version (:func:`duban.audit.service.version`) read after
        it, when the watch can read both from the event loop in microseconds; None: ask the
        database in a thread."""

    def close(self) -> None: ...


class SqliteWatch:
    """``PRAGMA data_version`` on a connection that only reads."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._opened = 0  # connections opened: a new one's counter may repeat an old one's values

    def generation(self) -> object | None:
        with self._lock:
            return self._generation()

    def generation_and_version(self) -> tuple[object, Version] | None:
        """After a commit every request needs the new version before it can answer: read here, on
        the same connection, it costs a B-tree seek on the event loop instead of a thread that all
        the waiting requests await (under load, behind the writer's and the board's threads for
        the GIL). Read after the generation, so the version is never older than it."""
        with self._lock:
            generation = self._generation()
            if generation is None or self._conn is None:
                return None
            try:
                values = self._conn.execute(_VERSION_SQL).fetchall()[0]
            except sqlite3.Error:  # (busy, say) the generation stands; the thread asks instead
                return None
            return generation, version_of(values)

    def _generation(self) -> object | None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(  # mode=rw: never creates a missing database
                    f"file:{quote(self.path)}?mode=rw",
                    uri=True,
                    timeout=0.05,
                    isolation_level=None,
                    check_same_thread=False,
                )
                self._opened += 1
            # fetchall: the statement runs to its end, so no read transaction is left open
            # (one would hold back the WAL's checkpoints)
            version = self._conn.execute("PRAGMA data_version").fetchall()[0][0]
            return ("sqlite", self._opened, version)
        except sqlite3.Error:
            self._close()
            return None

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close()


class PostgresWatch:
    """A connection that LISTENs on :data:`CHANNEL`, polled without blocking; connected again in
    a thread (every :data:`RETRY_SECONDS` at most) when lost, and a new connection's generation
    never equals an old one's (what was committed while nobody listened is not missed)."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._lock = threading.Lock()
        self._conn: object | None = None  # psycopg.Connection
        self._listening = 0  # how many times a LISTEN has begun (part of the generation)
        self._heard = 0  # notifications received on the current connection
        self._next_try = 0.0
        self._connecting = False
        self._closed = False
        self._schema = b""

    def generation(self) -> object | None:
        with self._lock:
            conn = self._conn
            if conn is None:
                self._reconnect_later()
                return None
            pg = conn.pgconn  # type: ignore[attr-defined]
            try:
                pg.consume_input()
                while (note := pg.notifies()) is not None:
                    if note.extra == self._schema:  # not another deployment's in the same database
                        self._heard += 1
            except Exception:  # the connection is gone: ask the database until it is back
                self._drop()
                return None
            if pg.status != 0:  # CONNECTION_OK
                self._drop()
                return None
            return ("pg", self._listening, self._heard)

    def generation_and_version(self) -> tuple[object, Version] | None:
        return None  # the version is a round trip to the server: read in a thread

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()  # type: ignore[attr-defined]
        self._next_try = time.monotonic() + RETRY_SECONDS

    def _reconnect_later(self) -> None:
        if self._closed or self._connecting or time.monotonic() < self._next_try:
            return
        self._connecting = True
        threading.Thread(target=self._connect, name="duban-listen", daemon=True).start()

    def _connect(self) -> None:
        import psycopg

        conn, schema, retry = None, b"", RETRY_SECONDS
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            row = conn.execute(
                "SELECT current_schema(), count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE c.relnamespace = current_schema()::regnamespace AND t.tgname = ANY(%s)",
                (list(TRIGGERS),),
            ).fetchone()
            if row is None or row[1] != len(TRIGGERS):  # not migrated: nobody would notify
                retry = UNMIGRATED_RETRY_SECONDS
                raise LookupError("the change triggers are missing")
            schema = str(row[0]).encode()
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception:
            if conn is not None:
                conn.close()
            conn = None
        with self._lock:
            self._connecting = False
            if conn is not None and self._closed:  # closed while connecting
                conn.close()
                conn = None
            if conn is None:
                self._next_try = time.monotonic() + retry
                return
            self._conn, self._listening, self._heard, self._schema = conn, self._listening + 1, 0, schema

    def start(self) -> PostgresWatch:
        """Listen now (in this thread), so that the first requests need not ask the database."""
        with self._lock:
            self._connecting = True
        self._connect()
        return self

    def close(self) -> None:
        """Stop listening for good (the console is shutting down)."""
        with self._lock:
            self._closed = True
            self._drop()


def watch_for(engine: Engine) -> ChangeWatch | None:
    """The change signal of ``engine``'s database, or None (an in-memory SQLite database, another
    backend): then every request asks the database."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        db = url.database
        if not db or db == ":memory:" or db.startswith("file:"):
            return None
        return SqliteWatch(db)
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresWatch(conninfo).start()
    return None
