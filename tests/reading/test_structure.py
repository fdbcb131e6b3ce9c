"""The report's structure: sentences, headings of many shapes, part kinds, year, place, targets.

Examples are written here in the style of real reports; the last tests run over every report in
``../shared/corpus/reports`` after a minimal cleaning (CRLF → LF only).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from duban.reading.headline import find_headline_block
from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Section
from duban.reading.origin import _places_by_name, detect_place, detect_year
from duban.reading.structure import (
    _rules,
    kind_at,
    part_at,
    segment,
    split_sentences,
)
from tests.conftest import SHARED, shared_path

SAMPLE = """示例市2023年政府工作报告
——2023年1月6日在示例市第十六届人民代表大会第二次会议上
各位代表：
现在，我代表市人民政府，向大会报告政府工作，请予审议。
一、2022年工作回顾
过去一年，我们坚持稳中求进，全市地区生产总值增长4.5%。
（一）产业转型扎实推进。全年新建5G基站1200个，建成高标准农田15万亩。
（二）民生保障持续改善。城镇新增就业3.2万人。
二、2023年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业3万人以上。
围绕上述目标，重点抓好以下工作：
（一）坚持创新驱动，加快建设现代产业体系
做强能源产业。力争光伏项目上半年建成并网，年底前建成示例县抽水蓄能电站。
做优数字经济。开工建设“云谷”数据中心二期项目，6月底前出台《示例市数字经济促进条例》。
（二）持续改善民生
一是加快推进老旧小区改造，全年改造老旧小区120个。二是新建幼儿园5所。
三、加强政府自身建设
坚持依法行政，健全政务公开制度。
各位代表！让我们团结一心，奋力谱写示例市高质量发展新篇章！
"""


def line_of_for(text: str) -> Callable[[int], int]:
    return lambda off: text.count("\n", 0, off) + 1


def tree(text: str) -> list[Section]:
    return segment(text, line_of=line_of_for(text))


# ---------------------------------------------------------------- sentences

SENTENCES = [
    ("full-stop", "做强能源产业。持续深化改革。", ["做强能源产业。", "持续深化改革。"]),
    ("semicolon-splits", "建成并网；加快推进二期。", ["建成并网；", "加快推进二期。"]),
    ("ascii-semicolon", "建成并网;加快推进", ["建成并网;", "加快推进"]),
    (
        "newline-splits",
        "一、2023年工作安排\n今年要抓好三件事。",
        ["一、2023年工作安排", "今年要抓好三件事。"],
    ),
    ("quote-kept", "确保“一泓清流进北京。”全年达标。", ["确保“一泓清流进北京。”全年达标。"]),
    ("brackets-kept", "出台《条例（试行）；细则》。下一句", ["出台《条例（试行）；细则》。", "下一句"]),
    ("exclamation", "各位代表！让我们团结奋斗！", ["各位代表！", "让我们团结奋斗！"]),
    ("unclosed-quote-stops-at-newline", "推进“双创\n下一段。", ["推进“双创", "下一段。"]),
    ("blank-lines", "\n\n　　第一句。\n\n", ["第一句。"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SENTENCES], ids=[c[0] for c in SENTENCES])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


# ---------------------------------------------------------------- headings

# (id, line, level, number, title)
HEADINGS = [
    ("part-cn", "一、2024年工作回顾", 1, "一", "2024年工作回顾"),
    ("part-second-first", "二、2023年工作任务", 1, "二", "2023年工作任务"),
    ("part-long", "三、2025年工作总体要求和主要目标任务", 1, "三", "2025年工作总体要求和主要目标任务"),
    ("part-word", "第二部分　2023年工作安排", 1, "二", "2023年工作安排"),
    ("part-fullwidth-digits", "一、１９９１年国内工作的回顾", 1, "一", "１９９１年国内工作的回顾"),
    ("part-markdown", "# 一、2025年工作回顾", 1, "一", "2025年工作回顾"),
    ("unnumbered-plan", "2023年工作安排", 1, "", "2023年工作安排"),
    ("unnumbered-suggestions", "2025年工作安排建议", 1, "", "2025年工作安排建议"),
    ("unnumbered-this-year", "今年重点工作", 1, "", "今年重点工作"),
    ("unnumbered-review", "2024年工作回顾", 1, "", "2024年工作回顾"),
    ("unnumbered-aims-and-tasks", "2025年工作目标和重点任务", 1, "", "2025年工作目标和重点任务"),
    ("unnumbered-government-work", "2025年政府工作", 1, "", "2025年政府工作"),
    ("unnumbered-key-tasks", "2021年重点工作任务", 1, "", "2021年重点工作任务"),
    ("unnumbered-government-main-work", "2009年政府主要工作", 1, "", "2009年政府主要工作"),
    ("unnumbered-do-well", "扎实做好2010年政府工作", 1, "", "扎实做好2010年政府工作"),
    ("unnumbered-deployment", "2021年工作部署", 1, "", "2021年工作部署"),
    (
        "unnumbered-achievements",
        "“十三五”时期发展成就和2020年主要工作",
        1,
        "",
        "“十三五”时期发展成就和2020年主要工作",
    ),
    ("unnumbered-review-first", "回顾2022年工作", 1, "", "回顾2022年工作"),
    ("unnumbered-overall-aims", "2023年总体目标和重点任务", 1, "", "2023年总体目标和重点任务"),
    (
        "unnumbered-requirements",
        "2023年政府工作的总体要求和主要目标",
        1,
        "",
        "2023年政府工作的总体要求和主要目标",
    ),
    ("unnumbered-arrangements", "2023年重点工作安排建议", 1, "", "2023年重点工作安排建议"),
    ("unnumbered-year-of", "决胜“十四五”收官之年的重点任务", 1, "", "决胜“十四五”收官之年的重点任务"),
    ("unnumbered-five-years", "过去五年的回顾", 1, "", "过去五年的回顾"),
    ("unnumbered-tasks", "今后五年的主要任务", 1, "", "今后五年的主要任务"),
    (
        "unnumbered-period",
        "“十四五”时期发展成就和2025年工作回顾",
        1,
        "",
        "“十四五”时期发展成就和2025年工作回顾",
    ),
    ("unnumbered-government", "加强政府自身建设", 1, "", "加强政府自身建设"),
    ("closing", "结束语", 1, "", "结束语"),
    ("section-fullwidth", "（一）坚持创新驱动", 2, "（一）", "坚持创新驱动"),
    (
        "section-halfwidth",
        "(一)坚持工业强市，推动现代化产业体系构建",
        2,
        "（一）",
        "坚持工业强市，推动现代化产业体系构建",
    ),
    ("section-inline", "（一）着力扩大有效需求。实施消费提振行动。", 2, "（一）", "着力扩大有效需求"),
    ("section-arabic", "1.着力扩大有效需求", 2, "1.", "着力扩大有效需求"),
    ("lead", "做强能源产业。持续深化能源革命综合改革试点。", 3, "", "做强能源产业"),
    ("lead-alone", "着力扩大有效需求。", 3, "", "着力扩大有效需求"),
    (
        "lead-listing",
        "深化书香、音乐、博物馆之城建设。实施“书香西安”工程。",
        3,
        "",
        "深化书香、音乐、博物馆之城建设",
    ),
    ("lead-ordinal", "一是加快建设现代化产业体系，培育新动能。", 3, "一是", "加快建设现代化产业体系"),
]

NOT_HEADINGS = [
    ("empty-number", "一、"),
    ("bold-date", "**（2005年2月22日）**"),
    ("bold-date-line", "**——2020年1月6日在岳阳市第八届人民代表大会第四次会议上**"),
    ("greeting", "各位代表！"),
    ("comma-sentence", "一年来，主要做了以下工作。"),
    ("chart-label", "2.5"),
    ("targets", "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右。"),
    ("long-first-sentence", "强化与京津冀地区的资源优势互补和产业分工协作，用好产业链。"),
    ("part-with-sentences", "一、我们坚持稳中求进。全年经济运行平稳。"),
]


@pytest.mark.parametrize(
    ("line", "level", "number", "title"), [c[1:] for c in HEADINGS], ids=[c[0] for c in HEADINGS]
)
def test_heading_shapes(line: str, level: int, number: str, title: str) -> None:
    secs = tree(f"{line}\n这是正文内容，用来检验。\n")
    found = [s for s in secs if s.start == line.index(line.lstrip("# "))]
    deepest = max(found, key=lambda s: s.level)
    assert (deepest.level, deepest.number, deepest.title) == (level, number, title)


@pytest.mark.parametrize("line", [c[1] for c in NOT_HEADINGS], ids=[c[0] for c in NOT_HEADINGS])
def test_not_headings(line: str) -> None:
    secs = tree(f"{line}\n这是正文内容，用来检验。\n")
    assert all(s.title == "" for s in secs), [(s.level, s.title) for s in secs]


# (id, heading, kind) in a report for 2023
KINDS = [
    ("review", "一、2022年工作回顾", "review"),
    ("review-five-years", "一、过去五年政府工作的回顾", "review"),
    ("review-year-only", "一、2022年经济运行情况", "review"),
    ("review-yi-nian-lai", "一、一年来工作回顾", "review"),
    ("review-last-years-plan", "一、2022年经济建设取得显著成绩，实施“十四五”计划开局良好", "review"),
    ("plan-named-by-year-and-plan", "二、认真实施2023年国民经济和社会发展计划", "plan"),
    ("plan-arrangement", "二、2023年工作安排", "plan"),
    ("plan-tasks", "二、2023年工作任务", "plan"),
    ("plan-requirements", "二、2023年经济社会发展总体要求", "plan"),
    ("plan-suggestions", "二、对今年政府工作的建议", "plan"),
    ("plan-government", "三、加强政府自身建设", "plan"),
    ("other-closing", "结束语", "other"),
    ("other-glossary", "名词解释", "other"),
]


@pytest.mark.parametrize(("heading", "kind"), [c[1:] for c in KINDS], ids=[c[0] for c in KINDS])
def test_part_kind(heading: str, kind: str) -> None:
    text = f"示例市2023年政府工作报告\n{heading}\n正文写在这里。\n"
    secs = tree(text)
    assert kind_at(secs, text.index("正文")) == kind


def test_sample_tree() -> None:
    secs = tree(SAMPLE)
    got = [(s.id, s.level, s.number, s.title, s.part_kind, s.parent) for s in secs]
    assert got == [
        ("0", 1, "", "", "other", None),
        ("1", 1, "一", "2022年工作回顾", "review", None),
        ("1.1", 2, "（一）", "产业转型扎实推进", "review", "1"),
        ("1.2", 2, "（二）", "民生保障持续改善", "review", "1"),
        ("2", 1, "二", "2023年工作安排", "plan", None),
        ("2.1", 2, "（一）", "坚持创新驱动，加快建设现代产业体系", "plan", "2"),
        ("2.1.1", 3, "", "做强能源产业", "plan", "2.1"),
        ("2.1.2", 3, "", "做优数字经济", "plan", "2.1"),
        ("2.2", 2, "（二）", "持续改善民生", "plan", "2"),
        ("2.2.1", 3, "一是", "加快推进老旧小区改造", "plan", "2.2"),
        ("3", 1, "三", "加强政府自身建设", "plan", None),
        ("4", 1, "", "结束语", "other", None),
    ]
    by_id = {s.id: s for s in secs}
    assert SAMPLE[by_id["2"].start :].startswith("二、2023年工作安排")
    assert by_id["2"].end == by_id["3"].start
    assert by_id["3"].end == by_id["4"].start == SAMPLE.index("各位代表！")
    assert by_id["4"].end == len(SAMPLE)
    assert by_id["2.1.1"].end == by_id["2.1.2"].start
    assert by_id["2.1.2"].end == by_id["2.2"].start
    assert by_id["2"].line == SAMPLE.count("\n", 0, SAMPLE.index("二、2023")) + 1


def test_part_at_is_deepest() -> None:
    secs = tree(SAMPLE)
    off = SAMPLE.index("力争光伏")
    sec = part_at(secs, off)
    assert sec is not None and sec.id == "2.1.1"
    assert kind_at(secs, SAMPLE.index("全市地区生产总值增长4.5%")) == "review"
    assert part_at(secs, len(SAMPLE) + 10) is None
    assert kind_at(secs, len(SAMPLE) + 10) == "other"


def test_child_heading_overrides_inherited_kind() -> None:
    text = "示例市2023年政府工作报告\n一、2022年工作回顾和2023年工作安排\n回顾正文。\n（一）2023年工作安排\n安排正文。\n"
    secs = tree(text)
    assert kind_at(secs, text.index("回顾正文")) == "review"
    assert kind_at(secs, text.index("安排正文")) == "plan"


def test_preamble_with_review_text_is_review() -> None:
    text = "一年来，我们坚持稳中求进，经济持续恢复。\n二、2023年工作任务\n今年要抓好三件事。\n"
    secs = tree(text)
    assert [(s.id, s.part_kind) for s in secs if s.level == 1] == [("0", "review"), ("1", "plan")]


def test_closing_only_when_nothing_follows() -> None:
    text = (
        "二、2023年工作安排\n各位代表！我们要加快发展。\n（一）扩大内需\n正文。\n各位代表！让我们团结奋斗！\n"
    )
    secs = tree(text)
    assert [s.title for s in secs if s.level == 1] == ["2023年工作安排", "结束语"]
    assert kind_at(secs, text.index("我们要加快")) == "plan"
    assert kind_at(secs, text.index("让我们")) == "other"


def test_closing_after_a_line_of_verse() -> None:
    text = (
        "二、2023年工作安排\n（一）扩大内需\n新建学校5所。\n"
        "长风破浪会有时，直挂云帆济沧海。各位代表，让我们团结奋斗，为建设美好家园而努力！\n"
    )
    secs = tree(text)
    assert [s.title for s in secs if s.level == 1] == ["2023年工作安排", "结束语"]
    assert kind_at(secs, text.index("长风破浪")) == "other"


def test_appendix_stops_numbered_parts() -> None:
    text = "一、2024年工作回顾\n正文。\n二、2025年工作安排\n正文。\n附件1\n2025年十件民生实事\n三、实施学校体育美育浸润行动计划\n"
    secs = tree(text)
    assert [s.title for s in secs if s.level == 1] == ["2024年工作回顾", "2025年工作安排", "附件1"]
    assert kind_at(secs, text.index("三、实施")) == "other"


# ---------------------------------------------------------------- year and place

YEARS = [
    ("title", "大同市2023年政府工作报告\n各位代表：", None, 2023),
    ("title-province-after-year", "2025年北京市政府工作报告\n来源：北京日报", None, 2025),
    ("date-line", "政府工作报告\n——2023年1月5日在大同市第十六届人民代表大会第三次会议上", None, 2023),
    ("date-line-cn", "——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上", None, 2026),
    ("file-name", "各位代表：现在我代表市人民政府报告工作。", "datong-2023", 2023),
    ("title-beats-name", "2025年北京市政府工作报告", "beijing-2024", 2025),
    ("review-heading", "各位代表：\n一、2024年工作回顾\n", None, 2025),
    (
        "year-in-prose-is-not-title",
        "以上是对2022年政府工作的全面总结，也是对去年政府工作报告落实情况的系统盘点",
        "datong-2023",
        2023,
    ),
    ("nothing", "各位代表：", None, None),
]


@pytest.mark.parametrize(("text", "name", "year"), [c[1:] for c in YEARS], ids=[c[0] for c in YEARS])
def test_detect_year(text: str, name: str | None, year: int | None) -> None:
    assert detect_year(text, name) == year


PLACES = [
    ("city-first", "大同市2023年政府工作报告", None, "大同市"),
    ("year-first", "2025年北京市政府工作报告", None, "北京市"),
    ("example", "示例市2023年政府工作报告", None, "示例市"),
    ("autonomous-region", "2025年广西壮族自治区政府工作报告", None, "广西壮族自治区"),
    ("state-council", "# 2024年中华人民共和国国务院政府工作报告", None, "国务院"),
    ("premier", "政府工作报告\n国务院总理　李强", None, "国务院"),
    ("header-line", "# province: 甘肃省  year: 2026\n下载", None, "甘肃省"),
    ("speaker", "政府工作报告\n广东省省长 孟凡利\n各位代表：", None, "广东省"),
    ("file-name", "各位代表：", "datong-2023", "大同市"),
    ("unknown", "各位代表：", None, ""),
]


@pytest.mark.parametrize(("text", "name", "place"), [c[1:] for c in PLACES], ids=[c[0] for c in PLACES])
def test_detect_place(text: str, name: str | None, place: str) -> None:
    assert detect_place(text, name) == place


# ---------------------------------------------------------------- headline targets

HEADLINES = [
    ("main-expected", "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业3万人。"),
    ("short-form", "今年发展主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人左右。"),
    ("no-main", "全市经济社会发展的预期目标是：地区生产总值增长5%左右。"),
    ("main-goal", "今年国民经济宏观调控的主要目标是：经济增长速度8%，商品零售价格涨幅控制在4%。"),
    ("wei", "主要预期目标为：生产总值增长5.5%左右，城镇调查失业率5.5%左右。"),
    ("suggested", "综合考虑各方面因素，建议经济社会发展主要预期目标为：地区生产总值增长5%以上。"),
    ("growth-only", "综合分析国内外各种情况，今年经济增长预期目标为7%左右，这是必要的。"),
    ("half-width-colon", "今年全市经济社会发展的主要预期目标是:地区生产总值增长6.5%左右。"),
]


@pytest.mark.parametrize("para", [c[1] for c in HEADLINES], ids=[c[0] for c in HEADLINES])
def test_headline_block(para: str) -> None:
    text = (
        "示例市2023年政府工作报告\n一、2022年工作回顾\n圆满完成全年主要目标任务。\n"
        "“十四五”规划的主要目标是：经济总量迈上新台阶。\n"
        f"二、2023年工作安排\n{para}\n围绕上述目标，重点抓好以下工作。\n"
    )
    span = find_headline_block(text, tree(text))
    assert span is not None
    assert text[span[0] : span[1]] == para


def test_headline_block_starts_at_its_sentence() -> None:
    """Framing sentences before 主要预期目标 in the same paragraph are not the targets' task."""
    para = "2016年是“十三五”的开局之年，我们必须认识新常态。主要预期目标是：地区生产总值增长6.5%-7%，CPI控制在3%以内。"
    text = f"二、2016年主要工作\n{para}\n围绕上述目标，重点抓好以下工作。\n"
    span = find_headline_block(text, tree(text))
    assert span is not None
    assert text[span[0] : span[1]] == "主要预期目标是：地区生产总值增长6.5%-7%，CPI控制在3%以内。"


