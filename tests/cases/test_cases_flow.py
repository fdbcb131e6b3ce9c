"""The case flow: every allowed and forbidden status pair, the whole flow end to end with its
events, 首接负责, extensions, the link to plan items, and the DB CHECK on the status."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from duban.audit.models import EventRow
from duban.cases import flow
from duban.cases.flow import TRANSITIONS, FlowError, check_transition
from duban.cases.models import CASE_STATUSES, CaseRow, CaseStatus, CaseUpdateRow, DispatchRow
from duban.cases.rules import CaseError
from duban.db import session_scope
from tests.cases.case_factories import HOUR, PATH, drive, new_case, plan_item, step_kwargs, unit_id
from tests.cases.conftest import NOW

PAIRS = list(itertools.product(list(CaseStatus), repeat=2))


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_check_transition_allows_exactly_the_table(a, b):
    if (a, b) in TRANSITIONS:
        assert check_transition(a, b) == TRANSITIONS[(a, b)]
    else:
        with pytest.raises(FlowError, match="不允许的工单状态变更"):
            check_transition(a, b)


def test_every_status_is_reachable_and_the_table_is_closed():
    reachable, frontier = {CaseStatus.RECEIVED}, [CaseStatus.RECEIVED]
    while frontier:
        a = frontier.pop()
        for x, b in TRANSITIONS:
            if x == a and b not in reachable:
                reachable.add(b)
                frontier.append(b)
    assert reachable == set(CaseStatus)
    assert not any(a == CaseStatus.ARCHIVED for a, _ in TRANSITIONS)  # 归档 is final
    assert set(CASE_STATUSES) == {s.value for s in CaseStatus}


def test_every_pair_applied_on_the_database(db, calendar, policy):
    """Drive a case to each status, then try every target: allowed ones apply, others change nothing."""
    with session_scope(db) as s:
        unit = unit_id(s, "市城管局")
        for a in CaseStatus:
            for b in CaseStatus:
                case = new_case(s, now=NOW, calendar=calendar, policy=policy)
                drive(s, case.id, a, unit_id=unit, now=NOW, calendar=calendar)
                n_events = s.scalar(select(EventRow.id).order_by(EventRow.id.desc()).limit(1))
                at = NOW + 10 * HOUR
                kwargs = step_kwargs(b, unit, calendar)
                if (a, b) in TRANSITIONS:
                    row = flow.transition(session=s, case_id=case.id, target=b, actor="t", now=at, **kwargs)
                    assert row.status == b.value
                    last = s.scalars(select(EventRow).order_by(EventRow.id.desc()).limit(1)).one()
                    assert (last.entity, last.entity_id, last.action) == (
                        "case",
                        case.id,
                        TRANSITIONS[(a, b)],
                    )
                    assert last.before["status"] == a.value and last.after["status"] == b.value
                else:
                    with pytest.raises(FlowError):
                        flow.transition(session=s, case_id=case.id, target=b, actor="t", now=at, **kwargs)
                    assert s.get(CaseRow, case.id).status == a.value
                    assert s.scalar(select(EventRow.id).order_by(EventRow.id.desc()).limit(1)) == n_events


def test_whole_flow_end_to_end(db, calendar, policy):
    with session_scope(db) as s:
        chengguan, zhujian = unit_id(s, "市城管局"), unit_id(s, "住建局")
        case = new_case(s, now=NOW, calendar=calendar, policy=policy)
        assert (case.status, case.month, case.due_date) == (
            "received",
            "2026-03",
            date(2026, 3, 24),
        )  # 投诉 15
        cid = case.id
        t = NOW
        flow.dispatch(
            session=s, case_id=cid, unit_id=zhujian, actor="话务员", now=t + HOUR, calendar=calendar
        )
        with pytest.raises(FlowError, match="退回须写明理由"):
            flow.return_case(session=s, case_id=cid, reason="  ", actor="住建局", now=t + 2 * HOUR)
        flow.return_case(session=s, case_id=cid, reason="路灯归城管管理", actor="住建局", now=t + 2 * HOUR)
        flow.dispatch(
            session=s, case_id=cid, unit_id=chengguan, actor="话务员", now=t + 3 * HOUR, calendar=calendar
        )
        flow.accept(
            session=s, case_id=cid, actor="城管局", now=t + timedelta(days=3)
        )  # late: due next workday
        flow.start(session=s, case_id=cid, actor="城管局", now=t + timedelta(days=3, hours=1))
        with pytest.raises(FlowError, match="答复"):
            flow.settle(session=s, case_id=cid, reply="", actor="城管局", now=t + timedelta(days=4))
        flow.settle(session=s, case_id=cid, reply="已修复", actor="城管局", now=t + timedelta(days=4))
        row = flow.follow_up(
            session=s, case_id=cid, satisfaction="不满意", actor="回访员", now=t + timedelta(days=5)
        )
        assert (row.status, row.reopened_count, row.settled_in_time) == ("reopened", 1, None)
        flow.redo(session=s, case_id=cid, actor="城管局", now=t + timedelta(days=6))
        flow.settle(session=s, case_id=cid, reply="已更换整套灯具", actor="城管局", now=t + timedelta(days=7))
        flow.follow_up(
            session=s, case_id=cid, satisfaction="基本满意", actor="回访员", now=t + timedelta(days=8)
        )
        row = flow.archive(session=s, case_id=cid, actor="话务员", now=t + timedelta(days=9))
        assert row.status == "archived"
        assert (row.owner_unit_id, row.unit_id, row.returned_count) == (chengguan, chengguan, 1)
        assert (row.satisfaction, row.settled_in_time, row.reply) == ("基本满意", True, "已更换整套灯具")
        actions = s.scalars(
            select(EventRow.action)
            .where(EventRow.entity == "case", EventRow.entity_id == cid)
            .order_by(EventRow.id)
        ).all()
        assert actions == [
            "create", "dispatch", "return", "redispatch", "accept", "start", "settle", "reopen", "redo",
            "settle", "follow_up", "archive",
        ]  # fmt: skip
        dispatches = s.scalars(
            select(DispatchRow).where(DispatchRow.case_id == cid).order_by(DispatchRow.id)
        ).all()
        assert [(d.unit_id, d.returned_at is not None, d.accepted_in_time) for d in dispatches] == [
            (zhujian, True, None),
            (chengguan, False, False),
        ]
        # the citizen-visible updates: closed, reopened, closed again
        assert s.scalars(select(CaseUpdateRow.status).where(CaseUpdateRow.case_id == cid).order_by(CaseUpdateRow.id)).all() == [
            "closed", "open", "closed",
        ]  # fmt: skip
        # the events log never holds the whole phone number
        afters = s.scalars(
            select(EventRow.after).where(EventRow.entity == "case", EventRow.entity_id == cid)
        ).all()
        assert all(a.get("citizen_phone") in (None, "138****1234") for a in afters)


def test_first_unit_owns_the_case(db, calendar, policy):
    with session_scope(db) as s:
        chengguan = unit_id(s, "市城管局")
        case = new_case(s, now=NOW, calendar=calendar, policy=policy)
        drive(s, case.id, CaseStatus.REOPENED, unit_id=chengguan, now=NOW, calendar=calendar)
        # a reopened case goes back to its owner: there is no way to dispatch it elsewhere
        with pytest.raises(FlowError):
            flow.dispatch(
                session=s,
                case_id=case.id,
                unit_id=unit_id(s, "住建局"),
                actor="t",
                now=NOW,
                calendar=calendar,
            )
        row = flow.redo(session=s, case_id=case.id, actor="t", now=NOW + 20 * HOUR)
        assert (row.owner_unit_id, row.unit_id) == (chengguan, chengguan)


def test_follow_up_result_must_match_and_be_known(db, calendar, policy):
    with session_scope(db) as s:
        unit = unit_id(s, "市城管局")
        case = new_case(s, now=NOW, calendar=calendar, policy=policy)
        drive(s, case.id, CaseStatus.SETTLED, unit_id=unit, now=NOW, calendar=calendar)
        with pytest.raises(FlowError, match="回访结果"):
            flow.follow_up(session=s, case_id=case.id, satisfaction="还行", actor="t", now=NOW + 9 * HOUR)
        with pytest.raises(FlowError, match="重办"):
            flow.transition(
                session=s,
                case_id=case.id,
                target=CaseStatus.FOLLOWED_UP,
                satisfaction="不满意",
                actor="t",
                now=NOW,
            )


def test_extension_needs_approval_and_moves_the_due_date(db, calendar, policy):
    with session_scope(db) as s:
        unit = unit_id(s, "市城管局")
        case = new_case(s, now=NOW, calendar=calendar, policy=policy, case_type="咨询")
        assert case.due_date == date(2026, 3, 5)  # 咨询: 2 working days
        with pytest.raises(FlowError, match="申请延期"):
            flow.request_extension(
                session=s, case_id=case.id, workdays=3, reason="需现场勘查", actor="t", now=NOW
            )
        drive(s, case.id, CaseStatus.IN_PROGRESS, unit_id=unit, now=NOW, calendar=calendar)
        with pytest.raises(CaseError, match="1 到 30"):
            flow.request_extension(session=s, case_id=case.id, workdays=0, reason="x", actor="t", now=NOW)
        row = flow.request_extension(
            session=s, case_id=case.id, workdays=3, reason="需现场勘查", actor="t", now=NOW
        )
        assert (row.extension_state, row.due_date) == ("requested", date(2026, 3, 5))
        row = flow.decide_extension(
            session=s, case_id=case.id, approve=True, actor="主任", now=NOW, calendar=calendar
        )
        assert (row.extension_state, row.due_date) == ("approved", date(2026, 3, 10))
        with pytest.raises(FlowError, match="没有待审批"):
            flow.decide_extension(
                session=s, case_id=case.id, approve=False, actor="主任", now=NOW, calendar=calendar
            )
        other = new_case(s, now=NOW, calendar=calendar, policy=policy, case_type="咨询", address="别处")
        drive(s, other.id, CaseStatus.ACCEPTED, unit_id=unit, now=NOW, calendar=calendar)
        flow.request_extension(session=s, case_id=other.id, workdays=5, reason="等待配件", actor="t", now=NOW)
        row = flow.decide_extension(
            session=s, case_id=other.id, approve=False, actor="主任", now=NOW, calendar=calendar
        )
        assert (row.extension_state, row.due_date) == ("rejected", date(2026, 3, 5))


def test_link_case_to_item_and_cases_for_item(db, calendar, policy):
    with session_scope(db) as s:
        item = plan_item(s, now=NOW)
        a = new_case(s, now=NOW, calendar=calendar, policy=policy, content="家里暖气不热，室温只有十度")
        b = new_case(
            s, now=NOW + HOUR, calendar=calendar, policy=policy, content="供热管网施工挖断道路", address="x"
        )
        new_case(s, now=NOW, calendar=calendar, policy=policy, content="无关的事情", address="y")
        for c in (a, b):
            flow.link_case_to_item(session=s, case_id=c.id, item_id=item, actor="督查室", now=NOW)
        assert [c.id for c in flow.cases_for_item(session=s, item_id=item)] == [b.id, a.id]
        with pytest.raises(CaseError, match="事项 99999 不存在"):
            flow.link_case_to_item(session=s, case_id=a.id, item_id=99999, actor="t", now=NOW)
        flow.link_case_to_item(session=s, case_id=a.id, item_id=None, actor="t", now=NOW)
        assert [c.id for c in flow.cases_for_item(session=s, item_id=item)] == [b.id]
        assert (
            s.scalar(
                select(EventRow.action)
                .where(EventRow.entity_id == a.id)
                .order_by(EventRow.id.desc())
                .limit(1)
            )
            == "unlink_item"
        )


def test_database_refuses_an_unknown_status(db, calendar, policy):
    with session_scope(db) as s:
        cid = new_case(s, now=NOW, calendar=calendar, policy=policy).id
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(text("UPDATE cases SET status = 'lost' WHERE id = :i"), {"i": cid})


def test_unknown_case_is_a_clear_error(db):
    with session_scope(db) as s, pytest.raises(CaseError, match="工单 404 不存在"):
        flow.accept(session=s, case_id=404, actor="t", now=NOW)


def test_path_table_covers_every_status():
    assert set(PATH) == set(CaseStatus)
