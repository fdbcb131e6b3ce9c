"""完成值 and evidence over HTTP: a report with a bad file stores nothing; results in the API;
序时进度 from the API; evidence downloads with its checksum."""

from __future__ import annotations

import hashlib
import re

from tests.web.web_factories import PDF_BYTES


def test_a_progress_report_with_a_bad_file_stores_nothing(clients):
    w = clients.world
    c, csrf = clients.browser("unit_a")
    before = clients.api("unit_a").get(f"/api/duties/{w.duty_a}/progress").json()["total"]
    r = c.post(
        f"/duties/{w.duty_a}/progress",
        data={"csrf_token": csrf, "text": "开工", "share": "30"},
        files=[("files", ("照片.png", PDF_BYTES, "image/png"))],
    )
    assert r.status_code == 400, r.text
    assert "文件内容不是 png 格式" in r.text, re.sub(r"<[^>]+>", " ", r.text)[-800:]
    assert clients.api("unit_a").get(f"/api/duties/{w.duty_a}/progress").json()["total"] == before
    names = [e["name"] for e in clients.api("office").get(f"/api/duties/{w.duty_a}/evidence").json()]
    assert names == ["开工报告.pdf"]


def test_results_through_the_api_and_pace(clients):
    """The web world's duty has no figures of its own: a 完成值 for it is refused, naming the field."""
    w = clients.world
    api = clients.api("unit_a")
    bad = api.post(f"/api/duties/{w.duty_a}/progress",
                   json={"text": "x", "results": [{"target": 0, "value": 5, "unit": "亩"}]})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "results"
    assert "目标序号 0 不存在" in bad.json()["detail"]
    r = api.post(f"/api/duties/{w.duty_a}/progress", json={"text": "已装机", "share": 25})
    assert r.status_code == 201, r.text
    pace = api.get(f"/api/duties/{w.duty_a}/pace").json()
    assert pace["done"] == 0.25 and pace["label"] in ("超进度", "达进度", "欠进度")


def test_evidence_downloads_with_its_checksum(clients):
    w = clients.world
    r = clients.api("leader").get(f"/api/duties/{w.duty_a}/evidence/{w.evidence_a}")
    assert r.status_code == 200 and r.content == PDF_BYTES
    assert r.headers["x-checksum-sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert r.headers["content-type"] == "application/pdf"


def test_the_web_ledger_workbook_fills_pace(clients):
    import io

    import openpyxl

    r = clients.api("office").get("/api/ledger.xlsx")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(rows) if "序时进度" in row)
    col = rows[header_at].index("序时进度")
    paces = [row[col] for row in rows[header_at + 1 :] if any(row)]
    assert paces and all(p in ("超进度", "达进度", "欠进度", "已完成") for p in paces if p)
    assert any(paces), "the console's 台账 leaves 序时进度 empty"
