"""A figure's metric id, scope and measure from the metric vocabulary (``lexicon/metrics.yaml``).

``metric`` keeps the report's words; ``metric_id`` is the vocabulary's id for them, found by the
longest name the metric ends with (Chinese puts the head noun last: 全社会固定资产投资 ends with
固定资产投资) or by a name that is the whole metric (经济增长6% → 经济 → gdp). A metric that is a
share of something else (占…比重) only takes an id whose own name is a share. The scope
(城镇/农村/同口径) is read from the words before the name and from the quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Measure, Quantity

_SCOPE_FILLER = re.compile("居民|常住|家庭|全体|年")
_NOISE = re.compile(r"[\s“”\"《》「」]|[（(][^（）()]*[）)]")


@dataclass(frozen=True)
class Metric:
    """One indicator of the vocabulary."""

    id: str
    name: str
    names: tuple[str, ...]
    exact: tuple[str, ...] = ()
    headline_exact: tuple[str, ...] = ()  # words that name it among the main targets or as a rate
    unit: str = "count"
    headline: bool = False
    ambiguous: bool = False
    cap: bool = False
    scoped: bool = False
    real: bool = False  # its growth is at constant prices (地区生产总值): a nominal rate is no answer
    convert: dict[str, float] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)  # words in the report's name → the name to give


@dataclass(frozen=True)
class Vocabulary:
    """The whole vocabulary, with lookups built once."""

    metrics: dict[str, Metric]
    suffixes: tuple[tuple[str, str], ...]  # (name, id), longest first
    exact: dict[str, str]
    headline_exact: dict[str, str]
    scopes: tuple[str, ...]
    scope_aliases: dict[str, str]
    share_words: tuple[str, ...]
    families: dict[str, str]  # unit → family
    measure_words: tuple[str, ...]
    neutral_heads: frozenset[str]
    narrowing_heads: tuple[str, ...]
    place_ends: tuple[str, ...]


@cache
def vocabulary() -> Vocabulary:
    """Load the metric vocabulary (cached)."""
    raw = load_yaml("metrics.yaml")
    metrics: dict[str, Metric] = {}
    suffixes: list[tuple[str, str]] = []
    exact: dict[str, str] = {}
    headline_exact: dict[str, str] = {}
    for entry in raw["metrics"]:
        m = Metric(
            id=entry["id"],
            name=entry["name"],
            names=tuple(entry["names"]),
            exact=tuple(entry.get("exact", ())),
            headline_exact=tuple(entry.get("headline_exact", ())),
            unit=entry.get("unit", "count"),
            headline=bool(entry.get("headline", False)),
            ambiguous=bool(entry.get("ambiguous", False)),
            cap=bool(entry.get("cap", False)),
            scoped=bool(entry.get("scoped", False)),
            real=bool(entry.get("real", False)),
            convert={str(k): float(v) for k, v in (entry.get("convert") or {}).items()},
            named={str(k): str(v) for k, v in (entry.get("named") or {}).items()},
        )
        if m.id in metrics:
            raise ValueError(f"metrics.yaml: id {m.id} appears twice")
        metrics[m.id] = m
        suffixes += [(n, m.id) for n in m.names]
        exact.update({n: m.id for n in m.exact})
        headline_exact.update({n: m.id for n in m.headline_exact})
    families = {u: fam for fam, units in raw["unit_families"].items() for u in units}
    return Vocabulary(
        metrics=metrics,
        suffixes=tuple(sorted(suffixes, key=lambda p: -len(p[0]))),
        exact=exact,
        headline_exact=headline_exact,
        scopes=tuple(raw["scopes"]),
        scope_aliases={str(k): str(v) for k, v in raw["scope_aliases"].items()},
        share_words=tuple(raw["share_words"]),
        families=families,
        measure_words=tuple(raw["measure_words"]),
        neutral_heads=frozenset(raw["neutral_heads"]),
        narrowing_heads=tuple(raw["narrowing_heads"]),
        place_ends=tuple(raw["place_ends"]),
    )


def unit_family(unit: str | None) -> str:
    """The unit's family (percent, currency, people …); an unlisted unit is a count."""
    if not unit:
        return "index"
    return vocabulary().families.get(unit, "count")


