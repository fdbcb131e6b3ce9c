"""Worksheet helpers shared by the review's workbooks: a titled, bordered table with a frozen header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.formatting.rule import DataBarRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from duban.review.documents.text import VERDICT_COLOURS

HEADER_FILL = "D9E1F2"
NARROW = 10  # columns this wide or narrower are centred
FONT = "宋体"
HEADER_FONT = "黑体"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\.

    >>> sheet_title("大同市/2021[主要]")
    '大同市_2021_主要_'
    """
    for bad in "[]:*?/\\":
        text = text.replace(bad, "_")
    return text[:31] or "Sheet"


def write_table(
    ws: Worksheet,
    *,
    title: str,
    columns: Sequence[tuple[str, float]],
    rows: Sequence[Sequence[Any]],
    verdict_keys: Sequence[str | None] = (),
    verdict_column: str | None = None,
    note: str = "",
    percent_column: str | None = None,
    percent_columns: Sequence[str] = (),
) -> None:
    """Title in row 1 (and a note in row 2), header below it frozen, rows bordered and wrapped.

    ``verdict_keys`` gives each row's verdict key; the cell under ``verdict_column`` takes its colours.
    Shares (0-1) under ``percent_column`` show as per cent with a data bar, under ``percent_columns``
    as per cent only.
    """
    ncols = len(columns)
    last = get_column_letter(ncols)
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name=HEADER_FONT, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    header_row = 2
    if note:
        ws.append([note])
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].font = Font(name=FONT, size=10, color="595959")
        ws["A2"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        header_row = 3
    ws.append([name for name, _ in columns])
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=header_row, column=i)
        cell.font = Font(name=HEADER_FONT, size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
    verdict_index = [name for name, _ in columns].index(verdict_column) + 1 if verdict_column else None
    for r, values in enumerate(rows):
        ws.append(list(values))
        row = header_row + 1 + r
        for c in range(1, ncols + 1):
            cell = ws.cell(row=row, column=c)
            cell.font = Font(name=FONT, size=10.5)
            cell.border = _BORDER
            # narrow columns (序号, 年度, counts, 结论) centred, text columns left
            narrow = columns[c - 1][1] <= NARROW
            cell.alignment = Alignment(
                horizontal="center" if narrow else "left", vertical="center", wrap_text=True
            )
        key = verdict_keys[r] if r < len(verdict_keys) else None
        if verdict_index and key in VERDICT_COLOURS:
            fill, colour = VERDICT_COLOURS[key]
            cell = ws.cell(row=row, column=verdict_index)
            cell.fill = PatternFill("solid", fgColor=fill)
            cell.font = Font(name=FONT, size=10.5, bold=True, color=colour)
    names = [name for name, _ in columns]
    for name in (*percent_columns, *([percent_column] if percent_column else [])):
        letter = get_column_letter(names.index(name) + 1)
        for r in range(header_row + 1, header_row + 1 + len(rows)):
            ws[f"{letter}{r}"].number_format = "0.0%"
            ws[f"{letter}{r}"].alignment = Alignment(horizontal="center", vertical="center")
    if percent_column and rows:
        letter = get_column_letter(names.index(percent_column) + 1)
        bar = DataBarRule(
            start_type="num", start_value=0, end_type="num", end_value=1, color="70AD47", showValue=True
        )
        ws.conditional_formatting.add(f"{letter}{header_row + 1}:{letter}{header_row + len(rows)}", bar)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(rows)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
