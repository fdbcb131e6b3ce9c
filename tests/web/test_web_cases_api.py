"""The case hub on the console: the JSON API and pages as the operator (话务员), the unit officer,
the office, the leader and a citizen — the flow through the real services, who may do what (404
and an ``access_denied`` event for another unit's case), the phone masked by role, filters, hot
topics, the rates and the 通报 xlsx, the link to a plan item, and the operator role itself.

Every route also has its row in ``route_cases.py`` (success, bad input, wrong role, login, CSRF).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from duban.accounts.service import create_api_token, create_user, start_session
from duban.audit.models import EventRow
from duban.cases.models import CaseRow
from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope
from duban.web.deps import SESSION_COOKIE
from tests.web.web_factories import CASE_IDS, CASE_PHONE, NOW, PASSWORD, UNIT_A, UNIT_B, World

MASKED = "138****5678"
OPERATOR = "话务员孙七"


@pytest.fixture
def operator(app, world: World) -> Iterator[tuple[TestClient, TestClient, str]]:
    """An operator in this test's database: (API client, browser client, CSRF token)."""
    engine = make_engine(Settings(database_url=f"sqlite:///{world.path}"))
    with session_scope(engine) as s:
        account = create_user(session=s, name=OPERATOR, role="operator", password=PASSWORD, now=NOW)
        token = create_api_token(session=s, account=account, now=NOW)
        session_token, csrf = start_session(session=s, account=account, now=NOW)
    engine.dispose()
    api = TestClient(app, follow_redirects=False)
    api.headers["Authorization"] = f"Bearer {token}"
    browser = TestClient(app, follow_redirects=False)
    browser.cookies.set(SESSION_COOKIE, app.state.console.signer.dumps(session_token))
    with api, browser:
        yield api, browser, csrf


def events_of(world: World, case_id: int, action: str | None = None) -> list[EventRow]:
    engine = make_engine(Settings(database_url=f"sqlite:///{world.path}"))
    try:
        with session_scope(engine) as s:
            q = select(EventRow).where(EventRow.entity == "case", EventRow.entity_id == case_id)
            if action:
                q = q.where(EventRow.action == action)
            return list(s.scalars(q.order_by(EventRow.id)))
    finally:
        engine.dispose()


def case_row(world: World, case_id: int) -> CaseRow:
    engine = make_engine(Settings(database_url=f"sqlite:///{world.path}"))
    try:
        with session_scope(engine) as s:
            row = s.get(CaseRow, case_id)
            assert row is not None
            s.expunge(row)
            return row
    finally:
        engine.dispose()


def unit_id(clients, name: str) -> int:
    units = clients.api("office").get("/api/units").json()
    return next(u["id"] for u in units if u["name"] == name)


