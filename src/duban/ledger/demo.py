"""A year of supervision, simulated: what ``make demo`` runs to fill the ledger with a believable year.

:func:`simulate_year` auto-assigns a plan (the items no rule places go to the 市政府办公室 by hand),
then walks the working days from ``start`` to ``end``: each unit follows a seeded profile
(prompt, late, or silent), deploys, reports progress, asks for closure; the 督查室 reviews closures
(approves and grades most, returns some with a reason) and ``tick`` runs at the close of every
working day. Everything goes through the service, so every change is in the events log; the same
seed gives the same year.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.clock.calendar import SHANGHAI, WorkCalendar
from duban.clock.policy import Policy
from duban.ledger import service
from duban.ledger.models import DutyRow, ItemRow
from duban.ledger.routing import load_rules
from duban.ledger.schemas import MilestoneCreate
from duban.ledger.tick import tick
from duban.ledger.workflow import DutyStatus
from duban.units.service import DEFAULT_UNITS, load_units, unit_count

OFFICE = "市人民政府督查室"
FALLBACK_UNIT = "市人民政府办公室"
PROFILES = (("prompt", 0.6), ("late", 0.28), ("silent", 0.12))
RETURN_REASONS = ("佐证材料不足", "完成值与目标不符", "未附验收意见")


@dataclass
class SimulationSummary:
    """What a simulated year did."""

    plan_id: int
    start: date
    end: date
    working_days: int = 0
    duties: int = 0
    needs_person: int = 0
    progress_reports: int = 0
    closure_requests: int = 0
    returned: int = 0
    closed: int = 0
    still_open: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    grades: dict[str, int] = field(default_factory=dict)
    lights: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    """One duty's seeded behaviour, in working-day offsets from assignment."""

    profile: str
    deploy: int | None
    first_feedback: int | None
    every: int  # working days between progress reports
    close_before_due: int | None  # working days before (negative: after) the due date to ask for closure
    next_report: int = 0
    review_on: date | None = None
    request_on: date | None = None
    history: list[str] = field(default_factory=list)


def _at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=SHANGHAI).astimezone(UTC)


def _profile(rng: random.Random) -> _Plan:
    r, acc = rng.random(), 0.0
    name = PROFILES[-1][0]
    for n, p in PROFILES:
        acc += p
        if r < acc:
            name = n
            break
    if name == "prompt":
        return _Plan(
            name,
            deploy=1,
            first_feedback=rng.randint(2, 3),
            every=rng.randint(15, 21),
            close_before_due=rng.randint(0, 10),
        )
    if name == "late":
        return _Plan(
            name,
            deploy=rng.randint(2, 6),
            first_feedback=rng.randint(5, 12),
            every=rng.randint(25, 45),
            close_before_due=-rng.randint(3, 25),
        )
    silent_deploys = rng.random() < 0.5
    return _Plan(
        name,
        deploy=rng.randint(3, 10) if silent_deploys else None,
        first_feedback=None,
        every=0,
        close_before_due=None,
    )


def simulate_year(
    *,
    session: Session,
    plan_id: int,
    calendar: WorkCalendar,
    policy: Policy,
    start: date,
    end: date,
    seed: int = 7,
) -> SimulationSummary:
    """Assign a plan and play its year day by day (seeded, deterministic); returns what happened."""
    rng = random.Random(seed)
    summary = SimulationSummary(plan_id=plan_id, start=start, end=end)
    if unit_count(session=session) == 0:
        load_units(session=session, path=DEFAULT_UNITS, actor=OFFICE, now=_at(start, 9))
    begin = calendar.add_workdays(start, 0)
    assigned_at = _at(begin, 9)
    _, needs = service.auto_assign(
        session=session, plan_id=plan_id, rules=load_rules(), actor=OFFICE, now=assigned_at
    )
    for item_id in needs:
        service.assign(session=session, item_id=item_id, unit=FALLBACK_UNIT, actor=OFFICE, now=assigned_at)
    summary.needs_person = len(needs)
    duties = list(
        session.scalars(
            select(DutyRow)
            .join(ItemRow, ItemRow.id == DutyRow.item_id)
            .where(ItemRow.plan_id == plan_id)
            .order_by(DutyRow.id)
        )
    )
    summary.duties = len(duties)
    plans: dict[int, _Plan] = {}
    for d in duties:
        plans[d.id] = p = _profile(rng)
        if d.major:
            halfway = begin + (d.due - begin) / 2
            service.set_milestones(
                session=session,
                duty_id=d.id,
                actor=OFFICE,
                now=assigned_at,
                milestones=[MilestoneCreate(name="完成年度目标过半", due=halfway)],
            )
        p.next_report = (p.first_feedback or 0) + p.every
    summary.profiles = dict(Counter(p.profile for p in plans.values()))

    day = begin
    n = 0
    while day <= end:
        if not calendar.is_workday(day):
            day += timedelta(days=1)
            continue
        for d in duties:
            _step(session, d, plans[d.id], n, day, calendar, policy, rng, summary)
        tick(session=session, calendar=calendar, policy=policy, now=_at(day, 17))
        n += 1
        day += timedelta(days=1)
    summary.working_days = n

    from duban.ledger.models import ActionRow, ProgressRow

    ids = [d.id for d in duties]
    summary.actions = dict(
        session.execute(
            select(ActionRow.kind, func.count()).where(ActionRow.duty_id.in_(ids)).group_by(ActionRow.kind)
        ).all()
    )
    summary.progress_reports = (
        session.scalar(select(func.count()).select_from(ProgressRow).where(ProgressRow.duty_id.in_(ids))) or 0
    )
    for d in duties:
        session.refresh(d)
    summary.closed = sum(1 for d in duties if d.status == DutyStatus.CLOSED.value)
    summary.still_open = summary.duties - summary.closed
    summary.grades = dict(Counter(d.grade for d in duties if d.grade))
    summary.lights = dict(Counter(d.light or "none" for d in duties))
    return summary


