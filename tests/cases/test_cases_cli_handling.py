"""``duban cases`` on stored cases, called as a user would: intake, import-311 with SLA figures, tick,
rates and the monthly report; mistakes give one clear line and exit 1."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from duban.cli import cases as cases_cli
from tests.conftest import shared_path

INTAKE = """channel,case_type,content,citizen_phone,address,received_at,urgent
hotline_phone,投诉,小区门口路灯不亮一周了,13812341234,平城区和平路12号,2026-03-03T10:00:00+08:00,
grid,求助,井盖缺失有危险,,云冈区新平旺,2026-03-03T11:00:00+08:00,是
"""


@pytest.fixture
def duban() -> click.Group:
    root = click.Group("duban")
    cases_cli.register(root)
    return root


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(duban, *args):
    return CliRunner().invoke(duban, list(args), catch_exceptions=False)


def test_one_cases_group_holds_every_case_command():
    root = click.Group("duban")
    cases_cli.register(root)
    assert set(root.commands) == {"cases"}  # no second "case" group
    group = root.commands["cases"]
    assert isinstance(group, click.Group)
    assert {"train", "classify", "intake", "import-311", "tick", "rates", "report"} <= set(group.commands)


def test_intake_tick_rates_report(duban, url, tmp_path):
    csv_path = tmp_path / "in.csv"
    csv_path.write_text(INTAKE, encoding="utf-8")
    r = run(duban, "cases", "intake", str(csv_path), "--database-url", url, "--at", "2026-03-03")
    assert r.exit_code == 0, r.output
    assert "受理 2 件，已存在跳过 0 件，待人工确认分类 2 件" in r.output
    r = run(duban, "cases", "tick", "--database-url", url, "--at", "2026-03-04")
    assert r.exit_code == 0 and "检查在办工单 2 件；新增动作 1 条（remind 1）" in r.output  # the urgent one
    r = run(duban, "cases", "tick", "--database-url", url, "--at", "2026-03-04")
    assert "新增动作 0 条" in r.output
    r = run(duban, "cases", "rates", "--database-url", url, "--json")
    assert r.exit_code == 0 and json.loads(r.output) == []  # nobody has signed for a case yet
    out = tmp_path / "通报.xlsx"
    r = run(
        duban,
        "cases",
        "report",
        "--month",
        "2026-03",
        "-o",
        str(out),
        "--json",
        str(tmp_path / "r.json"),
        "--database-url",
        url,
    )
    assert r.exit_code == 0, r.output
    assert load_workbook(out).sheetnames == ["通报"]
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == {"classes": []}


def test_mistakes_are_one_clear_line(duban, url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("channel,content\nfax,路灯不亮\n", encoding="utf-8")
    r = run(duban, "cases", "intake", str(bad), "--database-url", url)
    assert r.exit_code == 1 and "第 2 行 列 channel：" in r.output and "Traceback" not in r.output
    bad.write_text("channel,content,colour\nfax,路灯不亮,red\n", encoding="utf-8")
    r = run(duban, "cases", "intake", str(bad), "--database-url", url)
    assert r.exit_code == 1 and "未知的列 colour" in r.output
    r = run(duban, "cases", "intake", str(tmp_path / "none.csv"), "--database-url", url)
    assert r.exit_code == 1 and "文件不存在" in r.output
    r = run(duban, "cases", "rates", "--month", "2026-13", "--database-url", url)
    assert r.exit_code == 2 and "不是月份" in r.output
    r = run(duban, "cases", "import-311", str(bad), "--mapping", "atlantis", "--database-url", url)
    assert r.exit_code == 1 and "映射文件 atlantis 不存在" in r.output


def test_import_311_prints_baltimore_sla(duban, url):
    path = shared_path("corpus", "city311", "baltimore_311_sample_10000.csv")
    r = run(
        duban,
        "cases",
        "import-311",
        str(path),
        "--mapping",
        "baltimore",
        "--dry-run",
        "--top",
        "3",
        "--database-url",
        url,
    )
    assert r.exit_code == 0, r.output
    assert "检查通过 10000 行，坏行 0 行（未写入）" in r.output
    assert "SLA 统计" in r.output and "SW-Rat Rubout Proactive" in r.output and "全部" in r.output
    r = run(duban, "cases", "import-311", str(shared_path("corpus", "city311", "sf_311_sample_10000.csv")),
            "--mapping", "sf", "--database-url", url)  # fmt: skip
    assert r.exit_code == 0 and "导入 10000 件" in r.output and "没有到期时间" in r.output
