"""Read-only views the ledger's service does not offer: a duty's details with its clock, plan
trees, event lists and the public headline targets. The board is the ledger's own
(:mod:`duban.ledger.board`), shared with the CLI.

Nothing here writes. Rows are read with SELECTs over the ledger's tables and shaped with the
ledger's own schemas and :func:`duban.ledger.board.display_light`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import ColumnElement, Connection, bindparam, or_, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.audit.models import EventRow
from duban.clock.calendar import CalendarGap, WorkCalendar, local_date
from duban.clock.evaluate import evaluate
from duban.clock.policy import Policy
from duban.ledger import service
from duban.ledger.board import NO_SECTION, display_light, in_governments
from duban.ledger.models import (
    AssignmentCoUnitRow,
    AssignmentRow,
    DutyRow,
    ItemRow,
    MilestoneRow,
    PlanRow,
    ProgressRow,
)
from duban.ledger.results import Pace, pace, share_done
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
from duban.web.deps import Who, state_of
from duban.web.errors import ApiError
from duban.web.guards import check_duty_role
from duban.web.schemas import (
    ClockMilestone,
    DutyClockView,
    DutyDetail,
    HeadlineTarget,
    PlanItemView,
    PlanSectionView,
    PlanTree,
)

# duty_facts's statements, built once (building a SELECT costs more than running it here).
_ITEM_COLUMNS = [c.label(f"i__{c.name}") for c in ItemRow.__table__.columns]
_HEAD = (
    select(
        DutyRow.__table__,
        *_ITEM_COLUMNS,
        AssignmentRow.id.label("assignment_id"),
        AssignmentRow.lead_unit_id,
        AssignmentRow.leader.label("assignment_leader"),
        UnitRow.name.label("lead_unit_name"),
        PlanRow.government_id.label("plan_government_id"),
        PlanRow.source_kind.label("plan_source_kind"),
    )
    .select_from(DutyRow)
    .join(ItemRow, ItemRow.id == DutyRow.item_id)
    .join(PlanRow, PlanRow.id == ItemRow.plan_id)
    .outerjoin(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
    .outerjoin(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
    .where(DutyRow.id == bindparam("id"))
)
_CO_UNITS = (
    select(UnitRow.id, UnitRow.name)
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
    .order_by(ProgressRow.reported_at, ProgressRow.id)
)
_DUTY_FIELDS = tuple(DutyRead.model_fields)


@dataclass(frozen=True)
class DutyFacts:
    """A duty's details and who works on it: the lead unit's id and the co-units' (配合单位) ids,
    for the row guard (:func:`duban.web.guards.check_duty_role`)."""

    detail: DutyDetail
    lead_unit_id: int | None
    co_unit_ids: tuple[int, ...]
    government_id: int | None = None  # the government whose plan holds the duty (its 辖区 check)
    source_kind: str = "report"  # its plan's source (ledger/rules/sources.yaml)
    parent_duty_id: int | None = None  # the duty it was handed down from (下交)
    calendar: WorkCalendar | None = None  # the days it counts on (its government's); None: not read

    def role_of(self, unit_id: int | None) -> str | None:
        """What ``unit_id`` is to the duty: "lead", "co" or None."""
        return _role(unit_id, self.lead_unit_id, self.co_unit_ids)


def _role(unit_id: int | None, lead: int | None, co: tuple[int, ...]) -> str | None:
    if unit_id is None:
        return None
    if unit_id == lead:
        return "lead"
    return "co" if unit_id in co else None


def duty_facts(
    *,
    connection: Connection,
    duty_id: int,
    now: datetime,
    clock_of: Callable[[int | None], tuple[WorkCalendar, Policy]],
) -> DutyFacts:
    """A duty with its item, units, progress and what the clock says of it at ``now`` on the
    clock of its plan's government (``clock_of``: its days and policy).

    Four indexed SELECTs whatever the number of progress reports and milestones (the duty, its
    item, assignment and lead unit in one join; co-units; milestones; progress), built once and
    read straight into the read schemas (no ORM identity map): this is the duty API's hot path.
    """
    conn = connection
    head = conn.execute(_HEAD, {"id": duty_id}).mappings().first()
    if head is None:
        raise service.NotFound(f"督办事项 {duty_id} 不存在")
    duty = DutyRead.model_validate({k: head[k] for k in _DUTY_FIELDS})
    item = ItemRead.model_validate({c.name: head[f"i__{c.name}"] for c in ItemRow.__table__.columns})
    assignment_id = head["assignment_id"]
    co = conn.execute(_CO_UNITS, {"assignment_id": assignment_id}).all() if assignment_id else []
    milestones = [
        MilestoneRead.model_validate(m) for m in conn.execute(_MILESTONES, {"id": duty_id}).mappings()
    ]
    progress = [ProgressRead.model_validate(p) for p in conn.execute(_PROGRESS, {"id": duty_id}).mappings()]
    calendar, policy = clock_of(head["plan_government_id"])
    detail = DutyDetail(
        duty=duty,
        item=item,
        plan_id=item.plan_id,
        unit=head["lead_unit_name"] or "",
        co_units=[name for _id, name in co],
        leader=head["assignment_leader"],
        clock=_clock_view(duty, milestones, progress, now=now, calendar=calendar, policy=policy),
        milestones=milestones,
        progress=progress,
    )
    return DutyFacts(
        detail,
        head["lead_unit_id"],
        tuple(i for i, _name in co),
        head["plan_government_id"],
        head["plan_source_kind"],
        head["parent_duty_id"],
        calendar,
    )


def _clock_view(
    duty: DutyRead,
    milestones: list[MilestoneRead],
    progress: list[ProgressRead],
    *,
    now: datetime,
    calendar: WorkCalendar,
    policy: Policy,
) -> DutyClockView:
    feedback = tuple(p.reported_at for p in progress)
    try:
        ev = evaluate(duty_clock(duty, milestones, frozenset(), feedback), policy, calendar, now)
    except (CalendarGap, ValueError) as exc:
        return DutyClockView(
            light=duty.light or "grey",
            overdue_workdays=duty.overdue_workdays,
            next_due=None,
            milestones=[],
            error=f"时钟无法计算：{exc}",
        )
    return DutyClockView(
        light=ev.light,
        overdue_workdays=ev.overdue_workdays,
        next_due=ClockMilestone.model_validate(ev.next_due, from_attributes=True) if ev.next_due else None,
        milestones=[ClockMilestone.model_validate(m, from_attributes=True) for m in ev.milestones],
    )


DETAIL_JSON = DutyDetail.__pydantic_serializer__
"""DutyDetail's serializer (``to_json`` gives the bytes FastAPI would send)."""


