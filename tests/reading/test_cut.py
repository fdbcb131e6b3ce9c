"""The plan cut into tasks (duban.reading.cut): what is a task, what is structure, and its rules' file."""

from __future__ import annotations

import re

import pytest

from duban.reading.cut import cut_plan, is_attitude, is_framing, load_lexicon, split_clauses, strip_prefix
from duban.reading.headline import find_headline_block
from duban.reading.structure import segment


def cuts_of(text: str) -> list[str]:
    secs = segment(text, line_of=lambda off: text.count("\n", 0, off) + 1)
    return [text[c.start : c.end] for c in cut_plan(text, secs, headline=find_headline_block(text, secs))]


PLAN = """示例市2023年政府工作报告
一、2022年工作回顾
一年来，全年建成高标准农田15万亩；新建学校3所。
二、2023年工作安排
2023年是开局之年。今年政府工作的总体要求是：坚持稳中求进，推动高质量发展。
今年全市经济社会发展的主要预期目标是：
地区生产总值增长6%左右；城镇新增就业3万人。约束性指标完成省下达任务。
围绕上述目标，重点抓好以下工作：
（一）坚持工业强市，加快构建现代产业体系
把发展经济的着力点放在实体经济上，推动产业升级。
做强能源产业。煤炭方面，推动3座煤矿投产；电网方面，建设变电站2座。加强市场化运营。强化资源整合，盘活文旅资源；强化资本运作，拓展融资渠道。持续解放思想。
各位代表，实体经济是高质量发展的基石。我们将以项目建设为抓手，持续发力！
（二）持续改善民生
一是做优教育事业。新建幼儿园5所，改扩建学校3所。二是新建医院2家。
"""


def test_a_plan_is_cut_into_commitment_clauses() -> None:
    assert cuts_of(PLAN) == [
        "今年全市经济社会发展的主要预期目标是：\n地区生产总值增长6%左右；城镇新增就业3万人。约束性指标完成省下达任务",
        "推动3座煤矿投产",
        "建设变电站2座",
        "强化资源整合，盘活文旅资源",
        "强化资本运作，拓展融资渠道",
        "新建幼儿园5所，改扩建学校3所",
        "新建医院2家",
    ]


def test_review_and_preamble_and_intros_are_not_cut() -> None:
    cut = " ".join(cuts_of(PLAN))
    for structure in ("高标准农田15万亩", "总体要求", "开局之年", "重点抓好以下工作", "着力点放在实体经济"):
        assert structure not in cut


def test_groups_and_sections() -> None:
    text = PLAN
    secs = segment(text, line_of=lambda off: 1)
    cuts = cut_plan(text, secs, headline=find_headline_block(text, secs))
    assert [(c.heading.title[:4], c.group) for c in cuts] == [
        ("2023", "主要预期目标"),
        ("坚持工业", "做强能源产业"),
        ("坚持工业", "做强能源产业"),
        ("坚持工业", "做强能源产业"),
        ("坚持工业", "做强能源产业"),
        ("持续改善", "做优教育事业"),
        ("持续改善", "做优教育事业"),
    ]
    assert cuts[0].headline and not any(c.headline for c in cuts[1:])


def test_numbered_leads_on_their_own_lines_are_structure() -> None:
    text = (
        "示例市2023年政府工作报告\n一、2022年工作回顾\n全年建成学校3所，新增学位1万个。\n二、2023年工作安排\n"
        "（一）坚持工业强市\n1.做强能源产业\n推动3座煤矿投产，建设变电站2座。\n**2.壮大新兴产业。**新建产业园3个，引进企业20家。\n"
    )
    secs = segment(text, line_of=lambda off: 1)
    cuts = cut_plan(text, secs, headline=None)
    assert [(text[c.start : c.end], c.group) for c in cuts] == [
        ("推动3座煤矿投产，建设变电站2座", "做强能源产业"),
        ("新建产业园3个，引进企业20家", "壮大新兴产业"),
    ]


def test_a_part_for_the_years_general_requirements_holds_only_the_targets_task() -> None:
    text = (
        "示例市2025年政府工作报告\n一、2024年工作回顾\n全年建成学校3所，新增学位1万个。\n"
        "二、2025年工作总体要求和主要目标任务\n今年政府工作的总体要求是：稳中求进，推动高质量发展。\n"
        "经济社会发展的主要预期目标是：地区生产总值增长5.5%以上。\n实现今年目标，任务艰巨，重担在肩。我们要勇挑大梁，争取更好结果。\n"
        "三、2025年重点工作\n（一）扩大内需\n新建学校5所，新增学位2万个。\n"
    )
    assert cuts_of(text) == [
        "经济社会发展的主要预期目标是：地区生产总值增长5.5%以上",
        "新建学校5所，新增学位2万个",
    ]