def test_headline_block_list_on_next_line() -> None:
    text = "二、2023年工作安排\n今年经济社会发展的主要预期目标是：\n国内生产总值增长8%左右。\n下一段。\n"
    span = find_headline_block(text, tree(text))
    assert span is not None
    assert text[span[0] : span[1]] == "今年经济社会发展的主要预期目标是：\n国内生产总值增长8%左右。"


def test_headline_block_as_a_list_of_lines() -> None:
    text = (
        "一、2022年工作回顾\n全年建成学校3所。\n二、2023年重点工作安排\n今年经济社会发展的主要预期目标是：\n"
        "——地区生产总值增长5.5%以上；\n——规模以上工业增加值增长5.5%以上；\n实现上述目标任务，要重点做好以下工作：\n"
    )
    span = find_headline_block(text, tree(text))
    assert span is not None and text[span[0] : span[1]].endswith("规模以上工业增加值增长5.5%以上；")


def test_no_headline_block_in_review_or_five_year_plan() -> None:
    text = "一、2022年工作回顾\n完成了全年主要目标任务。\n二、2023年工作安排\n“十四五”时期的主要目标是：基本实现现代化。\n"
    assert find_headline_block(text, tree(text)) is None


def test_lexicon_patterns_compile() -> None:
    rules = _rules()
    assert set(rules.part_markers) == {"review", "plan", "other"}
    assert set(rules.child_markers) == {"review", "plan", "other"}
    assert rules.min_lead < rules.max_lead <= rules.max_heading
    places = _places_by_name()
    assert places["china"] == "国务院"
    assert all(v.endswith(("省", "市", "自治区", "国务院")) for v in places.values())
    extra = load_yaml("headings.yaml")
    assert extra["review_body_markers"] and all(
        isinstance(w, str) and w for w in extra["review_body_markers"]
    )
    for key in ("unnumbered_headings", "headline_patterns", "appendix_headings"):
        assert extra[key] and all(
            isinstance(p, str) and re.compile(p).fullmatch("") is None for p in extra[key]
        )


