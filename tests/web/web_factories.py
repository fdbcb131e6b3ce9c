"""Factories for the console's tests: a small plan, a template database with units, assigned
duties, users (one per role, two unit officers), bearer tokens and browser sessions.

The template is built once per test session through the services (ledger and accounts); each
test gets its own copy of the SQLite file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from duban.accounts.service import create_api_token, create_user, start_session
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.ledger import service
from duban.ledger.models import DutyRow
from duban.reading.model import Deadline, Plan, Quantity, Section, Task
from duban.review.model import Actual, Promise, Target
from duban.review.store import save_review
from duban.units.service import DEFAULT_UNITS, load_units
from tests.web.monitoring_world import build_households

NOW = datetime(2023, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 Beijing time, a working Wednesday
PASSWORD = "correct-horse-9"
SECRET = "test-secret-key"
UNIT_A = "市发展和改革委员会"
UNIT_B = "市教育局"
USERS = {
    "office": ("督查室张三", "office", None),
    "leader": ("市长赵六", "leader", None),
    "unit_a": ("发改委李四", "unit", UNIT_A),
    "unit_b": ("教育局王五", "unit", UNIT_B),
}


def make_plan(*, year: int = 2023, place: str = "示例市", seed: str = "web") -> Plan:
    """A plan with a headline target, an achievement and three tasks in two sections."""
    sections = [
        Section(id="1", level=1, number="一", title="2022年工作回顾", part_kind="review", start=0, end=50, line=3),
        Section(id="2", level=1, number="二", title=f"{year}年工作安排", part_kind="plan", start=50, end=900, line=10),
        Section(id="2.1", level=2, number="(一)", title="扩大有效投资", part_kind="plan", start=100, end=300,
                line=12, parent="2"),
        Section(id="2.2", level=2, number="(二)", title="办好人民满意教育", part_kind="plan", start=300, end=900,
                line=20, parent="2"),
    ]  # fmt: skip
    quantities = [
        Quantity(kind="target", metric="地区生产总值增长", change="增长", value=6.0, value_high=None, unit="%",
                 bound="about", quote="地区生产总值增长6%左右", start=60, end=72, line=10, section="2",
                 headline=True, sentence="全市地区生产总值增长6%左右。"),
        Quantity(kind="achievement", metric="粮食产量", change=None, value=35.0, value_high=None, unit="亿斤",
                 bound="exact", quote="粮食产量35亿斤", start=10, end=20, line=4, section="1",
                 flags=["单位存疑"]),
    ]  # fmt: skip
    tasks = [
        Task(id="t1", section="2.1", text="实施省市重点项目100个，完成投资500亿元", action="实施",
             object="重点项目", start=120, end=140, line=13, deadline=Deadline("年底前", date(year, 12, 31))),
        Task(id="t2", section="2.2", text="新建改扩建中小学校10所", action="新建", object="中小学校",
             start=310, end=330, line=21, deadline=Deadline("8月底前", date(year, 8, 31))),
        Task(id="t3", section="2.2", text="推进职业教育提质培优", action="推进", object="职业教育",
             start=340, end=360, line=22),
    ]  # fmt: skip
    checksum = hashlib.sha256(f"{place}{year}{seed}".encode()).hexdigest()
    return Plan(doc=f"{place}-{year}", title=f"{place}{year}年政府工作报告", year=year, place=place,
                source=f"{place}-{year}.txt", checksum=checksum, source_format="txt", encoding="utf-8",
                text="", sections=sections, quantities=quantities, tasks=tasks)  # fmt: skip


def make_review(*, year: int, place: str = "示例市") -> list[Promise]:
    """A reviewed plan year: GDP growth met, new jobs missed, a CPI aim ambiguous, one unverifiable."""

    def promise(
        metric: str, mid: str, target: tuple[float, str, str], actual: float | None, verdict: str
    ) -> Promise:
        value, unit, bound = target
        return Promise(
            place=place,
            year=year,
            metric=metric,
            metric_id=mid,
            headline=True,
            target=Target(
                value=value,
                value_high=None,
                unit=unit,
                bound=bound,
                quote=f"{metric}目标{value:g}{unit}",
                line=10,
            ),
            actual=None
            if actual is None
            else Actual(value=actual, unit=unit, quote=f"{metric}实际{actual:g}{unit}", line=3),
            verdict=verdict,  # type: ignore[arg-type]
            reason="测试用复盘",
        )

    return [
        promise("地区生产总值增长", "gdp_growth", (6.0, "%", "about"), 6.3, "met"),
        promise("城镇新增就业", "urban_jobs", (45000, "人", "at_least"), 41000, "missed"),
        promise("居民消费价格涨幅", "cpi", (3.0, "%", "about"), 2.1, "ambiguous"),
        promise("粮食产量", "grain", (35.0, "亿斤", "at_least"), None, "unverifiable"),
    ]


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """Ids and credentials of the template database."""

    path: Path
    plan_id: int
    item_a: int  # t1, assigned to UNIT_A
    item_b: int  # t2, assigned to UNIT_B
    item_free: int  # t3, unassigned
    achievement: int
    duty_a: int
    duty_b: int
    tokens: dict[str, str]  # role key → bearer token
    sessions: dict[str, tuple[str, str]]  # role key → (session token, csrf token)
    cases: dict[str, int] = field(default_factory=dict)  # CASE_STATES name → case id
    evidence_a: int = 0  # an evidence file (佐证材料) of duty_a


def build_template(path: Path) -> World:
    """Migrate a fresh SQLite file and fill it through the services (the route table's world:
    its cases' citizen tokens go to ``CASE_TOKENS``)."""
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    try:
        return fill(engine, path, case_tokens=CASE_TOKENS)
    finally:
        engine.dispose()


def fill(engine: Engine, path: Path, *, case_tokens: dict[str, str] | None = None) -> World:
    """Migrate ``engine``'s database and fill it through the services (``path``: where it lives)."""
    upgrade(engine)
    with session_scope(engine) as s:
        load_units(session=s, path=DEFAULT_UNITS, actor="test", now=NOW)
        plan, _ = service.load_plan(session=s, plan=make_plan(), actor="test", now=NOW)
        save_review(
            session=s,
            promises=make_review(year=2022),
            source="示例市2022 → 示例市2023",
            actor="test",
            now=NOW,
        )
        items = {i.ref: i for i in service.plan_items(session=s, plan_id=plan.id)}
        service.assign(session=s, item_id=items["t1"].id, unit=UNIT_A, actor="test", now=NOW, major=True)
        service.assign(session=s, item_id=items["t2"].id, unit=UNIT_B, actor="test", now=NOW)
        duty = {d.item_id: d.id for d in s.query(DutyRow)}
        evidence = service.add_evidence(
            session=s,
            duty_id=duty[items["t1"].id],
            name="开工报告.pdf",
            content=PDF_BYTES,
            actor="test",
            now=NOW,
        )
        tokens: dict[str, str] = {}
        sessions: dict[str, tuple[str, str]] = {}
        for key, (name, role, unit) in USERS.items():
            account = create_user(session=s, name=name, role=role, unit=unit, password=PASSWORD, now=NOW)
            # the world is made at a fixed past NOW; its tokens must outlive real-clock servers
            tokens[key] = create_api_token(
                session=s, account=account, now=NOW, label="test", lifetime=timedelta(days=36500)
            )
            sessions[key] = start_session(session=s, account=account, now=NOW)
        world = World(
            path=path,
            plan_id=plan.id,
            item_a=items["t1"].id,
            item_b=items["t2"].id,
            item_free=items["t3"].id,
            achievement=items["q2"].id,
            duty_a=duty[items["t1"].id],
            duty_b=duty[items["t2"].id],
            tokens=tokens,
            sessions=sessions,
            cases=build_cases(s, {} if case_tokens is None else case_tokens),
            evidence_a=evidence.id,
        )
        build_households(s, units=(UNIT_A, UNIT_B), now=NOW)
    return world


# ---- cases (工单) in each state of the flow, for the case hub's routes -------------------------------
CASE_PHONE = "13812345678"
CASE_STATES = (
    "received",  # category confirmed, suggested unit UNIT_A: ready to dispatch
    "review",  # no category: a person must confirm before dispatch
    "dispatched",  # to UNIT_A
    "accepted",
    "in_progress",
    "settled",
    "reopened",
    "followed_up",
    "extension",  # accepted by UNIT_A, an extension requested
    "foreign",  # dispatched to UNIT_B
)
CASE_IDS = {name: i for i, name in enumerate(CASE_STATES, start=1)}
"""The template's case ids (made in this order on a fresh database; build_cases checks it)."""


CASE_TOKENS: dict[str, str] = {}
"""CASE_STATES name → the case's citizen token (random; filled when the template is built)."""


def build_cases(s: Session, tokens: dict[str, str]) -> dict[str, int]:
    """One case per name of CASE_STATES, walked through the flow by the case hub's own functions."""
    from duban.cases import flow
    from duban.cases.intake import intake
    from duban.cases.rules import load_rules
    from duban.cases.schemas import CaseCreate
    from duban.clock.calendar import WorkCalendar
    from duban.clock.policy import load_policy
    from duban.units.service import require_unit

    calendar, policy = WorkCalendar.load(None), load_policy(load_rules().policy)
    unit_a, unit_b = require_unit(session=s, name=UNIT_A).id, require_unit(session=s, name=UNIT_B).id
    out: dict[str, int] = {}
    for name in CASE_STATES:
        data = CaseCreate(
            channel="hotline_phone",
            title=f"工单{name}：小区门口路灯不亮",
            content=f"{name} 号：幸福路12号小区门口路灯连续一周不亮，夜间出行不便。",
            citizen_name="王先生",
            citizen_phone=CASE_PHONE,
            address=f"幸福路{len(out) + 12}号",
            category=None if name == "review" else "城乡建设",
        )
        row = intake(session=s, data=data, actor="test", now=NOW, calendar=calendar, policy=policy)
        out[name] = row.id
        tokens[name] = str(row.token)
        kw: dict[str, Any] = {"session": s, "case_id": row.id, "actor": "test", "now": NOW}
        if name in ("received", "review"):
            continue
        flow.dispatch(**kw, unit_id=unit_b if name == "foreign" else unit_a, calendar=calendar)
        if name in ("dispatched", "foreign"):
            continue
        flow.accept(**kw)
        if name == "extension":
            flow.request_extension(**kw, workdays=3, reason="需协调供电部门")
            continue
        if name == "accepted":
            continue
        flow.start(**kw)
        if name == "in_progress":
            continue
        flow.settle(**kw, reply="已修复路灯")
        if name == "reopened":
            flow.follow_up(**kw, satisfaction="不满意")
        elif name == "followed_up":
            flow.follow_up(**kw, satisfaction="满意")
    assert out == CASE_IDS, out
    return out
