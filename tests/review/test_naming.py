"""How two reports' names of one indicator compare (duban.review.naming)."""

from __future__ import annotations

import pytest

from duban.reading.api import read_report
from duban.review import promises
from duban.review.naming import MIN_SIMILARITY, core, name_similarity, other_scope, short_name


@pytest.mark.parametrize(
    ("metric", "thing"),
    [
        ("新能源汽车充电桩", "充电桩"),
        ("公共充电桩", "充电桩"),
        ("公办和普惠性托位", "托位"),
        ("婴幼儿托位", "托位"),
        ("盘活利用闲置土地", "闲置土地"),
        ("小街巷改造", "小街巷"),
        ("市政道路", "道路"),
        ("排水管网", "排水管网"),
        ("农村道路", "农村道路"),
        ("完成率", "完成率"),
        ("新（改）建农村公路", "农村公路"),
        ("城区提质改造小街巷", "小街巷"),
        ("高档空调公交车更新任务", "高档空调公交车"),
        ("户用沼气池", "沼气池"),
        ("危棚房拆迁任务", "危棚房"),
    ],
)
def test_core(metric: str, thing: str) -> None:
    assert core(metric) == thing


@pytest.mark.parametrize(
    ("target", "result", "pairs"),
    [
        ("新能源汽车充电桩", "公共充电桩", True),
        ("农村敬老院", "敬老院", True),
        ("基础设施重大项目投资", "重大项目投资", False),
        ("公办和普惠性托位", "婴幼儿托位", True),
        ("市政道路", "城市道路", True),
        ("盘活利用闲置土地", "闲置土地", True),
        ("排水管网", "供水管网", False),
        ("农村道路", "城市道路", False),
        ("规上工业企业", "高新技术企业", False),
        ("农村寄宿制学校", "农村义务教育寄宿制学校", True),
        ("农村公路", "农村公路养护工程", False),
        ("三大重点产业产值占全市工业比重", "三大重点产业产值占全市规模以上工业产值的比重", True),
        ("停车位", "主城区新建停车泊位", True),
        ("十大产业增加值占地区生产总值比重", "十大产业增加值占全市GDP比重", True),
        ("小街巷改造", "城区提质改造小街巷", True),
        ("新建项目", "改造项目", False),
        ("城镇居民基本医疗保险参保人数", "城镇职工基本医疗保险参保人数", False),
        ("全市规上工业企业", "全省规上工业企业", True),
    ],
)
def test_names_of_one_thing_pair(target: str, result: str, pairs: bool) -> None:
    assert (name_similarity(target, result) > MIN_SIMILARITY) is pairs


def test_count_units_that_count_alike() -> None:
    earlier = read_report(
        "示例省2018年政府工作报告\n二、2018年工作安排\n办好30项民生实事。\n", name="示例省-2018.txt"
    )
    later = read_report(
        "示例省2019年政府工作报告\n一、2018年工作回顾\n扎实办好30件民生实事。\n", name="示例省-2019.txt"
    )
    (p,) = promises(earlier, later)
    assert (p.actual.value if p.actual else None, p.verdict) == (30, "met")
    earlier = read_report(
        "示例市2007年政府工作报告\n二、2007年工作安排\n新建3至4个市级工程技术研究中心。\n",
        name="示例市-2007.txt",
    )
    later = read_report(
        "示例市2008年政府工作报告\n一、2007年工作回顾\n新建工程技术研究中心4家。\n", name="示例市-2008.txt"
    )
    (p,) = promises(earlier, later)
    assert (p.actual.value if p.actual else None, p.verdict) == (4, "met")  # 个 and 家 count alike


def test_an_addition_against_a_level_of_one_indicator_is_ambiguous() -> None:
    earlier = read_report(
        "示例省2024年政府工作报告\n二、2024年工作安排\n高新技术企业新增5000家以上，投资增长8%以上。\n",
        name="示例省-2024.txt",
    )
    later = read_report(
        "示例省2025年政府工作报告\n一、2024年工作回顾\n高新技术企业达到3万家，固定资产投资增长6.5%。\n",
        name="示例省-2025.txt",
    )
    got = {p.metric: (p.actual.value if p.actual else None, p.verdict) for p in promises(earlier, later)}
    assert got["高新技术企业"] == (30000, "ambiguous")
    assert got["固定资产投资"] == (6.5, "missed")


def test_a_task_assigned_from_above_said_done() -> None:
    """A main target "完成…下达的X任务" is read with its metric after the verb, and a review clause
    whose subject begins alike and says 完成…任务 is its result."""
    earlier = read_report(
        "示例市2014年政府工作报告\n二、2014年工作安排\n今年全市经济社会发展主要预期目标是：地区生产总值增长10%；"
        "全面完成省政府下达的主要污染物总量减排任务。\n",
        name="示例市-2014.txt",
    )
    later = read_report(
        "示例市2015年政府工作报告\n一、2014年工作回顾\n地区生产总值增长9.5%，主要污染物排放削减率超额完成省定任务。\n",
        name="示例市-2015.txt",
    )
    got = {p.metric: (p.actual.value if p.actual else None, p.verdict) for p in promises(earlier, later)}
    assert got["主要污染物总量减排"] == (None, "met")


def test_other_scope() -> None:
    assert other_scope("停车泊位", "公共停车泊位")
    assert not other_scope("停车泊位", "全市停车泊位")
    assert not other_scope("排水管网", "供水管网")


def test_results_under_other_words() -> None:
    """A result named with other describing words pairs with its target; below the target it is
    ambiguous (it may count only part of what was planned); a narrower kind keeps its own name."""
    earlier = read_report(
        "示例市2023年政府工作报告\n二、2023年工作安排\n"
        "新增停车泊位2万个、新能源汽车充电桩1000个。新增公办和普惠性托位5500个。完成人工造林1万亩。\n",
        name="示例市-2023.txt",
    )
    later = read_report(
        "示例市2024年政府工作报告\n一、2023年工作回顾\n"
        "建成公共停车泊位5312个、公共充电桩1239个。新增婴幼儿托位6978个。新增人工造林1.1万亩。\n",
        name="示例市-2024.txt",
    )
    got = {p.metric: (p.actual.value if p.actual else None, p.verdict) for p in promises(earlier, later)}
    assert got["新能源汽车充电桩"] == (1239, "met")
    assert got["公办和普惠性托位"] == (6978, "met")
    assert got["停车泊位"] == (5312, "ambiguous")
    assert got["人工造林"] == (11000, "met")


@pytest.mark.parametrize(
    ("metric", "short"),
    [
        ("新能源装机占全市电力总装机的", "新能源装机占比"),
        ("民营经济增加值占全省生产总值的比重", "民营经济增加值占生产总值比重"),
        ("制造业增加值占规上工业增加值比重", "制造业增加值占规上工业增加值比重"),
    ],
)
def test_short_names_of_shares(metric: str, short: str) -> None:
    assert short_name(metric) == short
