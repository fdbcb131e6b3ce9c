"""Accounts, access and audit hardening (issue 12): the login throttle, token expiry and
revocation, account events, an append-only events table, NaN-free events, security headers,
logout across workers and caches kept by refused writes."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from duban.accounts.service import (
    AccountError,
    check_password,
    create_api_token,
    create_user,
    revoke_tokens,
    token_account,
)
from duban.audit import service as audit
from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.web import create_app
from tests.web.web_factories import NOW, PASSWORD, USERS


def _events(settings: Settings, action: str) -> list[EventRow]:
    engine = make_engine(settings)
    try:
        with session_scope(engine) as s:
            rows = list(s.scalars(select(EventRow).where(EventRow.action == action).order_by(EventRow.id)))
            s.expunge_all()
            return rows
    finally:
        engine.dispose()


# ---- passwords --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password", ["123456789", "woaini1314520", "5201314woaini", "qwertyuiop", "Password123", "aaaaaaaaaaaa"]
)
def test_weak_or_short_passwords_are_refused(password):
    with pytest.raises(AccountError) as err:
        check_password(password)
    assert err.value.field == "password"


@pytest.mark.parametrize("password", ["correct-horse-9", "御河东路-9号-晴天", "tx7#mountain-ledger"])
def test_reasonable_passwords_pass(password):
    check_password(password)


# ---- the login throttle --------------------------------------------------------------------------
def test_login_throttle_answers_429_before_hashing_and_records_events(app, settings):
    name = USERS["office"][0]
    with TestClient(app) as c:
        for _ in range(5):
            r = c.post("/api/auth/token", json={"name": name, "password": "wrong-password-x"})
            assert r.status_code == 401
        r = c.post("/api/auth/token", json={"name": name, "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "登录失败次数过多" in r.json()["detail"]
    failed = _events(settings, "login_failed")
    assert len(failed) == 5 and failed[0].after["name"] == name and failed[0].after["address"]
    assert _events(settings, "login") == []


def test_a_good_login_is_recorded_and_issues_an_expiring_token(app, settings):
    name = USERS["leader"][0]
    with TestClient(app) as c:
        r = c.post("/api/auth/token", json={"name": name, "password": PASSWORD, "label": "t"})
        assert r.status_code == 200
        token = r.json()["token"]
    assert [e.actor for e in _events(settings, "login")] == [name]
    issued = _events(settings, "token_issue")
    assert issued[-1].after["expires_at"].startswith(str((NOW + timedelta(days=90)).date()))
    engine = make_engine(settings)
    with session_scope(engine) as s:
        assert token_account(session=s, token=token, now=NOW + timedelta(days=89)) is not None
        assert token_account(session=s, token=token, now=NOW + timedelta(days=91)) is None
    engine.dispose()


def test_address_throttle_uses_x_forwarded_for_only_from_trusted_proxies(settings):
    """Behind a trusted proxy each client is counted by its own address; an untrusted peer's
    X-Forwarded-For is ignored (a client cannot dodge the throttle by inventing addresses)."""
    trusted = create_app(settings.with_(trusted_proxies="127.0.0.1"), clock=lambda: NOW)
    plain = create_app(settings, clock=lambda: NOW)
    for app, expect in ((plain, 429), (trusted, 401)):
        with TestClient(app, client=("127.0.0.1", 50000)) as c:
            codes = []
            for i in range(22):
                r = c.post(
                    "/api/auth/token",
                    json={"name": f"nobody{i}", "password": "wrong-password-x"},
                    headers={"X-Forwarded-For": f"10.0.0.{i}"},
                )
                codes.append(r.status_code)
            assert codes[-1] == expect, codes


# ---- tokens and accounts -----------------------------------------------------------------------
def test_revoked_tokens_stop_working(clients, settings, world):
    c = clients.api("unit_a")
    assert c.get("/api/me").status_code == 200
    engine = make_engine(settings)
    with session_scope(engine) as s:
        assert revoke_tokens(session=s, name=USERS["unit_a"][0], now=NOW, actor="督查室张三") == 1
    engine.dispose()
    assert c.get("/api/me").status_code == 401  # its kept lookup forgotten: something was committed
    fresh = clients.api("unit_a")  # a new client: no cached lookup
    app2 = create_app(settings, clock=lambda: NOW)
    with TestClient(app2) as c2:
        r = c2.get("/api/me", headers={"Authorization": f"Bearer {world.tokens['unit_a']}"})
        assert r.status_code == 401
    assert fresh is not None
    assert _events(settings, "token_revoke")[-1].actor == "督查室张三"


# ---- the events table --------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'e.sqlite3'}"))
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        from tests.ledger.conftest import postgres_engine

        yield from postgres_engine()


def test_events_refuse_update_and_delete(engine):
    with session_scope(engine) as s:
        ev = audit.record(
            s, actor="t", now=NOW, entity="x", entity_id=1, action="a", before=None, after={"v": 1}
        )
        s.flush()
        eid = ev.id
    for sql in ("UPDATE events SET actor = 'forger' WHERE id = :id", "DELETE FROM events WHERE id = :id"):
        with pytest.raises(DBAPIError) as err, engine.begin() as conn:
            conn.execute(text(sql), {"id": eid})
        assert "append-only" in str(err.value)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM events WHERE id = :id"), {"id": eid}).scalar() == "t"


def test_events_never_hold_nan(engine):
    with session_scope(engine) as s:
        audit.record(s, actor="t", now=NOW, entity="x", entity_id=1, action="nan",
                     before={"figure": math.nan}, after={"figure": math.inf, "ok": 1.5})  # fmt: skip
        audit.record_many(s, [dict(at=NOW, actor="t", entity="x", entity_id=2, action="nan",
                                   before=None, after={"figure": -math.inf})])  # fmt: skip
    with engine.connect() as conn:
        raw = [r[0] for r in conn.execute(text("SELECT after FROM events WHERE action = 'nan' ORDER BY id"))]
    assert all("NaN" not in str(r) and "Infinity" not in str(r) for r in raw)
    with session_scope(engine) as s:
        rows = list(s.scalars(select(EventRow).where(EventRow.action == "nan").order_by(EventRow.id)))
        assert rows[0].before == {"figure": None} and rows[0].after == {"figure": None, "ok": 1.5}
        assert rows[1].after == {"figure": None}


def test_account_changes_leave_events(engine):
    from duban.accounts.service import set_active, set_password, set_role

    with session_scope(engine) as s:
        create_user(
            session=s, name="领导甲", role="leader", password="long-password-7", now=NOW, actor="admin"
        )
        set_role(session=s, name="领导甲", role="operator", unit=None, now=NOW, actor="admin")
        set_active(session=s, name="领导甲", active=False, now=NOW, actor="admin")
        set_password(session=s, name="领导甲", password="another-pass-8", now=NOW, actor="admin")
        events = list(s.scalars(select(EventRow).where(EventRow.entity == "user").order_by(EventRow.id)))
        assert [e.action for e in events] == ["create", "set_role", "disable", "reset_password"]
        assert all("password_hash" not in str(e.after) for e in events)
        assert events[1].before["role"] == "leader" and events[1].after["role"] == "operator"


# ---- headers, sessions and caches --------------------------------------------------------------
def test_pages_carry_csp_and_frame_options(clients):
    r = clients.anon().get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and r.headers["x-frame-options"] == "DENY"


def test_logout_on_one_worker_ends_the_session_on_another(settings, world):
    """Two apps on one database stand for two workers: after logout on A, B refuses the cookie
    at once (no 5 s cache of sessions)."""
    a = create_app(settings, clock=lambda: NOW)
    b = create_app(settings, clock=lambda: NOW)
    token, csrf = world.sessions["office"]
    cookie = a.state.console.signer.dumps(token)
    with TestClient(a, follow_redirects=False) as ca, TestClient(b, follow_redirects=False) as cb:
        ca.cookies.set("duban_session", cookie)
        cb.cookies.set("duban_session", cookie)
        assert cb.get("/api/me").status_code == 200  # B has looked the session up
        assert ca.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert cb.get("/api/me").status_code == 401
    assert _events(settings, "logout")[0].actor == USERS["office"][0]


def test_refused_anonymous_writes_keep_the_caches(app, clients):
    state = app.state.console
    c = clients.anon()
    c.get("/healthz")
    before = (state.board_cache.generation, state.auth_cache.generation)
    assert c.post("/board").status_code == 405
    assert c.delete("/api/board").status_code in (401, 405)
    assert c.post("/api/plans", json={}).status_code == 401
    assert (state.board_cache.generation, state.auth_cache.generation) == before


def test_secure_cookies_setting(settings):
    app = create_app(settings.with_(secure_cookies=True), clock=lambda: NOW)
    with TestClient(app) as c:
        r = c.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()
    with TestClient(create_app(settings, clock=lambda: NOW)) as c:
        assert "secure" not in c.get("/login").headers["set-cookie"].lower()


def test_create_api_token_lifetime_is_a_setting(settings):
    engine = make_engine(settings)
    with session_scope(engine) as s:
        acc = create_user(session=s, name="网关甲", role="gateway", password="gateway-pass-1", now=NOW)
        tok = create_api_token(session=s, account=acc, now=NOW, lifetime=timedelta(days=1))
        assert token_account(session=s, token=tok, now=NOW + timedelta(hours=23)) is not None
        assert token_account(session=s, token=tok, now=NOW + timedelta(hours=25)) is None
    engine.dispose()
    assert Settings.from_env({"DUBAN_TOKEN_DAYS": "30"}).token_days == 30


def test_docs_use_the_vendored_swagger_ui_and_no_template_has_inline_script(clients):
    from duban.web.app import HERE

    c = clients.anon()
    page = c.get("/docs").text
    assert "cdn" not in page.lower() and "http" not in page.replace("http-equiv", "")
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert srcs and all(s.startswith("/static/") for s in srcs)
    for src in srcs:
        assert c.get(src).status_code == 200, src
    assert (HERE / "static/vendor/swagger-ui-5.36.0/LICENSE").is_file()
    for tpl in (HERE / "templates").glob("*.html"):
        html = tpl.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), tpl.name
        assert not re.search(r"\son[a-z]+\s*=", html) and "javascript:" not in html, tpl.name
