"""The 台账 as an Excel workbook (openpyxl): export one row per duty, import progress back.

Export: 序号, 板块, 任务内容, 目标值, 牵头单位, 配合单位, 责任领导, 完成时限, 进展情况, 完成值,
完成比例(%), 序时进度, 状态 (the light as the cell's fill), 最近反馈, 来源 (政府工作报告, 上级交办, …,
政协委员提案) and a hidden last column 事项编号 (the
duty id); bold frozen header, wrapped text, set widths; one sheet per lead unit on request.

Import: every sheet is read; a row whose 进展情况/完成值/完成比例 differ from the duty's latest
progress report becomes a new report, a changed 完成时限 changes the due date, an unchanged row does
nothing. Any bad cell anywhere → :class:`XlsxImportError` listing sheet, row, column and problem,
and nothing at all is applied.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duban.clock.calendar import CalendarGap, WorkCalendar, local_date
from duban.ledger import service
from duban.ledger.board import display_light, in_governments
from duban.ledger.clocks import government_clocks
from duban.ledger.duties import duty_pace
from duban.ledger.errors import LedgerError
from duban.ledger.models import AssignmentCoUnitRow, AssignmentRow, DutyRow, ItemRow, PlanRow, ProgressRow
from duban.ledger.results import target_words
from duban.ledger.schemas import ImportCellError, ImportReport
from duban.ledger.sources import source_label
from duban.ledger.tick import LIGHT_LABELS
from duban.ledger.workflow import STATUS_LABELS, DutyStatus
from duban.units.models import UnitRow

COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("板块", 18),
    ("任务内容", 48),
    ("目标值", 14),
    ("牵头单位", 16),
    ("配合单位", 18),
    ("责任领导", 10),
    ("完成时限", 12),
    ("进展情况", 40),
    ("完成值", 10),
    ("完成比例(%)", 10),
    ("序时进度", 10),
    ("状态", 14),
    ("最近反馈", 12),
    ("来源", 12),
    ("事项编号", 10),
)
HEADERS = tuple(name for name, _ in COLUMNS)
ID_COLUMN = "事项编号"
FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE", "grey": "D9D9D9"}
BOUND_WORDS = {"about": "左右", "at_least": "以上", "at_most": "以内", "exact": ""}
MAIN_SHEET = "台账"


class XlsxImportError(LedgerError):
    """Bad cells in an imported workbook; nothing was applied."""

    def __init__(self, path: Path, errors: list[ImportCellError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{path}: 有 {len(errors)} 处错误，未导入任何内容:\n{lines}")


def target_text(item: ItemRow) -> str:
    """目标值 as people write it: 6%左右, 200万千瓦 (a task's own targets, else its figures)."""
    if item.targets:
        return "；".join(target_words(t) for t in item.targets)
    if item.value is None:
        return "、".join(item.counts or [])

    def num(v: float) -> str:
        return f"{v:g}"

    value = num(item.value) if item.value_high is None else f"{num(item.value)}–{num(item.value_high)}"
    return f"{value}{item.unit or ''}{BOUND_WORDS.get(item.bound or 'exact', '')}"


def _of(stmt: Any, governments: frozenset[int | None] | None) -> Any:
    """``stmt`` over duties limited to the plans of ``governments`` (None: all)."""
    if governments is None:
        return stmt
    plans = select(PlanRow.id).where(in_governments(governments))
    return stmt.where(DutyRow.item_id.in_(select(ItemRow.id).where(ItemRow.plan_id.in_(plans))))


def _rows(
    session: Session, governments: frozenset[int | None] | None = None
) -> list[tuple[DutyRow, ItemRow, AssignmentRow | None, ProgressRow | None]]:
    duties = session.scalars(
        _of(select(DutyRow), governments)
        .options(
            selectinload(DutyRow.item).selectinload(ItemRow.plan),
            selectinload(DutyRow.item)
            .selectinload(ItemRow.assignment)
            .options(
                selectinload(AssignmentRow.lead_unit),
                selectinload(AssignmentRow.co_units).selectinload(AssignmentCoUnitRow.unit),
            ),
        )
        .order_by(DutyRow.id)
    ).all()
    latest: dict[int, ProgressRow] = {}
    for p in session.scalars(
        select(ProgressRow).order_by(ProgressRow.duty_id, ProgressRow.reported_at, ProgressRow.id)
    ):
        latest[p.duty_id] = p
    return [(d, d.item, d.item.assignment, latest.get(d.id)) for d in duties]


def export_xlsx(
    *,
    session: Session,
    path: Path,
    by_unit: bool = False,
    calendar: WorkCalendar | None = None,
    now: datetime | None = None,
    governments: frozenset[int | None] | None = None,
) -> int:
    """Write the 台账 to ``path`` (one sheet, or one per lead unit); returns the number of duties.

    With a ``calendar`` and ``now`` the 序时进度 column is filled; with ``governments``, only
    their duties (an account's 辖区).
    """
    rows = _rows(session, governments)
    paces: dict[int, str] = {}
    if calendar is not None and now is not None:
        clocks = government_clocks(connection=session, calendar=calendar)
        plan_government = {
            pid: gid for pid, gid in session.execute(select(PlanRow.id, PlanRow.government_id))
        }
        for duty, item, _, last in rows:
            days = clocks.calendar_of(plan_government.get(item.plan_id))
            try:
                paces[duty.id] = duty_pace(duty=duty, last=last, calendar=days, now=now).label
            except CalendarGap:
                paces[duty.id] = ""
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        unit = r[2].lead_unit.name if r[2] is not None else "未分办"
        groups[unit if by_unit else MAIN_SHEET].append(r)
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    if not groups:
        groups[MAIN_SHEET] = []
    used: set[str] = set()
    for name in sorted(groups) if by_unit else [MAIN_SHEET]:
        ws = wb.create_sheet(_sheet_name(name, used))
        _write_sheet(ws, groups[name], paces)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return len(rows)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    out, n = base, 2
    while out in used:
        out = f"{base[:28]}_{n}"
        n += 1
    used.add(out)
    return out


def _write_sheet(
    ws: Any,
    rows: list[tuple[DutyRow, ItemRow, AssignmentRow | None, ProgressRow | None]],
    paces: dict[int, str],
) -> None:
    ws.append(list(HEADERS))
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for n, (duty, item, a, last) in enumerate(rows, start=1):
        light = display_light(duty.light if duty.status != DutyStatus.CLOSED.value else None)
        status = STATUS_LABELS[DutyStatus(duty.status)]
        shown = "已销号" if duty.status == DutyStatus.CLOSED.value else f"{LIGHT_LABELS[light]}·{status}"
        ws.append(
            [
                n,
                item.section_title or "",
                item.text,
                target_text(item),
                a.lead_unit.name if a else "",
                "、".join(c.unit.name for c in a.co_units) if a else "",
                (a.leader or "") if a else "",
                duty.due,
                last.text if last else "",
                last.figure if last else None,
                last.share if last else None,
                paces.get(duty.id, ""),
                shown,
                local_date(duty.last_feedback_at) if duty.last_feedback_at else None,
                source_label(item.plan.source_kind),
                duty.id,
            ]
        )
        r = ws.max_row
        for cell in ws[r]:
            cell.alignment = wrap
        ws.cell(row=r, column=HEADERS.index("状态") + 1).fill = PatternFill("solid", fgColor=FILLS[light])
        for col in ("完成时限", "最近反馈"):
            ws.cell(row=r, column=HEADERS.index(col) + 1).number_format = "yyyy-mm-dd"
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.column_dimensions[get_column_letter(len(COLUMNS))].hidden = True
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(ws.max_row, 1)}"


