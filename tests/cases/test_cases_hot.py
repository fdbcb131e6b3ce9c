"""Hot topics: heat formula, a hand-made window, and the real liked messages."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime, timedelta

import pytest

from duban.cases.hot import HotMessage, extract_mentions, heat_index, hot_topics
from duban.cases.textutil import BEIJING, parse_time
from tests.conftest import shared_path

NOW = datetime(2026, 5, 31, 12, 0, tzinfo=BEIJING)


def msg(
    id_: str, subject: str, days_ago: float, likes: int = 0, dislikes: int = 0, detail: str = ""
) -> HotMessage:
    return HotMessage(
        id=id_,
        subject=subject,
        detail=detail,
        at=NOW - timedelta(days=days_ago),
        likes=likes,
        dislikes=dislikes,
    )


def test_heat_formula() -> None:
    fresh = [msg("a", "x", 0)]
    assert heat_index(fresh, now=NOW, half_life_days=7) == pytest.approx(1.0)
    week_old = [msg("a", "x", 7)]
    assert heat_index(week_old, now=NOW, half_life_days=7) == pytest.approx(0.5)
    liked = [msg("a", "x", 0, likes=10, dislikes=3)]
    assert heat_index(liked, now=NOW, half_life_days=7) == pytest.approx(1 + __import__("math").log1p(7))
    disliked = [msg("a", "x", 0, likes=1, dislikes=9)]
    assert heat_index(disliked, now=NOW, half_life_days=7) == pytest.approx(1.0)


def test_hand_made_window() -> None:
    smoke = [
        msg(f"s{i}", f"A5区魅力之城小区临街餐馆油烟扰民{suffix}", i, likes=i)
        for i, suffix in enumerate(["", "，请处理", "严重", "，居民苦不堪言", "问题"])
    ]
    school = [
        msg(f"k{i}", f"A7县金鼎村小学学位不足{s}", 10 + i) for i, s in enumerate(["", "，孩子无法入学"])
    ]
    other = [
        msg("o1", "K6县公交车监控坏了", 2),
        msg("o2", "社保卡补办进度太慢", 3),
        msg("old", "A5区魅力之城小区临街餐馆油烟扰民", 45, likes=999),
        msg("future", "A5区魅力之城小区临街餐馆油烟扰民", -1, likes=999),
    ]
    topics = hot_topics(smoke + school + other, now=NOW, window_days=30, top=10)
    first = topics[0]
    assert sorted(first.message_ids) == sorted(m.id for m in smoke)
    assert first.count == 5 and first.likes == sum(range(5))
    assert "魅力之城小区" in first.places
    assert first.first_at == NOW - timedelta(days=4) and first.last_at == NOW
    school_topic = next(t for t in topics if "k0" in t.message_ids)
    assert sorted(school_topic.message_ids) == ["k0", "k1"]
    assert len(topics) == 4  # smoke, school, and the two single messages; old and future left out
    assert [t.heat for t in topics] == sorted((t.heat for t in topics), reverse=True)
    assert hot_topics([], now=NOW) == []


def test_extract_mentions() -> None:
    assert extract_mentions("A市富绿物业强行断水，请胡书记关注") == ["A市富绿物业", "胡书记"]


@pytest.mark.slow
def test_real_hot_messages_give_coherent_topics() -> None:
    with shared_path("corpus", "hotline", "messages-hot.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    messages = [
        HotMessage(
            id=r["留言编号"],
            subject=r["留言主题"],
            detail=r["留言详情"],
            at=parse_time(r["留言时间"]),
            likes=int(r["点赞数"]),
            dislikes=int(r["反对数"]),
        )
        for r in rows
    ]
    now = datetime(2019, 9, 30, tzinfo=BEIJING)
    topics = hot_topics(messages, now=now, window_days=30, top=10)
    assert len(topics) == 10
    window = {m.id for m in messages if now - timedelta(days=30) <= m.at <= now}
    assert all(set(t.message_ids) <= window for t in topics)
    several = [t for t in topics[:5] if t.count >= 2]
    assert len(several) >= 4
    by_id = {m.id: m for m in messages}
    for t in several:
        # coherent: the topic's leading place is named by most of its messages
        assert t.places, t.label
        lead = t.places[0]
        named = sum(lead in by_id[i].subject + by_id[i].detail for i in t.message_ids)
        assert named / t.count >= 0.5, (t.label, lead)
    assert len(Counter(i for t in topics for i in t.message_ids)) == sum(t.count for t in topics)