def test_a_short_opening_sentence_with_a_figure_is_a_task_not_a_lead() -> None:
    text = (
        "示例市2023年政府工作报告\n一、2022年工作回顾\n全年建成学校3所，新增学位1万个。\n二、2023年工作安排\n"
        "（一）发展数字经济\n做强数字产业。加快建设数据中心，培育数字企业。\n全年新建5G基站1000个。推进工业互联网建设，加快企业上云。\n"
    )
    secs = segment(text, line_of=lambda off: 1)
    assert [text[c.start : c.end] for c in cut_plan(text, secs, headline=None)] == [
        "加快建设数据中心，培育数字企业",
        "全年新建5G基站1000个",
        "推进工业互联网建设，加快企业上云",
    ]


def test_a_long_paragraph_behind_a_framing_opener_is_cut_after_its_framing() -> None:
    text = (
        "示例市2025年政府工作报告\n一、2024年工作回顾\n全年建成学校3所，新增学位1万个。\n二、2025年工作安排\n"
        "（一）扩大内需\n新建学校5所，新增学位2万个。\n"
        "各位代表，实体经济是高质量发展的基石。我们将以项目建设为抓手，持续发力！\n"
        "各位代表！完成好今年各项工作任务，我们必须加强政府自身建设。我们要牢记嘱托。"
        "认真接受市人大监督，办好代表建议。要加强廉政建设。坚持政府过紧日子，压减一般性支出。深化权力集中领域廉政风险防控。\n"
    )
    secs = segment(text, line_of=lambda off: 1)
    assert [text[c.start : c.end] for c in cut_plan(text, secs, headline=None)] == [
        "新建学校5所，新增学位2万个",
        "认真接受市人大监督，办好代表建议",
        "坚持政府过紧日子，压减一般性支出",
        "深化权力集中领域廉政风险防控",
    ]


CLAUSE_CASES = [
    ("semicolons", "加快建设；推动投产。新建学校", ["加快建设", "推动投产", "新建学校"]),
    (
        "quotes-hold",
        "推动“上半年建成；年底投产”项目；加快推进。",
        ["推动“上半年建成；年底投产”项目", "加快推进"],
    ),
    ("commas-never-cut", "建成并网，新增装机100万千瓦。", ["建成并网，新增装机100万千瓦"]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CLAUSE_CASES], ids=[c[0] for c in CLAUSE_CASES]
)
def test_split_clauses(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b, _ in split_clauses(text)] == expected


@pytest.mark.parametrize(
    ("clause", "rest"),
    [
        ("煤炭方面，持续推进煤炭增产保供", "持续推进煤炭增产保供"),
        ("其中，省重点项目35个", "省重点项目35个"),
        ("二是加快建设物流枢纽", "加快建设物流枢纽"),
        ("（三）推进城市更新", "推进城市更新"),
        ("在此基础上，推进改革", "推进改革"),
        ("加快建设方面的工作", "加快建设方面的工作"),
    ],
)
def test_strip_prefix(clause: str, rest: str) -> None:
    assert clause[strip_prefix(clause) :] == rest


@pytest.mark.parametrize(
    ("paragraph", "framing"),
    [
        ("各位代表，实体经济是高质量发展的基石。", True),
        ("我们将坚持把创新作为引领发展的第一动力。", True),
        ("2023年是全面贯彻党的二十大精神的开局之年，政府工作的总体要求是：", True),
        ("新的一年，省委赋予重大历史使命。", True),
        ("重点抓好以下八个方面工作：", True),
        ("加快建设陆港型国家物流枢纽。", False),
        ("坚持“规划引领”的思路，实施A级景区培育工程。", False),
        ("广西发展的潜力在开放、后劲在开放，我们要以更大力度推进高水平开放。", True),
        ("“老吾老以及人之老”，我们要尽心尽力做好老龄工作。", True),
        ("在重点领域，我们要新建学校30所。", False),
    ],
)
def test_framing(paragraph: str, framing: bool) -> None:
    assert is_framing(paragraph) is framing