# ---- import ---------------------------------------------------------------------------------
@dataclass
class _Change:
    duty_id: int
    text: str | None
    figure: float | None
    share: int | None
    due: date | None
    new_progress: bool


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(f"「{text}」不是日期（应为 2023-06-30 这样的日期）")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"「{text}」不是有效日期") from None


def _as_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"「{value}」不是数字")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"「{value}」不是数字") from None


def _lead_names(session: Session) -> dict[int, str]:
    """duty id → its lead unit's name (as the export writes it)."""
    rows = session.execute(
        select(DutyRow.id, UnitRow.name)
        .join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
        .join(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
    )
    return {duty_id: name for duty_id, name in rows}


Sheet = tuple[str, list[tuple[Any, ...]]]
"""A worksheet's title and its rows of cell values, the header row first."""


def read_sheets(path: Path) -> list[Sheet]:
    """Every worksheet's title and values; LedgerError for a missing file or one that is no workbook."""
    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError as exc:
        raise LedgerError(f"{path}: 文件不存在") from exc
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerError(f"{path}: 不是有效的 Excel 工作簿 ({type(exc).__name__})") from exc
    return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in wb.worksheets]


def import_xlsx(
    *,
    session: Session,
    path: Path,
    actor: str,
    now: datetime,
    governments: frozenset[int | None] | None = None,
) -> ImportReport:
    """Apply the progress and dates of an edited 台账; any bad cell → XlsxImportError, nothing
    applied; with ``governments``, a duty of another government is an unknown row."""
    path = Path(path)
    return import_sheets(
        session=session, sheets=read_sheets(path), source=path, actor=actor, now=now, governments=governments
    )


