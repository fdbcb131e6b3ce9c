"""The clock's rules as first written, slow and plain: the oracle the optimised clock is checked against.

A verbatim copy of ``evaluate`` before it was tuned for the tick (is_long counted twice, every
feedback date converted each time, no memo), with calendar arithmetic done by walking day by day
and ``local_date`` by a plain zone conversion. Only tests import it; change it only when the rules
change (docs/clock.md), never to make a test pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from duban.clock.calendar import SHANGHAI, WorkCalendar
from duban.clock.evaluate import (
    REPORT,
    REPORT_DEADLINE,
    Action,
    DutySnapshot,
    Evaluation,
    Light,
    Milestone,
    MilestoneState,
    add_months,
)
from duban.clock.policy import Policy, Step

_DEPLOY, _FIRST_FEEDBACK = "deploy", "first_feedback"
_DAY = timedelta(days=1)


def local_date(ts: datetime) -> date:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"时间 {ts.isoformat()} 缺少时区信息")
    return ts.astimezone(SHANGHAI).date()


def add_workdays(calendar: WorkCalendar, d: date, n: int) -> date:
    """The n-th working day after ``d`` (before, n < 0), counted one day at a time."""
    if n == 0:
        return d if calendar.is_workday(d) else add_workdays(calendar, d, 1)
    step = _DAY if n > 0 else -_DAY
    left = abs(n)
    while left:
        d += step
        left -= calendar.is_workday(d)
    return d


def workdays_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days in (start, end], counted one day at a time; negative when end is before start."""
    if end < start:
        return -workdays_between(calendar, end, start)
    count, d = 0, start
    while d < end:
        d += _DAY
        count += calendar.is_workday(d)
    return count


def evaluate(duty: DutySnapshot, policy: Policy, calendar: WorkCalendar, now: datetime) -> Evaluation:
    """The straightforward evaluation: what :func:`duban.clock.evaluate.evaluate` must equal."""
    today = local_date(now)
    milestones = _milestones(duty, policy, calendar, today)
    if duty.status == "closed":
        return Evaluation(
            light="closed", milestones=milestones, actions=(), next_due=None, overdue_workdays=0
        )
    overdue = [m for m in milestones if m.state == "overdue"]
    pending = [m for m in milestones if m.state in ("open", "overdue")]
    next_due = min(pending, key=lambda m: m.due) if pending else None
    overdue_workdays = max((workdays_between(calendar, m.due, today) for m in overdue), default=0)

    actions = [*_escalations(overdue, policy, calendar, today), *_report_dues(duty, policy, calendar, today)]
    actions = sorted((a for a in actions if a.key not in duty.done_actions), key=lambda a: (a.due, a.key))

    light: Light
    if overdue:
        light = "red"
    elif _is_yellow(duty, policy, calendar, today, milestones):
        light = "yellow"
    else:
        light = "green"
    return Evaluation(
        light=light,
        milestones=milestones,
        actions=tuple(actions),
        next_due=next_due,
        overdue_workdays=overdue_workdays,
    )


# --- milestones --------------------------------------------------------------------------------------


def _first(*stamps: datetime | None) -> datetime | None:
    present = [s for s in stamps if s is not None]
    return min(present) if present else None


def _closure_at(duty: DutySnapshot) -> datetime | None:
    """When the duty was submitted for closure; a returned (退回) request no longer counts."""
    requested = None if duty.status == "returned" else duty.closure_requested_at
    return _first(requested, duty.closed_at)


def _step_done_at(step: Step, duty: DutySnapshot) -> datetime | None:
    closure = _closure_at(duty)
    if step.key == _DEPLOY:
        return _first(duty.deployed_at, duty.first_feedback_at, duty.last_feedback_at, closure)
    if step.key == _FIRST_FEEDBACK:
        return _first(duty.first_feedback_at, duty.last_feedback_at, closure)
    return closure


def _step_due(step: Step, duty: DutySnapshot, policy: Policy, calendar: WorkCalendar, start: date) -> date:
    if step.workdays is not None:
        return add_workdays(calendar, start, step.workdays)
    if step.months is not None:
        # A limit in months that ends on a day off moves to the next working day.
        return add_workdays(calendar, add_months(start, step.months), 0)
    if duty.case_type is None:
        raise ValueError(
            f"策略 {policy.name} 的步骤 {step.key} 按工单类型计时限，但事项 {duty.id} 没有工单类型"
        )
    return add_workdays(calendar, start, policy.case_limit(duty.case_type))


def _is_settle(step: Step) -> bool:
    return step.key not in (_DEPLOY, _FIRST_FEEDBACK)


def _state(due: date, done_at: datetime | None, today: date) -> MilestoneState:
    if done_at is not None:
        return "done" if local_date(done_at) <= due else "done_late"
    return "open" if today <= due else "overdue"


def _settle_dues(duty: DutySnapshot, policy: Policy, calendar: WorkCalendar) -> list[date]:
    start = local_date(duty.assigned_at)
    return [
        _step_due(s, duty, policy, calendar, start)
        for s in policy.steps
        if s.applies(major=duty.major) and _is_settle(s)
    ]


