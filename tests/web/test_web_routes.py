"""Every route, by its table in ``route_cases.py``: success for the right role, a clear error
naming the field for bad input, 401/403 for the wrong role or no login, 404 plus an
``access_denied`` event for another unit's duty or item, and CSRF on every form POST.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import make_engine, session_scope
from duban.web.app import OPEN311_PREFIX, route_table
from tests.web.route_cases import BY_ID, CASES, FRAMEWORK, ROLES, Case, Req, report_file, upload_token
from tests.web.web_factories import NOW, World

FORM_PAGES = {"login_csrf": "/login", "report_csrf": "/report"}


def url_of(case: Case, world: World, req: Req) -> str:
    params = {"plan_id": world.plan_id, "duty_id": world.duty_a, "item_id": world.item_a,
              "evidence_id": world.evidence_a}  # fmt: skip
    if case.id in ("POST /api/items/{item_id}/assign", "POST /items/{item_id}/assign") and req is case.ok:
        params["item_id"] = world.item_free
    params.update(req.params)
    return re.sub(r"\{(\w+)\}", lambda m: str(params[m.group(1)]), case.path)


def run_setup(case: Case, clients: Any, client: TestClient) -> dict[str, Any]:
    """Bring the world into the state the case needs; returns extra form fields or files."""
    w = clients.world
    unit = clients.api("unit_a")
    if case.setup in ("progress", "closure"):
        assert unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "开工"}).status_code == 201
    if case.setup == "closure":
        assert unit.post(f"/api/duties/{w.duty_a}/closure-request", json={}).status_code == 200
    if case.setup == "milestones":
        office = clients.api("office")
        body = {"milestones": [{"name": "完成招标", "due": "2023-05-31"}]}
        assert office.put(f"/api/duties/{w.duty_a}/milestones", json=body).status_code == 200
    if case.setup == "free_item":
        return {"form": {"item_ids": str(w.item_free)}}
    if case.setup == "export":
        r = clients.api("office").get("/api/ledger.xlsx")
        assert r.status_code == 200, r.text
        return {"files": {"file": ("台账.xlsx", r.content, "application/octet-stream")}}
    if case.setup in FORM_PAGES:  # a public form's double-submit CSRF token, from its page
        html = client.get(FORM_PAGES[case.setup]).text
        return {"form": {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)}}  # type: ignore[union-attr]
    if case.setup in ("proposal", "replied"):  # a proposal of UNIT_A, replied to for "replied"
        from tests.web.route_cases import proposal_file

        office, csrf = clients.browser("office")
        r = office.post("/sources/import", data={"csrf_token": csrf, "source": "提案"}, files=proposal_file())
        assert r.status_code == 303, r.text
        duty_id = (
            clients.api("office")
            .get("/api/duties", params={"source": "proposal"})
            .json()["items"][0]["duty_id"]
        )
        if case.setup == "replied":
            assert unit.post(f"/api/duties/{duty_id}/reply", json={"text": "已答复"}).status_code == 200
        return {"params": {"duty_id": duty_id}}
    if case.setup == "case_model":
        _tiny_case_model(clients)
    if case.setup == "counties":  # a city with two counties (省/市/县: tests/web/test_web_levels.py)
        from tests.web.test_web_levels import add_governments

        add_governments(make_engine(Settings(database_url=f"sqlite:///{w.path}")), dispose=True)
    if case.setup == "upload":
        office, csrf = clients.browser("office")
        r = office.post("/upload", data={"csrf_token": csrf}, files=report_file())
        assert r.status_code == 200, r.text
        return {"form": {"token": upload_token(r.text)}}
    return {}


def _tiny_case_model(clients: Any) -> None:
    """Point the console at a small category model file trained from a CSV written here."""
    from tests.web.test_web_case_model import train_tiny_model

    console = clients.app.state.console
    console.settings = console.settings.with_(case_model=train_tiny_model(clients.world.path.parent))


def call(
    clients: Any, case: Case, role: str, req: Req, *, csrf: bool = True, setup: bool = False
) -> Response:
    """Call the case's route as ``role`` (anon/office/leader/unit_a/unit_b)."""
    csrf_token = None
    if role == "anon":
        client = clients.anon()
    elif case.api:
        client = clients.api(role)
    else:
        client, csrf_token = clients.browser(role)
    extra = run_setup(case, clients, client) if setup else {}
    if "params" in extra:
        req = dataclasses.replace(req, params={**req.params, **extra["params"]})
    form = dict(req.form or {}) if (req.form is not None or not case.api) else None
    if form is not None:
        form.update(extra.get("form", {}))
        if csrf and csrf_token and case.method in ("POST", "PUT"):
            form["csrf_token"] = csrf_token
    files = extra.get("files") or (req.files() if req.files else None)
    kwargs: dict[str, Any] = {"params": req.query}
    if case.method in ("POST", "PUT"):
        if req.json is not None:
            kwargs["json"] = req.json
        elif form is not None or files is not None:
            kwargs["data"] = form or {}
        if files is not None:
            kwargs["files"] = files
        if case.api and req.json is None and files is None and form is None:
            kwargs["json"] = {}
    return client.request(case.method, url_of(case, clients.world, req), **kwargs)


