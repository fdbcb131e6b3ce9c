"""Uploads cost their size, not more: a .docx or .xlsx whose members unpack to far more than
the file (a zip bomb, written here) is refused with 413 naming the file before any reader opens it."""

from __future__ import annotations

import io
import time
import zipfile


def _bomb(member: str, size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr(member, b"<w:t>" + b"0" * size + b"</w:t>")
    return buf.getvalue()


def test_a_docx_bomb_is_413_at_once(clients):
    data = _bomb("word/document.xml", 300_000_000)
    assert len(data) < 400_000
    t0 = time.monotonic()
    r = clients.api("office").post("/api/plans/preview", files={"file": ("炸弹.docx", data)})
    assert r.status_code == 413 and r.json()["field"] == "file" and "炸弹.docx" in r.json()["detail"]
    assert time.monotonic() - t0 < 10


def test_an_xlsx_bomb_is_413_at_once(clients):
    data = _bomb("xl/worksheets/sheet1.xml", 100_000_000)
    r = clients.api("office").post("/api/ledger/import", files={"file": ("台账.xlsx", data)})
    assert r.status_code == 413 and r.json()["field"] == "file"
