"""Periods, measures and metric ids of figures, and the reader's new forms (texts written for the tests)."""

from __future__ import annotations

from duban.reading.api import read_report
from duban.reading.metrics import identify, vocabulary
from duban.reading.model import Quantity

REPORT = """示例市政府工作报告
一、2023年工作回顾
过去五年，全市地区生产总值年均增长6.3%，累计新建高标准农田48万亩。
——经济实力显著增强。固定资产投资由489亿元增加到732亿元。
刚刚过去的2023年，全市地区生产总值增长5.4%。
这一年，城乡居民人均可支配收入分别增长4.4%、6.9%，居民消费价格涨幅基本持平，CPI微降0.1%。
一般公共预算收入增长1.7%（同口径增长2.5%以上），城镇新增就业完成年计划的118.2%。
二、2024年工作安排
今年主要预期目标是：经济增长6%左右，城镇和农村居民收入分别增长5%和7%左右，居民收入增长与经济增长同步，完成省下达任务。
到2027年，新建高标准农田30万亩。粮食播种面积稳定在420万亩以上，产量达到24.9亿斤以上。
"""


def _items() -> list[Quantity]:
    return read_report(REPORT, year=2024).quantities


def _find(quote_part: str) -> Quantity:
    return next(q for q in _items() if quote_part in q.quote)


def test_periods() -> None:
    assert _find("年均增长6.3%").period == "span"
    assert _find("48万亩").period == "span"
    assert _find("732亿元").period == "span"  # a paragraph of the five-year look back
    assert _find("增长5.4%").period == "last_year"
    assert _find("4.4%").period == "last_year"
    assert _find("30万亩").period == "goal_year"
    assert _find("经济增长6%").period == "plan_year"


def test_respectively_scopes_and_bounds() -> None:
    town, village = _find("4.4%"), _find("6.9%")
    assert (town.metric_id, town.scope, village.scope) == ("disposable_income", "城镇", "农村")
    five, seven = _find("收入分别增长5%"), _find("7%左右")
    assert (five.scope, seven.scope) == ("城镇", "农村")
    assert five.bound == seven.bound == "about"  # 分别增长5%和7%左右


def test_new_forms() -> None:
    flat = _find("基本持平")
    assert (flat.value, flat.metric_id) == (0.0, "cpi")
    cpi = _find("微降0.1%")
    assert cpi.change == "下降" and cpi.metric_id == "cpi"
    same = _find("同口径")
    assert (same.metric_id, same.scope, same.value) == ("budget_revenue", "同口径", 2.5)
    plan = _find("118.2%")
    assert plan.measure == "share_of_plan" and plan.metric_id == "urban_new_jobs"
    gdp = _find("经济增长6%")
    assert (gdp.metric_id, gdp.measure) == ("gdp", "growth")
    grain = _find("24.9亿斤")
    assert grain.metric_id == "grain_output"


def test_text_targets() -> None:
    plan = read_report(REPORT, year=2024)
    words = {(x.metric, x.metric_id) for x in plan.text_targets}
    assert ("居民收入增长", "disposable_income") in words
    assert any(x.metric_id == "disposable_income" and x.quote.endswith("同步") for x in plan.text_targets)


def test_text_targets_in_words_of_state() -> None:
    """Main targets in words: 回稳向好, 基本平衡, 继续减少, and a task "完成…下达的X任务"."""
    text = (
        "示例省2016年政府工作报告\n二、2016年工作安排\n今年发展的主要预期目标是：地区生产总值增长6.5%，"
        "进出口回稳向好，国际收支基本平衡。单位生产总值能耗下降3.4%以上，主要污染物排放继续减少，"
        "全面完成省政府下达的节能减排任务。\n"
    )
    plan = read_report(text, name="示例省-2016.txt")
    assert [x.metric for x in plan.text_targets] == ["进出口", "国际收支", "主要污染物排放", "节能减排"]


def test_markdown_headings_split_review_and_plan() -> None:
    md = "---\ntitle: 样例市政府工作报告\n---\n\n**一、2023年工作回顾**\n\n过去一年，地区生产总值增长5%。\n\n**二、2024年工作安排**\n\n地区生产总值增长6%左右。\n"
    plan = read_report(md.encode(), name="2024.md")
    kinds = [(s.title, s.part_kind) for s in plan.sections if s.level == 1 and s.title]
    assert kinds == [("2023年工作回顾", "review"), ("2024年工作安排", "plan")]
    assert plan.place == "样例市"
    assert [q.kind for q in plan.quantities] == ["achievement", "target"]


def test_vocabulary() -> None:
    voc = vocabulary()
    seen: dict[str, str] = {}
    for m in voc.metrics.values():
        assert m.names, m.id
        for n in m.names + m.exact:
            assert seen.setdefault(n, m.id) == m.id, f"{n} names both {seen[n]} and {m.id}"
    assert identify("规模以上工业增加值") == identify("规上工业增加值") == ("industry_value_added", None)
    assert identify("全社会固定资产投资")[0] == "fixed_asset_investment"
    assert identify("战略性新兴产业占规上工业增加值比重")[0] is None  # a share of it, not it
    assert identify("低收入农户人均可支配收入")[0] is None
    assert identify("城镇老旧小区") == ("old_communities", None)
