"""Schemathesis fuzzes every operation of the console's OpenAPI description (a few examples each,
derandomized, signed in as the office) on SQLite and on PostgreSQL: no answer may be a 500.
(It found a sensor alarm dated 3636 answered with a 500: a date past the working calendar.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from duban.config import Settings
from tests.ledger.conftest import postgres_engine, url_of
from tests.web.web_factories import NOW, SECRET, fill


def fuzz_all(app, token: str) -> int:
    """Every operation, three examples each; returns how many operations were tried."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        fuzz()
        tried += 1
    return tried


def test_no_route_answers_500_on_sqlite(app, world):
    assert fuzz_all(app, world.tokens["office"]) > 30


@pytest.fixture
def pg() -> Iterator[Engine]:
    yield from postgres_engine()


@pytest.mark.postgres
def test_no_route_answers_500_on_postgres(pg, tmp_path):
    from duban.web import create_app

    world = fill(pg, tmp_path / "unused")
    settings = Settings(database_url=url_of(pg), secret_key=SECRET, upload_dir=tmp_path / "uploads")
    assert fuzz_all(create_app(settings, clock=lambda: NOW), world.tokens["office"]) > 30
