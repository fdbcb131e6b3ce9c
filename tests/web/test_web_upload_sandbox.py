"""Uploads are parsed in a child process with limits: files that pass the zip-bomb check but ask
for far more work than their size (written here) answer 413 naming the file in well under 10 s,
and the server's own memory does not grow by what they would cost."""

from __future__ import annotations

import io
import random
import resource
import time
import zipfile

import pytest

from duban.web import create_app
from duban.web.uploads import check_zip
from tests.web.conftest import Clients
from tests.web.web_factories import NOW

_CT = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_REL = b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
_OFFICE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    """A minimal .docx whose body is these paragraphs."""
    body = b"".join(b"<w:p><w:r><w:t>" + p.encode() + b"</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        b'wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>"
    )
    rels = (
        _REL + b'<Relationship Id="rId1" Type="' + _OFFICE + b'officeDocument" Target="word/document.xml"/>'
    )
    return _zip(
        {"[Content_Types].xml": _CT, "_rels/.rels": rels + b"</Relationships>", "word/document.xml": document}
    )


def xlsx_of_empty_cells(rows: int, cols: int) -> bytes:
    """A workbook of rows × cols empty cells, written two ways at random so it packs only ~30:1."""
    rnd = random.Random(12)
    cells = (b"<c/>", b"<c></c>")
    data = b"".join(
        b"<row>" + b"".join(rnd.choice(cells) for _ in range(cols)) + b"</row>" for _ in range(rows)
    )
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return _zip(
        {
            "[Content_Types].xml": _CT,
            "_rels/.rels": _REL + b'<Relationship Id="rId1" Type="' + _OFFICE + b'officeDocument" '
            b'Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": b'<workbook xmlns="' + main + b'" xmlns:r="' + _OFFICE[:-1] + b'"><sheets>'
            b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": _REL + b'<Relationship Id="rId1" Type="' + _OFFICE + b'worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": b'<worksheet xmlns="' + main + b'"><sheetData>' + data
            + b"</sheetData></worksheet>",
        }
    )  # fmt: skip


def _paragraphs(n: int) -> list[str]:
    return [f"第{i}项：新建道路{i % 997}公里，改造管网{i % 89}公里。" for i in range(n)]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    "paragraphs", [10_000, 150_000], ids=["48 KB, 10-30 s in the server", "770 KB, minutes in the server"]
)
def test_a_docx_of_many_paragraphs_is_413_fast_and_costs_the_server_nothing(clients, paragraphs):
    data = docx([f"第{i % 100}项：新建道路{i % 7}公里，改造管网{i % 89}公里。" for i in range(paragraphs)])
    check_zip(data, "段落.docx")  # not a zip bomb: the old defence lets it through
    api = clients.api("office")
    peak, t0 = _peak_mb(), time.monotonic()
    r = api.post("/api/plans/preview", files={"file": ("段落.docx", data)})
    elapsed = time.monotonic() - t0
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["field"] == "file" and "段落.docx" in body["detail"] and "段落超过 5000 个" in body["detail"]
    assert elapsed < 5
    assert _peak_mb() - peak < 60  # read in-process the larger one costs the server well over 100 MB


def test_an_xlsx_of_a_million_empty_cells_is_413_fast_and_costs_the_server_nothing(clients):
    data = xlsx_of_empty_cells(1000, 1000)
    assert len(data) < 300_000
    check_zip(data, "台账.xlsx")
    peak, t0 = _peak_mb(), time.monotonic()
    r = clients.api("office").post("/api/ledger/import", files={"file": ("台账.xlsx", data)})
    elapsed = time.monotonic() - t0
    assert r.status_code == 413, r.text
    assert "台账.xlsx" in r.json()["detail"] and "单元格超过 200000 个" in r.json()["detail"]
    assert elapsed < 10
    assert _peak_mb() - peak < 60  # read in-process: ~11 s and ~400 MB


def test_the_ledger_import_page_refuses_the_same_workbook(clients):
    c, csrf = clients.browser("office")
    r = c.post(
        "/ledger/import",
        data={"csrf_token": csrf},
        files={"file": ("台账.xlsx", xlsx_of_empty_cells(500, 500))},
    )
    assert r.status_code == 413 and "单元格超过" in r.text


@pytest.fixture
def strict(settings, world):
    """Clients of a console whose uploads get 1 s of wall time and at most 2,000 paragraphs."""
    app = create_app(settings.with_(upload_seconds=1.0, upload_max_paragraphs=2000), clock=lambda: NOW)
    cs = Clients(app, world)
    yield cs
    cs.close()


def test_the_caps_and_the_wall_time_are_settings(strict, settings, world):
    api = strict.api("office")
    r = api.post("/api/plans/preview", files={"file": ("长.txt", "\n".join(_paragraphs(2500)).encode())})
    assert r.status_code == 413 and "段落超过 2000 个" in r.json()["detail"]
    # half a second of wall time against a read of several seconds (~1 ms a paragraph, more on a
    # loaded machine): stopped whatever the machine's speed
    app = create_app(settings.with_(upload_seconds=0.5), clock=lambda: NOW)
    cs = Clients(app, world)
    try:
        t0 = time.monotonic()
        r = cs.api("office").post("/api/plans/preview", files={"file": ("慢.docx", docx(_paragraphs(4900)))})
        detail = r.json()["detail"]
        assert r.status_code == 413 and "读取超过 0.5 秒" in detail and "慢.docx" in detail
        assert time.monotonic() - t0 < 5
    finally:
        cs.close()


def test_an_unreadable_report_is_422_naming_it(clients):
    r = clients.api("office").post("/api/plans/preview", files={"file": ("坏.pdf", b"%PDF-1.4 not really")})
    assert r.status_code == 422 and r.json()["field"] == "file" and "坏.pdf" in r.json()["detail"]


def test_a_good_report_still_reads(clients):
    from tests.web.route_cases import report_file

    r = clients.api("office").post("/api/plans/preview", files=report_file())
    assert r.status_code == 200 and r.json()["tasks"] > 0


def test_a_read_past_the_memory_limit_is_413_and_the_server_carries_on(settings, world):
    app = create_app(settings.with_(upload_memory_mb=64), clock=lambda: NOW)
    cs = Clients(app, world)
    try:
        api = cs.api("office")
        text = "\n".join("全市新建道路" * 600 + f"{i}公里。" for i in range(1000)).encode()  # 10.8 MB
        peak, t0 = _peak_mb(), time.monotonic()
        r = api.post("/api/plans/preview", files={"file": ("大.txt", text)})
        assert (
            r.status_code == 413 and "大.txt" in r.json()["detail"] and "内存超过 64 MB" in r.json()["detail"]
        )
        assert time.monotonic() - t0 < 5 and _peak_mb() - peak < 60
        from tests.web.route_cases import report_file

        assert (
            api.post("/api/plans/preview", files=report_file()).status_code == 200
        )  # a small one still reads
    finally:
        cs.close()


def test_a_markdown_or_html_report_is_accepted(clients):
    from tests.web.route_cases import REPORT

    text = REPORT.read_text(encoding="utf-8")
    api = clients.api("office")
    r = api.post("/api/plans/preview", files={"file": ("小河市2024年政府工作报告.md", text.encode())})
    assert r.status_code == 200 and r.json()["tasks"] > 0, r.text
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"
    r = api.post("/api/plans/preview", files={"file": ("小河市2024年政府工作报告.html", html.encode())})
    assert r.status_code == 200 and r.json()["tasks"] > 0, r.text
