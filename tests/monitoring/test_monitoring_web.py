"""The monitoring list on the console (SQLite and PostgreSQL): the flow through the API, masking
of ID numbers and phones for all but those who must visit, every view logged, and a unit officer
seeing only the households their unit works on (others: 404 and ``access_denied``)."""

from __future__ import annotations

from sqlalchemy import select

from duban.audit.models import EventRow
from duban.db import session_scope
from tests.monitoring.conftest import UNIT_A, UNIT_B
from tests.monitoring.factories import id_number, workbook_bytes

NEW = {"county": "样例县", "township": "城关镇", "village": "东关村", "head_name": "王大山", "id_number": id_number(1),
       "phone": "13812345678", "members": 4, "household_type": "边缘易致贫户", "risks": ["因病"],
       "found_by": "农户自主申报", "found_on": "2025-06-02", "income_per_person": 6500}  # fmt: skip


def events(db, **where) -> list[EventRow]:
    with session_scope(db) as s:
        stmt = (
            select(EventRow)
            .where(*(getattr(EventRow, k) == v for k, v in where.items()))
            .order_by(EventRow.id)
        )
        rows = list(s.scalars(stmt))
        s.expunge_all()
        return rows


def test_found_measured_visited_and_cleared_through_the_api(db, console):
    office, unit = console.api("office"), console.api("unit_a")
    r = office.post("/api/monitoring/households", json={**NEW, "resp_unit": UNIT_A, "visitor": "李四"})
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    assert office.post("/api/monitoring/households", json=NEW).status_code == 409
    r = office.post(f"/api/monitoring/households/{hid}/measures",
                    json={"measure_type": "健康帮扶", "unit": UNIT_A, "content": "大病医疗救助"})  # fmt: skip
    assert r.status_code == 201 and r.json()["due_date"] == "2026-03-17", r.text
    mid = r.json()["id"]
    # the unit visits monthly, income above the line (7600) all along
    for days, income in (
        (0, 8000),
        (30, 8200),
        (60, 8600),
        (90, 8800),
        (120, 9000),
        (150, 9100),
        (180, 9300),
    ):
        assert unit.post(f"/api/monitoring/households/{hid}/visits", json={"visited_on": str(console.now[0].date()),
                         "visitor": "李四", "income_per_person": income}).status_code == 201  # fmt: skip
        if days == 30:
            assert (
                unit.post(f"/api/monitoring/measures/{mid}/done", json={"note": "已报销"}).status_code == 200
            )
        console.later(days=30)
    r = office.post(f"/api/monitoring/households/{hid}/clear", json={})
    assert r.status_code == 409 and r.json()["field"] == "status"
    assert "未满足：致贫返贫风险已化解（最近一次走访（2026-08-30）未确认风险已化解）" in r.json()["detail"]
    assert "人均纯收入" not in r.json()["detail"]
    r = unit.post(f"/api/monitoring/households/{hid}/visits",
                  json={"visited_on": str(console.now[0].date()), "visitor": "李四", "income_per_person": 9500,
                        "risk_resolved": True})  # fmt: skip
    assert r.status_code == 201
    detail = unit.get(f"/api/monitoring/households/{hid}").json()
    assert [c["met"] for c in detail["checks"]] == [True, True, True, True], detail["checks"]
    assert (
        unit.post(f"/api/monitoring/households/{hid}/clear", json={}).status_code == 403
    )  # the office decides
    r = office.post(f"/api/monitoring/households/{hid}/clear", json={"note": "收入稳定"})
    assert r.status_code == 200 and r.json()["status"] == "cleared", r.text
    r = unit.post(
        f"/api/monitoring/households/{hid}/risks", json={"risks": ["因灾"], "found_by": "干部走访排查"}
    )
    assert r.json()["status"] == "returned"
    assert [e.action for e in events(db, entity="household", entity_id=hid) if e.action != "view"] == [
        "create", *["income"] * 8, "clear", "add_risk"]  # fmt: skip


def test_identity_is_masked_except_for_the_office_and_the_visiting_unit_and_every_view_is_logged(db, console):
    office = console.api("office")
    hid = office.post("/api/monitoring/households", json={**NEW, "resp_unit": UNIT_A}).json()["id"]
    for unit in (UNIT_A, UNIT_B):  # both units have a measure; only UNIT_A visits
        office.post(f"/api/monitoring/households/{hid}/measures", json={"measure_type": "教育帮扶", "unit": unit,
                    "content": "助学"})  # fmt: skip
    whole, masked = (id_number(1), "13812345678"), ("1401**********" + id_number(1)[-4:], "138****5678")
    for role, want in (("office", whole), ("unit_a", whole), ("unit_b", masked), ("leader", masked)):
        c = console.api(role)
        got = c.get(f"/api/monitoring/households/{hid}").json()
        assert (got["id_number"], got["phone"]) == want, role
        line = c.get("/api/monitoring/households").json()[0]
        assert (line["id_number"], line["phone"]) == want, role
        assert id_number(1) not in c.get(f"/monitoring/{hid}").text or want == whole
    views = events(db, entity="household", entity_id=hid, action="view")
    assert [(v.actor, v.after["masked"], v.after["path"]) for v in views] == [  # type: ignore[index]
        ("督查室张三", False, f"/api/monitoring/households/{hid}"), ("督查室张三", False, f"/monitoring/{hid}"),
        ("卫健委李四", False, f"/api/monitoring/households/{hid}"), ("卫健委李四", False, f"/monitoring/{hid}"),
        ("教育局王五", True, f"/api/monitoring/households/{hid}"), ("教育局王五", True, f"/monitoring/{hid}"),
        ("市长赵六", True, f"/api/monitoring/households/{hid}"), ("市长赵六", True, f"/monitoring/{hid}"),
    ]  # fmt: skip
    # the leader's export is masked, and logged
    r = console.api("leader").get("/api/monitoring/export.xlsx")
    assert r.status_code == 200 and id_number(1).encode() not in r.content
    assert [e.actor for e in events(db, entity="household", action="export")] == ["市长赵六"]
    # nothing in the events log carries the whole number
    assert all(id_number(1) not in str(e.after) for e in events(db))


