"""``duban monitoring …`` on a SQLite file: a county's list imported, listed masked, the board,
the export masked unless ``--unmasked`` (logged), and 风险消除 refused with the unmet conditions."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope
from tests.monitoring.factories import HEADERS, id_number, workbook_bytes


def run(*args: str):
    return CliRunner().invoke(main, ["monitoring", *args])


def test_import_list_board_export_and_clear_from_the_command_line(tmp_path: Path):
    db = ["--database-url", f"sqlite:///{tmp_path / 'duban.sqlite3'}"]
    rows = [["样例县", "城关镇", "东关村", "王大山", id_number(1), "13812345678", 4, "边缘易致贫户", "因病、因学", 6800],
            ["样例县", "河口镇", "南村", "李小河", id_number(2), "13812340000", 2, "突发严重困难户", "因灾", 3000]]  # fmt: skip
    book = tmp_path / "名单.xlsx"
    book.write_bytes(workbook_bytes(rows, title="样例县防返贫监测对象名单"))
    r = run("import", str(book), "--at", "2026-03-03", *db)
    assert r.exit_code == 0, r.output
    assert "导入 2 行：新纳入 2 户" in r.output
    r = run("list", *db)
    assert r.exit_code == 0 and "共 2 户" in r.output
    assert id_number(1) not in r.output and "1401**********" + id_number(1)[-4:] in r.output
    r = run("list", "--risk", "因灾", *db)
    assert "李小河" in r.output and "王大山" not in r.output
    r = run("board", "--at", "2026-03-25", *db)
    assert r.exit_code == 0
    assert "样例县河口镇\t1\t1\t0\t0\t1" in r.output  # 突发严重困难户: a visit every 15 days, none yet
    assert "因病\t1\t1\t0\t0\t0" in r.output
    masked, whole = tmp_path / "masked.xlsx", tmp_path / "whole.xlsx"
    assert run("export", "-o", str(masked), *db).exit_code == 0
    assert run("export", "-o", str(whole), "--unmasked", *db).exit_code == 0
    cells = [
        c
        for row in load_workbook(io.BytesIO(masked.read_bytes())).active.iter_rows(values_only=True)
        for c in row
    ]  # type: ignore[union-attr]
    assert id_number(1) not in cells and "138****5678" in cells
    cells = [
        c
        for row in load_workbook(io.BytesIO(whole.read_bytes())).active.iter_rows(values_only=True)
        for c in row
    ]  # type: ignore[union-attr]
    assert id_number(1) in cells and cells[:5] == HEADERS[:5]
    engine = make_engine(Settings(database_url=db[1]))
    with session_scope(engine) as s:
        exports = s.scalars(select(EventRow).where(EventRow.action == "export").order_by(EventRow.id)).all()
        assert [e.after["masked"] for e in exports] == [True, False]  # type: ignore[index]
    engine.dispose()
    r = run("clear", "1", "--at", "2026-03-04", *db)
    assert r.exit_code == 1 and "未满足" in r.output and "尚未落实任何帮扶措施" in r.output
    r = run("import", str(tmp_path / "missing.xlsx"), *db)
    assert r.exit_code == 1 and "不存在" in r.output
