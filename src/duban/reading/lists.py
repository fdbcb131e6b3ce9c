"""Lists in a report's figures: "分别" lists whose members share a tail, and a bound said once.

"城镇、农村常住居民人均可支配收入分别增长4.4%、5.9%" names two metrics with one tail; "分别增长5%和
7%左右" gives 左右 to both figures. The quantity extractor calls these two helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from duban.reading.model import Quantity

if TYPE_CHECKING:
    from duban.reading.quantity_lexicon import Lexicon


_THRESHOLD_ENDS = ("以上", "以下", "级")


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
    return parts


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