@pytest.mark.parametrize(
    ("clause", "attitude"),
    [
        ("持续解放思想", True),
        ("确保取得实效", True),
        ("坚持稳中求进工作总基调", True),
        ("贯彻新发展理念", True),
        ("“提速建设”", True),
        ("为数字经济产业大量引进集聚奠定坚实的基础", True),
        ("为全省高质量发展提供有力支撑", True),
        ("推动民生服务“一网通享”", False),
        ("为中小微企业新增贷款不少于80亿元", False),
        ("坚持以项目论英雄，全年实施重点项目300个", False),
    ],
)
def test_attitude(clause: str, attitude: bool) -> None:
    assert is_attitude(clause) is attitude


def test_lexicon_shape() -> None:
    d = load_lexicon()
    for key in (
        "framing_openers",
        "framing_words",
        "framing_part_titles",
        "prefixes",
        "ordinals",
        "lead_openers",
        "attitude_patterns",
    ):
        items = d[key]
        assert items and all(isinstance(x, str) and x for x in items), key
        assert len(items) == len(set(items)), f"{key} has duplicates"
    for key in ("framing_openers", "prefixes", "ordinals", "attitude_patterns"):
        for pattern in d[key]:
            assert re.compile(pattern).match("") is None, f"{key}: {pattern!r} matches nothing at all"
    assert set(d["clause_ends"]).isdisjoint(d["sentence_ends"])
    for key in (
        "framing_window",
        "framing_paragraph_min_rest",
        "max_sublead_chars",
        "max_ordinal_lead_chars",
        "min_task_chars",
    ):
        assert isinstance(d[key], int) and d[key] > 0, key
    assert isinstance(d["deadline_prefix_max_chars"], int)


def test_a_sections_body_on_its_headings_line_is_cut() -> None:
    """ "（一）…。新建产业园3个。" carries its work on the heading's line: not an opening paragraph."""
    text = (
        "二、2023年工作安排\n"
        "（一）扩大有效投资。新建产业园3个；改造老旧厂房20万平方米。\n"
        "做强能源产业。推动3座煤矿投产。\n"
    )
    assert cuts_of(text) == ["新建产业园3个", "改造老旧厂房20万平方米", "推动3座煤矿投产"]


def test_work_before_a_lead_further_on_is_no_opening_paragraph() -> None:
    """A section's opening paragraph is one paragraph: the work after it stays work when a lead comes
    only later; with the section's body on its heading's line there is no opening paragraph at all."""
    text = (
        "二、2023年工作安排\n"
        "（一）实施生态保护工程\n"
        "生态环境保护是最大价值、最大责任。\n"
        "坚持一体保护，系统治理。持续开展入河湖排污口排查整治；推进城关区沟域治理。\n"
        "坚持生态优先、绿色发展。新增营造林25万亩。\n"
        "（二）加强城市建设。深化统筹城乡规划改革。\n"
        "提速建设轨道交通一号线，开工建设东水门大桥。\n"
        "完善城市功能。建成一批停车楼场。\n"
    )
    assert cuts_of(text) == [
        "坚持一体保护，系统治理",
        "持续开展入河湖排污口排查整治",
        "推进城关区沟域治理",
        "新增营造林25万亩",
        "深化统筹城乡规划改革",
        "提速建设轨道交通一号线，开工建设东水门大桥",
        "建成一批停车楼场",
    ]


FIVE_YEARS = """示例省2026年政府工作报告
一、2025年工作回顾
全年建成高标准农田15万亩。
二、“十五五”时期的主要目标任务
（一）聚焦创新驱动。深入实施科技创新工程，加快建设科技强省。
三、2026年重点工作
（一）着力提升创新效能
新建概念验证中心10家。
"""


def test_the_five_year_goals_are_no_part_of_the_years_ledger() -> None:
    """The five years' part is left to the outline when the report has a part for the year's work;
    alone, it is the plan there is."""
    secs = segment(FIVE_YEARS, line_of=lambda off: FIVE_YEARS.count("\n", 0, off) + 1)
    cuts = [FIVE_YEARS[c.start : c.end] for c in cut_plan(FIVE_YEARS, secs, headline=None, year=2026)]
    assert cuts == ["新建概念验证中心10家"]
    alone = FIVE_YEARS.split("三、2026年")[0]
    secs = segment(alone, line_of=lambda off: alone.count("\n", 0, off) + 1)
    assert [alone[c.start : c.end] for c in cut_plan(alone, secs, headline=None, year=2026)] == [
        "深入实施科技创新工程，加快建设科技强省"
    ]
