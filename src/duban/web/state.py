"""What the running console holds: settings, the engine, the clock's calendar and policy, the
board cache. Built by :func:`duban.web.app.create_app`; the engine connects
on first use, never at import time.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool
from itsdangerous import URLSafeSerializer
from sqlalchemy import Connection, Engine

from duban.audit import service as audit
from duban.cases.intake import Classifier, load_classifier
from duban.cases.rules import load_rules
from duban.clock.calendar import SHANGHAI, WorkCalendar
from duban.clock.policy import Policy, load_policy
from duban.config import Settings, parse_rate
from duban.db import make_engine
from duban.ledger.clocks import Clocks, government_clocks

READ_CACHE_BYTES = 64 * 2**20  # per worker process


def utc_now() -> datetime:
    """The wall clock, aware UTC (the console is not domain code; services get it passed in)."""
    return datetime.now(UTC)


def business_clock(day: date) -> Callable[[], datetime]:
    """A clock that shows ``day`` (Beijing) at the wall clock's time of day: the console of a demo
    or a training copy runs in the year its ledger played, and its time still moves."""

    def now() -> datetime:
        wall = datetime.now(SHANGHAI)
        return datetime.combine(day, wall.timetz()).astimezone(UTC)

    return now


class TTLCache:
    """A small cache whose entries go stale after ``ttl`` seconds or when :meth:`bump` is called.

    Stale-while-revalidate: while one asker recomputes a stale entry, :meth:`claim` hands others
    the previous value instead of making them wait (a write under load costs one recomputation,
    not a queue of 50 waiting requests). Whoever asks when no recomputation is under way gets a
    fresh value.
    """

    def __init__(self, ttl: float = 5.0, size: int = 256, budget: int | None = None) -> None:
        self.ttl, self.size, self.budget = ttl, size, budget
        self.generation = 0
        self.weight = 0  # the values' ``size`` summed, when a ``budget`` (bytes) bounds them
        self._data: OrderedDict[Any, tuple[int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Any, threading.Lock] = {}

    def get(self, key: Any) -> Any | None:
        """The fresh value, or None."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            gen, expires, value = hit
            return value if gen == self.generation and expires >= time.monotonic() else None

    def claim(self, key: Any) -> tuple[Any | None, threading.Lock | None]:
        """For an asker on the event loop: (the fresh value, None); (the previous value, None)
        while another asker recomputes it; (None, a held lock) when this asker is to compute it
        (:meth:`fill`) — claimed at once, so that whoever arrives before the computation starts
        gets the previous value instead of queueing behind it; (None, None) while another asker
        computes a value never made before (wait with :meth:`get_or_compute`)."""
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] == self.generation and hit[1] >= time.monotonic():
                return hit[2], None
            key_lock = self._computing.setdefault(key, threading.Lock())
            if key_lock.acquire(blocking=False):
                return None, key_lock
            return (hit[2] if hit is not None else None), None

    def fill(self, key: Any, key_lock: threading.Lock, compute: Callable[[], Any]) -> Any:
        """Compute the value :meth:`claim` gave this asker to compute, keep it, let go of the claim."""
        try:
            value = compute()
            if value is not None:
                self.put(key, value)
            return value
        finally:
            with self._lock:
                key_lock.release()
                self._computing.pop(key, None)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            old = self._data.get(key)
            if old is not None:
                self.weight -= self._size_of(old[2])
            self._data[key] = (self.generation, time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            self.weight += self._size_of(value)
            while len(self._data) > self.size or (self.budget is not None and self.weight > self.budget):
                _key, (_gen, _exp, gone) = self._data.popitem(last=False)
                self.weight -= self._size_of(gone)

    def _size_of(self, value: Any) -> int:
        return int(value.size) if self.budget is not None else 0

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The fresh value, or ``compute()`` run once while other askers of the same key wait."""
        value = self.get(key)
        if value is not None:
            return value
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        try:
            with key_lock:
                value = self.get(key)
                if value is None:
                    value = compute()
                    if value is not None:  # None: nothing to keep (the next asker computes again)
                        self.put(key, value)
        finally:
            with self._lock:
                if not key_lock.locked():
                    self._computing.pop(key, None)
        return value

    def bump(self) -> None:
        """Make every entry stale (a write happened); stale entries stay only for :meth:`get`'s
        ``stale_ok`` while they are recomputed."""
        with self._lock:
            self.generation += 1


async def kept(cache: TTLCache, key: Any, compute: Callable[[], Any]) -> Any:
    """``cache``'s value for ``key`` for an asker on the event loop: the fresh one; the previous
    one while another asker recomputes it; else computed in a worker thread (once, whoever asks)."""
    value, claim = cache.claim(key)
    if value is not None:
        return value
    if claim is not None:
        return await run_in_threadpool(cache.fill, key, claim, compute)
    return await run_in_threadpool(cache.get_or_compute, key, compute)


@dataclass
class ConsoleState:
    """The console's long-lived parts (one per app)."""

    settings: Settings
    clock: Callable[[], datetime] = utc_now
    # The board is recomputed when the ledger changes (see data_version), not on a timer; the TTL
    # is only a safety net for changes made outside duban (by hand in the database).
    board_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=300.0))
    auth_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=5.0, size=1024))
    # browser sessions' accounts by (user id, the data's version): web.deps._session_lookup
    account_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=300.0, size=1024))
    # The duty API's answers, keyed by the ledger's version (web.queries.cached_duty); the TTL
    # is a safety net for PostgreSQL, where an event may commit after a newer one.
    duty_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=60.0, size=4096))
    # Answers of the remembered GET routes (web.read_cache), keyed by the data's version; the TTL
    # is a safety net for an event committed later than LATE_WINDOW newer ones on PostgreSQL.
    read_cache: TTLCache = field(
        default_factory=lambda: TTLCache(ttl=300.0, size=50_000, budget=READ_CACHE_BYTES)
    )
    _engine: Engine | None = None
    _calendar: WorkCalendar | None = None
    _policy: Policy | None = None
    case_units: dict[str, int | None] = field(default_factory=dict)  # category → suggested unit id
    version_every: float = 1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _version: tuple[object, float] = (None, 0.0)  # the data's version and when it was read
    _epoch: int = 0
    _reading: tuple[int, Future[object]] | None = None  # a read of the version under way
    _classifier: tuple[Classifier | None] | None = None
    _case_policy: Policy | None = None
    _report_rate: tuple[tuple[int, float] | None] | None = None
    _clocks: tuple[object, Clocks] | None = None

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self.settings)
            return self._engine

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = WorkCalendar.load(self.settings.holiday_file, stored=self.settings.calendar_dir)
        return self._calendar

    def clock_of(
        self, connection: Connection, version: object, government_id: int | None
    ) -> tuple[WorkCalendar, Policy]:
        """The days and policy a duty of ``government_id``'s plan runs on (its government's own,
        :mod:`duban.ledger.clocks`), the governments read again only when the ledger's ``version``
        (:func:`duban.audit.service.version`: a changed setting writes an event) has moved."""
        if government_id is None:
            return self.calendar, self.policy
        memo = self._clocks
        if memo is None or memo[0] != version:
            clocks = government_clocks(connection=connection, calendar=self.calendar, policy=self.policy)
            memo = self._clocks = (version, clocks)
        return memo[1].calendar_of(government_id), memo[1].policy_of(government_id)

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = load_policy(self.settings.policy)
        return self._policy

    @property
    def report_rate(self) -> tuple[int, float] | None:
        """The limit on citizens' ``/report`` submissions per address (``report_rate``): (count,
        seconds), or None when off. Counted in the database (:mod:`duban.web.throttle`)."""
        if self._report_rate is None:
            self._report_rate = (parse_rate(self.settings.report_rate),)
        return self._report_rate[0]

    @property
    def case_policy(self) -> Policy:
        """The case hub's clock policy (``hub.yaml`` names it: the hotline limits), loaded once."""
        if self._case_policy is None:
            self._case_policy = load_policy(load_rules().policy)
        return self._case_policy

    @property
    def case_classifier(self) -> Classifier | None:
        """The city's category model (``settings.case_model``, written by ``duban cases train``),
        loaded on first use; None when none is configured — then every new case waits for a
        person to classify it."""
        if self._classifier is None:
            self._classifier = (load_classifier(self.settings.case_model),)
        return self._classifier[0]

    def forget_classifier(self) -> None:
        """Load the model file again on next use (after a retrain replaced it)."""
        self._classifier = None

    @functools.cached_property
    def signer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.settings.secret_key, salt="duban-session")

    def data_version(self) -> object:
        """The data's version (:func:`duban.audit.service.version`: every change writes an event,
        so it moves with any change, also one made by another process — ``duban tick`` from cron,
        the other server worker, the MQTT gateway), as this process last read it: read again
        when ``version_every`` seconds have passed or this process has written since. Cached
        boards are forgotten when it has moved."""
        seen = self._fresh_version()
        return seen if seen is not None else self._read_version()

    def _fresh_version(self) -> object | None:
        seen, checked = self._version
        return seen if seen is not None and time.monotonic() - checked < self.version_every else None

    def _read_version(self) -> object:
        epoch = self._epoch
        with self.engine.connect() as conn:
            return self.observe(audit.version(connection=conn), epoch)

    def observe(self, version: object, epoch: int) -> object:
        """Take ``version``, read by a query begun at ``epoch`` (:attr:`epoch`), as the data's
        (by :meth:`data_version`, or with a browser's session check); forget the boards kept if
        it has moved. Trusted for ``version_every`` only if this process wrote nothing since the
        query began (else the next request reads it again)."""
        seen = self._version[0]
        self._version = (version, time.monotonic() if epoch == self._epoch else float("-inf"))
        if seen is not None and version != seen:
            self.board_cache.bump()
        return version

    @property
    def epoch(self) -> int:
        """How many writes this process has made (:meth:`recheck`): a version read from a query
        begun before the last of them is not trusted."""
        return self._epoch

    async def data_version_async(self) -> object:
        """:meth:`data_version` from the event loop: when a read is due, one query in a thread,
        awaited by every request that asks meanwhile (not a query each: after a write, 50 waiting
        requests would otherwise send 50)."""
        seen = self._fresh_version()
        if seen is not None:
            return seen
        with self._lock:
            pending = self._reading
            if (
                pending is None
                or pending[0] != self._epoch
                or (pending[1].done() and self._fresh_version() is None)
            ):
                pending = self._reading = (self._epoch, Future())
                starter = True
            else:
                starter = False
        future = pending[1]
        if starter:

            def read() -> None:  # the thread settles the future even if this request is cancelled
                try:
                    future.set_result(self._read_version())
                except BaseException as exc:
                    future.set_exception(exc)

            await run_in_threadpool(read)
        return await asyncio.wrap_future(future)

    def fresh_boards(self) -> None:
        """Forget cached boards if the data changed since they were made (:meth:`data_version`)."""
        self.data_version()

    def written(self) -> None:
        """Something was written: cached boards and sign-ins are stale, the version is read
        again on the next request (a writer reads its own write at once)."""
        self.board_cache.bump()
        self.auth_cache.bump()
        self.recheck()

    def recheck(self) -> None:
        """Read the data's version on the next request (this process has just written)."""
        self._epoch += 1
        self._version = (self._version[0], float("-inf"))

    def warm(self) -> None:
        """Load at start what the first requests would otherwise wait for: the calendar (and the
        holiday library it imports), the clock policies, the Open311 catalogue,
        the page templates and one database connection. Under load the first citizen's report
        waited seconds for these. A part that fails to load is left for its first use, which
        reports the problem as before."""
        from sqlalchemy.orm import configure_mappers

        from duban.cases.open311.catalog import load_services
        from duban.db import load_models
        from duban.web.render import templates

        parts: list[Callable[[], object]] = [
            lambda: self.calendar,
            lambda: self.policy,
            lambda: self.case_policy,
            load_services,
            lambda: [templates.get_template(name) for name in templates.env.list_templates()],
            lambda: self.engine.connect().close(),
            load_models,
            configure_mappers,  # else the first ORM query does it
        ]
        for part in parts:
            try:
                part()
            except Exception:  # reported on first use, as without warming
                continue

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
