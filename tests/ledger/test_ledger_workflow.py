"""Assignment, routing and the duty workflow: every allowed and forbidden pair, events for all."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.ledger import service
from duban.ledger.errors import LedgerError
from duban.ledger.models import ActionRow, AssignmentRow, DutyRow, ItemRow, ProgressRow
from duban.ledger.routing import load_rules, parse_rules, route
from duban.ledger.schemas import MilestoneCreate
from duban.ledger.workflow import TRANSITIONS, DutyStatus, WorkflowError
from duban.units.service import DEFAULT_UNITS, UnitError, read_unit_file, require_unit
from tests.ledger.conftest import NOW
from tests.ledger.ledger_factories import assigned_duty, at, load

# ---- routing rules as a table ---------------------------------------------------------------


class _Item:
    def __init__(self, text: str, section: str | None = None, metric: str | None = None) -> None:
        self.text, self.section_title, self.metric, self.quote = text, section, metric, ""


ROUTES = [
    ("新增新能源装机200万千瓦", None, "市能源局"),
    ("原煤产量稳定在1.6亿吨，电力外送增长10%", None, "市能源局"),
    ("建设高标准农田20万亩", None, "市农业农村局"),
    ("粮食播种面积稳定在500万亩", None, "市农业农村局"),
    ("创建国家5A级景区1家", None, "市文化和旅游局"),
    ("接待游客增长15%", "推动文旅融合", "市文化和旅游局"),
    ("改造老旧小区120个", None, "市住房和城乡建设局"),
    ("新建改造供水管网80公里", "城市更新", "市住房和城乡建设局"),
    ("空气优良天数比例达到85%", None, "市生态环境局"),
    ("国考断面水质优良比例100%", None, "市生态环境局"),
    ("城镇新增就业4.5万人", None, "市人力资源和社会保障局"),
    ("地区生产总值增长6%左右", None, "市发展和改革委员会"),
    ("固定资产投资增长8%", None, "市发展和改革委员会"),
    ("规上工业增加值增长7%", None, "市工业和信息化局"),
    ("社会消费品零售总额增长6%", None, "市商务局"),
    ("新建幼儿园10所", None, "市教育局"),
    ("做好各项工作", "扎实推进乡村振兴", "市乡村振兴局"),
]


@pytest.mark.parametrize(("text", "section", "unit"), ROUTES, ids=[r[0][:12] for r in ROUTES])
def test_routing_rules(text, section, unit):
    result = route(rules=load_rules(), item=_Item(text, section))
    assert result is not None and result.unit == unit, result


def test_no_rule_means_a_person_decides():
    assert route(rules=load_rules(), item=_Item("办好群众关心的其他事")) is None


def test_rules_file_is_valid_and_names_known_units():
    rules = load_rules()
    units = read_unit_file(DEFAULT_UNITS)
    known = {u.name for u in units} | {a for u in units for a in u.aliases} | {u.short_name for u in units}
    assert len({r.unit for r in rules}) >= 25
    assert all(r.unit in known for r in rules)


def test_bad_rules_are_refused_with_position():
    with pytest.raises(LedgerError, match="第 2 条规则"):
        parse_rules({"rules": [{"unit": "甲", "keywords": ["a"]}, {"keywords": ["b"]}]})


# ---- assignment -----------------------------------------------------------------------------


def test_a_plan_is_routed_by_its_governments_own_rules(db_with_units):
    """示例市 keeps its own routing rules; 甲县 below it inherits them, 乙县 below sets its own,
    a plan without a government keeps the shipped ones; a malformed setting names its government."""
    from duban.ledger.routing import rules_for
    from duban.units import governments as gov

    kw = {"actor": "test", "now": NOW}
    with session_scope(db_with_units) as s:
        gov.add_government(session=s, name="示例市", level="市", **kw)
        gov.add_government(session=s, name="甲县", level="县", parent="示例市", **kw)
        gov.add_government(session=s, name="乙县", level="县", parent="示例市", **kw)
        gov.attach_units(session=s, government="甲县", units=[require_unit(session=s, name="市教育局")], **kw)
        city_rules = {"rules": [{"unit": "市教育局", "keywords": ["群众关心"]}]}
        gov.set_setting(session=s, name="示例市", key="routing_rules", value=city_rules, **kw)
        ids = {g.name: g.id for g in gov.tree(session=s)}
        assert rules_for(session=s, government_id=None) == load_rules()
        assert [r.unit for r in rules_for(session=s, government_id=ids["甲县"])] == ["市教育局"]

        plan = load(s, now=NOW, seed="county")
        plan.government_id = ids["甲县"]
        assigned, needs_person = service.auto_assign(session=s, plan_id=plan.id, actor="督查室", now=NOW)
        refs = {i.id: i.ref for i in plan.items}
        assert [refs[i] for i in assigned] == ["t4"]  # only the city's one rule applies
        a4 = s.scalar(select(AssignmentRow).where(AssignmentRow.item_id.in_(assigned)))
        assert a4.lead_unit.name == "市教育局"
        assert sorted(refs[i] for i in needs_person) == ["q1", "t1", "t2", "t3"]

        gov.set_setting(session=s, name="乙县", key="routing_rules", value={"rules": [{"unit": "甲"}]}, **kw)
        with pytest.raises(LedgerError, match="政府「乙县」的设置 routing_rules: 第 1 条规则"):
            rules_for(session=s, government_id=ids["乙县"])


def test_auto_assign_then_override_is_logged(db_with_units):
    with session_scope(db_with_units) as s:
        plan = load(s, now=NOW)
        assigned, needs_person = service.auto_assign(
            session=s, plan_id=plan.id, rules=load_rules(), actor="督查室", now=NOW
        )
        refs = {i.id: i.ref for i in plan.items}
        assert sorted(refs[i] for i in assigned) == ["q1", "t1", "t2", "t3"]
        assert [refs[i] for i in needs_person] == ["t4"]
        by_ref = {i.ref: i for i in plan.items}
        a1 = s.scalar(select(AssignmentRow).where(AssignmentRow.item_id == by_ref["t1"].id))
        assert a1.lead_unit.name == "市能源局" and a1.rule and a1.rule.startswith("routing#")
        gdp_duty = s.scalar(select(DutyRow).where(DutyRow.item_id == by_ref["q1"].id))
        assert gdp_duty.major and gdp_duty.due == date(
            2023, 12, 31
        )  # headline → major; no deadline → year end
        # second run assigns nothing new
        again = service.auto_assign(session=s, plan_id=plan.id, rules=load_rules(), actor="督查室", now=NOW)
        assert again == ([], needs_person)
        # a person overrides
        service.assign(session=s, item_id=by_ref["t1"].id, unit="市发改委", co_units=["能源局", "平城区"],
                       leader="李副市长", actor="王主任", now=NOW + timedelta(hours=1))  # fmt: skip
        ev = s.scalars(select(EventRow).where(EventRow.action == "override")).one()
        assert ev.actor == "王主任" and ev.entity_id == a1.id
        assert ev.before["lead_unit"] == "市能源局" and ev.before["rule"].startswith("routing#")
        assert ev.after["lead_unit"] == "市发展和改革委员会"
        assert ev.after["co_units"] == ["市能源局", "平城区"] and ev.after["leader"] == "李副市长"
        assert ev.after["rule"] is None
        assert s.scalar(select(func.count()).select_from(DutyRow)) == 4


def test_assign_unknown_unit_or_achievement_is_refused(db_with_units):
    with session_scope(db_with_units) as s:
        plan = load(s, now=NOW)
        task = next(i for i in plan.items if i.kind == "task")
        with pytest.raises(UnitError, match="单位「市宇宙局」不存在"):
            service.assign(session=s, item_id=task.id, unit="市宇宙局", actor="x", now=NOW)
        ach = next(i for i in plan.items if i.kind == "achievement")
        with pytest.raises(LedgerError, match="不交办"):
            service.assign(session=s, item_id=ach.id, unit="市能源局", actor="x", now=NOW)


# ---- the workflow ---------------------------------------------------------------------------

# how to bring a fresh duty into each status, through allowed transitions only
PATHS = {
    DutyStatus.ASSIGNED: [],
    DutyStatus.DEPLOYED: [DutyStatus.DEPLOYED],
    DutyStatus.IN_PROGRESS: [DutyStatus.DEPLOYED, DutyStatus.IN_PROGRESS],
    DutyStatus.CLOSURE_REQUESTED: [DutyStatus.DEPLOYED, DutyStatus.IN_PROGRESS, DutyStatus.CLOSURE_REQUESTED],
    DutyStatus.CLOSED: [DutyStatus.DEPLOYED, DutyStatus.IN_PROGRESS, DutyStatus.CLOSURE_REQUESTED, DutyStatus.CLOSED],
    DutyStatus.RETURNED: [DutyStatus.DEPLOYED, DutyStatus.IN_PROGRESS, DutyStatus.CLOSURE_REQUESTED, DutyStatus.RETURNED],
}  # fmt: skip

PAIRS = list(itertools.product(DutyStatus, DutyStatus))


def test_the_table_is_reachable_and_closed_is_final():
    assert set(PATHS) == set(DutyStatus)
    assert not [b for (a, b) in TRANSITIONS if a is DutyStatus.CLOSED]


def _walk(s, duty_id, steps):
    for n, step in enumerate(steps):
        service.transition(session=s, duty_id=duty_id, to=step, actor="u", now=NOW + timedelta(hours=n + 1),
                           reason="材料不全" if step is DutyStatus.RETURNED else None)  # fmt: skip


@pytest.mark.parametrize(("src", "dst"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair(db_with_units, src, dst):
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=NOW)
        _walk(s, duty.id, PATHS[src])
        assert duty.status == src.value
        events_before = s.scalar(select(func.count()).select_from(EventRow))
        reason = "材料不全" if dst is DutyStatus.RETURNED else None
        if (src, dst) in TRANSITIONS:
            service.transition(session=s, duty_id=duty.id, to=dst, actor="审核人", now=NOW + timedelta(days=2),
                               reason=reason)  # fmt: skip
            assert duty.status == dst.value
            ev = s.scalars(select(EventRow).order_by(EventRow.id.desc()).limit(1)).one()
            assert (ev.entity, ev.entity_id, ev.actor) == ("duty", duty.id, "审核人")
            assert (ev.before["status"], ev.after["status"]) == (src.value, dst.value)
            assert ev.action == TRANSITIONS[(src, dst)]
        else:
            with pytest.raises(WorkflowError, match="不允许的状态变更"):
                service.transition(session=s, duty_id=duty.id, to=dst, actor="审核人", now=NOW, reason=reason)
            assert duty.status == src.value
            assert s.scalar(select(func.count()).select_from(EventRow)) == events_before


def test_return_needs_a_reason(db_with_units):
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=NOW)
        _walk(s, duty.id, PATHS[DutyStatus.CLOSURE_REQUESTED])
        with pytest.raises(WorkflowError, match="理由"):
            service.transition(session=s, duty_id=duty.id, to=DutyStatus.RETURNED, actor="u", now=NOW)


def test_progress_moves_the_workflow_and_is_logged(db_with_units):
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=at(2023, 1, 3))
        p = service.add_progress(session=s, duty_id=duty.id, text="已召开专题会研究部署", actor="市能源局",
                                 now=at(2023, 1, 4), figure=20.0, share=10)  # fmt: skip
        assert duty.status == "in_progress"
        assert duty.deployed_at == duty.first_feedback_at == duty.last_feedback_at == at(2023, 1, 4)
        actions = [e.action for e in s.scalars(select(EventRow).where(EventRow.entity_id == duty.id,
                                                                       EventRow.entity == "duty").order_by(EventRow.id))]  # fmt: skip
        assert actions == ["create", "deploy", "feedback"]
        assert s.scalars(select(EventRow).where(EventRow.entity == "progress")).one().entity_id == p.id
        service.add_progress(
            session=s, duty_id=duty.id, text="完成50%", actor="市能源局", now=at(2023, 3, 1), share=50
        )
        assert duty.last_feedback_at == at(2023, 3, 1) and duty.first_feedback_at == at(2023, 1, 4)
        with pytest.raises(LedgerError, match="0–100"):
            service.add_progress(session=s, duty_id=duty.id, text="x", actor="u", now=NOW, share=120)
        assert s.scalar(select(func.count()).select_from(ProgressRow)) == 2


def test_review_closure_grades_by_timeliness_and_judgement(db_with_units, calendar, policy):
    with session_scope(db_with_units) as s:
        on_time = assigned_duty(s, now=at(2023, 1, 3), seed="a")
        service.add_progress(session=s, duty_id=on_time.id, text="推进", actor="u", now=at(2023, 1, 4))
        service.request_closure(session=s, duty_id=on_time.id, actor="u", now=at(2023, 1, 10), text="已完成")
        service.review_closure(session=s, duty_id=on_time.id, decision="approve", actor="督查室",
                               now=at(2023, 1, 11), calendar=calendar, policy=policy, grade="良好")  # fmt: skip
        assert (on_time.status, on_time.grade) == ("closed", "良好")

        late = assigned_duty(s, now=at(2023, 1, 3), seed="b", ref="t2")  # due 2023-06-30
        service.add_progress(session=s, duty_id=late.id, text="推进", actor="u", now=at(2023, 1, 4))
        service.request_closure(session=s, duty_id=late.id, actor="u", now=at(2023, 7, 10))
        service.review_closure(session=s, duty_id=late.id, decision="return", actor="督查室", now=at(2023, 7, 11),
                               calendar=calendar, policy=policy, reason="佐证材料不足")  # fmt: skip
        assert late.status == "returned" and late.return_reason == "佐证材料不足"
        with pytest.raises(WorkflowError):
            service.review_closure(session=s, duty_id=late.id, decision="approve", actor="督查室",
                                   now=at(2023, 7, 11), calendar=calendar, policy=policy)  # fmt: skip
        service.add_progress(session=s, duty_id=late.id, text="补充材料", actor="u", now=at(2023, 7, 13))
        # the request that counts is the one after the return: 2023-07-14, 10 working days late
        service.request_closure(session=s, duty_id=late.id, actor="u", now=at(2023, 7, 14))
        service.review_closure(session=s, duty_id=late.id, decision="approve", actor="督查室",
                               now=at(2023, 7, 17), calendar=calendar, policy=policy)  # fmt: skip
        assert late.grade == "合格"  # more than 5, at most 20 working days late


def test_milestones_only_for_major_duties(db_with_units):
    with session_scope(db_with_units) as s:
        plain = assigned_duty(s, now=NOW, seed="a")
        with pytest.raises(LedgerError, match="不是重大事项"):
            service.set_milestones(session=s, duty_id=plain.id, milestones=[], actor="u", now=NOW)
        major = assigned_duty(s, now=NOW, seed="b", major=True)
        rows = service.set_milestones(
            session=s, duty_id=major.id, actor="u", now=NOW,
            milestones=[MilestoneCreate(name="完成选址", due=date(2023, 3, 31)),
                        MilestoneCreate(name="开工建设", due=date(2023, 6, 30))],
        )  # fmt: skip
        assert [m.name for m in rows] == ["完成选址", "开工建设"]
        m = service.complete_milestone(
            session=s, duty_id=major.id, name="完成选址", actor="u", now=at(2023, 3, 1)
        )
        assert m.done_at == at(2023, 3, 1)
        assert s.scalar(select(func.count()).select_from(EventRow).where(EventRow.entity == "milestone")) == 1


def test_every_row_change_has_an_event(db_with_units, calendar, policy):
    """Counts of rows the service created equal the counts of their 'create' events."""
    with session_scope(db_with_units) as s:
        plan = load(s, now=NOW)
        service.auto_assign(session=s, plan_id=plan.id, rules=load_rules(), actor="督查室", now=NOW)
        for duty in s.scalars(select(DutyRow)):
            service.add_progress(
                session=s, duty_id=duty.id, text="进展", actor="u", now=NOW + timedelta(days=1)
            )
        from duban.ledger.tick import tick

        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 4, 20))

        def created(entity: str) -> int:
            q = (
                select(func.count())
                .select_from(EventRow)
                .where(EventRow.entity == entity, EventRow.action == "create")
            )
            return s.scalar(q)

        assert created("duty") == s.scalar(select(func.count()).select_from(DutyRow))
        assert created("progress") == s.scalar(select(func.count()).select_from(ProgressRow))
        assert s.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.action == "assign")
        ) == s.scalar(select(func.count()).select_from(AssignmentRow))
        actions = set(s.execute(select(ActionRow.duty_id, ActionRow.key)).all())
        assert actions
        logged = {
            (e.entity_id, a["key"])
            for e in s.scalars(select(EventRow).where(EventRow.action == "tick"))
            for a in e.after["actions"]
        }
        assert logged == actions
        assert s.scalar(select(func.count()).select_from(ItemRow)) == 6
