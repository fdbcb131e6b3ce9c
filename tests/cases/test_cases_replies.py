"""Reply check: hand-made replies that must or must not be flagged, and the shares on real replies."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta

import pytest

from duban.cases.replies import check_reply, has_result, relevance
from duban.cases.textutil import BEIJING, clean_text, parse_time
from tests.conftest import shared_path

ASKED = datetime(2026, 4, 1, 9, 0, tzinfo=BEIJING)
MESSAGE = "A3区潇楚南路洋湖段道路施工半年还没修好，雨天泥泞，出行困难，请问什么时候能完工？"


@pytest.mark.parametrize(
    ("reply", "flags"),
    [
        pytest.param("网友您好！您的留言已收悉。", ["off_topic", "no_result"], id="bare-receipt"),
        pytest.param("您反映的问题已转相关部门，请耐心等待。", ["off_topic", "no_result"], id="forwarded"),
        pytest.param(
            "您好，关于潇楚南路洋湖段道路施工的问题已收悉，已转交相关部门。",
            ["no_result"],
            id="on-topic-forwarded",
        ),
        pytest.param(
            "经核实，A5区某中学食堂已整改到位，并对相关责任人进行了处理。", ["off_topic"], id="other-message"
        ),
        pytest.param(
            "经核实，潇楚南路洋湖段道路工程因管线迁改进度滞后，预计今年8月底完工通车。", [], id="good-reply"
        ),
        pytest.param(
            "您反映的潇楚南路洋湖段施工问题，施工单位将于6月30日前完成路面硬化。", [], id="promised-date"
        ),
    ],
)
def test_hand_made_replies(reply: str, flags: list[str]) -> None:
    check = check_reply(MESSAGE, reply, asked_at=ASKED, replied_at=ASKED + timedelta(days=3))
    assert check.flags == flags
    assert check.ok is (not flags)


def test_late_by_calendar_days_and_by_a_deadline_function() -> None:
    reply = "经核实，潇楚南路洋湖段道路预计8月底完工。"
    late = check_reply(
        MESSAGE, reply, asked_at=ASKED, replied_at=ASKED + timedelta(days=20), calendar_days_limit=15
    )
    assert late.flags == ["late"] and late.late_days == 5
    on_time = check_reply(
        MESSAGE, reply, asked_at=ASKED, replied_at=ASKED + timedelta(days=10), calendar_days_limit=15
    )
    assert on_time.ok and on_time.late_days == 0
    # a working-day rule comes in as a function from asking time to deadline
    by_rule = check_reply(
        MESSAGE,
        reply,
        asked_at=ASKED,
        replied_at=ASKED + timedelta(days=10),
        calendar_days_limit=lambda at: at + timedelta(days=7),
    )
    assert by_rule.flags == ["late"] and by_rule.late_days == 3
    unchecked = check_reply(MESSAGE, reply, asked_at=ASKED, replied_at=ASKED + timedelta(days=300))
    assert "late" not in unchecked.flags


def test_reply_before_message_is_an_error() -> None:
    with pytest.raises(ValueError):
        check_reply(MESSAGE, "经核实已修复", asked_at=ASKED, replied_at=ASKED - timedelta(days=1))


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("已收悉", False),
        ("留言已收到，已转相关部门办理", False),
        ("经调查，已责令物业整改", True),
        ("将于下月底完成改造", True),
    ],
)
def test_has_result(reply: str, expected: bool) -> None:
    assert has_result(reply) is expected


@pytest.mark.slow
def test_real_replies_flag_shares() -> None:
    """On the city's real replies, few are off topic; replies swapped between messages mostly are."""
    with shared_path("corpus", "hotline", "messages-replies.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    checks = [
        check_reply(
            clean_text(r["留言详情"]),
            r["答复意见"],
            subject=r["留言主题"],
            asked_at=parse_time(r["留言时间"]),
            replied_at=max(parse_time(r["答复时间"]), parse_time(r["留言时间"])),
            calendar_days_limit=15,
        )
        for r in rows
    ]
    share = {f: sum(f in c.flags for c in checks) / len(checks) for f in ("off_topic", "no_result", "late")}
    assert 0.02 < share["off_topic"] < 0.25
    assert 0.02 < share["no_result"] < 0.35
    assert 0.05 < share["late"] < 0.9
    rng = random.Random(0)
    swapped = rows[:]
    rng.shuffle(swapped)
    wrong = [
        relevance(clean_text(a["留言详情"]), b["答复意见"], subject=a["留言主题"])
        for a, b in zip(rows, swapped, strict=True)
    ]
    assert sum(x < 0.075 for x in wrong) / len(wrong) > 0.85
