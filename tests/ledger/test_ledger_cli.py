"""The ledger CLI as a user calls it: exit codes and what it prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.cli import main
from duban.db import session_scope
from duban.ledger.models import DutyRow, ProgressRow
from tests.ledger.conftest import NOW, url_of
from tests.ledger.ledger_factories import load


def run(db, *args: str, input: str | None = None):
    result = CliRunner().invoke(main, [*args, "--database-url", url_of(db)], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def loaded(db):
    assert run(db, "units", "load").exit_code == 0
    with session_scope(db) as s:
        return load(s, now=NOW).id


def test_db_upgrade(db):
    r = run(db, "db", "upgrade")
    assert r.exit_code == 0 and "最新版本" in r.output


def test_units_load_default_and_bad_file(db, tmp_path):
    r = run(db, "units", "load")
    assert r.exit_code == 0 and "新增 " in r.output
    r = run(db, "units", "load")
    assert r.exit_code == 0 and "新增 0" in r.output
    bad = tmp_path / "u.yaml"
    bad.write_text("units:\n  - {name: 某局, kind: 委员会}\n", "utf-8")
    r = run(db, "units", "load", str(bad))
    assert r.exit_code == 1 and "字段「kind」" in r.output and "Traceback" not in r.output
    r = run(db, "units", "load", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 1 and "文件不存在" in r.output


def test_plan_list_show_assign_progress_tick_board(db, loaded):
    r = run(db, "plan", "list")
    assert r.exit_code == 0 and "大同市" in r.output and "2023" in r.output
    r = run(db, "assign", "--auto", "--plan", str(loaded), "--at", "2023-01-03")
    assert r.exit_code == 0 and "自动分办 4 项，需人工分办 1 项" in r.output
    r = run(db, "plan", "show", str(loaded))
    assert r.exit_code == 0 and "市能源局" in r.output and "6%左右" in r.output
    with session_scope(db) as s:
        duty_id = s.scalar(select(func.min(DutyRow.id)))
        unassigned = s.scalar(select(func.max(DutyRow.item_id))) + 1
    r = run(
        db,
        "assign",
        "--item",
        str(unassigned),
        "--unit",
        "市民政局",
        "--co-unit",
        "平城区",
        "--leader",
        "李副市长",
    )
    assert r.exit_code == 0 and "市民政局 牵头" in r.output
    r = run(
        db, "progress", "add", str(duty_id), "--text", "已召开部署会", "--share", "10", "--at", "2023-01-04"
    )
    assert r.exit_code == 0 and "已记录" in r.output
    r = run(db, "tick", "--at", "2023-01-09")
    assert r.exit_code == 0 and "评估 5 项" in r.output and "催办" in r.output
    again = run(db, "tick", "--at", "2023-01-09")
    assert again.exit_code == 0 and "新动作 0" in again.output and "亮灯变化 0" in again.output
    r = run(db, "board", "--at", "2023-01-09")
    assert (
        r.exit_code == 0
        and "各单位亮灯" in r.output
        and "逾期清单" in r.output
        and "市农业农村局" in r.output
    )


def test_cli_mistakes_exit_non_zero_with_one_line(db, loaded):
    r = run(db, "plan", "show", "999")
    assert r.exit_code == 1 and "计划 999 不存在" in r.output
    r = run(db, "assign")
    assert r.exit_code == 2 and "二选一" in r.output
    r = run(db, "assign", "--item", "1", "--unit", "市宇宙局")
    assert r.exit_code == 1 and "单位「市宇宙局」不存在" in r.output
    r = run(db, "progress", "add", "777", "--text", "x")
    assert r.exit_code == 1 and "督办事项 777 不存在" in r.output
    r = run(db, "progress", "add", "1", "--text", "x", "--share", "101")
    assert r.exit_code == 2
    r = run(db, "tick", "--at", "明天")
    assert r.exit_code == 2 and "不是日期" in r.output
    r = run(db, "tick", "--at", "2027-03-01")
    assert r.exit_code == 0  # nothing assigned yet, so nothing to evaluate
    assert "Traceback" not in r.output


def test_export_and_import_xlsx(db, loaded, tmp_path: Path):
    assert run(db, "assign", "--auto").exit_code == 0
    out = tmp_path / "台账.xlsx"
    r = run(db, "export", "xlsx", "-o", str(out), "--by-unit")
    assert r.exit_code == 0 and "已导出 4 项" in r.output
    wb = load_workbook(out)
    ws = wb["市能源局"]
    ws["I2"] = "已开工3个风电项目"
    wb.save(out)
    r = run(db, "import", "xlsx", str(out))
    assert r.exit_code == 0 and "新增进展 1" in r.output
    ws["H2"] = "下个月"
    wb.save(out)
    with session_scope(db) as s:
        before = (
            s.scalar(select(func.count()).select_from(EventRow)),
            s.scalar(select(func.count()).select_from(ProgressRow)),
        )
    r = run(db, "import", "xlsx", str(out))
    assert (
        r.exit_code == 1
        and "工作表「市能源局」第 2 行「完成时限」列" in r.output
        and "未导入任何内容" in r.output
    )
    with session_scope(db) as s:
        after = (
            s.scalar(select(func.count()).select_from(EventRow)),
            s.scalar(select(func.count()).select_from(ProgressRow)),
        )
    assert after == before


REPORT = """某市2023年政府工作报告

一、2022年工作回顾
过去一年，全市地区生产总值增长4.4%。

二、2023年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业4.5万人。
（一）做强能源产业。新增新能源装机200万千瓦，年底前建成3个储能项目。
（二）推进乡村振兴。建设高标准农田20万亩。
"""


def test_plan_load_reads_the_report_and_recognises_it_again(db, tmp_path):
    f = tmp_path / "某市-2023.txt"
    f.write_text(REPORT, "utf-8")
    r = run(db, "plan", "load", str(f), "--year", "2023")
    assert r.exit_code == 0 and "已载入计划 1" in r.output
    r = run(db, "plan", "load", str(f), "--year", "2023")
    assert r.exit_code == 0 and "已载入过: 计划 1" in r.output
    assert run(db, "units", "load").exit_code == 0
    r = run(db, "assign", "--auto", "--at", "2023-01-03")
    assert r.exit_code == 0 and "自动分办" in r.output
    r = run(db, "plan", "show", "1")
    assert "市能源局" in r.output and "市农业农村局" in r.output
    r = run(db, "plan", "load", str(tmp_path / "none.txt"))
    assert r.exit_code == 1 and "文件不存在" in r.output
