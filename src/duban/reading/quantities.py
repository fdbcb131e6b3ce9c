"""Tracked figures in a cleaned report: targets of the plan period and reported achievements.

What counts, and each field's meaning, follow ``shared/gold/README.md``. The words this module
knows (units, bounds, verbs of change, what makes a number a name) live in
``lexicon/quantities.yaml``; the code only walks sentences and applies them.

A figure is found by one regular expression (number, magnitude, optional range, unit); its
metric is the noun phrase before it in the same clause, or the thing counted after it
("3座在建煤矿"), or, for a clause such as "同比下降3.1%", the subject of the figure before it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from duban.reading.lists import (
    list_members,
    listed_before,
    metrics_before,
    share_last_bound,
    shared_members,
    spread_scopes,
)
from duban.reading.model import Bound, PartKind, Quantity, QuantityKind
from duban.reading.numbers import is_chinese, parse_number, scaled
from duban.reading.quantity_lexicon import CLAUSE_END, SENTENCE_END, Lexicon, flag, flag_repeats, lexicon


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_QUOTED = re.compile("“[^“”\n]{0,40}”|《[^《》\n]{0,60}》|‘[^‘’\n]{0,40}’|「[^「」\n]{0,40}」")


@dataclass
class _Figure:
    start: int  # where the number starts
    end: int  # after unit and any bound word
    value: float
    value_high: float | None
    unit: str
    bound: Bound
    counted_after: bool  # the thing counted follows ("3座在建煤矿")
    rank_scope: str = ""
    is_rank: bool = False


def _value(num: str, mag: str | None) -> float | None:
    return scaled(num, mag)


class _Extractor:
    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex

    # ----- finding figures -------------------------------------------------------------
    def figures(self, sentences: list[tuple[int, int]]) -> dict[int, list[_Figure]]:
        """All figures of the text, by the index of the sentence they stand in."""
        text, lex = self.text, self.lex
        starts = [a for a, _ in sentences]
        self._quotes = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        self._quote_starts = [a for a, _ in self._quotes]
        found: dict[int, list[_Figure]] = {}
        taken: set[int] = set()
        for m in lex.rank_re.finditer(text):
            top = m.group("top")
            n = 1.0 if m.group("first") else parse_number(top or m.group("n") or m.group("n2"))
            if n is None or n <= 0 or n != int(n) or self.quoted(m.start()):
                continue
            fig = _Figure(
                m.start(), m.end(), n, None, "rank", "at_most" if top else "exact", False, is_rank=True
            )
            fig.rank_scope = (
                m.group("scope") or m.group("scope2") or m.group("scope3") or m.group("scope4") or ""
            )
            found.setdefault(bisect_right(starts, m.start()) - 1, []).append(fig)
            taken.update(range(m.start(), m.end()))
        bounds = {"近": "about", "约": "about", "接近": "about", "超": "at_least", "超过": "at_least"}
        for m in lex.share_re.finditer(text):  # 八成以上 → 80%, at least
            if self.quoted(m.start()):
                continue
            b = "at_least" if m.group("post") in ("以上", "多") else "about" if m.group("post") else "exact"
            if m.group("pre"):
                b = bounds[m.group("pre")]
            start = m.start("n")
            fig = _Figure(start, m.end(), float(CN_TENS[m.group("n")]), None, "%", b, False)  # type: ignore[arg-type]
            found.setdefault(bisect_right(starts, start) - 1, []).append(fig)
            taken.update(range(m.start(), m.end()))
        for m in lex.flat_re.finditer(text):  # 居民消费价格涨幅基本持平: a change of 0
            if m.start() in taken or self.quoted(m.start()):
                continue
            fig = _Figure(m.start(), m.end(), 0.0, None, "%", "exact", False)
            found.setdefault(bisect_right(starts, m.start()) - 1, []).append(fig)
            taken.update(range(m.start(), m.end()))
        for m in _BARE_MAGNITUDE.finditer(text):  # 贷款余额超万亿元: one 万亿 without a digit
            if m.start() in taken or self.quoted(m.start()):
                continue
            value = float(_BARE_MAGNITUDES[m.group("mag")])
            fig = _Figure(m.start(), m.end(), value, None, m.group("unit"), "exact", False)
            found.setdefault(bisect_right(starts, m.start()) - 1, []).append(fig)
            taken.update(range(m.start(), m.end()))
        for m in lex.figure_re.finditer(text):
            if m.start() in taken:
                continue
            i = bisect_right(starts, m.start()) - 1
            if i < 0 or m.start() >= sentences[i][1]:
                continue
            figure = self._figure(m, *sentences[i])
            if figure is not None:
                found.setdefault(i, []).append(figure)
        for figs in found.values():
            figs.sort(key=lambda f: f.start)
        return found

    def quoted(self, pos: int) -> bool:
        """True when pos sits inside “…” or 《…》 that names something (“十四五”, “1+N”, 《…规划》),
        not inside a quoted commitment (确保“4个县摘帽、10万人脱贫”)."""
        i = bisect_right(self._quote_starts, pos) - 1
        if i < 0 or not self._quotes[i][0] < pos < self._quotes[i][1]:
            return False
        a, b = self._quotes[i]
        inner = self.text[a + 1 : b - 1]
        return self.text[a] != "“" or len(inner) < _QUOTED_CLAIM or not _QUOTED_FIGURE.search(inner)

    def _figure(self, m: re.Match[str], s_start: int, s_end: int) -> _Figure | None:
        text, lex = self.text, self.lex
        num, unit = m.group("num"), m.group("unit") or ""
        start, end = m.start(), m.end()
        if m.group("pct1") and (not unit or not m.group("num2")):
            unit, end = "%", m.end("pct1")  # 97%门诊量: the 门 is not a unit
        if unit == "套" and text.startswith(("（间）", "(间)"), end):
            end += 3  # 4万套（间）: flats and rooms, counted as one
        elif unit == "个" and _POINTS_AFTER.match(text, end):
            unit = "个百分点"  # 分别提高4个、6个百分点: the list's unit said once, at its end
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        chinese = is_chinese(num)
        # names and codes: PM2.5, 5G, T1000, 国道109线, 第十八届, “十四五”, 1+N, 2×100
        if before.isascii() and (before.isalnum() or before in ".+×*/-_") and before != "":
            return None
        if before in "×+＋*·.%=:/" or after in "×+＋*":
            return None
        if (
            after.isascii()
            and after.isdigit()
            and not (unit in lex.count_units and _NEXT_FIGURE.match(text, end))
        ):
            return None  # 43个36万平方米: a count then a size, two figures
        # 从60.2%提高到65.2%: the starting point of a change, not a figure of its own
        if re.match(
            r"(?:提高|增加|降低|下降|上升|增长|降|升|减少|扩大|缩小|压减)(?:到|至)", text[end : end + 5]
        ):
            return None
        if after.isascii() and after.isalpha() and unit not in ("Gbps", "TEU"):
            return None
        if lex.name_prefix_re.search(text, max(0, start - 4), start):
            return None
        if num in lex.code_numbers and not unit:
            return None
        if self.quoted(start):
            return None
        value = _value(num, m.group("mag"))
        if value is None:
            return None
        value_high = None
        if m.group("num2"):
            value_high = _value(m.group("num2"), m.group("mag2") or m.group("mag"))
            if m.group("mag2") and not m.group("mag"):
                value = _value(num, m.group("mag2")) or value
            if value_high is None or value_high <= value:
                return None
        if chinese and (value < 2 or not unit or (unit not in _CHINESE_COUNT_UNITS and not m.group("mag"))):
            return None
        if chinese and (before == "每" or (num[0] in "百千" and not m.group("mag"))):
            return None
        if (
            chinese
            and value < 10
            and not _LISTED_BEFORE.search(text, self._clause_start(s_start, start), start)
        ):
            return None  # 两个市场, 八条方针, 收支两条线; but 京东灵丘等三个在建数据中心 counts what it lists
        if unit == "人" and text.startswith("口的", end):
            return None  # 14亿人口的发展中国家: a description, not a figure to reach
        after_bound = re.match("以上|左右|多", text[end : end + 2])  # 1000万以上农村贫困人口
        people_at = end + (len(after_bound.group()) if after_bound else 0)
        counted = _PEOPLE_AFTER_RE.match(text, people_at) if not unit and m.group("mag") else None
        if counted and not _DESCRIBED_BY.match(text, counted.end()):  # not 13亿人口的发展中国家
            unit = "人"  # 12万贫困人口脱贫: people counted by the noun after
        if not unit:
            # a bare index (综合指数3.72), or 万/亿 of people (贫困人口减少1386万): the metric decides
            prefix = text[max(s_start, start - 12) : start]
            listed = _FIGURES_BEFORE.search(text, max(s_start, start - 40), start)
            named = text[max(s_start, start - 52) : listed.start()] if listed else prefix
            people = bool(m.group("mag")) and _PEOPLE_BEFORE.search(named) is not None
            named_at = _LINKED.sub("", prefix)  # 城乡居民收入比缩小至2.04
            if not any(named_at.endswith(e) for e in lex.unitless_metric_ends) and not people:
                return None
            if after.isdigit() or after in "年月日号":
                return None
        if unit == "%" and value_high is None and m.group("sep"):
            return None
        # bound after the figure
        bound: Bound = "exact"
        if unit == "方" and not m.group("mag"):
            return None  # 370亿方 is gas; 3.0方案 is not
        if m.group("inner") or m.group("inner0"):
            bound = lex.bounds_inner[m.group("inner") or m.group("inner0")]
        post_end = end
        for word, b in sorted(lex.bounds_after.items(), key=lambda kv: -len(kv[0])):
            if text.startswith(word, end):
                bound, post_end = b, end + len(word)
                break
        after_post = text[post_end] if post_end < len(text) else ""
        # a threshold that describes a kind of thing: 亿元以上项目, 3A级以上景区
        measure = unit not in lex.count_units
        threshold_word = text.startswith(("以上", "以下", "以内", "内", "之内"), end)
        time_limit = unit in _DURATIONS or unit.endswith("工作日")  # 1个工作日内办结 is a commitment
        if (
            measure
            and threshold_word
            and not time_limit
            and _is_cjk(after_post)
            and not self._stop_at(post_end)
            and not text.startswith(_GOAL_AFTER, post_end)  # 确保达到85%以上的目标
        ):
            return None  # 亿元以上项目, 50米内换乘: a threshold that names a kind of thing
        if threshold_word and text.startswith(lex.threshold_classes, post_end):
            return None  # 8座以下小汽车, 3岁以下婴幼儿: a count that names a class of things
        if measure and threshold_word and _THRESHOLD_LIST.match(text, post_end, s_end):
            return None  # 亿元以上、50亿元以上、100亿元以上工业项目: one of a list of thresholds
        if (
            measure
            and _is_cjk(after)
            and not self._stop_at(end)
            and text.endswith("超", max(0, start - 2), start)
        ):
            return None
        counted_after = False
        if post_end > end and unit in lex.count_units and _is_cjk(after_post) and not self._stop_at(post_end):
            counted_after = True  # 新建5个以上紧密型城市医疗集团
        elif (
            post_end == end
            and not self._stop_at(end)
            and (_is_cjk(after) or after == "“" or re.match(r"\d+(?:\.\d+)?[×xX*]", text[end : end + 8]))
        ):
            counted_after = True
            thing, _ = self.counted_thing(end, s_end)
            if (
                unit in lex.count_units
                and unit not in _PEOPLE_UNITS
                and value < 20
                and any(w in thing for w in lex.discourse_nouns)
                and not any(h in thing for h in _COUNTED_HEADS)
                and not (thing.endswith(lex.project_words) and not thing.endswith(lex.discourse_nouns))
            ):
                # 三个方面, 两项任务; but 12179户农房重建任务 counts households, 4000个“农家书屋”建设任务
                # is no figure of speech, and 15个污染减排重点项目 counts projects (重点 qualifies them)
                return None
            # 在全国312个普通地级市中排名第51位: the field of a rank, not a count
            if re.search("中(?:排名|位居|位列|居)", text[end:s_end].split("，")[0].split(",")[0]):
                return None
        if unit in lex.size_units and self._is_descriptor(start, end, s_end):
            return None
        if unit in _DURATIONS and counted_after:
            return None  # 240小时过境免签: a policy's setting, not a figure to reach
        if after == "的" and unit not in lex.count_units:
            return None
        return _Figure(start, post_end, value, value_high, unit, bound, counted_after)

    def _clause_start(self, s_start: int, pos: int) -> int:
        return max([s_start, *(self.text.rfind(c, s_start, pos) + 1 for c in CLAUSE_END)])

    def _stop_at(self, pos: int) -> bool:
        """True when the text at pos starts a bound, a verb of change or a linker."""
        return _STOP_AT.match(self.text, pos) is not None

    def _is_descriptor(self, start: int, end: int, s_end: int) -> bool:
        """A size figure that is part of a project's name (15万千瓦抽水蓄能电站)."""
        text, lex = self.text, self.lex
        head = text[max(0, start - 6) : start]
        if head.endswith(lex.descriptor_prefixes):
            return True
        if end >= len(text) or not (_is_cjk(text[end]) or text[end] == "、"):
            return False
        if any(text.startswith(w, end) for w in ("左右", "以上", "以内", "以下", "同比", "增长", "下降")):
            return False
        stop = end
        while stop < s_end and text[stop] not in CLAUSE_END:
            stop += 1
        phrase = text[end:stop]
        return any(
            phrase.endswith(w) or (w + "建设") in phrase or (w + "开工") in phrase for w in lex.project_words
        )

    # ----- metric, change and bound from the words before -----------------------------
    def strip_right(self, window: str) -> tuple[str, str | None, Bound | None]:
        """Take bound, change and linking words off a window's end: (metric, change, bound)."""
        lex = self.lex
        change: str | None = None
        bound: Bound | None = None
        window = _FROM_FIGURE.sub("", window)
        while window:
            if m := lex.bound_before_re.search(window):
                bound = bound or lex.bounds_before[m.group()]
            elif m := lex.change_level_re.search(window):
                pass
            elif m := lex.change_re.search(window):
                word = m.group()
                base = (
                    word.removeprefix("同比").removeprefix("比上年").removeprefix("较上年").removesuffix("了")
                )
                change = change or lex.change_canonical.get(base, base)
            elif m := _BASE_END.search(window):
                pass  # 资产总额比2002年(增长): the base of the change, not the metric
            elif m := lex.linker_re.search(window):
                window = window[: m.start() + 1]
                continue
            else:
                break
            window = window[: m.start()]
        return window, change, bound

    def strip_left(self, window: str, *, verbs: bool = True) -> str:
        """Take scope, time and (unless ``verbs`` is False) commitment verbs off a window's start."""
        pattern = self.lex.leading_verbs_re if verbs else self.lex.leading_re
        window = _TIME_SPAN.sub("", window.lstrip("、和及与并且 "))
        while window and (m := pattern.match(window)):
            rest = window[m.end() :]
            if (len(rest) < 2 and rest) or rest[:1] in _NOUN_ENDS:
                break  # 服务业增加值: 服务 makes a noun with 业, it is not a verb here
            if m.group() in _LISTING_VERBS and rest.startswith(("公司", "企业")):
                break  # 上市公司, 挂牌企业: a kind of company, not the act of listing
            window = rest
            if window[:1] in "并和及" and pattern.match(window[1:]):
                window = window[1:]  # 建成并投入使用公办中小学校, 新建和改造高标准农田: the second verb too
        return window.lstrip("、和及与的 ")

    def clause_before(self, s_start: int, clause_start: int, prev_end: int) -> str:
        """The clause before ``clause_start`` in its sentence when no figure stands in it, else ""."""
        i = clause_start - 1
        j = max((self.text.rfind(c, s_start, i) for c in CLAUSE_END), default=-1)
        start = max(j + 1, s_start)
        return self.text[start:i] if i > start >= prev_end else ""

    def previous_clause_subject(self, s_start: int, clause_start: int) -> str:
        """下调城镇职工基本养老保险单位缴费比例，各地可降至16%: the clause before names the metric."""
        text = self.text
        i = clause_start - 1
        j = max((text.rfind(c, s_start, i) for c in CLAUSE_END), default=-1)
        prev = text[max(j + 1, s_start) : i]
        if _INNER_FIGURE.search(prev) or any(ch.isdigit() for ch in prev):
            return ""
        subject = self.strip_left(self.strip_right(prev)[0])
        return subject if 2 <= len(subject) <= 24 else ""

    def counted_thing(self, pos: int, s_end: int) -> tuple[str, int]:
        """The noun after a count ("3座在建煤矿投产" → "在建煤矿"), and where it ends."""
        text = self.text
        m = self.lex.thing_stop_re.search(text, pos, s_end)
        while m and m.start() <= pos + 1 and m.group() not in CLAUSE_END + "、（(":
            m = self.lex.thing_stop_re.search(text, m.start() + 1, s_end)
        i = m.start() if m else s_end
        return text[pos:i].strip("的”’"), i  # 106万人的饮水安全 → 饮水安全