def test_a_unit_officer_sees_only_the_households_their_unit_works_on(db, console):
    office, unit_b = console.api("office"), console.api("unit_b")
    mine = office.post("/api/monitoring/households", json=NEW).json()["id"]
    theirs = office.post(
        "/api/monitoring/households", json={**NEW, "id_number": id_number(2), "township": "河口镇"}
    )
    theirs_id = theirs.json()["id"]
    m = office.post(f"/api/monitoring/households/{mine}/measures",
                    json={"measure_type": "健康帮扶", "unit": UNIT_A, "content": "救助"}).json()["id"]  # fmt: skip
    office.post(f"/api/monitoring/households/{theirs_id}/measures",
                json={"measure_type": "教育帮扶", "unit": UNIT_B, "content": "助学"})  # fmt: skip
    assert [h["id"] for h in unit_b.get("/api/monitoring/households").json()] == [theirs_id]
    assert unit_b.get("/api/monitoring/board").json()["total"]["households"] == 1
    for method, path, body in (
        ("GET", f"/api/monitoring/households/{mine}", None),
        ("GET", f"/monitoring/{mine}", None),
        (
            "POST",
            f"/api/monitoring/households/{mine}/visits",
            {"visited_on": "2026-03-03", "visitor": "王五"},
        ),
        ("POST", f"/api/monitoring/households/{mine}/risks", {"risks": ["因灾"]}),
    ):
        r = unit_b.request(method, path, json=body)
        assert r.status_code == 404 and "不存在" in r.text and "王大山" not in r.text, path
    r = unit_b.post(f"/api/monitoring/measures/{m}/done", json={"note": "办了"})
    assert r.status_code == 404
    denied = events(db, action="access_denied")
    assert [(e.entity, e.entity_id, e.actor) for e in denied] == [("household", mine, "教育局王五")] * 4 + [
        ("household_measure", m, "教育局王五")]  # fmt: skip
    assert events(db, entity="household", entity_id=mine, action="view") == []
    assert console.api("unit_a").get(f"/api/monitoring/households/{mine}").status_code == 200


def test_the_import_is_all_or_nothing_through_the_api(db, console):
    office = console.api("office")
    good = [
        "样例县",
        "城关镇",
        "西村",
        "李四",
        id_number(7),
        "13900001111",
        3,
        "突发严重困难户",
        "因灾",
        5200,
    ]
    bad = [*good[:4], "不是身份证", *good[5:]]
    files = {"file": ("名单.xlsx", workbook_bytes([good, bad]), "application/octet-stream")}
    r = office.post("/api/monitoring/import", files=files)
    assert (
        r.status_code == 422 and r.json()["field"] == "file" and "第 3 行「身份证号」" in r.json()["detail"]
    )
    assert office.get("/api/monitoring/households").json() == []
    files = {"file": ("名单.xlsx", workbook_bytes([good]), "application/octet-stream")}
    r = office.post("/api/monitoring/import", files=files, params={"found_by": "部门筛查预警"})
    assert r.status_code == 200 and len(r.json()["created"]) == 1
    assert console.api("leader").post("/api/monitoring/import", files=files).status_code == 403


def test_an_overdue_visit_and_measure_are_lit_on_the_board_page(db, console):
    office = console.api("office")
    hid = office.post("/api/monitoring/households", json={**NEW, "found_on": None}).json()["id"]
    office.post(f"/api/monitoring/households/{hid}/measures", json={"measure_type": "健康帮扶", "unit": UNIT_A,
                "content": "救助"})  # fmt: skip
    page = office.get("/monitoring").text
    assert '<div class="lit small">超期未走访</div>' not in page
    console.later(days=40)  # found today and never visited in 30 days; the measure's 10 working days are past
    page = office.get("/monitoring").text
    assert '<div class="lit small">超期未走访</div>' in page
    board = office.get("/api/monitoring/board").json()
    assert board["total"]["overdue_visits"] == 1 and board["total"]["overdue_measures"] == 1
    detail = office.get(f"/api/monitoring/households/{hid}").json()
    assert detail["visit_overdue"] and detail["measures"][0]["light"] == "red"
