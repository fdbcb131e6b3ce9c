"""Every level of government in one deployment, through the console's API, on SQLite and
PostgreSQL: a province → city → county chain (a duty handed down twice, progressed at the bottom,
closed and reviewed at each level, a return reopening the level below), and a county account
refused its neighbour's duty route by route (404 and an ``access_denied`` event), lists and the
board limited to each account's subtree (辖区), the board rolled up by government.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from duban.accounts.service import create_api_token, create_user, start_session
from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import make_engine, session_scope
from duban.ledger.models import DutyRow, PlanRow
from duban.units import governments
from duban.units.service import load_units, require_unit
from tests.web.conftest import Clients
from tests.web.route_cases import CASES, Req
from tests.web.test_web_routes import call, url_of
from tests.web.web_factories import NOW, PASSWORD, SECRET, World, fill, make_plan

UNITS = """units:
  - {name: 示例市住房和城乡建设局, short: 示例市住建局, kind: 部门}
  - {name: 甲县住房和城乡建设局, short: 甲县住建局, kind: 部门}
  - {name: 乙县教育局, kind: 部门}
"""
# role key → (name, role, unit, government)
LEVEL_USERS = {
    "city_office": ("示例市督查室", "office", None, "示例市"),
    "county_office": ("甲县督查室", "office", None, "甲县"),
    "county_unit": ("甲县住建局孙七", "unit", "甲县住房和城乡建设局", None),
    "neighbour_office": ("乙县督查室", "office", None, "乙县"),
    "neighbour_unit": ("乙县教育局赵六", "unit", "乙县教育局", None),
}


def add_governments(engine: Engine, *, province: bool = False, dispose: bool = False) -> None:
    """示例市 with 甲县 and 乙县 below it (under 示例省 when ``province``); the existing data has
    no government, so it is the root's."""
    try:
        with session_scope(engine) as s:
            kw: dict[str, Any] = {"session": s, "actor": "test", "now": NOW}
            if province:
                governments.add_government(name="示例省", level="省", **kw)
            governments.add_government(name="示例市", level="市", parent="示例省" if province else None, **kw)
            governments.add_government(name="甲县", level="县", parent="示例市", **kw)
            governments.add_government(name="乙县", level="县", parent="示例市", **kw)
    finally:
        if dispose:
            engine.dispose()


def province_world(engine: Engine, world: World, tmp: Path) -> World:
    """The template world as the province's (示例省), with the city, two counties, their units and
    accounts (tokens and sessions added to the world's)."""
    add_governments(engine, province=True)
    path = tmp / "level_units.yaml"
    path.write_text(UNITS, encoding="utf-8")
    tokens, sessions = dict(world.tokens), dict(world.sessions)
    with session_scope(engine) as s:
        load_units(session=s, path=path, actor="test", now=NOW)
        for unit, gov in (
            ("示例市住房和城乡建设局", "示例市"),
            ("甲县住房和城乡建设局", "甲县"),
            ("乙县教育局", "乙县"),
        ):
            governments.attach_units(
                session=s, government=gov, units=[require_unit(session=s, name=unit)], actor="test", now=NOW
            )
        for key, (name, role, unit, gov) in LEVEL_USERS.items():
            account = create_user(
                session=s, name=name, role=role, unit=unit, government=gov, password=PASSWORD, now=NOW
            )
            tokens[key] = create_api_token(
                session=s, account=account, now=NOW, label="test", lifetime=timedelta(days=36500)
            )
            sessions[key] = start_session(session=s, account=account, now=NOW)
    return dataclasses.replace(world, tokens=tokens, sessions=sessions)


