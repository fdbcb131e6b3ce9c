"""Hot topics (热点问题): what many citizens raise about the same thing, lately, with support.

Owns :func:`hot_topics`. Messages inside the window are clustered by average-linkage on
cosine distance of TF-IDF vectors (character 2–3-grams of the subject, jieba words of subject
and detail, and the named places, which weigh most); each cluster is scored by

    V = Σ_m 2^(−age_m / half_life)                         (recency-weighted volume)
    S = Σ_m 2^(−age_m / half_life) · max(0, likes_m − dislikes_m)
    heat = V · (1 + ln(1 + S))

so volume drives heat and support multiplies it slowly: one message with 2,000 likes counts
like a cluster of about nine unliked messages. Places and organisations come from the
patterns in ``lexicon/places.yaml``. Pure: the caller passes ``now``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from duban.cases.classify import jieba_words
from duban.cases.places import extract_places
from duban.cases.textutil import clean_text

_AREA = re.compile(r"^[A-Z]\d{0,2}[市区县]$")
_STOP_WORDS = frozenset(
    [
        "问题",
        "反映",
        "请问",
        "希望",
        "要求",
        "关于",
        "建议",
        "咨询",
        "投诉",
        "举报",
        "领导",
        "相关",
        "部门",
        "我们",
        "你们",
        "他们",
        "没有",
        "什么",
        "怎么",
        "为什么",
        "如何",
        "是否",
        "现在",
        "已经",
        "可以",
        "能够",
        "一个",
        "这个",
        "那个",
        "这些",
        "进行",
        "导致",
        "存在",
        "情况",
        "严重",
        "尽快",
        "解决",
        "处理",
        "一下",
        "谢谢",
        "您好",
        "尊敬",
        "市民",
        "业主",
        "居民",
        "政府",
        "有关",
        "因为",
        "所以",
        "但是",
        "而且",
        "还是",
        "就是",
        "不是",
        "这样",
        "那么",
        "非常",
        "小区",
        "附近",
        "目前",
        "今年",
        "去年",
        "时间",
        "工作",
        "我市",
        "本人",
        "其中",
        "包括",
        "研究",
    ]
)


@dataclass(frozen=True)
class HotMessage:
    """A message as hot-topic detection needs it."""

    id: str
    subject: str
    detail: str
    at: datetime
    likes: int = 0
    dislikes: int = 0


@dataclass(frozen=True)
class HotTopic:
    """One hot topic: a label, its evidence and its heat."""

    label: str
    keywords: list[str]
    heat: float
    count: int
    likes: int
    dislikes: int
    places: list[str]
    mentions: list[str]
    message_ids: list[str]
    first_at: datetime
    last_at: datetime


@cache
def _mention_pattern() -> re.Pattern[str]:
    text = resources.files("duban.cases").joinpath("lexicon/places.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    stop = re.escape(data["stop_chars"])
    orgs = "|".join(re.escape(s) for s in sorted(data["organisation_suffixes"], key=len, reverse=True))
    titles = "|".join(re.escape(s) for s in data["person_titles"])
    surnames = re.escape(data["surnames"])
    return re.compile(rf"[^\W_{stop}]{{2,10}}?(?:{orgs})|[{surnames}](?:{titles})")


def extract_mentions(text: str) -> list[str]:
    """Organisations and titled people named in a text, without repeats.

    >>> extract_mentions("A市富绿物业强行断水，请胡书记关注")
    ['A市富绿物业', '胡书记']
    """
    out: list[str] = []
    for m in _mention_pattern().finditer(text):
        name = m.group()
        if name not in out:
            out.append(name)
    return out


def _trim(name: str) -> str:
    """Drop leading one-character words a pattern swept in (圈西湖建筑集团 → 西湖建筑集团)."""
    if len(name) <= 4:
        return name
    words = jieba_words(name)
    while len(words) > 1 and (len(words[0]) == 1 or words[0] in _STOP_WORDS):
        words = words[1:]
    return "".join(words)


def heat_index(messages: Sequence[HotMessage], *, now: datetime, half_life_days: float) -> float:
    """heat = V · (1 + ln(1 + S)) with recency-weighted volume V and net support S (module doc)."""
    volume = support = 0.0
    for m in messages:
        age = max(0.0, (now - m.at).total_seconds() / 86400)
        decay = 0.5 ** (age / half_life_days)
        volume += decay
        support += decay * max(0, m.likes - m.dislikes)
    return volume * (1 + math.log1p(support))


def _vectors(
    msgs: Sequence[HotMessage],
) -> tuple[sp.csr_matrix, TfidfVectorizer, sp.csr_matrix, list[list[str]]]:
    subjects = [clean_text(m.subject) for m in msgs]
    fulls = [s + " " + clean_text(m.detail)[:300] for s, m in zip(subjects, msgs, strict=True)]
    places = [[p for p in extract_places(f) if not _AREA.match(p)] for f in fulls]
    chars = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(subjects)
    words_vec = TfidfVectorizer(
        tokenizer=lambda t: [w for w in jieba_words(t) if len(w) > 1 and w not in _STOP_WORDS],
        token_pattern=None,
        lowercase=False,
        sublinear_tf=True,
    )
    words = words_vec.fit_transform([s + " " + s + " " + f for s, f in zip(subjects, fulls, strict=True)])
    place_vec = TfidfVectorizer(analyzer=lambda ps: ps, lowercase=False)
    blocks = [normalize(chars), normalize(words)]
    if any(places):
        blocks.append(1.5 * normalize(place_vec.fit_transform(places)))
    x = normalize(sp.hstack(blocks).tocsr())
    return x, words_vec, words, places


def hot_topics(
    messages: Iterable[HotMessage],
    *,
    now: datetime,
    window_days: float = 30,
    half_life_days: float = 7,
    top: int = 20,
    distance_threshold: float = 0.8,
) -> list[HotTopic]:
    """The ``top`` hottest topics among messages from the last ``window_days`` before ``now``."""
    start = now - timedelta(days=window_days)
    msgs = sorted((m for m in messages if start <= m.at <= now), key=lambda m: (m.at, m.id))
    if not msgs:
        return []
    x, words_vec, words, places = _vectors(msgs)
    if len(msgs) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, 2.0).astype(np.float32)
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance_threshold
        ).fit_predict(dist)
    vocab = np.array(words_vec.get_feature_names_out())
    topics = []
    for cluster in np.unique(labels):
        idx = np.flatnonzero(labels == cluster)
        group = [msgs[i] for i in idx]
        weights = np.asarray(words[idx].sum(axis=0)).ravel()
        keywords = [str(vocab[k]) for k in np.argsort(-weights)[:6] if weights[k] > 0]
        place_counts = Counter(p for i in idx for p in dict.fromkeys(places[i]))
        mention_counts = Counter(
            p
            for m in group
            for p in dict.fromkeys(_trim(x) for x in extract_mentions(m.subject + " " + m.detail))
        )
        top_places = [p for p, _ in place_counts.most_common(5)]
        label = "·".join([*top_places[:1], *keywords[:3]]) or clean_text(group[0].subject)[:20]
        topics.append(
            HotTopic(
                label=label,
                keywords=keywords,
                heat=round(heat_index(group, now=now, half_life_days=half_life_days), 4),
                count=len(group),
                likes=sum(m.likes for m in group),
                dislikes=sum(m.dislikes for m in group),
                places=top_places,
                mentions=[p for p, _ in mention_counts.most_common(5)],
                message_ids=[m.id for m in group],
                first_at=group[0].at,
                last_at=group[-1].at,
            )
        )
    topics.sort(key=lambda t: (-t.heat, t.first_at))
    return topics[:top]
