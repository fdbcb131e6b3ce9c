"""A proposal list through the console's API, on SQLite and on PostgreSQL: uploaded by the
office, routed (承办单位 or the rules), answered by the unit, rated 不满意 and handled again
(重办, counted), extended, answered again and rated 满意 (closed); the board and 台账 count and show
it by source; a bad list is refused whole; another unit cannot reply."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from duban.config import Settings
from tests.ledger.conftest import postgres_engine, url_of
from tests.ledger.source_lists import PROPOSAL_HEADERS, bad_proposal_list, xlsx
from tests.web.conftest import Clients
from tests.web.web_factories import NOW, SECRET, UNIT_A, World, fill

LIST = xlsx(
    PROPOSAL_HEADERS,
    (
        ("T100", "王委员", "关于加快新建幼儿园的提案", UNIT_A),  # 承办单位 names UNIT_A
        ("T101", "李委员", "关于规范宠物饲养管理的提案", None),  # no rule: a person assigns it
    ),
)


def _upload(client, data: bytes, source: str = "提案"):
    return client.post(
        "/api/sources/import",
        data={"source": source},
        files={"file": ("提案清单.xlsx", data, "application/octet-stream")},
    )


def journey(clients: Clients) -> None:
    office, unit, other = clients.api("office"), clients.api("unit_a"), clients.api("unit_b")
    bad = _upload(office, bad_proposal_list())
    assert bad.status_code == 400 and bad.json()["field"] == "file"
    assert "第 3 行「委员」列：不能为空" in bad.json()["detail"]
    assert office.get("/api/board/sources").json()[-1]["total"] == 0  # nothing of the bad file
    r = _upload(office, LIST)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["source"] == "proposal" and body["rows"] == 2 and body["assigned"] == 1
    assert len(body["needs_person"]) == 1
    assert office.get(f"/api/plans/{body['plan_id']}").status_code == 200
    listed = office.get("/api/duties", params={"source": "proposal"}).json()["items"]
    assert [d["unit"] for d in listed] == [UNIT_A]
    duty_id = listed[0]["duty_id"]
    assert office.get("/api/duties", params={"source": "团体"}).json()["field"] == "source"
    src = unit.get(f"/api/duties/{duty_id}/replies").json()
    assert src["label"] == "政协委员提案" and src["fields"] == {"提案号": "T100", "委员": "王委员"}
    assert src["replies"][0]["due"] == "2023-06-01"  # three months after assignment
    assert other.post(f"/api/duties/{duty_id}/reply", json={"text": "越权答复"}).status_code == 404
    r = unit.post(f"/api/duties/{duty_id}/reply", json={"text": "已新建幼儿园3所"})
    assert r.status_code == 200 and r.json()["replies"][0]["replied_by"]
    assert unit.post(f"/api/duties/{duty_id}/reply", json={"text": "再答"}).status_code == 409
    r = office.post(
        f"/api/duties/{duty_id}/satisfaction", json={"satisfaction": "不满意", "opinion": "学位仍不足"}
    )
    assert r.status_code == 200
    rounds = r.json()["replies"]
    assert [x["satisfaction"] for x in rounds] == ["不满意", None] and rounds[1]["due"] == "2023-04-01"
    assert office.get(f"/api/duties/{duty_id}").json()["duty"]["status"] == "returned"
    r = office.post(f"/api/duties/{duty_id}/extension", json={"due": "2023-03-15", "reason": "调研"})
    assert r.status_code == 400 and r.json()["field"] == "due"
    r = office.post(f"/api/duties/{duty_id}/extension", json={"due": "2023-04-30", "reason": "需实地调研"})
    assert r.status_code == 200 and r.json()["replies"][1]["extensions"] == 1
    assert unit.post(f"/api/duties/{duty_id}/reply", json={"text": "新增学位600个"}).status_code == 200
    r = office.post(f"/api/duties/{duty_id}/satisfaction", json={"satisfaction": "满意"})
    assert r.status_code == 200
    assert office.get(f"/api/duties/{duty_id}").json()["duty"]["status"] == "closed"
    counts = {c["source"]: c for c in office.get("/api/board/sources").json()}
    p = counts["proposal"]
    assert (p["total"], p["closed"], p["replied"], p["redo"]) == (1, 1, 2, 1)
    assert p["satisfaction"] == {"不满意": 1, "满意": 1} and counts["report"]["total"] == 2
    assert {c["source"]: c["total"] for c in unit.get("/api/board/sources").json()}["proposal"] == 1
    ranked = office.get("/api/board/sources/ranking", params={"source": "proposal"}).json()
    assert [(u["rank"], u["unit"], u["satisfied"], u["rated"]) for u in ranked] == [(1, UNIT_A, 1, 2)]
    assert {u["source"] for u in unit.get("/api/board/sources/ranking").json()} == {"report", "proposal"}
    ws = load_workbook(io.BytesIO(office.get("/api/ledger.xlsx").content)).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    sources = [row[header.index("来源")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(sources) == ["政协委员提案", "政府工作报告", "政府工作报告"]


def test_a_proposal_list_through_the_api(clients):
    journey(clients)


@pytest.fixture
def pg() -> Iterator[Engine]:
    yield from postgres_engine()


@pytest.mark.postgres
def test_a_proposal_list_through_the_api_on_postgres(pg: Engine, tmp_path):
    from duban.web import create_app

    world: World = fill(pg, tmp_path / "unused")
    settings = Settings(database_url=url_of(pg), secret_key=SECRET, upload_dir=tmp_path / "uploads")
    cs = Clients(create_app(settings, clock=lambda: NOW), world)
    try:
        journey(cs)
    finally:
        cs.close()


def test_the_pages_show_the_source(clients):
    office, csrf = clients.browser("office")
    r = office.post(
        "/sources/import",
        data={"csrf_token": csrf, "source": "提案"},
        files={"file": ("提案清单.xlsx", LIST, "application/octet-stream")},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/plans/")
    plan = office.get(r.headers["location"])
    assert plan.status_code == 200 and "关于加快新建幼儿园的提案" in plan.text
    assert office.get(r.headers["location"] + "/review").status_code == 200  # the list has the report's place
    page = office.get("/sources").text
    assert "政协委员提案" in page and 'id="source-import-form"' in page and "提案号*" in page
    board = office.get("/board").text
    assert 'id="board-sources"' in board and "政协委员提案" in board
    duty_id = (
        clients.api("office").get("/api/duties", params={"source": "proposal"}).json()["items"][0]["duty_id"]
    )
    duty = office.get(f"/duties/{duty_id}").text
    assert "政协委员提案 · 提案号 T100 · 委员 王委员" in duty and 'id="extension-form"' in duty
    assert 'id="review-form"' not in duty
    unit, _ = clients.browser("unit_a")
    assert 'id="reply-form"' in unit.get(f"/duties/{duty_id}").text
    report_duty = office.get(f"/duties/{clients.world.duty_a}").text
    assert "政府工作报告" in report_duty and 'id="replies"' not in report_duty
