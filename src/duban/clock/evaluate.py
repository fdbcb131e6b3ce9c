"""Evaluate one duty on the working-day clock: its milestones, its light and the actions now due.

Owns :func:`evaluate` (and :func:`is_long`); the snapshot and result types are in
:mod:`duban.clock.duty` and re-exported here. Pure: the caller passes ``now``, the policy and the
calendar; nothing here reads a clock, a file or a database. The semantics, with worked examples,
are in ``docs/clock.md``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from duban.clock.calendar import Days, WorkCalendar, local_date
from duban.clock.duty import (
    REPORT,
    REPORT_DEADLINE,
    Action,
    ActionKind,
    DutySnapshot,
    Evaluation,
    Light,
    Milestone,
    MilestoneState,
    add_months,
)
from duban.clock.policy import Policy, Step

__all__ = [
    "REPORT",
    "REPORT_DEADLINE",
    "Action",
    "ActionKind",
    "DutySnapshot",
    "Evaluation",
    "Light",
    "Milestone",
    "MilestoneState",
    "add_months",
    "evaluate",
    "is_long",
]

_DEPLOY, _FIRST_FEEDBACK = "deploy", "first_feedback"


def evaluate(duty: DutySnapshot, policy: Policy, calendar: WorkCalendar, now: datetime) -> Evaluation:
    """Milestones, light and due actions of ``duty`` under ``policy`` at ``now`` (aware)."""
    # A tick calls this for every open duty, so each date is converted and each deadline counted
    # once per call (the calendar remembers its answers); the rules are those of docs/clock.md.
    # With 暂定 years in the calendar, counting goes through a view that notes the ones it touched.
    watched = calendar.watch() if calendar.provisional else None
    ev = _evaluate(duty, policy, watched or calendar, now)
    if watched is not None and watched.years:
        return replace(ev, provisional_years=tuple(sorted(watched.years)))
    return ev


def _evaluate(duty: DutySnapshot, policy: Policy, calendar: Days, now: datetime) -> Evaluation:
    today = local_date(now)
    start = local_date(duty.assigned_at)
    milestones, long = _milestones(duty, policy, calendar, today, start)
    if duty.status == "closed":
        return Evaluation(
            light="closed", milestones=milestones, actions=(), next_due=None, overdue_workdays=0
        )
    overdue = [m for m in milestones if m.state == "overdue"]
    next_due: Milestone | None = None
    for m in milestones:  # the first pending milestone with the earliest due date
        if m.state != "done" and m.state != "done_late" and (next_due is None or m.due < next_due.due):
            next_due = m
    overdue_workdays = max((calendar.workdays_between(m.due, today) for m in overdue), default=0)

    done = duty.done_actions
    actions = _escalations(overdue, policy, calendar, today, done)
    feedback: list[date] | None = None
    if long and policy.report_interval_months is not None and duty.status != "closure_requested":
        feedback = _feedback_dates(duty)
        actions += _report_dues(start, policy.report_interval_months, feedback, calendar, today, done)
    if len(actions) > 1:
        actions.sort(key=_action_order)

    light: Light
    if overdue:
        light = "red"
    elif _is_yellow(duty, policy, calendar, today, start, milestones, feedback):
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


def _action_order(a: Action) -> tuple[date, str]:
    return a.due, a.key


@lru_cache(maxsize=1 << 16)
def _add_months(d: date, months: int) -> date:
    """:func:`add_months`, remembered: a tick asks for the same month ends over and over."""
    return add_months(d, months)


# --- milestones --------------------------------------------------------------------------------------


def _first(*stamps: datetime | None) -> datetime | None:
    present = [s for s in stamps if s is not None]
    return min(present) if present else None


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    """``_first(a, b)`` without building a list (the earliest, ``a`` on a tie)."""
    if a is None:
        return b
    return a if b is None or a <= b else b


def _closure_at(duty: DutySnapshot) -> datetime | None:
    """When the duty was submitted for closure; a returned (退回) request no longer counts."""
    requested = None if duty.status == "returned" else duty.closure_requested_at
    return _earlier(requested, duty.closed_at)


def _step_due(step: Step, duty: DutySnapshot, policy: Policy, calendar: Days, start: date) -> date:
    if step.workdays is not None:
        return calendar.add_workdays(start, step.workdays)
    if step.months is not None:
        # A limit in months that ends on a day off moves to the next working day.
        return calendar.add_workdays(_add_months(start, step.months), 0)
    if duty.case_type is None:
        raise ValueError(
            f"策略 {policy.name} 的步骤 {step.key} 按工单类型计时限，但事项 {duty.id} 没有工单类型"
        )
    return calendar.add_workdays(start, policy.case_limit(duty.case_type))


def _is_settle(step: Step) -> bool:
    return step.key not in (_DEPLOY, _FIRST_FEEDBACK)


def _state(due: date, done_at: datetime | None, today: date) -> MilestoneState:
    if done_at is not None:
        return "done" if local_date(done_at) <= due else "done_late"
    return "open" if today <= due else "overdue"


def _settle_dues(duty: DutySnapshot, policy: Policy, calendar: Days) -> list[date]:
    start = local_date(duty.assigned_at)
    return [
        _step_due(s, duty, policy, calendar, start)
        for s in policy.steps
        if s.applies(major=duty.major) and _is_settle(s)
    ]


def is_long(duty: DutySnapshot, policy: Policy, calendar: Days) -> bool:
    """A long item: the report's own deadline lies beyond the settle step (so it reports periodically)."""
    if duty.due is None:
        return False
    settles = _settle_dues(duty, policy, calendar)
    return bool(settles) and duty.due > max(settles)


