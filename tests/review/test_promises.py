"""The review on the shared 大同 key, its traps, and a hand key of our own (tests/fixtures/review)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from duban.reading.api import read_report
from duban.reading.model import Plan
from duban.review import ReviewError, promises
from duban.review.model import Promise
from tests.conftest import FIXTURES, shared_path

HAND = FIXTURES / "review"


@cache
def _plan(path: str) -> Plan:
    return read_report(Path(path))


def _datong_pairs() -> list[tuple[int, Path, Path]]:
    archive = shared_path("corpus", "archive", "city", "大同市")
    later = shared_path("corpus", "reports", "datong-2023.txt")
    return [(2021, archive / "2021.md", archive / "2022.md"), (2022, archive / "2022.md", later)]


def _score(key: Path, rows: list[Promise], tmp_path: Path) -> float:
    pred = tmp_path / "pred.jsonl"
    pred.write_text(
        "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in rows), encoding="utf-8"
    )
    tool = shared_path("tools", "score_promises.py")
    out = subprocess.run(
        [sys.executable, str(tool), str(key), str(pred)], capture_output=True, text=True, check=True
    ).stdout
    m = re.search(r"verdict accuracy=([\d.]+)", out)
    assert m, out
    return float(m[1])


def test_datong_key_verdicts(tmp_path: Path) -> None:
    rows = [p for _, a, b in _datong_pairs() for p in promises(_plan(str(a)), _plan(str(b)))]
    assert _score(shared_path("gold", "promises-datong.jsonl"), rows, tmp_path) >= 0.95


def test_traps_are_never_results() -> None:
    """The 28 five-year figures and next-year targets of the key's traps file are never a result."""
    traps = [
        json.loads(line)
        for line in shared_path("gold", "promises-datong.traps.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    assert len(traps) == 28
    for year, a, b in _datong_pairs():
        later = _plan(str(b))
        for p in promises(_plan(str(a)), later):
            if p.actual is None or p.actual.line is None:
                continue
            quote = p.actual.quote.lstrip("，,、（(")
            for trap in traps:
                if trap["year"] == year and quote and quote in trap["later_quote"]:
                    raise AssertionError(f"{year} {p.metric}: took the trap {trap['later_quote']!r}")


def test_results_come_only_from_last_year() -> None:
    for _, a, b in _datong_pairs():
        later = _plan(str(b))
        last_year = {
            (q.quote, q.line) for q in later.quantities if q.period == "last_year" and q.kind == "achievement"
        }
        for p in promises(_plan(str(a)), later):
            if p.actual is not None and p.actual.value is not None:
                assert (p.actual.quote, p.actual.line) in last_year


def test_hand_key(tmp_path: Path) -> None:
    """Two short reports written for this test and a key made by reading them."""
    rows = promises(_plan(str(HAND / "2023.md")), _plan(str(HAND / "2024.md")))
    assert _score(HAND / "key.jsonl", rows, tmp_path) == 1.0
    by_metric = {p.metric: p for p in rows}
    assert [p.headline for p in rows][:10] == [True] * 10  # headline targets first
    assert by_metric["城镇新增就业"].reason.startswith("完成年计划的118.2%")
    assert by_metric["粮食生产"].target.value is None and by_metric["粮食生产"].verdict == "met"
    assert by_metric["居民消费价格涨幅"].verdict == "ambiguous"
    gdp = by_metric["地区生产总值"]
    assert gdp.actual is not None and gdp.actual.value == 5.4  # not the five-year 年均增长6.3%
    old = by_metric["老旧小区改造"]
    assert old.actual is not None and old.actual.value == 48  # not 累计260个, not next year's 60个
    assert by_metric["高标准农田"].actual is None  # 48万亩 is five years', 9万亩 next year's target


@pytest.mark.parametrize(
    ("earlier", "later", "says"),
    [("2023.md", "2023.md", "同一份报告"), ("2024.md", "2023.md", "下一年")],
)
def test_pairs_that_cannot_be_reviewed(earlier: str, later: str, says: str) -> None:
    with pytest.raises(ReviewError, match=says):
        promises(_plan(str(HAND / earlier)), _plan(str(HAND / later)))


def test_hand_key_of_a_province(tmp_path: Path) -> None:
    """江西省 2024 against 2025, headline targets only: a key made by reading the two archive texts."""
    folder = shared_path("corpus", "archive", "province", "江西省")
    rows = promises(_plan(str(folder / "2024.md")), _plan(str(folder / "2025.md")))
    assert _score(HAND / "jiangxi-2024.key.jsonl", [p for p in rows if p.headline], tmp_path) == 1.0


def test_a_years_additions_meet_their_results() -> None:
    """A count without a word of change is the year's addition (培育…25家 ~ 新增…30家); a synonym
    (上市公司 ~ 上市企业) and a generic metric after its subject (粮食生产…，总产达到…) pair up."""
    earlier = read_report(
        "示例省2023年政府工作报告\n二、2023年工作安排\n"
        "培育省级专精特新企业25家，新增“四上”企业1000家以上、上市公司5家以上。粮食产量稳定在300亿斤以上。\n",
        name="示例省-2023.txt",
    )
    later = read_report(
        "示例省2024年政府工作报告\n一、2023年工作回顾\n"
        "新增省级专精特新企业30家，新增上市企业3家。粮食生产再获丰收，总产达到310亿斤。\n"
        "二、2024年工作安排\n新增上市企业5家。\n",
        name="示例省-2024.txt",
    )
    got = {
        p.metric_words: (p.actual.value if p.actual else None, p.verdict) for p in promises(earlier, later)
    }
    assert got["省级专精特新企业"] == (30, "met")
    assert got["上市公司"] == (3, "missed")
    assert got["粮食产量"] == (310e8, "met")


def test_targets_set_against_the_economy_prices_and_real_growth() -> None:
    """Income "与经济增长基本同步" is weighed against the GDP growth of the later report; a CPI cap
    (以内) is a cap while a CPI aim (左右) stays ambiguous; real growth (实际增长) met only by a rate
    not said to be real is ambiguous; a five-year figure after "经过五年" is no result."""
    earlier = read_report(
        "示例省2025年政府工作报告\n二、2025年工作安排\n"
        "今年主要预期目标是：地区生产总值增长5%左右，居民消费价格涨幅控制在3%以内，"
        "城镇居民人均可支配收入实际增长6%，居民收入增长和经济增长基本同步，农村居民人均可支配收入增长7%。\n"
        "国考断面水质优良率达到92%。\n",
        name="示例省-2025.txt",
    )
    later = read_report(
        "示例省2026年政府工作报告\n一、2025年工作回顾\n"
        "地区生产总值增长4.2%，居民消费价格上涨1.2%，全省居民人均可支配收入增长4.5%，城镇居民人均可支配收入增长6.5%，"
        "农村居民人均可支配收入增长3.9%。\n"
        "各位代表！经过五年接续奋斗，我省“十四五”顺利收官。\n这是生态环境持续改善的五年。\n"
        "国考断面水质优良率提高到94.6%。\n",
        name="示例省-2026.txt",
    )
    got = {
        p.target.quote: (p.actual.value if p.actual else None, p.verdict) for p in promises(earlier, later)
    }
    assert got["居民收入增长和经济增长基本同步"] == (4.5, "met")
    assert got["居民消费价格涨幅控制在3%以内"] == (1.2, "met")
    assert got["城镇居民人均可支配收入实际增长6%"] == (6.5, "ambiguous")
    assert got["农村居民人均可支配收入增长7%"] == (3.9, "missed")
    assert got.get("国考断面水质优良率达到92%", (None, "unverifiable")) == (None, "unverifiable")


def test_a_state_aimed_at_and_said_reached() -> None:
    """Main targets in words are met by a review clause naming the metric and the state it aimed
    at; a clause about another metric or the opposite state is no result."""
    earlier = read_report(
        "示例国2023年政府工作报告\n二、2023年工作安排\n"
        "今年发展主要预期目标是：国内生产总值增长5%左右，国际收支基本平衡，生态环境质量稳定改善，"
        "进出口回稳向好，粮食产量保持稳定。\n",
        name="示例国-2023.txt",
    )
    later = read_report(
        "示例国2024年政府工作报告\n一、2023年工作回顾\n"
        "国内生产总值增长5.2%。国际收支基本平衡。生态环境质量稳中改善。进出口有所下降。\n",
        name="示例国-2024.txt",
    )
    got = {
        p.target.quote: (p.actual.quote if p.actual else None, p.verdict) for p in promises(earlier, later)
    }
    assert got["国际收支基本平衡"] == ("国际收支基本平衡", "met")
    assert got["生态环境质量稳定改善"] == ("生态环境质量稳中改善", "met")
    assert got["进出口回稳向好"] == (None, "unverifiable")


def test_a_growth_target_answered_by_the_years_level() -> None:
    """The next report gives only the year's level: the growth is worked out from the level the
    plan's own report gave for the year before; for a real rate (GDP) it stays ambiguous."""
    earlier = read_report(
        "示例省1997年政府工作报告\n一、1996年工作回顾\n全省国内生产总值5960亿元，地方财政收入241.7亿元，"
        "实际利用外资20亿美元。\n二、1997年工作安排\n今年主要目标是：国内生产总值增长10%，地方财政收入增长16%，"
        "实际利用外资增长5%。\n",
        name="示例省-1997.txt",
    )
    later = read_report(
        "示例省1998年政府工作报告\n一、1997年工作回顾\n全省国内生产总值6650亿元，地方财政收入304.4亿元，"
        "实际利用外资22亿美元。\n",
        name="示例省-1998.txt",
    )
    got = {p.metric: (p.actual.value if p.actual else None, p.verdict) for p in promises(earlier, later)}
    assert got["地区生产总值"] == (6650e8, "ambiguous")
    assert got["地方财政收入"] == (304.4e8, "met")  # +25.9 % against 16 %
    assert got["实际利用外资"] == (22e8, "met")  # +10 %: the 实际 of a name says nothing of prices


def _reviewed(year: int, plan: str, review: str, place: str = "示例市") -> list[Promise]:
    """The promises of a plan for ``year`` (its work part's text) against the next year's review."""
    earlier = read_report(
        f"{place}{year}年政府工作报告\n二、{year}年工作安排\n{plan}\n", name=f"{place}-{year}.txt"
    )
    later = read_report(
        f"{place}{year + 1}年政府工作报告\n一、{year}年工作回顾\n{review}\n", name=f"{place}-{year + 1}.txt"
    )
    return promises(earlier, later)


def test_a_result_in_the_other_direction_is_a_negative_change_on_the_targets_scale() -> None:
    """下降4.7% against a growth target of 7.5% is the growth −4.7 (as the keys and a reader put
    it); a rise against a target of decline is a negative decline; the same direction is kept."""
    rows = _reviewed(
        2020,
        "今年主要预期目标是：地区生产总值增长7.5%，单位地区生产总值能耗下降3%，规模以上工业增加值增长8%。",
        "地区生产总值达到15616.1亿元，同比下降4.7%，单位地区生产总值能耗上升1.2%，规模以上工业增加值增长8.5%。",
    )
    got = {p.metric_id: p for p in rows}
    gdp, energy, industry = got["gdp"], got["energy_intensity"], got["industry_value_added"]
    assert gdp.actual and (gdp.actual.value, gdp.actual.change, gdp.verdict) == (-4.7, "增长", "missed")
    assert energy.actual and (energy.actual.value, energy.actual.change, energy.verdict) == (
        -1.2,
        "下降",
        "missed",
    )
    assert industry.actual and (industry.actual.value, industry.actual.change) == (8.5, "增长")
    from duban.review.output import actual_text

    assert [actual_text(p) for p in (gdp, energy, industry)] == ["-4.7%", "1.2%", "8.5%"]


def test_firms_counted_in_jia_or_hu_are_one_count() -> None:
    """高新技术企业 counted in 家 in the plan and in 户 in the review are one count; 家 of 市场主体
    reached by a policy are not the 户 of new market entities."""
    rows = _reviewed(
        2020,
        "净增高新技术企业800家以上，新增市场主体20万户以上。",
        "全年净增高新技术企业1842户。减税降费513.7亿元，直达38万家市场主体。",
    )
    got = {p.metric_words: p for p in rows}
    firms = got["高新技术企业"]
    assert firms.actual and (firms.actual.value, firms.verdict) == (1842, "met")
    entities = got.get("市场主体")
    assert entities is None or entities.verdict != "met"


def test_real_growth_met_once_the_years_prices_are_taken_off() -> None:
    """实际增长7% against 增长9% with prices up 0.8%: about 8.1% real, met; against 增长7.2% it stays
    ambiguous. 农民人均纯收入 and 地方财政收入 keep their names (older indicators than 可支配收入 and
    一般公共预算收入); 可比增长 after a level is that level's growth."""
    rows = _reviewed(
        2003,
        "今年主要预期目标是：地方财政收入可比增长9%，城镇居民人均可支配收入和农民人均纯收入分别实际增长7%和5%。",
        "地方级财政收入304.6亿元，可比增长16.8%；"
        "居民消费价格总水平上升0.8%，城镇居民人均可支配收入增长9%，农民人均纯收入增长5.5%。",
        place="示例省",
    )
    got = {p.metric: p for p in rows}
    urban, rural = got["城镇居民人均可支配收入"], got["农村居民人均纯收入"]
    assert urban.verdict == "met" and "0.8%" in urban.reason
    assert rural.verdict == "ambiguous"  # 5.5% nominal, about 4.7% real against 5%
    revenue = got["地方财政收入"]
    assert revenue.actual and (revenue.actual.value, revenue.verdict) == (16.8, "met")


def test_a_review_of_the_term_and_a_target_for_town_and_country() -> None:
    """A later report that reviews four years gives the levels the indicators reached (their end
    is the year reviewed) and the growth is worked out from the plan report's levels; a base said
    only as 超过 settles no target below the worked growth; a 城乡 target with one figure is weighed
    for 城镇 and 农村 apart when the results are apart."""
    earlier = read_report(
        "示例市2011年政府工作报告\n一、2010年工作回顾\n"
        "——与2005年相比，全市生产总值连续迈上3000亿、4000亿和5000亿元的台阶，2010年达到5666亿元，"
        "年均增长13.8%；地方财政一般预算收入相继突破200亿、300亿和400亿元，2010年达到452亿元，年均增长21%；"
        "社会消费品零售总额超过1900亿元。\n"
        "二、2011年工作安排\n主要预期目标是：生产总值增长12%左右，地方财政一般预算收入增长15%，"
        "社会消费品零售总额增长16.5%，城乡居民人均可支配收入均增长7%左右。\n",
        name="示例市-2011.txt",
    )
    later = read_report(
        "示例市2012年政府工作报告\n一、第十四届政府工作回顾\n"
        "四年来，全市生产总值跨越三个千亿元台阶，2011年达到6615.6亿元，年均增长12.5%；"
        "地方财政一般预算收入达到566亿元，年均增长17.9%；社会消费品零售总额达到2233亿元，年均增长16.4%。"
        "2011年城镇居民人均可支配收入增长8%，农村居民人均可支配收入增长6%。\n",
        name="示例市-2012.txt",
    )
    got = {(p.metric, p.scope): p for p in promises(earlier, later)}
    gdp = got["地区生产总值", None]
    assert gdp.actual and (gdp.actual.value, gdp.verdict) == (6615.6e8, "ambiguous")  # a real rate
    revenue = got["一般公共预算收入", None]
    assert revenue.actual and revenue.verdict == "met" and "452亿元 → 566亿元" in revenue.reason
    retail = got["社会消费品零售总额", None]
    assert retail.verdict == "ambiguous" and "约数" in retail.reason  # at most 17.5 % against 16.5 %
    town, country = got["城镇居民人均可支配收入", "城镇"], got["农村居民人均可支配收入", "农村"]
    assert (town.actual and town.actual.value, town.verdict) == (8, "met")
    assert (country.actual and country.actual.value, country.verdict) == (6, "missed")


def test_a_list_of_pollutants_is_one_target_done_in_its_own_words() -> None:
    """化学需氧量、二氧化硫、氨氮、氮氧化物减排完成国家下达的目标任务 is one target, 主要污染物减排,
    met by the later report's clause in the same words."""
    rows = _reviewed(
        2019,
        "主要预期目标是：生产总值增长6.5%左右，化学需氧量、二氧化硫、氨氮、氮氧化物减排完成国家下达的目标任务。",
        "生产总值增长6.8%，化学需氧量、二氧化硫、氨氮、氮氧化物减排完成国家下达的目标任务。",
        place="示例省",
    )
    assert [(p.metric, p.verdict) for p in rows if p.metric_id != "gdp"] == [("主要污染物减排", "met")]


def test_population_growth_is_a_cap_and_energy_and_investment_by_their_older_names() -> None:
    """人口自然增长率4.5‰ is a ceiling (4.4‰ meets it); 单位生产总值综合能耗 and 实际直接利用外资额
    are the vocabulary's energy intensity and foreign investment."""
    rows = _reviewed(
        2007,
        "主要预期目标是：生产总值增长12.5%，实际直接利用外资额增长15%，人口自然增长率4.5‰，单位生产总值综合能耗降低4%。",
        "生产总值增长13.5%，实际利用外资增长18%，人口自然增长率控制在4.4‰以下，万元生产总值能耗下降4.2%。",
    )
    got = {p.metric_id: p for p in rows}
    assert got["population_growth"].verdict == "met"
    assert got["foreign_investment"].actual and got["foreign_investment"].verdict == "met"
    assert got["energy_intensity"].actual and got["energy_intensity"].verdict == "met"