@pytest.mark.parametrize(
    "opening",
    [
        "今年经济社会发展的**主要预期目标**是：",
        "建议经济社会发展主要预期目标安排为：",
        "奋斗目标是:",
        "今年经济社会发展主要预期指标是：",
        "今年主要预期目标安排是：",
        "2025年全市经济社会发展目标是：",
        "今年政府工作的总体目标是：",
    ],
)
def test_headline_block_openings(opening: str) -> None:
    text = f"一、2024年工作回顾\n全年建成学校3所。\n二、2025年工作安排\n{opening}地区生产总值增长5%左右。\n"
    span = find_headline_block(text, tree(text))
    assert span is not None and text[span[0] : span[1]].startswith(opening)


def test_a_bold_line_naming_a_year_opens_a_part() -> None:
    text = (
        "示例市2020年政府工作报告\n**2019年高质量发展迈出坚实步伐**\n一、过去的一年，产业强市扎实推进\n"
        "全年建成学校3所，新增学位1万个。\n二、过去的一年，城乡功能持续优化\n新建公园5个，改造道路3条。\n"
        "**2020年再出发征程任重道远**\n一、明确一个总体要求\n今年政府工作的总体要求是：稳中求进。\n"
        "二、确保两个圆满收官\n新建学校5所，新增学位2万个。\n"
    )
    parts = [(s.title, s.part_kind) for s in tree(text) if s.level == 1 and s.title]
    assert parts == [
        ("2019年高质量发展迈出坚实步伐", "review"),
        ("过去的一年，产业强市扎实推进", "review"),
        ("过去的一年，城乡功能持续优化", "review"),
        ("2020年再出发征程任重道远", "plan"),
        ("明确一个总体要求", "plan"),
        ("确保两个圆满收官", "plan"),
    ]


