"""Lists in a report's figures: "分别" lists whose members share a tail, and a bound said once.

"城镇、农村常住居民人均可支配收入分别增长4.4%、5.9%" names two metrics with one tail; "分别增长5%和
7%左右" gives 左右 to both figures; "集成电路、智能机器人产业产值增长20%" gives one figure to each
member; "收入4494元，纯收入2086元，分别增长…" takes the metrics of the figures before. The quantity
extractor calls these helpers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from duban.reading.metrics import identify
from duban.reading.model import Quantity

if TYPE_CHECKING:
    from duban.reading.quantity_lexicon import Lexicon


_THRESHOLD_ENDS = ("以上", "以下", "级")
_COUNT_OF_LIST = re.compile(r"(?<=[^、]{2})[一二三四五六七八九十两]大(?=[^、]{2,}$)")


def spread_scopes(parts: list[str], lex: Lexicon) -> list[str]:
    """城镇、农村常住居民人均可支配收入 → both with the metric; 城乡居民… → 城镇居民…, 农村居民…;
    short members share the last one's tail (一、二、三产增加值, 粮食、棉花产量)."""
    if not parts:
        return parts
    if len(parts) == 1:
        for word, split in lex.respectively_split.items():
            if parts[0].startswith(word) and len(parts[0]) > len(word) + 1:
                return [s + parts[0][len(word) :] for s in split]
        return parts
    last = parts[-1]
    scope = next((w for w in lex.scope_words if last.startswith(w)), None)
    if scope is not None and len(last) > len(scope) + 1:
        rest = last[len(scope) :]
        return [p + rest if p in lex.scope_words else p for p in parts[:-1]] + [last]
    sizes = {len(p) for p in parts[:-1]}
    if len(sizes) == 1 and (k := sizes.pop()) <= 2 and len(last) > k + 1:
        return [p + last[k:] for p in parts[:-1]] + [last]  # 一、二、三产增加值 → 一产增加值 …
    for word in _THRESHOLD_ENDS:  # 亿元以上、50亿元以上、100亿元以上工业项目 → …以上工业项目 each
        at = last.find(word)
        if all(p.endswith(word) for p in parts[:-1]) and at > 0 and len(last) > at + len(word) + 1:
            tail = last[at + len(word) :]
            return [p + tail for p in parts[:-1]] + [last]
    shared = shared_members("、".join(parts))  # 养老保险、工伤保险参保人数分别新增…: the tail for each
    return shared if len(shared) == len(parts) else parts


def share_last_bound(text: str, items: list[Quantity]) -> None:
    """分别增长5%和7%左右: the bound after the last figure of a list holds for all of them."""
    run = items[:1]
    for q in items[1:]:
        if text[run[-1].end : q.start].strip("、和及与 ") != "":
            break
        run.append(q)
    if len(run) >= 2 and run[-1].bound != "exact" and all(q.bound == "exact" for q in run[:-1]):
        for q in run[:-1]:
            q.bound = run[-1].bound


_METRIC_TAILS = (
    "参保人数",
    "产业主营业务收入",
    "主营业务收入",
    "产业产值",
    "产值",
    "增加值",
    "参保率",
    "覆盖率",
    "普及率",
    "合格率",
    "达标率",
    "营业收入",
    "收入",
    "投资",
    "产量",
    "排放总量",
    "排放量",
    "增速",
    "增幅",
)

_COMPLETE = (*_METRIC_TAILS, "总值", "GDP", "总额", "额", "率", "量")  # a member that names its own measure


def shared_members(metric: str) -> list[str]:
    """集成电路、智能机器人、智能网联汽车产业产值 → each member with the last one's tail (产业产值),
    when every member is a name of its own; else the metric alone. A member that names its own
    measure keeps it (地区生产总值、固定资产投资、全部工业总产值)."""
    parts = metric.split("、")
    if len(parts) < 2 or any(len(p) < 2 for p in parts):
        return [metric]
    last = parts[-1]
    at = min((i for h in _METRIC_TAILS if (i := last.find(h)) >= 2), default=-1)
    if at < 0:  # 生产总值、人均GDP、全员劳动生产率增速均为7%: members that are indicators each
        named = all(p.endswith(_COMPLETE) or identify(p)[0] for p in parts)
        return parts if named else [metric]
    tail = last[at:]
    return [p if p.endswith((tail, *_COMPLETE)) else p + tail for p in parts[:-1]] + [last]


def listed_before(clause: str, n: int) -> list[str]:
    """化学需氧量、二氧化硫排放总量近年来首次出现双下降，比上年分别下降3.14%和4.66%: the ``n`` members
    of a list that opens the clause before, cut after the measure its last member names."""
    parts = clause.strip().split("、")
    if len(parts) != n or n < 2:
        return []
    ends = [i + len(h) for h in _METRIC_TAILS if (i := parts[-1].find(h)) >= 1]
    if not ends:
        return []
    parts[-1] = parts[-1][: max(ends)]
    return shared_members("、".join(parts))


def metrics_before(out: list[Quantity], s_start: int, n: int) -> list[str]:
    """The last ``n`` distinct metrics of this sentence's figures so far, in order ([] if fewer)."""
    names: list[str] = []
    for q in reversed(out):
        if q.start < s_start:
            break
        if q.metric not in names:
            names.insert(0, q.metric)
    return names[-n:] if n > 1 and len(names) >= n else []


_LAST_JOIN = re.compile("以及|和|与|(?<![普涉波危触顾])及(?!时)")  # not the 及 of 普及率


def list_members(listing: str) -> list[str]:
    """光电与新材料、节能环保和生物医药等新兴产业 → three members: 、 separates them, and 和/及/与 only in the
    last (where "B和C" ends a list); an earlier member keeps its 与 (光电与新材料 is one industry)."""
    parts = [p for p in listing.split("、") if p]
    if len(parts) > 1:  # 煤炭、电力、化工三大产业产值: the count that sums the list names no member
        parts[-1] = _COUNT_OF_LIST.sub("", parts[-1])
    if parts:
        last = parts[-1].split("等", 1)[0] if "等" in parts[-1][1:] else parts[-1]  # 生物医药等新兴产业
        parts[-1:] = [p for p in _LAST_JOIN.split(last) if p]
    return parts
