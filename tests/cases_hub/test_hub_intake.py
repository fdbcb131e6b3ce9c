"""Intake: due dates by type on the working-day clock, classification and review, suggested unit,
duplicates linked to a parent, bulk intake, and the citizen's phone masked in every view."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from duban.cases.intake import IntakeReport, intake_many, load_classifier
from duban.cases.models import CaseRow
from duban.cases.rules import CaseError, can_see_phone, load_rules, mask_phone, phone_for
from duban.cases.schemas import CaseCreate, CaseRead
from duban.db import session_scope
from duban.ledger.models import EventRow
from duban.ledger.units import require_unit
from tests.cases_hub.conftest import NOW
from tests.cases_hub.hub_factories import new_case


class KeywordClassifier:
    """A tiny classifier of our own for tests: a keyword decides, with a fixed confidence."""

    def __init__(self, rules: dict[str, tuple[str, float]]) -> None:
        self.rules = rules

    def classify(self, text: str) -> tuple[str, float] | None:
        for word, (label, conf) in self.rules.items():
            if word in text:
                return label, conf
        return None


CLASSIFIER = KeywordClassifier({"工资": ("劳动和社会保障", 0.93), "噪音": ("环境保护", 0.41)})

MASKS = [
    ("13812341234", "138****1234"),
    ("138 1234 1234", "138****1234"),
    ("+86 138-1234-1234", "138****1234"),
    ("0352-7654321", "035****4321"),
    ("1234567", "*******"),
]


@pytest.mark.parametrize(("phone", "masked"), MASKS, ids=[m[0] for m in MASKS])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("role", "sees"), [("operator", True), ("office", True), ("unit", True), ("leader", False), (None, False)]
)
def test_only_roles_that_call_back_see_the_phone(role, sees):
    assert can_see_phone(role) is sees
    assert phone_for("13812341234", role) == ("13812341234" if sees else "138****1234")


def test_case_view_masks_the_phone(db, calendar, policy):
    with session_scope(db) as s:
        row = new_case(s, now=NOW, calendar=calendar, policy=policy)
        assert CaseRead.of(row, role="leader").citizen_phone == "138****1234"
        assert CaseRead.of(row, role=None).citizen_phone == "138****1234"
        assert CaseRead.of(row, role="operator").citizen_phone == "13812341234"
        create = s.scalars(
            select(EventRow).where(EventRow.entity == "case", EventRow.action == "create")
        ).one()
        assert create.after["citizen_phone"] == "138****1234"


@pytest.mark.parametrize(
    ("case_type", "urgent", "due"),
    [
        ("咨询", False, date(2026, 3, 5)),
        ("求助", False, date(2026, 3, 17)),
        ("建议", False, date(2026, 3, 17)),
        ("投诉", False, date(2026, 3, 24)),
        ("举报", False, date(2026, 3, 24)),
        ("投诉", True, date(2026, 3, 3)),
    ],
)
def test_due_date_by_type_on_the_working_day_clock(db, calendar, policy, case_type, urgent, due):
    with session_scope(db) as s:
        row = new_case(s, now=NOW, calendar=calendar, policy=policy, case_type=case_type, urgent=urgent)
        assert row.due_date == due


def test_due_date_skips_the_spring_festival(db, calendar, policy):
    eve = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)  # Friday before the 2026 Spring Festival break
    with session_scope(db) as s:
        row = new_case(s, now=eve, calendar=calendar, policy=policy, case_type="咨询")
        assert row.due_date == calendar.add_workdays(date(2026, 2, 13), 2)
        assert row.due_date > date(2026, 2, 23)


def test_without_a_model_the_category_is_empty_and_needs_review(db, calendar, policy):
    with session_scope(db) as s:
        row = new_case(s, now=NOW, calendar=calendar, policy=policy)
        assert (row.category, row.confidence, row.review, row.suggested_unit_id) == (
            None,
            None,
            "needs_review",
            None,
        )
        given = new_case(s, now=NOW, calendar=calendar, policy=policy, category="城乡建设", address="别处")
        assert (given.category, given.review) == ("城乡建设", "confirmed")


def test_classifier_sets_category_unit_and_review_by_confidence(db, calendar, policy):
    from duban.cases.intake import intake

    with session_scope(db) as s:
        sure = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="公司拖欠工资三个月"), actor="t", now=NOW,
            calendar=calendar, policy=policy, classifier=CLASSIFIER,
        )  # fmt: skip
        assert (sure.category, sure.confidence, sure.review) == ("劳动和社会保障", 0.93, "auto")
        assert sure.suggested_unit_id == require_unit(session=s, name="市人社局").id
        unsure = intake(
            session=s, data=CaseCreate(channel="hotline_app", content="楼下烧烤店噪音扰民"), actor="t", now=NOW,
            calendar=calendar, policy=policy, classifier=CLASSIFIER,
        )  # fmt: skip
        assert (unsure.category, unsure.review) == ("环境保护", "needs_review")
        assert load_rules().review_below > 0.41


def test_load_classifier_names_a_missing_file(tmp_path):
    assert load_classifier(None) is None
    with pytest.raises(CaseError, match="不存在"):
        load_classifier(tmp_path / "none.joblib")


def test_near_duplicates_are_linked_to_the_first_case(db, calendar, policy):
    with session_scope(db) as s:
        first = new_case(
            s, now=NOW, calendar=calendar, policy=policy, content="和平路12号门口路灯不亮已经一周了"
        )
        second = new_case(
            s,
            now=NOW.replace(hour=5),
            calendar=calendar,
            policy=policy,
            content="和平路12号门口路灯不亮已经一周了！",
        )
        third = new_case(
            s,
            now=NOW.replace(hour=6),
            calendar=calendar,
            policy=policy,
            content="和平路12号门口路灯不亮已经一周",
        )
        other_place = new_case(
            s, now=NOW.replace(hour=7), calendar=calendar, policy=policy,
            content="和平路12号门口路灯不亮已经一周了", address="云冈区新平旺",
        )  # fmt: skip
        other_topic = new_case(
            s, now=NOW.replace(hour=8), calendar=calendar, policy=policy, content="和平路小区供暖不热"
        )
        assert (first.parent_id, second.parent_id, third.parent_id) == (None, first.id, first.id)
        assert (other_place.parent_id, other_topic.parent_id) == (None, None)
        later = new_case(
            s, now=datetime(2026, 3, 20, 2, 0, tzinfo=UTC), calendar=calendar, policy=policy,
            content="和平路12号门口路灯不亮已经一周了",
        )  # fmt: skip
        assert later.parent_id is None  # beyond dedupe_days


TRAINING = {
    "劳动和社会保障": [
        "公司拖欠工资三个月",
        "农民工工资被克扣",
        "社保断缴怎么补",
        "单位不给交养老保险",
        "加班费一直不发",
        "辞退不给经济补偿",
    ],
    "环境保护": [
        "工厂夜里排放黑烟",
        "河道里有污水直排",
        "楼下饭店油烟太大",
        "工地扬尘严重",
        "化工厂气味刺鼻",
        "垃圾焚烧冒黑烟",
    ],
    "交通运输": [
        "公交车改线不方便",
        "出租车拒载乘客",
        "路口红绿灯时间太短",
        "长途客车超载",
        "公交站台被拆除",
        "网约车乱停乱放",
    ],
}


def test_a_trained_model_file_classifies_new_cases(db, calendar, policy, tmp_path):
    from duban.cases import classify
    from duban.cases.intake import intake

    rows = [
        classify.LabelledText(subject="", detail=t, label=label) for label, ts in TRAINING.items() for t in ts
    ]
    path = tmp_path / "model.pkl"
    classify.train(rows).save(path)
    model = load_classifier(path)
    with session_scope(db) as s:
        row = intake(
            session=s, data=CaseCreate(channel="hotline_web", content="老板拖欠工资不发"), actor="t", now=NOW,
            calendar=calendar, policy=policy, classifier=model,
        )  # fmt: skip
        assert row.category == "劳动和社会保障" and 0 < row.confidence <= 1
        assert row.review == ("auto" if row.confidence >= load_rules().review_below else "needs_review")
        assert row.suggested_unit_id == require_unit(session=s, name="市人社局").id
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"not a model")
    with pytest.raises(CaseError, match="不是 duban 工单分类模型文件"):
        load_classifier(bad)


def test_bulk_intake_skips_existing_source_ids(db, calendar, policy):
    batch = [
        CaseCreate(
            channel="grid",
            case_type="求助",
            content=f"网格员上报第{i}号井盖缺失",
            source="grid",
            external_id=f"G{i}",
        )
        for i in range(50)
    ]
    with session_scope(db) as s:
        rep = intake_many(session=s, cases=batch, actor="网格", now=NOW, calendar=calendar, policy=policy)
        assert rep == IntakeReport(created=50, skipped_existing=0, needs_review=50, ids=rep.ids)
        assert len(set(rep.ids)) == 50
    with session_scope(db) as s:
        more = [*batch[40:], batch[0].model_copy(update={"external_id": "G99"})]
        again = intake_many(session=s, cases=more, actor="网格", now=NOW, calendar=calendar, policy=policy)
        assert (again.created, again.skipped_existing) == (1, 10)
        assert s.scalar(select(func.count()).select_from(CaseRow)) == 51
        assert s.scalar(select(func.count()).select_from(EventRow).where(EventRow.entity == "case")) == 51
        row = s.get(CaseRow, rep.ids[3])
        assert (row.due_date, row.month, row.status) == (date(2026, 3, 17), "2026-03", "received")


def test_single_intake_refuses_a_known_source_id(db, calendar, policy):
    with session_scope(db) as s:
        new_case(
            s, now=NOW, calendar=calendar, policy=policy, source="110", external_id="J1", channel="police_110"
        )
        with pytest.raises(CaseError, match="已受理"):
            new_case(
                s,
                now=NOW,
                calendar=calendar,
                policy=policy,
                source="110",
                external_id="J1",
                channel="police_110",
            )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("channel", "fax", "渠道"),
        ("case_type", "表扬", "工单类型"),
        ("content", "", "at least 1"),
        ("content", "长" * 4001, "at most 4000"),
        ("lat", 123.0, "less than or equal"),
    ],
)
def test_create_schema_names_the_bad_field(field, value, message):
    data = {"channel": "hotline_phone", "content": "路灯不亮", field: value}
    with pytest.raises(ValidationError) as err:
        CaseCreate(**data)
    assert err.value.errors()[0]["loc"] == (field,)
    assert message in str(err.value)


def test_a_person_confirms_a_low_confidence_category(db, calendar, policy):
    from duban.cases.flow import confirm_category

    with session_scope(db) as s:
        row = new_case(s, now=NOW, calendar=calendar, policy=policy)
        assert row.review == "needs_review"
        unit = require_unit(session=s, name="市城管局").id
        row = confirm_category(
            session=s, case_id=row.id, category="城乡建设", unit_id=unit, actor="话务员", now=NOW
        )
        assert (row.category, row.review, row.suggested_unit_id) == ("城乡建设", "confirmed", unit)
        with pytest.raises(CaseError, match="分类不能为空"):
            confirm_category(session=s, case_id=row.id, category=" ", actor="话务员", now=NOW)
        last = s.scalars(select(EventRow).order_by(EventRow.id.desc()).limit(1)).one()
        assert (last.action, last.before["review"], last.after["review"]) == (
            "confirm_category",
            "needs_review",
            "confirmed",
        )