_BARE_MAGNITUDES = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8}
_BARE_MAGNITUDE = re.compile(
    r"(?<=[超破近达过逾])(?P<mag>万亿|千亿|百亿|亿)(?P<unit>元|美元|吨|人次|千瓦时|千瓦|亩|斤)(?![\u4e00-\u9fff]{0,1}级)"
)
CN_TENS = {"二": 20, "两": 20, "三": 30, "四": 40, "五": 50, "六": 60, "七": 70, "八": 80, "九": 90}
_TRAILING_COUNT = re.compile(r"\d[\d.]*[万亿]?[个家项套户座条所]$")
_COMPARATIVE = re.compile(  # 比去年, 比2010年, 较“十二五”末: the base of a change
    r"^(?:比|较)(?:[\u4e00-\u9fff\d“”]{0,8}?(?:高|低|多|少)?|[\u4e00-\u9fff\d“”]{0,12}(?:高|低|多|少))$"
)
_MULTIPLE_OF = re.compile(r"^(?:相当于|是|为)[\u4e00-\u9fff\d“”]{1,10}的$")  # 是2010年的2倍
_INNER_FIGURE = re.compile(r"^.*\d[\d.,]*[^\d、，,]{0,4}[、，,]")
_COMPARISONS = ("高于", "低于", "快于", "慢于", "超过全", "领先")
_NOUN_ENDS = frozenset("业者员费")
_LISTING_VERBS = ("上市", "挂牌")
_GOAL_AFTER = ("的目标", "的水平")
_NEXT_FIGURE = re.compile(r"\d+(?:\.\d+)?[万亿]?(?:平方米|平方公里|亩|公里|米|吨|户|套|元|人)")
_DURATIONS = frozenset(("小时", "天", "分钟"))
_PEOPLE = ("人口", "人数", "人员", "劳动力", "就业", "群众")
_PEOPLE_BEFORE = re.compile(
    f"(?:{'|'.join(_PEOPLE)})(?:分别)?(?:减少|增加|新增|净增|超过|超|近|约|达到|达)?$"
)
_FIGURES_BEFORE = re.compile(r"(?:\d+(?:\.\d+)?[万亿]?[、和及与])+$")  # 分别新增211万、193万和…
_STOP_AT = re.compile("左右|以上|以内|以下|同比|增长|下降|、|和|及")
_FROM_TO = re.compile(  # the start of a change from one figure to this one: its metric is before it
    r"(?:将)?(?:从|由)[^，,。；;]{0,12}?\d[^，,。；;]*?(?:增加|提高|提升|上升|扩大|增长|下降|降低|减少|缩小)(?:到|至)[^，,。；;]*$"
)
_BASE_END = re.compile(r"(?<=.)(?:比|较)(?:上年同期|上年|去年|\d{4}年|前五年)$")
_SPENT_ON = re.compile(r"用于([^，,。；;的]{1,10})的?(支出|投入|资金|经费)")
_SPAN_END = re.compile(r"(?<![\d〇零一二三四五六七八九十])(?:近|过去)?[一二三四五两\d]年(?:来|间|中|里)?$")
_FROM_FIGURE = re.compile(r"(?:从|由)[\d.,%万亿千百十零一二三四五六七八九]+[^\d，,、。；;]{0,4}$")
_SPAN_OF_YEARS = re.compile(r"连续\d+年|连续[一二三四五六七八九十]+年")
_TIME_SPAN = re.compile(
    r"^(?:过去|近|这|今后|未来)?[一二三四五六七八九十两\d]+年(?:来|间|里|中(?![央国华部小]))?"
)
_QUOTED_CLAIM = 8  # a quoted span this long holding a counted figure is a commitment, not a name
_QUOTED_FIGURE = re.compile(r"\d+(?:\.\d+)?[万亿]?[个家座所户人名公吨亩元%]")
_PEOPLE_AFTER_RE = re.compile("农村贫困人口|贫困人口|农村人口|人口|群众|农民|劳动力")
_DESCRIBED_BY = re.compile(r"的[^，,。；;]{0,6}?(?:国家|大国|城市|省份|地区|社会)")  # 13亿人口的发展中国家
_RANK_FROM = re.compile(r"^(?:从|由)([^第，,]{0,8})第[一二三四五六七八九十\d]+位")
_ACHIEVED_MEASURE = re.compile(
    r"^(.{2,}?)(?:实现|完成)(增加值|营业收入|销售收入|主营业务收入|产值|利润|利税|税收)$"
)
_COLLECTIVE = re.compile(r"[一二三四五六七八九十两]大[^、，,]{2,}$")
_POINTS_AFTER = re.compile(r"(?:[、和及](?:\d+(?:\.\d+)?个))*[、和及]\d+(?:\.\d+)?个百分点")
_LINKED = re.compile(
    "(?:缩小至|缩小到|缩小为|下降至|下降到|降至|降到|提高到|提高至|上升到|上升至|为|达到|达)$"
)
_RATE_UNITS = ("%", "个百分点", "百分点")
_FIRMS_MEASURES = ("增加值", "营业收入", "利润总额", "利润", "产值")  # of the firms named before
_COUNTED_HEADS = ("实事",)  # 15件重点民生实事: counted things a discourse word may qualify
_THRESHOLD_LIST = re.compile(r"、[^，,。；;]*?(?:以上|以下)[\u4e00-\u9fff]")
_LONG_LIST_HEAD = 8  # a member this long before a metric's last 、 is a clause of its own, not a list's
_LISTED_BEFORE = re.compile("[、等和及与]")  # a small count in words counts only what the clause lists
_CHINESE_COUNT_UNITS = frozenset("个座家条所处批户人名栋台辆件项")
_PEOPLE_UNITS = frozenset(("户", "人", "名", "人次", "户次"))