def import_sheets(
    *,
    session: Session,
    sheets: list[Sheet],
    source: Path,
    actor: str,
    now: datetime,
    governments: frozenset[int | None] | None = None,
) -> ImportReport:
    """:func:`import_xlsx` on a workbook's values already read (the console reads uploads in a
    child process); ``source`` names the file in errors."""
    path = source
    errors: list[ImportCellError] = []
    changes: list[_Change] = []
    report = ImportReport()
    duties = {d.id: d for d in session.scalars(_of(select(DutyRow), governments))}
    latest: dict[int, ProgressRow] = {}
    for p in session.scalars(
        select(ProgressRow).order_by(ProgressRow.duty_id, ProgressRow.reported_at, ProgressRow.id)
    ):
        latest[p.duty_id] = p
    leads = _lead_names(session)
    seen: dict[int, tuple[str, int]] = {}
    for title, rows in sheets:
        header = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else ())]
        if ID_COLUMN not in header:
            errors.append(ImportCellError(sheet=title, row=1, column=ID_COLUMN, message="缺少「事项编号」列"))
            continue
        col = {name: header.index(name) for name in HEADERS if name in header}
        for r, values in enumerate(rows[1:], start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            report.rows += 1

            def cell(name: str, values: tuple[Any, ...] = values, col: dict[str, int] = col) -> Any:
                i = col.get(name)
                return values[i] if i is not None and i < len(values) else None

            def bad(column: str, message: str, sheet: str = title, row: int = r) -> None:
                errors.append(ImportCellError(sheet=sheet, row=row, column=column, message=message))

            raw_id = cell(ID_COLUMN)
            try:
                duty_id = int(raw_id) if raw_id is not None and float(raw_id) == int(float(raw_id)) else None
            except (TypeError, ValueError):
                duty_id = None
            if duty_id is None or duty_id not in duties:
                bad(ID_COLUMN, f"未知的事项编号「{raw_id}」" if raw_id is not None else "事项编号为空")
                continue
            if duty_id in seen:
                bad(
                    ID_COLUMN,
                    f"事项编号 {duty_id} 与工作表「{seen[duty_id][0]}」第 {seen[duty_id][1]} 行重复",
                )
                continue
            seen[duty_id] = (title, r)
            raw_lead = cell("牵头单位")
            lead = str(raw_lead).strip() if raw_lead is not None else ""
            if "牵头单位" in col and lead != leads.get(duty_id, ""):
                # the 台账 reports progress; it does not reassign (改派 is on the plan page, with its event)
                bad(
                    "牵头单位",
                    f"事项 {duty_id} 的牵头单位是「{leads.get(duty_id, '')}」，表中改成了「{lead}」："
                    "导入台账不能改派，请在计划页改派后重新导出",
                )
                continue
            ok = True
            due = figure = share = None
            try:
                due = _as_date(cell("完成时限")) if "完成时限" in col else None
            except ValueError as exc:
                bad("完成时限", str(exc))
                ok = False
            try:
                figure = _as_number(cell("完成值"))
            except ValueError as exc:
                bad("完成值", str(exc))
                ok = False
            try:
                s = _as_number(cell("完成比例(%)"))
                if s is not None and (s != int(s) or not 0 <= s <= 100):
                    raise ValueError(f"「{cell('完成比例(%)')}」应为 0–100 的整数")
                share = int(s) if s is not None else None
            except ValueError as exc:
                bad("完成比例(%)", str(exc))
                ok = False
            raw_text = cell("进展情况")
            text = str(raw_text).strip() if raw_text is not None else ""
            if not ok:
                continue
            duty = duties[duty_id]
            last = latest.get(duty_id)
            old = (last.text, last.figure, last.share) if last else ("", None, None)
            new_progress = bool(text) and (text, figure, share) != old
            if new_progress and duty.status == DutyStatus.CLOSED.value:
                bad("进展情况", f"事项 {duty_id} 已销号，不能再报送进展")
                continue
            due_changed = due is not None and due != duty.due
            if not new_progress and not due_changed:
                report.unchanged += 1
                continue
            changes.append(_Change(duty_id, text, figure, share, due if due_changed else None, new_progress))
    if errors:
        raise XlsxImportError(path, errors)
    with session.begin_nested():
        for c in changes:
            if c.due is not None:
                service.set_due(session=session, duty_id=c.duty_id, due=c.due, actor=actor, now=now)
                report.due_changed += 1
            if c.new_progress and c.text:
                service.add_progress(
                    session=session,
                    duty_id=c.duty_id,
                    text=c.text,
                    figure=c.figure,
                    share=c.share,
                    actor=actor,
                    now=now,
                )
                report.progress_added += 1
    return report
