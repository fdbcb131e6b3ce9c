"""The monitoring board: households by township and by risk, with how many are under watch,
cleared and returned, and the overdue measures (past their clock deadline, not done) and the
overdue visits (past the type's interval) that light it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.clock.calendar import local_date
from duban.monitoring.households import place_filter, risks_of, unit_filter
from duban.monitoring.models import HouseholdRow, MeasureRow
from duban.monitoring.visits import last_visits, visit_due


@dataclass
class BoardRow:
    """One line of the board (a township or a risk)."""

    name: str
    households: int = 0
    monitoring: int = 0
    cleared: int = 0
    returned: int = 0
    overdue_measures: int = 0
    overdue_visits: int = 0
    open_measures: int = 0


@dataclass
class Board:
    """The board: by township, by risk, and the totals."""

    by_township: list[BoardRow] = field(default_factory=list)
    by_risk: list[BoardRow] = field(default_factory=list)
    total: BoardRow = field(default_factory=lambda: BoardRow("合计"))
    overdue_visit_ids: list[int] = field(default_factory=list)
    overdue_measure_ids: list[int] = field(default_factory=list)


def _add(line: BoardRow, h: HouseholdRow, open_: int, overdue: int, visit_late: bool) -> None:
    line.households += 1
    setattr(line, h.status, getattr(line, h.status) + 1)
    line.open_measures += open_
    line.overdue_measures += overdue
    line.overdue_visits += int(visit_late)


def build_board(
    *, session: Session, now: datetime, unit_id: int | None = None, places: Collection[str] | None = None
) -> Board:
    """The board at ``now`` (a unit officer's ``unit_id``: only their households; ``places``: only
    those counties' and townships')."""
    today = local_date(now)
    stmt = select(HouseholdRow)
    if unit_id is not None:
        stmt = stmt.where(unit_filter(unit_id))
    if places is not None:
        stmt = stmt.where(place_filter(places))
    households = list(session.scalars(stmt.order_by(HouseholdRow.township, HouseholdRow.id)))
    ids = [h.id for h in households]
    risks = risks_of(session=session, ids=ids)
    last = last_visits(session=session, ids=ids)
    open_count: dict[int, int] = defaultdict(int)
    overdue_count: dict[int, int] = defaultdict(int)
    board = Board()
    rows = session.execute(
        select(MeasureRow.id, MeasureRow.household_id, MeasureRow.due_date).where(
            MeasureRow.household_id.in_(ids), MeasureRow.done_at.is_(None)
        )
    )
    for mid, hid, due in rows:
        open_count[hid] += 1
        if due < today:
            overdue_count[hid] += 1
            board.overdue_measure_ids.append(mid)
    towns: dict[str, BoardRow] = {}
    by_risk: dict[str, BoardRow] = {}
    for h in households:
        late = h.status != "cleared" and visit_due(h, last.get(h.id)) < today
        if late:
            board.overdue_visit_ids.append(h.id)
        args = (h, open_count[h.id], overdue_count[h.id], late)
        _add(towns.setdefault(f"{h.county}{h.township}", BoardRow(f"{h.county}{h.township}")), *args)
        for risk in risks[h.id]:
            _add(by_risk.setdefault(risk, BoardRow(risk)), *args)
        _add(board.total, *args)
    board.by_township = sorted(towns.values(), key=lambda r: r.name)
    board.by_risk = sorted(by_risk.values(), key=lambda r: (-r.households, r.name))
    return board
