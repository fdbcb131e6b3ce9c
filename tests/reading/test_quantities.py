"""The quantity rules as a corpus of examples, and the reader scored against gold.

Each example is a sentence in the style of a real report and the figures a supervision office
would track in it: (metric, value, value_high, unit, bound). A metric matches when one contains
the other, as the acceptance scorer does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from duban.reading.metrics import describe, identify
from duban.reading.quantities import extract_quantities
from duban.reading.quantity_lexicon import lexicon
from tests.conftest import FIXTURES, ROOT, shared_path

Fig = tuple[str, float, float | None, str, str]

EXAMPLES: list[tuple[str, str, list[Fig]]] = [
    ("growth-about", "地区生产总值增长6.5%左右。", [("地区生产总值", 6.5, None, "%", "about")]),
    ("cap-within", "城镇调查失业率控制在5%以内。", [("城镇调查失业率", 5, None, "%", "at_most")]),
    ("cap-about", "居民消费价格涨幅控制在3%左右。", [("居民消费价格涨幅", 3, None, "%", "about")]),
    # shared/gold/README.md: at_most is "控制在…以内"; a bare 控制在 is exact (the review reads it as a cap)
    ("cap-bare", "财政赤字率控制在2.8%。", [("财政赤字率", 2.8, None, "%", "exact")]),
    ("wan-fold", "全年建成高标准农田20.8万亩。", [("高标准农田", 208000, None, "亩", "exact")]),
    ("yi-fold", "煤炭产量稳定在1.6亿吨以上。", [("煤炭产量", 160000000, None, "吨", "at_least")]),
    ("wanyi-fold", "国内生产总值达到126万亿元。", [("国内生产总值", 1.26e14, None, "元", "exact")]),
    ("wan-kilowatt", "全市电力总装机达到1754万千瓦。", [("电力总装机", 17540000, None, "千瓦", "exact")]),
    ("yi-kwh", "发电电量完成570亿千瓦时。", [("发电电量", 57000000000, None, "千瓦时", "exact")]),
    ("range-dash", "面向京津冀推出2—3个精品旅游产品。", [("精品旅游产品", 2, 3, "个", "exact")]),
    ("range-zhi", "新培育3至5家链主企业。", [("链主企业", 3, 5, "家", "exact")]),
    ("range-magnitude", "新增产能10-15万吨。", [("产能", 100000, 150000, "吨", "exact")]),
    ("chinese-count", "推动京东灵丘等三个在建数据中心投产达产。", [("在建数据中心", 3, None, "个", "exact")]),
    ("chinese-big", "帮扶一千二百户困难家庭。", [("困难家庭", 1200, None, "户", "exact")]),
    ("count-before-noun", "推动水磨湾等3座在建煤矿投产达产。", [("在建煤矿", 3, None, "座", "exact")]),
    ("count-after-noun", "改造城镇老旧小区127个。", [("城镇老旧小区", 127, None, "个", "exact")]),
    ("duo", "企业新增就业7300多人。", [("新增就业", 7300, None, "人", "at_least")]),
    (
        "sets-of-machines",
        "完成工业领域设备更新33.6万台套。",
        [("工业领域设备更新", 336000, None, "台套", "exact")],
    ),
    ("a-ratio", "城乡居民收入比缩小至2.04。", [("城乡居民收入比", 2.04, None, "", "exact")]),
    (
        "flats-and-rooms",
        "市场化租赁住房2万套（间）以上。",
        [("市场化租赁住房", 20000, None, "套", "at_least")],
    ),
    (
        "points-said-once",
        "服务业、数字经济核心产业增加值占比分别提高4个、6个百分点。",
        [
            ("服务业增加值占比", 4, None, "个百分点", "exact"),
            ("数字经济核心产业增加值占比", 6, None, "个百分点", "exact"),
        ],
    ),
    (
        "rank-in-a-region",
        "港口集装箱吞吐量居长江中上游第1。",
        [("港口集装箱吞吐量", 1, None, "rank", "exact")],
    ),
    (
        "people-of-a-problem",
        "今年要再解决3200万农村人口的安全饮水问题。",
        [("农村人口", 32000000, None, "人", "exact")],
    ),
    ("budget-arranged", "今年中央财政将安排2762亿元。", [("中央财政", 276200000000, None, "元", "exact")]),
    (
        "rank-top-among-cities",
        "经济总量位居全国城市前十，达到15616.1亿元。",
        [
            ("经济总量全国城市排名", 10, None, "rank", "at_most"),
            ("经济总量", 1561610000000, None, "元", "exact"),
        ],
    ),
    (
        "rank-moved",
        "进出口总额达到2.17万亿美元，从世界第六位上升到第三位。",
        [("进出口总额", 2.17e12, None, "美元", "exact"), ("进出口总额世界排名", 3, None, "rank", "exact")],
    ),
    ("kilovolt-amperes", "新增变电容量200万千伏安。", [("变电容量", 2000000, None, "千伏安", "exact")]),
    ("trains", "中欧班列开行1300列以上。", [("中欧班列开行", 1300, None, "列", "at_least")]),
    ("compound-unit", "全年保障航班起降297架次。", [("保障航班起降", 297, None, "架次", "exact")]),
    (
        "households-of-a-task",
        "今年，12179户农房重建任务全部完成。",
        [("农房重建任务", 12179, None, "户", "exact")],
    ),
    (
        "stacked-counts",
        "帮扶困难群众301户611人。",
        [("困难群众", 301, None, "户", "exact"), ("困难群众", 611, None, "人", "exact")],
    ),
    ("chao", "累计降费超3亿元。", [("降费", 300000000, None, "元", "at_least")]),
    ("tupo", "市场主体总量突破38万户。", [("市场主体总量", 380000, None, "户", "at_least")]),
    ("yue", "带动就业约2万人。", [("带动就业", 20000, None, "人", "about")]),
    ("buDiYu", "粮食播种面积不低于421万亩。", [("粮食播种面积", 4210000, None, "亩", "at_least")]),
    (
        "percentage-points",
        "确保资产负债率下降0.5个百分点。",
        [("资产负债率", 0.5, None, "个百分点", "exact")],
    ),
    ("rank-first", "营商环境评价全省排名第一。", [("营商环境评价全省排名", 1, None, "rank", "exact")]),
    (
        "rank-field",
        "热线运行质量在全国312个普通地级市中排名第51位。",
        [("热线运行质量全国普通地级市排名", 51, None, "rank", "exact")],
    ),
    ("rank-top", "力争营商环境评价进入全省前3位。", [("营商环境评价", 3, None, "rank", "at_most")]),
    (
        "yoy-beside-level",
        "优良天数达到327天，同比增加12天。",
        [("优良天数", 327, None, "天", "exact"), ("优良天数", 12, None, "天", "exact")],
    ),
    (
        "respectively",
        "规上工业增加值、固定资产投资分别增长6.1%、5.2%。",
        [("规上工业增加值", 6.1, None, "%", "exact"), ("固定资产投资", 5.2, None, "%", "exact")],
    ),
    (
        "list-of-levels",
        "确保粮食播种面积稳定在421万亩以上、粮食产量达到25亿斤以上。",
        [("粮食播种面积", 4210000, None, "亩", "at_least"), ("粮食产量", 2500000000, None, "斤", "at_least")],
    ),
    (
        "several-counts",
        "认定3家市级双创基地、2家省级双创基地。",
        [("市级双创基地", 3, None, "家", "exact"), ("省级双创基地", 2, None, "家", "exact")],
    ),
    ("bare-index", "空气质量综合指数3.72。", [("空气质量综合指数", 3.72, None, "", "exact")]),
    ("from-to", "常住人口城镇化率从60.2%提高到65.2%。", [("常住人口城镇化率", 65.2, None, "%", "exact")]),
    ("category-after-deng", "新建城关镇第三幼儿园等学校4所。", [("学校", 4, None, "所", "exact")]),
    ("working-days", "企业开办时间压缩至1个工作日以内。", [("企业开办时间", 1, None, "个工作日", "at_most")]),
    (
        "bare-wanyi",
        "普惠小微企业贷款余额超万亿元。",
        [("普惠小微企业贷款余额", 1e12, None, "元", "at_least")],
    ),
    ("percent-before-noun", "互认覆盖97%门诊量。", [("互认覆盖", 97, None, "%", "exact")]),
    ("level-before-de", "调查失业率稳定在5%左右的较低水平。", [("调查失业率", 5, None, "%", "about")]),
    (
        "list-shares-bound",
        "食品、药品抽检合格率分别超98.5%和99%。",
        [("食品", 98.5, None, "%", "at_least"), ("药品抽检合格率", 99, None, "%", "at_least")],
    ),
    ("share-in-tenths", "养老助餐点覆盖九成以上城乡社区。", [("养老助餐点覆盖", 90, None, "%", "at_least")]),
    (
        "rank-first-place",
        "备案上线大模型数量稳居全国首位。",
        [("备案上线大模型数量全国排名", 1, None, "rank", "exact")],
    ),
    ("rank-bare", "获奖总数全国第2。", [("获奖总数全国排名", 2, None, "rank", "exact")]),
    ("people-without-unit", "农村贫困人口减少1386万。", [("农村贫困人口", 13860000, None, "人", "exact")]),
    (
        "count-at-least-before-noun",
        "新建5个以上紧密型城市医疗集团。",
        [("紧密型城市医疗集团", 5, None, "个", "at_least")],
    ),
    (
        "more-before-magnitude",
        "棚户区住房改造620多万套。",
        [("棚户区住房改造", 6200000, None, "套", "at_least")],
    ),
    (
        "compared-with-last-year",
        "地方政府专项债券2.15万亿元，比去年增加8000亿元。",
        [("地方政府专项债券", 2.15e12, None, "元", "exact"), ("地方政府专项债券", 8e11, None, "元", "exact")],
    ),
    (
        "subject-in-clause-before",
        "下调城镇职工基本养老保险单位缴费比例，各地可降至16%。",
        [("城镇职工基本养老保险单位缴费比例", 16, None, "%", "exact")],
    ),
    (
        "comparison-keeps-subject",
        "规模工业增加值增长7.3%，高于全国1.5个百分点。",
        [
            ("规模工业增加值", 7.3, None, "%", "exact"),
            ("规模工业增加值高于全国", 1.5, None, "个百分点", "exact"),
        ],
    ),
    (
        "compared-with-a-year",
        "全市森林覆盖率达68.5%，比2015年提高3.2个百分点。",
        [("森林覆盖率", 68.5, None, "%", "exact"), ("森林覆盖率", 3.2, None, "个百分点", "exact")],
    ),
    (
        "multiple-of-a-year",
        "铁路营业里程达到420公里，是2015年的1.8倍。",
        [("铁路营业里程", 420, None, "公里", "exact"), ("铁路营业里程", 1.8, None, "倍", "exact")],
    ),
    (
        "share-of-the-tasks-set",
        "新建保障性住房1.2万套，完成省下达任务的115%。",
        [("保障性住房", 12000, None, "套", "exact"), ("保障性住房", 115, None, "%", "exact")],
    ),
    (
        "list-member-with-yu",
        "电子与信息、装备制造和现代物流等产业分别增长9.1%、7.4%和12.6%。",
        [
            ("电子与信息", 9.1, None, "%", "exact"),
            ("装备制造", 7.4, None, "%", "exact"),
            ("现代物流", 12.6, None, "%", "exact"),
        ],
    ),
    (
        "qualified-projects",
        "建成15个污染减排重点项目，完成2000个“农家书屋”建设任务。",
        [("污染减排重点项目", 15, None, "个", "exact"), ("“农家书屋”建设任务", 2000, None, "个", "exact")],
    ),
    (
        "respectively-of-the-figures-before",
        "城镇居民人均可支配收入4.2万元，农村居民人均可支配收入2.1万元，扣除价格因素分别增长5.1%和7.3%。",
        [
            ("城镇居民人均可支配收入", 42000, None, "元", "exact"),
            ("农村居民人均可支配收入", 21000, None, "元", "exact"),
            ("城镇居民人均可支配收入", 5.1, None, "%", "exact"),
            ("农村居民人均可支配收入", 7.3, None, "%", "exact"),
        ],
    ),
    (
        "respectively-shares-of-the-tasks",
        "棚户区改造开工3000套、基本建成2000套，分别完成任务数的110%和105%。",
        [
            ("棚户区改造开工", 3000, None, "套", "exact"),
            ("基本建成", 2000, None, "套", "exact"),
            ("棚户区改造开工", 110, None, "%", "exact"),
            ("基本建成", 105, None, "%", "exact"),
        ],
    ),
    (
        "small-count-in-words-of-a-list",
        "推动甲、乙两个产业园开工建设。",
        [("产业园", 2, None, "个", "exact")],
    ),
    (
        "generic-metric-after-its-subject",
        "粮食生产再获丰收，总产达到310亿斤。",
        [("粮食总产", 310e8, None, "斤", "exact")],
    ),
    (
        "a-clause-before-the-metric",
        "依托示例机场谋划打造国际航空货运枢纽、货邮吞吐量达到50万吨。",
        [("货邮吞吐量", 500000, None, "吨", "exact")],
    ),
    (
        "listed-companies-and-the-lists-verb",
        "新增“四上”企业1000家以上、上市公司5家以上。",
        [("“四上”企业", 1000, None, "家", "at_least"), ("上市公司", 5, None, "家", "at_least")],
    ),
    (
        "one-figure-for-a-list",
        "新材料、生物医药、数字经济产业产值增长15%以上。",
        [
            ("新材料产业产值", 15, None, "%", "at_least"),
            ("生物医药产业产值", 15, None, "%", "at_least"),
            ("数字经济产业产值", 15, None, "%", "at_least"),
        ],
    ),
    (
        "quoted-commitment",
        "确保“3个县摘帽、8万人脱贫”，基本医疗保险参保率巩固在95%以上。",
        [
            ("县摘帽", 3, None, "个", "exact"),
            ("脱贫", 80000, None, "人", "exact"),
            ("基本医疗保险参保率", 95, None, "%", "at_least"),
        ],
    ),
    (
        "people-counted-after",
        "全年9万贫困人口脱贫，12件重点民生实事全面完成。",
        [("贫困人口脱贫", 90000, None, "人", "exact"), ("重点民生实事", 12, None, "件", "exact")],
    ),
    (
        "counted-thing-stops-before-how-it-went",
        "全年22件省市实事全面完成。",
        [("省市实事", 22, None, "件", "exact")],
    ),
    (
        "a-bound-stays-in-its-clause",
        "上云企业超1万家，8家企业获评国家级智能工厂，新能源汽车产量超50万辆、居全国第9。",
        [
            ("上云企业", 10000, None, "家", "at_least"),
            ("企业获评国家级智能工厂", 8, None, "家", "exact"),
            ("新能源汽车产量", 500000, None, "辆", "at_least"),
            ("新能源汽车产量全国排名", 9, None, "rank", "exact"),
        ],
    ),
    (
        "a-list-of-thresholds",
        "全年引进亿元以上、10亿元以上、50亿元以上工业项目分别不少于100个、5个、2个。",
        [
            ("亿元以上工业项目", 100, None, "个", "at_least"),
            ("10亿元以上工业项目", 5, None, "个", "at_least"),
            ("50亿元以上工业项目", 2, None, "个", "at_least"),
        ],
    ),
    (
        "from-one-figure-to-another",
        "全社会研发经费，从2018年800亿元增加到2022年的1500亿元；中央财政用于科技的投入，将由去年的300亿元增加到360亿元。",
        [("全社会研发经费", 1500e8, None, "元", "exact"), ("中央财政科技投入", 360e8, None, "元", "exact")],
    ),
    (
        "a-five-year-total",
        "全国财政用于卫生支出五年累计6000亿元，比前五年增长1.2倍。",
        [("财政卫生支出", 6000e8, None, "元", "exact"), ("财政卫生支出", 1.2, None, "倍", "exact")],
    ),
    (
        "base-year-of-a-change",
        "全国国有企业资产总额比2018年增长40.5%，五年中央财政用于科技的投入达到2000亿元。",
        [("国有企业资产总额", 40.5, None, "%", "exact"), ("中央财政科技投入", 2000e8, None, "元", "exact")],
    ),
    (
        "real-growth-and-shared-emissions",
        "城镇居民人均可支配收入实际增长7%，化学需氧量、二氧化硫排放量均下降3%。",
        [
            ("城镇居民人均可支配收入", 7, None, "%", "exact"),
            ("化学需氧量排放量", 3, None, "%", "exact"),
            ("二氧化硫排放量", 3, None, "%", "exact"),
        ],
    ),
    (
        "activity-as-metric",
        "改造农村公路300公里，造林12.5万亩。",
        [("农村公路", 300, None, "公里", "exact"), ("造林", 125000, None, "亩", "exact")],
    ),
]

NOT_QUANTITIES: list[tuple[str, str]] = [
    ("road-number", "积极推动国道109线、208线过境改线工程开工建设。"),
    ("hotline-code", "坚持用好13710督查督办系统和12345政府服务热线。"),
    ("five-g", "新建5G网络基础设施。"),
    ("model-code", "推动T1000、T1100碳纤维项目开工建设。"),
    ("quoted-slogan", "编制“十四五”规划，落实“两个确立”，推进“三区三线”划定。"),
    ("edition", "成功举办第十八届中国呼叫中心产业发展年会。"),
    ("project-size", "加快深源15万千瓦抽水蓄能电站建设。"),
    ("voltage", "同步建设500千伏和220千伏变电站配套工程。"),
    ("annual-output-name", "加快库邦生物医药年产280吨医药原料药项目建设。"),
    ("threshold-kind", "实施亿元以上项目，规划建设3A级以上景区停车场。"),
    ("dates", "2023年1月5日，上半年，三季度。"),
    ("pm-name", "PM2.5治理持续推进。"),
    ("rhetoric-count", "今年重点抓好以下八个方面工作，用好两个抓手。"),
    ("one", "建设一个能源丰富多样的城市，打造一批精品。"),
    ("formula", "推进2×100万千瓦煤电项目和“1+N”政策体系。"),
    ("version", "实施营商环境3.0版改革。"),
    ("from-figure", "研发经费投入强度从2.1%"),
    ("threshold-class", "地区生产总值超200亿元县不断增多。"),
    ("policy-setting", "实施240小时过境免签政策。"),
    ("distance-standard", "实现公交与轨道50米内换乘。"),
    ("plan-version", "实施服务业扩大开放3.0方案。"),
    ("superlative-size", "全球最大4000吨履带起重机下线。"),
    ("idiom-legs", "坚持迈开两条腿走路。"),
    ("count-of-tasks", "抓好三个方面任务。"),
    ("size-label", "8座以下小汽车通行费减免。"),
    ("age-class", "为3岁以下婴幼儿提供托育服务。"),
    ("population-described", "作为一个有14亿人口的发展中国家，我们的任务艰巨。"),
    ("slogan-counts-in-words", "坚持两个文明一起抓，统筹两个市场，落实八条方针，实行收支两条线。"),
]


def _extract(sentence: str):
    return extract_quantities(sentence, kind_at=lambda _o: "plan")


def _metric_agrees(a: str, b: str) -> bool:
    return a in b or b in a


@pytest.mark.parametrize(
    ("sentence", "expected"), [(s, e) for _, s, e in EXAMPLES], ids=[i for i, _, _ in EXAMPLES]
)
def test_example(sentence: str, expected: list[Fig]) -> None:
    got = _extract(sentence)
    assert len(got) == len(expected), [(q.metric, q.value, q.unit) for q in got]
    for q, (metric, value, high, unit, bound) in zip(got, expected, strict=True):
        assert q.value == pytest.approx(value)
        assert q.value_high == (pytest.approx(high) if high is not None else None)
        assert (q.unit, q.bound) == (unit, bound)
        assert _metric_agrees(q.metric, metric), q.metric
        assert q.quote in sentence
        assert q.kind == "target"


@pytest.mark.parametrize("sentence", [s for _, s in NOT_QUANTITIES], ids=[i for i, _ in NOT_QUANTITIES])
def test_not_a_quantity(sentence: str) -> None:
    got = _extract(sentence)
    assert got == [], [(q.metric, q.value, q.unit, q.quote) for q in got]


def test_a_clause_before_a_metric_is_not_taken_in() -> None:
    (q,) = _extract("依托示例机场谋划打造国际航空货运枢纽、货邮吞吐量达到50万吨。")
    assert (q.metric, q.quote) == ("货邮吞吐量", "货邮吞吐量达到50万吨")
    _first, second = _extract("新增“四上”企业1000家以上、上市公司5家以上。")
    assert (second.metric, second.change) == ("上市公司", "新增")


def test_a_new_jobs_figure_is_named_by_its_verb() -> None:
    (q,) = extract_quantities("新增城镇就业5.2万人。", kind_at=lambda _o: "plan")
    describe(q)
    assert (q.metric, q.change, q.metric_id) == ("城镇就业", "新增", "urban_new_jobs")


def test_review_part_gives_achievements_and_other_gives_nothing() -> None:
    text = "过去一年，城镇新增就业5.21万人。\n今年城镇新增就业4.5万人。\n各位代表，共有3个方面。"
    marks = (text.index("今年"), text.index("各位代表"))

    def kind_at(o: int):
        return "review" if o < marks[0] else "plan" if o < marks[1] else "other"

    got = extract_quantities(text, kind_at=kind_at)
    assert [(q.kind, q.value) for q in got] == [("achievement", 52100), ("target", 45000)]


def test_a_paragraph_that_looks_back_gives_achievements_inside_a_plan_part() -> None:
    from duban import read_report

    text = (
        "2026年政府工作报告\n一、“十四五”时期发展成就和“十五五”时期主要目标\n"
        "这五年，我们攻坚克难，地区生产总值年均增长5.2%。\n"
        "今后五年，地区生产总值年均增长5%左右。\n"
    )
    plan = read_report(text, name="x-2026.txt")
    assert [(q.kind, q.value) for q in plan.quantities] == [("achievement", 5.2), ("target", 5)]


def test_flags_implausible_and_repeated() -> None:
    text = "PM2.5浓度达56克/立方米。森林覆盖率达到120%。改造城镇老旧小区127个。改造城镇老旧小区127个。"
    got = extract_quantities(text, kind_at=lambda _o: "review")
    flags = {q.quote: q.flags for q in got}
    assert flags["PM2.5浓度达56克/立方米"] == ["implausible_unit"]
    assert flags["森林覆盖率达到120%"] == ["share_over_100"]
    assert [q.flags for q in got if q.value == 127] == [[], ["repeated"]]


def test_headline_targets_are_marked() -> None:
    text = "今年的主要预期目标是：地区生产总值增长6%左右。\n全年建成高标准农田20万亩。"
    got = extract_quantities(text, kind_at=lambda _o: "plan")
    assert [(q.metric, q.headline) for q in got] == [("地区生产总值", True), ("高标准农田", False)]


def test_lexicon_is_well_formed() -> None:
    lex = lexicon()
    assert {"个", "亩", "吨", "%", "个百分点"} <= set(lex.count_units) | {
        u for u in ("亩", "吨", "%", "个百分点")
    }
    assert set(lex.bounds_before.values()) | set(lex.bounds_after.values()) <= {
        "about",
        "at_least",
        "at_most",
        "exact",
    }
    assert lex.figure_re.search("20.8万亩")


def _score(gold: Path, pred_lines: str, tmp: Path, neutral: Path | None = None) -> float:
    """Strict F1 from the acceptance scorer itself, run as acceptance runs it."""
    tool = shared_path("tools", "score_quantities.py")
    pred = tmp / "pred.jsonl"
    pred.write_text(pred_lines, encoding="utf-8")
    args = [sys.executable, str(tool), str(gold), str(pred)] + (
        ["--neutral", str(neutral)] if neutral else []
    )
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1].split("=")[1])


def _jsonl(path: Path) -> str:
    from click.testing import CliRunner

    from duban.cli import main  # the same path a user takes: duban read --format jsonl

    result = CliRunner().invoke(main, ["read", "--format", "jsonl", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_dev_gold_datong_strict_f1(tmp_path: Path) -> None:
    report = shared_path("corpus", "reports", "datong-2023.txt")
    gold, neutral = shared_path("gold", "datong-2023.jsonl"), shared_path("gold", "datong-2023.neutral.jsonl")
    f1 = _score(gold, _jsonl(report), tmp_path, neutral)
    assert f1 >= 0.90


@pytest.mark.parametrize(
    ("sample", "gold"),
    [
        ("示例市2023年政府工作报告.txt", "示例市-2023.jsonl"),
        ("样例县2025年政府工作报告.txt", "样例县-2025.jsonl"),
    ],
)
def test_own_samples_strict_f1(sample: str, gold: str, tmp_path: Path) -> None:
    report = ROOT / "src" / "duban" / "samples" / sample
    assert _score(FIXTURES / "gold" / gold, _jsonl(report), tmp_path) >= 0.90


def test_jsonl_items_carry_doc_and_gold_fields() -> None:
    rows = [
        json.loads(x)
        for x in _jsonl(ROOT / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt").splitlines()
    ]
    quantities = [r for r in rows if r["kind"] in ("target", "achievement")]
    assert quantities and all(r["doc"] == "示例市2023年政府工作报告" for r in rows)
    for field in ("metric", "change", "value", "value_high", "unit", "bound", "quote"):
        assert all(field in r for r in quantities)
    assert any(r["headline"] for r in quantities)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # members that name their own measure keep it; 分别 takes the list of the clause before
            "地区生产总值、固定资产投资、全部工业总产值均突破4000亿元，分别增长8%、12%和14%。",
            [
                ("地区生产总值", 4e11),
                ("固定资产投资", 4e11),
                ("全部工业总产值", 4e11),
                ("地区生产总值", 8),
                ("固定资产投资", 12),
                ("全部工业总产值", 14),
            ],
        ),
        (  # indicators listed without a shared tail, one figure for each
            "生产总值、人均GDP、全员劳动生产率增速均为7%。",
            [("生产总值", 7), ("人均GDP", 7), ("全员劳动生产率", 7)],
        ),
        (  # a shared tail still spreads to members without a measure of their own
            "集成电路、智能机器人产业产值增长20%。",
            [("集成电路产业产值", 20), ("智能机器人产业产值", 20)],
        ),
        (  # 分别 with a tail for each member and figures of 万 people without a unit
            "企业基本养老保险、失业保险和工伤保险参保人数分别新增211万、125万和240万，补助标准提高1倍。",
            [
                ("企业基本养老保险参保人数", 2110000),
                ("失业保险参保人数", 1250000),
                ("工伤保险参保人数", 2400000),
                ("补助标准", 1),
            ],
        ),
        (  # 分别 with one figure: each member has it
            "化学需氧量、氨氮排放量要分别下降2%，二氧化硫、氮氧化物排放量分别下降3%。",
            [("化学需氧量", 2), ("氨氮排放量", 2), ("二氧化硫排放量", 3), ("氮氧化物排放量", 3)],
        ),
        ("今年要完成1000万以上农村贫困人口脱贫任务。", [("农村贫困人口脱贫任务", 1e7)]),
        (  # a level of a list without 分别 or 均 is one total
            "养老、医疗、失业、工伤、生育保险参保人数达到2272万人。",
            [("养老、医疗、失业、工伤、生育保险参保人数", 22720000)],
        ),
        (  # a generic 总产 takes its subject from the clause before it when that clause has no figure
            "新建和改造高标准农田298万亩，粮食面积、总产、单产实现“两增一稳”，总产762亿斤。",
            [("高标准农田", 2980000), ("粮食总产", 76200000000)],
        ),
        (  # a list its sum names ("三大重点产业"): one figure for the three together
            "电子信息、先进装备制造、生物医药三大重点产业产值增长17%，占全市规模以上工业产值的比重达38.5%。",
            [("三大重点产业产值", 17), ("三大重点产业产值占全市规模以上工业产值的比重", 38.5)],
        ),
        (  # …and with 分别, each member without the sum's count
            "煤炭、电力、化工三大产业产值分别增长5%、6%和8%。",
            [("煤炭产业产值", 5), ("电力产业产值", 6), ("化工产业产值", 8)],
        ),
        (  # 实现 off the measure; a comparison with GDP neither names GDP nor becomes the base
            "十大产业实现增加值3511.85亿元，增长13.6%，高于GDP增幅4.6个百分点，占全市GDP比重45%。",
            [
                ("十大产业增加值", 351185000000),
                ("十大产业增加值", 13.6),
                ("十大产业增加值高于GDP", 4.6),
                ("十大产业增加值占全市GDP比重", 45),
            ],
        ),
        (  # 分别 whose list opens the figureless clause before
            "单位国内生产总值能耗比上年下降3.27%，化学需氧量、二氧化硫排放总量近年来首次出现双下降，比上年分别下降3.14%和4.66%。",
            [("单位国内生产总值能耗", 3.27), ("化学需氧量", 3.14), ("二氧化硫排放总量", 4.66)],
        ),
        (  # a pair of figures after a 分别 list, in a clause of their own: the same list again
            "2010年城乡居民收入分别达23898元和7890元，比上年增长10.8%和14.2%。",
            [("城镇居民收入", 23898), ("农村居民收入", 7890), ("城镇居民收入", 10.8), ("农村居民收入", 14.2)],
        ),
        (  # the industries' tail, not only its last word
            "汽车、绿色食品、电子信息产业主营业务收入分别突破1300亿元、1100亿元、1000亿元。",
            [
                ("汽车产业主营业务收入", 1.3e11),
                ("绿色食品产业主营业务收入", 1.1e11),
                ("电子信息产业主营业务收入", 1e11),
            ],
        ),
        (  # a measure of the firms named before
            "规模以上工业企业达7.6万家、增加值增长3%。",
            [("规模以上工业企业", 76000), ("规模以上工业增加值", 3)],
        ),
    ],
    ids=[
        "own-measures-then-respectively",
        "indicators-alike",
        "shared-tail",
        "respectively-tail-people",
        "respectively-one-figure",
        "people-after-a-bound",
        "list-total",
        "generic-after-a-figureless-clause",
        "a-list-its-sum-names",
        "a-list-its-sum-names-respectively",
        "achieved-measure-and-a-comparison",
        "respectively-a-list-before",
        "the-same-list-again",
        "an-industries-tail",
        "firms-then-their-measure",
    ],
)
def test_list_members_each_take_the_figure(sentence: str, expected: list[tuple[str, float]]) -> None:
    got = [(q.metric, q.value) for q in _extract(sentence)]
    assert got == [(m, pytest.approx(v)) for m, v in expected]


def test_per_capita_gdp_is_an_indicator_of_its_own() -> None:
    from duban.reading.metrics import identify

    assert identify("人均GDP")[0] == identify("人均地区生产总值")[0] == "gdp_per_capita"
    assert identify("地区生产总值")[0] == "gdp"


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("建成并投入使用公办中小学校18所。", "公办中小学校"),
        ("新建成公办幼儿园12所。", "公办幼儿园"),
        ("引进各类首店300家以上。", "首店"),
        ("进出口逆势增长10.8%。", "进出口"),
        ("城市居民最低生活保障线提高到每人每月310元。", "城市居民最低生活保障线"),
        ("烤烟收购总量170万担。", "烤烟收购总量"),
        ("鲜切花产量40.1亿枝。", "鲜切花产量"),
        ("按现行标准全年空气质量优良天数保持90%以上。", "空气质量优良天数"),
        ("社会消费品零售总额稳步增长6%。", "社会消费品零售总额"),
    ],
    ids=[
        "two-verbs",
        "new-built",
        "all-kinds-of",
        "against-the-trend",
        "steadily",
        "per-head",
        "dan",
        "stems",
        "by-the-standard",
    ],
)
def test_verbs_off_the_metric(sentence: str, metric: str) -> None:
    assert [q.metric for q in _extract(sentence)] == [metric]


def test_bare_investment_is_fixed_asset_investment_only_as_a_rate() -> None:
    got = [(q.metric, q.metric_id) for q in _extracted_and_described("投资增长8%以上，全年完成投资518亿元。")]
    assert got == [("投资", "fixed_asset_investment"), ("投资", None)]


def _extracted_and_described(sentence: str):
    got = _extract(sentence)
    for q in got:
        describe(q)
    return got


def test_public_kindergartens_are_not_all_affordable_ones() -> None:
    from duban.reading.metrics import identify

    assert identify("公办幼儿园")[0] == "public_kindergartens"
    assert identify("普惠性幼儿园")[0] == "kindergartens"


def test_comparable_basis_is_a_scope() -> None:
    from duban.reading.metrics import identify

    assert identify("地方财政收入按可比口径") == ("budget_revenue", "同口径")
    assert identify("城镇调查失业率平均值")[0] == "surveyed_unemployment"
    assert identify("城镇新增就业人口")[0] == "urban_new_jobs"
    assert identify("十大产业增加值高于GDP")[0] is None
    assert identify("全社会研究与试验发展经费支出占生产总值比重")[0] == "rd_intensity"


def test_foreign_trade_by_its_other_names() -> None:
    from duban.reading.metrics import identify

    assert identify("外贸进出口总值")[0] == identify("进出口总值")[0] == "foreign_trade"


def test_milestones_before_a_level_leave_it_the_indicator_named_first() -> None:
    """生产总值迈上…台阶，2010年达到5666亿元: the level is the indicator's (the milestones are no
    figures of their own, or named by it); 跨越三个千亿元台阶 counts steps, it is no figure."""
    got = [
        (q.metric, q.value)
        for q in _extract(
            "全市生产总值连续迈上3000亿、4000亿和5000亿元的台阶，2010年达到5666亿元；"
            "地方财政一般预算收入相继突破200亿、300亿和400亿元，2010年达到452亿元；"
            "全市生产总值跨越三个千亿元台阶，2011年达到6615.6亿元。"
        )
    ]
    assert ("生产总值", 5666e8) in got and ("生产总值", 6615.6e8) in got
    assert ("地方财政一般预算收入", 452e8) in got
    assert all(not any(ch.isdigit() for ch in m) and "台阶" not in m and "相继" not in m for m, _ in got)
    assert 1e11 not in [v for _, v in got]


def test_people_counted_by_a_noun_a_few_words_after_the_figure() -> None:
    got = [
        (q.metric, q.value, q.unit)
        for q in _extract("帮助179.1万贫困劳动力返岗就业，484万建档立卡贫困人口全部脱贫，捐献血液292万毫升。")
    ]
    assert ("贫困劳动力返岗就业", 1791000, "人") in got
    assert ("建档立卡贫困人口", 4840000, "人") in got
    assert ("捐献血液", 2920000, "毫升") in got


def test_research_intensity_by_its_many_names() -> None:
    names = ("全社会研究与试验发展经费支出占生产总值比重", "全社会研发投入占GDP比重", "研发经费投入强度")
    assert {identify(n)[0] for n in names} == {"rd_intensity"}
    assert identify("物价")[0] == "cpi"  # 物价上涨1.3%, 低于控制目标


def test_greater_than_a_provinces_basis_and_a_year_end_before_the_figure() -> None:
    got = [
        (q.metric, q.value, q.bound)
        for q in _extract(
            "断面水质达标率大于92%。完成财政总收入938.6亿元，按省口径计算增长11.1%。力争到2019年底试点建设42个。"
        )
    ]
    assert ("断面水质达标率", 92, "at_least") in got
    assert ("财政总收入", 11.1, "exact") in got
    assert ("试点建设", 42, "exact") in got


def test_a_concentration_said_per_cubic_metre_first() -> None:
    got = [
        (q.metric, q.value, q.unit) for q in _extract("PM2.5年均浓度为每立方米30微克，比2017年下降26.8%。")
    ]
    assert got == [("PM2.5年均浓度", 30, "微克/立方米"), ("PM2.5年均浓度", 26.8, "%")]


def test_a_grade_is_no_list_closed_by_etc() -> None:
    got = [
        (q.metric, q.value)
        for q in _extract("建设农村高等级路面公路1000公里。新建城关镇第三幼儿园等学校5所。")
    ]
    assert got == [("农村高等级路面公路", 1000), ("学校", 5)]


def test_a_harvests_rise_and_an_organised_programme() -> None:
    got = [
        (q.metric, q.value, q.change)
        for q in _extract(
            "粮食总产量达1824万吨、增产74.9万吨。组织实施农村危房改造和地震安居工程建设50万户。"
        )
    ]
    assert ("粮食总产量", 749000, "增加") in got
    assert ("农村危房改造和地震安居工程建设", 500000, None) in got


def test_a_places_numeral_and_the_years_expected_target() -> None:
    """七台河 is a city, not 7台; 经济增长预期目标为6%-6.5% is the economy's growth (gdp)."""
    got = [
        (q.metric, q.value)
        for q in _extract("今年经济增长预期目标为6%-6.5%。推进七台河城市供水工程，新建学校5所。")
    ]
    assert got == [("经济", 6), ("学校", 5)]


def test_a_list_of_rates_says_its_unit_once_at_the_end() -> None:
    got = [
        (q.metric, q.value, q.unit)
        for q in _extract("城市污水处理率、生活垃圾无害化处理率和燃气普及率分别提高10.2、4.7和2个百分点。")
    ]
    assert got == [
        ("城市污水处理率", 10.2, "个百分点"),
        ("生活垃圾无害化处理率", 4.7, "个百分点"),
        ("燃气普及率", 2, "个百分点"),
    ]
