"""The 台账 workbook: export read back with openpyxl, import of progress, bad rows change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.ledger import service
from duban.ledger.models import DutyRow, ProgressRow
from duban.ledger.routing import load_rules
from duban.ledger.tick import tick
from duban.ledger.xlsx import HEADERS, XlsxImportError, export_xlsx, import_xlsx
from tests.ledger.conftest import NOW
from tests.ledger.ledger_factories import at, load


@pytest.fixture
def ledger(db_with_units, calendar, policy):
    """A plan auto-assigned, one duty with progress, ticked on 9 Jan 2023 (some red)."""
    with session_scope(db_with_units) as s:
        plan = load(s, now=NOW)
        service.auto_assign(session=s, plan_id=plan.id, rules=load_rules(), actor="督查室", now=NOW)
        duty_ids = list(s.scalars(select(DutyRow.id).order_by(DutyRow.id)))
        service.add_progress(session=s, duty_id=duty_ids[1], text="已完成装机50万千瓦", figure=50, share=25,
                             actor="市能源局", now=at(2023, 1, 4))  # fmt: skip
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 1, 9))
    return db_with_units


def _counts(engine):
    with session_scope(engine) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (ProgressRow, EventRow, DutyRow))


def _col(name):
    return HEADERS.index(name) + 1


def test_export_cells_fills_and_frozen_header(ledger, tmp_path):
    out = tmp_path / "台账.xlsx"
    with session_scope(ledger) as s:
        assert export_xlsx(session=s, path=out) == 4
    ws = load_workbook(out)["台账"]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions[get_column_letter(_col("任务内容"))].width == 48
    assert ws.column_dimensions[get_column_letter(len(HEADERS))].hidden  # 事项编号, the last column
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert {r[_col("来源") - 1] for r in rows} == {"政府工作报告"}
    energy = next(r for r in rows if r[_col("牵头单位") - 1] == "市能源局")
    assert energy[_col("进展情况") - 1] == "已完成装机50万千瓦"
    assert energy[_col("完成值") - 1] == 50 and energy[_col("完成比例(%)") - 1] == 25
    assert energy[_col("目标值") - 1] == "200万千瓦"
    assert energy[_col("完成时限") - 1].date() == date(2023, 12, 31)
    gdp = next(r for r in rows if r[_col("牵头单位") - 1] == "市发展和改革委员会")
    assert gdp[_col("目标值") - 1] == "6%左右"
    fills = {ws.cell(row=r, column=_col("牵头单位")).value: ws.cell(row=r, column=_col("状态")).fill.fgColor.rgb
             for r in range(2, ws.max_row + 1)}  # fmt: skip
    assert fills["市能源局"].endswith("C6EFCE")  # green: deployed and reported on time
    assert fills["市农业农村局"].endswith("FFC7CE")  # red: never deployed
    assert ws.cell(row=2, column=_col("任务内容")).alignment.wrap_text


def test_export_reads_pace_with_a_calendar(ledger, tmp_path, calendar):
    """序时进度: 25 % reported a week into a year-long duty is 超进度; nothing reported yet is 达进度."""
    out = tmp_path / "台账.xlsx"
    with session_scope(ledger) as s:
        export_xlsx(session=s, path=out, calendar=calendar, now=at(2023, 1, 9))
        export_xlsx(session=s, path=tmp_path / "bare.xlsx")
    rows = list(load_workbook(out)["台账"].iter_rows(min_row=2, values_only=True))
    pace = {r[_col("牵头单位") - 1]: r[_col("序时进度") - 1] for r in rows}
    assert pace["市能源局"] == "超进度"
    assert pace["市农业农村局"] == "达进度"
    bare = list(load_workbook(tmp_path / "bare.xlsx")["台账"].iter_rows(min_row=2, values_only=True))
    assert all(r[_col("序时进度") - 1] is None for r in bare)  # no calendar: left empty


def test_export_by_unit_has_a_sheet_per_lead_unit(ledger, tmp_path):
    out = tmp_path / "by-unit.xlsx"
    with session_scope(ledger) as s:
        export_xlsx(session=s, path=out, by_unit=True)
    wb = load_workbook(out)
    assert sorted(wb.sheetnames) == sorted(
        ["市发展和改革委员会", "市能源局", "市农业农村局", "市住房和城乡建设局"]
    )
    assert all(ws.max_row == 2 for ws in wb.worksheets)


def test_round_trip_without_edits_changes_nothing(ledger, tmp_path):
    out = tmp_path / "t.xlsx"
    with session_scope(ledger) as s:
        export_xlsx(session=s, path=out)
    before = _counts(ledger)
    with session_scope(ledger) as s:
        report = import_xlsx(session=s, path=out, actor="督查室", now=at(2023, 1, 10))
    assert (report.rows, report.unchanged, report.progress_added) == (4, 4, 0)
    assert _counts(ledger) == before


def test_import_adds_progress_and_changes_due(ledger, tmp_path):
    out = tmp_path / "t.xlsx"
    with session_scope(ledger) as s:
        export_xlsx(session=s, path=out, by_unit=True)
    wb = load_workbook(out)
    ws = wb["市农业农村局"]
    ws.cell(row=2, column=_col("进展情况")).value = "已完成选址，开工5万亩"
    ws.cell(row=2, column=_col("完成值")).value = 5
    ws.cell(row=2, column=_col("完成比例(%)")).value = 25
    ws.cell(row=2, column=_col("完成时限")).value = "2023-07-31"
    duty_id = ws.cell(row=2, column=_col("事项编号")).value
    wb.save(out)
    with session_scope(ledger) as s:
        report = import_xlsx(session=s, path=out, actor="市农业农村局", now=at(2023, 1, 10))
    assert (report.progress_added, report.due_changed, report.unchanged) == (1, 1, 3)
    with session_scope(ledger) as s:
        duty = s.get(DutyRow, duty_id)
        assert duty.status == "in_progress" and duty.due == date(2023, 7, 31)
        p = service.latest_progress(session=s, duty_id=duty_id)
        assert (p.text, p.figure, p.share, p.actor) == ("已完成选址，开工5万亩", 5.0, 25, "市农业农村局")
        assert s.scalar(select(func.count()).select_from(EventRow).where(EventRow.action == "set_due")) == 1


def test_bad_rows_change_nothing_and_are_all_listed(ledger, tmp_path):
    out = tmp_path / "t.xlsx"
    with session_scope(ledger) as s:
        export_xlsx(session=s, path=out)
    wb = load_workbook(out)
    ws = wb["台账"]
    ws.cell(row=2, column=_col("进展情况")).value = "一条本应导入的好进展"  # a good row…
    ws.cell(row=3, column=_col("完成时限")).value = "年底前"
    ws.cell(row=4, column=_col("完成值")).value = "约五成"
    ws.cell(row=5, column=_col("事项编号")).value = 9999
    wb.save(out)
    before = _counts(ledger)
    with session_scope(ledger) as s, pytest.raises(XlsxImportError) as err:
        import_xlsx(session=s, path=out, actor="x", now=at(2023, 1, 10))
    where = [(e.sheet, e.row, e.column) for e in err.value.errors]
    assert where == [("台账", 3, "完成时限"), ("台账", 4, "完成值"), ("台账", 5, "事项编号")]
    text = str(err.value)
    assert "第 3 行「完成时限」列" in text and "年底前" in text and "9999" in text
    assert _counts(ledger) == before  # …and even the good row was not applied


def test_not_a_workbook(db, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello", "utf-8")
    from duban.ledger.errors import LedgerError

    with session_scope(db) as s, pytest.raises(LedgerError, match="不是有效的 Excel"):
        import_xlsx(session=s, path=bad, actor="x", now=NOW)