def cached_duty(request: Request, who: Who, duty_id: int) -> tuple[DutyFacts, bytes]:
    """A duty's facts and the duty API's JSON of them, after the row guard: remembered per duty
    and Beijing day (the clock counts whole days) for as long as the data's version
    (:func:`duban.audit.service.version`, read by :mod:`duban.web.read_cache` for this request,
    else here: also seeing other workers' and processes' writes) stays the same; else read with
    :func:`duty_facts` (four queries). Shared by the duty's API routes and page, whoever asks.
    404 for a duty that does not exist or that ``who``'s unit does not work on (logged)."""
    st = state_of(request)
    with st.engine.connect() as conn:
        version = getattr(request.state, "data_version", None) or audit.version(connection=conn)
        key = (duty_id, local_date(who.now), version)
        hit = st.duty_cache.get(key)
        if hit is None:
            try:
                facts = duty_facts(
                    connection=conn,
                    duty_id=duty_id,
                    now=who.now,
                    clock_of=lambda gid: st.clock_of(conn, version, gid),
                )
            except service.NotFound:
                raise ApiError(404, f"督办事项 {duty_id} 不存在", "duty_id") from None
            hit = (facts, DETAIL_JSON.to_json(facts.detail))
            st.duty_cache.put(key, hit)
    facts, body = hit
    unit_id = who.account.unit_id if who.account else None
    check_duty_role(request, who, duty_id, facts.role_of(unit_id), government_id=facts.government_id)
    return facts, body


def detail_pace(*, facts: DutyFacts, now: datetime) -> Pace:
    """序时进度 of a duty from its facts, on the days of its government (the same figures as
    ``service.duty_pace``, no query)."""
    detail, calendar = facts.detail, facts.calendar
    assert calendar is not None, "duty_facts sets the calendar"
    last = detail.progress[-1] if detail.progress else None
    duty = detail.duty
    done = share_done(detail.item.targets, last.results if last else [], last.share if last else None)
    return pace(
        done=done,
        start=local_date(duty.assigned_at),
        due=duty.due,
        today=local_date(now),
        calendar=calendar,
        closed=duty.status == "closed",
    )


_EVENT_REFS = (
    ("duty", EventRow.entity_id == bindparam("duty_id")),
    ("progress", EventRow.entity_id.in_(select(ProgressRow.id).where(ProgressRow.duty_id == bindparam("duty_id")))),
    ("assignment", EventRow.entity_id.in_(select(AssignmentRow.id).where(AssignmentRow.item_id == bindparam("item_id")))),
    ("milestone", EventRow.entity_id.in_(select(MilestoneRow.id).where(MilestoneRow.duty_id == bindparam("duty_id")))),
)  # fmt: skip
_DUTY_EVENTS = (
    select(EventRow.__table__)
    .where(or_(*((EventRow.entity == entity) & match for entity, match in _EVENT_REFS)))
    .order_by(EventRow.at, EventRow.id)
)
"""A duty's events, its progress reports', milestones' and assignment's (as ``audit.history``
would read them), built once: building it costs more than running it."""


def duty_events(*, session: Session, duty_id: int, item_id: int | None = None) -> list[EventRead]:
    """Every event of a duty, its progress reports, milestones and assignment, oldest first
    (``item_id``: the duty's item, when the caller has read it already)."""
    if item_id is None:
        item_id = service.get_duty(session=session, duty_id=duty_id).item_id
    rows = session.connection().execute(_DUTY_EVENTS, {"duty_id": duty_id, "item_id": item_id}).mappings()
    return [EventRead.model_validate(e) for e in rows]


def event_list(
    *,
    session: Session,
    entity: str | None,
    entity_id: int | None,
    action: str | None,
    limit: int,
    offset: int,
    where: ColumnElement[bool] | None = None,
) -> tuple[list[EventRead], int]:
    """Events, newest first, filtered."""
    rows, total = audit.find_events(
        session=session, entity=entity, entity_id=entity_id, action=action, limit=limit, offset=offset,
        where=where,
    )  # fmt: skip
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


def plan_ids(*, session: Session, governments: frozenset[int | None] | None = None) -> list[tuple[int, str]]:
    """(id, title) of every plan of ``governments`` (an account's 辖区; None: all), newest first."""
    q = select(PlanRow.id, PlanRow.year, PlanRow.title).order_by(PlanRow.id.desc())
    if governments is not None:
        q = q.where(in_governments(governments))
    return [(pid, f"{year} {title}") for pid, year, title in session.execute(q)]