def _milestones(
    duty: DutySnapshot, policy: Policy, calendar: Days, today: date, start: date
) -> tuple[tuple[Milestone, ...], bool]:
    """The milestones, and whether the duty is long (:func:`is_long`, counted here only once)."""
    steps = [s for s in policy.steps if s.applies(major=duty.major)]
    settle_dues: dict[int, date] = {}
    long = False
    if duty.due is not None:  # as is_long: the settle steps are counted first
        for i, s in enumerate(steps):
            if _is_settle(s):
                settle_dues[i] = _step_due(s, duty, policy, calendar, start)
        long = bool(settle_dues) and duty.due > max(settle_dues.values())
    # when each step was done: deploy by any sign of work, first feedback by any feedback, the
    # settle steps by the closure (each the earliest of its signs)
    closure = _closure_at(duty)
    fed_back = _earlier(_earlier(duty.first_feedback_at, duty.last_feedback_at), closure)
    skip_settle = long or bool(duty.milestones)
    out: list[Milestone] = []
    for i, step in enumerate(steps):
        if step.key == _DEPLOY:
            done_at = _earlier(duty.deployed_at, fed_back)
        elif step.key == _FIRST_FEEDBACK:
            done_at = fed_back
        elif skip_settle:
            continue  # replaced by the report deadline and periodic reports, or by user milestones
        else:
            done_at = closure
        due = settle_dues[i] if i in settle_dues else _step_due(step, duty, policy, calendar, start)
        out.append(
            Milestone(
                key=step.key,
                label=step.label,
                due=due,
                done_at=done_at,
                state=_state(due, done_at, today),
                provisional=bool(calendar.provisional_in(start, due)),
            )
        )
    if duty.milestones:
        names = [name for name, _, _ in duty.milestones]
        if len(set(names)) != len(names):
            repeated = next(n for n in names if names.count(n) > 1)
            raise ValueError(
                f"事项 {duty.id} 的节点名称重复：“{repeated}”（节点名称用作催办记录的键，须唯一）"
            )
        for name, due, done_at in duty.milestones:
            done = _earlier(done_at, duty.closed_at)
            out.append(
                Milestone(
                    key=f"milestone:{name}", label=name, due=due, done_at=done, state=_state(due, done, today)
                )
            )
    if duty.due is not None:
        out.append(
            Milestone(
                key=REPORT_DEADLINE,
                label="报告确定的完成时限",
                due=duty.due,
                done_at=closure,
                state=_state(duty.due, closure, today),
            )
        )
    return tuple(out), long


# --- actions -----------------------------------------------------------------------------------------


