"""Figures in a cleaned report's text: where each number stands, its value, unit and bound.

:class:`Extractor` finds every figure of a text by one regular expression (number, magnitude,
optional range, unit) and the rules of ``lexicon/quantities.yaml``: which numbers are names or
codes (国道109线, 5G, “十四五”), which describe a thing's size (15万千瓦抽水蓄能电站), which count
a class (8座以下小汽车), which are people counted by the noun after (12万贫困人口); and it strips
a figure's window down to its metric. :mod:`duban.reading.quantities` names each figure's metric
and makes the quantities.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from duban.reading.metrics import identify, vocabulary
from duban.reading.model import Bound
from duban.reading.numbers import is_chinese, parse_number, scaled
from duban.reading.quantity_lexicon import CLAUSE_END, Lexicon


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_QUOTED = re.compile("“[^“”\n]{0,40}”|《[^《》\n]{0,60}》|‘[^‘’\n]{0,40}’|「[^「」\n]{0,40}」")


@dataclass
class Figure:
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


class Extractor:
    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex

    # ----- finding figures -------------------------------------------------------------
    def figures(self, sentences: list[tuple[int, int]]) -> dict[int, list[Figure]]:
        """All figures of the text, by the index of the sentence they stand in."""
        text, lex = self.text, self.lex
        starts = [a for a, _ in sentences]
        self._quotes = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        self._quote_starts = [a for a, _ in self._quotes]
        found: dict[int, list[Figure]] = {}
        taken: set[int] = set()
        for m in lex.rank_re.finditer(text):
            top = m.group("top")
            n = 1.0 if m.group("first") else parse_number(top or m.group("n") or m.group("n2"))
            if n is None or n <= 0 or n != int(n) or self.quoted(m.start()):
                continue
            fig = Figure(
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
            fig = Figure(start, m.end(), float(CN_TENS[m.group("n")]), None, "%", b, False)  # type: ignore[arg-type]
            found.setdefault(bisect_right(starts, start) - 1, []).append(fig)
            taken.update(range(m.start(), m.end()))
        for m in lex.flat_re.finditer(text):  # 居民消费价格涨幅基本持平: a change of 0
            if m.start() in taken or self.quoted(m.start()):
                continue
            fig = Figure(m.start(), m.end(), 0.0, None, "%", "exact", False)
            found.setdefault(bisect_right(starts, m.start()) - 1, []).append(fig)
            taken.update(range(m.start(), m.end()))
        for m in _BARE_MAGNITUDE.finditer(text):  # 贷款余额超万亿元: one 万亿 without a digit
            if m.start() in taken or self.quoted(m.start()):
                continue
            value = float(_BARE_MAGNITUDES[m.group("mag")])
            fig = Figure(m.start(), m.end(), value, None, m.group("unit"), "exact", False)
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

    def _figure(self, m: re.Match[str], s_start: int, s_end: int) -> Figure | None:
        text, lex = self.text, self.lex
        num, unit = m.group("num"), m.group("unit") or ""
        start, end = m.start(), m.end()
        if m.group("pct1") and (not unit or not m.group("num2")):
            unit, end = "%", m.end("pct1")  # 97%门诊量: the 门 is not a unit
        if unit == "套" and text.startswith(("（间）", "(间)"), end):
            end += 3  # 4万套（间）: flats and rooms, counted as one
        elif unit == "个" and _POINTS_AFTER.match(text, end):
            unit = "个百分点"  # 分别提高4个、6个百分点: the list's unit said once, at its end
        elif unit in ("微克", "毫克") and text.endswith("每立方米", 0, start):
            unit += "/立方米"  # PM2.5年均浓度为每立方米30微克: 30微克/立方米
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
        if lex.numeral_name_re.match(text, start):
            return None  # 七台河城市供水: a place's name, not 7台
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
        if not unit and not m.group("mag") and (shared := _SHARED_RATE_UNIT.match(text, end)):
            unit = shared["unit"]  # 分别提高10.2、4.7和2个百分点: the list's unit said once, at its end
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
        if text.endswith("个", 0, start) and text.startswith(("台阶", "级"), post_end):
            return None  # 跨越三个千亿元台阶, 两个千亿级: what is counted, not a figure
        if unit in _DURATIONS and counted_after:
            return None  # 240小时过境免签: a policy's setting, not a figure to reach
        if after == "的" and unit not in lex.count_units:
            return None
        return Figure(start, post_end, value, value_high, unit, bound, counted_after)

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
            window = _TIME_SPAN.sub("", rest)  # 力争到2019年底…: the time after a modal word too
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
        figure = next((k for k, ch in enumerate(prev) if ch.isdigit()), None)
        if figure is not None:  # 生产总值连续迈上3000亿、4000亿和5000亿元的台阶，2010年达到5666亿元
            prev = prev[:figure]  # only an indicator of the vocabulary named before the figures
        subject = self.strip_left(self.strip_right(prev)[0])
        if identify(subject)[0] is None:  # 全市生产总值跨越三个千亿元台阶: the indicator, not its feat
            named = (subject[: k + len(n)] for n, _ in vocabulary().suffixes if (k := subject.find(n)) >= 0)
            subject = next(named, "" if figure is not None else subject)
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
INNER_FIGURE = re.compile(r"^.*\d[\d.,]*[^\d、，,]{0,4}[、，,]")
_NOUN_ENDS = frozenset("业者员费")
_LISTING_VERBS = ("上市", "挂牌")
_GOAL_AFTER = ("的目标", "的水平")
_NEXT_FIGURE = re.compile(r"\d+(?:\.\d+)?[万亿]?(?:平方米|平方公里|亩|公里|米|吨|户|套|元|人)")
_DURATIONS = frozenset(("小时", "天", "分钟"))
PEOPLE = ("人口", "人数", "人员", "劳动力", "就业", "群众")
_PEOPLE_BEFORE = re.compile(f"(?:{'|'.join(PEOPLE)})(?:分别)?(?:减少|增加|新增|净增|超过|超|近|约|达到|达)?$")
_FIGURES_BEFORE = re.compile(r"(?:\d+(?:\.\d+)?[万亿]?[、和及与])+$")  # 分别新增211万、193万和…
_STOP_AT = re.compile("左右|以上|以内|以下|同比|增长|下降|、|和|及")
_BASE_END = re.compile(r"(?<=.)(?:比|较)(?:上年同期|上年|去年|\d{4}年|前五年)$")
_FROM_FIGURE = re.compile(r"(?:从|由)[\d.,%万亿千百十零一二三四五六七八九]+[^\d，,、。；;]{0,4}$")
_TIME_SPAN = re.compile(
    r"^(?:过去|近|这|今后|未来)?[一二三四五六七八九十两\d]+年(?:来|间|里|中(?![央国华部小]))?"
    r"|^(?:到|至|在)?(?:19|20)\d\d年(?:底|末|前|内)"  # 到2019年底试点建设42个
)
_QUOTED_CLAIM = 8  # a quoted span this long holding a counted figure is a commitment, not a name
_QUOTED_FIGURE = re.compile(r"\d+(?:\.\d+)?[万亿]?[个家座所户人名公吨亩元%]")
_PEOPLE_AFTER_RE = re.compile(
    "[\u4e00-\u9fff]{0,6}?(?:农村贫困人口|贫困人口|农村人口|人口|群众|农民工|农民|劳动力|人员)"
)
_DESCRIBED_BY = re.compile(r"的[^，,。；;]{0,6}?(?:国家|大国|城市|省份|地区|社会)")  # 13亿人口的发展中国家
_SHARED_RATE_UNIT = re.compile(r"(?:[、和及与]\d+(?:\.\d+)?)*[、和及与]\d+(?:\.\d+)?(?P<unit>个百分点|%)")
_POINTS_AFTER = re.compile(r"(?:[、和及](?:\d+(?:\.\d+)?个))*[、和及]\d+(?:\.\d+)?个百分点")
_LINKED = re.compile(
    "(?:缩小至|缩小到|缩小为|下降至|下降到|降至|降到|提高到|提高至|上升到|上升至|为|达到|达)$"
)
_COUNTED_HEADS = ("实事",)  # 15件重点民生实事: counted things a discourse word may qualify
_THRESHOLD_LIST = re.compile(r"、[^，,。；;]*?(?:以上|以下)[\u4e00-\u9fff]")
_LISTED_BEFORE = re.compile("[、等和及与]")  # a small count in words counts only what the clause lists
_CHINESE_COUNT_UNITS = frozenset("个座家条所处批户人名栋台辆件项")
_PEOPLE_UNITS = frozenset(("户", "人", "名", "人次", "户次"))
