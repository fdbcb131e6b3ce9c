"""evaluate(): milestones, lights and actions of duties at fixed dates, across holidays and 调休."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duban.clock import SHANGHAI, DutySnapshot, Evaluation, WorkCalendar, evaluate, load_policy
from duban.clock.calendar import CalendarGap

CAL = WorkCalendar.default()
P13710 = load_policy("13710")
HOTLINE = load_policy("hotline")


def at(day: str, hour: int = 10) -> datetime:
    """A Beijing-time moment on an ISO day (aware)."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=SHANGHAI) + timedelta(
        hours=hour
    )


def duty(assigned: str = "2023-03-01", **changes: Any) -> DutySnapshot:
    base = DutySnapshot(
        id=1,
        assigned_at=at(assigned, 9),
        major=False,
        status="assigned",
        due=None,
        deployed_at=None,
        first_feedback_at=None,
        last_feedback_at=None,
        closure_requested_at=None,
        closed_at=None,
    )
    return replace(base, **changes)


def states(ev: Evaluation) -> dict[str, tuple[str, str]]:
    return {m.key: (m.due.isoformat(), m.state) for m in ev.milestones}


def keys(ev: Evaluation) -> list[str]:
    return [a.key for a in ev.actions]


# --- milestone dates ---------------------------------------------------------------------------------


def test_13710_general_milestones_count_working_days_from_assignment() -> None:
    # Wednesday 2023-03-01: deploy Thu 03-02, first feedback Mon 03-06, settle Fri 03-10.
    ev = evaluate(duty(), P13710, CAL, at("2023-03-01", 11))
    assert states(ev) == {
        "deploy": ("2023-03-02", "open"),
        "first_feedback": ("2023-03-06", "open"),
        "settle": ("2023-03-10", "open"),
    }


def test_milestones_across_spring_festival_2023_and_the_working_weekend() -> None:
    # Assigned Friday 2023-01-20; Jan 21–27 off; Sat 28 and Sun 29 worked.
    ev = evaluate(duty("2023-01-20"), P13710, CAL, at("2023-01-20", 11))
    deploy, first, settle = (m.due for m in ev.milestones)
    assert deploy == date(2023, 1, 28)
    assert first == date(2023, 1, 30)  # Jan 28, 29, 30
    assert settle == date(2023, 2, 3)  # Jan 28, 29, 30, 31, Feb 1, 2, 3


def test_assignment_late_in_the_evening_utc_counts_from_the_beijing_date() -> None:
    # 2023-03-01 17:00 UTC is 2023-03-02 01:00 in Beijing: the clock starts on Thursday.
    from datetime import UTC

    d = duty(assigned_at=datetime(2023, 3, 1, 17, 0, tzinfo=UTC))
    ev = evaluate(d, P13710, CAL, datetime(2023, 3, 2, 2, 0, tzinfo=UTC))
    assert ev.milestones[0].due == date(2023, 3, 3)


def test_major_item_settles_within_one_month_rolled_past_national_day() -> None:
    # 2023-08-31 + 1 month = Sat 09-30, a day off (Sep 29 – Oct 6) → Sat 10-07, a working day.
    ev = evaluate(duty("2023-08-31", major=True), P13710, CAL, at("2023-09-01"))
    assert states(ev)["settle_major"] == ("2023-10-07", "open")
    assert "settle" not in states(ev)