def test_parts_titled_in_words_open_parts_of_their_kind() -> None:
    # a report whose parts are titled in its own words, none of the fixed phrases; the title and
    # date lines, and the targets' own "…主要预期目标是：" line, open nothing
    text = (
        "示例省2009年政府工作报告\n——2009年1月12日在示例省第十一届人民代表大会第二次会议上\n各位代表：\n"
        "2008年工作回顾\n一、全力抗震救灾，重建取得阶段性成果。全年建成学校3所。\n"
        "2009年工作总体部署\n经济社会发展的主要预期目标是：生产总值增长10%左右。\n"
        "一、加快项目建设，努力扩大投资规模。新建学校5所。\n"
        "今年全省经济社会发展的主要预期目标是：\n城镇新增就业3万人。\n"
        "推进政府自身建设\n一、深化机构改革，努力建设服务政府。精简审批事项100项。\n"
    )
    parts = [(s.title, s.part_kind) for s in tree(text) if s.level == 1 and s.title]
    assert parts == [
        ("2008年工作回顾", "review"),
        ("2009年工作总体部署", "plan"),
        ("推进政府自身建设", "plan"),
    ]


def test_numbered_sections_with_their_body_on_the_line_under_a_titled_part() -> None:
    text = (
        "2008年工作回顾\n一、全力抗震救灾，重建取得阶段性成果。全年建成学校3所。\n"
        "2009年工作总体部署\n一、加快项目建设，努力扩大投资规模。把扩大投资作为着力点。\n"
        "一是大力推进结构调整，促进优势产业升级。重点推进钢铁企业发展。\n"
        "二、发挥工业主体作用，切实提高质量和效益。新建园区5个。\n"
    )
    heads = [(s.level, s.title, s.part_kind) for s in tree(text)]
    assert heads == [
        (1, "2008年工作回顾", "review"),
        (2, "全力抗震救灾，重建取得阶段性成果", "review"),
        (1, "2009年工作总体部署", "plan"),
        (2, "加快项目建设，努力扩大投资规模", "plan"),
        (3, "大力推进结构调整，促进优势产业升级", "plan"),
        (2, "发挥工业主体作用，切实提高质量和效益", "plan"),
    ]


