"""Duties across levels of government: hand-down (下交) to a child government, progress seen up
the chain, closure flowing back up, and the board's roll-up by government.

Hand-down makes, in the child government's 上级交办 plan of that year, an item and a duty
(``duties.parent_duty_id`` → the parent duty) on the child's clock; the child's office assigns it
to its own units or hands it down again. When the child's office approves its duty's closure,
the parent duty gets a closing report and its closure is requested; the parent's office reviews
it: approve closes it, return reopens the child's duty (退回) with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.ledger.board import display_light
from duban.ledger.duties import add_progress, deploy, get_duty, latest_progress, reopen, transition
from duban.ledger.errors import LedgerError
from duban.ledger.models import AssignmentRow, DutyRow, ItemRow, PlanRow
from duban.ledger.workflow import STATUS_LABELS, DutyStatus
from duban.units import governments as gov
from duban.units.models import GovernmentRow, UnitRow

HANDED_DOWN = "handed_down"  # the source kind of a child's plan (ledger/rules/sources.yaml: 上级交办)


class LinkedDuty(BaseModel):
    """A duty one level up or down: its government, status, lead unit and latest progress."""

    duty_id: int
    government: str
    status: str
    status_label: str
    unit: str | None
    due: date
    last_progress: str | None
    last_progress_at: datetime | None
    share: int | None


class GovernmentLights(BaseModel):
    """The board's roll-up: one government's duties by shown light."""

    government: str
    level: str
    own: bool  # the asking account's own government (本级)
    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0
    total: int = 0
    open: int = 0


@dataclass(frozen=True)
class Levels:
    """A duty's place in the chain: the duty it was handed down from (if any), its children, and
    the governments it can be handed down to (its government's children)."""

    government: str | None
    parent: LinkedDuty | None
    children: list[LinkedDuty]
    hand_down_to: list[str]


def _effective(session: Session, government_id: int | None) -> GovernmentRow | None:
    """The government itself, or for None the root's (None when there is no government)."""
    if government_id is None:
        return gov.root(session=session)
    return gov.get_government(session=session, government_id=government_id)


def _plan_for(session: Session, target: GovernmentRow, source: GovernmentRow, year: int, actor: str,
              now: datetime) -> PlanRow:  # fmt: skip
    checksum = f"handed-down:{target.id}:{year}"
    plan = session.scalar(select(PlanRow).where(PlanRow.checksum == checksum))
    if plan is not None:
        return plan
    plan = PlanRow(
        place=target.name, level=target.level, year=year, title=f"{target.name}{year}年上级交办事项",
        doc=f"{year}年上级交办事项", source=f"上级下交（{source.name}）", source_format="",
        source_kind=HANDED_DOWN, checksum=checksum, government_id=target.id, loaded_at=now, loaded_by=actor,
    )  # fmt: skip
    session.add(plan)
    session.flush()
    audit.record_change(session, plan, actor=actor, now=now, entity="plan", action="create", before=None)
    return plan


def hand_down(*, session: Session, duty_id: int, to: str, actor: str, now: datetime) -> DutyRow:
    """下交: make in the child government ``to`` an item and a duty linked to this one."""
    duty = get_duty(session=session, duty_id=duty_id)
    if duty.status == DutyStatus.CLOSED.value:
        raise LedgerError(f"督办事项 {duty_id} 已销号，不能下交", "duty_id")
    try:
        target = gov.require_government(session=session, name=to)
    except gov.GovernmentError as exc:
        raise LedgerError(str(exc), "to") from None
    source = _effective(session, duty.item.plan.government_id)
    if source is None or target.parent_id != source.id:
        here = source.name if source else "本级"
        raise LedgerError(f"只能下交给「{here}」的下级政府，「{target.name}」不是", "to")
    exists = session.scalar(
        select(DutyRow.id)
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .join(PlanRow, PlanRow.id == ItemRow.plan_id)
        .where(DutyRow.parent_duty_id == duty_id, PlanRow.government_id == target.id)
    )
    if exists is not None:
        raise LedgerError(f"督办事项 {duty_id} 已下交给「{target.name}」（督办事项 {exists}）", "to")
    up = duty.item
    plan = _plan_for(session, target, source, up.plan.year, actor, now)
    item = ItemRow(
        plan_id=plan.id, ref=f"d{duty_id}", kind=up.kind, text=up.text, metric=up.metric, change=up.change,
        value=up.value, value_high=up.value_high, unit=up.unit, bound=up.bound, deadline=duty.due,
        deadline_text=up.deadline_text, section_path=None, section_title=f"{source.name}下交", quote=up.quote,
        start=0, end=0, line=0, headline=False, flags=[], counts=list(up.counts or []),
        targets=list(up.targets or []), source_fields={"交办单位": source.name, "上级督办事项": duty_id},
    )  # fmt: skip
    session.add(item)
    session.flush()
    child = DutyRow(item_id=item.id, parent_duty_id=duty_id, status=DutyStatus.ASSIGNED.value,
                    major=duty.major, due=duty.due, assigned_at=now)  # fmt: skip
    child.overdue_workdays = 0
    session.add(child)
    session.flush()
    audit.record_change(session, item, actor=actor, now=now, entity="item", action="create", before=None)
    audit.record_change(session, child, actor=actor, now=now, entity="duty", action="create", before=None)
    if duty.status == DutyStatus.ASSIGNED.value:
        deploy(session=session, duty_id=duty_id, actor=actor, now=now)  # handing down is deploying it
    audit.record(session, actor=actor, now=now, entity="duty", entity_id=duty_id, action="hand_down",
                 before=None, after={"to": target.name, "child_duty_id": child.id})  # fmt: skip
    return child


def after_review(*, session: Session, duty: DutyRow, decision: str, actor: str, now: datetime,
                 reason: str | None = None) -> None:  # fmt: skip
    """Closure flowing up: an approved child asks its parent's closure; a returned parent reopens
    its closed children."""
    if decision == "approve" and duty.parent_duty_id is not None:
        parent = get_duty(session=session, duty_id=duty.parent_duty_id)
        if parent.status in (DutyStatus.CLOSED.value, DutyStatus.CLOSURE_REQUESTED.value):
            return
        here = _effective(session, duty.item.plan.government_id)
        last = latest_progress(session=session, duty_id=duty.id)
        text = (
            f"【{here.name if here else '下级'}办结，{duty.grade or ''}】{last.text if last else ''}".strip()
        )
        add_progress(session=session, duty_id=parent.id, text=text, actor=actor, now=now, share=100)
        transition(session=session, duty_id=parent.id, to=DutyStatus.CLOSURE_REQUESTED, actor=actor, now=now)
        audit.record(session, actor=actor, now=now, entity="duty", entity_id=parent.id,
                     action="child_closed", before=None, after={"child_duty_id": duty.id})  # fmt: skip
    elif decision == "return":
        for child in session.scalars(select(DutyRow).where(DutyRow.parent_duty_id == duty.id)):
            if child.status == DutyStatus.CLOSED.value:
                reopen(
                    session=session,
                    duty_id=child.id,
                    reason=f"上级退回：{reason or ''}",
                    actor=actor,
                    now=now,
                )


def linked_duties(session: Session, rows: list[DutyRow]) -> list[LinkedDuty]:
    """Duties as a level above or below shows them (their governments and lead units read in one
    query, then each one's latest progress)."""
    if not rows:
        return []
    heads = {
        duty_id: (gid, unit)
        for duty_id, gid, unit in session.execute(
            select(DutyRow.id, PlanRow.government_id, UnitRow.name)
            .join(ItemRow, ItemRow.id == DutyRow.item_id)
            .join(PlanRow, PlanRow.id == ItemRow.plan_id)
            .outerjoin(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
            .outerjoin(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
            .where(DutyRow.id.in_([d.id for d in rows]))
        )
    }
    governments: dict[int | None, str] = {}
    out = []
    for d in rows:
        gid, unit = heads[d.id]
        if gid not in governments:
            g = _effective(session, gid)
            governments[gid] = g.name if g else ""
        last = latest_progress(session=session, duty_id=d.id)
        out.append(
            LinkedDuty(
                duty_id=d.id,
                government=governments[gid],
                status=d.status,
                status_label=STATUS_LABELS[DutyStatus(d.status)],
                unit=unit,
                due=d.due,
                last_progress=last.text if last else None,
                last_progress_at=last.reported_at if last else None,
                share=last.share if last else None,
            )
        )
    return out


def levels_of(
    *,
    session: Session,
    duty_id: int,
    government_id: int | None,
    parent_duty_id: int | None,
    visible: set[int | None] | None = None,
) -> Levels:
    """A duty's levels, from its plan's government and the duty it was handed down from (as the
    caller read them): its government, the duty above (when ``visible`` lets the asker see it),
    its children's progress and the governments it can be handed down to."""
    here = _effective(session, government_id)
    parent = None
    if parent_duty_id is not None:
        up = get_duty(session=session, duty_id=parent_duty_id)
        if visible is None or up.item.plan.government_id in visible:
            parent = linked_duties(session, [up])[0]
    children = list(
        session.scalars(select(DutyRow).where(DutyRow.parent_duty_id == duty_id).order_by(DutyRow.id))
    )
    below: list[str] = []
    if here is not None:
        below = list(
            session.scalars(
                select(GovernmentRow.name)
                .where(GovernmentRow.parent_id == here.id)
                .order_by(GovernmentRow.id)
            )
        )
    return Levels(
        government=here.name if here else None,
        parent=parent,
        children=linked_duties(session, children),
        hand_down_to=below,
    )


def government_lights(*, session: Session, government_id: int | None) -> list[GovernmentLights]:
    """The board's roll-up: the duties of a government (本级) and of each government below it, by
    light; everything's when ``government_id`` is None."""
    top = _effective(session, government_id)
    if top is None:
        return []
    nodes = gov.tree(session=session)  # depth-first from the root (the first node)
    names = {n.id: n for n in nodes}
    sub = gov.subtree_ids(session=session, government_id=top.id)
    root = nodes[0].id
    rows = session.execute(
        select(PlanRow.government_id, DutyRow.status, DutyRow.light, func.count())
        .select_from(DutyRow)
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .join(PlanRow, PlanRow.id == ItemRow.plan_id)
        .group_by(PlanRow.government_id, DutyRow.status, DutyRow.light)
    ).all()
    out: dict[int, GovernmentLights] = {}
    for gid, status, light, n in rows:
        gid = root if gid is None else gid
        if gid not in sub:
            continue
        node = names[gid]
        g = out.setdefault(gid, GovernmentLights(government=node.name, level=node.level, own=gid == top.id))
        shown = display_light(light if status != DutyStatus.CLOSED.value else None)
        setattr(g, shown, getattr(g, shown) + n)
        g.total += n
        if status != DutyStatus.CLOSED.value:
            g.open += n
    return [out[n.id] for n in nodes if n.id in out]
