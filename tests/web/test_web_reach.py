"""Cases by government (辖区), on SQLite and PostgreSQL: a county office sees the cases of its
county's units, not its neighbour's nor the city's or the province's; the hotline's queue (cases
no unit has yet) is the operators' and the root's; a county operator cannot dispatch to a unit
outside its county; hot topics, the rates and the events list hold only what is in reach.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from duban.accounts.service import create_api_token, create_user
from duban.cases.models import CaseRow
from duban.db import session_scope
from tests.web.test_web_levels import denied, levels  # noqa: F401  (the fixture)
from tests.web.web_factories import NOW, PASSWORD

COUNTY_UNIT, NEIGHBOUR_UNIT = "甲县住房和城乡建设局", "乙县教育局"


def _operator(clients: Any, engine: Engine, name: str, government: str) -> Any:
    """An API client for a hotline operator of ``government``."""
    with session_scope(engine) as s:
        account = create_user(
            session=s, name=name, role="operator", government=government, password=PASSWORD, now=NOW
        )
        token = create_api_token(session=s, account=account, now=NOW, label="t", lifetime=timedelta(days=9))
    c = clients.anon()
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def _take_in(op: Any, title: str, unit: str | None = None) -> int:
    r = op.post("/api/cases", json={"title": title, "content": f"{title}，请尽快处理。", "address": "幸福路"})
    assert r.status_code == 201, r.text
    cid = int(r.json()["id"])
    if unit is not None:
        r = op.post(f"/api/cases/{cid}/dispatch", json={"unit": unit, "category": "城乡建设"})
        assert r.status_code == 200, r.text
    return cid


def _listed(client: Any) -> set[int]:
    r = client.get("/api/cases", params={"page": 1})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == len(r.json()["items"])  # one page here
    return {c["id"] for c in r.json()["items"]}


def _queue(engine: Engine) -> set[int]:
    """The cases no unit has (handling, owning or suggested)."""
    with session_scope(engine) as s:
        rows = s.scalars(
            select(CaseRow.id).where(
                CaseRow.unit_id.is_(None),
                CaseRow.owner_unit_id.is_(None),
                CaseRow.suggested_unit_id.is_(None),
            )
        )
        return set(rows)


def _unit_of(engine: Engine, case_id: int) -> int | None:
    with session_scope(engine) as s:
        row = s.get(CaseRow, case_id)
        assert row is not None
        return row.unit_id


def test_each_government_sees_its_own_cases(levels):  # noqa: F811
    clients, engine = levels
    city_op = _operator(clients, engine, "市热线话务员", "示例市")
    county = _take_in(city_op, "甲县幸福路路灯不亮", COUNTY_UNIT)
    neighbour = _take_in(city_op, "乙县学校门口积水", NEIGHBOUR_UNIT)
    queued = _take_in(city_op, "某小区噪音扰民")
    template = _listed(clients.api("office"))  # the province's office: every case
    assert {county, neighbour, queued} <= template and len(template) > 3

    assert _listed(clients.api("county_office")) == {county}
    assert _listed(clients.api("neighbour_office")) == {neighbour}
    assert _listed(clients.api("city_office")) == {county, neighbour}  # the queue is the root's
    assert _listed(city_op) == {county, neighbour} | _queue(engine)  # operators route the queue
    assert queued in _queue(engine)
    assert _listed(clients.api("county_unit")) == {county}

    office = clients.api("county_office")
    assert office.get(f"/api/cases/{county}").status_code == 200
    for other in (neighbour, queued, min(template - {county, neighbour, queued})):
        r = office.get(f"/api/cases/{other}")
        assert r.status_code == 404 and r.json()["field"] == "case_id"
        assert denied(engine, "case", other)[-1].actor == "甲县督查室"

    # the hotline's rates rank the units in reach: a county's own 通报
    def ranked(role: str) -> set[str]:
        r = clients.api(role).get("/api/cases/rates", params={"month": "2023-03"})
        assert r.status_code == 200, r.text
        return {x["unit"] for x in r.json()["rates"]}

    assert ranked("county_office") == {COUNTY_UNIT}
    assert ranked("neighbour_office") == {NEIGHBOUR_UNIT}
    assert {COUNTY_UNIT, NEIGHBOUR_UNIT, "市发展和改革委员会"} <= ranked("office")
    # acting on a neighbour's case is refused the same way, and changes nothing
    r = clients.api("neighbour_unit").post(f"/api/cases/{county}/accept")
    assert r.status_code == 404


def test_a_county_operator_dispatches_only_within_its_county(levels):  # noqa: F811
    clients, engine = levels
    op = _operator(clients, engine, "甲县热线话务员", "甲县")
    cid = _take_in(op, "甲县人民路井盖缺失")
    assert cid in _listed(op)  # the queue is every operator's
    r = op.post(f"/api/cases/{cid}/dispatch", json={"unit": NEIGHBOUR_UNIT, "category": "城乡建设"})
    assert r.status_code == 422 and r.json()["field"] == "unit" and NEIGHBOUR_UNIT in r.json()["detail"]
    assert _unit_of(engine, cid) is None  # nothing half-applied (not even the category)
    assert cid not in _listed(clients.api("county_office"))
    r = op.post(f"/api/cases/{cid}/dispatch", json={"unit": COUNTY_UNIT, "category": "城乡建设"})
    assert r.status_code == 200, r.text
    assert cid in _listed(clients.api("county_office"))
    assert cid not in _listed(clients.api("neighbour_office"))


def test_hot_topics_count_only_the_cases_in_reach(levels):  # noqa: F811
    clients, engine = levels
    op = _operator(clients, engine, "市热线话务员", "示例市")
    water = [
        _take_in(op, text, NEIGHBOUR_UNIT)
        for text in ("乙县阳光小区停水三天", "乙县阳光小区又停水了", "乙县阳光小区停水无人管")
    ]

    def topics(role: str) -> set[int]:
        r = clients.api(role).get("/api/cases/hot", params={"days": 7})
        assert r.status_code == 200, r.text
        return {i for t in r.json()["topics"] for i in t["case_ids"]}

    assert set(water) <= topics("neighbour_office")
    assert not set(water) & topics("county_office")
    assert set(water) <= topics("city_office")


def test_events_hold_the_reach(levels):  # noqa: F811
    clients, engine = levels
    op = _operator(clients, engine, "市热线话务员", "示例市")
    county = _take_in(op, "甲县幸福路路灯不亮", COUNTY_UNIT)
    neighbour = _take_in(op, "乙县学校门口积水", NEIGHBOUR_UNIT)

    def events(role: str, **params: Any) -> tuple[set[tuple[str, int]], int]:
        r = clients.api(role).get("/api/events", params={"limit": 1000, **params})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(body["items"])
        return {(e["entity"], e["entity_id"]) for e in body["items"]}, body["total"]

    mine, total = events("county_office")
    assert ("case", county) in mine and ("case", neighbour) not in mine
    # the template's plan and duties are the province's (no government): none of the county's
    assert {kind for kind, _ in mine} == {"case", "government"}
    every, every_total = events("office")
    assert ("case", neighbour) in every and ("duty", min(i for k, i in every if k == "duty")) in every
    assert every_total > total
    assert events("county_office", entity="duty") == (set(), 0)
    assert ("case", neighbour) in events("neighbour_office")[0]


def _household(seq: int, county: str) -> dict[str, Any]:
    from tests.monitoring.factories import id_number

    return {"county": county, "township": "城关镇", "village": "东关村", "head_name": f"户主{seq}",
            "id_number": id_number(seq), "phone": "13812345678", "members": 3, "household_type": "边缘易致贫户",
            "risks": ["因病"], "found_by": "农户自主申报", "found_on": "2023-02-01", "income_per_person": 6500}  # fmt: skip


def test_the_monitoring_list_holds_the_counties_in_reach(levels):  # noqa: F811
    """Households name their county as text: a county office sees, opens and adds only its own."""
    clients, engine = levels
    province = clients.api("office")
    ids = {}
    for seq, county in ((801, "甲县"), (802, "乙县"), (803, "示例省直属")):
        r = province.post("/api/monitoring/households", json=_household(seq, county))
        assert r.status_code == 201, r.text
        ids[county] = r.json()["id"]

    def listed(role: str) -> set[int]:
        r = clients.api(role).get("/api/monitoring/households")
        assert r.status_code == 200, r.text
        return {h["id"] for h in r.json()}

    assert set(ids.values()) <= listed("office")  # with the template's own households
    assert listed("county_office") == {ids["甲县"]}
    assert listed("city_office") == {ids["甲县"], ids["乙县"]}
    county = clients.api("county_office")
    r = county.get(f"/api/monitoring/households/{ids['乙县']}")
    assert r.status_code == 404 and r.json()["field"] == "household_id"
    assert denied(engine, "household", ids["乙县"])[-1].actor == "甲县督查室"
    board = county.get("/api/monitoring/board").json()
    assert board["total"]["households"] == 1, board
    r = county.post("/api/monitoring/households", json=_household(804, "乙县"))
    assert r.status_code == 422 and r.json()["field"] == "county" and "不在本级辖区内" in r.json()["detail"]
    assert county.post("/api/monitoring/households", json=_household(804, "甲县")).status_code == 201