def denied_events(world: World, entity: str, entity_id: int) -> list[EventRow]:
    engine = make_engine(Settings(database_url=f"sqlite:///{world.path}"))
    try:
        with session_scope(engine) as s:
            return list(
                s.scalars(
                    select(EventRow).where(
                        EventRow.action == "access_denied",
                        EventRow.entity == entity,
                        EventRow.entity_id == entity_id,
                    )
                )
            )
    finally:
        engine.dispose()


def _case_hub_route(path: str) -> bool:
    """Open311 and sensor intake speak their own auth (api_key); tests/cases covers each route."""
    return path.startswith(OPEN311_PREFIX) or path.startswith("/api/sensors")


def test_every_route_has_a_case(app):
    served = {r for r in route_table(app) if not _case_hub_route(r[1])} - FRAMEWORK
    table = {(c.method, c.path) for c in CASES}
    assert served - table == set(), "routes without a case in route_cases.py"
    assert table - served == set(), "cases for routes that no longer exist"
    assert len(BY_ID) == len(CASES)
    for c in CASES:  # a route that names a duty or an item must be tested against another unit's officer
        assert c.owned == ("{duty_id}" in c.path or "{item_id}" in c.path), c.id


def test_framework_routes_answer(clients):
    c = clients.anon()
    for path in ("/openapi.json", "/docs", "/static/app.css", "/static/vendor/htmx-2.0.11.min.js"):
        assert c.get(path).status_code == 200, path
    spec = c.get("/openapi.json").json()
    assert "/api/duties/{duty_id}" in spec["paths"]
    assert "/board" not in spec["paths"]  # pages stay out of the API description


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_route_succeeds_for_the_right_role(clients, case: Case):
    r = call(clients, case, case.ok_role, case.ok, setup=True)
    assert r.status_code == case.ok_status, r.text[:500]
    if case.api and r.headers.get("content-type", "").startswith("application/json"):
        r.json()


@pytest.mark.parametrize("case", [c for c in CASES if c.bad is not None], ids=lambda c: c.id)
def test_route_bad_input_names_the_field(clients, case: Case):
    assert case.bad is not None
    r = call(clients, case, case.ok_role, case.bad)
    assert r.status_code == case.bad_status, r.text[:500]
    if case.api:
        body = r.json()
        assert isinstance(body["detail"], str) and body["detail"]
        assert body["field"] == case.bad_field
    else:
        assert "<title>" in r.text and "Traceback" not in r.text
        if case.bad_field:
            assert f"<code>{case.bad_field}</code>" in r.text or case.bad_field in r.text


WRONG = [(c, role) for c in CASES if not c.public for role in ROLES if role not in c.allowed]


@pytest.mark.parametrize("case,role", WRONG, ids=[f"{c.id} as {r}" for c, r in WRONG])
def test_route_refuses_the_wrong_role(clients, case: Case, role: str):
    r = call(clients, case, role, case.ok)
    assert r.status_code == 403, r.text[:300]
    if case.api:
        assert r.json()["detail"]


@pytest.mark.parametrize("case", [c for c in CASES if not c.public], ids=lambda c: c.id)
def test_route_needs_login(clients, case: Case):
    r = call(clients, case, "anon", case.ok)
    if case.api:
        assert r.status_code == 401
        assert r.json() == {"detail": "请先登录（会话或 Bearer 令牌）", "field": None}
    else:
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")


OWNED = [c for c in CASES if c.owned]


@pytest.mark.parametrize("case", OWNED, ids=lambda c: c.id)
def test_other_units_officer_is_refused_and_logged(clients, case: Case):
    w = clients.world
    entity, entity_id = ("duty", w.duty_a) if "{duty_id}" in case.path else ("item", w.item_a)
    assert denied_events(w, entity, entity_id) == []
    params = {**case.ok.params, "item_id": w.item_a}
    r = call(clients, case, "unit_b", Req(params=params, json=case.ok.json, form=case.ok.form))
    assert r.status_code in (403, 404), r.text[:300]
    if r.status_code == 404:
        assert "不存在" in r.text  # nothing about the duty is revealed
    events = denied_events(w, entity, entity_id)
    assert len(events) == 1
    assert events[0].actor == "教育局王五"
    assert events[0].after is not None and events[0].after["path"] == url_of(case, w, Req(params=params))
    assert events[0].at == NOW


POSTS_WITH_SESSION = [c for c in CASES if c.method in ("POST", "PUT") and c.ok_role != "anon"]


@pytest.mark.parametrize("case", POSTS_WITH_SESSION, ids=lambda c: c.id)
def test_post_with_a_session_needs_the_csrf_token(clients, case: Case):
    client, _csrf = clients.browser(case.ok_role)
    data = dict(case.ok.form or {})
    r = client.request(
        case.method,
        url_of(case, clients.world, case.ok),
        data=data,
        files=case.ok.files() if case.ok.files else None,
    )
    assert r.status_code == 403
    if case.api:
        assert r.json()["field"] == "csrf_token"
    else:
        assert "csrf_token" in r.text


def test_login_without_its_csrf_cookie_is_refused(clients):
    c = clients.anon()
    r = c.post("/login", data={"name": "督查室张三", "password": "x", "csrf_token": "forged"})
    assert r.status_code == 403
    assert "页面已过期" in r.text
