"""Households for the monitoring tests and the console's route table: valid ID numbers, a workbook
as a county keeps it, and a small world (a household of each kind) built through the services."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from duban.clock.calendar import WorkCalendar
from duban.monitoring import households, measures, visits

HEADERS = [
    "县（市、区）",
    "乡镇",
    "村",
    "户主姓名",
    "身份证号",
    "联系电话",
    "家庭人口",
    "监测对象类别",
    "风险类型",
    "人均纯收入",
]


def id_number(seq: int, birth: str = "19700101", area: str = "140121") -> str:
    """A valid 18-character ID number (check digit computed) for test person ``seq``."""
    body = f"{area}{birth}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def household(seq: int, **kw: Any) -> households.HouseholdIn:
    """A household found by a cadre's visit, in 城关镇 unless told otherwise."""
    base: dict[str, Any] = {
        "county": "样例县", "township": "城关镇", "village": "东关村", "head_name": f"户主{seq}",
        "id_number": id_number(seq), "household_type": "边缘易致贫户", "risks": ["因病"],
        "phone": f"1381234{seq:04d}", "members": 4,
    }  # fmt: skip
    base.update(kw)
    return households.HouseholdIn(**base)


def workbook_bytes(
    rows: list[list[Any]], headers: list[str] | None = None, title: str | None = None
) -> bytes:
    """An .xlsx with an optional title row, the headers and ``rows`` (ID numbers as text)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append([title])
    ws.append(headers or HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def noon(d: date) -> datetime:
    """10:00 Beijing time on ``d``."""
    return datetime(d.year, d.month, d.day, 2, 0, tzinfo=UTC)


def ready_household(s: Session, seq: int, *, unit: str, found: date, calendar: WorkCalendar) -> int:
    """A household whose every clearance condition holds by ``found`` + 9 months: a measure done,
    income above the line since ``found`` + 2 months, a recent visit confirming the risk resolved."""
    h = households.create_household(
        session=s, data=household(seq, found_on=found), actor="test", now=noon(found)
    )
    m = measures.assign_measure(session=s, household_id=h.id, measure_type="健康帮扶", unit=unit, content="医疗救助",
                                calendar=calendar, actor="test", now=noon(found))  # fmt: skip
    measures.finish_measure(
        session=s, measure_id=m.id, note="已报销", actor="test", now=noon(date(found.year, found.month, 20))
    )
    for d, income, ok in ((_months(found, 2), 9000.0, False), (_months(found, 8), 9500.0, True)):
        visits.record_visit(session=s, household_id=h.id, visited_on=d, visitor="驻村干部", unit_id=None,
                            income_per_person=income, risk_resolved=ok, note="", actor="test", now=noon(d))  # fmt: skip
    return h.id


def _months(d: date, n: int) -> date:
    from duban.clock.duty import add_months

    return add_months(d, n)
