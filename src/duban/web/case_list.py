"""The console's case list: its filters (declared once, a dependency of the API and the page) and
a page of the cases a viewer may see, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from duban.cases.flow import OPEN_STATUSES
from duban.cases.models import CASE_STATUSES, CHANNELS, CaseRow
from duban.clock.calendar import local_date
from duban.units.service import resolve_unit, unit_names
from duban.web.cases_view import case_light, my_unit, summary
from duban.web.deps import Who
from duban.web.errors import ApiError
from duban.web.reach import reach_clause
from duban.web.state import ConsoleState

PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseFilter:
    """The list's filters (all optional)."""

    status: str | None = None
    unit: str | None = None
    category: str | None = None
    channel: str | None = None
    overdue: bool = False
    q: str | None = None
    page: int = 1


async def case_filter(
    status: str | None = None,
    unit: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> CaseFilter:
    """The list's query parameters, for the API and the page alike (``Depends(case_filter)``); a
    blank value (an empty form select) is no filter."""
    return CaseFilter(
        status or None, unit or None, category or None, channel or None, overdue, q or None, page
    )


def check_filter(session: Session, f: CaseFilter) -> int | None:
    """The unit id the filter names; a bad value names its field (422)."""
    if f.status and f.status not in CASE_STATUSES:
        raise ApiError(422, f"字段 status: 应为 {'/'.join(CASE_STATUSES)} 之一", "status")
    if f.channel and f.channel not in CHANNELS:
        raise ApiError(422, f"字段 channel: 应为 {'/'.join(CHANNELS)} 之一", "channel")
    if f.page < 1:
        raise ApiError(422, "字段 page: 应为不小于 1 的整数", "page")
    if not f.unit:
        return None
    unit = resolve_unit(session=session, name=f.unit)
    if unit is None:
        raise ApiError(422, f"字段 unit: 单位「{f.unit}」不存在", "unit")
    return unit.id


def list_cases(
    session: Session, who: Who, f: CaseFilter, state: ConsoleState
) -> tuple[list[dict[str, Any]], int]:
    """A page of cases ``who`` may see, newest first, and the total that match."""
    unit_id = check_filter(session, f)
    q = select(CaseRow)
    mine = my_unit(who)
    if who.role == "unit":
        q = q.where(or_(CaseRow.unit_id == mine, CaseRow.owner_unit_id == mine))
    reach = reach_clause(who)
    if reach is not None:
        q = q.where(reach)
    if f.status:
        q = q.where(CaseRow.status == f.status)
    if unit_id is not None:
        q = q.where(or_(CaseRow.unit_id == unit_id, CaseRow.owner_unit_id == unit_id))
    if f.category:
        q = q.where(CaseRow.category == f.category)
    if f.channel:
        q = q.where(CaseRow.channel == f.channel)
    if f.overdue:
        q = q.where(CaseRow.status.in_(sorted(OPEN_STATUSES)), CaseRow.due_date < local_date(who.now))
    if f.q:
        like = f"%{f.q.strip()}%"
        q = q.where(or_(CaseRow.title.like(like), CaseRow.content.like(like), CaseRow.address.like(like)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(
        session.scalars(
            q.order_by(CaseRow.received_at.desc(), CaseRow.id.desc())
            .limit(PAGE_SIZE)
            .offset((f.page - 1) * PAGE_SIZE)
        )
    )
    units = unit_names(session=session, ids={u for r in rows for u in (r.unit_id, r.suggested_unit_id)})
    return [summary(r, who, units, case_light(r, state, who.now)) for r in rows], int(total)
