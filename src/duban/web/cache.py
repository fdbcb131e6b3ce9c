"""The console's caches in memory: :class:`TTLCache` (fresh until bumped or expired, computed
once for many askers, the previous value handed out while one asker recomputes it) and
:func:`kept`, its use from the event loop. What they hold and when they go stale is the
console's (:mod:`duban.web.state`, :mod:`duban.web.read_cache`)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi.concurrency import run_in_threadpool


class TTLCache:
    """A small cache whose entries go stale after ``ttl`` seconds or when :meth:`bump` is called.

    Stale-while-revalidate: while one asker recomputes a stale entry, :meth:`claim` hands others
    the previous value instead of making them wait (a write under load costs one recomputation,
    not a queue of 50 waiting requests). Whoever asks when no recomputation is under way gets a
    fresh value.
    """

    def __init__(
        self,
        ttl: float = 5.0,
        size: int = 256,
        budget: int | None = None,
        weigh: Callable[[Any], int] | None = None,
    ) -> None:
        if budget is not None and weigh is None:
            raise ValueError("a cache bounded in bytes needs weigh (a value's bytes)")
        self.ttl, self.size, self.budget, self.weigh = ttl, size, budget, weigh
        self.generation = 0
        self.weight = 0  # the values' weights summed, when a ``budget`` (bytes) bounds them
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
        return self.weigh(value) if self.weigh is not None else 0

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


def answer_weight(answer: tuple[bytes, object]) -> int:
    """The bytes a kept answer ``(body, headers)`` holds: its body, and ~200 for the rest."""
    return len(answer[0]) + 200


async def kept(cache: TTLCache, key: Any, compute: Callable[[], Any]) -> Any:
    """``cache``'s value for ``key`` for an asker on the event loop: the fresh one; the previous
    one while another asker recomputes it; else computed in a worker thread (once, whoever asks)."""
    value, claim = cache.claim(key)
    if value is not None:
        return value
    if claim is not None:
        return await run_in_threadpool(cache.fill, key, claim, compute)
    return await run_in_threadpool(cache.get_or_compute, key, compute)
