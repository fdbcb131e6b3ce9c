"""The mixed write load of ``bench/load_mixed.py``, small and bounded: citizens' ``/report`` and
Open311 posts at the same time against a real ``duban serve``. Asserts behaviour, not time: no
failure (no 500, no time-out) and every acknowledged case stored, no more, no fewer. (Before the
Open311 posts left the event loop, 8 clients for 3 s on SQLite met 500s and 5 s waits.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bench.load_mixed import run
from sqlalchemy import Engine

from tests.ledger.conftest import postgres_engine, url_of


def test_mixed_writes_on_sqlite_lose_nothing(tmp_path):
    figures = run(f"sqlite:///{tmp_path / 'load.sqlite3'}", clients=8, seconds=2)
    assert figures["failures"] == 0, figures["first_failures"]
    assert figures["acknowledged"] == figures["stored"] > 0


@pytest.fixture
def pg() -> Iterator[Engine]:
    yield from postgres_engine()


@pytest.mark.postgres
def test_mixed_writes_on_postgres_lose_nothing(pg):
    figures = run(url_of(pg), clients=8, seconds=2)
    assert figures["failures"] == 0, figures["first_failures"]
    assert figures["acknowledged"] == figures["stored"] > 0
