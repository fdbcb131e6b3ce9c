"""Factories for ledger tests: reader Plans built directly, and rows made through the service."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from duban.ledger import service
from duban.ledger.models import DutyRow, PlanRow
from duban.reading.model import Deadline, Plan, Quantity, Section, Task


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    """An aware UTC datetime for ``hour`` o'clock Beijing time on that day."""
    return datetime(y, m, d, hour - 8, 0, tzinfo=UTC)


def make_plan(*, year: int = 2023, place: str = "大同市", seed: str = "a", tasks: int = 4) -> Plan:
    """A small plan: a headline GDP target, an achievement, and tasks in routable sections."""
    sections = [
        Section(
            id="1", level=1, number="一", title="2022年工作回顾", part_kind="review", start=0, end=100, line=3
        ),
        Section(
            id="2",
            level=1,
            number="二",
            title=f"{year}年工作安排",
            part_kind="plan",
            start=100,
            end=900,
            line=10,
        ),
        Section(
            id="2.1",
            level=2,
            number="(一)",
            title="做强能源产业",
            part_kind="plan",
            start=110,
            end=300,
            line=11,
            parent="2",
        ),
        Section(
            id="2.2",
            level=2,
            number="(二)",
            title="推进乡村振兴",
            part_kind="plan",
            start=300,
            end=500,
            line=20,
            parent="2",
        ),
        Section(
            id="2.3",
            level=2,
            number="(三)",
            title="办好民生实事",
            part_kind="plan",
            start=500,
            end=900,
            line=30,
            parent="2",
        ),
    ]
    quantities = [
        Quantity(
            kind="target",
            metric="地区生产总值增长",
            change="增长",
            value=6.0,
            value_high=None,
            unit="%",
            bound="about",
            quote="地区生产总值增长6%左右",
            start=105,
            end=118,
            line=10,
            section="2",
            headline=True,
            sentence="全市地区生产总值增长6%左右。",
        ),
        Quantity(
            kind="achievement",
            metric="粮食产量",
            change=None,
            value=35.0,
            value_high=None,
            unit="亿斤",
            bound="exact",
            quote="粮食产量35亿斤",
            start=10,
            end=20,
            line=4,
            section="1",
        ),
    ]
    task_list = [
        Task(
            id="t1",
            section="2.1",
            text="新增新能源装机200万千瓦",
            action="新增",
            object="新能源装机",
            start=120,
            end=140,
            line=12,
            counts=["200万千瓦"],
            deadline=Deadline("年底前", date(year, 12, 31)),
            targets=[
                Quantity(
                    kind="target",
                    metric="新能源装机",
                    change=None,
                    value=2000000.0,
                    value_high=None,
                    unit="千瓦",
                    bound="exact",
                    quote="新能源装机200万千瓦",
                    start=122,
                    end=133,
                    line=12,
                )
            ],
        ),
        Task(
            id="t2",
            section="2.2",
            text="建设高标准农田20万亩",
            action="建设",
            object="高标准农田",
            start=310,
            end=330,
            line=21,
            deadline=Deadline("6月底前", date(year, 6, 30)),
            counts=["20万亩"],
            targets=[
                Quantity(
                    kind="target",
                    metric="高标准农田",
                    change=None,
                    value=200000.0,
                    value_high=None,
                    unit="亩",
                    bound="exact",
                    quote="高标准农田20万亩",
                    start=312,
                    end=321,
                    line=21,
                )
            ],
        ),
        Task(
            id="t3",
            section="2.3",
            text="改造老旧小区120个，新建改造供水管网80公里",
            action="改造",
            object="老旧小区",
            start=510,
            end=540,
            line=31,
            deadline=Deadline("10月底前", date(year, 10, 31)),
            targets=[
                Quantity(
                    kind="target",
                    metric="老旧小区",
                    change=None,
                    value=120.0,
                    value_high=None,
                    unit="个",
                    bound="exact",
                    quote="改造老旧小区120个",
                    start=510,
                    end=520,
                    line=31,
                ),
                Quantity(
                    kind="target",
                    metric="供水管网",
                    change=None,
                    value=80.0,
                    value_high=None,
                    unit="公里",
                    bound="exact",
                    quote="新建改造供水管网80公里",
                    start=522,
                    end=534,
                    line=31,
                ),
            ],
        ),
        Task(
            id="t4",
            section="2",
            text="办好群众关心的其他事",
            action="办好",
            object="其他事",
            start=560,
            end=580,
            line=33,
        ),
    ][:tasks]
    checksum = hashlib.sha256(f"{place}{year}{seed}".encode()).hexdigest()
    return Plan(doc=f"{place}-{year}", title=f"{year}年{place}政府工作报告", year=year, place=place,
                source=f"{place}-{year}.txt", checksum=checksum, source_format="txt", encoding="utf-8",
                text="", sections=sections, quantities=quantities, tasks=task_list)  # fmt: skip


def load(session: Session, *, now: datetime, **kw: object) -> PlanRow:
    row, _ = service.load_plan(session=session, plan=make_plan(**kw), actor="test", now=now)  # type: ignore[arg-type]
    return row


def assigned_duty(
    session: Session,
    *,
    now: datetime,
    unit: str = "市能源局",
    major: bool = False,
    seed: str = "a",
    ref: str = "t1",
) -> DutyRow:
    """A plan loaded and one of its tasks (t1: due year end; t2: due 30 June) assigned; the duty."""
    plan = load(session, now=now, seed=seed)
    item = next(i for i in plan.items if i.ref == ref)
    service.assign(session=session, item_id=item.id, unit=unit, actor="督查室", now=now, major=major)
    duty = session.query(DutyRow).filter_by(item_id=item.id).one()
    return duty
