"""Read-only views the ledger's service does not offer: the board with filters and sections, a
duty's details with its clock, plan trees, event lists and the public headline targets.

Nothing here writes. Rows are read with SELECTs over the ledger's tables and shaped with the
ledger's own schemas and :func:`duban.ledger.tick.display_light`, so the unfiltered board agrees
with :func:`duban.ledger.tick.board` (a test checks the two).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from duban.clock.calendar import CalendarGap, WorkCalendar, local_date
from duban.clock.evaluate import evaluate
from duban.clock.policy import Policy
from duban.ledger import service
from duban.ledger.models import (
    AssignmentCoUnitRow,
    AssignmentRow,
    DutyRow,
    EventRow,
    ItemRow,
    PlanRow,
    ProgressRow,
    UnitRow,
)
from duban.ledger.schemas import (
    DutyRead,
    EventRead,
    ItemRead,
    MilestoneRead,
    PlanRead,
    ProgressRead,
    UnitLights,
)
from duban.ledger.tick import display_light, duty_clock
from duban.ledger.workflow import DutyStatus
from duban.web.schemas import (
    BoardRow,
    BoardView,
    ClockMilestone,
    CompletionPoint,
    DutyClockView,
    DutyDetail,
    HeadlineTarget,
    PlanItemView,
    PlanSectionView,
    PlanTree,
    SectionLights,
)

LIGHTS = ("green", "yellow", "red", "grey")
NO_SECTION = "（未分节）"


@dataclass(frozen=True)
class BoardFilter:
    """Board filters; empty fields mean "all"."""

    plan_id: int | None = None
    unit: str | None = None
    light: str | None = None
    status: str | None = None
    section: str | None = None
    q: str | None = None


def section_of(title: str | None) -> str:
    """The top section of an item's section title.

    >>> section_of("做强能源产业 › 推进煤炭清洁利用")
    '做强能源产业'
    >>> section_of(None)
    '（未分节）'
    """
    if not title:
        return NO_SECTION
    return title.split(" › ")[0].strip() or NO_SECTION


def _month(dt: datetime) -> str:
    d = local_date(dt)
    return f"{d.year:04d}-{d.month:02d}"


def _months(first: str, last: str, cap: int = 24) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    ly, lm = int(last[:4]), int(last[5:])
    out: list[str] = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out[-cap:]


def board_view(
    *, session: Session, now: datetime, scope_unit: int | None, filters: BoardFilter, limit: int = 100
) -> BoardView:
    """Lights by unit and by section, the open duties (overdue first), completion by month."""
    stmt = (
        select(
            DutyRow.id,
            DutyRow.status,
            DutyRow.light,
            DutyRow.overdue_workdays,
            DutyRow.due,
            DutyRow.assigned_at,
            DutyRow.closed_at,
            ItemRow.text,
            ItemRow.section_title,
            ItemRow.plan_id,
            UnitRow.name,
        )
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
        .join(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
    )
    if scope_unit is not None:
        stmt = stmt.where(AssignmentRow.lead_unit_id == scope_unit)
    if filters.plan_id is not None:
        stmt = stmt.where(ItemRow.plan_id == filters.plan_id)
    if filters.unit:
        stmt = stmt.where(UnitRow.name == filters.unit)
    if filters.status:
        stmt = stmt.where(DutyRow.status == filters.status)
    if filters.q:
        stmt = stmt.where(ItemRow.text.contains(filters.q))
    units: dict[str, UnitLights] = {}
    sections: dict[str, SectionLights] = {}
    totals = dict.fromkeys((*LIGHTS, "total"), 0)
    rows: list[BoardRow] = []
    assigned: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    for (
        duty_id,
        status,
        light,
        overdue,
        due,
        assigned_at,
        closed_at,
        text,
        stitle,
        plan_id,
        unit,
    ) in session.execute(stmt):
        shown = display_light(light if status != DutyStatus.CLOSED.value else None)
        section = section_of(stitle)
        if filters.light and shown != filters.light:
            continue
        if filters.section and section != filters.section:
            continue
        u = units.setdefault(unit, UnitLights(unit=unit))
        s = sections.setdefault(section, SectionLights(section=section))
        for bucket in (u, s):
            setattr(bucket, shown, getattr(bucket, shown) + 1)
            bucket.total += 1
        totals[shown] += 1
        totals["total"] += 1
        assigned[_month(assigned_at)] += 1
        if closed_at is not None:
            closed[_month(closed_at)] += 1
        if status != DutyStatus.CLOSED.value:
            rows.append(
                BoardRow(
                    duty_id=duty_id,
                    plan_id=plan_id,
                    unit=unit,
                    section=section,
                    text=text,
                    due=due,
                    overdue_workdays=overdue or 0,
                    light=shown,
                    status=status,
                )
            )
    order = {"red": 0, "yellow": 1, "green": 2, "grey": 3}
    rows.sort(key=lambda r: (-r.overdue_workdays, order[r.light], r.due, r.duty_id))
    series: list[CompletionPoint] = []
    if assigned:
        first = min(assigned)
        last = max(_month(now), *assigned, *(closed or [first]))
        a_run = c_run = 0
        for month in _months(first, last, cap=10_000):
            a_run += assigned.get(month, 0)
            c_run += closed.get(month, 0)
            series.append(
                CompletionPoint(
                    month=month,
                    assigned=a_run,
                    closed=c_run,
                    rate=round(100 * c_run / a_run, 1) if a_run else 0.0,
                )
            )
        series = series[-24:]
    return BoardView(
        now=now,
        totals=totals,
        units=sorted(units.values(), key=lambda u: (-u.red, -u.yellow, u.unit)),
        sections=sorted(sections.values(), key=lambda s: (-s.red, -s.yellow, s.section)),
        rows=rows[:limit],
        rows_total=len(rows),
        series=series,
    )


def duty_detail(
    *, session: Session, duty_id: int, now: datetime, calendar: WorkCalendar, policy: Policy
) -> DutyDetail:
    """A duty with its item, units, progress and what the clock says of it at ``now``."""
    duty = service.get_duty(session=session, duty_id=duty_id)
    item = session.get(ItemRow, duty.item_id)
    assert item is not None
    a = session.scalar(
        select(AssignmentRow)
        .where(AssignmentRow.item_id == item.id)
        .options(
            selectinload(AssignmentRow.lead_unit),
            selectinload(AssignmentRow.co_units).selectinload(AssignmentCoUnitRow.unit),
        )
    )
    feedback = tuple(p.reported_at for p in duty.progress)
    try:
        ev = evaluate(duty_clock(duty, duty.milestones, frozenset(), feedback), policy, calendar, now)
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
        duty=DutyRead.model_validate(duty),
        item=ItemRead.model_validate(item),
        plan_id=item.plan_id,
        unit=a.lead_unit.name if a else "",
        co_units=[c.unit.name for c in a.co_units] if a else [],
        leader=a.leader if a else None,
        clock=clock,
        milestones=[MilestoneRead.model_validate(m) for m in duty.milestones],
        progress=[ProgressRead.model_validate(p) for p in duty.progress],
    )


def duty_events(*, session: Session, duty_id: int) -> list[EventRead]:
    """Every event of a duty, its progress reports and its assignment, oldest first."""
    duty = service.get_duty(session=session, duty_id=duty_id)
    progress_ids = select(ProgressRow.id).where(ProgressRow.duty_id == duty_id)
    assignment_ids = select(AssignmentRow.id).where(AssignmentRow.item_id == duty.item_id)
    rows = session.scalars(
        select(EventRow)
        .where(
            or_(
                (EventRow.entity == "duty") & (EventRow.entity_id == duty_id),
                (EventRow.entity == "progress") & EventRow.entity_id.in_(progress_ids),
                (EventRow.entity == "assignment") & EventRow.entity_id.in_(assignment_ids),
            )
        )
        .order_by(EventRow.at, EventRow.id)
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
    stmt = select(EventRow)
    if entity:
        stmt = stmt.where(EventRow.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(EventRow.entity_id == entity_id)
    if action:
        stmt = stmt.where(EventRow.action == action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(EventRow.id.desc()).limit(limit).offset(offset))
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


def unit_names(*, session: Session) -> list[str]:
    """Every unit's name (for pickers)."""
    return list(session.scalars(select(UnitRow.name).order_by(UnitRow.kind, UnitRow.id)))


def unit_id_of(*, session: Session, name: str) -> int | None:
    """The id of a unit by exact name."""
    return session.scalar(select(UnitRow.id).where(UnitRow.name == name))


def plan_ids(*, session: Session) -> list[tuple[int, str]]:
    """(id, title) of every plan, newest first."""
    return [
        (p.id, f"{p.year} {p.title}") for p in session.scalars(select(PlanRow).order_by(PlanRow.id.desc()))
    ]
