"""Auto-dispatch (智能派单): a case whose classification clears the model's threshold goes to its
category's unit at intake (single and bulk), logged with its confidence; the rest wait; an
operator can recall one the unit has not signed for."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.cases.auto_dispatch import recall, was_auto_dispatched
from duban.cases.classify_auto import choose_threshold, dispatch_figures
from duban.cases.flow import FlowError, accept, dispatch
from duban.cases.intake import intake, intake_many
from duban.cases.models import CaseRow, DispatchRow
from duban.cases.schemas import CaseCreate
from duban.db import session_scope
from duban.units.service import require_unit
from tests.cases.conftest import NOW


class ThresholdClassifier:
    """A keyword classifier of our own for tests, with an auto-dispatch threshold like a model's."""

    def __init__(self, rules: dict[str, tuple[str, float]], threshold: float | None) -> None:
        self.rules, self.threshold = rules, threshold

    def classify(self, text: str) -> tuple[str, float] | None:
        for word, (label, conf) in self.rules.items():
            if word in text:
                return label, conf
        return None

    def auto_threshold(self) -> float | None:
        return self.threshold


RULES = {"工资": ("劳动和社会保障", 0.97), "学校": ("教育文体", 0.88), "噪音": ("环境保护", 0.41)}


def _events(s, case_id: int) -> list[EventRow]:
    q = select(EventRow).where(EventRow.entity == "case", EventRow.entity_id == case_id)
    return list(s.scalars(q.order_by(EventRow.id)))


def test_threshold_keeps_the_target_precision_and_the_largest_share() -> None:
    conf = np.array([0.99, 0.98, 0.95, 0.95, 0.9, 0.8, 0.7, 0.6])
    right = np.array([1, 1, 1, 0, 1, 1, 0, 0])
    auto = choose_threshold(conf, right, target=0.8)
    # 0.95 ties go out together: 4 right of 5 at 0.9 → 0.8; 5 of 6 at 0.8 → 0.833 (the lowest that keeps it)
    assert (auto.threshold, auto.share, auto.precision) == (0.8, 0.75, 0.8333)
    strict = choose_threshold(conf, right, target=1.0)
    assert (strict.threshold, strict.share) == (0.98, 0.25)
    never = choose_threshold(np.array([0.9, 0.8]), np.array([0, 0]), target=0.95)
    assert never.share == 0 and not never.clears(0.999)
    assert dispatch_figures(conf, right, 0.9) == (0.625, 0.8)
    with pytest.raises(ValueError):
        choose_threshold(conf, right, target=0)


def test_a_case_above_the_threshold_is_dispatched_at_intake(db, calendar, policy) -> None:
    classifier = ThresholdClassifier(RULES, threshold=0.95)
    with session_scope(db) as s:
        sure = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="公司拖欠工资三个月"), actor="话务员",
            now=NOW, calendar=calendar, policy=policy, classifier=classifier,
        )  # fmt: skip
        unsure = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="学校乱收费"), actor="话务员",
            now=NOW, calendar=calendar, policy=policy, classifier=classifier,
        )  # fmt: skip
        unit = require_unit(session=s, name="市人社局").id
        assert (sure.status, sure.unit_id, sure.dispatched_at) == ("dispatched", unit, NOW)
        events = _events(s, sure.id)
        assert [e.action for e in events] == ["create", "dispatch"]
        assert events[1].after["reason"] == "智能派单（置信度 0.970 ≥ 阈值 0.950）"
        assert s.scalar(select(DispatchRow.unit_id).where(DispatchRow.case_id == sure.id)) == unit
        # below the threshold: waits for an operator
        assert (unsure.status, unsure.unit_id) == ("received", None)
        assert [e.action for e in _events(s, unsure.id)] == ["create"]


def test_no_threshold_no_auto_dispatch_and_bulk_intake_counts_them(db, calendar, policy) -> None:
    texts = ["某公司拖欠工资三个月不发", "学校乱收费", "夜间施工噪音扰民", "某公司拖欠工资三个月不发。"]
    batch = [
        CaseCreate(channel="grid", content=t, source="grid", external_id=f"A{i}", address="和平路12号")
        for i, t in enumerate(texts)
    ]
    with session_scope(db) as s:
        off = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="拖欠工资"), actor="t", now=NOW,
            calendar=calendar, policy=policy, classifier=ThresholdClassifier(RULES, threshold=None),
        )  # fmt: skip
        assert off.status == "received"
        rep = intake_many(
            session=s, cases=batch, actor="网格", now=NOW, calendar=calendar, policy=policy,
            classifier=ThresholdClassifier(RULES, threshold=0.85),
        )  # fmt: skip
        # 工资 0.97 and 学校 0.88 clear 0.85; the second 工资 case is a duplicate of the first (waits)
        rows = [s.get_one(CaseRow, i) for i in rep.ids]
        assert [r.status for r in rows] == ["dispatched", "dispatched", "received", "received"]
        assert rows[3].parent_id == rows[0].id
        assert rep.auto_dispatched == 2


def test_an_operator_recalls_an_auto_dispatched_case(db, calendar, policy) -> None:
    classifier = ThresholdClassifier(RULES, threshold=0.95)
    with session_scope(db) as s:
        case = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="公司拖欠工资"), actor="话务员",
            now=NOW, calendar=calendar, policy=policy, classifier=classifier,
        )  # fmt: skip
        assert was_auto_dispatched(session=s, case_id=case.id)
        with pytest.raises(FlowError, match="理由"):
            recall(session=s, case_id=case.id, reason=" ", actor="班长", now=NOW)
        row = recall(session=s, case_id=case.id, reason="实为劳务合同纠纷", actor="班长", now=NOW)
        assert (row.status, row.review) == ("returned", "needs_review")
        actions = [(e.action, (e.after or {}).get("reason")) for e in _events(s, case.id)]
        assert actions[-2:] == [("return", "召回智能派单：实为劳务合同纠纷"), ("recall", "实为劳务合同纠纷")]
        # dispatched again by a person: no longer an auto-dispatch, and cannot be recalled
        unit = require_unit(session=s, name="市司法局").id
        dispatch(session=s, case_id=case.id, unit_id=unit, actor="班长", now=NOW, calendar=calendar)
        assert not was_auto_dispatched(session=s, case_id=case.id)
        with pytest.raises(FlowError, match="无法召回"):
            recall(session=s, case_id=case.id, reason="再召回", actor="班长", now=NOW)
        # a signed-for auto-dispatch cannot be recalled either (首接负责)
        other = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="工资被克扣"), actor="话务员",
            now=NOW, calendar=calendar, policy=policy, classifier=classifier,
        )  # fmt: skip
        accept(session=s, case_id=other.id, actor="人社", now=NOW)
        with pytest.raises(FlowError, match="无法召回"):
            recall(session=s, case_id=other.id, reason="错派", actor="班长", now=NOW)