def test_major_item_with_user_milestones_replaces_the_one_month_limit() -> None:
    d = duty(
        "2023-03-01",
        major=True,
        status="in_progress",
        deployed_at=at("2023-03-02"),
        first_feedback_at=at("2023-03-03"),
        last_feedback_at=at("2023-06-20"),
        feedback_at=(at("2023-04-20"), at("2023-05-20")),  # one report a month, so no report_due
        due=date(2023, 12, 31),
        milestones=(("方案印发", date(2023, 4, 30), at("2023-04-20")), ("开工建设", date(2023, 6, 30), None)),
    )
    ev = evaluate(d, P13710, CAL, at("2023-07-05"))
    assert states(ev) == {
        "deploy": ("2023-03-02", "done"),
        "first_feedback": ("2023-03-06", "done"),
        "milestone:方案印发": ("2023-04-30", "done"),
        "milestone:开工建设": ("2023-06-30", "overdue"),
        "report_deadline": ("2023-12-31", "open"),
    }
    assert ev.light == "red"
    assert keys(ev) == ["remind:milestone:开工建设"]
    assert ev.actions[0].due == date(2023, 7, 3)  # the working day after Friday 06-30
    assert ev.overdue_workdays == 3  # Mon 07-03, Tue 07-04, Wed 07-05
    assert ev.next_due is not None and ev.next_due.key == "milestone:开工建设"


def test_repeated_milestone_names_are_refused() -> None:
    d = duty(major=True, milestones=(("开工", date(2023, 4, 1), None), ("开工", date(2023, 5, 1), None)))
    with pytest.raises(ValueError, match="开工"):
        evaluate(d, P13710, CAL, at("2023-03-02"))


def test_hotline_limits_by_case_type() -> None:
    # Complaint assigned Fri 2025-01-24: 15 working days across Spring Festival 2025.
    complaint = evaluate(duty("2025-01-24", case_type="投诉"), HOTLINE, CAL, at("2025-01-24", 11))
    assert complaint.milestones[0].due == CAL.add_workdays(date(2025, 1, 24), 15) == date(2025, 2, 20)
    # Urgent case received on Saturday 2025-01-25 (a day off) → due Sunday 01-26 (worked).
    urgent = evaluate(duty("2025-01-25", case_type="紧急"), HOTLINE, CAL, at("2025-01-25", 11))
    assert urgent.milestones[0].due == date(2025, 1, 26)
    with pytest.raises(ValueError, match="工单类型"):
        evaluate(duty("2025-01-24"), HOTLINE, CAL, at("2025-01-24", 11))


def test_hotline_case_missed_is_reminded_on_the_next_working_day() -> None:
    # 咨询 (2 working days) received Fri 2023-01-20: due Sun 01-29, a worked day after Spring Festival.
    case = duty("2023-01-20", case_type="咨询", status="in_progress")
    assert evaluate(case, HOTLINE, CAL, at("2023-01-28")).light == "yellow"
    ev = evaluate(case, HOTLINE, CAL, at("2023-01-30"))
    assert states(ev) == {"settle": ("2023-01-29", "overdue")}
    assert [(a.key, a.due) for a in ev.actions] == [("remind:settle", date(2023, 1, 30))]
    done = replace(case, closure_requested_at=at("2023-01-29", 16), status="closure_requested")
    assert evaluate(done, HOTLINE, CAL, at("2023-01-30")).light == "green"


# --- lights and actions, table-driven ----------------------------------------------------------------

DEPLOYED = {"deployed_at": at("2023-03-01", 15)}
FED = {**DEPLOYED, "first_feedback_at": at("2023-03-03"), "last_feedback_at": at("2023-03-03")}

