"""Case hub fixtures: a clean, migrated database per test on SQLite (a temp file) and PostgreSQL.

PostgreSQL runs when ``DUBAN_TEST_POSTGRES_URL`` is set. These tests use their own database
``duban_test_cases`` on that server (created when missing) with a fresh schema per test, so they
never clash with the ledger's tests running at the same time. Unset, the PostgreSQL half skips —
except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from duban.clock.calendar import WorkCalendar
from duban.clock.policy import Policy, load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.units.service import DEFAULT_UNITS, load_units
from tests.ledger.conftest import postgres_engine

PG_ENV = "DUBAN_TEST_POSTGRES_URL"
PG_DATABASE = "duban_test_cases"
# Tuesday 2026-03-03 10:00 in Shanghai, an ordinary working day
NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def need(module: str, package: str) -> Any:
    """Import a test-only package; missing, the test skips — under ``CI=true`` it fails."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{package} is not installed (pip install {package}; it belongs in the dev extras)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)


def postgres_url() -> str:
    """The URL of this suite's own PostgreSQL database (created on first use)."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set under CI: the case hub suite must run on PostgreSQL too")
        pytest.skip(f"{PG_ENV} not set")
    base = make_url(url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DATABASE}
        ).scalar()
        if not exists:
            with contextlib.suppress(Exception):  # another worker created it first
                conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    return base.set(database=PG_DATABASE).render_as_string(hide_password=False)


def _sqlite(tmp_path) -> Iterator[Engine]:
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'cases.sqlite3'}"))
    upgrade(engine)
    yield engine
    engine.dispose()


def _postgres() -> Iterator[Engine]:
    yield from postgres_engine(postgres_url())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path) -> Iterator[Engine]:
    """A migrated database with the shipped units loaded (same tests on SQLite and PostgreSQL)."""
    gen = _sqlite(tmp_path) if request.param == "sqlite" else _postgres()
    engine = next(gen)
    with session_scope(engine) as s:
        load_units(session=s, path=DEFAULT_UNITS, actor="test", now=NOW)
    yield engine
    next(gen, None)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.default()


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy("hotline")


def url_of(engine: Engine) -> str:
    """The URL an app should use to reach the same database (and schema) as ``engine``."""
    return engine.url.render_as_string(hide_password=False)
