"""The case flow: ONE table of allowed status changes and ONE function that applies them.

受理 received ─派单→ dispatched ─签收→ accepted ─办理→ in_progress ─办结→ settled ─回访→ followed_up ─归档→ archived
                    ▲   │退回(须写理由)                       ▲                │回访不满意
                    └─ returned                               └──── reopened ◄─┘ (重办)

:func:`transition` checks the table, applies the change, stamps the times the rates need
(signed in time, settled in time, returned and reopened counts) and writes one row to the
ledger's events log. The first unit that signs for a case owns it (首接负责). The database holds a
CHECK on ``cases.status``. Extensions (延期) and the link to a plan item live here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.cases.models import SATISFACTION, CaseRow, CaseStatus, CaseUpdateRow, DispatchRow
from duban.cases.rules import CaseError, CaseNotFound, load_rules, mask_phone
from duban.clock.calendar import WorkCalendar, local_date
from duban.ledger import service as ledger
from duban.units.models import UnitRow
from duban.units.service import get_unit

STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "受理",
    CaseStatus.DISPATCHED: "派单",
    CaseStatus.ACCEPTED: "签收",
    CaseStatus.RETURNED: "退回",
    CaseStatus.IN_PROGRESS: "办理",
    CaseStatus.SETTLED: "办结",
    CaseStatus.FOLLOWED_UP: "回访",
    CaseStatus.REOPENED: "重办",
    CaseStatus.ARCHIVED: "归档",
}

# (from, to) → the event action written when it is applied. Nothing else is allowed.
TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], str] = {
    (CaseStatus.RECEIVED, CaseStatus.DISPATCHED): "dispatch",  # 派单
    (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED): "accept",  # 签收
    (CaseStatus.DISPATCHED, CaseStatus.RETURNED): "return",  # 退回（须写明理由）
    (CaseStatus.RETURNED, CaseStatus.DISPATCHED): "redispatch",  # 重新派单
    (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS): "start",  # 办理
    (CaseStatus.IN_PROGRESS, CaseStatus.SETTLED): "settle",  # 办结（须答复来电人）
    (CaseStatus.SETTLED, CaseStatus.FOLLOWED_UP): "follow_up",  # 回访：满意/基本满意
    (CaseStatus.SETTLED, CaseStatus.REOPENED): "reopen",  # 回访不满意 → 重办
    (CaseStatus.REOPENED, CaseStatus.IN_PROGRESS): "redo",  # 重办
    (CaseStatus.FOLLOWED_UP, CaseStatus.ARCHIVED): "archive",  # 归档
}

OPEN_STATUSES: frozenset[str] = frozenset(
    s.value for s in CaseStatus if s not in (CaseStatus.SETTLED, CaseStatus.FOLLOWED_UP, CaseStatus.ARCHIVED)
)
"""Statuses in which the case is still being handled (the clock runs)."""


class FlowError(CaseError):
    """A status change the table does not allow, or one missing what it needs."""


def check_transition(current: CaseStatus | str, target: CaseStatus | str) -> str:
    """The event action for ``current → target``, or :class:`FlowError` in Chinese.

    >>> check_transition("received", "dispatched")
    'dispatch'
    >>> check_transition("received", "settled")
    Traceback (most recent call last):
    ...
    duban.cases.flow.FlowError: 不允许的工单状态变更：受理 → 办结
    """
    a, b = CaseStatus(current), CaseStatus(target)
    action = TRANSITIONS.get((a, b))
    if action is None:
        raise FlowError(f"不允许的工单状态变更：{STATUS_LABELS[a]} → {STATUS_LABELS[b]}", "status")
    return action


def case_snapshot(row: CaseRow) -> dict[str, Any] | None:
    """The row's columns for the events log, with the citizen's phone masked."""
    snap = audit.snapshot(row)
    if snap is not None and snap.get("citizen_phone"):
        snap["citizen_phone"] = mask_phone(snap["citizen_phone"])
    return snap


@contextmanager
def _changing(
    session: Session, row: CaseRow, *, actor: str, now: datetime, action: str
) -> Iterator[dict[str, Any]]:
    """Record the change the block makes to a case: ``updated_at`` stamped, one event (phone masked)."""
    with audit.changing(
        session, row, actor=actor, now=now, entity="case", action=action, snap=case_snapshot
    ) as notes:
        yield notes
        row.updated_at = now


def get_case(*, session: Session, case_id: int) -> CaseRow:
    """The case, or :class:`CaseNotFound`."""
    row = session.get(CaseRow, case_id)
    if row is None:
        raise CaseNotFound(f"工单 {case_id} 不存在", "case_id")
    return row


def _unit(session: Session, unit_id: int) -> UnitRow:
    unit = get_unit(session=session, unit_id=unit_id)
    if unit is None:
        raise CaseError(f"单位 {unit_id} 不存在", "unit_id")
    return unit


def _open_dispatch(session: Session, case_id: int) -> DispatchRow:
    row = session.scalar(
        select(DispatchRow).where(DispatchRow.case_id == case_id).order_by(DispatchRow.id.desc()).limit(1)
    )
    if row is None:  # cannot happen through this module: a dispatched case has a dispatch row
        raise FlowError(f"工单 {case_id} 没有派单记录", "status")
    return row


def transition(
    *,
    session: Session,
    case_id: int,
    target: CaseStatus | str,
    actor: str,
    now: datetime,
    calendar: WorkCalendar | None = None,
    unit_id: int | None = None,
    reason: str | None = None,
    reply: str | None = None,
    satisfaction: str | None = None,
) -> CaseRow:
    """Apply one allowed status change to a case and write its event (the one place that does)."""
    row = get_case(session=session, case_id=case_id)
    target = CaseStatus(target)
    action = check_transition(row.status, target)
    with _changing(session, row, actor=actor, now=now, action=action) as notes:
        today = local_date(now)
        if target is CaseStatus.DISPATCHED:
            if unit_id is None:
                raise FlowError("派单须指定承办单位", "unit_id")
            if calendar is None:
                raise FlowError("派单须给出工作日历以计算签收时限", "calendar")
            _unit(session, unit_id)
            rules = load_rules()
            session.add(
                DispatchRow(
                    case_id=row.id,
                    unit_id=unit_id,
                    month=row.month,
                    dispatched_at=now,
                    response_due=calendar.add_workdays(today, rules.response_workdays),
                )
            )
            row.unit_id = unit_id
            row.dispatched_at = row.dispatched_at or now
        elif target is CaseStatus.ACCEPTED:
            d = _open_dispatch(session, row.id)
            d.accepted_at = now
            d.accepted_in_time = today <= d.response_due
            row.accepted_at = row.accepted_at or now
            if row.owner_unit_id is None:
                row.owner_unit_id = d.unit_id  # 首接负责：第一个签收的单位负责到底
        elif target is CaseStatus.RETURNED:
            if not (reason and reason.strip()):
                raise FlowError("退回须写明理由", "reason")
            d = _open_dispatch(session, row.id)
            d.returned_at, d.return_reason = now, reason.strip()
            row.returned_count += 1
        elif target is CaseStatus.SETTLED:
            if not (reply and reply.strip()):
                raise FlowError("办结须填写给来电人的答复", "reply")
            row.reply = reply.strip()
            row.settled_at = now
            row.settled_in_time = row.due_date is None or today <= row.due_date
            session.add(
                CaseUpdateRow(case_id=row.id, at=now, status="closed", description=row.reply, actor=actor)
            )
        elif target in (CaseStatus.FOLLOWED_UP, CaseStatus.REOPENED):
            if satisfaction not in SATISFACTION:
                raise FlowError(f"回访结果应为 {'/'.join(SATISFACTION)} 之一", "satisfaction")
            if (satisfaction == "不满意") != (target is CaseStatus.REOPENED):
                raise FlowError("回访不满意的工单转重办，满意或基本满意的转回访完成", "satisfaction")
            row.satisfaction = satisfaction
            row.followed_up_at = now
            if target is CaseStatus.REOPENED:
                row.reopened_count += 1
                row.settled_in_time = None
                session.add(
                    CaseUpdateRow(
                        case_id=row.id, at=now, status="open", description="回访不满意，重新办理", actor=actor
                    )
                )
        elif target is CaseStatus.ARCHIVED:
            row.archived_at = now
        row.status = target.value
        if reason:
            notes["reason"] = reason
    return row


# ---- the steps, by name -----------------------------------------------------------------------
def dispatch(
    *, session: Session, case_id: int, unit_id: int, actor: str, now: datetime, calendar: WorkCalendar
) -> CaseRow:
    """派单 (or re-dispatch after a return) to a unit; the unit must sign for it in time.

    Once a unit has signed for a case the table offers no way back to 派单: it owns it (首接负责).
    """
    return transition(
        session=session,
        case_id=case_id,
        target=CaseStatus.DISPATCHED,
        actor=actor,
        now=now,
        calendar=calendar,
        unit_id=unit_id,
    )


def accept(*, session: Session, case_id: int, actor: str, now: datetime) -> CaseRow:
    """签收 by the dispatched unit."""
    return transition(session=session, case_id=case_id, target=CaseStatus.ACCEPTED, actor=actor, now=now)


def return_case(*, session: Session, case_id: int, reason: str, actor: str, now: datetime) -> CaseRow:
    """退回 with a reason (not ours, wrong place …); the hub re-dispatches it."""
    return transition(
        session=session, case_id=case_id, target=CaseStatus.RETURNED, actor=actor, now=now, reason=reason
    )


def start(*, session: Session, case_id: int, actor: str, now: datetime) -> CaseRow:
    """办理: the unit starts work."""
    return transition(session=session, case_id=case_id, target=CaseStatus.IN_PROGRESS, actor=actor, now=now)


def settle(*, session: Session, case_id: int, reply: str, actor: str, now: datetime) -> CaseRow:
    """办结 with the reply to the citizen."""
    return transition(
        session=session, case_id=case_id, target=CaseStatus.SETTLED, actor=actor, now=now, reply=reply
    )


def follow_up(*, session: Session, case_id: int, satisfaction: str, actor: str, now: datetime) -> CaseRow:
    """回访: 满意/基本满意 closes the loop, 不满意 reopens the case as 重办."""
    target = CaseStatus.REOPENED if satisfaction == "不满意" else CaseStatus.FOLLOWED_UP
    return transition(
        session=session, case_id=case_id, target=target, actor=actor, now=now, satisfaction=satisfaction
    )


def redo(*, session: Session, case_id: int, actor: str, now: datetime) -> CaseRow:
    """重办: the owning unit works on a reopened case again."""
    return transition(session=session, case_id=case_id, target=CaseStatus.IN_PROGRESS, actor=actor, now=now)


def archive(*, session: Session, case_id: int, actor: str, now: datetime) -> CaseRow:
    """归档 a followed-up case."""
    return transition(session=session, case_id=case_id, target=CaseStatus.ARCHIVED, actor=actor, now=now)


# ---- extensions (延期) ----------------------------------------------------------------------------
def request_extension(
    *, session: Session, case_id: int, workdays: int, reason: str, actor: str, now: datetime
) -> CaseRow:
    """A unit asks for more working days; nothing moves until the hub approves."""
    row = get_case(session=session, case_id=case_id)
    if row.status not in (CaseStatus.ACCEPTED.value, CaseStatus.IN_PROGRESS.value, CaseStatus.REOPENED.value):
        raise FlowError("只有已签收、办理中或重办的工单可以申请延期", "status")
    if not 1 <= workdays <= 30:
        raise CaseError(f"延期天数应为 1 到 30 个工作日，实为 {workdays}", "workdays")
    if not reason.strip():
        raise CaseError("申请延期须写明理由", "reason")
    if row.extension_state == "requested":
        raise FlowError("已有待审批的延期申请", "extension_state")
    with _changing(session, row, actor=actor, now=now, action="request_extension"):
        row.extension_state, row.extension_workdays, row.extension_reason = (
            "requested",
            workdays,
            reason.strip(),
        )
    return row


def decide_extension(
    *, session: Session, case_id: int, approve: bool, actor: str, now: datetime, calendar: WorkCalendar
) -> CaseRow:
    """The hub approves (the due date moves by the working days asked) or rejects an extension."""
    row = get_case(session=session, case_id=case_id)
    if row.extension_state != "requested":
        raise FlowError("该工单没有待审批的延期申请", "extension_state")
    action = "approve_extension" if approve else "reject_extension"
    with _changing(session, row, actor=actor, now=now, action=action):
        if approve:
            base = row.due_date or local_date(row.received_at)
            row.due_date = calendar.add_workdays(base, row.extension_workdays)
            row.extension_state = "approved"
        else:
            row.extension_state = "rejected"
    return row


# ---- classification confirmed by a person ---------------------------------------------------------
def confirm_category(
    *, session: Session, case_id: int, category: str, actor: str, now: datetime, unit_id: int | None = None
) -> CaseRow:
    """A person sets (or confirms) the category, and optionally the suggested unit, of a case."""
    row = get_case(session=session, case_id=case_id)
    category = category.strip()
    if not category or len(category) > 100:
        raise CaseError("分类不能为空，且不超过 100 个字符", "category")
    if unit_id is not None:
        _unit(session, unit_id)
    with _changing(session, row, actor=actor, now=now, action="confirm_category"):
        row.category, row.review = category, "confirmed"
        if unit_id is not None:
            row.suggested_unit_id = unit_id
    return row


# ---- the link to the plan -------------------------------------------------------------------------
def link_case_to_item(
    *, session: Session, case_id: int, item_id: int | None, actor: str, now: datetime
) -> CaseRow:
    """Link a case to a plan item (ledger item id), so the office sees what citizens say about it."""
    row = get_case(session=session, case_id=case_id)
    if item_id is not None and ledger.get_item(session=session, item_id=item_id) is None:
        raise CaseError(f"台账事项 {item_id} 不存在", "item_id")
    with _changing(
        session, row, actor=actor, now=now, action="link_item" if item_id is not None else "unlink_item"
    ):
        row.item_id = item_id
    return row


def cases_for_item(*, session: Session, item_id: int) -> list[CaseRow]:
    """The cases linked to a plan item, newest first."""
    return list(
        session.scalars(
            select(CaseRow)
            .where(CaseRow.item_id == item_id)
            .order_by(CaseRow.received_at.desc(), CaseRow.id.desc())
        )
    )


def due_date_for(
    *, case_type: str, urgent: bool, received: date, calendar: WorkCalendar, limits: Any
) -> date:
    """The settle-by date: the type's working-day limit (紧急: the same working day) from receipt."""
    key = "紧急" if urgent else case_type
    return calendar.add_workdays(received, limits.case_limit(key))