LIGHT_CASES = [
    # (id, duty changes, now, light, action keys, overdue working days)
    ("fresh-deploy-due-tomorrow", {}, "2023-03-01", "yellow", [], 0),
    ("deployed-feedback-far", DEPLOYED, "2023-03-01", "green", [], 0),
    ("feedback-due-next-workday", DEPLOYED, "2023-03-03", "yellow", [], 0),
    ("deploy-missed-remind-next-day", {}, "2023-03-03", "red", ["remind:deploy"], 1),
    (
        "deploy-missed-circular-5-after-remind",
        {},
        "2023-03-10",
        "red",
        ["remind:deploy", "remind:first_feedback", "circular:deploy"],
        6,
    ),
    ("deployed-late-no-escalation", {"deployed_at": at("2023-03-03")}, "2023-03-03", "yellow", [], 0),
    ("feedback-missed", DEPLOYED, "2023-03-07", "red", ["remind:first_feedback"], 1),
    ("settle-due-today", FED, "2023-03-10", "yellow", [], 0),
    ("settle-missed-weekend-no-remind-yet", FED, "2023-03-11", "red", [], 0),
    ("settle-missed-remind-monday", FED, "2023-03-13", "red", ["remind:settle"], 1),
    ("settle-missed-circular", FED, "2023-03-20", "red", ["remind:settle", "circular:settle"], 6),
    (
        "closure-requested-in-time",
        {**FED, "status": "closure_requested", "closure_requested_at": at("2023-03-09")},
        "2023-03-20",
        "green",
        [],
        0,
    ),
    (
        "closure-returned-counts-as-missed",
        {**FED, "status": "returned", "closure_requested_at": at("2023-03-09")},
        "2023-03-13",
        "red",
        ["remind:settle"],
        1,
    ),
    (
        "closed",
        {**FED, "status": "closed", "closure_requested_at": at("2023-03-09"), "closed_at": at("2023-03-10")},
        "2023-03-20",
        "closed",
        [],
        0,
    ),
    (
        "closed-late-still-no-actions",
        {"status": "closed", "closed_at": at("2023-04-10")},
        "2023-05-01",
        "closed",
        [],
        0,
    ),
]


@pytest.mark.parametrize(
    ("changes", "now", "light", "actions", "overdue"),
    [c[1:] for c in LIGHT_CASES],
    ids=[c[0] for c in LIGHT_CASES],
)
def test_light_and_actions(
    changes: dict[str, Any], now: str, light: str, actions: list[str], overdue: int
) -> None:
    ev = evaluate(duty(**changes), P13710, CAL, at(now))
    assert ev.light == light
    assert keys(ev) == actions
    assert ev.overdue_workdays == overdue
    assert all(a.due <= date.fromisoformat(now) for a in ev.actions)
    assert all(a.reason for a in ev.actions)


def test_closed_duty_keeps_its_history_but_no_next_due() -> None:
    d = duty(status="closed", closed_at=at("2023-04-10"))
    ev = evaluate(d, P13710, CAL, at("2023-05-01"))
    assert ev.next_due is None
    assert {m.state for m in ev.milestones} == {"done_late"}


def test_missed_step_across_national_day_2023() -> None:
    # Assigned Thu 2023-09-28: deploy due Sat 10-07 (worked). Sunday 10-08 (worked) → remind due 10-08.
    d = duty("2023-09-28")
    assert evaluate(d, P13710, CAL, at("2023-10-06")).light == "yellow"
    ev = evaluate(d, P13710, CAL, at("2023-10-08"))
    assert ev.light == "red"
    assert [(a.key, a.due) for a in ev.actions] == [("remind:deploy", date(2023, 10, 8))]
    assert ev.overdue_workdays == 1


# --- idempotency -------------------------------------------------------------------------------------


def test_applying_the_actions_makes_the_next_evaluation_quiet() -> None:
    d = duty()
    first = evaluate(d, P13710, CAL, at("2023-03-10"))
    assert keys(first) == ["remind:deploy", "remind:first_feedback", "circular:deploy"]
    applied = replace(d, done_actions=frozenset(keys(first)))
    assert evaluate(applied, P13710, CAL, at("2023-03-10")).actions == ()
    # ... and later, only what has newly become due is returned.
    later = evaluate(applied, P13710, CAL, at("2023-03-14"))
    assert keys(later) == ["remind:settle", "circular:first_feedback"]
    assert len({a.key for a in later.actions} | applied.done_actions) == 5


# --- long items: report deadline and monthly report_due ------------------------------------------


