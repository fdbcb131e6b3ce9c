"""Answers one server's workers share: the board computed once for the host, not once a worker.

After every write each worker of ``duban serve --workers N`` found its boards stale and
recomputed them (the board page: ~60–75 ms of CPU, four queries over every duty), so one write
cost N recomputations on the same cores that answer the other requests. Here the first worker
to need the board at a data version computes it and leaves the answer in a directory of the
host's; the others, asking at the same version, read it. Whoever finds another worker computing
it waits for that one (an exclusive ``flock`` on the answer's lock file) and reads the answer it
leaves, instead of computing it again. The answers are the console's own text (a page's HTML,
an API's JSON), never pickles.

An answer's name is a digest of the server run (the workers' parent process), the data's version
(:meth:`ConsoleState.data_version`: it moves with every commit of any process), the Beijing day
of the asker's clock and the cache key (the account, its CSRF token and the filters: what the
answer may show). The directory (:func:`default_directory`, or the ``shared_dir`` setting) is
the server user's alone (mode 0700); one that is not is not used, and each worker computes its
own answers as before. An answer is used for as long as a worker keeps
its own (``max_age``: the safety net for changes made by hand in the database, which move no
version); files older than :data:`KEEP_SECONDS` are removed now and then.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import logging
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

KEEP_SECONDS = 600.0  # an answer, or a lock file, left longer than this is removed
PRUNE_EVERY = 60.0


def default_directory(database_url: str) -> Path:
    """Where one database's shared answers go by default: beside a SQLite file (``NAME-shared``,
    as its ``-wal`` and ``-shm``); else under the system's temporary directory, named for the
    user and the database (two deployments on one host do not meet).

    >>> default_directory("sqlite:////srv/duban/duban.sqlite3")
    PosixPath('/srv/duban/duban.sqlite3-shared')
    """
    url = make_url(database_url)
    name = url.database or ""
    if url.get_backend_name() == "sqlite" and name and name != ":memory:" and not name.startswith("file:"):
        path = Path(name)
        return path.with_name(path.name + "-shared")
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"duban-shared-{os.getuid()}-{digest}"


def canonical(value: object) -> str:
    """A text of ``value`` that is the same in every process: sets sorted, dataclasses by field
    (``repr`` of a set follows the process's hash order).

    >>> canonical(("page", frozenset({"b", "a"}), None, 3))
    "('page', {'a', 'b'}, None, 3)"
    """
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(canonical(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ", ".join(f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    return repr(value)


class SharedAnswers:
    """The answers this host's workers share (see the module); ``directory`` None: none shared."""

    def __init__(self, directory: Path | None, max_age: float = 300.0) -> None:
        self.directory = _usable(directory) if directory is not None else None
        self.max_age = max_age  # an older answer is computed again (as the worker's own cache's TTL)
        # one server run's workers share: the children of one master process (a server started
        # again, or a database made afresh at the same path, never meets the old answers)
        self.run = os.getppid()
        self._pruned = time.monotonic()
        self._lock = threading.Lock()

    def answer(self, version: object, key: object, compute: Callable[[], bytes]) -> bytes:
        """The answer for ``key`` at ``version``: another worker's, else ``compute()``'s (left for
        the others). Computed here also when the directory cannot be used."""
        if self.directory is None:
            return compute()
        name = hashlib.sha256(canonical((self.run, version, key)).encode()).hexdigest()[:40]
        path = self.directory / f"{name}.answer"
        found = _read(path, self.max_age)
        if found is not None:
            return found
        try:
            handle = open(self.directory / f"{name}.lock", "a")  # noqa: SIM115 — held across the computation
        except OSError as exc:
            log.warning("shared answers: %s: %s", self.directory, exc)
            return compute()
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # another worker computing it: wait for its answer
            found = _read(path, self.max_age)
            if found is not None:
                return found
            value = compute()
            self._leave(path, value)
        self._prune()
        return value

    def _leave(self, path: Path, data: bytes) -> None:
        part = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            part.write_bytes(data)
            os.replace(part, path)  # whole or absent for a reader
        except OSError as exc:
            log.warning("shared answers: %s: %s", path, exc)
            part.unlink(missing_ok=True)

    def _prune(self) -> None:
        """Remove answers and lock files older than KEEP_SECONDS, once a minute at most."""
        now = time.monotonic()
        with self._lock:
            if now - self._pruned < PRUNE_EVERY or self.directory is None:
                return
            self._pruned = now
        cutoff = time.time() - KEEP_SECONDS
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                continue


def _read(path: Path, max_age: float) -> bytes | None:
    """The answer left at ``path`` if it is younger than ``max_age`` seconds."""
    try:
        with open(path, "rb") as fh:
            if time.time() - os.fstat(fh.fileno()).st_mtime >= max_age:
                return None
            return fh.read()
    except OSError:
        return None


def _usable(directory: Path) -> Path | None:
    """``directory``, made if missing (0700), when it is this user's alone; else None (logged)."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = directory.stat(follow_symlinks=False)
    except OSError as exc:
        log.warning("shared answers off: %s: %s", directory, exc)
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        log.warning("shared answers off: %s is not a directory of this user's alone (mode 0700)", directory)
        return None
    return directory
