"""How two reports name one indicator: compare a target's metric with a result's, and name it.

A plan and the next year's report rarely use the same words: 新能源汽车充电桩 becomes 公共充电桩,
开工建设…市政道路 becomes 城市道路开工建设, 盘活利用闲置土地 becomes 处置…闲置土地. Two measures
say how close two names are:

- :func:`similarity`: the share of character pairs they have in common (or 1 when one holds the
  other), after brackets and quotes are dropped and synonym pairs (公司 ~ 企业) made one word;
- :func:`inserted`: the result names the target with words inserted (农村义务教育寄宿制学校);
- :func:`core`: the thing counted, once the words that describe rather than name it are dropped:
  leading verbs of the plan (盘活利用, 高标准完成), trailing action nouns (…改造, …更新) and
  modifiers that do not change the kind of thing (公共, 市政, 城市, 新能源汽车, 婴幼儿 …). Two
  names with one core count the same things, perhaps over another scope (公共停车泊位 against
  停车泊位), which the review weighs (:func:`duban.review.promises.promises`).

Two names of one length one word apart inside (城镇居民 / 城镇职工基本医疗保险) are never alike, and a
core that is only a generic head (项目, 企业) pairs nothing.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

MIN_SIMILARITY = 0.5  # a result's metric must share more than half its character pairs (排水管网 ≠ 供水管网)
CORE_SIMILARITY = 0.8  # the similarity of two names with one core that share fewer pairs
_NOISE = re.compile(r"[\s（）()“”《》]")
_SAME_WORDS = (
    ("公司", "企业"),
    ("总产量", "产量"),
    ("总产", "产量"),
    ("市政道路", "城市道路"),
    ("停车泊位", "停车位"),
    ("GDP", "地区生产总值"),
)  # 上市公司 ~ 上市企业, 粮食总产 ~ 粮食产量
# Words before the thing counted that describe it without changing its kind (tried longest first).
_MODIFIERS = (
    "公办和普惠性",
    "新能源汽车",
    "普惠性",
    "婴幼儿",
    "高标准",
    "户用",
    "公共",
    "市政",
    "城市",
    "中心城区",
    "主城区",
    "城区",
    "市区",
    "全市",
    "全省",
    "全县",
    "各类",
    "公办",
    "普惠",
)
_PLACE_WORDS = (
    "全市",
    "全省",
    "全县",
    "城区",
    "市区",
    "主城区",
    "中心城区",
)  # the whole place: no narrower a scope
# The plan's verbs that stick to a metric (盘活利用闲置土地1570亩, 高标准完成…治理面积1.1万亩).
_LEAD_VERBS = (
    "投入使用",
    "提质改造",
    "盘活利用",
    "新改扩建",
    "新建改造",
    "开工建设",
    "新改建",
    "改扩建",
    "盘活",
    "利用",
    "完成",
    "新建",
    "新增",
    "建成",
    "开工",
)
_FRONT_WORDS = tuple(sorted(_LEAD_VERBS + _MODIFIERS, key=len, reverse=True))
# Heads too generic to name a thing once their describing words are gone.
_GENERIC_CORES = frozenset(
    ("项目", "企业", "工程", "资金", "投资", "任务", "工作", "面积", "总量", "规模", "设施")
)
# Action nouns after the thing counted (小街巷改造, 公交车更新): the thing is what is counted.
_TRAIL_ACTIONS = ("提质改造", "改造提升", "改造", "更新", "建设", "治理面积", "治理", "拆迁", "拆除")
_MIN_CORE = 2


def norm(metric: str) -> str:
    """A metric's words for comparing: brackets and quotes out, one word for each synonym pair."""
    metric = _NOISE.sub("", metric)
    for word, same in _SAME_WORDS:
        metric = metric.replace(word, same)
    return metric


def bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}


@lru_cache(maxsize=1 << 16)
def similarity(a: str, b: str) -> float:
    """How well result metric ``b`` names target metric ``a``: 1 when ``b`` holds ``a`` (5+
    characters) or ``a`` is ``b`` with at most two characters before it (全市, 新建); else their
    bigram Jaccard; 0 below 3 characters. A target narrower than the result (基础设施重大项目投资
    against 重大项目投资) does not take it."""
    a, b = norm(a), norm(b)
    if min(len(a), len(b)) < 3:
        return 0.0  # 投资, 产量: too short to name a metric by itself
    if _one_word_apart(a, b):
        return 0.0  # 城镇居民基本医疗保险 ≠ 城镇职工基本医疗保险: one word sets them apart
    if min(len(a), len(b)) >= 5 and (a in b or (a.endswith(b) and len(a) - len(b) <= 2)):
        return 1.0
    if len(b) >= 3 and a.endswith(b) and a[: len(a) - len(b)] in _RURAL_OR_TOWN:
        return 1.0  # 改扩建农村敬老院12所 answered by 改扩建敬老院12所: the plan's own setting said again
    ga, gb = bigrams(a), bigrams(b)
    if gb < ga and len(a) - len(b) > 2:
        return 0.0  # the result names a wider thing than the target
    return len(ga & gb) / len(ga | gb)


