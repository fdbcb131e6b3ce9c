"""A household found by hand and by a workbook: the checks that name the field or the row and
column, all-or-nothing imports, a department's list matching households by ID number, and a
cleared household returning to monitoring when a new risk appears."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.monitoring import households, workbook
from duban.monitoring.models import HouseholdRiskRow, HouseholdRow
from duban.monitoring.rules import MonitoringError
from tests.monitoring.conftest import NOW
from tests.monitoring.factories import HEADERS, household, id_number, workbook_bytes


def test_a_household_found_by_hand_is_on_the_list_with_its_risks_and_a_masked_event(db):
    with session_scope(db) as s:
        row = households.create_household(
            session=s, data=household(1, risks=["因病", "因学"]), actor="甲", now=NOW
        )
        hid = row.id
    with session_scope(db) as s:
        got = s.get(HouseholdRow, hid)
        assert got is not None and got.status == "monitoring" and got.found_by == "干部走访排查"
        assert households.risks_of(session=s, ids=[hid])[hid] == ["因病", "因学"]
        ev = s.scalars(
            select(EventRow).where(EventRow.entity == "household", EventRow.action == "create")
        ).one()
        assert (
            ev.after is not None and ev.after["id_number"] == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
        )
        assert id_number(1) not in str(ev.after)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "140121197001010000"}, "id_number"),  # wrong check digit
        ({"id_number": "14012119700101001"}, "id_number"),  # 17 characters
        ({"risks": ["因懒"]}, "risks"),
        ({"risks": []}, "risks"),
        ({"household_type": "普通户"}, "household_type"),
        ({"found_by": "听说"}, "found_by"),
        ({"phone": "12345"}, "phone"),
        ({"members": 0}, "members"),
        ({"township": " "}, "township"),
        ({"resp_unit": "火星局"}, "resp_unit"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(db, change, field):
    with session_scope(db) as s, pytest.raises(MonitoringError) as err:
        households.create_household(session=s, data=household(1, **change), actor="甲", now=NOW)
    assert err.value.field == field and err.value.status == 422
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(HouseholdRow)) == 0


def test_the_same_id_number_twice_is_a_conflict(db):
    with session_scope(db) as s:
        households.create_household(session=s, data=household(1), actor="甲", now=NOW)
    with session_scope(db) as s, pytest.raises(MonitoringError) as err:
        households.create_household(session=s, data=household(1, head_name="别人"), actor="甲", now=NOW)
    assert err.value.status == 409 and "已在监测名单中" in str(err.value)
    assert id_number(1) not in str(err.value)  # the message masks it too


def county_row(seq: int, **kw) -> list:
    base = {"县（市、区）": "样例县", "乡镇": "城关镇", "村": "东关村", "户主姓名": f"户主{seq}", "身份证号": id_number(seq),
            "联系电话": f"1390000{seq:04d}", "家庭人口": 3, "监测对象类别": "边缘易致贫户", "风险类型": "因病、因学",
            "人均纯收入": 6800}  # fmt: skip
    base.update(kw)
    return [base[h] for h in HEADERS]


def test_a_county_list_with_a_title_row_puts_every_household_on_the_list(db):
    data = workbook_bytes(
        [county_row(1), county_row(2, 乡镇="河口镇", 风险类型="因灾")], title="样例县防返贫监测对象名单"
    )
    with session_scope(db) as s:
        report = workbook.import_workbook(session=s, data=data, found_by="干部走访排查", actor="甲", now=NOW)
    assert report.rows == 2 and len(report.created) == 2 and report.matched == []
    with session_scope(db) as s:
        rows = households.list_households(session=s)
        assert [(r.township, r.members, r.income_per_person, r.found_by) for r in rows] == [
            ("城关镇", 3, 6800.0, "干部走访排查"),
            ("河口镇", 3, 6800.0, "干部走访排查"),
        ]
        assert households.risks_of(session=s, ids=[rows[0].id])[rows[0].id] == ["因病", "因学"]


def test_a_bad_row_rejects_the_whole_workbook_naming_row_and_column(db):
    rows = [county_row(1), county_row(2, 身份证号="140121197001010000"), county_row(3, 家庭人口="三口"),
            county_row(4, 风险类型="因懒")]  # fmt: skip
    with session_scope(db) as s, pytest.raises(MonitoringError) as err:
        workbook.import_workbook(
            session=s, data=workbook_bytes(rows), found_by="部门筛查预警", actor="甲", now=NOW
        )
    text = str(err.value)
    assert "未做任何更改" in text and err.value.field == "file"
    assert "第 3 行「身份证号」" in text and "第 4 行「家庭人口」" in text and "第 5 行「风险类型」" in text
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(HouseholdRow)) == 0
        assert (
            s.scalar(select(func.count()).select_from(EventRow).where(EventRow.entity.like("household%")))
            == 0
        )


def test_a_workbook_without_the_needed_headers_or_with_numeric_ids_is_refused(db):
    no_id = workbook_bytes([["样例县", "城关镇"]], headers=["县（市、区）", "乡镇"])
    missing = workbook_bytes([["样例县", id_number(1)]], headers=["县（市、区）", "身份证号"])
    numeric = workbook_bytes([county_row(1, 身份证号=140121197001010011)])
    with session_scope(db) as s:
        for data, words in ((no_id, "找不到表头"), (missing, "缺少列：乡镇、村、户主姓名、风险类型"),
                            (numeric, "存成了数字"), (b"PK-not-a-workbook", "不是有效的 .xlsx")):  # fmt: skip
            with pytest.raises(MonitoringError) as err:
                workbook.import_workbook(session=s, data=data, found_by="部门筛查预警", actor="甲", now=NOW)
            assert words in str(err.value)


def test_a_department_list_matches_by_id_number_and_returns_a_cleared_household(db):
    with session_scope(db) as s:
        known = households.create_household(session=s, data=household(1), actor="甲", now=NOW).id
        cleared = households.create_household(session=s, data=household(2), actor="甲", now=NOW)
        cleared.status = "cleared"
        cleared_id = cleared.id
    # a medical-insurance screening list: large bills for household 1 (a new risk), household 2
    # (cleared: it returns), a stranger (put on the list), and household 1's known risk again
    headers = ["身份证号", "户主姓名", "县（市、区）", "乡镇", "村", "预警类型", "监测对象类别", "预警说明"]
    rows = [[id_number(1), "户主1", "样例县", "城关镇", "东关村", "支出骤增", None, "住院自付 4.2 万元"],
            [id_number(2), "户主2", "样例县", "城关镇", "东关村", "因病", None, "住院自付 3.1 万元"],
            [id_number(9), "户主9", "样例县", "河口镇", "南村", "因病", "突发严重困难户", "住院自付 6 万元"]]  # fmt: skip
    later = NOW + timedelta(days=3)
    with session_scope(db) as s:
        report = workbook.import_workbook(session=s, data=workbook_bytes(rows, headers=headers),
                                          found_by="部门筛查预警", actor="医保局名单", now=later)  # fmt: skip
    assert report.matched == [known, cleared_id] and len(report.created) == 1
    with session_scope(db) as s:
        assert households.risks_of(session=s, ids=[known])[known] == ["因病", "支出骤增"]
        back = s.get(HouseholdRow, cleared_id)
        assert back is not None and back.status == "returned" and back.risk_changed_at == later
        new = s.get(HouseholdRow, report.created[0])
        assert new is not None and new.found_by == "部门筛查预警" and new.household_type == "突发严重困难户"
        notes = s.scalars(select(HouseholdRiskRow.note).where(HouseholdRiskRow.household_id == known)).all()
        assert "住院自付 4.2 万元" in notes
    again = workbook_bytes([rows[0]], headers=headers)
    with session_scope(db) as s:
        report = workbook.import_workbook(
            session=s, data=again, found_by="部门筛查预警", actor="甲", now=later
        )
    assert report.unchanged == [known] and report.matched == []


def test_a_new_household_from_a_department_list_needs_its_type(db):
    headers = ["身份证号", "户主姓名", "县（市、区）", "乡镇", "村", "预警类型"]
    data = workbook_bytes([[id_number(5), "户主5", "样例县", "城关镇", "东关村", "因灾"]], headers=headers)
    with session_scope(db) as s, pytest.raises(MonitoringError) as err:
        workbook.import_workbook(session=s, data=data, found_by="部门筛查预警", actor="甲", now=NOW)
    assert "第 2 行「监测对象类别」" in str(err.value)


def test_the_export_has_the_import_headers_and_masks_unless_told(db):
    import io

    from openpyxl import load_workbook

    with session_scope(db) as s:
        households.create_household(session=s, data=household(1), actor="甲", now=NOW)
        masked = workbook.export_workbook(session=s, unit_id=None, full=lambda _r: False)
        whole = workbook.export_workbook(session=s, unit_id=None, full=lambda _r: True)
    rows = list(load_workbook(io.BytesIO(masked)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:5] == ("县（市、区）", "乡镇", "村", "户主姓名", "身份证号")
    assert rows[1][4] == "1401**********" + id_number(1)[-4:] and rows[1][5] == "138****0001"
    rows = list(load_workbook(io.BytesIO(whole)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[1][4] == id_number(1)
    # what one exports, another county can import: the round trip changes nothing
    with session_scope(db) as s:
        report = workbook.import_workbook(session=s, data=whole, found_by="部门筛查预警", actor="甲", now=NOW)
    assert report.unchanged == [1]
