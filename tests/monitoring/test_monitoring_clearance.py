"""Measures on the working-day clock, visits at set intervals, the board's lights, and 风险消除
only when every condition of the rules holds (the refusal names each unmet one); a new risk
returns a cleared household to monitoring and the conditions must hold again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from duban.db import session_scope
from duban.monitoring import board, clearance, households, measures, visits
from duban.monitoring.models import HouseholdRow
from duban.monitoring.rules import MonitoringError
from duban.units.service import unit_id_of
from tests.monitoring.conftest import NOW, UNIT_A, UNIT_B
from tests.monitoring.factories import household, noon


def test_a_measure_gets_its_deadline_from_the_policy_and_lights_red_when_missed(db, calendar):
    with session_scope(db) as s:
        h = households.create_household(session=s, data=household(1), actor="甲", now=NOW)
        health = measures.assign_measure(session=s, household_id=h.id, measure_type="健康帮扶", unit=UNIT_A,
                                         content="大病救助", calendar=calendar, actor="甲", now=NOW)  # fmt: skip
        housing = measures.assign_measure(session=s, household_id=h.id, measure_type="住房保障", unit=UNIT_B,
                                          content="危房改造", calendar=calendar, actor="甲", now=NOW)  # fmt: skip
        # 10 and 60 working days (measures_policy.yaml) from Tuesday 2026-03-03
        assert health.due_date == calendar.add_workdays(date(2026, 3, 3), 10) == date(2026, 3, 17)
        assert housing.due_date == calendar.add_workdays(date(2026, 3, 3), 60)
        assert measures.measure_state(health, calendar=calendar, now=NOW).light == "green"
        late = noon(date(2026, 3, 19))
        state = measures.measure_state(health, calendar=calendar, now=late)
        assert state.light == "red" and state.overdue_workdays == 2
        with pytest.raises(MonitoringError) as err:
            measures.finish_measure(session=s, measure_id=health.id, note=" ", actor="乙", now=late)
        assert err.value.field == "note"
        measures.finish_measure(session=s, measure_id=health.id, note="已报销 3.2 万元", actor="乙", now=late)
        state = measures.measure_state(health, calendar=calendar, now=late)
        assert state.light == "closed" and state.late
        with pytest.raises(MonitoringError) as err:
            measures.finish_measure(session=s, measure_id=health.id, note="又办结", actor="乙", now=late)
        assert err.value.status == 409
        with pytest.raises(MonitoringError) as err:
            measures.assign_measure(session=s, household_id=h.id, measure_type="画饼", unit=UNIT_A, content="x",
                                    calendar=calendar, actor="甲", now=NOW)  # fmt: skip
        assert err.value.field == "measure_type"
        b = board.build_board(session=s, now=late)
        assert b.total.overdue_measures == 0 and b.total.open_measures == 1


def test_the_board_counts_by_township_and_risk_with_overdue_measures_and_visits(db, calendar):
    with session_scope(db) as s:
        a = households.create_household(
            session=s, data=household(1, risks=["因病", "因学"]), actor="甲", now=NOW
        )
        b_ = households.create_household(session=s, data=household(2, township="河口镇", risks=["因灾"],
                                         household_type="突发严重困难户"), actor="甲", now=NOW)  # fmt: skip
        households.create_household(session=s, data=household(3, risks=["因病"]), actor="甲", now=NOW)
        measures.assign_measure(session=s, household_id=a.id, measure_type="健康帮扶", unit=UNIT_A, content="救助",
                                calendar=calendar, actor="甲", now=NOW)  # fmt: skip
        visits.record_visit(session=s, household_id=a.id, visited_on=date(2026, 3, 3), visitor="驻村干部",
                            unit_id=None, income_per_person=None, risk_resolved=False, note="", actor="甲", now=NOW)  # fmt: skip
        # 20 days on: 突发严重困难户 are visited every 15 days, the others every 30; the measure is late
        at = NOW + timedelta(days=20)
        got = board.build_board(session=s, now=at)
        towns = {r.name: (r.households, r.overdue_measures, r.overdue_visits) for r in got.by_township}
        assert towns == {"样例县城关镇": (2, 1, 0), "样例县河口镇": (1, 0, 1)}
        risks = {r.name: (r.households, r.overdue_measures, r.overdue_visits) for r in got.by_risk}
        assert risks == {"因病": (2, 1, 0), "因学": (1, 1, 0), "因灾": (1, 0, 1)}
        assert got.overdue_visit_ids == [b_.id]
        # 40 days on, household 3 (never visited, found 40 days ago) is late too; household 1 as well
        assert set(board.build_board(session=s, now=NOW + timedelta(days=40)).overdue_visit_ids) == {1, 2, 3}
        # a unit officer's board counts only the households their unit works on
        mine = board.build_board(session=s, now=at, unit_id=unit_id_of(session=s, name=UNIT_A))
        assert mine.total.households == 1


def _reasons(s, hid, now) -> dict[str, tuple[bool, str]]:
    h = s.get(HouseholdRow, hid)
    return {c.kind: (c.met, c.reason) for c in clearance.checks(session=s, household=h, now=now)}


def test_risk_is_cleared_only_when_every_condition_holds_and_a_new_risk_returns_the_household(db, calendar):
    found = date(2025, 6, 2)
    with session_scope(db) as s:
        h = households.create_household(
            session=s, data=household(1, found_on=found), actor="甲", now=noon(found)
        )
        hid = h.id
        with pytest.raises(MonitoringError) as err:
            clearance.clear_risk(session=s, household_id=hid, note="", actor="甲", now=noon(found))
        text = str(err.value)
        assert err.value.status == 409 and err.value.field == "status"
        for words in ("人均纯收入连续6个月高于监测线（尚无走访所报的人均纯收入）", "帮扶措施全部办结（尚未落实任何帮扶措施）",
                      "最近一次走访在走访周期内（尚无走访记录）", "致贫返贫风险已化解（2025-06-02 登记风险后尚未走访核实）"):  # fmt: skip
            assert words in text
        m = measures.assign_measure(session=s, household_id=hid, measure_type="就业帮扶", unit=UNIT_A,
                                    content="公益岗位", calendar=calendar, actor="甲", now=noon(found))  # fmt: skip
        # income below the line at first, then above it from August
        for d, income in ((date(2025, 7, 1), 7000.0), (date(2025, 8, 1), 8200.0), (date(2025, 9, 1), 8600.0)):
            visits.record_visit(session=s, household_id=hid, visited_on=d, visitor="驻村干部", unit_id=None,
                                income_per_person=income, risk_resolved=False, note="", actor="乙", now=noon(d))  # fmt: skip
        at = noon(date(2025, 9, 10))
        r = _reasons(s, hid, at)
        assert r["income_months"] == (
            False,
            "自 2025-08-01 起高于监测线 7600 元，不足 6 个月（须不晚于 2025-03-10）",
        )
        assert r["measures_done"] == (False, f"1 项未办结：就业帮扶（措施 {m.id}）")
        assert r["visit_recent"] == (True, "最近一次走访 2025-09-01")
        assert r["risk_resolved"] == (False, "最近一次走访（2025-09-01）未确认风险已化解")
        measures.finish_measure(session=s, measure_id=m.id, note="已安排护林员岗位", actor="乙", now=at)
        d = date(2026, 2, 5)
        visits.record_visit(session=s, household_id=hid, visited_on=d, visitor="驻村干部", unit_id=None,
                            income_per_person=9100.0, risk_resolved=True, note="务工稳定", actor="乙", now=noon(d))  # fmt: skip
        assert s.get(HouseholdRow, hid).income_per_person == 9100.0  # type: ignore[union-attr]
        # 2026-03-02: every condition holds (income above the line since 2025-08-01, 7 months)
        at = noon(date(2026, 3, 2))
        assert all(met for met, _ in _reasons(s, hid, at).values()), _reasons(s, hid, at)
        # …but not once the last visit is out of its 30-day interval
        stale = _reasons(s, hid, noon(date(2026, 3, 9)))["visit_recent"]
        assert stale == (False, "最近一次走访 2026-02-05，已超过走访周期（应于 2026-03-07 前走访）")
        clearance.clear_risk(session=s, household_id=hid, note="收入稳定", actor="甲", now=at)
        assert s.get(HouseholdRow, hid).status == "cleared"  # type: ignore[union-attr]
        with pytest.raises(MonitoringError):
            measures.assign_measure(session=s, household_id=hid, measure_type="就业帮扶", unit=UNIT_A,
                                    content="x", calendar=calendar, actor="甲", now=at)  # fmt: skip
        # a new risk appears: 返回监测, and the risk must be found resolved again after it
        later = noon(date(2026, 3, 4))
        households.add_risk(session=s, household_id=hid, risks=["因灾"], found_by="农户自主申报", note="冰雹",
                            actor="乙", now=later)  # fmt: skip
        back = s.get(HouseholdRow, hid)
        assert back is not None and back.status == "returned" and back.cleared_at is None
        assert _reasons(s, hid, later)["risk_resolved"] == (False, "2026-03-04 登记风险后尚未走访核实")
        with pytest.raises(MonitoringError) as err:
            clearance.clear_risk(session=s, household_id=hid, note="", actor="甲", now=later)
        assert "致贫返贫风险已化解" in str(err.value) and "帮扶措施全部办结" not in str(err.value)


def test_a_visit_in_the_future_or_before_the_household_was_found_is_refused(db):
    with session_scope(db) as s:
        h = households.create_household(
            session=s, data=household(1, found_on=date(2026, 1, 5)), actor="甲", now=NOW
        )
        for d in (date(2026, 3, 4), date(2026, 1, 4)):
            with pytest.raises(MonitoringError) as err:
                visits.record_visit(session=s, household_id=h.id, visited_on=d, visitor="甲", unit_id=None,
                                    income_per_person=None, risk_resolved=False, note="", actor="甲", now=NOW)  # fmt: skip
            assert err.value.field == "visited_on"
        with pytest.raises(MonitoringError) as err:
            visits.record_visit(session=s, household_id=h.id, visited_on=date(2026, 3, 3), visitor=" ", unit_id=None,
                                income_per_person=None, risk_resolved=False, note="", actor="甲", now=NOW)  # fmt: skip
        assert err.value.field == "visitor"


def test_a_visit_earlier_on_the_day_a_new_risk_is_recorded_does_not_resolve_it(db, calendar):
    with session_scope(db) as s:
        h = households.create_household(
            session=s, data=household(1, found_on=date(2026, 1, 5)), actor="甲", now=NOW
        )
        visits.record_visit(session=s, household_id=h.id, visited_on=date(2026, 3, 3), visitor="驻村干部", unit_id=None,
                            income_per_person=9000.0, risk_resolved=True, note="", actor="甲", now=NOW)  # fmt: skip
        assert _reasons(s, h.id, NOW)["risk_resolved"][0]
        households.add_risk(session=s, household_id=h.id, risks=["因灾"], found_by="农户自主申报", note="",
                            actor="甲", now=NOW + timedelta(hours=2))  # fmt: skip
        assert _reasons(s, h.id, NOW + timedelta(hours=3))["risk_resolved"] == (
            False, "2026-03-03 登记风险后尚未走访核实")  # fmt: skip