_RURAL_OR_TOWN = ("农村", "城镇", "乡镇")


def _one_word_apart(a: str, b: str) -> bool:
    """Names of one length that differ in one run of 1–3 characters inside them."""
    if len(a) != len(b) or a == b:
        return False
    apart = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return apart[0] >= 2 and apart[-1] - apart[0] < 3 and apart[-1] < len(a) - 1


def _strip_front(s: str, words: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for w in words:
            if s.startswith(w) and len(s) - len(w) >= _MIN_CORE:
                s, changed = s[len(w) :].lstrip("和及与"), True
                break
    return s


@lru_cache(maxsize=1 << 16)
def core(metric: str) -> str:
    """The thing a metric counts: 新能源汽车充电桩 → 充电桩, 盘活利用闲置土地 → 闲置土地,
    小街巷改造 → 小街巷, 城区提质改造小街巷 → 小街巷; 排水管网 and 农村道路 stay as they are."""
    s = norm(metric)
    if s.endswith("任务") and len(s) - 2 >= _MIN_CORE:
        s = s[:-2]  # 公交车更新任务
    for w in _TRAIL_ACTIONS:
        if s.endswith(w) and len(s) - len(w) >= _MIN_CORE:
            s = s[: -len(w)]
            break
    return _strip_front(s, _FRONT_WORDS)


def same_core(a: str, b: str) -> bool:
    """Two metrics that count one kind of thing, one of them perhaps over another scope; a core
    that is only a generic head (项目, 企业) says nothing."""
    ca = core(a)
    return len(ca) >= _MIN_CORE and ca not in _GENERIC_CORES and ca == core(b)


def other_scope(a: str, b: str) -> bool:
    """Two names of one core whose describing words differ (停车泊位 against 公共停车泊位): one of
    them may count only part of the other."""
    if not same_core(a, b):
        return False
    mods = [{w for w in _MODIFIERS if w in s and w not in _PLACE_WORDS} for s in (norm(a), norm(b))]
    return mods[0] != mods[1]


_SAME_COUNTS = (  # 30项民生实事 ~ 30件民生实事; 3个研究中心 ~ 4家
    frozenset(("项", "件")),
    frozenset(("台", "辆")),
    *(frozenset(("个", u)) for u in ("家", "所", "座", "处")),
)


def same_count_unit(a: str, b: str) -> bool:
    """Two count units that count alike: 项 and 件, 台 and 辆, the general 个 and 家, 所, 座, 处."""
    return a == b or any(a in pair and b in pair for pair in _SAME_COUNTS)


def inserted(a: str, b: str) -> bool:
    """``b`` is ``a`` with words inserted inside it, in at most two places: 农村寄宿制学校 in
    农村义务教育寄宿制学校, 三大重点产业产值占全市工业比重 in …占全市规模以上工业产值的比重 (the same
    beginning and end, every piece of ``a`` 2+ characters long)."""
    a, b = norm(a), norm(b)
    if len(a) < 5 or len(b) <= len(a):
        return False
    blocks = [m for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size]
    if sum(m.size for m in blocks) != len(a) or not 2 <= len(blocks) <= 3:
        return False
    return blocks[0].b == 0 and blocks[-1].b + blocks[-1].size == len(b) and min(m.size for m in blocks) >= 2


@lru_cache(maxsize=1 << 16)
def name_similarity(a: str, b: str) -> float:
    """:func:`similarity`, raised to CORE_SIMILARITY for two names with one core or a result
    that names the target with words inserted."""
    s = similarity(a, b)
    if s < CORE_SIMILARITY and (same_core(a, b) or inserted(a, b)):
        return CORE_SIMILARITY
    return s


def short_name(metric: str) -> str:
    """A standard short name outside the vocabulary: "新能源装机占全市电力总装机的" → "新能源装机占比"."""
    metric = re.sub(r"(?:较|比)(?:上年|去年|\d{4}年)$", "", metric)
    head, sep, rest = metric.partition("占")
    if sep and len(head) >= 2 and not rest.endswith(("比重", "比例")):
        return f"{head}占比"  # a share cut short by its figure: name it by its subject
    if sep and len(head) >= 2:  # 民营经济增加值占全省生产总值的比重 → 民营经济增加值占生产总值比重
        rest = re.sub(r"^(?:全省|全市|全区|全县|全国|本市|本省)", "", rest)
        return head + "占" + re.sub(r"的(比重|比例)$", r"\1", rest)
    return metric