@pytest.mark.parametrize("appendix", ["**用语解释**", "有关词语解释", "注释：", "附件2"])
def test_an_appendix_is_other_and_ends_the_numbered_parts(appendix: str) -> None:
    text = (
        "一、2022年工作回顾\n全年建成学校3所，新增学位1万个。\n二、2023年工作安排\n新建学校5所，新增学位2万个。\n"
        f"{appendix}\n三、六稳：稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。\n"
    )
    parts = [(s.title, s.part_kind) for s in tree(text) if s.level == 1]
    assert parts[-1][1] == "other" and len(parts) == 3, parts


def test_markdown_bold_headings() -> None:
    text = "**一、2024年工作回顾**\n全年建成学校3所，新增学位1万个。\n**二、2025年工作安排**\n**（一）扩大内需**\n新建学校5所，新增学位2万个。\n"
    heads = [(s.level, s.title, s.part_kind) for s in tree(text)]
    assert heads == [(1, "2024年工作回顾", "review"), (1, "2025年工作安排", "plan"), (2, "扩大内需", "plan")]


# ---------------------------------------------------------------- the real corpus


def _reports() -> list[Path | None]:
    folder = SHARED / "corpus" / "reports"
    files = sorted(folder.glob("*.txt")) if folder.exists() else []
    return [*files] or [None]


