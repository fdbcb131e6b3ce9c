"""The console on PostgreSQL, as production runs it: the same template world built through the
services in a fresh schema, the app built from a PostgreSQL URL, and the main journeys through
the API — the closure workflow and the board, refused access logged, co-units, a citizen's case
from dispatch to archive and the rates. (The route table runs on SQLite; the SQL these journeys
reach — board aggregation, case flow, rates — is the part that differs between the two.)
Skipped without ``DUBAN_TEST_POSTGRES_URL``; under ``CI=true`` it fails instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import session_scope
from tests.ledger.conftest import postgres_engine, url_of
from tests.web.conftest import Clients
from tests.web.test_web_query_counts import counted
from tests.web.web_factories import CASE_IDS, NOW, SECRET, UNIT_A, UNIT_B, World, fill

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg() -> Iterator[Engine]:
    yield from postgres_engine()


@pytest.fixture
def clients(pg: Engine, tmp_path) -> Iterator[Clients]:
    from duban.web import create_app

    world: World = fill(pg, tmp_path / "unused")
    settings = Settings(database_url=url_of(pg), secret_key=SECRET, upload_dir=tmp_path / "uploads")
    cs = Clients(create_app(settings, clock=lambda: NOW), world)
    yield cs
    cs.close()


def test_closure_workflow_and_board_on_postgres(clients):
    w = clients.world
    office, unit = clients.api("office"), clients.api("unit_a")
    before = office.get("/api/board").json()
    assert before["totals"]["total"] == 2 and before["series"][-1]["month"] == "2023-03"
    assert (
        unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "开工", "share": 40}).status_code == 201
    )
    assert unit.post(f"/api/duties/{w.duty_a}/closure-request", json={"text": "完成"}).status_code == 200
    r = office.post(f"/api/duties/{w.duty_a}/review", json={"decision": "approve", "grade": "良好"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    after = office.get("/api/board").json()
    assert after["rows_total"] == before["rows_total"] - 1 and after["totals"]["grey"] >= 1
    assert office.get("/api/board", params={"section": "扩大有效投资"}).json()["totals"]["total"] == 1
    detail = office.get(f"/api/duties/{w.duty_a}").json()
    assert detail["duty"]["grade"] == "良好" and detail["progress"][0]["share"] == 40


def test_refused_access_is_logged_on_postgres(clients, pg):
    w = clients.world
    r = clients.api("unit_b").get(f"/api/duties/{w.duty_a}")
    assert r.status_code == 404
    with session_scope(pg) as s:
        denied = s.scalars(select(EventRow).where(EventRow.action == "access_denied")).all()
    assert [(e.entity, e.entity_id) for e in denied] == [("duty", w.duty_a)]


def test_co_unit_duties_on_postgres(clients):
    w = clients.world
    office = clients.api("office")
    r = office.post(
        f"/api/items/{w.item_a}/assign", json={"unit": UNIT_A, "co_units": [UNIT_B], "major": True}
    )
    assert r.status_code == 200, r.text
    co = clients.api("unit_b").get("/api/duties", params={"co_unit": "true"}).json()
    assert [d["duty_id"] for d in co["items"]] == [w.duty_a]
    body = {"milestones": [{"name": "完成招标", "due": "2023-05-31"}]}
    assert office.put(f"/api/duties/{w.duty_a}/milestones", json=body).status_code == 200
    done = clients.api("unit_a").post(f"/api/duties/{w.duty_a}/milestones/完成招标/done")
    assert done.status_code == 200 and done.json()["done_at"]


def test_a_case_from_dispatch_to_archive_on_postgres(clients):
    office, unit = clients.api("office"), clients.api("unit_a")
    case = CASE_IDS["received"]
    steps = [
        (office, "dispatch", {"unit": UNIT_A}),
        (unit, "accept", None),
        (unit, "start", None),
        (unit, "settle", {"reply": "已派人修复路灯，现已恢复照明。"}),
        (office, "follow-up", {"satisfaction": "满意"}),
        (office, "archive", None),
    ]
    for client, action, body in steps:
        r = client.post(f"/api/cases/{case}/{action}", json=body or {})
        assert r.status_code == 200, (action, r.text)
    detail = office.get(f"/api/cases/{case}").json()
    assert detail["status"] == "archived"
    rates = office.get("/api/cases/rates", params={"month": "2023-03"})
    assert rates.status_code == 200, rates.text
    listed = office.get("/api/cases", params={"status": "archived"}).json()
    assert case in [c["id"] for c in listed["items"]]


def test_bulk_assignment_all_or_nothing_on_postgres(clients, pg):
    w = clients.world
    office, csrf = clients.browser("office")
    items = {
        i["ref"]: i["id"] for i in clients.api("office").get(f"/api/plans/{w.plan_id}/items").json()["items"]
    }
    bad = office.post(
        f"/plans/{w.plan_id}/bulk-assign",
        data={"unit": UNIT_B, "item_ids": [str(items["t3"]), "99999"], "csrf_token": csrf},
    )
    assert bad.status_code == 422
    ok = office.post(
        f"/plans/{w.plan_id}/bulk-assign",
        data={"unit": UNIT_B, "item_ids": [str(items["t3"]), str(items["q1"])], "csrf_token": csrf},
    )
    assert ok.status_code == 303
    with session_scope(pg) as s:
        assigned = {
            e.entity_id
            for e in s.scalars(select(EventRow).where(EventRow.action == "assign", EventRow.actor != "test"))
        }
    assert len(assigned) == 2


def _soon(ask, seconds: float = 2.0):
    """``ask()`` until it is truthy: PostgreSQL delivers the change notification a moment after
    the commit (well under a millisecond on one machine; the bound is for a loaded CI host)."""
    deadline = time.monotonic() + seconds
    while not (answer := ask()) and time.monotonic() < deadline:
        time.sleep(0.005)
    return answer


def test_two_workers_see_each_others_writes_and_logouts_on_postgres(clients, pg):
    """Two apps on one database stand for two workers (or two machines): each keeps its pages and
    session checks until the other commits something (``NOTIFY duban_changes``)."""
    from fastapi.testclient import TestClient

    from duban.web import create_app

    w = clients.world
    a = clients.app
    b = create_app(a.state.console.settings, clock=lambda: NOW)
    token, csrf = w.sessions["office"]
    cookie = a.state.console.signer.dumps(token)
    with TestClient(a, follow_redirects=False) as ca, TestClient(b, follow_redirects=False) as cb:
        for c in (ca, cb):
            c.cookies.set("duban_session", cookie)
        assert "第二个进程" not in cb.get(f"/duties/{w.duty_a}").text  # B keeps the page
        with counted(b) as again:
            assert cb.get(f"/duties/{w.duty_a}").status_code == 200
        assert again == []  # kept: no statement, not even the session's check
        unit = clients.api("unit_a")  # a write through A
        assert unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "第二个进程"}).status_code == 201
        assert _soon(lambda: "第二个进程" in cb.get(f"/duties/{w.duty_a}").text)
        assert ca.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert _soon(lambda: cb.get("/api/me").status_code == 401)
    b.state.console.dispose()
