"""A sliding-window limit on anonymous submissions (the citizens' ``/report`` form).

At most ``limit`` submissions per ``window`` seconds from one client address, counted in this
server process: with ``duban serve --workers N`` one address may get up to N × ``limit`` through,
so a front proxy should limit as well. Memory stays bounded: addresses with nothing left in
their window are forgotten when the table grows past ``max_keys``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Throttle:
    """``wait(key)`` is 0 while ``key`` may submit, else the seconds until it may again;
    ``record(key)`` counts a submission.

    >>> now = [0.0]
    >>> t = Throttle(2, 60.0, clock=lambda: now[0])
    >>> t.record("a"); t.record("a"); t.wait("a"), t.wait("b")
    (60.0, 0.0)
    >>> now[0] = 61.0; t.wait("a")
    0.0
    """

    limit: int
    window: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 10_000
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def wait(self, key: str) -> float:
        with self._lock:
            now = self.clock()
            hits = self._recent(key, now)
            return 0.0 if len(hits) < self.limit else hits[0] + self.window - now

    def record(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            if key not in self._hits and len(self._hits) >= self.max_keys:
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[k]
            self._hits.setdefault(key, deque()).append(now)
