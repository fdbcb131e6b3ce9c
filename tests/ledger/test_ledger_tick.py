"""Tick at fixed dates across the 2023 Spring Festival and National Day; idempotence; the board."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.ledger import service
from duban.ledger.models import ActionRow, DutyRow
from duban.ledger.tick import board, open_duties_report, tick
from tests.ledger.ledger_factories import assigned_duty, at


def _actions(s, duty_id):
    return sorted(s.scalars(select(ActionRow.key).where(ActionRow.duty_id == duty_id)))


def _count(s, model):
    return s.scalar(select(func.count()).select_from(model))


def test_spring_festival_2023(db_with_units, calendar, policy):
    """Assigned Friday 20 Jan; deploy is due the next working day, Saturday 28 Jan (调休)."""
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=at(2023, 1, 20), ref="t2")
        r = tick(session=s, calendar=calendar, policy=policy, now=at(2023, 1, 27))  # last day of the holiday
        assert r.evaluated == 1 and r.new_actions == 0 and r.errors == []
        assert duty.light == "yellow" and duty.next_due.isoformat() == "2023-01-28"
        r = tick(session=s, calendar=calendar, policy=policy, now=at(2023, 1, 29))  # Sunday, a working day
        s.refresh(duty)
        assert duty.light == "red" and duty.overdue_workdays == 1
        assert _actions(s, duty.id) == ["remind:deploy"]
        assert r.actions_by_kind == {"remind": 1}
        # first feedback was due 3 working days after 20 Jan: 30 Jan, so its 催办 falls on 31 Jan;
        # the 通报 of the deploy step comes 5 working days after its 催办 (29 Jan): 3 Feb
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 2, 2))
        assert _actions(s, duty.id) == ["remind:deploy", "remind:first_feedback"]
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 2, 3))
        assert _actions(s, duty.id) == ["circular:deploy", "remind:deploy", "remind:first_feedback"]
        dues = dict(s.execute(select(ActionRow.key, ActionRow.due).where(ActionRow.duty_id == duty.id)).all())
        assert {k: d.isoformat() for k, d in dues.items()} == {
            "remind:deploy": "2023-01-29",
            "remind:first_feedback": "2023-01-31",
            "circular:deploy": "2023-02-03",
        }


def test_national_day_2023(db_with_units, calendar, policy):
    """Assigned Thursday 28 Sep; the holiday runs 29 Sep–6 Oct, 7 and 8 Oct are worked."""
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=at(2023, 9, 28), ref="t3")  # due 31 Oct
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 10, 6))
        assert duty.light != "red" and _actions(s, duty.id) == []
        service.add_progress(session=s, duty_id=duty.id, text="已部署", actor="u", now=at(2023, 10, 7))
        # first feedback was due 3 working days after 28 Sep: 9 Oct; the progress of 7 Oct met it
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 10, 10))
        s.refresh(duty)
        assert duty.light == "green" and _actions(s, duty.id) == []
        late = assigned_duty(s, now=at(2023, 9, 28), ref="t3", seed="b")
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 10, 9))
        s.refresh(late)
        # deploy due 7 Oct; 8 Oct (Sunday, worked) and 9 Oct are the two working days overdue
        assert late.light == "red" and late.overdue_workdays == 2
        assert _actions(s, late.id) == ["remind:deploy"]


def test_tick_twice_at_the_same_now_does_nothing_twice(db_with_units, calendar, policy):
    with session_scope(db_with_units) as s:
        for seed in "abc":
            assigned_duty(s, now=at(2023, 1, 3), seed=seed, ref="t2")
        first = tick(session=s, calendar=calendar, policy=policy, now=at(2023, 3, 15))
        assert first.new_actions > 0 and first.light_changes == 3
        counts = (_count(s, ActionRow), _count(s, EventRow))
        lights = list(s.execute(select(DutyRow.id, DutyRow.light, DutyRow.overdue_workdays)))
    with session_scope(db_with_units) as s:
        again = tick(session=s, calendar=calendar, policy=policy, now=at(2023, 3, 15))
        assert (again.evaluated, again.new_actions, again.light_changes) == (3, 0, 0)
        assert (_count(s, ActionRow), _count(s, EventRow)) == counts
        assert list(s.execute(select(DutyRow.id, DutyRow.light, DutyRow.overdue_workdays))) == lights


def test_light_change_writes_an_event(db_with_units, calendar, policy):
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=at(2023, 1, 20), ref="t2")
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 1, 27))
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 1, 29))
        evs = s.scalars(
            select(EventRow)
            .where(EventRow.entity_id == duty.id, EventRow.action == "tick")
            .order_by(EventRow.id)
        ).all()
        assert [(e.before["light"], e.after["light"]) for e in evs] == [(None, "yellow"), ("yellow", "red")]
        assert [[a["key"] for a in e.after["actions"]] for e in evs] == [[], ["remind:deploy"]]
        assert all(e.actor == "督办时钟" for e in evs)


def test_closed_duties_are_not_ticked_and_a_year_outside_the_calendar_is_reported(
    db_with_units, calendar, policy
):
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=at(2023, 1, 3), ref="t2")
        r = tick(session=s, calendar=calendar, policy=policy, now=at(2027, 1, 5))
        assert r.evaluated == 0 and len(r.errors) == 1 and "2027" in r.errors[0]
        for to in ("deployed", "in_progress", "closure_requested", "closed"):
            service.transition(session=s, duty_id=duty.id, to=to, actor="u", now=at(2023, 1, 4))
        assert tick(session=s, calendar=calendar, policy=policy, now=at(2023, 8, 1)).evaluated == 0
        assert open_duties_report(session=s) == []


def test_board_lights_by_unit_and_overdue_sorted(db_with_units, calendar, policy):
    with session_scope(db_with_units) as s:
        a = assigned_duty(s, now=at(2023, 1, 3), seed="a", ref="t2", unit="市农业农村局")
        b = assigned_duty(s, now=at(2023, 1, 5), seed="b", ref="t2", unit="市农业农村局")
        c = assigned_duty(s, now=at(2023, 1, 3), seed="c", ref="t1", unit="市能源局")
        service.add_progress(session=s, duty_id=c.id, text="推进中", actor="u", now=at(2023, 1, 4))
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 1, 9))
        # a: deploy due 4 Jan → 3 working days overdue on 9 Jan; b: deploy due 6 Jan → 1
        result = board(session=s, now=at(2023, 1, 9))
        by_unit = {u.unit: u for u in result.units}
        assert by_unit["市农业农村局"].red == 2 and by_unit["市农业农村局"].total == 2
        assert by_unit["市能源局"].green == 1
        assert result.units[0].unit == "市农业农村局"
        assert [r.duty_id for r in result.overdue] == [a.id, b.id]
        assert result.overdue[0].overdue_workdays > result.overdue[1].overdue_workdays
        assert result.totals == {"green": 1, "yellow": 0, "red": 2, "grey": 0, "total": 3}
        open_ids = [r.duty_id for r in open_duties_report(session=s)]
        assert sorted(open_ids) == sorted([a.id, b.id, c.id])


@pytest.mark.parametrize("day", [at(2023, 1, 22), at(2023, 10, 1)], ids=["spring-festival", "national-day"])
def test_no_escalation_falls_on_a_holiday(db_with_units, calendar, policy, day):
    with session_scope(db_with_units) as s:
        assigned_duty(s, now=at(2023, 1, 3), ref="t2")
        assigned_duty(s, now=at(2023, 9, 1), ref="t3", seed="b")
        tick(session=s, calendar=calendar, policy=policy, now=day)
        dues = list(s.scalars(select(ActionRow.due)))
        assert dues and all(calendar.is_workday(d) for d in dues)


def test_a_duty_counts_on_its_governments_own_days(db_with_units, calendar, policy):
    """示例市 adds a day off (Thursday 2 March 2023); 甲县 below it inherits it, 乙县 works it
    (its own extra_workdays); a duty of a plan without a government keeps the national days."""
    from duban.ledger.clocks import government_clocks
    from duban.units import governments as gov

    kw = {"actor": "test", "now": at(2023, 3, 1)}
    with session_scope(db_with_units) as s:
        gov.add_government(session=s, name="示例市", level="市", **kw)
        gov.add_government(session=s, name="甲县", level="县", parent="示例市", **kw)
        gov.add_government(session=s, name="乙县", level="县", parent="示例市", **kw)
        gov.set_setting(session=s, name="示例市", key="extra_holidays", value=["2023-03-02"], **kw)
        gov.set_setting(session=s, name="乙县", key="extra_workdays", value=["2023-03-02"], **kw)
        ids = {g.name: g.id for g in gov.tree(session=s)}
        national = assigned_duty(s, now=at(2023, 3, 1), ref="t2", seed="a")
        county = assigned_duty(s, now=at(2023, 3, 1), ref="t2", seed="b")
        neighbour = assigned_duty(s, now=at(2023, 3, 1), ref="t2", seed="c")
        county.item.plan.government_id = ids["甲县"]
        neighbour.item.plan.government_id = ids["乙县"]
        clocks = government_clocks(connection=s, calendar=calendar)
        assert clocks.calendar_of(ids["甲县"]) is clocks.calendar_of(
            ids["示例市"]
        )  # the same days, one calendar
        assert clocks.calendar_of(ids["乙县"]).is_workday(at(2023, 3, 2).date())

        r = tick(session=s, calendar=calendar, policy=policy, now=at(2023, 3, 3))
        assert r.evaluated == 3 and r.errors == []
        for d in (national, county, neighbour):
            s.refresh(d)
        # deploy is due the next working day: Thursday 2 March, for 甲县 Friday 3 March
        assert national.light == "red" and national.overdue_workdays == 1
        assert _actions(s, national.id) == ["remind:deploy"]
        assert county.light == "yellow" and county.next_due.isoformat() == "2023-03-03"
        assert _actions(s, county.id) == []
        assert neighbour.light == "red" and _actions(s, neighbour.id) == ["remind:deploy"]


def test_stored_days_that_are_not_dates_name_the_government(db_with_units, calendar, policy):
    from duban.ledger.errors import LedgerError
    from duban.units.models import GovernmentRow

    with session_scope(db_with_units) as s:
        s.add(GovernmentRow(name="示例市", level="市", settings={"extra_holidays": ["3月2日"]}))
        s.flush()
        with pytest.raises(LedgerError, match="政府「示例市」的设置 extra_holidays 含有无效日期"):
            tick(session=s, calendar=calendar, policy=policy, now=at(2023, 3, 3))


FAST = {
    "name": "快办",
    "label": "县级快办",
    "steps": [
        {"key": "deploy", "label": "研究部署", "workdays": 1},
        {"key": "first_feedback", "label": "首次反馈", "workdays": 2},
        {"key": "settle", "label": "办结", "workdays": 5},
    ],
    "remind_after_workdays": 1,
    "circular_after_workdays": 3,
    "report_interval_months": 1,
    "yellow_share": 0.8,
    "yellow_workdays_before": 1,
}


def test_a_duty_runs_on_its_governments_own_policy(db_with_units, calendar, policy):
    """甲县 (below 示例市) runs a faster clock than the deployment's 13710: first feedback within 2
    working days, not 3; the city's duty keeps 13710. A policy that cannot be built names the
    government."""
    from duban.ledger.errors import LedgerError
    from duban.units import governments as gov

    kw = {"actor": "test", "now": at(2023, 3, 1)}
    with session_scope(db_with_units) as s:
        gov.add_government(session=s, name="示例市", level="市", **kw)
        gov.add_government(session=s, name="甲县", level="县", parent="示例市", **kw)
        gov.add_government(session=s, name="甲镇", level="乡", parent="甲县", **kw)
        gov.set_setting(session=s, name="甲县", key="policy", value=FAST, **kw)
        ids = {g.name: g.id for g in gov.tree(session=s)}
        city = assigned_duty(s, now=at(2023, 3, 1), ref="t3", seed="a")
        town = assigned_duty(s, now=at(2023, 3, 1), ref="t3", seed="b")
        city.item.plan.government_id = ids["示例市"]
        town.item.plan.government_id = ids["甲镇"]  # inherits 甲县's policy
        # Monday 6 March: first feedback was due Friday 3 March under 快办 (2 working days after
        # Wednesday 1 March), and is due that Monday under 13710 (3 working days)
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 3, 6))
        assert "remind:first_feedback" in _actions(s, town.id)
        assert "remind:first_feedback" not in _actions(s, city.id)
        assert "remind:deploy" in _actions(s, city.id)  # both missed the deploy step

        gov.set_setting(session=s, name="甲县", key="policy", value={"name": "坏"}, **kw)
        with pytest.raises(LedgerError, match="政府「甲县」的设置 policy"):
            tick(session=s, calendar=calendar, policy=policy, now=at(2023, 3, 7))
