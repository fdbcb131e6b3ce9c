"""Read-only views the ledger's service does not offer: a duty's details with its clock, plan
trees, event lists and the public headline targets. The board is the ledger's own
(:mod:`duban.ledger.board`), shared with the CLI.

Nothing here writes. Rows are read with SELECTs over the ledger's tables and shaped with the
ledger's own schemas and :func:`duban.ledger.board.display_light`.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import CalendarGap, WorkCalendar
from duban.clock.evaluate import evaluate
from duban.clock.policy import Policy
from duban.ledger import service
from duban.ledger.board import NO_SECTION, display_light
from duban.ledger.models import (
    AssignmentCoUnitRow,
    AssignmentRow,
    DutyRow,
    ItemRow,
    MilestoneRow,
    PlanRow,
    ProgressRow,
)
from duban.ledger.schemas import (
    DutyRead,
    EventRead,
    ItemRead,
    MilestoneRead,
    PlanRead,
    ProgressRead,
)
from duban.ledger.tick import duty_clock
from duban.units.models import UnitRow
from duban.web.schemas import (
    ClockMilestone,
    DutyClockView,
    DutyDetail,
    HeadlineTarget,
    PlanItemView,
    PlanSectionView,
    PlanTree,
)

# duty_detail's statements, built once (building a SELECT costs more than running it here).
_DUTY = select(DutyRow.__table__).where(DutyRow.id == bindparam("id"))
_ITEM = select(ItemRow.__table__).where(ItemRow.id == bindparam("id"))
_ASSIGNMENT = (
    select(AssignmentRow.id, AssignmentRow.leader, UnitRow.name)
    .join(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
    .where(AssignmentRow.item_id == bindparam("item_id"))
)
_CO_UNITS = (
    select(UnitRow.name)
    .join(AssignmentCoUnitRow, AssignmentCoUnitRow.unit_id == UnitRow.id)
    .where(AssignmentCoUnitRow.assignment_id == bindparam("assignment_id"))
    .order_by(AssignmentCoUnitRow.position)
)
_MILESTONES = (
    select(MilestoneRow.__table__).where(MilestoneRow.duty_id == bindparam("id")).order_by(MilestoneRow.due)
)
_PROGRESS = (
    select(ProgressRow.__table__)
    .where(ProgressRow.duty_id == bindparam("id"))
    .order_by(ProgressRow.reported_at)
)


def duty_detail(
    *, session: Session, duty_id: int, now: datetime, calendar: WorkCalendar, policy: Policy
) -> DutyDetail:
    """A duty with its item, units, progress and what the clock says of it at ``now``.

    Six small indexed SELECTs, built once, read straight into the read schemas (no ORM identity
    map): this is the duty API's hot path.
    """
    conn = session.connection()
    found = conn.execute(_DUTY, {"id": duty_id}).mappings().first()
    if found is None:
        raise service.NotFound(f"督办事项 {duty_id} 不存在")
    duty = DutyRead.model_validate(found)
    item = ItemRead.model_validate(conn.execute(_ITEM, {"id": duty.item_id}).mappings().one())
    a = conn.execute(_ASSIGNMENT, {"item_id": item.id}).first()
    co_units = list(conn.scalars(_CO_UNITS, {"assignment_id": a.id})) if a else []
    milestones = [
        MilestoneRead.model_validate(m) for m in conn.execute(_MILESTONES, {"id": duty_id}).mappings()
    ]
    progress = [ProgressRead.model_validate(p) for p in conn.execute(_PROGRESS, {"id": duty_id}).mappings()]
    feedback = tuple(p.reported_at for p in progress)
    try:
        ev = evaluate(duty_clock(duty, milestones, frozenset(), feedback), policy, calendar, now)
        clock = DutyClockView(
            light=ev.light,
            overdue_workdays=ev.overdue_workdays,
            next_due=ClockMilestone.model_validate(ev.next_due, from_attributes=True)
            if ev.next_due
            else None,
            milestones=[ClockMilestone.model_validate(m, from_attributes=True) for m in ev.milestones],
        )
    except (CalendarGap, ValueError) as exc:
        clock = DutyClockView(
            light=duty.light or "grey",
            overdue_workdays=duty.overdue_workdays,
            next_due=None,
            milestones=[],
            error=f"时钟无法计算：{exc}",
        )
    return DutyDetail(
        duty=duty,
        item=item,
        plan_id=item.plan_id,
        unit=a.name if a else "",
        co_units=co_units,
        leader=a.leader if a else None,
        clock=clock,
        milestones=milestones,
        progress=progress,
    )


def duty_events(*, session: Session, duty_id: int) -> list[EventRead]:
    """Every event of a duty, its progress reports, milestones and assignment, oldest first."""
    duty = service.get_duty(session=session, duty_id=duty_id)
    progress_ids = select(ProgressRow.id).where(ProgressRow.duty_id == duty_id)
    assignment_ids = select(AssignmentRow.id).where(AssignmentRow.item_id == duty.item_id)
    milestone_ids = select(MilestoneRow.id).where(MilestoneRow.duty_id == duty_id)
    rows = audit.history(
        session=session,
        refs=[
            ("duty", duty_id),
            ("progress", progress_ids),
            ("assignment", assignment_ids),
            ("milestone", milestone_ids),
        ],
    )
    return [EventRead.model_validate(e) for e in rows]


def event_list(
    *,
    session: Session,
    entity: str | None,
    entity_id: int | None,
    action: str | None,
    limit: int,
    offset: int,
) -> tuple[list[EventRead], int]:
    """Events, newest first, filtered."""
    rows, total = audit.find_events(
        session=session, entity=entity, entity_id=entity_id, action=action, limit=limit, offset=offset
    )
    return [EventRead.model_validate(e) for e in rows], total


def _path_key(path: str | None) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path or "")) or (10_000,)


def plan_tree(*, session: Session, plan_id: int, scope_unit: int | None) -> PlanTree:
    """A plan's items grouped by section (in report order), with their unit and duty."""
    plan = service.get_plan(session=session, plan_id=plan_id)
    groups: dict[str, PlanSectionView] = {}
    for item in service.plan_items(session=session, plan_id=plan_id):
        a, duty = item.assignment, item.duty
        if scope_unit is not None and (a is None or a.lead_unit_id != scope_unit):
            continue
        path = item.section_path or ""
        g = groups.setdefault(
            path, PlanSectionView(path=path, title=item.section_title or NO_SECTION, items=[])
        )
        g.items.append(
            PlanItemView(
                item=ItemRead.model_validate(item),
                unit=a.lead_unit.name if a else None,
                duty_id=duty.id if duty else None,
                status=duty.status if duty else None,
                light=display_light(duty.light if duty and duty.status != "closed" else None)
                if duty
                else None,
            )
        )
    ordered = sorted(groups.values(), key=lambda g: (_path_key(g.path), g.path))
    return PlanTree(plan=PlanRead.model_validate(plan), sections=ordered)


def headline_targets(*, session: Session) -> list[HeadlineTarget]:
    """The headline targets (主要预期目标) of every plan, newest plan first."""
    out: list[HeadlineTarget] = []
    for plan in service.list_plans(session=session):
        for item in service.plan_items(session=session, plan_id=plan.id):
            if item.headline and item.kind == "target":
                out.append(
                    HeadlineTarget(
                        plan_id=plan.id,
                        place=plan.place,
                        year=plan.year,
                        metric=item.metric,
                        text=item.text,
                        quote=item.quote,
                        value=item.value,
                        value_high=item.value_high,
                        unit=item.unit,
                        bound=item.bound,
                        change=item.change,
                    )
                )
    return out


def plan_ids(*, session: Session) -> list[tuple[int, str]]:
    """(id, title) of every plan, newest first."""
    return [
        (p.id, f"{p.year} {p.title}") for p in session.scalars(select(PlanRow).order_by(PlanRow.id.desc()))
    ]
