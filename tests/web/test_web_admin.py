"""账户管理 (``/admin/users``) over HTTP: the list, each action through the accounts service with
its event naming the office account, refusals that change nothing, and no way to lock oneself out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from duban.accounts.service import authenticate, token_account
from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import make_engine, session_scope
from tests.ledger.conftest import postgres_engine, url_of
from tests.web.conftest import Clients
from tests.web.web_factories import NOW, PASSWORD, SECRET, USERS, World, fill

OFFICE = USERS["office"][0]
UNIT_B = USERS["unit_b"][0]


def _user_events(settings: Settings) -> list[tuple[str, str, int]]:
    engine = make_engine(settings)
    try:
        with session_scope(engine) as s:
            rows = s.scalars(select(EventRow).where(EventRow.entity == "user").order_by(EventRow.id))
            return [
                (e.action, e.actor, e.entity_id) for e in rows if e.action not in ("login", "token_issue")
            ]
    finally:
        engine.dispose()


def _user_id(page: str, name: str) -> int:
    import re

    m = re.search(r'id="user-(\d+)" data-name="' + re.escape(name) + '"', page)
    assert m, name
    return int(m.group(1))


def test_the_list_shows_every_account_with_its_tokens(clients):
    c, _ = clients.browser("office")
    r = c.get("/admin/users")
    assert r.status_code == 200
    for name, _role, unit in USERS.values():
        assert name in r.text
        if unit:
            assert unit in r.text
    assert "有效令牌：1" in r.text  # each test account holds one bearer token
    assert 'href="/admin/users"' in r.text  # the office's nav links here


def test_actions_go_through_the_service_with_events(clients, settings):
    c, csrf = clients.browser("office")
    uid = _user_id(c.get("/admin/users").text, UNIT_B)
    r = c.post(f"/admin/users/{uid}/revoke-tokens", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/admin/users"
    assert clients.api("unit_b").get("/api/duties").status_code == 401
    assert (
        c.post(f"/admin/users/{uid}/active", data={"csrf_token": csrf, "active": "false"}).status_code == 303
    )
    r = c.post(f"/admin/users/{uid}/password", data={"csrf_token": csrf, "password": "Jiaoyuju-2023-x"})
    assert r.status_code == 303
    r = c.post(f"/admin/users/{uid}/role", data={"csrf_token": csrf, "role": "leader", "unit": ""})
    assert r.status_code == 303
    assert (
        c.post(f"/admin/users/{uid}/active", data={"csrf_token": csrf, "active": "true"}).status_code == 303
    )
    r = c.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "新来的督查员", "role": "office", "password": "Ducha-new-2023"},
    )
    assert r.status_code == 303
    events = _user_events(settings)
    actions = [(a, actor) for a, actor, entity_id in events if entity_id == uid and actor != "system"]
    assert actions == [
        ("token_revoke", OFFICE),
        ("disable", OFFICE),
        ("reset_password", OFFICE),
        ("set_role", OFFICE),
        ("enable", OFFICE),
    ]
    assert events[-1][:2] == ("create", OFFICE)
    engine = make_engine(settings)
    with session_scope(engine) as s:
        account = authenticate(session=s, name=UNIT_B, password="Jiaoyuju-2023-x")
        assert account is not None and account.role == "leader" and account.unit_id is None
        assert authenticate(session=s, name=UNIT_B, password=PASSWORD) is None
        assert token_account(session=s, token=clients.world.tokens["unit_b"]) is None
    engine.dispose()


def test_refusals_change_nothing_and_name_the_field(clients, settings):
    c, csrf = clients.browser("office")
    uid = _user_id(c.get("/admin/users").text, UNIT_B)
    before = _user_events(settings)
    r = c.post(f"/admin/users/{uid}/password", data={"csrf_token": csrf, "password": "1234567890"})
    assert r.status_code == 400 and 'data-field="password"' in r.text and "常见" in r.text
    r = c.post(f"/admin/users/{uid}/role", data={"csrf_token": csrf, "role": "unit", "unit": ""})
    assert r.status_code == 400 and 'data-field="unit"' in r.text
    r = c.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": OFFICE, "role": "leader", "password": "Ducha-new-2023"},
    )
    assert r.status_code == 400 and 'data-field="name"' in r.text and "已存在" in r.text
    me = _user_id(c.get("/admin/users").text, OFFICE)
    r = c.post(f"/admin/users/{me}/active", data={"csrf_token": csrf, "active": "false"})
    assert r.status_code == 409 and "自己" in r.text
    r = c.post(f"/admin/users/{me}/role", data={"csrf_token": csrf, "role": "leader"})
    assert r.status_code == 409
    assert _user_events(settings) == before
    engine = make_engine(settings)
    with session_scope(engine) as s:
        assert authenticate(session=s, name=UNIT_B, password=PASSWORD) is not None
    engine.dispose()


def test_only_the_office_may_open_it(clients):
    for role in ("leader", "unit_a"):
        c, csrf = clients.browser(role)
        assert c.get("/admin/users").status_code == 403
        assert (
            c.post("/admin/users/4/active", data={"csrf_token": csrf, "active": "false"}).status_code == 403
        )
        assert 'href="/admin/users"' not in c.get("/board").text


def test_names_are_escaped_on_the_page(clients):
    c, csrf = clients.browser("office")
    evil = '<script>alert(1)</script>"'
    r = c.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": evil, "role": "leader", "password": "Ducha-new-2023"},
    )
    assert r.status_code == 303
    page = c.get("/admin/users").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def pg_clients(tmp_path) -> Iterator[Clients]:
    """The template world on PostgreSQL (skipped without ``DUBAN_TEST_POSTGRES_URL``)."""
    from duban.web import create_app

    for engine in postgres_engine():
        world: World = fill(engine, tmp_path / "unused")
        settings = Settings(database_url=url_of(engine), secret_key=SECRET, upload_dir=tmp_path / "uploads")
        cs = Clients(create_app(settings, clock=lambda: NOW), world)
        yield cs
        cs.close()


@pytest.mark.postgres
def test_the_account_page_and_a_ledger_import_on_postgres(pg_clients):
    c, csrf = pg_clients.browser("office")
    page = c.get("/admin/users")
    assert page.status_code == 200 and "最近登录" in page.text
    uid = _user_id(page.text, UNIT_B)
    assert (
        c.post(f"/admin/users/{uid}/active", data={"csrf_token": csrf, "active": "false"}).status_code == 303
    )
    assert pg_clients.api("unit_b").get("/api/duties").status_code == 401
    r = c.post(f"/admin/users/{uid}/password", data={"csrf_token": csrf, "password": "woaini1314520"})
    assert r.status_code == 400 and 'data-field="password"' in r.text
    assert "已停用" in c.get("/admin/users").text
    office = pg_clients.api("office")
    sheet = office.get("/api/ledger.xlsx").content
    r = office.post("/api/ledger/import", files={"file": ("台账.xlsx", sheet)})  # read in the child process
    assert r.status_code == 200 and r.json()["rows"] == 2, r.text


@pytest.mark.parametrize("password", ["123456789012", "9876543210987", "abcdefghijkl", "3456789012345"])
def test_runs_of_digits_or_letters_are_refused(clients, password):
    c, csrf = clients.browser("office")
    r = c.post("/admin/users/4/password", data={"csrf_token": csrf, "password": password})
    assert r.status_code == 400 and 'data-field="password"' in r.text and "过于简单" in r.text
