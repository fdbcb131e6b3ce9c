"""``duban review promises --save``, ``duban review load`` and the xlsx/docx formats: what the
console and the public tracker read comes from the database, all-or-nothing and audited."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
from click.testing import CliRunner
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.review.store import PromiseRow, summaries
from tests.conftest import FIXTURES

HAND = FIXTURES / "review"
EARLIER, LATER = str(HAND / "2023.md"), str(HAND / "2024.md")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _count(url: str) -> tuple[int, int]:
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)  # a failed load never migrated the file
    try:
        with session_scope(engine) as s:
            promises = s.scalar(select(func.count()).select_from(PromiseRow)) or 0
            events = (
                s.scalar(select(func.count()).select_from(EventRow).where(EventRow.entity == "review")) or 0
            )
            return promises, events
    finally:
        engine.dispose()


def test_save_stores_the_review_and_saving_again_replaces_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    first = run("review", "promises", EARLIER, LATER, "--format", "jsonl", "--save", "--database-url", url)
    assert first.exit_code == 0, first.output
    n = len(first.stdout.splitlines())
    assert "已存入复盘：样例市2023年" in first.stderr
    assert _count(url) == (n, 1)
    again = run("review", "promises", EARLIER, LATER, "--format", "md", "--save", "--database-url", url)
    assert again.exit_code == 0 and f"替换 {n} 项" in again.stderr
    assert _count(url) == (n, 2)
    engine = make_engine(Settings(database_url=url))
    with session_scope(engine) as s:
        (summary,) = summaries(session=s, place="样例市")
        assert summary.year == 2023 and summary.total == n
    engine.dispose()


def test_load_reads_what_promises_wrote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    out = tmp_path / "p.jsonl"
    assert run("review", "promises", EARLIER, LATER, "--format", "jsonl", "-o", str(out)).exit_code == 0
    r = run("review", "load", str(out), "--database-url", url)
    assert r.exit_code == 0, r.output
    assert _count(url)[0] == len(out.read_text(encoding="utf-8").splitlines())


def test_a_bad_line_stores_nothing_and_names_the_line_and_field(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    out = tmp_path / "p.jsonl"
    assert run("review", "promises", EARLIER, LATER, "--format", "jsonl", "-o", str(out)).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["verdict"] = "done"
    out.write_text("\n".join([lines[0], json.dumps(bad, ensure_ascii=False), *lines[2:]]), encoding="utf-8")
    r = run("review", "load", str(out), "--database-url", url)
    assert r.exit_code == 1
    assert "p.jsonl 第2行.verdict" in r.output and "Traceback" not in r.output
    assert _count(url) == (0, 0)
    out.write_text(
        '{"year": 2023, "verdict": "met", "target": {"value": NaN, "quote": "x"}}', encoding="utf-8"
    )
    r = run("review", "load", str(out), "--database-url", url)
    assert r.exit_code == 1 and "target.value" in r.output


def test_xlsx_and_docx_for_the_leaders(tmp_path: Path) -> None:
    xlsx, word = tmp_path / "r.xlsx", tmp_path / "r.docx"
    assert run("review", "promises", EARLIER, LATER, "--format", "xlsx", "-o", str(xlsx)).exit_code == 0
    assert run("review", "promises", EARLIER, LATER, "--format", "docx", "-o", str(word)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    headers = [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=4)]
    assert any("指标" in h and "结论" in h for h in headers)
    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert "样例市2023年政府工作报告目标完成情况" in text
    missing = run("review", "promises", EARLIER, LATER, "--format", "docx")
    assert missing.exit_code == 2 and "-o" in missing.output
