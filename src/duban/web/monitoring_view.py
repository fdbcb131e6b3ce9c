"""The console's view of the monitoring list: who may see a household (a unit officer: those their
unit has a measure on or is the 帮扶责任单位 of; others get 404 and an ``access_denied`` event),
who sees its whole ID number and phone (:mod:`duban.access`, section ``monitoring``), every view
logged, and the household's page data (measures with their lights, visits, the clearance checks).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from duban import access
from duban.clock.calendar import local_date
from duban.monitoring import clearance, households, measures, visits
from duban.monitoring.models import HouseholdRow, MeasureRow
from duban.monitoring.rules import load_rules
from duban.units.service import unit_names
from duban.web.deps import Who, state_of
from duban.web.errors import ApiError
from duban.web.guards import log_denied, unit_scope
from duban.web.reach import places_of
from duban.web.state import ConsoleState

ACTION_LABELS = {
    "create": "新增监测户",
    "import": "导入名单",
    "export": "导出名单",
    "assign_measure": "落实帮扶措施",
    "finish_measure": "办结帮扶措施",
    "visit": "登记走访",
    "add_risk": "登记新风险",
    "clear": "标注风险消除",
}
LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "closed": "已办结"}


def require_action(who: Who, action: str) -> None:
    """403 unless ``who``'s role may take the monitoring ``action`` (roles.yaml)."""
    if not access.monitoring_may(who.role, action):
        raise ApiError(403, f"当前角色无权{ACTION_LABELS[action]}", None)


def full_for(who: Who) -> Any:
    """A function: whether ``who`` sees a household's whole ID number and phone."""
    unit = who.account.unit_id if who.account is not None else None

    def full(row: HouseholdRow) -> bool:
        visits_it = who.role == "unit" and unit is not None and row.resp_unit_id == unit
        return access.sees_household_identity(who.role, visits=visits_it)

    return full


def check_household(request: Request, session: Session, who: Who, household_id: int) -> HouseholdRow:
    """The household if ``who`` may see it; 404 otherwise (a foreign unit's attempt is logged)."""
    row = households.get_household(session=session, household_id=household_id)
    unit = unit_scope(who)
    if (
        who.role == "unit" and unit not in households.household_units(session=session, household_id=row.id)
    ) or (not households.in_places(row, places_of(session, who))):
        log_denied(request, who, entity="household", entity_id=household_id)
        raise ApiError(404, f"监测户 {household_id} 不存在", "household_id")
    return row


def check_measure(request: Request, session: Session, who: Who, measure_id: int) -> MeasureRow:
    """The measure if ``who`` may act on it (a unit officer: their own unit's); 404 otherwise, logged."""
    row = measures.get_measure(session=session, measure_id=measure_id)
    household = households.get_household(session=session, household_id=row.household_id)
    if (who.role == "unit" and row.unit_id != unit_scope(who)) or not households.in_places(
        household, places_of(session, who)
    ):
        log_denied(request, who, entity="household_measure", entity_id=measure_id)
        raise ApiError(404, f"帮扶措施 {measure_id} 不存在", "measure_id")
    return row


def viewed(request: Request, session: Session, who: Who, row: HouseholdRow) -> bool:
    """Log one view of a household; returns whether the viewer sees it whole."""
    full = bool(full_for(who)(row))
    households.log_view(session=session, household_id=row.id, actor=who.account.name if who.account else "匿名",
                        now=who.now, role=who.role, path=request.url.path, masked=not full)  # fmt: skip
    state_of(request).recheck()  # a GET that writes: the next read sees the view's event
    return full


def detail(
    request: Request, session: Session, who: Who, row: HouseholdRow, st: ConsoleState
) -> dict[str, Any]:
    """A household's page data (the view is logged): its line, measures with lights, visits, checks."""
    full = viewed(request, session, who, row)
    risks = households.risks_of(session=session, ids=[row.id])[row.id]
    ms = measures.measures_of(session=session, household_id=row.id)
    vs = visits.visits_of(session=session, household_id=row.id)
    names = unit_names(
        session=session, ids=[row.resp_unit_id, *(m.unit_id for m in ms), *(v.unit_id for v in vs)]
    )
    line = households.summary(row, full=full, risks=risks, resp_unit=names.get(row.resp_unit_id or 0))
    mine = unit_scope(who)
    out_measures = []
    for m in ms:
        state = measures.measure_state(m, calendar=st.calendar, now=who.now)
        out_measures.append({
            "id": m.id, "measure_type": m.measure_type, "unit": names.get(m.unit_id), "content": m.content,
            "assigned_on": local_date(m.assigned_at).isoformat(), "due_date": m.due_date.isoformat(),
            "done_on": local_date(m.done_at).isoformat() if m.done_at else None, "note": m.note,
            "light": state.light, "light_label": LIGHT_LABELS[state.light], "late": state.late,
            "overdue_workdays": state.overdue_workdays,
            "may_finish": m.done_at is None and access.monitoring_may(who.role, "finish_measure")
            and (who.role != "unit" or m.unit_id == mine),
        })  # fmt: skip
    last = vs[0].visited_on if vs else None
    due = visits.visit_due(row, last)
    checks = clearance.checks(session=session, household=row, now=who.now, visits=vs, measures=ms)
    return {
        **line,
        "measures": out_measures,
        "visits": [
            {
                "id": v.id,
                "visited_on": v.visited_on.isoformat(),
                "visitor": v.visitor,
                "unit": names.get(v.unit_id or 0),
                "income_per_person": v.income_per_person,
                "risk_resolved": v.risk_resolved,
                "note": v.note,
            }
            for v in vs
        ],
        "visit_due": due.isoformat(),
        "visit_overdue": row.status != "cleared" and due < local_date(who.now),
        "checks": [{"kind": c.kind, "label": c.label, "met": c.met, "reason": c.reason} for c in checks],
        "actions": [
            a
            for a in ACTION_LABELS
            if a not in ("create", "import", "export") and access.monitoring_may(who.role, a)
        ],
    }


def choices() -> dict[str, Any]:
    """The rules' choices for the forms."""
    rules = load_rules()
    return {
        "types": rules.types,
        "risks": rules.risks,
        "found_by": rules.found_by,
        "measure_types": rules.measures,
        "income_line": rules.income_line,
    }
