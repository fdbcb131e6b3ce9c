"""The console's behaviour through its API and pages: scoping by unit, the closure workflow,
the board and its cache, sign-in and sign-out, uploads, the 台账 file, clear errors."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from duban.accounts.models import UserRow
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope
from duban.ledger.tick import board, tick
from duban.web import create_app
from duban.web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.web.route_cases import REPORT, report_file
from tests.web.web_factories import NOW, PASSWORD, UNIT_A, UNIT_B, USERS


def engine_of(world):
    return make_engine(Settings(database_url=f"sqlite:///{world.path}"))


def test_unit_officer_sees_only_their_units_duties(clients):
    w = clients.world
    a = clients.api("unit_a")
    duties = a.get("/api/duties").json()
    assert [d["duty_id"] for d in duties["items"]] == [w.duty_a]
    assert {u["unit"] for u in a.get("/api/board").json()["units"]} == {UNIT_A}
    items = a.get(f"/api/plans/{w.plan_id}/items").json()
    assert [i["id"] for i in items["items"]] == [w.item_a]
    office = clients.api("office").get("/api/duties").json()
    assert {d["duty_id"] for d in office["items"]} == {w.duty_a, w.duty_b}


def test_closure_workflow_through_the_api(clients):
    w = clients.world
    unit, office = clients.api("unit_a"), clients.api("office")
    before = office.get("/api/board").json()
    assert before["totals"]["total"] == 2
    r = office.post(f"/api/duties/{w.duty_a}/review", json={"decision": "approve"})
    assert r.status_code == 409 and r.json()["field"] == "status" and "未申请办结" in r.json()["detail"]
    assert (
        unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "开工建设", "share": 30}).status_code
        == 201
    )
    assert unit.get(f"/api/duties/{w.duty_a}").json()["duty"]["status"] == "in_progress"
    assert unit.post(f"/api/duties/{w.duty_a}/closure-request", json={"text": "完工"}).status_code == 200
    r = office.post(f"/api/duties/{w.duty_a}/review", json={"decision": "return", "reason": "  "})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = office.post(f"/api/duties/{w.duty_a}/review", json={"decision": "return", "reason": "缺验收报告"})
    assert r.json()["status"] == "returned" and r.json()["return_reason"] == "缺验收报告"
    unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "补充验收报告"})
    unit.post(f"/api/duties/{w.duty_a}/closure-request", json={})
    r = office.post(f"/api/duties/{w.duty_a}/review", json={"decision": "approve", "grade": "良好"})
    assert r.status_code == 200
    assert r.json()["status"] == "closed" and r.json()["grade"] == "良好"
    detail = office.get(f"/api/duties/{w.duty_a}").json()
    assert detail["clock"]["light"] == "closed"
    assert [p["text"] for p in detail["progress"]] == ["开工建设", "完工", "补充验收报告"]
    actions = [e["action"] for e in office.get(f"/api/duties/{w.duty_a}/events").json()]
    for action in ("assign", "deploy", "feedback", "request_closure", "return", "close"):
        assert action in actions
    after = office.get("/api/board").json()  # the cached board was dropped by the writes
    assert after["rows_total"] == before["rows_total"] - 1
    assert w.duty_a not in [row["duty_id"] for row in after["rows"]]


def test_board_agrees_with_the_ledgers_board(clients):
    office = clients.api("office")
    assert office.post("/api/tick").status_code == 200
    mine = office.get("/api/board").json()
    engine = engine_of(clients.world)
    with session_scope(engine) as s:
        theirs = board(session=s, now=NOW)
    engine.dispose()
    assert mine["totals"] == theirs.totals
    assert {u["unit"]: u["total"] for u in mine["units"]} == {u.unit: u.total for u in theirs.units}
    overdue = [r["duty_id"] for r in mine["rows"] if r["overdue_workdays"] > 0]
    assert overdue == [r.duty_id for r in theirs.overdue if r.overdue_workdays > 0]


def test_board_follows_changes_made_outside_the_server(clients, app):
    """A tick run by cron in another process writes events; the board notices the new version."""
    office = clients.api("office")
    app.state.console.version_every = 0.0
    before = office.get("/api/board").json()
    assert office.get("/api/board").json() == before  # nothing changed: the cached board
    engine = engine_of(clients.world)
    with session_scope(engine) as s:
        report = tick(session=s, calendar=WorkCalendar.default(), policy=load_policy("13710"),
                      now=NOW + timedelta(days=120))  # fmt: skip
    engine.dispose()
    assert report.light_changes > 0
    after = office.get("/api/board").json()
    assert after["totals"] != before["totals"]
    assert after["totals"]["red"] > before["totals"]["red"]


def test_board_filters_and_sections(clients):
    office = clients.api("office")
    by_unit = office.get("/api/board", params={"unit": UNIT_B}).json()
    assert [r["unit"] for r in by_unit["rows"]] == [UNIT_B]
    sections = {s["section"] for s in office.get("/api/board").json()["sections"]}
    assert sections == {"扩大有效投资", "办好人民满意教育"}
    assert office.get("/api/board", params={"section": "扩大有效投资"}).json()["totals"]["total"] == 1
    assert office.get("/api/board", params={"q": "中小学"}).json()["totals"]["total"] == 1
    series = office.get("/api/board").json()["series"]
    assert series[-1] == {"month": "2023-03", "assigned": 2, "closed": 0, "rate": 0.0}


def test_board_page_partial_for_htmx(clients):
    c, _ = clients.browser("office")
    full = c.get("/board")
    part = c.get("/board?light=grey", headers={"HX-Request": "true"})
    assert "<html" in full.text and "<html" not in part.text
    assert 'id="completion-chart"' in part.text
    assert "/static/vendor/echarts-6.1.0.common.min.js" in full.text


def test_bad_json_and_bad_token_are_clear(clients):
    office = clients.api("office")
    r = office.post(
        f"/api/duties/{clients.world.duty_a}/review",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    bad = clients.anon()
    bad.headers["Authorization"] = "Bearer nope"
    r = bad.get("/api/me")
    assert r.status_code == 401 and r.json() == {
        "detail": "Bearer 令牌无效或已撤销",
        "field": "authorization",
    }
    r = clients.anon().post(
        "/api/auth/token", json={"name": USERS["office"][0], "password": "wrong-password"}
    )
    assert r.status_code == 401 and r.json()["field"] == "password"


def test_token_from_password_works_for_the_api(clients):
    r = clients.anon().post("/api/auth/token", json={"name": USERS["unit_b"][0], "password": PASSWORD})
    token = r.json()["token"]
    c = clients.anon()
    c.headers["Authorization"] = f"Bearer {token}"
    assert c.get("/api/me").json() == {"id": 4, "name": "教育局王五", "role": "unit", "unit": UNIT_B}


def test_passwords_are_argon2_hashes(world):
    engine = engine_of(world)
    with session_scope(engine) as s:
        hashes = list(s.scalars(select(UserRow.password_hash)))
    engine.dispose()
    assert len(hashes) == 4
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_login_and_logout_in_the_browser_flow(clients):
    c = clients.anon()
    page = c.get("/login?next=/plans")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert c.cookies.get(LOGIN_CSRF_COOKIE) == token
    r = c.post("/login", data={"name": USERS["leader"][0], "password": "wrong", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = c.post(
        "/login",
        data={"name": USERS["leader"][0], "password": PASSWORD, "csrf_token": token, "next": "/plans"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/plans"
    cookie = c.cookies.get(SESSION_COOKIE)
    assert cookie and "httponly" in r.headers["set-cookie"].lower()
    home = c.get("/plans")
    assert home.status_code == 200 and "市长赵六" in home.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
    assert c.post("/logout", data={"csrf_token": csrf}).status_code == 303
    replay = clients.anon()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/board").status_code == 303  # the session ended on the server


def test_forged_cookie_and_next_are_refused(clients):
    c = clients.anon()
    c.cookies.set(SESSION_COOKIE, "forged.value")
    assert c.get("/board").headers["location"] == "/login?next=/board"
    page = c.get("/login?next=//evil.example/x")
    assert 'name="next" value="/board"' in page.text


def test_upload_preview_then_confirm(clients):
    office, csrf = clients.browser("office")
    preview = office.post("/upload", data={"csrf_token": csrf}, files=report_file())
    assert preview.status_code == 200
    assert "小河市2024年政府工作报告" in preview.text and "清洗记录" in preview.text
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    r = office.post("/upload/confirm", data={"csrf_token": csrf, "token": token})
    assert r.status_code == 422 and "已核对" in r.text
    r = office.post("/upload/confirm", data={"csrf_token": csrf, "token": token, "checked": "true"})
    assert r.status_code == 303 and r.headers["location"].startswith("/plans/")
    plan = office.get(r.headers["location"])
    assert "<mark>" in plan.text and "实施重点项目120个" in plan.text
    again = office.post("/upload/confirm", data={"csrf_token": csrf, "token": token, "checked": "true"})
    assert again.status_code == 404  # a preview is loaded once


def test_upload_confirmed_through_another_server_worker(clients, settings):
    """With several workers the confirmation may reach another process: the preview is on disk."""
    office, csrf = clients.browser("office")
    preview = office.post("/upload", data={"csrf_token": csrf}, files=report_file())
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    other = create_app(settings, clock=lambda: NOW)
    with TestClient(other, follow_redirects=False) as c:
        c.cookies.set(SESSION_COOKIE, other.state.console.signer.dumps(clients.world.sessions["office"][0]))
        for bad in ("../../etc/passwd", "x" * 20):
            r = c.post("/upload/confirm", data={"csrf_token": csrf, "token": bad, "checked": "true"})
            assert r.status_code == 404 and "重新上传" in r.text
        r = c.post("/upload/confirm", data={"csrf_token": csrf, "token": token, "checked": "true"})
        assert r.status_code == 303 and r.headers["location"].startswith("/plans/")
    assert list(settings.upload_dir.iterdir()) == []  # confirmed uploads leave nothing behind


def test_api_upload_is_idempotent_and_previews(clients):
    office = clients.api("office")
    pre = office.post("/api/plans/preview", files=report_file()).json()
    assert pre["year"] == 2024 and pre["place"] == "小河市" and pre["tasks"] >= 5 and pre["headline"] >= 2
    first = office.post("/api/plans", files=report_file()).json()
    second = office.post("/api/plans", files=report_file())
    assert second.status_code == 201 and second.json()["created"] is False
    assert second.json()["plan"]["id"] == first["plan"]["id"] and first["created"] is True
    r = office.post("/api/plans", files={"file": (REPORT.name, "没有中文".encode()[:3], "text/plain")})
    assert r.status_code in (400, 422) and r.json()["field"] == "file"


def test_auto_assign_then_headlines_public(clients):
    office = clients.api("office")
    plan = office.post("/api/plans", files=report_file()).json()["plan"]
    result = office.post(f"/api/plans/{plan['id']}/auto-assign").json()
    assert len(result["assigned"]) + len(result["needs_person"]) >= 5
    public = clients.anon().get("/api/public/headlines").json()
    metrics = {(t["place"], t["metric"]) for t in public}
    assert ("示例市", "地区生产总值增长") in metrics and any(p == "小河市" for p, _m in metrics)
    page = clients.anon().get("/public")
    assert "小河市 2024 年" in page.text and "目标原文" in page.text


def test_ledger_workbook_round_trip_and_bad_file(clients):
    office = clients.api("office")
    r = office.get("/api/ledger.xlsx")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.content[:2] == b"PK"
    ok = office.post(
        "/api/ledger/import", files={"file": ("台账.xlsx", r.content, "application/octet-stream")}
    )
    assert ok.status_code == 200 and ok.json()["rows"] == 2 and ok.json()["progress_added"] == 0
    bad = office.post(
        "/api/ledger/import", files={"file": ("台账.xlsx", b"not a workbook", "application/octet-stream")}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "file" and "台账.xlsx" in bad.json()["detail"]


def test_duty_page_shows_clock_and_the_right_forms(clients):
    w = clients.world
    unit, _ = clients.browser("unit_a")
    html = unit.get(f"/duties/{w.duty_a}").text
    assert "时钟节点" in html and 'class="timeline"' in html and "下一节点" in html
    assert 'id="progress-form"' in html and 'id="review-form"' not in html
    leader, _ = clients.browser("leader")
    html = leader.get(f"/duties/{w.duty_a}").text
    assert 'id="progress-form"' not in html and 'id="review-form"' not in html
    assert "实施省市重点项目100个" in html


def test_plan_page_tree_and_assign_form(clients):
    w = clients.world
    office, csrf = clients.browser("office")
    html = office.get(f"/plans/{w.plan_id}").text
    assert html.index("扩大有效投资") < html.index("办好人民满意教育")  # report order
    assert "<mark>地区生产总值增长6%左右</mark>" in html and "6%左右" in html
    assert "存疑：单位存疑" in html and f'action="/items/{w.item_free}/assign"' in html
    r = office.post(
        f"/items/{w.item_free}/assign", data={"csrf_token": csrf, "unit": UNIT_B, "major": "true"}
    )
    assert r.status_code == 303
    assert "职业教育" in [d["text"][2:6] for d in clients.api("unit_b").get("/api/duties").json()["items"]]


def test_co_unit_officer_reads_and_reports_but_cannot_close(clients):
    w = clients.world
    office = clients.api("office")
    r = office.post(
        f"/api/items/{w.item_a}/assign", json={"unit": UNIT_A, "co_units": [UNIT_B], "major": True}
    )
    assert r.status_code == 200, r.text
    co = clients.api("unit_b")
    detail = co.get(f"/api/duties/{w.duty_a}")
    assert detail.status_code == 200 and detail.json()["co_units"] == [UNIT_B]
    assert w.duty_a not in [d["duty_id"] for d in co.get("/api/duties").json()["items"]]  # not theirs to lead
    mine = co.get("/api/duties", params={"co_unit": "true"}).json()
    assert [d["duty_id"] for d in mine["items"]] == [w.duty_a] and mine["total"] == 1
    assert co.post(f"/api/duties/{w.duty_a}/progress", json={"text": "配合完成选址"}).status_code == 201
    refused = co.post(f"/api/duties/{w.duty_a}/closure-request", json={})
    assert refused.status_code == 403 and refused.json()["field"] == "duty_id"
    assert "配合单位" in refused.json()["detail"]
    by_office = office.get("/api/duties", params={"co_unit": "true", "unit": UNIT_B}).json()
    assert by_office["total"] == 1
    missing = office.get("/api/duties", params={"co_unit": "true"})
    assert missing.status_code == 422 and missing.json()["field"] == "unit"
    browser, _ = clients.browser("unit_b")
    page = browser.get(f"/duties/{w.duty_a}").text
    assert 'id="co-unit-note"' in page and 'id="progress-form"' in page and 'id="closure-form"' not in page
    assert 'id="co-unit-duties"' in browser.get("/board").text
    lead, _ = clients.browser("unit_a")
    assert 'id="co-unit-note"' not in lead.get(f"/duties/{w.duty_a}").text


def test_office_sets_due_and_milestones_and_the_lead_unit_completes_one(clients):
    w = clients.world
    office = clients.api("office")
    assert office.put(f"/api/duties/{w.duty_a}/due", json={"due": "2023-10-31"}).json()["due"] == "2023-10-31"
    body = {
        "milestones": [{"name": "完成招标", "due": "2023-04-28"}, {"name": "主体完工", "due": "2023-09-29"}]
    }
    assert [m["name"] for m in office.put(f"/api/duties/{w.duty_a}/milestones", json=body).json()] == [
        "完成招标",
        "主体完工",
    ]
    dup = office.put(f"/api/duties/{w.duty_a}/milestones", json={"milestones": [body["milestones"][0]] * 2})
    assert dup.status_code == 400 and "重复" in dup.json()["detail"]
    unit = clients.api("unit_a")
    done = unit.post(f"/api/duties/{w.duty_a}/milestones/完成招标/done")
    assert done.status_code == 200 and done.json()["done_at"] is not None
    detail = unit.get(f"/api/duties/{w.duty_a}").json()
    assert detail["duty"]["due"] == "2023-10-31"
    assert [(m["name"], m["done_at"] is not None) for m in detail["milestones"]] == [
        ("完成招标", True),
        ("主体完工", False),
    ]
    actions = [e["action"] for e in office.get(f"/api/duties/{w.duty_a}/events").json()]
    assert {"set_due", "set_milestones", "complete"} <= set(actions)
    c, csrf = clients.browser("office")
    r = c.post(f"/duties/{w.duty_a}/milestones", data={"csrf_token": csrf, "milestones": "只有名称"})
    assert r.status_code == 422 and "第 1 行" in r.text
    page = c.get(f"/duties/{w.duty_a}").text
    assert 'id="due-form"' in page and 'id="milestones-form"' in page and "主体完工 2023-09-29" in page


def test_pages_are_gzipped_for_clients_that_ask(clients, app):
    """Gzipped for a client that asks; a kept page sent again is gzipped from memory (web.compress),
    not compressed again; a file download is left to Starlette's middleware around it."""
    memo = app.state.gzip_memo
    c, _ = clients.browser("office")
    zipped = c.get("/board", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers.get("content-encoding") == "gzip" and "督办看板" in zipped.text
    assert "accept-encoding" in zipped.headers.get("vary", "").lower()
    plain = c.get("/board", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == zipped.text
    misses, hits = memo.misses, memo.hits
    again = c.get("/board", headers={"Accept-Encoding": "gzip"})
    assert again.text == zipped.text and again.headers["content-length"] == zipped.headers["content-length"]
    assert (memo.misses, memo.hits) == (misses, hits + 1)
    xlsx = c.get("/cases/report.xlsx", headers={"Accept-Encoding": "gzip"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"  # a workbook, not kept in the memo
    assert memo.misses == misses


def test_gzip_memo_keeps_within_its_bound():
    import gzip

    from duban.web.compress import GzipMemo

    memo = GzipMemo(max_bytes=6000)
    bodies = [f"第{i}页".encode() * 400 for i in range(5)]  # ~2.8 KB each, ~50 B gzipped
    for body in bodies:
        assert gzip.decompress(memo.gzipped(body)) == body
    assert memo.size <= 6000 and memo.misses == 5
    memo.gzipped(bodies[-1])
    assert memo.hits == 1
    memo.gzipped(bodies[0])  # the oldest was let go
    assert memo.misses == 6
