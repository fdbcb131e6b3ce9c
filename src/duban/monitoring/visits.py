"""Visits (走访): who went when, the income per person stated, whether the risk is resolved; the
interval by household type (``rules.yaml``) makes a visit due, and an overdue one lights the board."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import local_date
from duban.monitoring.households import get_household
from duban.monitoring.models import HouseholdRow, VisitRow
from duban.monitoring.rules import MonitoringError, check_income, load_rules


def record_visit(
    *,
    session: Session,
    household_id: int,
    visited_on: date,
    visitor: str,
    unit_id: int | None,
    income_per_person: float | None,
    risk_resolved: bool,
    note: str,
    actor: str,
    now: datetime,
) -> VisitRow:
    """Record a visit; the stated income becomes the household's current income per person."""
    household = get_household(session=session, household_id=household_id)
    name = visitor.strip()
    if not name or len(name) > 50:
        raise MonitoringError("走访人不能为空（最多 50 字）", field="visitor")
    if visited_on > local_date(now):
        raise MonitoringError(f"走访日期 {visited_on} 晚于今天", field="visited_on")
    if visited_on < household.found_on:
        raise MonitoringError(f"走访日期 {visited_on} 早于识别日期 {household.found_on}", field="visited_on")
    check_income(income_per_person)
    row = VisitRow(household_id=household.id, visited_on=visited_on, visitor=name, unit_id=unit_id,
                   income_per_person=income_per_person, risk_resolved=bool(risk_resolved),
                   note=note.strip()[:2000], recorded_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record_change(
        session, row, actor=actor, now=now, entity="household_visit", action="visit", before=None
    )
    if income_per_person is not None and income_per_person != household.income_per_person:
        with audit.changing(session, household, actor=actor, now=now, entity="household", action="income",
                            snap=lambda h: {"income_per_person": h.income_per_person}):  # fmt: skip
            household.income_per_person = income_per_person
    return row


def visits_of(*, session: Session, household_id: int) -> list[VisitRow]:
    """A household's visits, newest first."""
    stmt = select(VisitRow).where(VisitRow.household_id == household_id)
    return list(session.scalars(stmt.order_by(VisitRow.visited_on.desc(), VisitRow.id.desc())))


def visit_due(household: HouseholdRow, last: date | None) -> date:
    """When the next visit is due: the type's interval after the last visit (or after being found)."""
    every = load_rules().visit_every_days.get(household.household_type, 30)
    return (last or household.found_on) + timedelta(days=every)


def last_visits(*, session: Session, ids: list[int] | None = None) -> dict[int, date]:
    """Each household's last visit date."""
    stmt = select(VisitRow.household_id, func.max(VisitRow.visited_on)).group_by(VisitRow.household_id)
    if ids is not None:
        stmt = stmt.where(VisitRow.household_id.in_(ids))
    return {hid: d for hid, d in session.execute(stmt)}
