"""The tuned clock equals the plain one: evaluate() against tests/clock/clock_reference.py, and the
calendar's fast paths (local_date, remembered counts) against plain conversion and counting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duban.clock import DutySnapshot, WorkCalendar, add_months, evaluate, load_policy
from duban.clock.calendar import SHANGHAI, CalendarGap, local_date
from tests.clock import clock_reference as reference

CAL = WorkCalendar.default()
P13710 = load_policy("13710")
HOTLINE = load_policy("hotline")
ZONES = [UTC, SHANGHAI, timezone(timedelta(hours=-5)), timezone(timedelta(hours=8))]
CASE_TYPES = [None, "咨询", "投诉", "紧急", "未知类型"]
STATUSES = ["assigned", "deployed", "in_progress", "closure_requested", "returned", "closed"]
KEYS = [
    "remind:deploy",
    "circular:deploy",
    "remind:first_feedback",
    "circular:first_feedback",
    "remind:settle",
    "circular:settle",
    "remind:settle_major",
    "remind:report_deadline",
    "circular:report_deadline",
    "remind:milestone:开工",
    "report_due:2023-03",
    "report_due:2023-05",
    "report_due:2024-01",
]


def _outcome(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except (CalendarGap, ValueError) as exc:
        return type(exc)


@st.composite
def snapshots(draw: st.DrawFn) -> tuple[DutySnapshot, datetime]:
    start = draw(st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2026, 6, 30)))  # noqa: DTZ001 (hypothesis wants naive bounds)
    zone = draw(st.sampled_from(ZONES))
    assigned = start.replace(tzinfo=zone)
    offset = st.none() | st.integers(min_value=-2, max_value=300)

    def stamp(days: int | None) -> datetime | None:
        if days is None:
            return None
        hours = draw(st.integers(min_value=0, max_value=23))
        return (assigned + timedelta(days=days, hours=hours)).astimezone(draw(st.sampled_from(ZONES)))

    deployed, first, last, requested = (stamp(draw(offset)) for _ in range(4))
    status = draw(st.sampled_from(STATUSES))
    due_after = draw(offset | st.integers(min_value=100, max_value=400))  # long items, often
    names = draw(st.lists(st.sampled_from(["开工", "主体完工", "验收"]), max_size=3))
    milestones = tuple(
        (name, assigned.date() + timedelta(days=draw(st.integers(0, 200))), stamp(draw(offset)))
        for name in names
    )
    feedback = tuple(
        s for s in (stamp(draw(offset)) for _ in range(draw(st.integers(0, 8)))) if s is not None
    )
    # feedback on the edges of the monthly report intervals (whole months after assignment, Beijing)
    local = assigned.astimezone(SHANGHAI)
    edges = [
        datetime.combine(
            add_months(local.date(), k), time(draw(st.sampled_from([0, 9, 23]))), tzinfo=SHANGHAI
        )
        + timedelta(days=draw(st.integers(-1, 1)))
        for k in draw(st.lists(st.integers(0, 10), max_size=4))
    ]
    feedback += tuple(e.astimezone(draw(st.sampled_from(ZONES))) for e in edges)
    now = (
        assigned + timedelta(days=draw(st.integers(0, 420)), minutes=draw(st.integers(0, 1439)))
    ).astimezone(draw(st.sampled_from(ZONES)))
    if draw(st.booleans()):
        feedback += (now,)  # a feedback today
    duty = DutySnapshot(
        id=1,
        assigned_at=assigned,
        major=draw(st.booleans()),
        status=status,
        due=None if due_after is None else assigned.date() + timedelta(days=due_after),
        deployed_at=deployed,
        first_feedback_at=first,
        last_feedback_at=last,
        closure_requested_at=requested,
        closed_at=requested if status == "closed" else None,
        milestones=milestones,
        done_actions=frozenset(draw(st.lists(st.sampled_from(KEYS), max_size=5))),
        case_type=draw(st.sampled_from(CASE_TYPES)),
        feedback_at=feedback,
    )
    return duty, now


@settings(max_examples=600, deadline=None)
@given(case=snapshots(), hotline=st.booleans())
def test_evaluate_equals_the_plain_reading(case: tuple[DutySnapshot, datetime], hotline: bool) -> None:
    duty, now = case
    policy = HOTLINE if hotline else P13710
    expected = _outcome(reference.evaluate, duty, policy, CAL, now)
    assert _outcome(evaluate, duty, policy, CAL, now) == expected
    assert _outcome(evaluate, duty, policy, CAL, now) == expected  # again, from the remembered counts


def test_a_gap_is_raised_every_time_not_remembered() -> None:
    cal = WorkCalendar.default()
    for _ in range(2):
        with pytest.raises(CalendarGap):
            cal.add_workdays(date(2026, 12, 31), 1)
        with pytest.raises(CalendarGap):
            cal.workdays_between(date(2026, 12, 1), date(2027, 1, 5))
    assert cal.add_workdays(date(2026, 12, 30), 1) == date(2026, 12, 31)


@settings(max_examples=500, deadline=None)
@given(
    ts=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),  # noqa: DTZ001
    zone=st.sampled_from(ZONES),
)
def test_local_date_equals_the_zone_conversion(ts: datetime, zone: timezone) -> None:
    aware = ts.replace(tzinfo=zone)
    assert local_date(aware) == aware.astimezone(SHANGHAI).date()


@pytest.mark.parametrize(
    "utc",
    [
        datetime(1991, 9, 14, 16, 59, 59, 999999, tzinfo=UTC),  # the last summer time: 01:59:59 on 15 Sep, +9
        datetime(1991, 9, 14, 17, 0, tzinfo=UTC),  # the clocks went back to +8
        datetime(1991, 4, 13, 17, 59, tzinfo=UTC),
        datetime(1991, 4, 13, 18, 0, tzinfo=UTC),
        datetime(1900, 12, 31, 15, 59, tzinfo=UTC),  # local mean time +8:05:43 before 1901
        datetime(1900, 12, 31, 16, 0, tzinfo=UTC),
        datetime(2023, 1, 20, 15, 59, 59, 999999, tzinfo=UTC),
        datetime(2023, 1, 20, 16, 0, tzinfo=UTC),
    ],
)
def test_local_date_on_days_the_offset_changes(utc: datetime) -> None:
    assert local_date(utc) == utc.astimezone(SHANGHAI).date()


def test_local_date_refuses_naive() -> None:
    with pytest.raises(ValueError, match="时区"):
        local_date(datetime(2023, 1, 1))  # noqa: DTZ001 (naive on purpose)


def test_shared_actions_are_equal_values() -> None:
    """Duties missing the same deadline share one Action; each evaluation still equals its own."""
    a = DutySnapshot(
        id=1,
        assigned_at=datetime(2023, 3, 1, 1, tzinfo=UTC),
        major=False,
        status="assigned",
        due=None,
        deployed_at=None,
        first_feedback_at=None,
        last_feedback_at=None,
        closure_requested_at=None,
        closed_at=None,
    )
    now = datetime(2023, 4, 3, 2, tzinfo=UTC)
    first, second = evaluate(a, P13710, CAL, now), evaluate(replace(a, id=2), P13710, CAL, now)
    assert first == second == reference.evaluate(a, P13710, CAL, now)


@pytest.mark.parametrize("feedback_day", [None, 50, 54, 55, 56, 84, 85, 86])
@pytest.mark.parametrize("major", [False, True])
def test_yellow_window_edges_equal_the_plain_reading(feedback_day: int | None, major: bool) -> None:
    """Most of the time used (85 of 100 days); a feedback on, just inside or just outside the window."""
    assigned = datetime(2023, 3, 1, 9, tzinfo=SHANGHAI)
    duty = DutySnapshot(
        id=1,
        assigned_at=assigned,
        major=major,
        status="in_progress",
        due=date(2023, 6, 9),
        deployed_at=assigned,
        first_feedback_at=assigned,
        last_feedback_at=assigned,
        closure_requested_at=None,
        closed_at=None,
        feedback_at=() if feedback_day is None else (assigned + timedelta(days=feedback_day),),
    )
    now = assigned + timedelta(days=85, hours=1)
    ev = evaluate(duty, P13710, CAL, now)
    assert ev == reference.evaluate(duty, P13710, CAL, now)
    assert ev.light in ("yellow", "green", "red")
