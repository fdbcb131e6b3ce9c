"""The reader's lead unit is the ledger's: same rules file, same scores, same tie-breaks."""

from __future__ import annotations

from dataclasses import dataclass

from duban.ledger.routing import load_rules, route
from duban.reading.api import read_report
from duban.reading.leads import RULES, route_lead
from tests.conftest import ROOT

SAMPLE = ROOT / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt"


@dataclass
class _Item:
    text: str
    metric: str | None
    quote: str
    section_title: str | None


def test_the_reader_reads_the_ledgers_rules_file() -> None:
    assert RULES == ROOT / "src" / "duban" / "ledger" / "rules" / "routing.yaml"


def test_every_task_of_the_sample_gets_the_ledgers_unit() -> None:
    rules = load_rules()
    plan = read_report(SAMPLE)
    sections = ["坚持工业强市", "坚持扩大内需 › 扩大有效投资", "乡村振兴", None]
    checked = 0
    for t in plan.tasks:
        for title in sections:
            ledger = route(rules=rules, item=_Item(t.text, None, t.text, title))
            assert route_lead(text=t.text, section_title=title) == (ledger.unit if ledger else None), (
                t.text,
                title,
            )
            checked += 1
    assert checked > 200
    assert sum(t.lead is not None for t in plan.tasks) > len(plan.tasks) * 0.8


PROVINCE = """2024年政府工作报告
各位代表：
现在，我代表省人民政府，向大会报告工作，请予审议。
一、2023年工作回顾
全年建成高标准农田300万亩。
二、2024年工作安排
（一）全面推进乡村振兴
新建高标准农田400万亩。
（二）办好人民满意的教育
新建中小学50所。
"""


def test_a_provinces_tasks_are_led_by_its_departments(tmp_path) -> None:
    plan = read_report(PROVINCE, name="2024.txt")
    assert plan.place == ""  # nothing names the province, the speaker names its level
    assert [t.lead for t in plan.tasks] == ["省农业农村厅", "省教育厅"]
    folder = tmp_path / "示例省"
    folder.mkdir()
    (folder / "2024.txt").write_text(PROVINCE, encoding="utf-8")
    kept = read_report(folder / "2024.txt")
    assert kept.place == "示例省"  # an archive kept by place
    assert [t.lead for t in kept.tasks] == ["省农业农村厅", "省教育厅"]


def test_units_at_each_level() -> None:
    from duban.reading.leads import unit_at_level

    assert unit_at_level("市发展和改革委员会", "示例市") == "市发展和改革委员会"
    assert unit_at_level("市发展和改革委员会", "北京市") == "市发展和改革委员会"
    assert unit_at_level("市交通运输局", "示例省") == "省交通运输厅"
    assert unit_at_level("市体育局", "示例省") == "省体育局"
    assert unit_at_level("市生态环境局", "广西壮族自治区") == "自治区生态环境厅"
    assert unit_at_level("市农业农村局", "国务院") == "农业农村部"
    assert unit_at_level("市发展和改革委员会", "样例县") == "县发展和改革局"
    assert unit_at_level("市教育局", "示例区") == "区教育局"
    assert unit_at_level("市发展和改革委员会", "示例彝族自治州") == "州发展和改革委员会"


def test_units_named_as_they_were_in_the_reports_year() -> None:
    """A 2015 report's tasks are led by the departments of 2015 (before the 2018 reform)."""
    from duban.reading.leads import route_lead, unit_in_year

    assert (
        route_lead(text="全年建成高标准农田20万亩", section_title=None, place="江西省", year=2015)
        == "省农业厅"
    )
    assert (
        route_lead(text="全年建成高标准农田20万亩", section_title=None, place="江西省", year=2025)
        == "省农业农村厅"
    )
    assert [unit_in_year(u, 2012) for u in ("省卫生健康委员会", "市卫生健康委员会", "省林业和草原局")] == [
        "省卫生厅",
        "市卫生局",
        "省林业厅",
    ]
    assert unit_in_year("市生态环境局", None) == "市生态环境局"
