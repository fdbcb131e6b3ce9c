"""Monitoring fixtures: a migrated database with the shipped units per test, on SQLite and on
PostgreSQL (``DUBAN_TEST_POSTGRES_URL``; a fresh schema per test), and a console on it whose clock
the test moves, with a bearer token per role (two unit officers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from duban.accounts.service import create_api_token, create_user
from duban.clock.calendar import WorkCalendar
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.units.service import DEFAULT_UNITS, load_units
from tests.ledger.conftest import postgres_engine

# Tuesday 2026-03-03 10:00 in Shanghai, an ordinary working day
NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
UNIT_A, UNIT_B = "市卫生健康委员会", "市教育局"
USERS = {
    "office": ("督查室张三", "office", None),
    "leader": ("市长赵六", "leader", None),
    "unit_a": ("卫健委李四", "unit", UNIT_A),
    "unit_b": ("教育局王五", "unit", UNIT_B),
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database with the shipped units (the same tests on SQLite and PostgreSQL)."""
    if request.param == "sqlite":
        engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'monitoring.sqlite3'}"))
        upgrade(engine)
        gen: Iterator[Engine] = iter([engine])
    else:
        gen = postgres_engine()
        engine = next(gen)
    with session_scope(engine) as s:
        load_units(session=s, path=DEFAULT_UNITS, actor="test", now=NOW)
    yield engine
    if request.param == "sqlite":
        engine.dispose()
    else:
        next(gen, None)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.default()


@dataclass
class Console:
    """A console on the test's database: a client per role and a clock the test moves."""

    app: Any
    tokens: dict[str, str]
    now: list[datetime] = field(default_factory=lambda: [NOW])
    _open: list[TestClient] = field(default_factory=list)

    def api(self, role: str) -> TestClient:
        c = TestClient(self.app, follow_redirects=False)
        c.__enter__()
        c.headers["Authorization"] = f"Bearer {self.tokens[role]}"
        self._open.append(c)
        return c

    def later(self, **delta: float) -> None:
        self.now[0] = self.now[0] + timedelta(**delta)


@pytest.fixture
def console(db: Engine) -> Iterator[Console]:
    from duban.web import create_app

    tokens: dict[str, str] = {}
    with session_scope(db) as s:
        for key, (name, role, unit) in USERS.items():
            account = create_user(
                session=s, name=name, role=role, unit=unit, password="correct-horse-9", now=NOW
            )
            tokens[key] = create_api_token(session=s, account=account, now=NOW, lifetime=timedelta(days=3650))
    url = db.url.render_as_string(hide_password=False)
    clock: list[datetime] = [NOW]
    app = create_app(Settings(database_url=url, secret_key="test-secret"), clock=lambda: clock[0])
    c = Console(app=app, tokens=tokens, now=clock)
    yield c
    for client in c._open:
        client.__exit__(None, None, None)