def read_report(path: Path | None) -> tuple[str, str]:
    if path is None:
        shared_path("corpus", "reports")
        raise AssertionError("unreachable")
    return path.stem, path.read_text(encoding="utf-8").replace("\r\n", "\n")


def check_tree(text: str, secs: list[Section]) -> None:
    ids = [s.id for s in secs]
    assert len(ids) == len(set(ids)), "section ids are unique"
    by_id = {s.id: s for s in secs}
    assert [s.start for s in secs] == sorted(s.start for s in secs)
    for s in secs:
        assert 0 <= s.start < s.end <= len(text), s
        if s.parent is None:
            assert s.level == 1
        else:
            parent = by_id[s.parent]
            assert parent.level < s.level
            assert parent.start <= s.start and s.end <= parent.end, (parent, s)
            assert s.id.startswith(parent.id + ".")


@pytest.mark.slow
@pytest.mark.parametrize("path", _reports(), ids=lambda p: p.stem if p else "missing")
def test_real_report_structure(path: Path | None) -> None:
    name, text = read_report(path)
    year = int(re.findall(r"\d{4}", name)[0])
    secs = segment(text, line_of=line_of_for(text))
    check_tree(text, secs)
    assert detect_year(text, name) == year
    assert detect_place(text, name) != ""
    parts = [s for s in secs if s.level == 1]
    plan_chars = sum(s.end - s.start for s in secs if s.part_kind == "plan" and s.level == 1)
    if year >= 1978:
        assert len(parts) >= 2, [s.title for s in parts]
        assert plan_chars > 1000, [(s.title, s.part_kind) for s in parts]


