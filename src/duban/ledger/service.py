"""The ledger's service: plans and assignment, and the ledger's one service surface.

Plans are loaded from the reader's :class:`~duban.reading.model.Plan`; items are assigned to units
(by hand or by the routing rules), which makes a duty. A duty's life (the workflow, progress,
closure, milestones, due date) is in :mod:`duban.ledger.duties`, the clock side (tick, board) in
:mod:`duban.ledger.tick`; both are re-exported here so other packages call ``service.X``. Only
these modules write ledger rows, logging every change through :mod:`duban.audit`. Every function
takes keyword arguments only and a ``now`` (aware).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duban.audit import service as audit
from duban.ledger.duties import (
    add_progress,
    complete_milestone,
    deploy,
    duty_pace,
    get_duty,
    latest_progress,
    request_closure,
    review_closure,
    set_due,
    set_milestones,
    transition,
)
from duban.ledger.errors import LedgerError, NotFound
from duban.ledger.evidence import add_evidence, get_evidence, list_evidence
from duban.ledger.models import (
    AssignmentCoUnitRow,
    AssignmentRow,
    DutyRow,
    ItemRow,
    PlanRow,
)
from duban.ledger.replies import extend, open_first_round, rate, replies, reply
from duban.ledger.results import target_record
from duban.ledger.routing import RouteResult, Rule, load_rules, route, rules_for
from duban.ledger.tick import board, open_duties_report, tick
from duban.ledger.workflow import DutyStatus
from duban.units import governments
from duban.units.models import UnitRow
from duban.units.service import require_unit

if TYPE_CHECKING:
    from duban.reading.model import Plan

__all__ = [  # the ledger's whole service surface, including what lives in its helper modules
    "RouteResult",
    "add_evidence",
    "add_progress",
    "assign",
    "auto_assign",
    "board",
    "complete_milestone",
    "deploy",
    "duty_pace",
    "extend",
    "get_duty",
    "get_evidence",
    "get_item",
    "get_plan",
    "latest_progress",
    "list_evidence",
    "list_plans",
    "load_plan",
    "load_rules",
    "open_duties_report",
    "plan_items",
    "rate",
    "replies",
    "reply",
    "request_closure",
    "review_closure",
    "route",
    "set_due",
    "set_milestones",
    "tick",
    "transition",
]  # fmt: skip

ASSIGNABLE_KINDS = ("target", "task")
NATIONAL = ("中国", "全国", "国务院", "中华人民共和国")
MUNICIPALITIES = ("北京", "上海", "天津", "重庆")


# ---- plans ----------------------------------------------------------------------------------
def plan_level(place: str) -> str:
    """国家/省/市 from a place name (直辖市 count as 省).

    >>> [plan_level(p) for p in ("国务院", "山西省", "上海市", "大同市", "内蒙古自治区")]
    ['国家', '省', '省', '市', '省']
    """
    if any(place.startswith(n) for n in NATIONAL):
        return "国家"
    if place.endswith(("省", "自治区")) or any(place.startswith(m) for m in MUNICIPALITIES):
        return "省"
    return "市"


def _section_title(plan: Plan, section_id: str | None) -> str | None:
    """The titles from the section (level ≥ 2) down to ``section_id``, joined with › ."""
    titles: list[str] = []
    sid = section_id
    while sid is not None:
        s = plan.section(sid)
        if s is None:
            break
        if s.level >= 2 or not titles:
            titles.append(s.title)
        sid = s.parent
    return " › ".join(reversed(titles)) or None


def load_plan(
    *,
    session: Session,
    plan: Plan,
    actor: str,
    now: datetime,
    level: str | None = None,
    government_id: int | None = None,
) -> tuple[PlanRow, bool]:
    """Store a read plan and its items (of ``government_id``, None: the root's); the same source
    (checksum) again returns it with created=False."""
    existing = session.scalar(select(PlanRow).where(PlanRow.checksum == plan.checksum))
    if existing is not None:
        return existing, False
    if plan.year is None:
        raise LedgerError(f"{plan.source}: 报告年份未知，请用 --year 指定")
    row = PlanRow(
        place=plan.place or "",
        level=level or plan_level(plan.place or ""),
        year=plan.year,
        title=plan.title or plan.doc,
        doc=plan.doc,
        source=plan.source,
        source_format=plan.source_format or "",
        checksum=plan.checksum,
        government_id=government_id,
        loaded_at=now,
        loaded_by=actor,
    )
    session.add(row)
    session.flush()
    items: list[ItemRow] = []
    for n, q in enumerate(plan.quantities, start=1):
        items.append(
            ItemRow(
                plan_id=row.id,
                ref=f"q{n}",
                kind=q.kind,
                text=q.sentence or q.quote,
                metric=q.metric,
                change=q.change,
                value=q.value,
                value_high=q.value_high,
                unit=q.unit,
                bound=q.bound,
                deadline=None,
                deadline_text=None,
                section_path=q.section,
                section_title=_section_title(plan, q.section),
                quote=q.quote,
                start=q.start,
                end=q.end,
                line=q.line,
                headline=q.headline,
                flags=list(q.flags),
                counts=[],
            )
        )
    for t in plan.tasks:
        items.append(
            ItemRow(
                plan_id=row.id,
                ref=t.id,
                kind="task",
                text=t.text,
                metric=t.object or None,
                deadline=t.deadline.due if t.deadline else None,
                deadline_text=t.deadline.text if t.deadline else None,
                section_path=t.section,
                section_title=_section_title(plan, t.section),
                quote=t.text,
                start=t.start,
                end=t.end,
                line=t.line,
                headline=False,
                flags=[],
                counts=list(t.counts),
                targets=[target_record(q) for q in t.targets],
            )
        )
    session.add_all(items)
    session.flush()
    after = audit.snapshot(row) or {}
    after["items"] = len(items)
    audit.record_change(
        session, row, actor=actor, now=now, entity="plan", action="load", before=None, after=after
    )
    return row, True


def get_plan(*, session: Session, plan_id: int) -> PlanRow:
    """The plan with this id, or NotFound."""
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(f"计划 {plan_id} 不存在")
    return row


def list_plans(*, session: Session) -> list[PlanRow]:
    """All plans, newest first."""
    return list(session.scalars(select(PlanRow).order_by(PlanRow.year.desc(), PlanRow.id.desc())))


def get_item(*, session: Session, item_id: int) -> ItemRow | None:
    """The plan item with this id, or None."""
    return session.get(ItemRow, item_id)


def plan_items(*, session: Session, plan_id: int) -> list[ItemRow]:
    """The items of a plan with their assignment and duty."""
    return list(
        session.scalars(
            select(ItemRow)
            .where(ItemRow.plan_id == plan_id)
            .options(
                selectinload(ItemRow.assignment).selectinload(AssignmentRow.lead_unit),
                selectinload(ItemRow.duty),
            )
            .order_by(ItemRow.id)
        )
    )


# ---- assignment -----------------------------------------------------------------------------
def _assignment_snapshot(a: AssignmentRow, duty: DutyRow) -> dict[str, Any]:
    snap = audit.snapshot(a) or {}
    snap["lead_unit"] = a.lead_unit.name
    snap["co_units"] = [c.unit.name for c in a.co_units]
    snap["major"] = duty.major
    return snap


def assign(
    *,
    session: Session,
    item_id: int,
    unit: str,
    co_units: Sequence[str] = (),
    leader: str | None = None,
    actor: str,
    now: datetime,
    major: bool = False,
    rule: str | None = None,
) -> AssignmentRow:
    """Give an item a lead unit (and co-units, leader); creates its duty, or logs the override."""
    item = session.get(ItemRow, item_id, options=[selectinload(ItemRow.plan)])
    if item is None:
        raise NotFound(f"事项 {item_id} 不存在")
    if item.kind not in ASSIGNABLE_KINDS:
        raise LedgerError(f"事项 {item_id} 是已完成的成绩（{item.kind}），不交办")
    lead = require_unit(session=session, name=unit)
    if item.plan.government_id is not None or lead.government_id is not None:
        root = governments.root_id(session=session)
        here, theirs = item.plan.government_id or root, lead.government_id or root
        if here != theirs:
            raise LedgerError(f"单位「{lead.name}」不属于本事项所在政府，只能交办给本级单位", "unit")
    co_rows: list[UnitRow] = []
    for name in co_units:
        u = require_unit(session=session, name=name)
        if u.id != lead.id and u not in co_rows:
            co_rows.append(u)
    a = session.scalar(
        select(AssignmentRow)
        .where(AssignmentRow.item_id == item_id)
        .options(selectinload(AssignmentRow.co_units).selectinload(AssignmentCoUnitRow.unit))
    )
    duty = session.scalar(select(DutyRow).where(DutyRow.item_id == item_id))
    if a is None or duty is None:
        a = AssignmentRow(
            item_id=item_id,
            lead_unit_id=lead.id,
            leader=leader,
            assigned_at=now,
            assigned_by=actor,
            rule=rule,
        )
        a.lead_unit = lead
        a.co_units = [AssignmentCoUnitRow(unit_id=u.id, unit=u, position=i) for i, u in enumerate(co_rows)]
        session.add(a)
        created = duty is None
        if duty is None:
            due = item.deadline or date(item.plan.year, 12, 31)
            duty = DutyRow(
                item_id=item_id, status=DutyStatus.ASSIGNED.value, major=major, due=due, assigned_at=now
            )
            duty.overdue_workdays = 0
            session.add(duty)
        else:  # a handed-down duty (下交) gets its first unit
            duty.major = duty.major or major
        session.flush()
        audit.record_change(
            session,
            a,
            actor=actor,
            now=now,
            entity="assignment",
            action="assign",
            before=None,
            after=_assignment_snapshot(a, duty),
        )
        if created:
            audit.record_change(
                session, duty, actor=actor, now=now, entity="duty", action="create", before=None
            )
            open_first_round(session=session, duty=duty, actor=actor, now=now)  # a suggestion's reply clock
        return a
    before = _assignment_snapshot(a, duty)
    duty_before = audit.snapshot(duty)
    a.lead_unit_id = lead.id
    a.lead_unit = lead
    a.leader = leader
    a.rule = rule
    a.assigned_by = actor
    a.co_units.clear()
    session.flush()
    a.co_units.extend(AssignmentCoUnitRow(unit_id=u.id, unit=u, position=i) for i, u in enumerate(co_rows))
    duty.major = major
    session.flush()
    after = _assignment_snapshot(a, duty)
    if after != before:
        audit.record_change(
            session,
            a,
            actor=actor,
            now=now,
            entity="assignment",
            action="override",
            before=before,
            after=after,
        )
    if duty_before != audit.snapshot(duty):
        audit.record_change(
            session,
            duty,
            actor=actor,
            now=now,
            entity="duty",
            action="update",
            before=duty_before,
        )
    return a


def auto_assign(
    *, session: Session, plan_id: int, actor: str, now: datetime, rules: tuple[Rule, ...] | None = None
) -> tuple[list[int], list[int]]:
    """Assign every unassigned target/task of a plan by the rules (None: its government's,
    :func:`duban.ledger.routing.rules_for`): (assigned ids, ids needing a person)."""
    plan = get_plan(session=session, plan_id=plan_id)
    if rules is None:
        rules = rules_for(session=session, government_id=plan.government_id)
    items = session.scalars(
        select(ItemRow)
        .outerjoin(AssignmentRow, AssignmentRow.item_id == ItemRow.id)
        .where(ItemRow.plan_id == plan_id, ItemRow.kind.in_(ASSIGNABLE_KINDS), AssignmentRow.id.is_(None))
        .order_by(ItemRow.id)
    ).all()
    assigned: list[int] = []
    needs_person: list[int] = []
    for item in items:
        result = route(rules=rules, item=item)
        if result is None:
            needs_person.append(item.id)
            continue
        assign(
            session=session,
            item_id=item.id,
            unit=result.unit,
            co_units=result.co_units,
            actor=actor,
            now=now,
            major=item.headline,
            rule=result.rule_name,
        )
        assigned.append(item.id)
    return assigned, needs_person
