"""A duty's life: the workflow (:func:`transition` alone moves a duty), progress reports,
closure, milestones of a major duty and its due date. Every change is logged through
:mod:`duban.audit`. Plans and assignment (which make duties) are in :mod:`duban.ledger.service`,
which also re-exports these functions as the ledger's one service surface.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.ledger.clocks import duty_clock_rules
from duban.ledger.errors import LedgerError, NotFound
from duban.ledger.models import DutyRow, MilestoneRow, ProgressRow
from duban.ledger.results import Pace, check_results, pace, share_done
from duban.ledger.schemas import MilestoneCreate
from duban.ledger.tick import duty_clock
from duban.ledger.workflow import DutyStatus, WorkflowError, check_transition, closure_grade

if TYPE_CHECKING:
    from duban.clock.calendar import WorkCalendar
    from duban.clock.policy import Policy


# ---- duties and the workflow ----------------------------------------------------------------
def get_duty(*, session: Session, duty_id: int) -> DutyRow:
    """The duty with this id, or NotFound."""
    duty = session.get(DutyRow, duty_id)
    if duty is None:
        raise NotFound(f"督办事项 {duty_id} 不存在")
    return duty


def transition(
    *,
    session: Session,
    duty_id: int,
    to: DutyStatus | str,
    actor: str,
    now: datetime,
    at: datetime | None = None,
    reason: str | None = None,
) -> DutyRow:
    """Move a duty along the one transition table, stamp its clock time and write the event."""
    duty = get_duty(session=session, duty_id=duty_id)
    target = DutyStatus(to)
    action = check_transition(duty.status, target)
    when = at or now
    with audit.changing(session, duty, actor=actor, now=now, entity="duty", action=action):
        if target is DutyStatus.DEPLOYED:
            duty.deployed_at = when
        elif target is DutyStatus.IN_PROGRESS:
            if duty.first_feedback_at is None:
                duty.first_feedback_at = when
            duty.last_feedback_at = when
        elif target is DutyStatus.CLOSURE_REQUESTED:
            duty.closure_requested_at = when
        elif target is DutyStatus.CLOSED:
            duty.closed_at = when
            duty.light = "closed"
        elif target is DutyStatus.RETURNED:
            if not reason or not reason.strip():
                raise WorkflowError(f"退回督办事项 {duty_id} 须写明理由")
            duty.returned_at = when
            duty.return_reason = reason.strip()
            duty.closure_requested_at = None
        duty.status = target.value
    return duty


def reopen(*, session: Session, duty_id: int, reason: str, actor: str, now: datetime) -> DutyRow:
    """上级退回: a closed handed-down duty whose parent's closure the office above returned goes back
    to returned (the one way out of closed, outside the transition table: ``ledger.levels`` only)."""
    duty = get_duty(session=session, duty_id=duty_id)
    if duty.status != DutyStatus.CLOSED.value or duty.parent_duty_id is None:
        raise WorkflowError(f"督办事项 {duty_id} 不是已销号的下交事项，不能由上级退回")
    with audit.changing(session, duty, actor=actor, now=now, entity="duty", action="reopen"):
        duty.status = DutyStatus.RETURNED.value
        duty.returned_at = now
        duty.return_reason = reason
        duty.closure_requested_at = None
        duty.closed_at = None
        duty.grade = None
        duty.light = None
    return duty


def deploy(*, session: Session, duty_id: int, actor: str, now: datetime) -> DutyRow:
    """研究部署: assigned → deployed."""
    return transition(session=session, duty_id=duty_id, to=DutyStatus.DEPLOYED, actor=actor, now=now)


def add_progress(
    *,
    session: Session,
    duty_id: int,
    text: str,
    actor: str,
    now: datetime,
    reported_at: datetime | None = None,
    figure: float | None = None,
    share: int | None = None,
    evidence: str | None = None,
    results: list[dict[str, Any]] | None = None,
) -> ProgressRow:
    """Record a progress report (with 完成值 per target); the first one moves the duty to in_progress."""
    duty = get_duty(session=session, duty_id=duty_id)
    if not text or not text.strip():
        raise LedgerError(f"督办事项 {duty_id}: 进展内容不能为空")
    try:
        checked = check_results(duty.item.targets or [], results or [])
    except LedgerError as exc:
        raise LedgerError(f"督办事项 {duty_id}: {exc}", exc.field) from None
    if share is not None and not 0 <= share <= 100:
        raise LedgerError(f"督办事项 {duty_id}: 完成比例应在 0–100 之间，收到 {share}")
    when = reported_at or now
    status = DutyStatus(duty.status)
    if status is DutyStatus.CLOSED:
        raise WorkflowError(f"督办事项 {duty_id} 已销号，不能再报送进展")
    if status is DutyStatus.ASSIGNED:
        transition(session=session, duty_id=duty_id, to=DutyStatus.DEPLOYED, actor=actor, now=now, at=when)
        status = DutyStatus.DEPLOYED
    if status in (DutyStatus.DEPLOYED, DutyStatus.RETURNED):
        transition(session=session, duty_id=duty_id, to=DutyStatus.IN_PROGRESS, actor=actor, now=now, at=when)
    elif duty.last_feedback_at is None or duty.last_feedback_at < when:
        with audit.changing(session, duty, actor=actor, now=now, entity="duty", action="feedback"):
            duty.last_feedback_at = when
    p = ProgressRow(
        duty_id=duty_id,
        reported_at=when,
        text=text.strip(),
        figure=figure,
        share=share,
        evidence=evidence,
        actor=actor,
        results=checked,
    )
    session.add(p)
    session.flush()
    audit.record_change(session, p, actor=actor, now=now, entity="progress", action="create", before=None)
    return p


def latest_progress(*, session: Session, duty_id: int) -> ProgressRow | None:
    """The most recent progress report of a duty."""
    return session.scalar(
        select(ProgressRow)
        .where(ProgressRow.duty_id == duty_id)
        .order_by(ProgressRow.reported_at.desc(), ProgressRow.id.desc())
        .limit(1)
    )


def request_closure(
    *, session: Session, duty_id: int, actor: str, now: datetime, text: str | None = None
) -> DutyRow:
    """申请办结: in_progress → closure_requested (with an optional closing report)."""
    if text:
        add_progress(session=session, duty_id=duty_id, text=text, actor=actor, now=now, share=100)
    return transition(session=session, duty_id=duty_id, to=DutyStatus.CLOSURE_REQUESTED, actor=actor, now=now)


def review_closure(
    *,
    session: Session,
    duty_id: int,
    decision: Literal["approve", "return"],
    actor: str,
    now: datetime,
    calendar: WorkCalendar,
    policy: Policy,
    reason: str | None = None,
    grade: str | None = None,
) -> DutyRow:
    """督查室 review: approve (销号, graded) or return (退回, with a reason)."""
    duty = get_duty(session=session, duty_id=duty_id)
    if duty.status != DutyStatus.CLOSURE_REQUESTED.value:
        raise WorkflowError(f"督办事项 {duty_id} 未申请办结，不能审核")
    from duban.ledger.levels import after_review  # closure flowing up and down the levels

    if decision == "return":
        duty = transition(
            session=session, duty_id=duty_id, to=DutyStatus.RETURNED, actor=actor, now=now, reason=reason
        )
        after_review(session=session, duty=duty, decision="return", actor=actor, now=now, reason=reason)
        return duty
    if decision != "approve":
        raise LedgerError(f"审核结论应为 approve 或 return，收到 {decision!r}")
    from dataclasses import replace

    from duban.clock.evaluate import evaluate

    # timeliness: the clock's overdue working days just as closure was requested (still open then)
    requested = duty.closure_requested_at or now
    snap = replace(
        duty_clock(duty, duty.milestones, frozenset()), status="in_progress", closure_requested_at=None
    )
    days, rules = duty_clock_rules(session=session, duty_id=duty_id, calendar=calendar, policy=policy)
    ev = evaluate(snap, rules, days, requested)
    final = closure_grade(overdue_workdays=ev.overdue_workdays, judgement=grade)
    duty.grade = final
    duty = transition(
        session=session, duty_id=duty_id, to=DutyStatus.CLOSED, actor=actor, now=now, reason=reason
    )
    after_review(session=session, duty=duty, decision="approve", actor=actor, now=now)
    return duty


# ---- milestones (major duties) --------------------------------------------------------------
def set_milestones(
    *, session: Session, duty_id: int, milestones: Sequence[MilestoneCreate], actor: str, now: datetime
) -> list[MilestoneRow]:
    """Replace the user-set milestones (节点) of a major duty."""
    duty = get_duty(session=session, duty_id=duty_id)
    if not duty.major:
        raise LedgerError(f"督办事项 {duty_id} 不是重大事项，不设节点")
    names = [m.name for m in milestones]
    if len(set(names)) != len(names):
        raise LedgerError(f"督办事项 {duty_id}: 节点名称重复")
    before = {"milestones": [audit.snapshot(m) for m in duty.milestones]}
    duty.milestones.clear()
    session.flush()
    duty.milestones.extend(MilestoneRow(name=m.name, due=m.due) for m in milestones)
    session.flush()
    after = {"milestones": [audit.snapshot(m) for m in duty.milestones]}
    audit.record_change(
        session,
        duty,
        actor=actor,
        now=now,
        entity="duty",
        action="set_milestones",
        before=before,
        after=after,
    )
    return list(duty.milestones)


def complete_milestone(
    *, session: Session, duty_id: int, name: str, actor: str, now: datetime, at: datetime | None = None
) -> MilestoneRow:
    """Mark a milestone of a duty done."""
    m = session.scalar(select(MilestoneRow).where(MilestoneRow.duty_id == duty_id, MilestoneRow.name == name))
    if m is None:
        raise NotFound(f"督办事项 {duty_id} 没有节点「{name}」")
    with audit.changing(session, m, actor=actor, now=now, entity="milestone", action="complete"):
        m.done_at = at or now
    return m


def set_due(*, session: Session, duty_id: int, due: date, actor: str, now: datetime) -> DutyRow:
    """Change a duty's due date (完成时限), logged."""
    duty = get_duty(session=session, duty_id=duty_id)
    if duty.due == due:
        return duty
    with audit.changing(session, duty, actor=actor, now=now, entity="duty", action="set_due"):
        duty.due = due
    return duty


def duty_pace(*, duty: DutyRow, last: ProgressRow | None, calendar: WorkCalendar, now: datetime) -> Pace:
    """序时进度 of a duty: its latest 完成值 (else reported share) against its period in working days."""
    from duban.clock.calendar import local_date

    done = share_done(
        duty.item.targets or [], last.results or [] if last else [], last.share if last else None
    )
    return pace(
        done=done,
        start=local_date(duty.assigned_at),
        due=duty.due,
        today=local_date(now),
        calendar=calendar,
        closed=duty.status == DutyStatus.CLOSED.value,
    )
