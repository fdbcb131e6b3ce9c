"""The console's cache: fresh until bumped or expired, computed once for many askers, and the
previous value handed out only while a recomputation is under way (stale-while-revalidate)."""

from __future__ import annotations

import threading
import time

from duban.web.state import TTLCache


def test_fresh_until_bumped_or_expired():
    cache = TTLCache(ttl=0.05)
    cache.put("k", 1)
    assert cache.get("k") == 1
    cache.bump()
    assert cache.get("k") is None and cache.get("k", stale_ok=True) is None  # nobody recomputes
    cache.put("k", 2)
    time.sleep(0.06)
    assert cache.get("k") is None


def test_computed_once_for_concurrent_askers():
    cache = TTLCache()
    calls = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 7

    threads = [threading.Thread(target=cache.get_or_compute, args=("k", compute)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and cache.get("k") == 7


def test_stale_value_only_while_recomputing():
    cache = TTLCache()
    cache.put("board", "old")
    cache.bump()
    started, release = threading.Event(), threading.Event()

    def compute() -> str:
        started.set()
        release.wait(5)
        return "new"

    worker = threading.Thread(target=cache.get_or_compute, args=("board", compute))
    worker.start()
    assert started.wait(5)
    assert cache.get("board") is None  # not fresh
    assert cache.get("board", stale_ok=True) == "old"  # another asker is not kept waiting
    release.set()
    worker.join()
    assert cache.get("board") == "new" and cache.get("board", stale_ok=True) == "new"
