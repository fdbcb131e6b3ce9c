"""County workbooks in and out: a list of households as counties keep it (Chinese headers, a title
row above them allowed), and departments' screening lists (部门筛查预警) whose rows match a household
by ID number (new risks; a cleared one returns to monitoring) or put a new one on the list.

An import is all or nothing: every bad cell is reported as 第 N 行「列」 and nothing is applied.
The export writes the same columns, ID numbers and phones masked unless asked for whole.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.monitoring.households import (
    HouseholdIn,
    add_risk,
    check_place,
    create_household,
    find_by_id_number,
    in_places,
    list_households,
    risks_of,
    summaries,
)
from duban.monitoring.rules import MonitoringError

COLUMNS: dict[str, tuple[str, ...]] = {
    "county": ("县（市、区）", "县(市、区)", "县市区", "县区", "县"),
    "township": ("乡镇", "乡（镇）", "乡(镇)", "乡镇（街道）"),
    "village": ("村", "村（社区）", "行政村"),
    "head_name": ("户主姓名", "户主", "姓名"),
    "id_number": ("身份证号", "身份证号码", "户主身份证号"),
    "phone": ("联系电话", "电话", "手机号"),
    "members": ("家庭人口", "家庭人口数", "人口数"),
    "household_type": ("监测对象类别", "监测类别", "对象类别"),
    "risks": ("风险类型", "致贫返贫风险", "风险", "预警类型"),
    "found_by": ("识别方式", "识别途径"),
    "found_on": ("识别日期", "纳入日期", "预警日期"),
    "income_per_person": ("人均纯收入", "家庭人均纯收入", "人均纯收入（元）"),
    "resp_unit": ("帮扶责任单位", "责任单位"),
    "visitor": ("帮扶责任人", "责任人"),
    "note": ("备注", "预警说明"),
}
LABELS = {key: names[0] for key, names in COLUMNS.items()}
REQUIRED = ("county", "township", "village", "head_name", "id_number", "risks")
MAX_ROWS = 20000
MAX_ERRORS = 20
SPLIT = re.compile(r"[、，,；;/\s]+")


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0
    created: list[int] = field(default_factory=list)
    matched: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


Rows = list[tuple[Any, ...]]
"""A worksheet's rows of cell values, from the first row down."""


def _header(rows: Rows) -> tuple[int, dict[str, int]]:
    for r, values in enumerate(rows[:6], start=1):
        cells = [str(v).strip().replace(" ", "") if v is not None else "" for v in values]
        found = {key: cells.index(n) for key, names in COLUMNS.items() for n in names if n in cells}
        if "id_number" in found:
            missing = [LABELS[k] for k in REQUIRED if k not in found]
            if missing:
                raise MonitoringError(f"第 {r} 行（表头）缺少列：{'、'.join(missing)}", field="file")
            return r, found
    raise MonitoringError("前 6 行中找不到表头（须有“身份证号”等列）", field="file")


