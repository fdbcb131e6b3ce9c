"""The hotline side of ``duban demo``: the project's own sample of citizens' messages
(``samples/示例市热线样例.yaml``) taken through the case flow — 受理, 派单, 签收, 办理, 办结, 回访 —
on the dates of the demo's year, each step with its event like any other case."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from duban.cases import flow
from duban.cases.intake import intake
from duban.cases.rules import load_rules
from duban.cases.schemas import CaseCreate
from duban.clock.calendar import SHANGHAI, WorkCalendar
from duban.clock.policy import load_policy
from duban.db import session_scope
from duban.units.service import require_unit

SAMPLE = "示例市热线样例.yaml"
OPERATOR = "话务员"
OUTCOMES = ("open", "returned", "in_progress", "settled", "followed", "reopened")


@dataclass(frozen=True)
class HotlineSummary:
    cases: int
    by_outcome: dict[str, int]


def sample_path() -> Path:
    """Where the sample of citizens' messages is."""
    return Path(str(resources.files("duban.samples").joinpath(SAMPLE)))


def load_sample(path: Path | None = None) -> list[dict[str, Any]]:
    """The sample's messages; a message without content, date or a known outcome is refused."""
    data = yaml.safe_load((path or sample_path()).read_text(encoding="utf-8"))
    out: list[dict[str, Any]] = data["cases"]
    for n, c in enumerate(out, 1):
        if not c.get("content") or not isinstance(c.get("date"), date) or c.get("outcome") not in OUTCOMES:
            raise ValueError(f"{SAMPLE} 第 {n} 条：缺少内容、日期或结果不在 {OUTCOMES} 中")
    return out


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def play_hotline(*, engine: Engine, calendar: WorkCalendar, until: date) -> HotlineSummary:
    """Take the sample's messages received up to ``until`` through the flow to their outcome."""
    rules = load_rules()
    policy = load_policy(rules.policy)
    counts: Counter[str] = Counter()
    with session_scope(engine) as session:
        for c in load_sample():
            day: date = c["date"]
            if day > until:
                continue
            data = CaseCreate(
                channel=c["channel"],
                case_type=c["type"],
                title=c.get("title", ""),
                content=c["content"],
                address=c.get("address"),
                received_at=_at(day, 9, 30),
            )
            row = intake(
                session=session, data=data, actor=OPERATOR, now=_at(day, 9, 30),
                calendar=calendar, policy=policy, rules=rules,
            )  # fmt: skip
            counts[c["outcome"]] += 1
            if c["outcome"] == "open":
                continue
            unit = require_unit(session=session, name=c["unit"])
            flow.dispatch(
                session=session,
                case_id=row.id,
                unit_id=unit.id,
                actor=OPERATOR,
                now=_at(day, 10),
                calendar=calendar,
            )
            if c["outcome"] == "returned":
                flow.return_case(
                    session=session, case_id=row.id, reason=c["reason"], actor=unit.name, now=_at(day, 15)
                )
                continue
            flow.accept(session=session, case_id=row.id, actor=unit.name, now=_at(day, 14))
            flow.start(session=session, case_id=row.id, actor=unit.name, now=_at(day, 16))
            if c["outcome"] == "in_progress":
                continue
            settled = day + timedelta(days=2)
            flow.settle(
                session=session, case_id=row.id, reply=c["reply"], actor=unit.name, now=_at(settled, 11)
            )
            if c["outcome"] == "settled":
                continue
            flow.follow_up(
                session=session, case_id=row.id, satisfaction=c["satisfaction"], actor=OPERATOR,
                now=_at(settled + timedelta(days=1), 10),
            )  # fmt: skip
    return HotlineSummary(cases=sum(counts.values()), by_outcome=dict(counts))