def _escalations(
    overdue: Iterable[Milestone], policy: Policy, calendar: Days, today: date, done: frozenset[str]
) -> list[Action]:
    """催办 and 通报 of the overdue milestones, leaving out those already applied (``done``)."""
    actions: list[Action] = []
    for m in overdue:
        remind_due = calendar.add_workdays(m.due, policy.remind_after_workdays)
        if remind_due > today:
            continue
        remind = _remind(m.key, m.label, m.due, remind_due, _provisional(calendar, m, remind_due))
        if remind.key not in done:
            actions.append(remind)
        circular_due = calendar.add_workdays(remind_due, policy.circular_after_workdays)
        if circular_due <= today:
            circular = _circular(
                m.key,
                m.label,
                m.due,
                circular_due,
                policy.circular_after_workdays,
                _provisional(calendar, m, circular_due),
            )
            if circular.key not in done:
                actions.append(circular)
    return actions


def _provisional(calendar: Days, m: Milestone, due: date) -> bool:
    """Whether an escalation's due date, counted from a missed milestone, depends on a 暂定 year."""
    return m.provisional or bool(calendar.provisional_in(m.due, due))


# Actions are immutable and many duties share them (a milestone missed on the same day), so the
# three kinds are built once per distinct argument rather than once per duty.


@lru_cache(maxsize=1 << 14)
def _remind(milestone: str, label: str, missed: date, due: date, provisional: bool) -> Action:
    return Action(
        key=f"remind:{milestone}",
        kind="remind",
        milestone=milestone,
        due=due,
        reason=f"“{label}”应于 {missed.isoformat()} 前完成，已逾期，予以催办",
        provisional=provisional,
    )


@lru_cache(maxsize=1 << 14)
def _circular(
    milestone: str, label: str, missed: date, due: date, after_workdays: int, provisional: bool
) -> Action:
    return Action(
        key=f"circular:{milestone}",
        kind="circular",
        milestone=milestone,
        due=due,
        reason=f"“{label}”应于 {missed.isoformat()} 前完成，催办后 {after_workdays} 个工作日仍未办理，予以通报",
        provisional=provisional,
    )


@lru_cache(maxsize=1 << 14)
def _report_due(previous_end: date, end: date, due: date, provisional: bool) -> Action:
    return Action(
        key=f"report_due:{end:%Y-%m}",
        kind="report_due",
        milestone=REPORT,
        due=due,
        reason=f"{previous_end + timedelta(days=1)} 至 {end} 未报送进展，请督促报送",
        provisional=provisional,
    )


def _feedback_dates(duty: DutySnapshot) -> list[date]:
    """The local dates of every feedback, sorted (for bisection)."""
    stamps = [duty.first_feedback_at, duty.last_feedback_at, *duty.feedback_at]
    return sorted([local_date(s) for s in stamps if s is not None])


def _report_dues(
    start: date,
    interval: int,
    feedback: list[date],
    calendar: Days,
    today: date,
    done: frozenset[str],
) -> list[Action]:
    """One report_due per elapsed interval of a long item with no feedback inside that interval.

    ``feedback`` is sorted; actions whose key is in ``done`` are left out.
    """
    actions: list[Action] = []
    previous_end = start - timedelta(days=1)  # the first interval includes the assignment day
    k = 1
    while True:
        end = _add_months(start, k * interval)
        if end >= today:
            break
        due = calendar.add_workdays(end, 1)
        if due > today:
            break
        i = bisect_right(feedback, previous_end)  # the first feedback after the previous interval
        if i == len(feedback) or feedback[i] > end:
            action = _report_due(previous_end, end, due, bool(calendar.provisional_in(end, due)))
            if action.key not in done:
                actions.append(action)
        previous_end = end
        k += 1
    return actions


# --- yellow ------------------------------------------------------------------------------------------


def _is_yellow(
    duty: DutySnapshot,
    policy: Policy,
    calendar: Days,
    today: date,
    start: date,
    milestones: tuple[Milestone, ...],
    feedback: list[date] | None,
) -> bool:
    """``feedback``: the sorted feedback dates when already computed."""
    window_end = calendar.add_workdays(today, policy.yellow_workdays_before)
    if any(m.state == "open" and m.due <= window_end for m in milestones):
        return True
    deadline = next((m for m in milestones if m.key == REPORT_DEADLINE), None)
    if deadline is None or deadline.state != "open":
        return False
    total = (deadline.due - start).days
    if total <= 0 or (today - start).days < policy.yellow_share * total:
        return False
    interval = policy.report_interval_months
    since = start if interval is None else max(start, _add_months(today, -interval))
    if feedback is None:
        feedback = _feedback_dates(duty)
    i = bisect_left(feedback, since)  # the first feedback on or after ``since``
    return not (i < len(feedback) and feedback[i] <= today)