_COMPARED = ("高于", "低于", "快于", "慢于")
_TAIL_SCOPES = ("按可比口径", "按同口径", "可比口径", "同口径", "全口径")


def identify(metric: str) -> tuple[str | None, str | None]:
    """(metric_id, scope) for a metric in the report's words; (None, scope) when unknown."""
    voc = vocabulary()
    bare = _NOISE.sub("", metric).rstrip("的")
    if any(w in bare[2:] for w in _COMPARED):
        return None, None  # 十大产业增加值高于GDP: a comparison with the indicator, not the indicator
    tail_scope = next((s for s in _TAIL_SCOPES if bare.endswith(s) and len(bare) > len(s) + 1), None)
    if tail_scope:  # 一般公共预算收入同口径, 地方财政收入按可比口径
        found, _ = identify(bare[: -len(tail_scope)])
        return found, ("全口径" if tail_scope == "全口径" else "同口径") if found else None
    if bare in voc.exact:
        return voc.exact[bare], None
    for end in voc.measure_words:  # 居民消费价格总水平涨幅 → 居民消费价格总水平
        if bare.endswith(end) and len(bare) > len(end) + 1:
            bare = bare[: -len(end)]
            break
    if bare in voc.exact:
        return voc.exact[bare], None
    inner_share = any(w in bare[1:] for w in voc.share_words)
    for name, mid in voc.suffixes:
        if not bare.endswith(name):
            continue
        if inner_share and not any(w in name for w in voc.share_words):
            continue
        head = bare[: len(bare) - len(name)]
        if any(w in head for w in voc.share_words):
            continue
        if any(w in head for w in voc.narrowing_heads):
            return None, None  # 跨境电商进出口, 民间投资: a narrower figure than the indicator
        if voc.metrics[mid].scoped:  # 城镇居民…: a scope; 低收入农户…: a narrower group, no id
            core = _SCOPE_FILLER.sub("", head)  # 城市居民年…, 城镇常住居民… → 城市, 城镇
            scope = voc.scope_aliases.get(core, core if core in voc.scopes else None)
            if core and scope is None and head not in voc.neutral_heads:
                return None, None
            return mid, scope
        scope = None
        if any(s in head for s in voc.scopes):
            return mid, None
        if scope is None and head and head not in voc.neutral_heads and head.endswith(voc.place_ends):
            return None, None  # 开发区规上工业增加值: a narrower place than the report's
        return mid, scope
    return None, None


def measure_of(q: Quantity) -> Measure:
    """What the figure measures: growth, level, share, share_of_plan or rank."""
    if q.unit == "rank":
        return "rank"
    if "share_of_plan" in q.flags:
        return "share_of_plan"
    voc = vocabulary()
    if q.unit in ("%", "个百分点", "百分点") and any(w in q.metric[1:] for w in voc.share_words):
        return "share"
    if q.change is not None and q.unit in ("%", "个百分点", "百分点"):
        return "growth"
    return "level"


def describe(q: Quantity) -> None:
    """Fill ``metric_id``, ``scope`` and ``measure`` of one quantity in place."""
    q.metric_id, scope = identify(q.metric)
    if q.metric_id is None and (q.headline or (q.change == "增长" and q.unit == "%")):
        q.metric_id = vocabulary().headline_exact.get(q.metric)  # 投资增长8%以上, not 投资518亿元
    if q.metric_id is None and q.change in ("新增", "净增"):  # 新增城镇就业5.2万人: the verb names it
        q.metric_id, scope = identify(q.change + q.metric)
    if scope is None:  # 城镇/农村 only from the metric's words; 同口径 from the brackets or quote too
        scope = next((s for s in ("同口径", "全口径") if s in q.metric or s in q.quote), None)
    q.scope = scope
    q.measure = measure_of(q)
