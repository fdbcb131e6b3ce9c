"""Replies (答复) of suggestions and proposals, on the duty workflow and the clock.

When a suggestion or proposal is assigned its duty is due ``months`` calendar months later (the
source's reply rule, ``rules/sources.yaml``) and its first reply round opens. The unit replies:
the text becomes a progress report and the duty asks for closure. The office records the
deputy's or member's satisfaction: 满意/基本满意 closes the duty (销号, graded on the clock);
不满意 returns it (退回) and opens a new round due ``redo_months`` later (重办, counted). The office
may extend a round's due date (延期), logged with its reason.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import local_date
from duban.clock.duty import add_months
from duban.ledger.duties import get_duty, request_closure, review_closure, transition
from duban.ledger.errors import LedgerError
from duban.ledger.models import DutyRow, ReplyRow
from duban.ledger.sources import ReplyRule, load_sources
from duban.ledger.workflow import DutyStatus, WorkflowError

if TYPE_CHECKING:
    from duban.clock.calendar import WorkCalendar
    from duban.clock.policy import Policy


def reply_rule(duty: DutyRow) -> ReplyRule | None:
    """The reply rule of the duty's source (None for a source without replies)."""
    source = load_sources().get(duty.item.plan.source_kind)
    return source.reply if source is not None else None


def replies(*, session: Session, duty_id: int) -> list[ReplyRow]:
    """The reply rounds of a duty, first round first."""
    return list(session.scalars(select(ReplyRow).where(ReplyRow.duty_id == duty_id).order_by(ReplyRow.round)))


def open_first_round(*, session: Session, duty: DutyRow, actor: str, now: datetime) -> ReplyRow | None:
    """On assignment: a suggestion's or proposal's duty is due in ``months`` and its round 1 opens."""
    rule = reply_rule(duty)
    if rule is None:
        return None
    due = add_months(local_date(duty.assigned_at), rule.months)
    duty.due = due
    row = ReplyRow(duty_id=duty.id, round=1, due=due, extensions=0)
    session.add(row)
    session.flush()
    audit.record_change(session, row, actor=actor, now=now, entity="reply", action="open", before=None)
    return row


def _current(session: Session, duty_id: int) -> tuple[DutyRow, ReplyRule, ReplyRow]:
    duty = get_duty(session=session, duty_id=duty_id)
    rule = reply_rule(duty)
    rounds = replies(session=session, duty_id=duty_id)
    if rule is None or not rounds:
        raise LedgerError(f"督办事项 {duty_id} 不是建议或提案，没有答复", "duty")
    return duty, rule, rounds[-1]


def reply(*, session: Session, duty_id: int, text: str, actor: str, now: datetime) -> ReplyRow:
    """答复: the unit's reply text; the duty asks for closure and waits for the satisfaction."""
    duty, _rule, current = _current(session, duty_id)
    if not text or not text.strip():
        raise LedgerError(f"督办事项 {duty_id}: 答复内容不能为空", "text")
    if duty.status == DutyStatus.CLOSED.value:
        raise WorkflowError(f"督办事项 {duty_id} 已办结，不能再答复")
    if current.replied_at is not None:
        raise WorkflowError(f"督办事项 {duty_id} 第 {current.round} 次答复已提交，待记录满意度")
    with audit.changing(session, current, actor=actor, now=now, entity="reply", action="reply"):
        current.text = text.strip()
        current.replied_at = now
        current.replied_by = actor
    request_closure(session=session, duty_id=duty_id, actor=actor, now=now, text=f"答复：{text.strip()}")
    return current


def rate(
    *,
    session: Session,
    duty_id: int,
    satisfaction: str,
    actor: str,
    now: datetime,
    calendar: WorkCalendar,
    policy: Policy,
    opinion: str | None = None,
) -> ReplyRow:
    """满意度 recorded by the office: 满意/基本满意 closes the duty, 不满意 reopens it for 重办."""
    duty, rule, current = _current(session, duty_id)
    if satisfaction not in rule.ratings:
        raise LedgerError(f"满意度「{satisfaction}」无效，应为 {'/'.join(rule.ratings)} 之一", "satisfaction")
    if current.replied_at is None or current.satisfaction is not None:
        raise WorkflowError(f"督办事项 {duty_id} 第 {current.round} 次尚未答复，不能记录满意度")
    with audit.changing(session, current, actor=actor, now=now, entity="reply", action="rate"):
        current.satisfaction = satisfaction
        current.opinion = (opinion or "").strip() or None
        current.rated_at = now
        current.rated_by = actor
    if satisfaction not in rule.reopen:
        review_closure(
            session=session, duty_id=duty_id, decision="approve", actor=actor, now=now,
            calendar=calendar, policy=policy, reason=f"答复{satisfaction}",
        )  # fmt: skip
        return current
    transition(
        session=session, duty_id=duty_id, to=DutyStatus.RETURNED, actor=actor, now=now,
        reason=f"答复{satisfaction}，重新办理" + (f"：{current.opinion}" if current.opinion else ""),
    )  # fmt: skip
    due = add_months(local_date(now), rule.redo_months)
    row = ReplyRow(duty_id=duty_id, round=current.round + 1, due=due, extensions=0)
    session.add(row)
    with audit.changing(session, duty, actor=actor, now=now, entity="duty", action="redo"):
        duty.due = due
    session.flush()
    audit.record_change(session, row, actor=actor, now=now, entity="reply", action="open", before=None)
    return row


def extend(*, session: Session, duty_id: int, due: date, reason: str, actor: str, now: datetime) -> ReplyRow:
    """延期: the office approves a later reply due date for the current round (reason required)."""
    duty, _rule, current = _current(session, duty_id)
    if not reason or not reason.strip():
        raise LedgerError(f"督办事项 {duty_id}: 延期须写明理由", "reason")
    if duty.status == DutyStatus.CLOSED.value or current.replied_at is not None:
        raise WorkflowError(f"督办事项 {duty_id} 第 {current.round} 次已答复，不能延期")
    if due <= current.due:
        raise LedgerError(f"延期后的答复时限应晚于 {current.due.isoformat()}", "due")
    with audit.changing(session, current, actor=actor, now=now, entity="reply", action="extend") as notes:
        notes["reason"] = reason.strip()
        current.due = due
        current.extensions += 1
    with audit.changing(session, duty, actor=actor, now=now, entity="duty", action="set_due"):
        duty.due = due
    return current