def long_item(**changes: Any) -> DutySnapshot:
    base = {
        "due": date(2023, 12, 31),
        "status": "in_progress",
        "deployed_at": at("2023-03-01", 15),
        "first_feedback_at": at("2023-03-03"),
        "last_feedback_at": at("2023-03-03"),
    }
    return duty("2023-03-01", **{**base, **changes})


def test_long_item_milestones_drop_the_7_day_settle() -> None:
    ev = evaluate(long_item(), P13710, CAL, at("2023-03-20"))
    assert [m.key for m in ev.milestones] == ["deploy", "first_feedback", "report_deadline"]
    assert ev.light == "green" and ev.actions == ()


def test_monthly_report_due_after_a_silent_month() -> None:
    # Interval 1: 03-01..04-01 has the 03-03 feedback. Interval 2: 04-02..05-01 is silent;
    # its report_due falls on the working day after 05-01: May 1–3 2023 are off → 05-04.
    assert evaluate(long_item(), P13710, CAL, at("2023-05-03")).actions == ()
    ev = evaluate(long_item(), P13710, CAL, at("2023-05-04"))
    assert [(a.key, a.kind, a.due) for a in ev.actions] == [
        ("report_due:2023-05", "report_due", date(2023, 5, 4))
    ]
    # A feedback inside the interval answers it.
    assert evaluate(long_item(last_feedback_at=at("2023-04-20")), P13710, CAL, at("2023-05-04")).actions == ()
    # Several feedback times from the ledger are all used.
    spread = long_item(feedback_at=(at("2023-04-20"), at("2023-05-25")), last_feedback_at=at("2023-06-10"))
    assert evaluate(spread, P13710, CAL, at("2023-07-10")).actions == ()


def test_a_feedback_on_an_interval_end_belongs_to_that_interval_only() -> None:
    # 04-01 closes interval 1 (03-01..04-01); interval 2 (04-02..05-01) is still silent.
    d = long_item(last_feedback_at=at("2023-04-01"))
    assert keys(evaluate(d, P13710, CAL, at("2023-05-04"))) == ["report_due:2023-05"]
    d = long_item(last_feedback_at=at("2023-05-01"))
    assert keys(evaluate(d, P13710, CAL, at("2023-05-04"))) == []


def test_report_due_every_month_until_closed_and_idempotent() -> None:
    d = long_item()
    ev = evaluate(d, P13710, CAL, at("2023-07-10"))
    assert keys(ev) == ["report_due:2023-05", "report_due:2023-06", "report_due:2023-07"]
    d = replace(d, done_actions=frozenset(keys(ev)))
    assert evaluate(d, P13710, CAL, at("2023-07-10")).actions == ()
    assert keys(evaluate(d, P13710, CAL, at("2023-08-02"))) == ["report_due:2023-08"]
    closed = replace(d, status="closed", closed_at=at("2023-07-20"))
    assert evaluate(closed, P13710, CAL, at("2023-09-10")).actions == ()
    waiting = replace(d, status="closure_requested", closure_requested_at=at("2023-07-20"))
    assert evaluate(waiting, P13710, CAL, at("2023-09-10")).actions == ()


def test_report_deadline_missed() -> None:
    d = long_item(due=date(2023, 6, 30), last_feedback_at=at("2023-06-28"))
    ev = evaluate(d, P13710, CAL, at("2023-07-03"))
    assert ev.light == "red"
    # Fri 06-30 missed → 催办 on Mon 07-03; April and May had no report either.
    assert keys(ev) == ["report_due:2023-05", "report_due:2023-06", "remind:report_deadline"]
    assert ev.overdue_workdays == 1


YELLOW_SHARE_CASES = [
    # long item 2023-01-03 → 2023-06-30 (178 days); 80% is reached on 2023-05-25
    ("used-83%-silent-month", "2023-04-10", "2023-06-01", "yellow"),
    ("used-83%-recent-feedback", "2023-05-20", "2023-06-01", "green"),
    ("used-66%-silent", "2023-03-01", "2023-05-01", "green"),
]


