"""Duplicates: hand-written near-duplicates linked; other places or outside the window not."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from duban.cases.places import extract_places
from duban.cases.similar import CaseText, link_duplicates
from duban.cases.textutil import BEIJING

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
BASE = "A3区杜鹃文苑小区门口的路灯已经坏了一个多月，晚上一片漆黑，老人小孩出行很不安全，请尽快维修。"
SAME = "A3区杜鹃文苑小区门口的路灯坏了一个多月了，晚上一片漆黑，老人小孩出行很不安全，请尽快派人维修！"
OTHER_PLACE = "A3区金星花园小区门口的路灯已经坏了一个多月，晚上一片漆黑，老人小孩出行很不安全，请尽快维修。"
UNRELATED = "A5区雅礼洋湖实验中学强制学生购买教辅资料，每人收费三百元，请教育局调查处理。"


def case(id_: str, text: str, days: float = 0, place: str | None = None) -> CaseText:
    return CaseText(id=id_, text=text, place=place, at=T0 + timedelta(days=days))


def test_near_duplicates_link_to_the_earliest() -> None:
    groups = link_duplicates([case("b", SAME, 2), case("a", BASE, 0), case("c", BASE + "谢谢！", 3)])
    assert len(groups) == 1
    [g] = groups
    assert g.parent_id == "a"
    assert sorted(g.child_ids) == ["b", "c"]
    assert 0.6 <= g.similarity <= 1


def test_same_words_about_another_place_are_not_linked() -> None:
    assert link_duplicates([case("a", BASE), case("b", OTHER_PLACE, 1)]) == []


def test_given_place_overrides_the_text() -> None:
    groups = link_duplicates([case("a", BASE, place="杜鹃文苑"), case("b", SAME, 1, place="金星花园")])
    assert groups == []


def test_outside_the_window_is_not_linked() -> None:
    assert link_duplicates([case("a", BASE), case("b", SAME, 8)], window_days=7) == []
    assert len(link_duplicates([case("a", BASE), case("b", SAME, 8)], window_days=10)) == 1


def test_unrelated_cases_are_not_linked() -> None:
    assert link_duplicates([case("a", BASE), case("b", UNRELATED, 1)]) == []


def test_threshold_is_checked() -> None:
    with pytest.raises(ValueError):
        link_duplicates([], threshold=0)


PHRASES = [
    "路灯不亮",
    "垃圾堆积",
    "污水外溢",
    "噪音扰民",
    "油烟直排",
    "违章搭建",
    "占道经营",
    "电梯故障",
    "停车收费",
    "物业不作为",
    "学位不足",
    "补课收费",
    "拖欠工资",
    "社保断缴",
    "医保报销",
    "公交停运",
    "道路破损",
    "井盖缺失",
    "树木倒伏",
    "积水严重",
    "施工扰民",
    "粉尘污染",
    "消防通道堵塞",
    "燃气泄漏",
    "停水停电",
    "网络诈骗",
    "房屋漏水",
    "规划变更",
    "拆迁补偿",
    "农田被占",
]


def random_case(rng: random.Random, i: int) -> CaseText:
    words = [*rng.sample(PHRASES, 4), "".join(chr(19968 + rng.randrange(3000)) for _ in range(30))]
    text = f"第{i}号来信：{rng.choice('ABCDEFGHJK')}{rng.randint(1, 9)}区{''.join(words)}，请{rng.randint(1, 999)}尽快处理"
    return case(f"c{i}", text, rng.random() * 60)


def test_many_cases_with_planted_duplicates() -> None:
    # 3,000 distinct cases over two months; every 100th re-submitted a day later with a small edit.
    rng = random.Random(7)
    cases = [random_case(rng, i) for i in range(3000)]
    planted = {c.id: f"d{c.id}" for c in cases[::100]}
    cases += [
        CaseText(id=planted[c.id], text=c.text + "，谢谢", place=None, at=c.at + timedelta(days=1))
        for c in cases[::100]
    ]
    found = {g.parent_id: g.child_ids for g in link_duplicates(cases)}
    assert found == {p: [d] for p, d in planted.items()}


@pytest.mark.parametrize(
    ("text", "places"),
    [
        pytest.param(
            "A市A3区杜鹃文苑小区外，杜鹃路和雷峰大道交界处",
            ["A市", "A3区", "杜鹃文苑小区", "杜鹃路", "雷峰大道"],
            id="area-estate-roads",
        ),
        pytest.param(
            "反映A7县春华镇金鼎村水泥路的问题", ["A7县", "春华镇", "金鼎村", "水泥路"], id="town-village"
        ),
        pytest.param("A5区雅礼洋湖实验中学附近垃圾箱长期未清理", ["A5区", "雅礼洋湖实验中学"], id="school"),
        pytest.param("A2区桂花坪街道的景蓉华苑", ["A2区", "桂花坪街道", "景蓉华苑"], id="street-office"),
        pytest.param("城市道路和农村公路都要修", [], id="common-nouns"),
        pytest.param(
            "位于书院路的在水一方大厦",
            ["书院路", "在水一方大厦"],
            id="stop-char-inside-name",
            marks=pytest.mark.xfail(strict=True, reason="在 is a stop character, so the name is cut"),
        ),
    ],
)
def test_extract_places(text: str, places: list[str]) -> None:
    assert extract_places(text) == places