# ---- the whole flow through the API ----------------------------------------------------------------
def test_operator_takes_in_and_the_unit_settles_then_redo_then_archive(clients, operator):
    op, _, _ = operator
    unit = clients.api("unit_a")
    w = clients.world
    r = op.post(
        "/api/cases",
        json={"title": "幸福路井盖缺失", "content": "幸福路与民主街交叉口井盖缺失，夜间危险。",
              "citizen_name": "李女士", "citizen_phone": "13900001111", "address": "幸福路与民主街交叉口"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    c = r.json()
    cid = c["id"]
    assert c["status"] == "received" and c["citizen_phone"] == "13900001111"  # the operator calls back
    assert c["review"] == "needs_review" and c["low_confidence"] is True  # no model: a person confirms
    assert c["actions"] == ["dispatch", "confirm_category"]
    # low confidence: no dispatch before a person confirms the category
    r = op.post(f"/api/cases/{cid}/dispatch", json={"unit": UNIT_A})
    assert r.status_code == 409 and r.json()["field"] == "category"
    assert case_row(w, cid).status == "received"
    r = op.post(f"/api/cases/{cid}/dispatch", json={"unit": UNIT_A, "category": "城乡建设"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "dispatched" and r.json()["review"] == "confirmed"
    assert r.json()["unit"] == UNIT_A and r.json()["dispatches"][0]["unit"] == UNIT_A
    # the unit officer: 签收 → 办理 → 办结 with the reply
    assert unit.post(f"/api/cases/{cid}/accept").json()["status"] == "accepted"
    assert unit.post(f"/api/cases/{cid}/start").json()["status"] == "in_progress"
    r = unit.post(f"/api/cases/{cid}/settle", json={"reply": "已补装井盖"})
    assert r.json()["status"] == "settled" and r.json()["reply"] == "已补装井盖"
    # the operator calls back: 不满意 → 重办
    r = op.post(f"/api/cases/{cid}/follow-up", json={"satisfaction": "不满意"})
    assert r.json()["status"] == "reopened" and r.json()["satisfaction"] == "不满意"
    assert unit.post(f"/api/cases/{cid}/redo").json()["status"] == "in_progress"
    assert unit.post(f"/api/cases/{cid}/settle", json={"reply": "已加固井盖并设置警示"}).status_code == 200
    assert (
        op.post(f"/api/cases/{cid}/follow-up", json={"satisfaction": "满意"}).json()["status"]
        == "followed_up"
    )
    r = op.post(f"/api/cases/{cid}/archive")
    assert r.status_code == 200 and r.json()["status"] == "archived" and r.json()["actions"] == []
    actions = [e.action for e in events_of(w, cid)]
    assert actions == ["create", "confirm_category", "dispatch", "accept", "start", "settle", "reopen",
                       "redo", "settle", "follow_up", "archive"]  # fmt: skip
    assert all(e.actor in (OPERATOR, "发改委李四") for e in events_of(w, cid))
    timeline = op.get(f"/api/cases/{cid}").json()["events"]
    assert [e["label"] for e in timeline][:3] == ["受理", "确认分类", "派单"]


def test_return_needs_a_reason_and_the_hub_redispatches(clients, operator):
    op, _, _ = operator
    cid = CASE_IDS["dispatched"]
    unit = clients.api("unit_a")
    r = unit.post(f"/api/cases/{cid}/return", json={"reason": "  "})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = unit.post(f"/api/cases/{cid}/return", json={"reason": "属供电公司职责"})
    assert r.json()["status"] == "returned" and r.json()["dispatches"][0]["return_reason"] == "属供电公司职责"
    r = op.post(f"/api/cases/{cid}/dispatch", json={"unit_id": unit_id(clients, UNIT_B)})
    assert r.status_code == 200 and r.json()["unit"] == UNIT_B and len(r.json()["dispatches"]) == 2
    # the case is UNIT_B's now: UNIT_A's officer no longer sees it
    assert unit.get(f"/api/cases/{cid}").status_code == 404
    assert clients.api("unit_b").get(f"/api/cases/{cid}").status_code == 200


def test_flow_refusals_name_the_status_and_change_nothing(clients):
    office = clients.api("office")
    cid = CASE_IDS["received"]
    r = office.post(f"/api/cases/{cid}/settle", json={"reply": "已办"})
    assert r.status_code == 409 and r.json()["field"] == "status" and "受理 → 办结" in r.json()["detail"]
    assert case_row(clients.world, cid).status == "received"
    r = office.post(f"/api/cases/{cid}/dispatch", json={})
    assert r.status_code == 422 and r.json()["field"] == "unit"
    r = office.post(f"/api/cases/{cid}/dispatch", json={"unit": UNIT_A, "colour": "red"})
    assert r.status_code == 422 and r.json()["field"] == "colour"


# ---- who may do what ---------------------------------------------------------------------------------
def test_other_units_case_is_404_and_logged(clients):
    w = clients.world
    other = CASE_IDS["foreign"]  # dispatched to UNIT_B
    unit = clients.api("unit_a")
    assert events_of(w, other, "access_denied") == []
    for method, path, body in (
        ("GET", f"/api/cases/{other}", None),
        ("POST", f"/api/cases/{other}/accept", {}),
        ("POST", f"/api/cases/{other}/return", {"reason": "不是我们的"}),
    ):
        r = unit.request(method, path, json=body)
        assert r.status_code == 404 and r.json()["field"] == "case_id", r.text
        assert "幸福路" not in r.text
    denied = events_of(w, other, "access_denied")
    assert len(denied) == 3 and {e.actor for e in denied} == {"发改委李四"}
    assert denied[0].after == {"method": "GET", "path": f"/api/cases/{other}", "role": "unit", "unit": UNIT_A}
    assert case_row(w, other).status == "dispatched"
    browser, _ = clients.browser("unit_a")
    assert browser.get(f"/cases/{other}").status_code == 404
    assert len(events_of(w, other, "access_denied")) == 4


def test_unit_officer_lists_only_their_units_cases(clients):
    mine = clients.api("unit_a").get("/api/cases").json()
    ids = {c["id"] for c in mine["items"]}
    assert CASE_IDS["foreign"] not in ids and CASE_IDS["received"] not in ids
    assert CASE_IDS["dispatched"] in ids and mine["total"] == len(ids) == 7
    theirs = clients.api("unit_b").get("/api/cases").json()
    assert [c["id"] for c in theirs["items"]] == [CASE_IDS["foreign"]]


def test_leader_reads_but_cannot_write(clients):
    leader = clients.api("leader")
    assert leader.get("/api/cases").status_code == 200
    assert leader.get(f"/api/cases/{CASE_IDS['dispatched']}").json()["actions"] == []
    posts = [("", {"content": "路灯不亮"}), ("/1/dispatch", {"unit": UNIT_A}), ("/3/accept", {}),
             ("/6/follow-up", {"satisfaction": "满意"}), ("/9/extension/decision", {"approve": True}),
             ("/1/link", {"item_id": None}), ("/2/category", {"category": "市容环卫"})]  # fmt: skip
    for suffix, body in posts:
        r = leader.post(f"/api/cases{suffix}", json=body)
        assert r.status_code == 403, suffix
    assert case_row(clients.world, 1).unit_id is None


def test_roles_split_the_work(clients, operator):
    op, _, _ = operator
    unit = clients.api("unit_a")
    # the operator neither signs for cases nor approves extensions nor links plan items
    assert op.post(f"/api/cases/{CASE_IDS['dispatched']}/accept").status_code == 403
    assert (
        op.post(f"/api/cases/{CASE_IDS['extension']}/extension/decision", json={"approve": True}).status_code
        == 403
    )
    assert op.post(f"/api/cases/{CASE_IDS['received']}/link", json={"item_id": None}).status_code == 403
    # the unit neither dispatches, nor follows up, nor archives its own case, nor takes cases in
    assert (
        unit.post(f"/api/cases/{CASE_IDS['settled']}/follow-up", json={"satisfaction": "满意"}).status_code
        == 403
    )
    assert unit.post(f"/api/cases/{CASE_IDS['followed_up']}/archive").status_code == 403
    assert unit.post("/api/cases", json={"content": "路灯"}).status_code == 403
    assert (
        unit.post(
            f"/api/cases/{CASE_IDS['extension']}/extension/decision", json={"approve": True}
        ).status_code
        == 403
    )
    # the office may do everything
    office = clients.api("office")
    assert office.post(f"/api/cases/{CASE_IDS['dispatched']}/accept").status_code == 200


# ---- the phone: whole for those who call back, masked for everyone else -------------------------------
def test_phone_is_masked_by_role(clients, operator):
    op, _, _ = operator
    cid = CASE_IDS["dispatched"]
    seen = {
        "operator": op.get(f"/api/cases/{cid}").json()["citizen_phone"],
        "office": clients.api("office").get(f"/api/cases/{cid}").json()["citizen_phone"],
        "unit_a": clients.api("unit_a").get(f"/api/cases/{cid}").json()["citizen_phone"],
        "leader": clients.api("leader").get(f"/api/cases/{cid}").json()["citizen_phone"],
    }
    assert seen == {"operator": CASE_PHONE, "office": CASE_PHONE, "unit_a": CASE_PHONE, "leader": MASKED}
    leader_list = clients.api("leader").get("/api/cases").json()["items"]
    assert {c["citizen_phone"] for c in leader_list} == {MASKED}
    page = clients.browser("leader")[0].get(f"/cases/{cid}").text
    assert MASKED in page and CASE_PHONE not in page
    assert CASE_PHONE in clients.browser("unit_a")[0].get(f"/cases/{cid}").text
    # the events log keeps the phone masked too
    assert all(CASE_PHONE not in str(e.after) for e in events_of(clients.world, cid))


# ---- extensions, categories, plan items ---------------------------------------------------------------
def test_extension_is_granted_only_on_approval(clients):
    unit, office = clients.api("unit_a"), clients.api("office")
    cid = CASE_IDS["accepted"]
    due = case_row(clients.world, cid).due_date
    r = unit.post(f"/api/cases/{cid}/extension", json={"workdays": 31, "reason": "需协调"})
    assert r.status_code == 422 and r.json()["field"] == "workdays"
    r = unit.post(f"/api/cases/{cid}/extension", json={"workdays": 2, "reason": "需协调供电部门"})
    assert r.json()["extension_state"] == "requested" and r.json()["due_date"] == due.isoformat()
    again = unit.post(f"/api/cases/{cid}/extension", json={"workdays": 2, "reason": "再申请"})
    assert again.status_code == 409 and again.json()["field"] == "extension_state"
    r = office.post(f"/api/cases/{cid}/extension/decision", json={"approve": True})
    assert r.json()["extension_state"] == "approved"
    assert r.json()["due_date"] > due.isoformat()
    r = office.post(f"/api/cases/{cid}/extension/decision", json={"approve": False})
    assert r.status_code == 409 and r.json()["field"] == "extension_state"


def test_confirm_category_sets_the_suggested_unit(clients, operator):
    op, _, _ = operator
    cid = CASE_IDS["review"]
    r = op.post(f"/api/cases/{cid}/category", json={"category": "市容环卫", "unit": UNIT_B})
    assert r.status_code == 200
    assert r.json()["category"] == "市容环卫" and r.json()["review"] == "confirmed"
    assert r.json()["suggested_unit"] == UNIT_B
    r = op.post(f"/api/cases/{cid}/category", json={"category": "市容环卫", "unit": "火星局"})
    assert r.status_code == 422 and r.json()["field"] == "unit"


def test_office_links_a_case_to_a_plan_item_and_the_duty_page_shows_it(clients):
    w = clients.world
    office = clients.api("office")
    cid = CASE_IDS["dispatched"]
    r = office.post(f"/api/cases/{cid}/link", json={"item_id": w.item_a})
    assert r.status_code == 200 and r.json()["item"]["id"] == w.item_a
    assert [e.action for e in events_of(w, cid)][-1] == "link_item"
    browser, _ = clients.browser("office")
    html = browser.get(f"/duties/{w.duty_a}").text
    assert 'id="linked-cases"' in html and "群众诉求" in html and f'href="/cases/{cid}"' in html
    other = browser.get(f"/duties/{w.duty_b}").text
    assert 'id="linked-cases"' not in other
    r = office.post(f"/api/cases/{cid}/link", json={"item_id": None})
    assert r.json()["item"] is None and [e.action for e in events_of(w, cid)][-1] == "unlink_item"


# ---- the list's filters --------------------------------------------------------------------------------
def test_list_filters(clients):
    office = clients.api("office")

    def ids(**params) -> set[int]:
        r = office.get("/api/cases", params=params)
        assert r.status_code == 200, r.text
        return {c["id"] for c in r.json()["items"]}

    assert len(ids()) == len(CASE_IDS)
    assert ids(status="dispatched") == {CASE_IDS["dispatched"], CASE_IDS["foreign"]}
    assert ids(unit=UNIT_B) == {CASE_IDS["foreign"]}
    assert ids(category="城乡建设") == set(CASE_IDS.values()) - {CASE_IDS["review"]}
    assert ids(channel="grid") == set()
    assert ids(q="review 号") == {CASE_IDS["review"]}
    assert ids(overdue="true") == set()  # nothing is overdue on the day of receipt
    assert ids(page=2) == set()
    for params, field in (
        ({"unit": "火星局"}, "unit"),
        ({"page": 0}, "page"),
        ({"overdue": "maybe"}, "overdue"),
    ):
        r = office.get("/api/cases", params=params)
        assert r.status_code == 422 and r.json()["field"] == field


def test_overdue_cases_are_red(app, clients, world):
    later = NOW + timedelta(days=30)
    app.state.console.clock = lambda: later
    office = clients.api("office")
    overdue = {
        c["id"]: c["light"] for c in office.get("/api/cases", params={"overdue": "true"}).json()["items"]
    }
    assert CASE_IDS["dispatched"] in overdue and set(overdue.values()) == {"red"}
    assert CASE_IDS["settled"] not in overdue
    html = office.get("/cases", params={"overdue": "true"}).text  # a page, by bearer token
    assert 'class="dot red"' in html


# ---- pages -------------------------------------------------------------------------------------------
def test_operator_intake_page_asks_for_confirmation_when_low(clients, operator):
    _, browser, csrf = operator
    assert "受理工单" in browser.get("/cases/new").text
    r = browser.post(
        "/cases/new",
        data={"csrf_token": csrf, "title": "垃圾清运不及时", "content": "建设路小区垃圾三天未清运", "address": "建设路8号",
              "citizen_phone": "13700002222"},
    )  # fmt: skip
    assert r.status_code == 303
    page = browser.get(r.headers["location"]).text
    assert 'id="intake-done"' in page and 'id="needs-review"' in page and 'id="confirm-notice"' in page
    assert "13700002222" in page  # the operator calls back
    cid = int(re.search(r"/cases/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    r = browser.post(
        f"/cases/{cid}/action",
        data={"csrf_token": csrf, "action": "dispatch", "unit": UNIT_A, "category": "市容环卫"},
    )
    assert r.status_code == 303
    row = case_row(clients.world, cid)
    assert (row.status, row.category, row.review) == ("dispatched", "市容环卫", "confirmed")
    bad = browser.post(f"/cases/{cid}/action", data={"csrf_token": csrf, "action": "fly"})
    assert bad.status_code == 422 and "action" in bad.text


def test_case_page_offers_only_the_roles_forms(clients, operator):
    _, op_browser, _ = operator
    cid = CASE_IDS["dispatched"]
    unit_page = clients.browser("unit_a")[0].get(f"/cases/{cid}").text
    assert 'id="accept-form"' in unit_page and 'id="return-form"' in unit_page
    assert 'id="dispatch-form"' not in unit_page
    leader_page = clients.browser("leader")[0].get(f"/cases/{cid}").text
    assert (
        "当前没有你可以办理的操作" in leader_page and '<form method="post" action="/cases/' not in leader_page
    )
    op_page = op_browser.get(f"/cases/{CASE_IDS['settled']}").text
    assert 'id="follow-up-form"' in op_page and 'id="link-form"' not in op_page
    office_page = clients.browser("office")[0].get(f"/cases/{CASE_IDS['extension']}").text
    assert 'id="decision-form"' in office_page and 'id="link-form"' in office_page


def test_nav_links_by_role(clients, operator):
    _, op_browser, _ = operator
    nav = op_browser.get("/cases").text.split("</nav>")[0]
    assert all(
        h in nav for h in ('href="/cases"', 'href="/cases/new"', 'href="/cases/hot"', 'href="/cases/rates"')
    )
    unit_nav = clients.browser("unit_a")[0].get("/cases").text.split("</nav>")[0]
    assert 'href="/cases/new"' not in unit_nav and 'href="/cases/hot"' not in unit_nav
    assert 'href="/report"' in clients.anon().get("/public").text


# ---- citizens ----------------------------------------------------------------------------------------
def test_citizen_reports_and_tracks_without_the_phone(clients):
    c = clients.anon()
    form = c.get("/report")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    r = c.post("/report", data={"csrf_token": token, "title": "公园路灯坏了", "content": "人民公园东门路灯不亮",
                                "address": "人民公园东门", "citizen_phone": "13911112222"})  # fmt: skip
    assert r.status_code == 303 and re.fullmatch(r"/track/[2-9A-HJKMNP-Z]{8}", r.headers["location"])
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "2222" not in page.text.replace(r.headers["location"][7:], "") and "处理中" in page.text
    code = r.headers["location"].rsplit("/", 1)[1]
    rows = [x for x in clients.api("office").get("/api/cases", params={"q": "人民公园"}).json()["items"]]
    assert (
        len(rows) == 1 and rows[0]["channel"] == "hotline_web" and rows[0]["citizen_phone"] == "13911112222"
    )
    # Open311's token names the same case: by its tracking code for anonymous callers
    token = _token_of(clients.world, rows[0]["id"])
    doc = c.get(f"/open311/v2/tokens/{token}.json").json()
    assert doc[0]["service_request_id"] == code
    assert c.get(f"/track/{token}").status_code == 200  # the old 24-hex link still works
    assert [e.actor for e in events_of(clients.world, rows[0]["id"])] == ["市民（网上反映）"]


def _token_of(world, case_id: int) -> str:
    from sqlalchemy import create_engine

    from duban.cases.models import CaseRow
    from duban.db import session_scope

    engine = create_engine(f"sqlite:///{world.path}")
    with session_scope(engine) as s:
        row = s.get(CaseRow, case_id)
        assert row is not None and row.token
        token = str(row.token)
    engine.dispose()
    return token


def test_citizen_sees_the_reply_once_settled(clients):
    from tests.web.web_factories import CASE_TOKENS

    page = clients.anon().get(f"/track/{CASE_TOKENS['settled']}").text
    assert "已修复路灯" in page and "已办结" in page and MASKED not in page  # the phone never shows


def test_citizen_report_refuses_bad_input_and_stale_forms(clients):
    c = clients.anon()
    r = c.post("/report", data={"csrf_token": "forged", "title": "路灯", "content": "不亮"})
    assert r.status_code == 403 and "页面已过期" in r.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/report").text).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/report", data={"csrf_token": token, "title": "路灯", "content": "不亮", "citizen_phone": "电话"}
    )
    assert r.status_code == 422 and "citizen_phone" in r.text
    assert clients.api("office").get("/api/cases").json()["total"] == len(CASE_IDS)  # nothing stored
    assert c.get("/track/not-a-token").status_code == 400  # not a code: its check fails


def test_signing_in_elsewhere_does_not_expire_an_open_report_form(clients):
    """The report form has its own CSRF cookie: a login in another tab (which clears the login
    form's cookie) leaves it valid."""
    from tests.web.web_factories import PASSWORD, USERS

    c = clients.anon()
    report_token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/report").text).group(1)  # type: ignore[union-attr]
    login_token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"name": USERS["leader"][0], "password": PASSWORD, "csrf_token": login_token})
    assert r.status_code == 303
    r = c.post("/report", data={"csrf_token": report_token, "title": "井盖缺失", "content": "东门井盖缺失"})
    assert r.status_code == 303 and r.headers["location"].startswith("/track/")


def test_citizen_reports_are_limited_per_address(world, settings):
    """Past ``report_rate`` from one address: the form comes back with 429, what was typed kept,
    a Retry-After, and nothing stored; ``off`` lifts the limit."""
    from fastapi.testclient import TestClient

    from duban.web import create_app
    from tests.web.web_factories import NOW

    def submit(c: TestClient, title: str):
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/report").text).group(1)  # type: ignore[union-attr]
        return c.post("/report", data={"csrf_token": token, "title": title, "content": "东门路灯不亮"})

    app = create_app(settings.with_(report_rate="2/600"), clock=lambda: NOW)
    with TestClient(app, follow_redirects=False) as c:
        assert [submit(c, f"路灯{i}").status_code for i in (1, 2)] == [303, 303]
        r = submit(c, "第三件路灯")
        assert r.status_code == 429 and "提交过于频繁，请约 10 分钟后再试" in r.text
        assert 'value="第三件路灯"' in r.text and 0 < int(r.headers["retry-after"]) <= 601
    with TestClient(create_app(settings, clock=lambda: NOW), follow_redirects=False) as c:
        c.headers["Authorization"] = f"Bearer {world.tokens['office']}"
        titles = [x["title"] for x in c.get("/api/cases", params={"q": "路灯"}).json()["items"]]
        assert "路灯1" in titles and "路灯2" in titles and "第三件路灯" not in titles
    app = create_app(settings.with_(report_rate="off"), clock=lambda: NOW)
    with TestClient(app, follow_redirects=False) as c:
        assert {submit(c, f"不限{i}").status_code for i in range(7)} == {303}


# ---- hot topics, rates and the bulletin ----------------------------------------------------------------
def test_hot_topics_name_places_and_people(clients, operator):
    op, _, _ = operator
    new = []
    for i, text in enumerate(
        ["阳光小区物业停水三天", "阳光小区物业又停水了", "阳光小区物业停水无人管，请王书记关注"]
    ):
        body = {"title": text, "content": f"{text}，居民生活困难。", "address": f"阳光小区{i}栋"}
        r = op.post("/api/cases", json=body)
        assert r.status_code == 201
        new.append(r.json()["id"])
    topics = clients.api("leader").get("/api/cases/hot", params={"days": 7}).json()["topics"]
    assert topics[0]["count"] == len(CASE_IDS)  # the template's ten street-lamp cases are one topic
    water = next(t for t in topics if set(t["case_ids"]) & set(new))
    assert sorted(water["case_ids"]) == new and water["heat"] > 0
    assert any("阳光小区" in p for p in water["places"] + water["mentions"] + [water["label"]])
    html = clients.browser("leader")[0].get("/cases/hot", params={"days": 7}).text
    assert "热度" in html and "阳光小区" in html
    assert clients.api("unit_a").get("/api/cases/hot").status_code == 403


def test_rates_and_the_monthly_bulletin(clients):
    r = clients.api("leader").get("/api/cases/rates", params={"month": "2023-03"})
    assert r.status_code == 200
    body = r.json()
    assert body["month"] == "2023-03"
    mine = next(x for x in body["rates"] if x["unit"] == UNIT_A)
    assert mine["dispatches"] == 7 and mine["response_rate"] == 6 / 7  # one still waits to be signed for
    assert mine["satisfaction_rate"] == 0.5  # one 满意, one 不满意
    assert body["classes"] and all("red" in k and "black" in k for k in body["classes"])
    html = clients.browser("leader")[0].get("/cases/rates", params={"month": "2023-03"}).text
    assert (
        "红榜" in html
        and "黑榜" in html
        and UNIT_A in html
        and 'href="/cases/report.xlsx?month=2023-03"' in html
    )
    x = clients.browser("unit_a")[0].get("/cases/report.xlsx", params={"month": "2023-03"})
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(x.content))
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("2023-03" in v and "通报" in v for v in cells) and "红榜" in cells and "黑榜" in cells
    assert clients.api("office").get("/api/cases/rates").json()["month"] == "2023-03"  # this month


# ---- the operator role --------------------------------------------------------------------------------
def test_operator_role_in_accounts_and_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    r = CliRunner().invoke(
        main, ["users", "add", "话务员周八", "--role", "operator", "--password-stdin", "--database-url", url],
        input="long-password-1\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "角色 operator" in r.output
    r = CliRunner().invoke(
        main, ["users", "add", "话务员吴九", "--role", "operator", "--unit", "发改委", "--password-stdin",
               "--database-url", url], input="long-password-1\n",
    )  # fmt: skip
    assert r.exit_code != 0 and "不属于某个单位" in r.output


# ---- with the city's category model: a category, a suggested unit and a confidence ---------------------
def test_intake_classifies_with_the_citys_model(app, clients, operator, settings, tmp_path):
    from duban.cases.classify import train
    from duban.cases.training_data import LabelledText

    examples = {
        "市容环卫": ["小区垃圾无人清运", "道路垃圾堆积发臭", "垃圾桶满了没人收", "街道清扫不及时垃圾多", "垃圾站臭味大"],
        "教育文体": ["学校乱收补课费", "幼儿园入园难", "学校食堂饭菜差", "中小学课后服务收费", "学校校车超载"],
        "交通运输": ["公交车班次太少", "出租车拒载", "公交站台损坏", "公交线路绕远", "出租车不打表"],
    }  # fmt: skip
    rows = [LabelledText(subject=t, detail=t, label=k) for k, ts in examples.items() for t in ts * 3]
    train(rows).save(tmp_path / "model.bin")  # the city's model file, named by DUBAN_CASE_MODEL
    app.state.console.settings = settings.with_(case_model=tmp_path / "model.bin")
    op, browser, _ = operator
    r = op.post(
        "/api/cases", json={"title": "垃圾没人清运", "content": "我们小区的垃圾三天没人清运，臭味很大"}
    )
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["category"] == "市容环卫" and 0 < c["confidence"] <= 1
    assert c["suggested_unit"] == "市城市管理局"  # hub.yaml: 市容环卫 → 市城市管理局
    assert c["review"] == ("auto" if c["confidence"] >= 0.6 else "needs_review")
    page = browser.get(f"/cases/{c['id']}").text
    assert f"置信度 {c['confidence'] * 100:.0f}%" in page and "市城市管理局" in page
    assert ('id="confirm-notice"' in page) == (c["review"] == "needs_review")
