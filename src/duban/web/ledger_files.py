"""The 台账 as an Excel file: export through the ledger's xlsx functions (a temporary file), and
import an upload read in a child process (:mod:`duban.web.sandbox`) then applied by the ledger.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path, PurePath

from sqlalchemy.orm import Session

from duban.clock.calendar import WorkCalendar
from duban.ledger.errors import LedgerError
from duban.ledger.schemas import ImportReport
from duban.units.service import UnitError
from duban.web.errors import ApiError
from duban.web.sandbox import Limits
from duban.web.uploads import check_zip, read_in_child

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 20 * 1024 * 1024


def export_bytes(
    *,
    session: Session,
    by_unit: bool = False,
    calendar: WorkCalendar | None = None,
    now: datetime | None = None,
    governments: frozenset[int | None] | None = None,
) -> bytes:
    """The 台账 workbook (with 序时进度 when the console's calendar and clock are given)."""
    from duban.ledger.xlsx import export_xlsx

    with tempfile.TemporaryDirectory(prefix="duban-xlsx-") as tmp:
        path = Path(tmp) / "台账.xlsx"
        export_xlsx(
            session=session, path=path, by_unit=by_unit, calendar=calendar, now=now, governments=governments
        )
        return path.read_bytes()


def import_bytes(
    *,
    session: Session,
    data: bytes,
    filename: str,
    actor: str,
    now: datetime,
    limits: Limits,
    governments: frozenset[int | None] | None = None,
) -> ImportReport:
    """Apply an edited 台账 (all or nothing), read within ``limits``; a bad file or row is an error naming it."""
    from duban.ledger.xlsx import import_sheets

    name = PurePath(filename or "").name
    if not name.lower().endswith(".xlsx"):
        raise ApiError(422, f"{name or '未选择文件'}: 请上传 .xlsx 台账文件", "file")
    if not data or len(data) > MAX_BYTES:
        raise ApiError(422, f"{name}: 文件为空或超过 20 MB", "file")
    check_zip(data, name)
    sheets = read_in_child(kind="sheets", data=data, name=name, limits=limits)
    try:
        return import_sheets(
            session=session, sheets=sheets, source=Path(name), actor=actor, now=now, governments=governments
        )
    except (LedgerError, UnitError) as exc:
        raise ApiError(422, str(exc) if str(exc).startswith(name) else f"{name}: {exc}", "file") from exc
