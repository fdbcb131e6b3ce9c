"""The Open311 GeoReport v2 server: every document validates against the official JSON schemas,
XML is well-formed and says what the JSON says, POST works form-encoded and as JSON, the filters
filter, and bad input gets a 400 error list with nothing stored. Sensor alarms come in too."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from duban.accounts.service import create_api_token, create_user
from duban.audit.models import EventRow
from duban.cases import flow
from duban.cases.models import CaseRow
from duban.config import Settings
from duban.db import session_scope
from duban.units.service import require_unit
from duban.web import create_app
from tests.cases.conftest import NOW, need, url_of
from tests.conftest import shared_path

Draft7Validator = need("jsonschema", "jsonschema").Draft7Validator
_referencing = need("referencing", "jsonschema")
Registry, Resource = _referencing.Registry, _referencing.Resource

SCHEMA_DIR = ("corpus", "open311", "georeport_v2_schema")


def validator(name: str) -> Any:
    folder = shared_path(*SCHEMA_DIR)
    registry = Registry()
    for path in folder.glob("*.json"):
        if path.name != "swagger.json":
            registry = registry.with_resource(path.name, Resource.opaque(json.loads(path.read_text())))
    schema = json.loads((folder / name).read_text())
    return Draft7Validator(schema, registry=registry)


ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    },
}


def build_app(engine):
    return create_app(Settings(database_url=url_of(engine)), clock=lambda: NOW)


@pytest.fixture
def key(db) -> str:
    with session_scope(db) as s:
        account = create_user(
            session=s, name="open311-client", role="office", password="secret-pass-1", now=NOW
        )
        return create_api_token(session=s, account=account, now=NOW, label="open311")


@pytest.fixture
def client(db):
    with TestClient(build_app(db)) as c:
        yield c


def counts(db) -> tuple[int, int]:
    with session_scope(db) as s:
        return (
            s.scalar(select(func.count()).select_from(CaseRow)),
            s.scalar(select(func.count()).select_from(EventRow)),
        )


def xml_items(text: str, root: str, item: str) -> list[dict[str, Any]]:
    tree = ET.fromstring(text.encode())  # raises on anything not well-formed
    assert tree.tag == root
    return [{child.tag: child.text or "" for child in el} for el in tree.findall(item)]


def as_xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


GOOD = {
    "service_code": "streetlight",
    "lat": "40.0901",
    "long": "113.2951",
    "address_string": "平城区和平路12号",
    "description": "和平路12号门口路灯不亮一周了",
    "phone": "13812341234",
    "first_name": "先生",
    "last_name": "王",
    "attribute[fault]": "dark",
}


def post(client, key, body=None, *, fmt="json", as_json=False):
    data = {**GOOD, "api_key": key} if body is None else body
    if as_json:
        return client.post(f"/open311/v2/requests.{fmt}", json=data)
    return client.post(f"/open311/v2/requests.{fmt}", data=data)


def test_services_and_definitions_validate(client):
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 200
    services = r.json()
    assert not list(validator("services.json").iter_errors(services))
    assert {s["service_code"] for s in services} >= {"streetlight", "pothole", "noise", "wage"}
    x = client.get("/open311/v2/services.xml")
    assert x.headers["content-type"].startswith("text/xml")
    assert xml_items(x.text, "services", "service") == [
        {k: as_xml_text(v) for k, v in s.items()} for s in services
    ]
    check = validator("service-definition.json")
    for s in services:
        d = client.get(f"/open311/v2/services/{s['service_code']}.json")
        assert d.status_code == 200 and not list(check.iter_errors(d.json()))
        assert d.json()["service_code"] == s["service_code"]
        assert s["metadata"] is bool(d.json()["attributes"])
        root = ET.fromstring(client.get(f"/open311/v2/services/{s['service_code']}.xml").content)
        assert root.tag == "service_definition"
        assert [a.findtext("code") for a in root.iter("attribute")] == [
            a["code"] for a in d.json()["attributes"]
        ]
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and not list(Draft7Validator(ERRORS_SCHEMA).iter_errors(missing.json()))
    assert client.get("/open311/v2/services.csv").status_code == 400


def test_post_form_and_json_then_read_back(db, client, key):
    client.headers["Authorization"] = f"Bearer {key}"  # an office key reads the full view
    r = post(client, key)
    assert r.status_code == 200, r.text
    [answer] = r.json()
    rid, token = answer["service_request_id"], answer["token"]
    j = post(
        client,
        key,
        {**GOOD, "api_key": key, "lat": 40.2, "long": 113.1, "address_string": "云冈区"},
        as_json=True,
    )
    assert j.status_code == 200, j.text
    x = post(client, key, {**GOOD, "api_key": key, "address_string": "新荣区"}, fmt="xml")
    assert x.status_code == 200
    [posted_xml] = xml_items(x.text, "service_requests", "request")
    assert posted_xml["service_request_id"].isdigit() and posted_xml["token"]
    with session_scope(db) as s:
        row = s.get(CaseRow, int(rid))
        assert (row.channel, row.service_code, row.category, row.case_type) == (
            "open311",
            "streetlight",
            "城乡建设",
            "求助",
        )
        assert (row.citizen_name, row.citizen_phone, row.lat) == ("王 先生", "13812341234", 40.0901)
        assert "故障情况：不亮" in row.content and row.review == "confirmed"
        assert row.suggested_unit_id == require_unit(session=s, name="住建局").id
    one = client.get(f"/open311/v2/requests/{rid}.json")
    assert one.status_code == 200
    assert not list(validator("requests.json").iter_errors(one.json()))
    doc = one.json()[0]
    assert (doc["status"], doc["service_code"], doc["lat"], doc["long"]) == (
        "open",
        "streetlight",
        40.0901,
        113.2951,
    )
    assert doc["requested_datetime"] == "2026-03-03T10:00:00+08:00"
    assert doc["expected_datetime"] == "2026-03-17T17:30:00+08:00"  # 求助: 10 working days
    assert "13812341234" not in one.text  # the phone is never published
    assert client.get(f"/open311/v2/request/{rid}.json").json() == one.json()  # swagger's path
    xml = client.get(f"/open311/v2/requests/{rid}.xml")
    assert xml_items(xml.text, "service_requests", "request") == [{k: as_xml_text(v) for k, v in doc.items()}]
    tok = client.get(f"/open311/v2/tokens/{token}.json")
    assert tok.json() == [{"service_request_id": rid, "token": token}]
    assert client.get("/open311/v2/tokens/nope.json").status_code == 404
    assert client.get("/open311/v2/requests/99999.json").status_code == 404


def test_get_requests_filters(db, client, key):
    client.headers["Authorization"] = f"Bearer {key}"  # an office key reads the full view
    ids = [post(client, key).json()[0]["service_request_id"] for _ in range(2)]
    plain = {k: v for k, v in GOOD.items() if not k.startswith("attribute")}
    noise = post(
        client,
        key,
        {**plain, "api_key": key, "service_code": "noise", "attribute[source][]": ["shop", "traffic"]},
    )
    assert noise.status_code == 200, noise.text
    nid = noise.json()[0]["service_request_id"]
    with session_scope(db) as s:
        unit = require_unit(session=s, name="市城管局").id
        cal = client.app.state.console.calendar
        flow.dispatch(session=s, case_id=int(ids[0]), unit_id=unit, actor="t", now=NOW, calendar=cal)
        flow.accept(session=s, case_id=int(ids[0]), actor="t", now=NOW)
        flow.start(session=s, case_id=int(ids[0]), actor="t", now=NOW)
        flow.settle(
            session=s, case_id=int(ids[0]), reply="已修复路灯", actor="t", now=NOW + timedelta(hours=2)
        )
    check = validator("requests.json")

    def got(query: str) -> list[str]:
        r = client.get(f"/open311/v2/requests.json{query}")
        assert r.status_code == 200, r.text
        assert not list(check.iter_errors(r.json())) or r.json() == []
        return sorted(d["service_request_id"] for d in r.json())

    assert got("") == sorted([*ids, nid])
    assert got(f"?service_request_id={ids[1]},{nid}") == sorted([ids[1], nid])
    assert got("?service_code=noise") == [nid]
    assert got("?service_code=noise,streetlight") == sorted([*ids, nid])
    assert got("?status=closed") == [ids[0]]
    assert got("?status=open") == sorted([ids[1], nid])
    assert got("?start_date=2026-03-04T00:00:00Z") == []
    assert got("?start_date=2026-03-01T00:00:00Z&end_date=2026-03-03T02:00:00Z") == sorted([*ids, nid])
    closed = client.get(f"/open311/v2/requests/{ids[0]}.json").json()[0]
    assert (closed["status"], closed["status_notes"], closed["agency_responsible"]) == (
        "closed",
        "已修复路灯",
        "市城市管理局",
    )
    noise_doc = client.get(f"/open311/v2/requests/{nid}.json").json()[0]
    assert "噪音来源：商铺经营、交通" in noise_doc["description"]
    for bad in ("?status=pending", "?start_date=yesterday", "?service_request_id=abc"):
        r = client.get(f"/open311/v2/requests.json{bad}")
        assert r.status_code == 400 and not list(Draft7Validator(ERRORS_SCHEMA).iter_errors(r.json()))
    updates = client.get("/open311/v2/servicerequestupdates.json")
    assert [(u["service_request_id"], u["status"], u["description"]) for u in updates.json()] == [
        (ids[0], "closed", "已修复路灯")
    ]
    u_xml = xml_items(
        client.get("/open311/v2/servicerequestupdates.xml").text, "service_request_updates", "request_update"
    )
    assert u_xml == [{k: as_xml_text(v) for k, v in updates.json()[0].items()}]
    comment = client.post(
        "/open311/v2/servicerequestupdates.json",
        data={"api_key": key, "service_request_id": ids[1], "description": "今晚还是不亮"},
    )
    assert comment.status_code == 200 and comment.json()[0]["status"] == "open"
    assert len(client.get("/open311/v2/servicerequestupdates.json").json()) == 2
    bad = client.post(
        "/open311/v2/servicerequestupdates.json", data={"api_key": key, "service_request_id": "x"}
    )
    assert bad.status_code == 400 and len(bad.json()) == 2


BAD = [
    ("unknown-service", {"service_code": "ufo"}, "service_code 'ufo' 不存在"),
    ("no-service", {"service_code": None}, "缺少 service_code"),
    ("no-location", {"lat": None, "long": None, "address_string": None}, "缺少位置"),
    ("lat-without-long", {"long": None, "address_string": None}, "lat 与 long 须同时给出"),
    ("lat-not-number", {"lat": "north"}, "lat 应为数字"),
    ("lat-out-of-range", {"lat": "95"}, "lat 应在 -90 到 90 之间"),
    ("description-too-long", {"description": "很" * 4001}, "description 过长：最多 4000 个字符"),
    ("address-too-long", {"address_string": "路" * 301}, "address_string 过长"),
    ("bad-email", {"email": "not-an-email"}, "不是有效的电子邮件地址"),
    ("bad-media", {"media_url": "ftp://x/y.jpg"}, "media_url 应为 http"),
    ("required-attribute", {"attribute[fault]": None}, "attribute[fault]（故障情况）为必填项"),
    ("bad-list-value", {"attribute[fault]": "broken"}, "取值 'broken' 不在可选值"),
    ("unknown-attribute", {"attribute[colour]": "red"}, "attribute[colour] 不是服务 streetlight 定义的属性"),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in BAD], ids=[b[0] for b in BAD])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_post_is_400_and_stores_nothing(db, client, key, change, message, fmt):
    before = counts(db)
    body = {k: v for k, v in {**GOOD, "api_key": key, **change}.items() if v is not None}
    r = post(client, key, body, fmt=fmt)
    assert r.status_code == 400
    if fmt == "json":
        assert not list(Draft7Validator(ERRORS_SCHEMA).iter_errors(r.json()))
        assert any(message in e["description"] for e in r.json()), r.json()
    else:
        errors = xml_items(r.text, "errors", "error")
        assert errors and all(e["code"] == "400" for e in errors)
        assert any(message in e["description"] for e in errors)
    assert counts(db) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lat": True, "long": 113.0}, "lat 应为数字"),
        ({"description": 12345}, "description 应为字符串"),
        ({"service_code": ["streetlight"]}, "service_code 应为字符串"),
        ({"attribute": {"fault": {"x": 1}}}, "值类型不对"),
    ],
    ids=["bool-lat", "number-description", "list-code", "object-attribute"],
)
def test_wrong_types_in_json_body(db, client, key, change, message):
    before = counts(db)
    body = {k: v for k, v in GOOD.items() if not k.startswith("attribute")} | {"attribute": {"fault": "dark"}}
    r = post(client, key, {**body, "api_key": key, **change}, as_json=True)
    assert r.status_code == 400
    assert any(message in e["description"] for e in r.json()), r.json()
    assert counts(db) == before


def test_json_body_must_be_an_object(db, client, key):
    r = client.post(
        "/open311/v2/requests.json", content=b"[1, 2]", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "JSON 请求体应为对象" in r.json()[0]["description"]
    r = client.post(
        "/open311/v2/requests.json", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "不是有效的 JSON" in r.json()[0]["description"]


def test_api_key_is_required_and_checked(db, client, key):
    before = counts(db)
    r = post(client, key, dict(GOOD))
    assert r.status_code == 400 and "缺少 api_key" in r.json()[0]["description"]
    r = post(client, key, {**GOOD, "api_key": "dbn_forged"})
    assert r.status_code == 403 and r.json()[0]["code"] == 403
    assert counts(db) == before


def test_sensor_alarm_becomes_one_urgent_case(db, client):
    key = account_key(db, "网关1", "gateway")
    alarm = {
        "alarm_id": "A-1", "sensor_id": "WL-0931", "kind": "积水", "level": "urgent", "value": 32, "threshold": 20,
        "unit": "cm", "lat": 40.08, "lon": 113.3, "address": "御河东路下穿通道", "at": "2026-03-03T09:40:00+08:00",
    }  # fmt: skip
    headers = {"Authorization": f"Bearer {key}"}
    assert client.post("/api/sensors/alarms", json=alarm).status_code == 401
    first = client.post("/api/sensors/alarms", json=alarm, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["duplicate"] is False and first.json()["due_date"] == "2026-03-03"
    again = client.post("/api/sensors/alarms", json=alarm, headers=headers)
    assert again.json() == {**first.json(), "duplicate": True, "outcome": "duplicate"}
    with session_scope(db) as s:
        row = s.get(CaseRow, first.json()["case_id"])
        assert (row.channel, row.urgent, row.category, row.source, row.external_id) == (
            "sensor",
            True,
            "设备告警",
            "sensor",
            "A-1",
        )
        assert row.content == "设备 WL-0931 报告积水，读数 32cm（阈值 20cm）"
        assert row.suggested_unit_id == require_unit(session=s, name="市城管局").id
    before = counts(db)
    bad = client.post(
        "/api/sensors/alarms", json={**alarm, "alarm_id": "A-2", "at": "2026-03-03T09:40:00"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "at"
    assert counts(db) == before


@pytest.mark.parametrize("role", ["leader", "office", "operator"])
def test_only_a_gateway_account_posts_alarms(db, client, role):
    key = account_key(db, f"非网关{role}", role)
    before = counts(db)
    alarm = {"alarm_id": "A-9", "sensor_id": "S", "kind": "烟感", "at": "2026-03-03T09:40:00+08:00"}
    r = client.post("/api/sensors/alarms", json=alarm, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 403 and counts(db) == before


def test_a_gateway_account_reads_nothing_else(db, client):
    key = account_key(db, "网关2", "gateway")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code == 403


def test_open311_writes_name_the_keys_account(db, client, key):
    from duban.audit.models import EventRow

    rid = int(post(client, key).json()[0]["service_request_id"])
    assert last_event(db, rid).actor == "open311-client（Open311）"
    with session_scope(db) as s:
        assert s.scalar(select(EventRow.actor).where(EventRow.actor == "Open311")) is None


# ---- POST servicerequestupdates with a status ------------------------------------------------------
UPDATES_SCHEMA = {  # the GeoReport v2 servicerequestupdates extension's request_update
    "type": "array",
    "items": {
        "type": "object",
        "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
        "properties": {
            "update_id": {"type": "string", "minLength": 1},
            "service_request_id": {"type": "string", "minLength": 1},
            "status": {"enum": ["open", "closed"]},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "description": {"type": "string"},
            "media_url": {"type": ["string", "null"]},
        },
        "additionalProperties": False,
    },
}


def account_key(db, name: str, role: str, unit: str | None = None) -> str:
    with session_scope(db) as s:
        account = create_user(session=s, name=name, role=role, password="secret-pass-1", now=NOW, unit=unit)
        return create_api_token(session=s, account=account, now=NOW)


def case_at(db, client, key, status: str) -> int:
    """A request posted through Open311 and driven to ``status`` (dispatched to 市城管局)."""
    from duban.cases.models import CaseStatus
    from tests.cases.case_factories import drive

    rid = int(post(client, key).json()[0]["service_request_id"])
    with session_scope(db) as s:
        unit = require_unit(session=s, name="市城管局").id
        drive(s, rid, CaseStatus(status), unit_id=unit, now=NOW, calendar=client.app.state.console.calendar)
    return rid


def update(client, key, rid, description, status=None, *, fmt="json", as_json=False):
    body = {"api_key": key, "service_request_id": str(rid), "description": description}
    if status is not None:
        body["status"] = status
    url = f"/open311/v2/servicerequestupdates.{fmt}"
    return client.post(url, json=body) if as_json else client.post(url, data=body)


def all_counts(db) -> tuple[int, int, int]:
    from duban.cases.models import CaseUpdateRow

    with session_scope(db) as s:
        return (*counts(db), s.scalar(select(func.count()).select_from(CaseUpdateRow)))


def last_event(db, rid: int) -> EventRow:
    with session_scope(db) as s:
        ev = s.scalars(
            select(EventRow)
            .where(EventRow.entity == "case", EventRow.entity_id == rid)
            .order_by(EventRow.id.desc())
        ).first()
        s.expunge(ev)
        return ev


def test_an_office_update_settles_and_reopens_through_the_flow(db, client, key):
    client.headers["Authorization"] = f"Bearer {key}"  # an office key reads the full view
    rid = case_at(db, client, key, "in_progress")
    r = update(client, key, rid, "已更换灯泡，恢复照明", "closed")
    assert r.status_code == 200, r.text
    assert not list(Draft7Validator(UPDATES_SCHEMA).iter_errors(r.json()))
    [doc] = r.json()
    assert (doc["service_request_id"], doc["status"], doc["description"]) == (
        str(rid),
        "closed",
        "已更换灯泡，恢复照明",
    )
    got = client.get(f"/open311/v2/requests/{rid}.json")
    assert not list(validator("requests.json").iter_errors(got.json()))
    assert (got.json()[0]["status"], got.json()[0]["status_notes"]) == ("closed", "已更换灯泡，恢复照明")
    xml = client.get(f"/open311/v2/requests/{rid}.xml")
    assert xml_items(xml.text, "service_requests", "request") == [
        {k: as_xml_text(v) for k, v in got.json()[0].items()}
    ]
    with session_scope(db) as s:
        row = s.get(CaseRow, rid)
        assert (row.status, row.reply, row.settled_in_time) == ("settled", "已更换灯泡，恢复照明", True)
    ev = last_event(db, rid)
    assert (ev.action, ev.actor, ev.after["status"]) == ("settle", "open311-client（Open311）", "settled")

    again = update(client, key, rid, "市民来电：路灯仍然不亮", "OPEN", fmt="xml")  # status in any case
    assert again.status_code == 200, again.text
    [x] = xml_items(again.text, "service_request_updates", "request_update")
    assert (x["status"], x["description"]) == ("open", "回访不满意，重新办理：市民来电：路灯仍然不亮")
    assert client.get(f"/open311/v2/requests/{rid}.json").json()[0]["status"] == "open"
    with session_scope(db) as s:
        row = s.get(CaseRow, rid)
        assert (row.status, row.satisfaction, row.reopened_count) == ("reopened", "不满意", 1)
    ev = last_event(db, rid)
    assert (ev.action, ev.after["reason"]) == ("reopen", "市民来电：路灯仍然不亮")
    listed = client.get("/open311/v2/servicerequestupdates.json").json()
    assert not list(Draft7Validator(UPDATES_SCHEMA).iter_errors(listed))
    assert [(u["status"], u["service_request_id"]) for u in listed] == [
        ("closed", str(rid)),
        ("open", str(rid)),
    ]


REFUSED = [
    ("received", "closed", "当前为“受理”，不能改为 closed：按办理流程只有“办理”中的工单可以办结"),
    ("accepted", "closed", "当前为“签收”"),
    ("reopened", "closed", "当前为“重办”"),
    (
        "followed_up",
        "open",
        "当前为“回访”，不能改为 open：按办理流程只有已办结、尚未回访的工单可以因不满意转重办",
    ),
    ("archived", "open", "当前为“归档”"),
]


@pytest.mark.parametrize(("status", "wanted", "message"), REFUSED, ids=[f"{s}-{w}" for s, w, _ in REFUSED])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_status_the_flow_does_not_allow_is_400_and_stores_nothing(
    db, client, key, status, wanted, message, fmt
):
    rid = case_at(db, client, key, status)
    before = all_counts(db)
    r = update(client, key, rid, "已处理", wanted, fmt=fmt)
    assert r.status_code == 400
    if fmt == "json":
        assert not list(Draft7Validator(ERRORS_SCHEMA).iter_errors(r.json()))
        assert message in r.json()[0]["description"], r.json()
    else:
        [e] = xml_items(r.text, "errors", "error")
        assert e["code"] == "400" and message in e["description"]
    assert all_counts(db) == before
    with session_scope(db) as s:
        assert s.get(CaseRow, rid).status == status


def test_a_status_from_an_account_that_may_not_take_the_step_is_only_a_comment(db, client, key):
    rid = case_at(db, client, key, "in_progress")
    leader = account_key(db, "领导", "leader")
    other_unit = account_key(db, "住建局联络员", "unit", unit="市住房和城乡建设局")
    operator = account_key(db, "话务员甲", "operator")
    for who in (leader, other_unit, operator):  # none of them settles a case of 市城管局
        r = update(client, who, rid, "市民说已经修好了", "closed", as_json=True)
        assert r.status_code == 200, r.text
        assert r.json()[0]["status"] == "open"
        ev = last_event(db, rid)
        assert (ev.action, ev.after["status_asked"], ev.after["description"]) == (
            "comment",
            "closed",
            "市民说已经修好了",
        )
    with session_scope(db) as s:
        assert s.get(CaseRow, rid).status == "in_progress"
    own_unit = account_key(db, "城管局联络员", "unit", unit="市城市管理局")
    assert update(client, own_unit, rid, "已修复", "open").json()[0]["status"] == "open"  # no change asked
    assert last_event(db, rid).action == "comment" and last_event(db, rid).after["status_asked"] is None
    r = update(client, own_unit, rid, "已修复", "closed")
    assert r.status_code == 200 and r.json()[0]["status"] == "closed"
    assert last_event(db, rid).action == "settle"
    unit_reopen = update(client, own_unit, rid, "我们再看看", "open")  # a unit does not follow up
    assert unit_reopen.json()[0]["status"] == "closed" and last_event(db, rid).action == "comment"
    r = update(client, operator, rid, "回访：市民不满意", "open")
    assert r.status_code == 200 and r.json()[0]["status"] == "open"
    with session_scope(db) as s:
        assert s.get(CaseRow, rid).status == "reopened"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"status": "pending"}, 400, "status 应为 open 或 closed"),
        ({"status": "closed", "description": " "}, 400, "缺少 description"),
        ({"media_url": "ftp://x/y.jpg"}, 400, "media_url 应为 http"),
        ({"service_request_id": "99999"}, 404, "服务请求 99999 不存在"),
        ({"api_key": "dbn_forged"}, 403, "api_key 无效"),
    ],
    ids=["bad-status", "empty-description", "bad-media", "unknown-request", "forged-key"],
)
def test_bad_update_is_refused_and_stores_nothing(db, client, key, body, status, message):
    rid = case_at(db, client, key, "in_progress")
    before = all_counts(db)
    r = client.post(
        "/open311/v2/servicerequestupdates.json",
        data={"api_key": key, "service_request_id": str(rid), "description": "已修复", **body},
    )
    assert r.status_code == status
    assert not list(Draft7Validator(ERRORS_SCHEMA).iter_errors(r.json()))
    assert any(message in e["description"] for e in r.json()), r.json()
    assert all_counts(db) == before


@pytest.mark.parametrize("role", ["office", "unit", "leader", "operator", None])
@pytest.mark.parametrize("wanted", ["closed", "open"])
def test_the_roles_that_change_a_status_are_the_consoles(role, wanted):
    """Open311 applies a status exactly when the console's access table lets the role take the
    case action it stands for (one table, read by both; no copy to drift)."""
    from duban import access
    from duban.cases.models import CaseRow
    from duban.cases.open311.updates import may_change
    from duban.web import cases_view

    action = {"closed": "settle", "open": "follow_up"}[wanted]
    assert access.open311_action(wanted) == action
    row = CaseRow(unit_id=7, owner_unit_id=None)
    console_may = cases_view.may(cases_view.Who(_account(role, 7), "bearer", None, NOW), action)
    assert may_change(row=row, wanted=wanted, role=role, unit_id=7) is console_may
    assert may_change(row=row, wanted=wanted, role=role, unit_id=8) is (console_may and role != "unit")


def _account(role, unit_id):
    from duban.accounts.service import Account

    if role is None:
        return None
    return Account(id=1, name="t", role=role, unit_id=unit_id if role == "unit" else None, unit_name=None)
