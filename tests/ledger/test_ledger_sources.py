"""Every source of duties: a proposal list imported, routed, answered within three months, rated
不满意 and handled again, then 满意 closes it — on SQLite and PostgreSQL; bad lists refused whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.ledger import service
from duban.ledger.errors import LedgerError
from duban.ledger.models import AssignmentRow, DutyRow, ItemRow, PlanRow, ReplyRow
from duban.ledger.routing import load_rules
from duban.ledger.source_board import source_counts, source_rankings
from duban.ledger.sources import (
    SourceImportError,
    import_source,
    load_sources,
    parse_sources,
    sheet_rows,
    source_of,
)
from duban.ledger.workflow import WorkflowError
from tests.ledger.ledger_factories import at
from tests.ledger.source_lists import bad_proposal_list, proposal_list, xlsx

ASSIGNED = at(2026, 3, 2)


def _import(s, data: bytes, source: str = "提案"):
    return import_source(
        session=s, source=source_of(source), rows=sheet_rows(data, "提案清单.xlsx"), name="提案清单.xlsx",
        rules=load_rules(),
        actor="督查室", now=ASSIGNED,
    )  # fmt: skip


def _duty(s, ref: str) -> DutyRow:
    return s.scalars(select(DutyRow).join(ItemRow).where(ItemRow.ref == ref)).one()


def test_a_proposal_is_routed_answered_rated_unsatisfied_redone_and_closed(db_with_units, calendar, policy):
    with session_scope(db_with_units) as s:
        got = _import(s, proposal_list())
        assert got.created and got.rows == 3 and len(got.assigned) == 2 and len(got.needs_person) == 1
        assert got.plan.source_kind == "proposal"
        units = dict(
            s.execute(
                select(ItemRow.ref, AssignmentRow.rule).join(
                    AssignmentRow, AssignmentRow.item_id == ItemRow.id
                )
            ).all()
        )
        assert units["T002"] == "承办单位列" and units["T001"].startswith("routing#")
        first = _duty(s, "T001")
        assert first.item.source_fields == {"ref": "T001", "author": "王委员"}
        assert first.due == date(2026, 6, 2)  # three calendar months after assignment
        duty_id = first.id
    # again: the same file is recognised, nothing new
    with session_scope(db_with_units) as s:
        assert not _import(s, proposal_list()).created
    with session_scope(db_with_units) as s, pytest.raises(LedgerError, match="尚未答复"):
        service.rate(session=s, duty_id=duty_id, satisfaction="满意", actor="督查室", now=at(2026, 4, 1),
                     calendar=calendar, policy=policy)  # fmt: skip
    with session_scope(db_with_units) as s:
        service.reply(
            session=s, duty_id=duty_id, text="已新建幼儿园3所", actor="市教育局", now=at(2026, 5, 20)
        )
        assert _duty(s, "T001").status == "closure_requested"
    with session_scope(db_with_units) as s:
        nxt = service.rate(session=s, duty_id=duty_id, satisfaction="不满意", opinion="学位仍不足", actor="督查室",
                           now=at(2026, 6, 1), calendar=calendar, policy=policy)  # fmt: skip
        assert nxt.round == 2 and nxt.due == date(2026, 7, 1)
        duty = _duty(s, "T001")
        assert duty.status == "returned" and duty.due == date(2026, 7, 1)
    with session_scope(db_with_units) as s:
        with pytest.raises(LedgerError, match="应晚于"):
            service.extend(session=s, duty_id=duty_id, due=date(2026, 6, 30), reason="调研", actor="督查室",
                           now=at(2026, 6, 2))  # fmt: skip
        service.extend(session=s, duty_id=duty_id, due=date(2026, 7, 15), reason="需实地调研", actor="督查室",
                       now=at(2026, 6, 2))  # fmt: skip
        assert _duty(s, "T001").due == date(2026, 7, 15)
    with session_scope(db_with_units) as s:
        service.reply(session=s, duty_id=duty_id, text="新增学位600个", actor="市教育局", now=at(2026, 7, 10))
        service.rate(session=s, duty_id=duty_id, satisfaction="满意", actor="督查室", now=at(2026, 7, 13),
                     calendar=calendar, policy=policy)  # fmt: skip
    with session_scope(db_with_units) as s:
        duty = _duty(s, "T001")
        assert duty.status == "closed" and duty.grade is not None
        rounds = service.replies(session=s, duty_id=duty_id)
        assert [(r.round, r.satisfaction, r.extensions) for r in rounds] == [(1, "不满意", 0), (2, "满意", 1)]
        actions = set(s.scalars(select(EventRow.action).where(EventRow.entity == "reply")))
        assert actions == {"open", "reply", "rate", "extend"}
        with pytest.raises(WorkflowError, match="已办结"):
            service.reply(session=s, duty_id=duty_id, text="再答复", actor="市教育局", now=at(2026, 7, 20))
        by = {c.source: c for c in source_counts(session=s)}
        assert by["proposal"].total == 2 and by["proposal"].closed == 1 and by["proposal"].redo == 1
        assert by["proposal"].satisfaction == {"不满意": 1, "满意": 1}
        assert by["report"].total == 0 and next(c.source for c in source_counts(session=s)) == "report"
        ranking = source_rankings(session=s, source="proposal")
        # 市城管局's proposal is open and on time, 市教育局's closed (satisfied 1 of 2 ratings): closed share ranks first
        assert [(u.rank, u.unit, u.closed, u.rated, u.satisfied) for u in ranking] == [
            (1, "市教育局", 1, 2, 1),
            (2, "市城市管理局", 0, 0, 0),
        ]
        assert source_rankings(session=s, source="meeting") == []


def test_a_bad_list_is_refused_whole_naming_rows_and_columns(db_with_units):
    with session_scope(db_with_units) as s, pytest.raises(SourceImportError) as err:
        _import(s, bad_proposal_list())
    text = str(err.value)
    assert "第 3 行「委员」列：不能为空" in text and "第 5 行「承办单位」列：单位「市不存在局」不存在" in text
    with session_scope(db_with_units) as s:
        assert s.scalar(select(func.count()).select_from(PlanRow)) == 0
        assert s.scalar(select(func.count()).select_from(ReplyRow)) == 0


@pytest.mark.parametrize(
    ("headers", "rows", "message"),
    [
        (("提案号", "委员", "提案内容", "备注"), (("T1", "王", "事项", "x"),), "未知的列「备注」"),
        (("提案号", "委员"), (("T1", "王"),), "缺少必填列「提案内容」"),
        (("提案号", "委员", "提案内容"), (("T1", "王", "事"), ("T1", "李", "事")), "与第 2 行重复"),
        (("提案号", "委员", "提案内容"), (), "没有任何事项行"),
    ],
)
def test_list_headers_and_rows_are_checked(db_with_units, headers, rows, message):
    with session_scope(db_with_units) as s, pytest.raises(SourceImportError, match=message):
        _import(s, xlsx(headers, rows))


def test_a_handed_down_item_keeps_its_due_and_issuer(db_with_units):
    data = xlsx(
        ("交办事项", "交办单位", "文号", "办理时限", "承办单位"),
        (("推进煤矿安全整治", "省政府督查室", "晋督〔2026〕12号", "2026年4月30日", "市应急局"),),
    )
    with session_scope(db_with_units) as s:
        got = _import(s, data, "交办")
        duty = s.scalars(select(DutyRow)).one()
        assert got.plan.source_kind == "handed_down" and duty.due == date(2026, 4, 30)
        assert duty.item.source_fields == {"issuer": "省政府督查室", "ref": "晋督〔2026〕12号"}
        assert service.replies(session=s, duty_id=duty.id) == []
        with pytest.raises(LedgerError, match="不是建议或提案"):
            service.reply(session=s, duty_id=duty.id, text="已办", actor="x", now=ASSIGNED)
    with pytest.raises(LedgerError, match="日期"), session_scope(db_with_units) as s:
        _import(
            s,
            xlsx(("交办事项", "交办单位", "文号", "办理时限"), (("事", "省", "1号", "四月底"),)),
            "交办",
        )


def test_sources_file_is_valid_and_checked():
    sources = load_sources()
    assert list(sources) == ["report", "handed_down", "instruction", "meeting", "suggestion", "proposal"]
    assert all(s.clock == "13710" for s in sources.values())
    assert sources["suggestion"].reply is not None and sources["suggestion"].reply.months == 3
    with pytest.raises(LedgerError, match="须有必填的事项内容列"):
        parse_sources({"sources": {"report": {"label": "a", "short": "b", "clock": "13710"},
                                   "x": {"label": "c", "short": "d", "clock": "13710", "columns": []}}})  # fmt: skip
    with pytest.raises(LedgerError, match="来源 report 的 clock「hotline」无效：督办事项只走 13710 时钟"):
        parse_sources({"sources": {"report": {"label": "a", "short": "b", "clock": "hotline"}}})
    with pytest.raises(LedgerError, match="来源「议案」不存在"):
        source_of("议案")


def test_the_shipped_sample_list_imports(db_with_units):
    from duban.samples import __file__ as samples

    sample = Path(samples).parent / "示例市2026年政协委员提案清单.xlsx"
    with session_scope(db_with_units) as s:
        got = _import(s, sample.read_bytes())
        assert got.rows == 6 and len(got.assigned) == 5 and len(got.needs_person) == 1
        co = s.scalars(select(AssignmentRow).where(AssignmentRow.rule == "承办单位列")).one()
        assert co.lead_unit.name == "市城市管理局" and [c.unit.name for c in co.co_units] == ["市公安局"]


def test_a_proposal_assigned_by_hand_gets_its_reply_clock(db_with_units):
    with session_scope(db_with_units) as s:
        got = _import(s, proposal_list())
        (item_id,) = got.needs_person
        service.assign(
            session=s, item_id=item_id, unit="市市场监督管理局", actor="督查室", now=at(2026, 3, 31)
        )
        duty = s.scalars(select(DutyRow).where(DutyRow.item_id == item_id)).one()
        rounds = service.replies(session=s, duty_id=duty.id)
        assert duty.due == date(2026, 6, 30) and [(r.round, r.due) for r in rounds] == [
            (1, date(2026, 6, 30))
        ]
        # a second assignment (改派) keeps the round it has
        service.assign(session=s, item_id=item_id, unit="市公安局", actor="督查室", now=at(2026, 4, 1))
        assert len(service.replies(session=s, duty_id=duty.id)) == 1
