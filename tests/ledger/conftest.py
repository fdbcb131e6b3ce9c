"""Ledger fixtures: a clean database per test on SQLite (a temp file) and on PostgreSQL.

PostgreSQL runs when ``DUBAN_TEST_POSTGRES_URL`` is set (each test gets a fresh schema, dropped
afterwards); unset, those tests skip — except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from duban.clock.calendar import WorkCalendar
from duban.clock.policy import Policy, load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.units.service import DEFAULT_UNITS, load_units

PG_ENV = "DUBAN_TEST_POSTGRES_URL"
NOW = datetime(2023, 1, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the first working day of 2023


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated to head once; each test gets a fresh copy of it."""
    path = tmp_path_factory.mktemp("template") / "ledger.sqlite3"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _sqlite(tmp_path: Path, template: Path) -> Iterator[Engine]:
    target = tmp_path / "ledger.sqlite3"
    shutil.copyfile(template, target)
    engine = make_engine(Settings(database_url=f"sqlite:///{target}"))
    yield engine
    engine.dispose()


def postgres_engine(url: str | None = None) -> Iterator[Engine]:
    """A migrated engine on a fresh schema of ``url`` (default: ``DUBAN_TEST_POSTGRES_URL``; unset,
    skip — under CI, fail), dropped afterwards. The schema rides in the URL, so an app built from
    the engine's URL (Settings) lands in it too. Shared by the ledger, console and case hub suites."""
    if url is None:
        url = os.environ.get(PG_ENV)
        if not url:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{PG_ENV} is not set under CI: the ledger suite must run on PostgreSQL too")
            pytest.skip(f"{PG_ENV} not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(Settings(database_url=scoped.render_as_string(hide_password=False)))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path) -> Iterator[Engine]:
    """A migrated, empty database (the same tests run on SQLite and PostgreSQL)."""
    if request.param == "sqlite":
        yield from _sqlite(tmp_path, request.getfixturevalue("sqlite_template"))
    else:
        yield from postgres_engine()


@pytest.fixture
def db_with_units(db: Engine) -> Engine:
    """The database with the shipped units of a prefecture-level city loaded."""
    with session_scope(db) as s:
        load_units(session=s, path=DEFAULT_UNITS, actor="test", now=NOW)
    return db


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.default()


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy("13710")


def url_of(engine: Engine) -> str:
    """The engine's URL as a string a CLI can take (password and options kept)."""
    return engine.url.render_as_string(hide_password=False)
