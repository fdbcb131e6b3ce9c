"""What the running console holds: settings, the engine, the clock's calendar and policy, the
board cache. Built by :func:`duban.web.app.create_app`; the engine connects
on first use, never at import time.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

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
from duban.web.cache import TTLCache, answer_weight
from duban.web.changes import ChangeWatch, watch_for
from duban.web.shared_answers import SharedAnswers, default_directory

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
    # a browser session's check by its token, trusted while nothing is committed (web.deps)
    session_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=300.0, size=8192))
    # The duty API's answers, keyed by the ledger's version (web.queries.cached_duty); the TTL
    # is a safety net for PostgreSQL, where an event may commit after a newer one. Each holds
    # ~28 objects the garbage collector walks (the duty's read models): 512 keep its full
    # collections short (4,096 made them ~100 ms, a pause for every request); the routes' own
    # answers are kept besides, as bytes (read_cache).
    duty_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=60.0, size=512))
    # Answers of the remembered GET routes (web.read_cache), keyed by the data's version; the TTL
    # is a safety net for an event committed later than LATE_WINDOW newer ones on PostgreSQL.
    read_cache: TTLCache = field(
        default_factory=lambda: TTLCache(ttl=300.0, size=50_000, budget=READ_CACHE_BYTES, weigh=answer_weight)
    )
    _engine: Engine | None = None
    _calendar: WorkCalendar | None = None
    _policy: Policy | None = None
    case_units: dict[str, int | None] = field(default_factory=dict)  # category → suggested unit id
    version_every: float = 1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # the data's version, when it was read, and the change watch's generation before the read
    _version: tuple[object, float, object] = (None, 0.0, None)
    _watch: tuple[ChangeWatch | None] | None = None
    _auth_generation: object | None = None  # the change watch's, when auth_cache was last current
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

    @functools.cached_property
    def shared(self) -> SharedAnswers:
        """The answers this host's workers share (``shared_dir``; :mod:`duban.web.shared_answers`)."""
        directory = self.settings.shared_dir or default_directory(self.settings.database_url)
        return SharedAnswers(directory, max_age=self.board_cache.ttl)

    @property
    def watch(self) -> ChangeWatch | None:
        """The database's change signal (:mod:`duban.web.changes`), or None."""
        if self._watch is None:
            engine = self.engine
            with self._lock:
                if self._watch is None:
                    self._watch = (watch_for(engine),)
        return self._watch[0]

    def generation(self) -> object | None:
        """The change watch's generation now (no query), or None when there is none to trust."""
        watch = self.watch
        return watch.generation() if watch is not None else None

    def tokens_current(self) -> None:
        """Forget the bearer-token lookups once the change watch has moved: a token revoked or an
        account disabled by another worker or the CLI is refused from the next lookup on (without
        a watch, after ``auth_cache``'s few seconds)."""
        generation = self.generation()
        if generation is not None and generation != self._auth_generation:
            if self._auth_generation is not None:
                self.auth_cache.bump()
            self._auth_generation = generation

    def data_version(self) -> object:
        """The data's version (:func:`duban.audit.service.version`: every change writes an event,
        so it moves with any change, also one made by another process — ``duban tick`` from cron,
        the other server worker, the MQTT gateway), as this process last read it: read again
        once the database's change signal (:attr:`watch`) says something was committed since —
        without one, when ``version_every`` seconds have passed — or this process has written
        since. Cached boards are forgotten when it has moved."""
        seen = self._fresh_version()
        return seen if seen is not None else self._read_version()

    def _fresh_version(self) -> object | None:
        seen, checked, generation = self._version
        if seen is None or checked == float("-inf"):
            return None
        if generation is not None:
            return seen if self.generation() == generation else None
        return seen if time.monotonic() - checked < self.version_every else None

    def _read_version(self) -> object:
        quick = self._watched_version()
        if quick is not None:
            return quick
        epoch, generation = self._epoch, self.generation()
        with self.engine.connect() as conn:
            return self.observe(audit.version(connection=conn), epoch, generation)

    def _watched_version(self) -> object | None:
        """The version read by the change watch itself (SQLite: microseconds, no thread), or None."""
        watch, epoch = self.watch, self._epoch
        both = watch.generation_and_version() if watch is not None else None
        return None if both is None else self.observe(both[1], epoch, both[0])

    def observe(self, version: object, epoch: int, generation: object | None = None) -> object:
        """Take ``version``, read by a query begun at ``epoch`` (:attr:`epoch`) when the change
        watch stood at ``generation``, as the data's (by :meth:`data_version`, or with a browser's
        session check); forget the boards kept if it has moved. Trusted until the watch moves
        (without one, for ``version_every``) only if this process wrote nothing since the query
        began (else the next request reads it again)."""
        seen = self._version[0]
        checked = time.monotonic() if epoch == self._epoch else float("-inf")
        self._version = (version, checked, generation)
        if seen is not None and version != seen:
            self.board_cache.bump()
        return version

    @property
    def epoch(self) -> int:
        """How many writes this process has made (:meth:`recheck`): a version read from a query
        begun before the last of them is not trusted."""
        return self._epoch

    async def data_version_async(self) -> object:
        """:meth:`data_version` from the event loop: when a read is due, the change watch's own
        read where it has one (SQLite, on the loop), else one query in a thread, awaited by every
        request that asks meanwhile (not a query each: after a write, 50 waiting requests would
        otherwise send 50)."""
        seen = self._fresh_version()
        if seen is None:
            seen = self._watched_version()
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

    def written(self) -> None:
        """Something was written: cached boards and sign-ins are stale, the version is read
        again on the next request (a writer reads its own write at once)."""
        self.board_cache.bump()
        self.auth_cache.bump()
        self.recheck()

    def recheck(self) -> None:
        """Read the data's version on the next request (this process has just written)."""
        self._epoch += 1
        self._version = (self._version[0], float("-inf"), None)

    def warm(self) -> None:
        """Load at start what the first requests would otherwise wait for: the calendar (and the
        holiday library it imports), the clock policies, the Open311 catalogue,
        the page templates, the hot spots' libraries and one database connection. Under load the
        first citizen's report waited seconds for these. What is loaded here is frozen with the
        rest of the start-up objects (web.app's lifespan): the garbage collector does not walk it
        again. A part that fails to load is left for its first use, which reports the problem as
        before."""
        from sqlalchemy.orm import configure_mappers

        from duban.cases.open311.catalog import load_services
        from duban.db import load_models
        from duban.web.case_reports import import_hot_libraries
        from duban.web.render import templates

        parts: list[Callable[[], object]] = [
            lambda: self.calendar,
            lambda: self.policy,
            lambda: self.case_policy,
            load_services,
            lambda: [templates.get_template(name) for name in templates.env.list_templates()],
            import_hot_libraries,  # ~1,000 modules: 67,000 objects the collector would walk
            lambda: self.engine.connect().close(),
            lambda: self.watch,  # PostgreSQL: listening before the first request
            load_models,
            configure_mappers,  # else the first ORM query does it
        ]
        for part in parts:
            try:
                part()
            except Exception:  # reported on first use, as without warming
                continue

    def dispose(self) -> None:
        watch, self._watch = (self._watch or (None,))[0], None
        if watch is not None:
            watch.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
