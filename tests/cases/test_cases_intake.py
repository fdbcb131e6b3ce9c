"""Intake: due dates by type on the working-day clock, classification and review, suggested unit,
duplicates linked to a parent, bulk intake, and the citizen's phone masked in every view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.cases.intake import IntakeReport, intake_many, load_classifier
from duban.cases.models import CaseRow
from duban.cases.rules import CaseError, can_see_phone, load_rules, mask_phone, phone_for
from duban.cases.schemas import CaseCreate, CaseRead
from duban.db import session_scope
from duban.units.service import require_unit
from tests.cases.case_factories import new_case
from tests.cases.conftest import NOW


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
    from duban.cases.training_data import LabelledText

    rows = [LabelledText(subject="", detail=t, label=label) for label, ts in TRAINING.items() for t in ts]
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


LAMP = "和平路12号门口路灯不亮已经一周了"
HEAT = "和平路小区3号楼供暖不热，室温只有十二度"


def batch_case(content: str, hours: float, **kw) -> CaseCreate:
    """A grid report received ``hours`` after NOW, at 和平路12号 unless said otherwise."""
    data = {
        "channel": "grid",
        "content": content,
        "address": "平城区和平路12号",
        "received_at": NOW + timedelta(hours=hours),
    }
    return CaseCreate(**{**data, **kw})


def create_events(s, ids) -> dict[int, dict]:
    rows = s.scalars(
        select(EventRow).where(
            EventRow.entity == "case", EventRow.action == "create", EventRow.entity_id.in_(ids)
        )
    )
    return {e.entity_id: e.after for e in rows}


def test_bulk_intake_links_duplicates_inside_the_batch(db, calendar, policy):
    batch = [
        batch_case(LAMP + "！", 2),  # given out of order: the earliest received is the parent
        batch_case(LAMP, 0),
        batch_case(HEAT, 1),
        batch_case(LAMP[:-1], 5),
        batch_case(HEAT + "，请尽快处理", 30),
    ]
    with session_scope(db) as s:
        rep = intake_many(session=s, cases=batch, actor="网格", now=NOW, calendar=calendar, policy=policy)
        lamp, heat = rep.ids[1], rep.ids[2]
        parents = [s.get(CaseRow, i).parent_id for i in rep.ids]
        assert parents == [lamp, None, None, lamp, heat]
        assert rep.duplicates == 3
        after = create_events(s, rep.ids)
        assert [after[i]["parent_id"] for i in rep.ids] == parents  # each link is in its create event
        assert all(after[i]["status"] == "received" for i in rep.ids)


def test_bulk_intake_links_to_a_stored_case_and_its_parent(db, calendar, policy):
    long_lamp, again = LAMP + "晚上出行很不安全", "今天再次反映" + LAMP  # each near LAMP, not each other
    with session_scope(db) as s:
        first = new_case(
            s, now=NOW, calendar=calendar, policy=policy, content=long_lamp, address="平城区和平路12号"
        )
        second = new_case(
            s,
            now=NOW + timedelta(hours=1),
            calendar=calendar,
            policy=policy,
            content=LAMP,
            address="平城区和平路12号",
        )
        heat = new_case(
            s, now=NOW, calendar=calendar, policy=policy, content=HEAT, address="平城区和平路12号"
        )
        assert (second.parent_id, heat.parent_id) == (first.id, None)
        stored = (first.id, heat.id)
    with session_scope(db) as s:
        rep = intake_many(
            session=s, cases=[batch_case(again, 3), batch_case(HEAT + "，请尽快处理", 4), batch_case(again, 5)],
            actor="网格", now=NOW, calendar=calendar, policy=policy,
        )  # fmt: skip
        # `again` is near the stored second case only; its parent is that case's parent
        assert [s.get(CaseRow, i).parent_id for i in rep.ids] == [stored[0], stored[1], stored[0]]
        assert rep.duplicates == 3
        assert [create_events(s, rep.ids)[i]["parent_id"] for i in rep.ids] == [
            stored[0],
            stored[1],
            stored[0],
        ]


def test_bulk_intake_does_not_link_outside_the_window(db, calendar, policy):
    days = load_rules().dedupe_days
    with session_scope(db) as s:
        new_case(
            s, now=NOW - timedelta(days=days, hours=1), calendar=calendar, policy=policy, content=LAMP,
            address="平城区和平路12号",
        )  # fmt: skip
        rep = intake_many(
            session=s, cases=[batch_case(LAMP, 0), batch_case(LAMP, 24 * days + 1)], actor="网格", now=NOW,
            calendar=calendar, policy=policy,
        )  # fmt: skip
        assert [s.get(CaseRow, i).parent_id for i in rep.ids] == [None, None]
        assert rep.duplicates == 0
        inside = intake_many(
            session=s,
            cases=[batch_case(LAMP, 24 * days - 1)],
            actor="网格",
            now=NOW,
            calendar=calendar,
            policy=policy,
        )
        assert s.get(CaseRow, inside.ids[0]).parent_id == rep.ids[0]


def test_bulk_intake_does_not_link_other_places_or_kinds(db, calendar, policy):
    batch = [
        batch_case(LAMP, 0, address=None, lat=40.09, lon=113.29),
        batch_case(LAMP, 1, address=None, lat=40.0905, lon=113.2905),  # ~60 m away: the same place
        batch_case(LAMP, 2, address=None, lat=40.095, lon=113.29),  # ~550 m away
        batch_case(LAMP, 3, address="云冈区新平旺"),
        batch_case(LAMP, 4, address="平城区和平路12号", category="城乡建设"),
        batch_case(LAMP, 5, address="平城区和平路12号", category="环境保护"),
        batch_case(LAMP, 6, address="平城区和平路12号", category="城乡建设"),
        batch_case(LAMP, 7, address=None, address_id="A-100"),
        batch_case(LAMP, 8, address=None, address_id="A-200"),
        batch_case(LAMP, 9, address=None),  # no place at all: never linked
    ]
    with session_scope(db) as s:
        rep = intake_many(session=s, cases=batch, actor="网格", now=NOW, calendar=calendar, policy=policy)
        ids = rep.ids
        assert [s.get(CaseRow, i).parent_id for i in ids] == [
            None, ids[0], None, None, None, None, ids[4], None, None, None,
        ]  # fmt: skip
        assert rep.duplicates == 2


def test_a_batch_links_as_the_same_cases_taken_in_one_by_one(db, calendar, policy):
    """Bulk and single intake share one rule: the same cases, in order of receipt, get the same parents."""
    from duban.cases.intake import intake

    texts = [LAMP, LAMP + "！", HEAT, LAMP[:-2], HEAT + "。", "和平路12号路口垃圾三天没人清运"]
    places = [
        {"address": "平城区和平路12号"},
        {"address": "平城区和平路14号"},
        {"address": None, "lat": 40.09, "lon": 113.29},
    ]
    batch = [
        batch_case(texts[(i * 7) % len(texts)], i * 9, **places[(i * 5) % len(places)]) for i in range(24)
    ]
    with session_scope(db) as s:
        rep = intake_many(session=s, cases=batch, actor="网格", now=NOW, calendar=calendar, policy=policy)
        bulk = {i: s.get(CaseRow, cid).parent_id for i, cid in enumerate(rep.ids)}
        bulk_pos = {i: (rep.ids.index(p) if p else None) for i, p in bulk.items()}
        assert rep.duplicates > 3
    with session_scope(db) as s:
        for row in s.scalars(select(CaseRow)):
            row.received_at = row.received_at - timedelta(days=30)  # out of every window
    with session_scope(db) as s:
        one = [
            intake(session=s, data=c, actor="网格", now=NOW, calendar=calendar, policy=policy).id
            for c in batch
        ]
        single_pos = {
            i: (one.index(p) if (p := s.get(CaseRow, cid).parent_id) else None) for i, cid in enumerate(one)
        }
    assert bulk_pos == single_pos


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