def is_long(duty: DutySnapshot, policy: Policy, calendar: WorkCalendar) -> bool:
    """A long item: the report's own deadline lies beyond the settle step (so it reports periodically)."""
    if duty.due is None:
        return False
    settles = _settle_dues(duty, policy, calendar)
    return bool(settles) and duty.due > max(settles)


def _milestones(
    duty: DutySnapshot, policy: Policy, calendar: WorkCalendar, today: date
) -> tuple[Milestone, ...]:
    start = local_date(duty.assigned_at)
    long = is_long(duty, policy, calendar)
    out: list[Milestone] = []
    for step in policy.steps:
        if not step.applies(major=duty.major):
            continue
        if _is_settle(step) and (long or duty.milestones):
            continue  # replaced by the report deadline and periodic reports, or by user milestones
        due = _step_due(step, duty, policy, calendar, start)
        done_at = _step_done_at(step, duty)
        out.append(
            Milestone(
                key=step.key, label=step.label, due=due, done_at=done_at, state=_state(due, done_at, today)
            )
        )
    names = [name for name, _, _ in duty.milestones]
    if len(set(names)) != len(names):
        repeated = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"事项 {duty.id} 的节点名称重复：“{repeated}”（节点名称用作催办记录的键，须唯一）")
    for name, due, done_at in duty.milestones:
        done = _first(done_at, duty.closed_at)
        out.append(
            Milestone(
                key=f"milestone:{name}", label=name, due=due, done_at=done, state=_state(due, done, today)
            )
        )
    if duty.due is not None:
        done = _closure_at(duty)
        out.append(
            Milestone(
                key=REPORT_DEADLINE,
                label="报告确定的完成时限",
                due=duty.due,
                done_at=done,
                state=_state(duty.due, done, today),
            )
        )
    return tuple(out)


# --- actions -----------------------------------------------------------------------------------------


def _escalations(
    overdue: Iterable[Milestone], policy: Policy, calendar: WorkCalendar, today: date
) -> list[Action]:
    actions: list[Action] = []
    for m in overdue:
        remind_due = add_workdays(calendar, m.due, policy.remind_after_workdays)
        if remind_due > today:
            continue
        actions.append(
            Action(
                key=f"remind:{m.key}",
                kind="remind",
                milestone=m.key,
                due=remind_due,
                reason=f"“{m.label}”应于 {m.due.isoformat()} 前完成，已逾期，予以催办",
            )
        )
        circular_due = add_workdays(calendar, remind_due, policy.circular_after_workdays)
        if circular_due <= today:
            actions.append(
                Action(
                    key=f"circular:{m.key}",
                    kind="circular",
                    milestone=m.key,
                    due=circular_due,
                    reason=(
                        f"“{m.label}”应于 {m.due.isoformat()} 前完成，催办后 {policy.circular_after_workdays} "
                        "个工作日仍未办理，予以通报"
                    ),
                )
            )
    return actions


def _feedback_dates(duty: DutySnapshot) -> list[date]:
    stamps = [duty.first_feedback_at, duty.last_feedback_at, *duty.feedback_at]
    return [local_date(s) for s in stamps if s is not None]


def _report_dues(duty: DutySnapshot, policy: Policy, calendar: WorkCalendar, today: date) -> list[Action]:
    """One report_due per elapsed interval of a long item with no feedback inside that interval."""
    interval = policy.report_interval_months
    if interval is None or duty.status == "closure_requested" or not is_long(duty, policy, calendar):
        return []
    start = local_date(duty.assigned_at)
    feedback = _feedback_dates(duty)
    actions: list[Action] = []
    previous_end = start - timedelta(days=1)  # the first interval includes the assignment day
    k = 1
    while True:
        end = add_months(start, k * interval)
        if end >= today:
            break
        due = add_workdays(calendar, end, 1)
        if due > today:
            break
        if not any(previous_end < f <= end for f in feedback):
            actions.append(
                Action(
                    key=f"report_due:{end:%Y-%m}",
                    kind="report_due",
                    milestone=REPORT,
                    due=due,
                    reason=f"{previous_end + timedelta(days=1)} 至 {end} 未报送进展，请督促报送",
                )
            )
        previous_end = end
        k += 1
    return actions


# --- yellow ------------------------------------------------------------------------------------------


def _is_yellow(
    duty: DutySnapshot, policy: Policy, calendar: WorkCalendar, today: date, milestones: tuple[Milestone, ...]
) -> bool:
    window_end = add_workdays(calendar, today, policy.yellow_workdays_before)
    if any(m.state == "open" and m.due <= window_end for m in milestones):
        return True
    deadline = next((m for m in milestones if m.key == REPORT_DEADLINE), None)
    if deadline is None or deadline.state != "open":
        return False
    start = local_date(duty.assigned_at)
    total = (deadline.due - start).days
    if total <= 0 or (today - start).days < policy.yellow_share * total:
        return False
    interval = policy.report_interval_months
    since = start if interval is None else max(start, add_months(today, -interval))
    return not any(since <= f <= today for f in _feedback_dates(duty))
