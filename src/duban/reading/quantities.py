"""Tracked figures in a cleaned report: targets of the plan period and reported achievements.

What counts, and each field's meaning, follow ``shared/gold/README.md``. The words this module
knows (units, bounds, verbs of change, what makes a number a name) live in
``lexicon/quantities.yaml``; the code only walks sentences and applies them.

Figures are found by :mod:`duban.reading.figures` (number, magnitude, optional range, unit);
here each gets its metric: the noun phrase before it in the same clause, or the thing counted
after it ("3座在建煤矿"), or, for a clause such as "同比下降3.1%", the subject of the figure before
it; lists share or split their figures (:mod:`duban.reading.lists`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from duban.reading.figures import INNER_FIGURE, PEOPLE, Extractor, Figure
from duban.reading.lists import (
    list_members,
    listed_before,
    metrics_before,
    share_last_bound,
    shared_members,
    spread_scopes,
)
from duban.reading.model import PartKind, Quantity, QuantityKind
from duban.reading.quantity_lexicon import CLAUSE_END, SENTENCE_END, Lexicon, flag, flag_repeats, lexicon

_TRAILING_COUNT = re.compile(r"\d[\d.]*[万亿]?[个家项套户座条所]$")
_COMPARATIVE = re.compile(  # 比去年, 比2010年, 较“十二五”末: the base of a change
    r"^(?:比|较)(?:[\u4e00-\u9fff\d“”]{0,8}?(?:高|低|多|少)?|[\u4e00-\u9fff\d“”]{0,12}(?:高|低|多|少))$"
)
_MULTIPLE_OF = re.compile(r"^(?:相当于|是|为)[\u4e00-\u9fff\d“”]{1,10}的$")  # 是2010年的2倍
_COMPARISONS = ("高于", "低于", "快于", "慢于", "超过全", "领先")
_FROM_TO = re.compile(  # the start of a change from one figure to this one: its metric is before it
    r"(?:将)?(?:从|由)[^，,。；;]{0,12}?\d[^，,。；;]*?(?:增加|提高|提升|上升|扩大|增长|下降|降低|减少|缩小)(?:到|至)[^，,。；;]*$"
)
_ETC = re.compile(r"(?<![高中初同平均相上下优特])等(?![级次值同])")  # 等 closing a list, not 高等级
_BARE_FIGURES = re.compile(r"(?:[\d.]+[十百千万亿]*[、和及与])+")  # the rest of a list of figures
_SPENT_ON = re.compile(r"用于([^，,。；;的]{1,10})的?(支出|投入|资金|经费)")
_SPAN_END = re.compile(r"(?<![\d〇零一二三四五六七八九十])(?:近|过去)?[一二三四五两\d]年(?:来|间|中|里)?$")
_SPAN_OF_YEARS = re.compile(r"连续\d+年|连续[一二三四五六七八九十]+年")
_RANK_FROM = re.compile(r"^(?:从|由)([^第，,]{0,8})第[一二三四五六七八九十\d]+位")
_ACHIEVED_MEASURE = re.compile(
    r"^(.{2,}?)(?:实现|完成)(增加值|营业收入|销售收入|主营业务收入|产值|利润|利税|税收)$"
)
_COLLECTIVE = re.compile(r"[一二三四五六七八九十两]大[^、，,]{2,}$")
_RATE_UNITS = ("%", "个百分点", "百分点")
_FIRMS_MEASURES = ("增加值", "营业收入", "利润总额", "利润", "产值")  # of the firms named before
_LONG_LIST_HEAD = 8  # a member this long before a metric's last 、 is a clause of its own, not a list's


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
    ex = Extractor(text, lex)
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
            run = _run_length(text, figs, f_index)  # this figure and those joined to it by 、和及与
            clause_start = s_start
            for i in range(fig.start - 1, s_start - 1, -1):
                if text[i] in CLAUSE_END:
                    clause_start = i + 1
                    break
            w_start = max(clause_start, prev_end)
            window = text[w_start : fig.start]
            inner = INNER_FIGURE.search(window)  # 总算力突破7000PF、增长34.6%: skip the unread figure
            if inner and not inner.group().endswith(("以上、", "以下、")):  # but not a list of thresholds
                if _BARE_FIGURES.fullmatch(window[inner.end() :]):  # 相继突破200亿、300亿和400亿元
                    window = window[: next(k for k, ch in enumerate(window) if ch.isdigit())]
                else:
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
                respectively = (
                    spread_scopes(list_members(ex.strip_left(metric_raw)), lex)
                    or list(listed)  # 分别为77973元、41622元，分别增长6.3%、8.2%: the same list again
                    or listed_before(ex.clause_before(s_start, clause_start, prev_end), run)
                    or metrics_before(out, s_start, run)
                )  # 收入4494元，纯收入2086元，分别增长2.9%和11.6%: the figures' metrics before
                listed = list(respectively)
            elif (
                not respectively
                and len(listed) >= 2
                and prev_end <= clause_start  # a new clause, not the list's own figures
                and run == len(listed)
                and not ex.strip_left(metric_raw).strip("，, ")
            ):  # 城乡居民收入分别达23898元和7890元，比上年增长10.8%和14.2%: the same list again
                respectively = list(listed)
                says_respectively = True
            metric_raw = _TRAILING_COUNT.sub("", metric_raw)  # “保回迁”项目195个11.7万户
            metric = ex.strip_left(metric_raw)
            raw = metric_raw.lstrip("、，, ")
            if _COMPARATIVE.match(metric) or _COMPARATIVE.match(raw) or _MULTIPLE_OF.match(raw):
                metric = ""  # 比去年增加8000亿元, 是2010年的2倍: the figure before's metric
            elif metric in lex.linkers:
                metric = ""  # 地方级财政收入304.6亿元，可比增长16.8%: a linking word alone is no name
            if len(metric) < 2 and not fig.counted_after and not prev_metric:
                metric = ex.strip_left(metric_raw, verbs=False)
            if len(metric) < 2 and not prev_metric and clause_start > s_start and not fig.counted_after:
                metric = ex.previous_clause_subject(s_start, clause_start)
            if (etc := list(_ETC.finditer(metric, 1, len(metric) - 1))) and etc[-1].end() < len(metric):
                metric = metric[etc[-1].end() :]  # 城关镇第三幼儿园等学校 → 学校 (not 高等级公路)
            if metric in ("总量", "总额", "规模", "总规模", "总数") and prev_metric:
                metric = prev_metric + metric

            if not fig.unit and not metric.endswith(lex.unitless_metric_ends):
                listed_next = respectively[0] if respectively and not window.strip("、和及与 ") else ""
                if not metric.endswith(PEOPLE) and not listed_next.endswith(PEOPLE):
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
            if says_respectively and respectively and not fig.is_rank and run == 1:
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


def _run_length(text: str, figs: list[Figure], i: int) -> int:
    """How many figures from ``figs[i]`` on are joined by list words only (2.9%和11.6%: 2)."""
    n = 1
    while i + n < len(figs) and text[figs[i + n - 1].end : figs[i + n].start].strip("、和及与 ") == "":
        n += 1
    return n


def _rank_metric(
    text: str, ex: Extractor, clause_start: int, fig: Figure, prev_metric: str, prev_start: int
) -> tuple[str, str, int]:
    """Metric of a rank: its subject, the field it is ranked in, and 排名."""
    before = text[clause_start : fig.start]
    if inner := INNER_FIGURE.search(before):
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