def _headline_span(text: str, lex: Lexicon) -> tuple[int, int] | None:
    for marker in lex.headline_markers:
        i = text.find(marker)
        if i >= 0:
            end = text.find("\n", i)
            return i, end if end >= 0 else len(text)
    return None


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(f"[{re.escape(SENTENCE_END)}]", text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def extract_quantities(
    text: str,
    *,
    kind_at: Callable[[int], PartKind],
    section_at: Callable[[int], str | None] = lambda _o: None,
    line_of: Callable[[int], int] = lambda _o: 0,
    headline_span: tuple[int, int] | None = None,
) -> list[Quantity]:
    """Every tracked figure in ``text``: a target in the plan part, an achievement in the review."""
    lex = lexicon()
    ex = _Extractor(text, lex)
    if headline_span is None:
        headline_span = _headline_span(text, lex)
    out: list[Quantity] = []
    sentences = _sentences(text)
    for s_index, figs in sorted(ex.figures(sentences).items()):
        s_start, s_end = sentences[s_index]
        part = kind_at(s_start)
        if part == "other":
            continue
        kind: QuantityKind = "target" if part == "plan" else "achievement"
        prev_end = s_start
        prev_metric = ""
        prev_metric_start = s_start
        respectively: list[str] = []
        listed: list[str] = []
        for f_index, fig in enumerate(figs):
            clause_start = s_start
            for i in range(fig.start - 1, s_start - 1, -1):
                if text[i] in CLAUSE_END:
                    clause_start = i + 1
                    break
            w_start = max(clause_start, prev_end)
            window = text[w_start : fig.start]
            inner = _INNER_FIGURE.search(window)  # 总算力突破7000PF、增长34.6%: skip the unread figure
            if inner and not inner.group().endswith(("以上、", "以下、")):  # but not a list of thresholds
                w_start += inner.end()
                window = window[inner.end() :]
            if from_to := _FROM_TO.search(window):  # 经费，从2002年1288亿元增加到2007年的3664亿元
                window = window[: from_to.start()]
            says_respectively = "分别" in window
            plan_share = lex.plan_share_re.search(window)
            if plan_share:  # 完成年计划的118.2%: a share of the plan
                window = window[: plan_share.start()]
            metric_raw, change, pre_bound = ex.strip_right(window)
            if says_respectively and not respectively:
                run = _run_length(text, figs, f_index)
                respectively = (
                    spread_scopes(list_members(ex.strip_left(metric_raw)), lex)
                    or list(listed)  # 分别为77973元、41622元，分别增长6.3%、8.2%: the same list again
                    or listed_before(ex.clause_before(s_start, clause_start, prev_end), run)
                    or metrics_before(out, s_start, run)
                )  # 收入4494元，纯收入2086元，分别增长2.9%和11.6%: the figures' metrics before
                listed = list(respectively)
            metric_raw = _TRAILING_COUNT.sub("", metric_raw)  # “保回迁”项目195个11.7万户
            metric = ex.strip_left(metric_raw)
            raw = metric_raw.lstrip("、，, ")
            if _COMPARATIVE.match(metric) or _COMPARATIVE.match(raw) or _MULTIPLE_OF.match(raw):
                metric = ""  # 比去年增加8000亿元, 是2010年的2倍: the figure before's metric
            if len(metric) < 2 and not fig.counted_after and not prev_metric:
                metric = ex.strip_left(metric_raw, verbs=False)
            if len(metric) < 2 and not prev_metric and clause_start > s_start and not fig.counted_after:
                metric = ex.previous_clause_subject(s_start, clause_start)
            if "等" in metric[1:-1]:
                metric = metric.rsplit("等", 1)[1]  # 城关镇第三幼儿园等学校 → 学校
            if metric in ("总量", "总额", "规模", "总规模", "总数") and prev_metric:
                metric = prev_metric + metric

            if not fig.unit and not metric.endswith(lex.unitless_metric_ends):
                listed_next = respectively[0] if respectively and not window.strip("、和及与 ") else ""
                if not metric.endswith(_PEOPLE) and not listed_next.endswith(_PEOPLE):
                    prev_end = fig.end
                    continue
                fig.unit = "人"
            if metric.startswith(_COMPARISONS) and prev_metric:
                metric = prev_metric + metric  # 增长4.8%，高于全国0.2个百分点
            elif metric.startswith("占") and prev_metric:
                share = metric.rstrip("的")
                metric = prev_metric + share + ("" if share.endswith(("比重", "比例")) else "比重")
            m_start = w_start + window.find(metric) if metric and metric in window else fig.start
            if metric in _FIRMS_MEASURES and prev_metric.endswith("企业") and len(prev_metric) >= 4:
                metric = prev_metric[:-2] + metric  # 规模以上工业企业达7.6万家、增加值增长3%
            elif (
                metric in lex.generic_metrics
                and (subject := ex.previous_clause_subject(s_start, clause_start))
                and len(subject) >= 4
            ):  # …万亩，粮食面积、总产、单产实现“两增一稳”，总产762亿斤
                metric = subject[:2] + metric
            elif metric in lex.generic_metrics and len(prev_metric) >= 4 and prev_metric[:2] not in metric:
                metric = prev_metric[:2] + metric  # 粮食播种面积…，产量达到… → 粮食产量
            elif metric in lex.generic_metrics and not prev_metric and clause_start > s_start:
                subject = ex.previous_clause_subject(s_start, clause_start)  # 粮食生产再获丰收，总产达到…
                metric = subject[:2] + metric if len(subject) >= 4 else metric
            elif (
                metric.lstrip("（(") in lex.scope_words
                and (metric[:1] in "（(" or "口径" in metric)
                and prev_metric
            ):
                metric = f"{prev_metric}（{metric.lstrip('（(')}）"  # 增长1.7%（同口径增长2.5%）
            metric, m_start = _tidy_metric(metric, window, w_start, m_start)
            end = fig.end
            if fig.is_rank:
                subject, metric, m_start = _rank_metric(
                    text, ex, clause_start, fig, prev_metric, prev_metric_start
                )
                if subject and not prev_metric:
                    prev_metric, prev_metric_start = subject, m_start
            elif respectively and w_start > clause_start and window.strip("、和及与 ") == "":
                metric = respectively.pop(0) if respectively else prev_metric
            elif respectively and says_respectively:
                metric = respectively.pop(0)
            elif fig.counted_after and (fig.unit in lex.count_units or len(metric) < 2):
                thing, end_thing = ex.counted_thing(fig.end, s_end)
                if len(thing) >= 2:
                    metric, end = thing, end_thing
                    m_start = fig.start
            if len(metric) < 2 or metric.isdigit():
                if prev_metric:
                    metric, m_start = prev_metric, prev_metric_start
                else:
                    prev_end = fig.end
                    continue
            listed_on = bool(
                window.strip("、和及与 ") == "" and out and clause_start <= out[-1].end <= fig.start
            )
            if change is None and listed_on:
                change = out[-1].change  # 增长6.1%、5.2%: the list shares its verb
            if change is None:
                change = next((c for c in ("新增", "净增") if c in metric or c in metric_raw), None)
            if (
                change is None
                and window.startswith("、")
                and out
                and out[-1].start >= s_start
                and out[-1].change in ("新增", "净增")
            ):
                change = out[-1].change  # 新增“四上”企业1万家、上市公司20家: the list's verb
            bound = fig.bound if fig.bound != "exact" else (pre_bound or "exact")
            if bound == "exact" and listed_on and not fig.is_rank:
                bound = out[-1].bound  # 分别超98.5%和99%: the list shares its bound
            # 收入2086元，分别增长2.9%和11.6%: the quote runs from where its metric is named
            if metric and 0 <= (named := text.rfind(metric, s_start, fig.start)) < m_start:
                m_start = named
            quote_start = min(m_start, fig.start)
            if (
                says_respectively
                and respectively
                and not fig.is_rank
                and _run_length(text, figs, f_index) == 1
            ):
                members = [metric, *respectively]  # 二氧化硫、氮氧化物排放量分别下降3%: each of them
                respectively = []
            elif says_respectively or fig.is_rank:
                members = [metric]
            elif fig.unit in _RATE_UNITS or "均" in window:  # 集成电路、智能机器人产业产值增长20%
                members = shared_members(metric)
            else:  # 养老、医疗…保险参保人数达到2272万人: one total for the list
                members = [metric]
            for member in members:  # 集成电路、智能机器人产业产值增长20%: one figure for each
                q = Quantity(
                    kind=kind,
                    metric=member,
                    change=None if fig.is_rank else change,
                    value=fig.value,
                    value_high=fig.value_high,
                    unit=fig.unit,
                    bound=bound,
                    quote=text[quote_start:end],
                    start=quote_start,
                    end=end,
                    line=line_of(fig.start),
                    section=section_at(fig.start),
                    headline=kind == "target"
                    and headline_span is not None
                    and headline_span[0] <= fig.start < headline_span[1],
                    sentence=text[s_start:s_end],
                )
                flag(q, lex)
                if plan_share:
                    q.flags.append("share_of_plan")
                out.append(q)
            metric = members[-1]
            compared = (
                prev_metric
                and metric.startswith(prev_metric)
                and metric[len(prev_metric) :].startswith(_COMPARISONS)
            )
            if not fig.is_rank and metric != prev_metric and not compared:  # 高于GDP增幅…，占…: the base
                prev_metric, prev_metric_start = metric, m_start
            prev_end = fig.end
        if (at := text.find("分别", s_start, s_end)) >= 0:
            share_last_bound(text, [q for q in out if q.end > at and q.end <= s_end])
    flag_repeats(out)
    return out


def _tidy_metric(metric: str, window: str, w_start: int, m_start: int) -> tuple[str, int]:
    """A metric's words made a name, and where the quote starts: 财政用于教育的投入 → 财政教育投入;
    财政教育支出五年(累计…) → 财政教育支出; 迈上5万亿台阶、五年增量 → 五年增量; 谋划打造国际自由贸易
    航空港、货邮吞吐量 → 货邮吞吐量 (a member this long before the last 、 is a clause, not a list's);
    电子信息、先进装备制造、生物医药三大重点产业产值 → 三大重点产业产值 (a list its sum names)."""
    metric = _SPENT_ON.sub(r"\1\2", metric)
    metric = _ACHIEVED_MEASURE.sub(r"\1\2", metric)  # 十大产业实现增加值 → 十大产业增加值
    if len(bare := _SPAN_END.sub("", metric)) >= 2:
        metric = bare  # the span is the figure's period, not its name
    pieces = metric.split("、")
    if len(pieces) > 1 and len(pieces[0]) == 1 and len(pieces[1]) >= 3:
        metric = metric[2:]  # a word's last character is no member
    if "、" in metric and len(metric.split("、")[-2]) >= _LONG_LIST_HEAD:
        metric = metric.rsplit("、", 1)[1]
        m_start = w_start + window.rfind(metric) if metric in window else m_start
    if "、" in metric and (whole := _COLLECTIVE.search(metric)):
        metric = whole.group()  # 电子信息、先进装备制造、生物医药三大重点产业产值: the three together
    return metric, m_start


def _run_length(text: str, figs: list[_Figure], i: int) -> int:
    """How many figures from ``figs[i]`` on are joined by list words only (2.9%和11.6%: 2)."""
    n = 1
    while i + n < len(figs) and text[figs[i + n - 1].end : figs[i + n].start].strip("、和及与 ") == "":
        n += 1
    return n


def _rank_metric(
    text: str, ex: _Extractor, clause_start: int, fig: _Figure, prev_metric: str, prev_start: int
) -> tuple[str, str, int]:
    """Metric of a rank: its subject, the field it is ranked in, and 排名."""
    before = text[clause_start : fig.start]
    if inner := _INNER_FIGURE.search(before):
        before = before[inner.end() :]
    scope = fig.rank_scope
    subject = before
    if "在" in before:
        subject, _, field = before.rpartition("在")
        subject = _SPAN_OF_YEARS.sub("", subject.split("、")[-1]).lstrip("并且")
        field = re.sub(r"\d+(?:\.\d+)?个?|[一二三四五六七八九十百]+个", "", field).removesuffix("中")
        scope = field + scope
    elif before.startswith(("全国", "全省", "全市", "全区", "同类城市")):
        scope, subject = before + scope, ""
    elif moved := _RANK_FROM.match(before):  # 从世界第六位上升到第四位: the subject's rank, moved
        scope, subject = moved.group(1) + scope, ""
    subject = ex.strip_left(ex.strip_right(subject)[0])
    start = clause_start
    if len(subject) < 2 and not ("在" in before and len(scope) >= 4):
        subject, start = prev_metric, prev_start
    return subject, f"{subject}{scope}排名", start
