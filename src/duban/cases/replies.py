"""Reply check: does a government reply answer the message, carry a result, and come in time?

Owns :func:`check_reply`. Relevance is what a reply shares with its message: character bigrams
of the subject and of the message found in the reply, and the reply's found in the message
(boilerplate such as 您好/感谢/答复 left out). Result words and the phrases that are not a result (已收悉,
转相关部门) are data in ``lexicon/replies.yaml``. Pure: the caller passes both times and,
if it wants a lateness check, a day limit or a function giving the deadline (e.g. the
working-day clock).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from duban.cases.textutil import char_bigrams, clean_text

OFF_TOPIC_BELOW = 0.075
"""Relevance under which a reply is flagged ``off_topic`` (measured on messages-replies.csv)."""

DeadlineRule = int | float | Callable[[datetime], datetime]


@dataclass(frozen=True)
class ReplyCheck:
    """The verdict on one reply: ok when no flag is raised."""

    ok: bool
    flags: list[str] = field(default_factory=list)
    relevance: float = 0.0
    late_days: float = 0.0


@dataclass(frozen=True)
class _Lexicon:
    result_words: tuple[str, ...]
    result_patterns: tuple[re.Pattern[str], ...]
    not_result: tuple[str, ...]
    boilerplate_bigrams: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    text = resources.files("duban.cases").joinpath("lexicon/replies.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    boiler: set[str] = set()
    for word in data["boilerplate"]:
        boiler |= char_bigrams(word)
    return _Lexicon(
        result_words=tuple(data["result_words"]),
        result_patterns=tuple(re.compile(p) for p in data["result_patterns"]),
        not_result=tuple(sorted(data["not_result"], key=len, reverse=True)),
        boilerplate_bigrams=frozenset(boiler),
    )


def has_result(reply: str) -> bool:
    """Whether a reply states a handling result, not just receipt or forwarding.

    >>> has_result("您的留言已收悉，已转相关部门。")
    False
    >>> has_result("经核实，该路段路灯已修复。")
    True
    """
    lex = _lexicon()
    text = clean_text(reply)
    for phrase in lex.not_result:
        text = text.replace(phrase, "|")
    if any(p.search(text) for p in lex.result_patterns):
        return True
    return any(w in text for w in lex.result_words)


def relevance(message: str, reply: str, *, subject: str | None = None) -> float:
    """How much a reply and its message share, in [0, 1].

    The mean of three shares of content bigrams (boilerplate such as 您好/感谢/答复 left out):
    the subject's bigrams found in the reply, the message's bigrams found in the reply, and the
    reply's bigrams found in the message. ``subject`` defaults to the message's first 60
    characters.

    >>> relevance("A3区潇楚南路一直没修好", "潇楚南路道路工程预计8月底完工") > 0.2
    True
    """
    lex = _lexicon()
    msg = clean_text(message)
    rep = clean_text(reply)
    if not msg or not rep:
        return 0.0
    rep_all = char_bigrams(rep)
    subj = char_bigrams(clean_text(subject) if subject else msg[:60]) - lex.boilerplate_bigrams
    msg_all = char_bigrams(msg)
    body = msg_all - lex.boilerplate_bigrams
    rep_content = rep_all - lex.boilerplate_bigrams
    shares = [
        len(subj & rep_all) / len(subj) if subj else 0.0,
        len(body & rep_all) / len(body) if body else 0.0,
        len(rep_content & msg_all) / len(rep_content) if rep_content else 0.0,
    ]
    return round(sum(shares) / 3, 4)


def _late_days(asked_at: datetime, replied_at: datetime, limit: DeadlineRule | None) -> float:
    if limit is None:
        return 0.0
    deadline = limit(asked_at) if callable(limit) else asked_at + timedelta(days=float(limit))
    over = (replied_at - deadline).total_seconds() / 86400
    return round(max(0.0, over), 2)


def check_reply(
    message: str,
    reply: str,
    *,
    asked_at: datetime,
    replied_at: datetime,
    calendar_days_limit: DeadlineRule | None = None,
    subject: str | None = None,
    off_topic_below: float = OFF_TOPIC_BELOW,
) -> ReplyCheck:
    """Flag a reply as ``off_topic``, ``no_result`` and/or ``late``.

    ``calendar_days_limit`` is None (no lateness check), a number of calendar days, or a
    function from the asking time to the deadline (for working days, pass the clock's).
    """
    if replied_at < asked_at:
        raise ValueError("replied_at is before asked_at")
    flags: list[str] = []
    rel = relevance(message, reply, subject=subject)
    if rel < off_topic_below:
        flags.append("off_topic")
    if not has_result(reply):
        flags.append("no_result")
    late = _late_days(asked_at, replied_at, calendar_days_limit)
    if late > 0:
        flags.append("late")
    return ReplyCheck(ok=not flags, flags=flags, relevance=rel, late_days=late)