def _cell(value: Any, key: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if key == "id_number" and isinstance(value, int | float):
        raise ValueError("身份证号被存成了数字（会丢失末几位），请把该列设为文本")
    if key == "members":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise ValueError(f"应为整数，实为「{value}」")
    if key == "income_per_person":
        try:
            return float(str(value).replace(",", "").strip())
        except ValueError:
            raise ValueError(f"应为数字（元），实为「{value}」") from None
    if key == "found_on":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            y, m, d = (int(p) for p in re.split(r"[-/.年月日]", str(value).strip().rstrip("日"))[:3])
            return date(y, m, d)
        except (ValueError, TypeError):
            raise ValueError(f"应为日期（如 2026-01-05），实为「{value}」") from None
    if key == "risks":
        return [r for r in SPLIT.split(str(value)) if r]
    return str(value).strip()


def read_first_sheet(data: bytes) -> Rows:
    """The first worksheet's rows, read here (the console reads an upload in its sandboxed child)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not wb.worksheets:
                raise MonitoringError("工作簿中没有工作表", field="file")
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # a forged dimension must not pad every row
            return [tuple(row) for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    except MonitoringError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise MonitoringError(f"不是有效的 .xlsx 工作簿（{type(exc).__name__}）", field="file") from None


def _sheet_rows(rows: Rows) -> list[tuple[int, dict[str, Any], list[str]]]:
    start, cols = _header(rows)
    out: list[tuple[int, dict[str, Any], list[str]]] = []
    for r, values in enumerate(rows[start:], start=start + 1):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(out) >= MAX_ROWS:
            raise MonitoringError(f"行数超过 {MAX_ROWS}，请分批导入", field="file")
        got: dict[str, Any] = {}
        errors: list[str] = []
        for key, i in cols.items():
            try:
                got[key] = _cell(values[i] if i < len(values) else None, key)
            except ValueError as exc:
                errors.append(f"第 {r} 行「{LABELS[key]}」：{exc}")
        errors += [
            f"第 {r} 行「{LABELS[k]}」：不能为空" for k in REQUIRED if got.get(k) is None and k in cols
        ]
        out.append((r, got, errors))
    return out


def import_workbook(
    *, session: Session, data: bytes, found_by: str, actor: str, now: datetime
) -> ImportReport:
    """Apply a workbook's first sheet (all or nothing), read in this process (the CLI)."""
    return import_sheet(session=session, rows=read_first_sheet(data), found_by=found_by, actor=actor, now=now)


def import_sheet(
    *,
    session: Session,
    rows: Rows,
    found_by: str,
    actor: str,
    now: datetime,
    places: Collection[str] | None = None,
) -> ImportReport:
    """Apply a sheet's rows (all or nothing): a row's ID number matches a household or makes a new
    one; with ``places`` (an office's 辖区), a row of another county or township refuses the file."""
    report = ImportReport()
    parsed = _sheet_rows(rows)
    with session.begin_nested():  # all or nothing, whatever the caller does with the error
        errors: list[str] = []
        for r, got, row_errors in parsed:
            report.rows += 1
            if row_errors:
                errors += row_errors
                continue
            try:
                _apply(session, got, found_by, actor, now, report, places)
            except MonitoringError as exc:
                label = LABELS.get(exc.field or "", exc.field or "")
                errors.append(f"第 {r} 行「{label}」：{exc}" if label else f"第 {r} 行：{exc}")
            if len(errors) >= MAX_ERRORS:
                break
        if errors:
            more = "" if len(errors) < MAX_ERRORS else "（只列前 20 处）"
            raise MonitoringError(f"导入失败，未做任何更改{more}：" + "；".join(errors), field="file")
        if report.rows == 0:
            raise MonitoringError("表中没有数据行", field="file")
    audit.record(session, actor=actor, now=now, entity="household", entity_id=0, action="import", before=None,
                 after={"rows": report.rows, "created": report.created, "matched": report.matched})  # fmt: skip
    return report


def _apply(
    session: Session,
    got: dict[str, Any],
    found_by: str,
    actor: str,
    now: datetime,
    report: ImportReport,
    places: Collection[str] | None,
) -> None:
    how = got.get("found_by") or found_by
    found = find_by_id_number(session, str(got["id_number"]).strip().upper())
    check_place(str(got.get("county") or ""), str(got.get("township") or ""), places)
    if found is not None and not in_places(found, places):
        raise MonitoringError("该身份证号属于本级辖区以外的监测户，不能在此导入", field="id_number")
    if found is None:
        if not got.get("household_type"):
            raise MonitoringError("新纳入的户须填写监测对象类别", field="household_type")
        data = HouseholdIn(
            **{k: v for k, v in got.items() if v is not None and k in HouseholdIn.__dataclass_fields__}
        )
        data.found_by = how
        report.created.append(
            create_household(session=session, data=data, actor=actor, now=now, places=places).id
        )
        return
    known = set(risks_of(session=session, ids=[found.id])[found.id])
    new = [r for r in got["risks"] if r not in known]
    if new or found.status == "cleared":
        add_risk(session=session, household_id=found.id, risks=new or got["risks"], found_by=how,
                 note=str(got.get("note") or ""), actor=actor, now=now)  # fmt: skip
        report.matched.append(found.id)
    else:
        report.unchanged.append(found.id)


def export_workbook(
    *, session: Session, unit_id: int | None, full: Any, places: Collection[str] | None = None
) -> bytes:
    """The list as a workbook with the import's headers; ``full(row)``: whole ID number and phone;
    ``places``: only those counties' and townships' households."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "监测对象"
    keys = list(COLUMNS)
    ws.append([LABELS[k] for k in keys] + ["监测状态"])
    rows = list_households(session=session, unit_id=unit_id, limit=MAX_ROWS, places=places)
    for line in summaries(session=session, rows=rows, full=full):
        values = {**line, "risks": "、".join(line["risks"]), "note": ""}
        ws.append([values.get(k) for k in keys] + [line["status_label"]])
    for col, width in zip(
        "ABCDEFGHIJKLMNOP", (12, 12, 12, 10, 22, 14, 8, 14, 20, 14, 12, 12, 18, 10, 20, 10), strict=False
    ):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
