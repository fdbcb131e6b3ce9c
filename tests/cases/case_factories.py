"""Factories for case hub tests: cases through intake, cases driven to any status, plan items."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from duban.cases import flow
from duban.cases.intake import intake
from duban.cases.models import CaseRow, CaseStatus
from duban.cases.schemas import CaseCreate
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import Policy
from duban.ledger.models import ItemRow, PlanRow
from duban.units.service import require_unit

HOUR = timedelta(hours=1)

# how to reach each status from 受理, one step at a time
PATH: dict[CaseStatus, list[CaseStatus]] = {
    CaseStatus.RECEIVED: [],
    CaseStatus.DISPATCHED: [CaseStatus.DISPATCHED],
    CaseStatus.ACCEPTED: [CaseStatus.DISPATCHED, CaseStatus.ACCEPTED],
    CaseStatus.RETURNED: [CaseStatus.DISPATCHED, CaseStatus.RETURNED],
    CaseStatus.IN_PROGRESS: [CaseStatus.DISPATCHED, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS],
    CaseStatus.SETTLED: [
        CaseStatus.DISPATCHED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.SETTLED,
    ],
    CaseStatus.FOLLOWED_UP: [
        CaseStatus.DISPATCHED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.SETTLED,
        CaseStatus.FOLLOWED_UP,
    ],
    CaseStatus.REOPENED: [
        CaseStatus.DISPATCHED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.SETTLED,
        CaseStatus.REOPENED,
    ],
    CaseStatus.ARCHIVED: [
        CaseStatus.DISPATCHED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.SETTLED,
        CaseStatus.FOLLOWED_UP,
        CaseStatus.ARCHIVED,
    ],
}


def new_case(s: Session, *, now: datetime, calendar: WorkCalendar, policy: Policy, **kw: Any) -> CaseRow:
    data: dict[str, Any] = {
        "channel": "hotline_phone",
        "case_type": "投诉",
        "content": "小区门口路灯已经坏了一周，晚上很黑",
        "citizen_phone": "13812341234",
        "address": "平城区和平路12号",
    }
    data.update(kw)
    return intake(
        session=s, data=CaseCreate(**data), actor="话务员", now=now, calendar=calendar, policy=policy
    )


def step_kwargs(target: CaseStatus, unit_id: int, calendar: WorkCalendar) -> dict[str, Any]:
    """What each target needs besides the case."""
    return {
        CaseStatus.DISPATCHED: {"unit_id": unit_id, "calendar": calendar},
        CaseStatus.RETURNED: {"reason": "不属于本单位职责"},
        CaseStatus.SETTLED: {"reply": "已更换灯泡，恢复照明"},
        CaseStatus.FOLLOWED_UP: {"satisfaction": "满意"},
        CaseStatus.REOPENED: {"satisfaction": "不满意"},
    }.get(target, {})


def drive(
    s: Session, case_id: int, target: CaseStatus, *, unit_id: int, now: datetime, calendar: WorkCalendar
) -> CaseRow:
    """Move a fresh case along :data:`PATH` to ``target``."""
    row = s.get(CaseRow, case_id)
    assert row is not None
    for i, step in enumerate(PATH[target], start=1):
        row = flow.transition(
            session=s, case_id=case_id, target=step, actor="测试", now=now + i * HOUR,
            **step_kwargs(step, unit_id, calendar),
        )  # fmt: skip
    return row


def unit_id(s: Session, name: str) -> int:
    return require_unit(session=s, name=name).id


def plan_item(s: Session, *, now: datetime, text: str = "新建城市供热管网 50 公里") -> int:
    plan = PlanRow(
        place="示例市", level="市", year=2026, title="示例市2026年政府工作报告", doc="t", source="test",
        checksum=f"t-{text}", loaded_at=now, loaded_by="test",
    )  # fmt: skip
    s.add(plan)
    s.flush()
    item = ItemRow(plan_id=plan.id, ref="t1", kind="task", text=text, start=0, end=len(text), line=1)
    s.add(item)
    s.flush()
    return item.id