@pytest.mark.parametrize(
    ("last", "now", "light"), [c[1:] for c in YELLOW_SHARE_CASES], ids=[c[0] for c in YELLOW_SHARE_CASES]
)
def test_yellow_when_most_of_the_time_is_used_without_feedback(last: str, now: str, light: str) -> None:
    d = duty(
        "2023-01-03",
        due=date(2023, 6, 30),
        status="in_progress",
        deployed_at=at("2023-01-03", 15),
        first_feedback_at=at("2023-01-05"),
        last_feedback_at=at(last),
    )
    assert evaluate(d, P13710, CAL, at(now)).light == light


# --- the calendar's edge ---------------------------------------------------------------------------


def test_a_deadline_in_2027_evaluates_while_today_is_held() -> None:
    d = duty(
        "2026-11-02",
        due=date(2027, 6, 30),
        deployed_at=at("2026-11-02", 15),
        first_feedback_at=at("2026-11-04"),
    )
    ev = evaluate(d, P13710, CAL, at("2026-11-28"))
    assert ev.light == "green"
    assert ev.milestones[-1].due == date(2027, 6, 30)


def test_counting_into_2027_needs_a_holiday_file(tmp_path: Path) -> None:
    d = duty("2026-12-30")
    with pytest.raises(CalendarGap):
        evaluate(d, P13710, CAL, at("2026-12-30"))
    path = tmp_path / "2027.csv"
    path.write_text("date,type\n2027-01-01,休\n", encoding="utf-8")
    ev = evaluate(d, P13710, WorkCalendar.load(path), at("2026-12-30"))
    assert ev.milestones[1].due == date(2027, 1, 5)  # Dec 31, Jan 4, Jan 5


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="时区"):
        evaluate(duty(), P13710, CAL, datetime(2023, 3, 1, 10))  # noqa: DTZ001 - the point of the test


# --- properties ------------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=200)
maybe_days = st.none() | days


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 6, 30)),
    offsets=st.tuples(maybe_days, maybe_days, maybe_days, maybe_days),
    due_after=maybe_days,
    major=st.booleans(),
    status=st.sampled_from(
        ["assigned", "deployed", "in_progress", "closure_requested", "returned", "closed"]
    ),
    now_after=days,
)
def test_evaluation_invariants(
    start: date,
    offsets: tuple[int | None, ...],
    due_after: int | None,
    major: bool,
    status: str,
    now_after: int,
) -> None:
    def stamp(offset: int | None) -> datetime | None:
        return None if offset is None else at(start.isoformat()) + timedelta(days=offset)

    deployed, first, last, closure = (stamp(o) for o in offsets)
    d = duty(
        start.isoformat(),
        major=major,
        status=status,
        due=None if due_after is None else start + timedelta(days=due_after),
        deployed_at=deployed,
        first_feedback_at=first,
        last_feedback_at=last if first is None or last is None else max(first, last),
        closure_requested_at=closure,
        closed_at=closure if status == "closed" else None,
    )
    now = at(start.isoformat(), 12) + timedelta(days=now_after)
    today = now.date()
    ev = evaluate(d, P13710, CAL, now)
    action_keys = [a.key for a in ev.actions]
    assert len(action_keys) == len(set(action_keys))
    assert all(a.due <= today for a in ev.actions)
    assert (ev.light == "red") == any(m.state == "overdue" for m in ev.milestones) or ev.light == "closed"
    if status == "closed":
        assert ev.light == "closed" and ev.actions == () and ev.next_due is None
    if ev.light == "green":
        assert ev.overdue_workdays == 0
    # idempotent: applying every returned action leaves nothing to do at the same moment
    again = evaluate(replace(d, done_actions=frozenset(action_keys)), P13710, CAL, now)
    assert again.actions == ()
    assert again.light == ev.light and again.milestones == ev.milestones