def denied(engine: Engine, entity: str, entity_id: int) -> list[EventRow]:
    with session_scope(engine) as s:
        rows = s.scalars(
            select(EventRow)
            .where(
                EventRow.action == "access_denied", EventRow.entity == entity, EventRow.entity_id == entity_id
            )
            .order_by(EventRow.id)
        )
        return list(rows)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def levels(request, tmp_path: Path) -> Iterator[tuple[Clients, Engine]]:
    """Clients on a province world, on SQLite or PostgreSQL."""
    from duban.web import create_app

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'duban.sqlite3'}"
        engine = make_engine(Settings(database_url=url))
        cleanup: Iterator[Engine] | None = None
    else:
        from tests.ledger.conftest import postgres_engine
        from tests.ledger.conftest import url_of as pg_url

        cleanup = postgres_engine()
        engine = next(cleanup)
        url = pg_url(engine)
    world = province_world(engine, fill(engine, tmp_path / "duban.sqlite3"), tmp_path)
    settings = Settings(database_url=url, secret_key=SECRET, upload_dir=tmp_path / "uploads")
    cs = Clients(create_app(settings, clock=lambda: NOW), world)
    try:
        yield cs, engine
    finally:
        cs.close()
        engine.dispose()
        if cleanup is not None:
            next(cleanup, None)


def _ledger_bytes(client: Any) -> bytes:
    r = client.get("/api/ledger.xlsx")
    assert r.status_code == 200, r.text[:300]
    return bytes(r.content)


def _ledger_ids(client: Any) -> list[int]:
    """The 事项编号 of the 台账 workbook ``client`` downloads."""
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(_ledger_bytes(client))).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("事项编号")
    return sorted(int(r[col]) for r in rows[1:] if r[col] is not None)


def hand_down_twice(cs: Clients) -> tuple[int, int, int]:
    """The province hands duty_a down to 示例市, the city hands its duty down to 甲县, whose office
    assigns it to its own unit: (city duty, county duty, county item)."""
    w = cs.world
    r = cs.api("office").post(f"/api/duties/{w.duty_a}/hand-down", json={"to": "示例市"})
    assert r.status_code == 201, r.text
    city = r.json()["duty_id"]
    assert r.json()["government"] == "示例市" and r.json()["unit"] is None
    r = cs.api("city_office").post(f"/api/duties/{city}/hand-down", json={"to": "甲县"})
    assert r.status_code == 201, r.text
    county = r.json()["duty_id"]
    item = cs.api("county_office").get(f"/api/duties/{county}").json()["item"]["id"]
    return city, county, item