def _step(
    session: Session,
    d: DutyRow,
    p: _Plan,
    n: int,
    day: date,
    calendar: WorkCalendar,
    policy: Policy,
    rng: random.Random,
    summary: SimulationSummary,
) -> None:
    status = DutyStatus(d.status)
    unit = "责任单位"
    if status is DutyStatus.CLOSED:
        return
    if status is DutyStatus.ASSIGNED and p.deploy is not None and n >= p.deploy:
        service.deploy(session=session, duty_id=d.id, actor=unit, now=_at(day, 10))
        return
    if status is DutyStatus.DEPLOYED and p.first_feedback is not None and n >= p.first_feedback:
        service.add_progress(
            session=session,
            duty_id=d.id,
            text="已制定工作方案，明确责任分工和时间节点",
            share=5,
            actor=unit,
            now=_at(day, 11),
        )
        return
    if status is DutyStatus.CLOSURE_REQUESTED:
        if p.review_on is not None and day >= p.review_on:
            if rng.random() < 0.8:
                judgement = rng.choice(("优秀", "良好", "良好", "合格"))
                service.review_closure(
                    session=session,
                    duty_id=d.id,
                    decision="approve",
                    actor=OFFICE,
                    now=_at(day, 15),
                    calendar=calendar,
                    policy=policy,
                    grade=judgement,
                )
            else:
                service.review_closure(
                    session=session,
                    duty_id=d.id,
                    decision="return",
                    actor=OFFICE,
                    now=_at(day, 15),
                    calendar=calendar,
                    policy=policy,
                    reason=rng.choice(RETURN_REASONS),
                )
                summary.returned += 1
                p.request_on = calendar.add_workdays(day, rng.randint(3, 8))
        return
    if status is DutyStatus.RETURNED:
        service.add_progress(
            session=session, duty_id=d.id, text="按退回意见补充材料、整改到位", actor=unit, now=_at(day, 11)
        )
        return
    if status is not DutyStatus.IN_PROGRESS:
        return
    for m in d.milestones:
        if m.done_at is None and p.profile == "prompt" and day >= m.due - timedelta(days=7):
            service.complete_milestone(
                session=session, duty_id=d.id, name=m.name, actor=unit, now=_at(day, 10)
            )
    ask = p.request_on
    if ask is None and p.close_before_due is not None:
        ask = calendar.add_workdays(d.due, -p.close_before_due) if p.close_before_due else d.due
        p.request_on = ask
    if ask is not None and day >= ask:
        service.request_closure(
            session=session, duty_id=d.id, actor=unit, now=_at(day, 16), text="已全面完成年度任务，申请销号"
        )
        summary.closure_requests += 1
        p.review_on = calendar.add_workdays(day, rng.randint(1, 3))
        return
    if p.every and n >= p.next_report:
        share = min(95, 10 + int(85 * n / max(1, n + 60)))
        service.add_progress(
            session=session,
            duty_id=d.id,
            text=f"按计划推进，累计完成约{share}%",
            share=share,
            actor=unit,
            now=_at(day, 11),
        )
        p.next_report = n + p.every
