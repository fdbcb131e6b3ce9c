"""The console's cache: fresh until bumped or expired, computed once for many askers, and the
previous value handed out only while a recomputation is under way (stale-while-revalidate)."""

from __future__ import annotations

import threading
import time

import pytest

from duban.web.cache import TTLCache


def test_fresh_until_bumped_or_expired():
    cache = TTLCache(ttl=0.05)
    cache.put("k", 1)
    assert cache.get("k") == 1
    cache.bump()
    assert cache.get("k") is None
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


def test_previous_value_while_another_asker_recomputes():
    cache = TTLCache()
    cache.put("board", "old")
    cache.bump()
    value, claim = cache.claim("board")
    assert value is None and claim is not None  # this asker recomputes
    assert cache.claim("board") == ("old", None)  # the next is not kept waiting, even before it starts
    assert cache.get("board") is None  # not fresh
    assert cache.fill("board", claim, lambda: "new") == "new"
    assert cache.claim("board") == ("new", None) and cache.get("board") == "new"


def test_a_value_never_made_is_waited_for():
    cache = TTLCache()
    value, claim = cache.claim("board")
    assert value is None and claim is not None
    assert cache.claim("board") == (None, None)  # nothing to hand out: wait (get_or_compute)
    started, release = threading.Event(), threading.Event()

    def compute() -> str:
        started.set()
        release.wait(5)
        return "first"

    worker = threading.Thread(target=cache.fill, args=("board", claim, compute))
    worker.start()
    assert started.wait(5)
    waiter: list[str] = []
    other = threading.Thread(target=lambda: waiter.append(cache.get_or_compute("board", lambda: "second")))
    other.start()
    release.set()
    worker.join()
    other.join()
    assert waiter == ["first"]


def test_a_failed_computation_lets_go_of_its_claim():
    cache = TTLCache()
    _value, claim = cache.claim("k")
    assert claim is not None

    def boom() -> str:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.fill("k", claim, boom)
    assert cache.claim("k")[1] is not None  # the next asker may compute