def test_a_duty_handed_down_twice_is_progressed_below_and_reviewed_at_each_level(levels):
    cs, engine = levels
    w = cs.world
    province, city_office, county_office = cs.api("office"), cs.api("city_office"), cs.api("county_office")
    county_unit = cs.api("county_unit")
    # the city may not hand down what is not its own, nor skip a level
    r = city_office.post(f"/api/duties/{w.duty_a}/hand-down", json={"to": "甲县"})
    assert r.status_code == 404 and len(denied(engine, "duty", w.duty_a)) == 1
    r = province.post(f"/api/duties/{w.duty_a}/hand-down", json={"to": "甲县"})
    assert r.status_code == 400 and r.json()["field"] == "to" and "下级政府" in r.json()["detail"]
    city, county, item = hand_down_twice(cs)
    assert province.post(f"/api/duties/{w.duty_a}/hand-down", json={"to": "示例市"}).status_code == 400
    # the county's office assigns to its own units only
    r = county_office.post(f"/api/items/{item}/assign", json={"unit": "示例市住房和城乡建设局"})
    assert r.status_code == 400 and r.json()["field"] == "unit"
    r = county_office.post(f"/api/items/{item}/assign", json={"unit": "甲县住房和城乡建设局"})
    assert r.status_code == 200, r.text
    # progress at the bottom, visible up the chain
    r = county_unit.post(f"/api/duties/{county}/progress", json={"text": "已开工旧改小区 12 个", "share": 60})
    assert r.status_code == 201, r.text
    seen = city_office.get(f"/api/duties/{city}/levels").json()
    assert seen["government"] == "示例市" and seen["parent"] is None  # the province's duty is not the city's
    assert [(c["government"], c["unit"], c["share"]) for c in seen["children"]] == [
        ("甲县", "甲县住房和城乡建设局", 60)
    ]
    top = province.get(f"/api/duties/{w.duty_a}/levels").json()
    assert [c["government"] for c in top["children"]] == ["示例市"]
    assert county_office.get(f"/api/duties/{county}/levels").json()["parent"] is None  # above its subtree
    # closure: the county's office approves, which asks the city's; the city returns it
    assert (
        county_unit.post(f"/api/duties/{county}/closure-request", json={"text": "全部完成"}).status_code
        == 200
    )
    r = city_office.post(f"/api/duties/{county}/review", json={"decision": "approve"})
    assert r.status_code == 403 and r.json()["field"] == "duty_id"  # the county's own office reviews
    assert county_office.post(f"/api/duties/{county}/review", json={"decision": "approve"}).status_code == 200
    assert city_office.get(f"/api/duties/{city}").json()["duty"]["status"] == "closure_requested"
    r = city_office.post(f"/api/duties/{city}/review", json={"decision": "return", "reason": "缺验收材料"})
    assert r.status_code == 200, r.text
    reopened = county_office.get(f"/api/duties/{county}").json()["duty"]
    assert reopened["status"] == "returned" and "缺验收材料" in reopened["return_reason"]
    assert reopened["grade"] is None and reopened["closed_at"] is None
    # done again below, approved at each level up to the province
    assert (
        county_unit.post(f"/api/duties/{county}/progress", json={"text": "补齐验收材料"}).status_code == 201
    )
    assert county_unit.post(f"/api/duties/{county}/closure-request", json={}).status_code == 200
    assert county_office.post(f"/api/duties/{county}/review", json={"decision": "approve"}).status_code == 200
    assert city_office.post(f"/api/duties/{city}/review", json={"decision": "approve"}).status_code == 200
    assert province.get(f"/api/duties/{w.duty_a}").json()["duty"]["status"] == "closure_requested"
    r = province.post(f"/api/duties/{w.duty_a}/review", json={"decision": "approve", "grade": "良好"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    with session_scope(engine) as s:
        statuses = dict(
            s.execute(select(DutyRow.id, DutyRow.status).where(DutyRow.id.in_((city, county)))).all()
        )
        actions = [
            e.action
            for e in s.scalars(select(EventRow).where(EventRow.entity == "duty", EventRow.entity_id == city))
        ]
    assert statuses == {city: "closed", county: "closed"}
    for action in ("create", "hand_down", "child_closed", "request_closure", "return", "close"):
        assert action in actions, (action, actions)


def test_a_county_cannot_see_its_neighbours_duties_route_by_route(levels):
    """Every route that takes a duty or item, asked by the neighbour county (乙县) for 甲县's duty:
    404 (403 for a role the route refuses) and one ``access_denied`` event each."""
    cs, engine = levels
    _city, county, item = hand_down_twice(cs)
    assert (
        cs.api("county_office")
        .post(f"/api/items/{item}/assign", json={"unit": "甲县住房和城乡建设局"})
        .status_code
        == 200
    )
    owned = [c for c in CASES if c.owned]
    assert owned
    for case in owned:
        entity, entity_id = ("duty", county) if "{duty_id}" in case.path else ("item", item)
        before = len(denied(engine, entity, entity_id))
        role = "neighbour_office" if "office" in case.allowed else "neighbour_unit"
        req = Req(
            params={**case.ok.params, "duty_id": county, "item_id": item},
            json=case.ok.json,
            form=case.ok.form,
        )
        r = call(cs, case, role, req)
        assert r.status_code == 404, (case.id, r.status_code, r.text[:200])
        assert "不存在" in r.text
        events = denied(engine, entity, entity_id)
        assert len(events) == before + 1, case.id
        assert events[-1].after is not None and events[-1].after["path"] == url_of(case, cs.world, req)


def test_lists_and_the_board_are_limited_to_the_subtree_and_roll_up(levels):
    cs, engine = levels
    w = cs.world
    city, county, item = hand_down_twice(cs)
    assert (
        cs.api("county_office")
        .post(f"/api/items/{item}/assign", json={"unit": "甲县住房和城乡建设局"})
        .status_code
        == 200
    )
    neighbour, county_office, city_office = (
        cs.api("neighbour_office"),
        cs.api("county_office"),
        cs.api("city_office"),
    )
    assert neighbour.get("/api/duties").json()["items"] == []
    assert neighbour.get("/api/board").json()["totals"]["total"] == 0
    assert [p["place"] for p in neighbour.get("/api/plans").json()] == []
    assert sum(c["total"] for c in neighbour.get("/api/board/sources").json()) == 0
    by_source = {
        c["source"]: c["total"] for c in county_office.get("/api/board/sources").json() if c["total"]
    }
    assert by_source == {"handed_down": 1}  # 上级交办: the county's one duty
    assert [d["duty_id"] for d in county_office.get("/api/duties").json()["items"]] == [county]
    assert county_office.get("/api/board").json()["totals"]["total"] == 1
    with session_scope(engine) as s:
        county_plan = s.scalar(
            select(PlanRow.id).where(PlanRow.government_id.is_not(None), PlanRow.place == "甲县")
        )
    assert [p["id"] for p in county_office.get("/api/plans").json()] == [county_plan]
    r = neighbour.get(f"/api/plans/{county_plan}")
    assert r.status_code == 404 and len(denied(engine, "plan", county_plan)) == 1
    assert neighbour.get(f"/api/plans/{w.plan_id}").status_code == 404  # the province's
    # the 台账 workbook holds the subtree's duties; an edited one names only the account's own
    assert _ledger_ids(county_office) == [county]
    assert _ledger_ids(city_office) == sorted([city, county])
    r = neighbour.post("/api/ledger/import", files={"file": ("台账.xlsx", _ledger_bytes(county_office))})
    assert r.status_code == 422 and r.json()["field"] == "file" and "未知的事项编号" in r.json()["detail"]
    # the city's roll-up: its own duties (本级, the handed-down one) and its county's, by government
    rolled = {g["government"]: g for g in city_office.get("/api/board/governments").json()}
    assert set(rolled) == {"示例市", "甲县"} and rolled["示例市"]["own"] and not rolled["甲县"]["own"]
    assert rolled["示例市"]["total"] == 1 and rolled["甲县"]["total"] == 1
    assert {g["government"] for g in county_office.get("/api/board/governments").json()} == {"甲县"}
    assert {g["government"] for g in cs.api("office").get("/api/board/governments").json()} == {
        "示例省",
        "示例市",
        "甲县",
    }
    # the province's board lists every unit's duties; the city's by unit includes its county's unit
    units = {u["unit"] for u in city_office.get("/api/board").json()["units"]}
    assert units == {"甲县住房和城乡建设局"}  # the city's own duty is not assigned to a unit yet
    # a city office may read the county's duty (its subtree) but not the province's
    assert city_office.get(f"/api/duties/{county}").status_code == 200
    assert city_office.get(f"/api/duties/{w.duty_a}").status_code == 404
    # the duty rows of a one-government account are unchanged (every existing test): all of them
    # (the two world duties and the county's; the city's is not yet assigned to a unit)
    assert cs.api("office").get("/api/board").json()["totals"]["total"] == 3


def test_migration_makes_a_default_government_from_existing_data(tmp_path: Path):
    """0550 on a database with data: one government named after the newest plan, everything in it."""
    from duban.db import upgrade

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    try:
        upgrade(engine, revision="0540")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO plans (place, level, year, title, doc, source, source_format, source_kind, checksum,"
                " loaded_at, loaded_by) VALUES ('示例市', '市', 2024, 't', 'd', 's', '', 'report', 'c1',"
                " '2024-01-01 00:00:00', 'x')"
            )
            conn.exec_driver_sql("INSERT INTO units (name, kind) VALUES ('市教育局', '部门')")
        upgrade(engine)
        with session_scope(engine) as s:
            tree = governments.tree(session=s)
            assert [(n.name, n.level) for n in tree] == [("示例市", "市")]
            gid = tree[0].id
            assert s.scalar(select(PlanRow.government_id)) == gid
            s.execute(update(PlanRow).values(government_id=None))  # and NULL is the root's anyway
            assert governments.visible_ids(session=s, government_id=gid) == {gid, None}
    finally:
        engine.dispose()


def test_a_duty_page_counts_on_its_governments_days(levels):
    """The duty API's clock uses the days of the duty's government, and sees a setting change made
    by another process (the CLI) as soon as it reads the data's version — the change writes an
    event, which moves it; an API client's request reads it at most a second late, here always."""
    clients, engine = levels
    clients.app.state.console.version_every = 0.0
    w = clients.world
    with session_scope(engine) as s:
        province = governments.require_government(session=s, name="示例省").id
        s.execute(update(PlanRow).where(PlanRow.id == w.plan_id).values(government_id=province))
    office = clients.api("office")

    def deploy_due() -> str:
        r = office.get(f"/api/duties/{w.duty_b}")
        assert r.status_code == 200, r.text
        steps = {m["key"]: m["due"] for m in r.json()["clock"]["milestones"]}
        return str(steps["deploy"])

    assert deploy_due() == "2023-03-02"  # assigned Wednesday 1 March: the next working day
    with session_scope(engine) as s:
        governments.set_setting(
            session=s, name="示例省", key="extra_holidays", value=["2023-03-02"], actor="test", now=NOW
        )
    assert deploy_due() == "2023-03-03"
    assert office.get(f"/api/duties/{w.duty_b}/pace").status_code == 200
    assert office.get(f"/duties/{w.duty_b}").status_code == 200


def test_the_boards_plan_picker_holds_the_subtree(levels):
    """The picker lists the plans of the account's 辖区 (shown when it has more than one)."""
    from duban.ledger import service

    clients, engine = levels
    w = clients.world
    with session_scope(engine) as s:
        county_plan, _ = service.load_plan(
            session=s, plan=make_plan(seed="甲县", place="甲县"), actor="t", now=NOW
        )
        county_plan.government_id = governments.require_government(session=s, name="甲县").id
        s.flush()
        county_id = county_plan.id
    province = clients.browser("office")[0].get("/board").text
    assert f'<option value="{w.plan_id}"' in province and f'<option value="{county_id}"' in province
    city = clients.browser("city_office")[0].get("/board")  # one plan in reach: no picker
    assert city.status_code == 200 and f'<option value="{w.plan_id}"' not in city.text
    neighbour = clients.browser("neighbour_office")[0].get("/board")
    assert neighbour.status_code == 200 and "甲县" not in neighbour.text


def test_a_county_office_manages_only_its_subtrees_accounts(levels):
    """A county office can neither see nor reset the province office's account (else it could
    sign in as it); an account it adds is its county's; a unit officer's unit must be its own."""
    from duban.accounts.models import UserRow
    from duban.accounts.service import authenticate

    clients, engine = levels
    c, csrf = clients.browser("county_office")
    page = c.get("/admin/users")
    assert page.status_code == 200
    assert "甲县督查室" in page.text and "甲县住建局孙七" in page.text
    assert "督查室张三" not in page.text and "乙县督查室" not in page.text
    with session_scope(engine) as s:
        province_office = s.scalar(select(UserRow.id).where(UserRow.name == "督查室张三"))
    for action, data in (("password", {"password": "Jiaxian-takes-over-1"}), ("active", {"active": "false"})):
        r = c.post(f"/admin/users/{province_office}/{action}", data={"csrf_token": csrf, **data})
        assert r.status_code == 404, r.text
    assert denied(engine, "user", province_office)[-1].actor == "甲县督查室"
    r = c.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "甲县新督查员", "role": "office", "password": "Jiaxian-new-2023"},
    )
    assert r.status_code == 303
    r = c.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "乙县教育局新人", "role": "unit", "unit": "乙县教育局",
              "password": "Yixian-new-2023"},
    )  # fmt: skip
    assert r.status_code == 400 and 'data-field="unit"' in r.text and "不在本级辖区内" in r.text
    with session_scope(engine) as s:
        assert authenticate(session=s, name="督查室张三", password=PASSWORD) is not None  # unchanged
        added = authenticate(session=s, name="甲县新督查员", password="Jiaxian-new-2023")
        county = governments.require_government(session=s, name="甲县").id
        assert (
            added is not None and added.government_id == county and None not in (added.governments or {None})
        )
        assert s.scalar(select(UserRow.id).where(UserRow.name == "乙县教育局新人")) is None
