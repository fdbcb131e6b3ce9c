"""The words the quantity reader knows, loaded once from ``lexicon/quantities.yaml`` and compiled.

:class:`Lexicon` holds the units, bounds, verbs of change and what makes a number a name;
:func:`lexicon` builds it (the figure and rank patterns included) once per process, and
:func:`flag` marks what a person should check (an implausible unit, a share over 100 %, the
same figure claimed twice). The walking of sentences is :mod:`duban.reading.quantities`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Bound, Quantity
from duban.reading.numbers import ARABIC, CHINESE, NUMBER_RE

SENTENCE_END = "。！？；;!?\n"
CLAUSE_END = "，,：:。！？；;!?\n"


_THING_STOPS = (
    "大幅",
    "并",
    "年内",
    "年底",
    "上半年",
    "下半年",
    "全年",
    "今年",
    "全部",
    "达到",
    "建成",
    "投产",
    "开工",
    "投运",
    "运行",
    "保护",
    "实现",
    "如期",
    "的",
    "等",
    "预计",
    "分别",
    "通过",
    "纳入",
    "落地",
    "完成",
    "开工建设",
    "获得",
    "入选",
    "稳定",
    "累计",
    "全面",
    "超额",
    "年度任务",
)


@dataclass(frozen=True)
class Lexicon:
    """The quantity words, loaded once from ``lexicon/quantities.yaml``."""

    count_units: frozenset[str]
    size_units: frozenset[str]
    project_words: tuple[str, ...]
    descriptor_prefixes: tuple[str, ...]
    name_prefixes: tuple[str, ...]
    code_numbers: frozenset[str]
    discourse_nouns: tuple[str, ...]
    bounds_before: dict[str, Bound]
    bounds_after: dict[str, Bound]
    bounds_inner: dict[str, Bound]
    changes: tuple[str, ...]
    change_canonical: dict[str, str]
    level_markers: tuple[str, ...]
    linkers: tuple[str, ...]
    leading: tuple[str, ...]
    verbs: tuple[str, ...]
    unitless_metric_ends: tuple[str, ...]
    headline_markers: tuple[str, ...]
    implausible_units: tuple[tuple[str, str], ...]
    share_metric_ends: tuple[str, ...]
    scope_words: tuple[str, ...]
    respectively_split: dict[str, list[str]]
    plan_share_re: re.Pattern[str]
    flat_re: re.Pattern[str]
    generic_metrics: frozenset[str]
    threshold_classes: tuple[str, ...]
    figure_re: re.Pattern[str]
    rank_re: re.Pattern[str]
    share_re: re.Pattern[str]
    bound_before_re: re.Pattern[str]
    change_level_re: re.Pattern[str]
    change_re: re.Pattern[str]
    linker_re: re.Pattern[str]
    leading_re: re.Pattern[str]
    leading_verbs_re: re.Pattern[str]
    name_prefix_re: re.Pattern[str]
    numeral_name_re: re.Pattern[str]  # 七台河, 三门峡: a place's name, matched at a figure's start
    thing_stop_re: re.Pattern[str]


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=len, reverse=True))


@cache
def lexicon() -> Lexicon:
    """Load and compile the quantity lexicon (cached)."""
    raw = load_yaml("quantities.yaml")
    units = _longest_first(raw["units"]["count"] + raw["units"]["measure"])
    unit_alt = "|".join(re.escape(u) for u in units)
    num = NUMBER_RE.pattern
    mag = "万亿|亿|万"
    arabic, chinese = ARABIC, CHINESE
    first = rf"{arabic}|{chinese}(?=[万亿]?[个座家条所处批户人名栋台辆件项]|[至到—–\-]|万亿|亿|万)"
    figure_re = re.compile(
        rf"(?P<num>{first})(?P<inner0>多|余)?(?P<mag>{mag})?(?P<pct1>%)?"
        rf"(?:(?P<sep>[—–\-－~～至到])(?P<num2>{num})(?P<mag2>{mag})?)?"
        rf"(?P<inner>多|余)?(?P<unit>{unit_alt})?"
    )
    scope = (
        r"(?P<scope>全国|全省|全市|全区|全州|全球|全世界|同类城市|全国同类城市|中部地区|西部地区|东北地区|长江经济带"
        r"|副省级城市|省会城市|长江中上游|中西部|中部|西部|东部)?"
    )
    rank_re = re.compile(
        r"(?:(?:排名|排|位居|位列|居于|居|列|跃居|跃升至|跃升到|上升至|上升到|提升至|提升到|升至)"
        rf"{scope}第(?P<n>{num})(?:位|名)?"
        r"|(?:进入|位居|位列|保持|稳居|跻身|居|排名|挺进)"
        rf"(?P<scope2>全国[\u4e00-\u9fff]{{0,4}}?|全省|全市|全区|全球|同类城市)?前(?P<top>{num})(?:位|名|强)?(?!列)"
        r"|(?:居|位居|稳居|保持|位列|列|跃居|排名|排)(?P<scope3>[\u4e00-\u9fff]{0,10}?)(?P<first>首位|榜首|第一位)"
        rf"|(?<=[、，,\u4e00-\u9fff])(?P<scope4>全国|全省|全球|全市)第(?P<n2>{num})(?:位|名)?(?![\u4e00-\u9fff]{{0,2}}[届次批期条个])"
        r")"
    )
    share_re = re.compile(
        r"(?P<pre>近|超过|超|约|接近)?(?P<n>[二两三四五六七八九])成(?P<post>以上|左右|多)?(?![熟为效果功本立])"
    )
    bounds = raw["bounds"]

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in _longest_first([str(w) for w in words]))

    changes = alt(raw["changes"])
    before_words = [w for w in bounds["before"] if w != "控制在"]
    return Lexicon(
        name_prefix_re=re.compile(f"(?:{alt(raw['name_prefixes'])})$"),
        numeral_name_re=re.compile(alt(raw["numeral_names"])),
        thing_stop_re=re.compile(
            f"[{re.escape(CLAUSE_END)}、（(]|[和及与](?=[\\d一二三四五六七八九十])|(?:{alt(list(_THING_STOPS) + raw['changes'])})"
        ),
        bound_before_re=re.compile(f"(?:{alt(before_words)})$"),
        change_level_re=re.compile(f"(?:{changes})(?:{alt(raw['level_markers'])})$"),
        change_re=re.compile(f"(?:{changes})$"),
        linker_re=re.compile(f".(?:{alt(raw['linkers'])})$"),
        leading_re=re.compile(f"^(?:{alt(raw['leading'])})"),
        leading_verbs_re=re.compile(f"^(?:{alt(raw['leading'] + raw['verbs'])})"),
        count_units=frozenset(raw["units"]["count"]),
        size_units=frozenset(raw["size_units"]),
        project_words=_longest_first(raw["project_words"]),
        descriptor_prefixes=_longest_first(raw["descriptor_prefixes"]),
        name_prefixes=_longest_first(raw["name_prefixes"]),
        code_numbers=frozenset(str(c) for c in raw["code_numbers"]),
        discourse_nouns=_longest_first(raw["discourse_nouns"]),
        bounds_before=dict(bounds["before"]),
        bounds_after=dict(bounds["after"]),
        bounds_inner=dict(bounds["inner"]),
        changes=_longest_first(raw["changes"]),
        change_canonical=dict(raw["change_canonical"]),
        level_markers=tuple(raw["level_markers"]),
        linkers=_longest_first(raw["linkers"]),
        leading=_longest_first([str(w) for w in raw["leading"]]),
        verbs=_longest_first(raw["verbs"]),
        unitless_metric_ends=tuple(raw["unitless_metric_ends"]),
        headline_markers=tuple(raw["headline_markers"]),
        implausible_units=tuple((a, b) for a, b in raw["implausible_units"]),
        share_metric_ends=tuple(raw["share_metric_ends"]),
        scope_words=_longest_first(raw["scope_words"]),
        respectively_split={str(k): list(v) for k, v in raw["respectively_split"].items()},
        plan_share_re=re.compile(raw["plan_share"]),
        flat_re=re.compile(raw["flat"]),
        generic_metrics=frozenset(raw["generic_metrics"]),
        threshold_classes=_longest_first(raw["threshold_classes"]),
        figure_re=figure_re,
        rank_re=rank_re,
        share_re=share_re,
    )


def flag(q: Quantity, lex: Lexicon) -> None:
    """Mark a figure a person should check: a unit the metric cannot have, a share over 100 %."""
    for word, unit in lex.implausible_units:
        if word in q.metric and q.unit == unit:
            q.flags.append("implausible_unit")
            break
    if q.unit == "%" and q.change is None and q.value > 100 and q.metric.endswith(lex.share_metric_ends):
        q.flags.append("share_over_100")


def flag_repeats(items: list[Quantity]) -> None:
    """Mark the second and later claims of the same figure for the same metric."""
    seen: set[tuple[str, str, float, str]] = set()
    for q in items:
        key = (q.kind, q.metric, q.value, q.unit)
        if key in seen:
            q.flags.append("repeated")
        seen.add(key)
