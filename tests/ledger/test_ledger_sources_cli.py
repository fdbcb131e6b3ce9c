"""The sources CLI as a user calls it: import a proposal list, reply, rate 不满意, reply again,
rate 满意; a bad list exits 1 naming row and column and imports nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from duban.db import session_scope
from duban.ledger.models import DutyRow, ItemRow, PlanRow
from tests.ledger.source_lists import bad_proposal_list, proposal_list
from tests.ledger.test_ledger_cli import run


def test_a_proposal_list_through_the_cli(db, tmp_path):
    assert run(db, "units", "load").exit_code == 0
    f = tmp_path / "提案清单.xlsx"
    f.write_bytes(proposal_list())
    r = run(db, "import", "source", str(f), "--source", "提案", "--at", "2026-03-02")
    assert r.exit_code == 0 and "已导入政协委员提案 3 项" in r.output and "待人工分办 1" in r.output, r.output
    assert "已导入过" in run(db, "import", "source", str(f), "--source", "提案").output
    with session_scope(db) as s:
        duty_id = s.scalars(select(DutyRow.id).join(ItemRow).where(ItemRow.ref == "T001")).one()
    d = str(duty_id)
    r = run(db, "reply", "rate", d, "--satisfaction", "满意")
    assert r.exit_code == 1 and "尚未答复" in r.output
    assert run(db, "reply", "add", d, "--text", "已新建幼儿园3所", "--at", "2026-05-20").exit_code == 0
    r = run(db, "reply", "rate", d, "--satisfaction", "很好")
    assert r.exit_code == 1 and "满意度「很好」无效" in r.output
    r = run(db, "reply", "rate", d, "--satisfaction", "不满意", "--at", "2026-06-01")
    assert r.exit_code == 0 and "重新办理（第 2 次答复时限 2026-07-01）" in r.output, r.output
    r = run(db, "reply", "extend", d, "--due", "2026-07-15", "--reason", "需实地调研")
    assert r.exit_code == 0 and "延至 2026-07-15" in r.output
    r = run(db, "reply", "extend", d, "--due", "七月", "--reason", "x")
    assert r.exit_code == 2 and "不是日期" in r.output
    assert run(db, "reply", "add", d, "--text", "新增学位600个", "--at", "2026-07-10").exit_code == 0
    r = run(db, "reply", "rate", d, "--satisfaction", "满意", "--at", "2026-07-13")
    assert r.exit_code == 0 and "已办结" in r.output
    r = run(db, "sources")
    line = next(x for x in r.output.splitlines() if x.startswith("政协委员提案"))
    assert line.split("\t")[:4] == ["政协委员提案", "2", "1", "1"] and "不满意 1" in line and "满意 1" in line


def test_a_bad_list_exits_1_and_imports_nothing(db, tmp_path):
    assert run(db, "units", "load").exit_code == 0
    f = tmp_path / "bad.xlsx"
    f.write_bytes(bad_proposal_list())
    r = run(db, "import", "source", str(f), "--source", "提案")
    assert (
        r.exit_code == 1 and "第 3 行「委员」列：不能为空" in r.output and "第 5 行「承办单位」列" in r.output
    )
    assert "未导入任何内容" in r.output
    r = run(db, "import", "source", str(f), "--source", "议案")
    assert r.exit_code == 1 and "来源「议案」不存在" in r.output
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(PlanRow)) == 0
