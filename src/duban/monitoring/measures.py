"""Assistance measures (帮扶措施) assigned to units, on the same working-day clock as duties and
cases: the deadline from the measure policy (``measures_policy.yaml``, working days by type), the
light from :func:`duban.clock.evaluate.evaluate`, done with a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import WorkCalendar, local_date
from duban.clock.evaluate import DutySnapshot, evaluate
from duban.monitoring.households import check_choice, get_household
from duban.monitoring.models import MeasureRow
from duban.monitoring.rules import MonitoringError, load_rules
from duban.units.service import resolve_unit


@dataclass(frozen=True)
class MeasureState:
    """Where a measure stands today: its light (green/yellow/red/closed) and working days overdue."""

    light: str
    overdue_workdays: int
    late: bool
    """Done after its deadline."""


def snapshot(row: MeasureRow) -> DutySnapshot:
    """The clock's snapshot of a measure (its type picks the limit from the policy's case_limits)."""
    return DutySnapshot(
        id=row.id,
        assigned_at=row.assigned_at,
        major=False,
        status="closed" if row.done_at else "in_progress",
        due=None,
        deployed_at=None,
        first_feedback_at=None,
        last_feedback_at=None,
        closure_requested_at=None,
        closed_at=row.done_at,
        case_type=row.measure_type,
    )


def measure_state(row: MeasureRow, *, calendar: WorkCalendar, now: datetime) -> MeasureState:
    """The measure's light on the clock at ``now``."""
    ev = evaluate(snapshot(row), load_rules().policy, calendar, now)
    late = any(m.state == "done_late" for m in ev.milestones)
    return MeasureState(light=ev.light, overdue_workdays=ev.overdue_workdays, late=late)


def due_date(measure_type: str, assigned_at: datetime, *, calendar: WorkCalendar) -> date:
    """The measure's deadline: the policy's working days for its type, counted from its assignment
    (as the clock's settle step counts them)."""
    return calendar.add_workdays(local_date(assigned_at), load_rules().policy.case_limit(measure_type))


def assign_measure(
    *,
    session: Session,
    household_id: int,
    measure_type: str,
    unit: str,
    content: str,
    calendar: WorkCalendar,
    actor: str,
    now: datetime,
) -> MeasureRow:
    """Assign a measure to a unit; its deadline comes from the clock."""
    household = get_household(session=session, household_id=household_id)
    kind = check_choice(measure_type, load_rules().measures, "measure_type", "帮扶措施类型")
    found = resolve_unit(session=session, name=unit.strip()) if unit.strip() else None
    if found is None:
        raise MonitoringError(f"责任单位「{unit}」不存在", field="unit")
    text = content.strip()
    if not text or len(text) > 1000:
        raise MonitoringError("措施内容不能为空，最多 1000 字", field="content")
    if household.status == "cleared":
        raise MonitoringError("该户风险已消除，如有新风险请先登记（返回监测）", field="status", status=409)
    row = MeasureRow(household_id=household.id, measure_type=kind, unit_id=found.id, content=text,
                     assigned_at=now, due_date=due_date(kind, now, calendar=calendar), note="")  # fmt: skip
    session.add(row)
    session.flush()
    audit.record_change(
        session, row, actor=actor, now=now, entity="household_measure", action="assign", before=None
    )
    return row


def get_measure(*, session: Session, measure_id: int) -> MeasureRow:
    """The measure, or a 404 error naming it."""
    row = session.get(MeasureRow, measure_id)
    if row is None:
        raise MonitoringError(f"帮扶措施 {measure_id} 不存在", field="measure_id", status=404)
    return row


def finish_measure(*, session: Session, measure_id: int, note: str, actor: str, now: datetime) -> MeasureRow:
    """Mark a measure done (办结) with a note of what was done."""
    row = get_measure(session=session, measure_id=measure_id)
    if row.done_at is not None:
        raise MonitoringError(f"帮扶措施 {measure_id} 已办结", field="status", status=409)
    text = note.strip()
    if not text or len(text) > 2000:
        raise MonitoringError("办结须写明落实情况（最多 2000 字）", field="note")
    with audit.changing(session, row, actor=actor, now=now, entity="household_measure", action="finish"):
        row.done_at, row.note = now, text
    return row


def measures_of(*, session: Session, household_id: int) -> list[MeasureRow]:
    """A household's measures, oldest first."""
    stmt = select(MeasureRow).where(MeasureRow.household_id == household_id).order_by(MeasureRow.id)
    return list(session.scalars(stmt))
