"""Word lists as one regex: a trie, so ``re`` tries one branch a character instead of every word.

Owns ``alternation``; the task reader (verbs, places, projects) and the lead router (keywords)
build their patterns with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


def alternation(words: Sequence[str]) -> str:
    """A regex matching any of ``words``, the longest one where several start at the same place.

    >>> alternation(["开工", "开工建设", "推动", "推进"])
    '(?:开(?:工(?:建设)?)|推[动进])'
    >>> re.match(alternation(["乡村", "乡村振兴"]), "乡村振兴局").group()
    '乡村振兴'
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    ends = "" in node
    keys = sorted(k for k in node if k)
    if not keys:
        return ""
    if all(set(node[k]) == {""} for k in keys) and len(keys) > 1:
        body = "[" + "".join(re.escape(k) for k in keys) + "]"
    else:
        alts = [re.escape(k) + _trie_regex(node[k]) for k in keys]
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + "|".join(alts) + ")"
    return body + "?" if ends else body
