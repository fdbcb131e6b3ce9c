"""The rates on a hand-built set with known answers, the rankings within a unit class above a
minimum volume, the 通报 workbook, and the case tick on the working-day clock."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from duban.cases import flow
from duban.cases.models import CaseActionRow
from duban.cases.rates import bulletin_xlsx, rankings, rankings_json, unit_rates
from duban.cases.rules import load_rules
from duban.cases.tick import tick_cases
from duban.db import session_scope
from tests.cases.case_factories import HOUR, new_case, unit_id
from tests.cases.conftest import NOW

DAY = timedelta(days=1)
AS_OF = date(2026, 3, 31)


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour - 8, 0, tzinfo=UTC)


def build(s, calendar, policy) -> dict[str, int]:
    """Unit A (城管局): 4 cases, B (住建局): 1 case + 1 returned dispatch, C (平城区): 1 case."""
    A, B, C = unit_id(s, "市城管局"), unit_id(s, "住建局"), unit_id(s, "平城区")
    kw = {"calendar": calendar, "policy": policy}

    def go(case, unit, *, accept_at, settle_at=None, rating=None, then=()):
        flow.dispatch(
            session=s,
            case_id=case.id,
            unit_id=unit,
            actor="t",
            now=case.received_at + HOUR,
            calendar=calendar,
        )
        flow.accept(session=s, case_id=case.id, actor="t", now=accept_at)
        flow.start(session=s, case_id=case.id, actor="t", now=accept_at + HOUR)
        if settle_at is not None:
            flow.settle(session=s, case_id=case.id, reply="已办理", actor="t", now=settle_at)
        if rating is not None:
            flow.follow_up(session=s, case_id=case.id, satisfaction=rating, actor="t", now=settle_at + DAY)
        for step in then:
            step(case)

    a1 = new_case(s, now=NOW, content="a1 井盖缺失", address="a1", **kw)
    go(a1, A, accept_at=NOW + 2 * HOUR, settle_at=NOW + 2 * DAY, rating="满意",
       then=[lambda c: flow.archive(session=s, case_id=c.id, actor="t", now=NOW + 5 * DAY)])  # fmt: skip
    a2 = new_case(s, now=NOW, content="a2 占道经营", address="a2", **kw)

    def redo_and_rate(c):
        flow.redo(session=s, case_id=c.id, actor="t", now=NOW + 4 * DAY)
        flow.settle(session=s, case_id=c.id, reply="再次办理", actor="t", now=NOW + 6 * DAY)
        flow.follow_up(session=s, case_id=c.id, satisfaction="基本满意", actor="t", now=NOW + 7 * DAY)

    go(a2, A, accept_at=NOW + 2 * HOUR, settle_at=NOW + 2 * DAY, rating="不满意", then=[redo_and_rate])
    a3 = new_case(s, now=NOW, case_type="咨询", content="a3 渣土车", address="a3", **kw)
    go(a3, A, accept_at=_at(3, 6))  # signed late, never settled, due 03-05 passed
    a4 = new_case(s, now=NOW, case_type="咨询", content="a4 广告牌", address="a4", **kw)
    flow.dispatch(session=s, case_id=a4.id, unit_id=B, actor="t", now=NOW + HOUR, calendar=calendar)
    flow.return_case(session=s, case_id=a4.id, reason="非本单位职责", actor="t", now=NOW + 2 * HOUR)
    flow.dispatch(session=s, case_id=a4.id, unit_id=A, actor="t", now=NOW + 3 * HOUR, calendar=calendar)
    flow.accept(session=s, case_id=a4.id, actor="t", now=NOW + 4 * HOUR)
    flow.start(session=s, case_id=a4.id, actor="t", now=NOW + 5 * HOUR)
    flow.settle(session=s, case_id=a4.id, reply="已拆除", actor="t", now=_at(3, 10))  # late: due 03-05
    flow.follow_up(session=s, case_id=a4.id, satisfaction="不满意", actor="t", now=_at(3, 11))
    b1 = new_case(s, now=NOW, content="b1 楼道漏水", address="b1", **kw)
    go(b1, B, accept_at=NOW + 2 * HOUR, settle_at=NOW + 3 * DAY, rating="满意")
    c1 = new_case(s, now=NOW, content="c1 路面坑洼", address="c1", **kw)
    go(c1, C, accept_at=NOW + 2 * HOUR, settle_at=NOW + 3 * DAY, rating="满意")
    feb = new_case(s, now=_at(2, 10), content="二月的工单", address="feb", **kw)
    go(feb, A, accept_at=_at(2, 10, 15), settle_at=_at(2, 11), rating="满意")
    return {"A": A, "B": B, "C": C}


def test_rates_by_unit_and_month_match_the_hand_count(db, calendar, policy):
    with session_scope(db) as s:
        units = build(s, calendar, policy)
        rows = {(r.unit_id, r.month): r for r in unit_rates(session=s, as_of=AS_OF)}
        a = rows[(units["A"], "2026-03")]
        assert (a.cases, a.dispatches, a.due, a.settled, a.rated) == (4, 4, 4, 3, 3)
        assert a.response_rate == pytest.approx(3 / 4)
        assert a.return_rate == 0
        assert a.resolution_rate == pytest.approx(1 / 4)
        assert a.on_time_rate == pytest.approx(2 / 3)
        assert a.satisfaction_rate == pytest.approx(2 / 3)
        assert a.reopen_rate == pytest.approx(2 / 3)
        b = rows[(units["B"], "2026-03")]
        assert (b.cases, b.dispatches) == (1, 2)
        assert (b.response_rate, b.return_rate, b.resolution_rate, b.satisfaction_rate) == (
            0.5,
            0.5,
            1.0,
            1.0,
        )
        assert (b.on_time_rate, b.reopen_rate) == (1.0, 0.0)
        feb = rows[(units["A"], "2026-02")]
        assert (feb.cases, feb.response_rate, feb.resolution_rate) == (1, 1.0, 1.0)
        only_march = unit_rates(session=s, as_of=AS_OF, month="2026-03")
        assert {r.month for r in only_march} == {"2026-03"} and len(only_march) == 3
        # before a3's due date it is not yet counted as due
        early = {r.unit_id: r for r in unit_rates(session=s, as_of=date(2026, 3, 4), month="2026-03")}
        assert early[units["A"]].due == 3


def test_rankings_within_class_above_minimum_volume(db, calendar, policy):
    with session_scope(db) as s:
        units = build(s, calendar, policy)
        rules = replace(load_rules(), min_volume=1, list_size=3)
        ranks = {r.unit_kind: r for r in rankings(session=s, month="2026-03", as_of=AS_OF, rules=rules)}
        dept = ranks["部门"]
        assert [r.unit_id for r in dept.ranked] == [units["B"], units["A"]]
        assert dept.ranked[0].score == pytest.approx(0.3 * 0.5 + 0.3 * 1 + 0.4 * 1)
        assert dept.ranked[1].score == pytest.approx(0.3 * 0.75 + 0.3 * 0.25 + 0.4 * 2 / 3)
        assert ([r.unit_id for r in dept.red], [r.unit_id for r in dept.black]) == (
            [units["B"]],
            [units["A"]],
        )
        assert [r.unit for r in ranks["县区"].ranked] == ["平城区"] and ranks["县区"].red == []
        strict = replace(rules, min_volume=2)
        dept = {r.unit_kind: r for r in rankings(session=s, month="2026-03", as_of=AS_OF, rules=strict)}[
            "部门"
        ]
        assert [r.unit_id for r in dept.ranked] == [units["A"]]
        assert [r.unit_id for r in dept.too_few] == [units["B"]]
        js = rankings_json(rankings(session=s, month="2026-03", as_of=AS_OF, rules=rules))
        assert {c["unit_kind"] for c in js["classes"]} == {"部门", "县区"}
        book = load_workbook(
            io.BytesIO(
                bulletin_xlsx(
                    rankings(session=s, month="2026-03", as_of=AS_OF, rules=rules),
                    month="2026-03",
                    rules=rules,
                )
            )
        )
        assert book.sheetnames == ["县区", "部门"]
        cells = [[c.value for c in row] for row in book["部门"].iter_rows()]
        assert cells[2][:3] == ["排名", "单位", "工单量"]
        assert cells[3][:3] == [1, "市住房和城乡建设局", 1] and cells[3][3] == "50.0%"
        assert ["红榜", "市住房和城乡建设局"] in [r[:2] for r in cells]
        assert ["黑榜", "市城市管理局"] in [r[:2] for r in cells]


def test_tick_reminds_then_circulates_once(db, calendar, policy):
    with session_scope(db) as s:
        unit = unit_id(s, "市城管局")
        late = new_case(
            s, now=NOW, calendar=calendar, policy=policy, case_type="咨询", address="p1"
        )  # due 03-05
        done = new_case(s, now=NOW, calendar=calendar, policy=policy, case_type="咨询", address="p2")
        flow.dispatch(session=s, case_id=done.id, unit_id=unit, actor="t", now=NOW, calendar=calendar)
        flow.accept(session=s, case_id=done.id, actor="t", now=NOW + HOUR)
        flow.start(session=s, case_id=done.id, actor="t", now=NOW + HOUR)
        flow.settle(session=s, case_id=done.id, reply="已答复", actor="t", now=NOW + 2 * HOUR)
        ext = new_case(s, now=NOW, calendar=calendar, policy=policy, case_type="咨询", address="p3")
        flow.dispatch(session=s, case_id=ext.id, unit_id=unit, actor="t", now=NOW, calendar=calendar)
        flow.accept(session=s, case_id=ext.id, actor="t", now=NOW + HOUR)
        flow.request_extension(session=s, case_id=ext.id, workdays=5, reason="等待检测", actor="t", now=NOW)
        flow.decide_extension(
            session=s, case_id=ext.id, approve=True, actor="主任", now=NOW, calendar=calendar
        )
        urgent = new_case(
            s, now=NOW, calendar=calendar, policy=policy, urgent=True, address="p4"
        )  # due today
        late_id, ext_id, urgent_id = late.id, ext.id, urgent.id

    def keys(s):
        return sorted(s.execute(select(CaseActionRow.case_id, CaseActionRow.key)).all())

    with session_scope(db) as s:
        rep = tick_cases(session=s, calendar=calendar, policy=policy, now=_at(3, 4))
        assert rep.evaluated == 3 and rep.errors == []  # the settled case is not evaluated
        assert keys(s) == [(urgent_id, "remind:settle")]
    with session_scope(db) as s:
        rep = tick_cases(session=s, calendar=calendar, policy=policy, now=_at(3, 6))
        assert keys(s) == [(late_id, "remind:settle"), (urgent_id, "remind:settle")]
        assert rep.actions == 1
        again = tick_cases(session=s, calendar=calendar, policy=policy, now=_at(3, 6, 16))
        assert again.actions == 0
    with session_scope(db) as s:
        tick_cases(session=s, calendar=calendar, policy=policy, now=_at(3, 13))
        got = keys(s)
        assert (late_id, "circular:settle") in got
        # the extension moved its deadline to 03-12 (no reminder on 03-06 above); missed too, so reminded now
        assert (ext_id, "remind:report_deadline") in got
        from duban.cases.models import CaseRow

        assert s.get(CaseRow, late_id).light == "red" and s.get(CaseRow, late_id).overdue_workdays == 6
        assert s.scalar(select(func.count()).select_from(CaseActionRow)) == len(got)