def test_datong_plan_starts_at_2023_work() -> None:
    text = (
        shared_path("corpus", "reports", "datong-2023.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
    )
    secs = segment(text, line_of=line_of_for(text))
    plan = [s for s in secs if s.level == 1 and s.part_kind == "plan"]
    assert plan and plan[0].title == "2023年工作任务"
    assert kind_at(secs, text.index("一年来,我们坚持科学规划")) == "review"
    assert kind_at(secs, text.index("做强能源产业")) == "plan"
    sections = [s.title[:6] for s in secs if s.level == 2]
    assert sections[:3] == ["坚持工业强市", "坚持提振消费", "坚持强基固本"]
    span = find_headline_block(text, secs)
    assert span is not None and "地区生产总值增长6" in text[span[0] : span[1]]
    assert detect_year(text, "datong-2023") == 2023
    assert detect_place(text, "datong-2023") == "大同市"


EDGE_TEXTS = [("empty", ""), ("blank-lines", "\n\n  \n"), ("bare-number", "一、"), ("greeting", "各位代表：")]


@pytest.mark.parametrize("text", [c[1] for c in EDGE_TEXTS], ids=[c[0] for c in EDGE_TEXTS])
def test_degenerate_texts(text: str) -> None:
    secs = tree(text)
    assert all(s.title == "" and s.part_kind == "other" for s in secs)
    assert detect_year(text, None) is None
    assert detect_place(text, None) == ""
    assert find_headline_block(text, secs) is None
