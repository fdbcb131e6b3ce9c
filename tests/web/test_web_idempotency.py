"""Idempotency keys on the console's creating POSTs (the API's case intake, progress, evidence, the
citizens' /report form), and the citizens' /track lookup (check character, 404, throttle, no phone).
Open311's keys, concurrency on SQLite and PostgreSQL and the privacy of the public list are in
``tests/cases/test_cases_idempotency.py`` and ``test_cases_privacy.py``."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from duban.accounts.idempotency import IdempotencyRow
from duban.cases import track_code
from duban.cases.models import CaseRow
from duban.db import session_scope
from duban.ledger.models import EvidenceRow, ProgressRow
from tests.web.web_factories import PDF_BYTES

INTAKE = {"channel": "hotline_phone", "content": "幸福路井盖缺失，夜间危险", "citizen_phone": "13912345678"}


def count(world, model) -> int:
    engine = create_engine(f"sqlite:///{world.path}")
    with session_scope(engine) as s:
        n = int(s.scalar(select(func.count()).select_from(model)) or 0)
    engine.dispose()
    return n


def test_api_case_intake_replays_the_first_answer(clients):
    office, world = clients.api("office"), clients.world
    before = count(world, CaseRow)
    first = office.post("/api/cases", json=INTAKE, headers={"Idempotency-Key": "call-0815"})
    assert first.status_code == 201, first.text
    code = first.json()["track_code"]  # the operator reads it out to the caller
    assert track_code.is_valid(code) and first.json()["publish"] is False
    page, _ = clients.browser("office")
    assert code in page.get(f"/cases/{first.json()['id']}").text
    again = office.post("/api/cases", json=INTAKE, headers={"Idempotency-Key": "call-0815"})
    assert (again.status_code, again.json()) == (201, first.json())
    assert count(world, CaseRow) == before + 1
    other = office.post(
        "/api/cases", json={**INTAKE, "content": "另一件事"}, headers={"Idempotency-Key": "call-0815"}
    )
    assert other.status_code == 422 and other.json()["detail"] == "幂等键已用于另一请求"
    assert other.json()["field"] == "Idempotency-Key"
    long = office.post("/api/cases", json=INTAKE, headers={"Idempotency-Key": "k" * 201})
    assert long.status_code == 422 and "1 到 200 个可打印字符" in long.json()["detail"]
    # the same account on another connection: still a replay
    elsewhere = clients.api("office")
    assert (
        elsewhere.post("/api/cases", json=INTAKE, headers={"Idempotency-Key": "call-0815"}).json()
        == first.json()
    )
    assert count(world, CaseRow) == before + 1 and count(world, IdempotencyRow) == 1


def test_progress_and_evidence_replay(clients):
    unit, w = clients.api("unit_a"), clients.world
    progress, evidence = count(w, ProgressRow), count(w, EvidenceRow)
    body = {"text": "已开工 3 个", "share": 10}
    answers = [
        unit.post(f"/api/duties/{w.duty_a}/progress", json=body, headers={"Idempotency-Key": "p-1"})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    assert count(w, ProgressRow) == progress + 1
    files = {"file": ("现场照片.pdf", PDF_BYTES, "application/pdf")}
    ups = [
        unit.post(f"/api/duties/{w.duty_a}/evidence", files=files, headers={"Idempotency-Key": "e-1"})
        for _ in range(2)
    ]
    assert [u.status_code for u in ups] == [201, 201] and ups[0].json() == ups[1].json()
    assert count(w, EvidenceRow) == evidence + 1
    other = unit.post(f"/api/duties/{w.duty_a}/evidence", files={"file": ("另一份.pdf", PDF_BYTES, "application/pdf")},
                      headers={"Idempotency-Key": "e-1"})  # fmt: skip
    assert other.status_code == 422 and count(w, EvidenceRow) == evidence + 1


def report_form(c: TestClient) -> dict[str, str]:
    html = c.get("/report").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]+)"', html))
    assert set(fields) == {"csrf_token", "idempotency_key"}
    return fields


def test_report_form_sent_twice_makes_one_case_with_consent_stored(clients):
    c, w = clients.anon(), clients.world
    before = count(w, CaseRow)
    page = c.get("/report").text
    assert "同意公开（隐去个人信息、地址只显示到街道/社区）" in page and 'name="publish"' in page
    assert "checked" not in page.split('name="publish"')[1].split(">")[0]  # off by default
    hidden = report_form(c)
    data = {**hidden, "title": "井盖缺失", "content": "东门井盖缺失", "address": "平城区新建南路街道和平路3号",
            "publish": "on"}  # fmt: skip
    first = c.post("/report", data=data)
    again = c.post("/report", data=data)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert count(w, CaseRow) == before + 1
    code = first.headers["location"].rsplit("/", 1)[1]
    engine = create_engine(f"sqlite:///{w.path}")
    with session_scope(engine) as s:
        row = s.scalar(select(CaseRow).where(CaseRow.track_code == code))
        assert row is not None and row.publish is True
    engine.dispose()
    public = c.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert public["address"] == "平城区新建南路街道"
    plain = c.post("/report", data={**report_form(c), "title": "路灯", "content": "西门路灯不亮"})
    assert plain.status_code == 303 and count(w, CaseRow) == before + 2
    unpublished = plain.headers["location"].rsplit("/", 1)[1]
    assert c.get(f"/open311/v2/requests/{unpublished}.json").status_code == 404


def test_track_lookup_checks_the_code_first(clients):
    c = clients.anon()
    form = c.get("/track")
    assert form.status_code == 200 and 'name="code"' in form.text and "查询</button>" in form.text
    hidden = report_form(c)
    r = c.post("/report", data={**hidden, "title": "噪音", "content": "夜间施工噪音，我叫李四",
                                "citizen_name": "李四", "citizen_phone": "13700001111"})  # fmt: skip
    code = r.headers["location"].rsplit("/", 1)[1]
    found = c.get("/track", params={"code": f" {code[:4].lower()}-{code[4:]} "})
    assert found.status_code == 200 and code in found.text and "处理中" in found.text
    assert "13700001111" not in found.text and "1111" not in found.text
    assert "李四" not in found.text.replace("我叫李四", "")  # the name field is never shown
    typo = code[:3] + next(ch for ch in track_code.ALPHABET if ch != code[3]) + code[4:]
    bad = c.get("/track", params={"code": typo})
    assert bad.status_code == 400 and "查询码有误，请核对" in bad.text
    unknown_body = "2345678"
    unknown = unknown_body + track_code.check_char(unknown_body)
    missing = c.get(f"/track/{unknown}")
    assert missing.status_code == 404 and "未找到" in missing.text


def test_track_lookups_are_throttled_per_address(clients):
    c = clients.anon()
    answers = [c.get("/track", params={"code": "22222222"}).status_code for _ in range(31)]
    assert answers[:30] == [404] * 30 and answers[30] == 429
    r = c.get("/track", params={"code": "22222222"})
    assert "查询过于频繁" in r.text and int(r.headers["retry-after"]) > 0
