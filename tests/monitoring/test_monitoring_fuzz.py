"""Schemathesis on the monitoring list's API only, with more examples than the whole-API fuzz
(``tests/web/test_web_fuzz.py``): signed in as the office and as a unit officer, no answer is a 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from duban.config import Settings
from duban.web import create_app
from tests.web.web_factories import NOW, SECRET, build_template


@pytest.mark.parametrize("role", ["office", "unit_a"])
def test_no_monitoring_route_answers_500(tmp_path, role):
    world = build_template(tmp_path / "duban.sqlite3")
    app = create_app(Settings(database_url=f"sqlite:///{world.path}", secret_key=SECRET), clock=lambda: NOW)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "/monitoring/" not in operation.path:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        fuzz()
        tried += 1
    assert tried == 11
