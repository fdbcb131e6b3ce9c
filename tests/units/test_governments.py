"""Governments (省/市/县/乡): the tree and its rules, the subtree an account sees, and settings
inherited from the level above."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.units import governments as gov
from tests.ledger.conftest import NOW


def _chain(s) -> dict[str, int]:
    kw = {"session": s, "actor": "test", "now": NOW}
    gov.add_government(name="示例省", level="省", **kw)
    gov.add_government(name="示例市", level="市", parent="示例省", **kw)
    gov.add_government(name="甲县", level="县", parent="示例市", **kw)
    gov.add_government(name="乙县", level="县", parent="示例市", **kw)
    gov.add_government(name="甲镇", level="乡", parent="甲县", **kw)
    return {n.name: n.id for n in gov.tree(session=s)}


def test_the_tree_and_the_subtree_each_sees(db):
    with session_scope(db) as s:
        ids = _chain(s)
        assert [(n.name, n.depth) for n in gov.tree(session=s)] == [
            ("示例省", 0), ("示例市", 1), ("甲县", 2), ("甲镇", 3), ("乙县", 2)
        ]  # fmt: skip
        assert gov.subtree_ids(session=s, government_id=ids["示例市"]) == {
            ids["示例市"], ids["甲县"], ids["乙县"], ids["甲镇"]
        }  # fmt: skip
        assert gov.visible_ids(session=s, government_id=ids["甲县"]) == {ids["甲县"], ids["甲镇"]}
        # rows without a government are the root's: only the root's accounts see them
        assert gov.visible_ids(session=s, government_id=ids["示例省"]) == {*ids.values(), None}
        assert gov.visible_ids(session=s, government_id=None) is None
        assert s.scalar(select(EventRow.action).where(EventRow.entity == "government")) == "create"


@pytest.mark.parametrize(
    ("name", "level", "parent", "field", "words"),
    [
        ("丙县", "县", None, "parent", "已有顶级政府"),
        ("丙县", "区", "示例市", "level", "层级"),
        ("丙市", "市", "示例市", "level", "不能隶属于"),
        ("丙县", "县", "不存在的市", "government", "不存在"),
        ("甲县", "县", "示例市", "name", "已存在"),
        (" ", "县", "示例市", "name", "不能为空"),
    ],
)
def test_a_bad_government_is_refused_naming_the_field(db, name, level, parent, field, words):
    with session_scope(db) as s:
        _chain(s)
    with pytest.raises(gov.GovernmentError) as err, session_scope(db) as s:
        gov.add_government(session=s, name=name, level=level, parent=parent, actor="test", now=NOW)
    assert err.value.field == field and words in str(err.value)


def test_settings_are_inherited_from_the_level_above(db):
    with session_scope(db) as s:
        ids = _chain(s)
        kw = {"session": s, "actor": "test", "now": NOW}
        gov.set_setting(name="示例省", key="extra_holidays", value=["2027-03-01"], **kw)
        gov.set_setting(name="示例市", key="routing_rules", value=[{"name": "市规则"}], **kw)
        gov.set_setting(name="甲县", key="routing_rules", value=[{"name": "县规则"}], **kw)
        assert gov.setting(session=s, government_id=ids["甲镇"], key="routing_rules") == (
            [{"name": "县规则"}],
            "甲县",
        )
        assert gov.setting(session=s, government_id=ids["乙县"], key="routing_rules") == (
            [{"name": "市规则"}],
            "示例市",
        )
        assert gov.setting(session=s, government_id=ids["甲镇"], key="extra_holidays") == (
            ["2027-03-01"],
            "示例省",
        )
        assert gov.setting(session=s, government_id=ids["甲镇"], key="extra_workdays") == (None, None)
        gov.set_setting(name="甲县", key="routing_rules", value=None, **kw)  # dropped: the city's again
        assert gov.setting(session=s, government_id=ids["甲镇"], key="routing_rules")[1] == "示例市"
        with pytest.raises(gov.GovernmentError, match="设置项"):
            gov.setting(session=s, government_id=ids["甲镇"], key="colour")


def test_the_cli_refuses_malformed_settings_and_changes_nothing(tmp_path):
    from click.testing import CliRunner

    from duban.cli import main

    db = ["--database-url", f"sqlite:///{tmp_path / 'duban.sqlite3'}"]
    run = CliRunner().invoke
    assert run(main, ["governments", "add", "示例市", "--level", "市", *db]).exit_code == 0
    for key, value, words in (
        ("routing_rules", '{"rules": [{"unit": "市教育局"}]}', "第 1 条规则（市教育局）没有任何关键词"),
        ("routing_rules", "[]", "应有非空的 rules 列表"),
        ("extra_holidays", '["2027-03-01", "2027-02-30"]', "第 2 个日期「2027-02-30」无效"),
        ("extra_workdays", '"2027-03-01"', "应为日期列表"),
        ("policy", '"13720"', "没有名为“13720”的内置督办策略"),
        ("policy", '{"name": "快办", "steps": [{"key": "deploy", "label": "部署"}]}', "字段"),
    ):
        r = run(main, ["governments", "set", "示例市", key, value, *db])
        assert r.exit_code == 1 and words in r.output, r.output
        shown = run(main, ["governments", "settings", "示例市", *db]).output
        assert f"{key}: （未设置）" in shown
    r = run(main, ["governments", "set", "示例市", "extra_holidays", '["2027-03-02", "2027-03-01"]', *db])
    assert r.exit_code == 0, r.output
    assert '["2027-03-01", "2027-03-02"]' in run(main, ["governments", "settings", "示例市", *db]).output
    assert run(main, ["governments", "set", "示例市", "policy", '"13710"', *db]).exit_code == 0
