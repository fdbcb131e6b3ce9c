"""The year-end review of a plan filled from the ledger: verdicts by the shared rules, and the Word
file generated from the demo's year (``duban demo`` then ``duban review plan``), opened with
python-docx and rendered with LibreOffice."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from sqlalchemy import select

from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope
from duban.ledger import service
from duban.ledger.models import DutyRow, ItemRow
from duban.review.documents.render import render_pdf
from duban.review.plan_review import duty_verdict

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MU = [{"value": 200000.0, "unit": "亩", "bound": "exact"}]


def _res(v: float) -> list[dict]:
    return [{"target": 0, "value": v, "unit": "亩", "in_target_unit": v}]


@pytest.mark.parametrize(
    ("targets", "results", "share", "closed", "past_due", "verdict"),
    [
        (MU, _res(210000), None, False, False, "done"),  # met by the verdict rules
        (MU, _res(185000), None, True, False, "mostly_done"),  # 92.5 % ≥ 90 %
        (MU, _res(100000), None, False, True, "behind"),  # open past due
        (MU, _res(100000), None, False, False, "not_done"),
        ([{"value": 5.0, "unit": "%", "bound": "at_most"}], [{"target": 0, "in_target_unit": 4.8}], None, False,
         False, "done"),  # a cap: at most 5 %
        ([], [], None, True, True, "done"),
        ([], [], 95, False, False, "mostly_done"),
        ([], [], 40, False, True, "behind"),
    ],
)  # fmt: skip
def test_duty_verdict(targets, results, share, closed, past_due, verdict):
    assert (
        duty_verdict(targets=targets, results=results, share=share, closed=closed, past_due=past_due)
        == verdict
    )


def test_review_of_the_demo_year_as_word_opened_and_rendered(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    r = CliRunner().invoke(main, ["demo", "--no-serve", "--database-url", url])
    assert r.exit_code == 0, r.output
    engine = make_engine(Settings(database_url=url))
    now = datetime(2023, 12, 20, 2, tzinfo=UTC)
    with session_scope(engine) as s:  # one duty reports its figure and a file, as a unit would
        duty = next(
            d
            for d in s.scalars(
                select(DutyRow).join(ItemRow).where(ItemRow.kind == "task").order_by(DutyRow.id)
            )
            if d.item.targets and d.item.targets[0].get("unit") and d.status != "closed"
        )
        target = duty.item.targets[0]
        p = service.add_progress(session=s, duty_id=duty.id, text="全年任务完成", actor="单位", now=now,
                                 results=[{"target": 0, "value": target["value"], "unit": target["unit"]}])  # fmt: skip
        service.add_evidence(session=s, duty_id=duty.id, progress_id=p.id, name="年度验收报告.pdf", content=PDF,
                             actor="单位", now=now)  # fmt: skip
        task = duty.item.text
    engine.dispose()
    out = tmp_path / "落实情况.docx"
    r = CliRunner().invoke(main, ["review", "plan", "--format", "docx", "-o", str(out), "--at", "2023-12-29",
                                  "--database-url", url])  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "重点任务落实情况的报告" in text
    assert "年度验收报告.pdf" in cells and task[:10] in cells
    assert "已完成" in cells
    md = tmp_path / "review.md"
    r = CliRunner().invoke(main, ["review", "plan", "--format", "md", "-o", str(md), "--database-url", url])
    assert r.exit_code == 0 and "## 按牵头单位" in md.read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["review", "plan", "--plan", "999", "-o", str(md), "--database-url", url])
    assert r.exit_code == 1 and "计划 999 不存在" in r.output
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    import pdfplumber

    pdf = render_pdf(docx=out, outdir=tmp_path / "pdf")
    with pdfplumber.open(pdf) as d:
        pages = "".join("".join((p.extract_text() or "").split()) for p in d.pages)
    assert "重点任务落实情况的报告" in pages and "附件" in pages
